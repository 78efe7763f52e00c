//! `Engine::process` never allocates or frees, for every block size and parameter extreme.
//!
//! This binary installs `nice_assert_no_alloc`'s counting allocator (warn mode: a violation is
//! counted instead of aborting, so a failure is reported as a normal test failure).

mod common;
use common::*;
use earshot::dsp::audiogram::Preset;
use earshot::dsp::body::BodyControls;
use earshot::dsp::hearing::tts::TtsControls;
use earshot::dsp::implant::carrier::CarrierKind;
use earshot::dsp::implant::ImplantControls;
use earshot::dsp::jitter::JitterControls;
use earshot::dsp::tinnitus::{TinnitusControls, TinnitusEar, TinnitusKind};
use earshot::dsp::{Engine, EngineParams};
use nice_assert_no_alloc::{
    assert_no_alloc, reset_violation_count, violation_count, AllocDisabler,
};

#[global_allocator]
static A: AllocDisabler = AllocDisabler;

fn extremes() -> Vec<EngineParams> {
    let ruben = Preset::Ruben.audiogram();
    let max = earshot::dsp::audiogram::Audiogram::new([120.0; 9]);
    let min = earshot::dsp::audiogram::Audiogram::new([-10.0; 9]);
    let base = EngineParams::default();
    let mut v = vec![
        base,
        EngineParams {
            severity: 1.0,
            left: ruben,
            right: ruben,
            ..base
        },
        EngineParams {
            severity: 1.0,
            left: max,
            right: min,
            link_ears: false,
            ..base
        },
        EngineParams {
            severity: 1.0,
            left: min,
            right: min,
            calibration_db_spl: 130.0,
            ..base
        },
        EngineParams {
            severity: 0.5,
            left: ruben,
            right: ruben,
            calibration_db_spl: 70.0,
            smear_manual: true,
            smear_amount: 1.0,
            ..base
        },
        EngineParams {
            severity: 1.0,
            left: ruben,
            right: ruben,
            recruitment: false,
            pov: 0.0,
            output_gain_db: 24.0,
            ..base
        },
        EngineParams {
            severity: 1.0,
            left: max,
            right: max,
            bypass: true,
            output_gain_db: -24.0,
            ..base
        },
        // The implant on, at its extremes (including a channel-count change, which builds a
        // new processor inside `process()`).
        EngineParams {
            severity: 1.0,
            left: ruben,
            right: ruben,
            implant: ImplantControls {
                amount: 1.0,
                channels: 22,
                maxima: 1,
                rate_pps: 3500.0,
                shift_mm: 8.0,
                spread: 1.0,
                carrier: CarrierKind::Pulse,
                eas_hz: 2000.0,
                ..ImplantControls::default()
            },
            ..base
        },
        EngineParams {
            severity: 1.0,
            left: ruben,
            right: ruben,
            implant: ImplantControls {
                amount: 0.5,
                channels: 1,
                maxima: 0,
                rate_pps: 250.0,
                carrier: CarrierKind::Metallic,
                ..ImplantControls::default()
            },
            ..base
        },
    ];
    // The threshold shift at its fastest and deepest, with a blast.
    v.push(EngineParams {
        severity: 1.0,
        left: ruben,
        right: ruben,
        tts: TtsControls {
            amount: 2.0,
            onset_db_spl: 60.0,
            max_db: 60.0,
            recovery_min: 1.0,
            time_scale: 3600.0,
            blast_depth_db: 60.0,
            blast: true,
        },
        ..base
    });
    // The temporal distortion at both ends of its ranges.
    for end in [false, true] {
        v.push(EngineParams {
            severity: 1.0,
            left: ruben,
            right: ruben,
            jitter: JitterControls {
                amount_ms: 0.5,
                band_hz: if end { 4000.0 } else { 200.0 },
                bandwidth_hz: if end { 1000.0 } else { 20.0 },
                correlation: if end { 1.0 } else { 0.0 },
                seed: 9,
            },
            ..base
        });
    }
    // Tinnitus of every kind, fast intermittency, full exposure and masking; body at full.
    for (i, kind) in TinnitusKind::ALL.into_iter().enumerate() {
        v.push(EngineParams {
            severity: 1.0,
            left: ruben,
            right: ruben,
            pov_cut: i % 2 == 0,
            tinnitus: TinnitusControls {
                amount: 1.0,
                kind,
                matched: i % 2 == 1,
                pitch_hz: 16000.0,
                level_db_sl: 60.0,
                ear: [TinnitusEar::Left, TinnitusEar::Right, TinnitusEar::Both][i % 3],
                rate_per_min: 60.0,
                duty: 0.5,
                exposure: 2.0,
                exposure_decay_s: 1.0,
                masking: 1.0,
                seed: i as u64,
                ..TinnitusControls::default()
            },
            body: BodyControls {
                amount: 1.0,
                band_hz: 250.0,
                octave: 1.0,
                voice: 1.0,
            },
            ..base
        });
    }
    v
}

#[test]
fn the_guard_detects_allocations() {
    // Proves the test below can fail: an allocation inside the guard is counted.
    reset_violation_count();
    assert_no_alloc(|| {
        let v = vec![1u8; 100];
        std::hint::black_box(&v);
    });
    assert!(violation_count() > 0);
    reset_violation_count();
}

#[test]
fn process_never_allocates() {
    let x = tone(1000.0, 0.5, 0.5, 48000.0);
    let sizes = [1usize, 2, 3, 17, 64, 127, 128, 512, 1000, 4096, 8192];
    for fs in [44100.0, 48000.0, 96000.0] {
        let params = extremes();
        let mut engine = Engine::new(fs, &params[0]);
        // The editor's snapshot, published while its window is open (the plugin calls this
        // after every block).
        let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (mut writer, mut reader) = earshot::editor::snapshot::channel(open);
        let (mut l, mut r) = (x.clone(), x.clone());
        reset_violation_count();
        let mut pos = 0;
        let mut i = 0;
        while pos < l.len() {
            let n = sizes[i % sizes.len()].min(l.len() - pos);
            let p = params[i % params.len()];
            let (a, b) = (&mut l[pos..pos + n], &mut r[pos..pos + n]);
            assert_no_alloc(|| {
                engine.set_params(&p);
                engine.process(&mut [a, b]);
                writer.after_block(&engine, n);
                if i % 5 == 0 {
                    engine.reset();
                }
            });
            pos += n;
            i += 1;
        }
        // Mono too.
        let mut m = x.clone();
        assert_no_alloc(|| {
            for c in m.chunks_mut(333) {
                engine.process(&mut [c]);
            }
        });
        assert_eq!(violation_count(), 0, "allocations in process() at {fs} Hz");
        assert!(reader.read().serial > 0, "no snapshot was published");
    }
}

#[test]
fn story_mode_mapping_and_engine_never_allocate() {
    // What the plugin does per block in Story mode: read the parameters, lay the scene
    // targets over them, hand them to the engine.
    let params = earshot::params::EarshotParams::default();
    earshot::param_access::set(&params, "mode", "Story").unwrap();
    let x = tone(1000.0, 0.5, 1.0, 48000.0);
    let mut engine = Engine::new(48000.0, &params.engine_params());
    let (mut l, mut r) = (x.clone(), x.clone());
    let n = l.len();
    reset_violation_count();
    for (k, (a, b)) in l.chunks_mut(256).zip(r.chunks_mut(256)).enumerate() {
        let position = (k * 256) as f32 / n as f32;
        let handle = earshot::param_access::Handle::new(&params, "story").unwrap();
        assert_no_alloc(|| {
            handle.set_plain_clamped(position);
            let p = params.engine_params();
            engine.set_params(&p);
            engine.process(&mut [a, b]);
        });
    }
    assert_eq!(violation_count(), 0, "allocations in Story mode");
    assert!(l.iter().chain(&r).all(|v| v.is_finite()));
}
