//! Bad input never escapes: NaN, ±Inf, 1e30, denormals, DC, full-scale squares, block sizes
//! 1..8192 changing every call, sample rates 8 kHz..384 kHz, parameters at their extremes and
//! automated every sample. Output is always finite and within the limiter's ceiling, and the
//! engine is back to normal output right after the bad input stops.

mod common;
use common::*;
use earshot::dsp::audiogram::{Audiogram, Preset};
use earshot::dsp::body::BodyControls;
use earshot::dsp::hearing::conductive::GapShape;
use earshot::dsp::hearing::tts::TtsControls;
use earshot::dsp::implant::carrier::CarrierKind;
use earshot::dsp::implant::ImplantControls;
use earshot::dsp::jitter::JitterControls;
use earshot::dsp::limiter::CEILING;
use earshot::dsp::tinnitus::{TinnitusControls, TinnitusEar, TinnitusKind};
use earshot::dsp::{Engine, EngineParams};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64: a reproducible stream for the test schedule.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_params(rng: &mut Rng) -> EngineParams {
    let pick = |rng: &mut Rng, lo: f32, hi: f32| match rng.below(3) {
        0 => lo,
        1 => hi,
        _ => lo + (hi - lo) * rng.unit(),
    };
    let mut a = [0.0; 9];
    for v in &mut a {
        *v = pick(rng, -10.0, 120.0);
    }
    let mut b = [0.0; 9];
    for v in &mut b {
        *v = pick(rng, -10.0, 120.0);
    }
    EngineParams {
        severity: pick(rng, 0.0, 1.0),
        left: Audiogram::new(a),
        right: Audiogram::new(b),
        link_ears: rng.below(2) == 0,
        calibration_db_spl: pick(rng, 70.0, 130.0),
        recruitment: rng.below(2) == 0,
        smear_manual: rng.below(2) == 0,
        smear_amount: pick(rng, 0.0, 1.0),
        pov: pick(rng, 0.0, 1.0),
        output_gain_db: pick(rng, -24.0, 24.0),
        bypass: rng.below(4) == 0,
        implant: ImplantControls {
            amount: if rng.below(3) == 0 {
                0.0
            } else {
                pick(rng, 0.0, 1.0)
            },
            channels: 1 + rng.below(22),
            maxima: rng.below(23),
            rate_pps: pick(rng, 250.0, 3500.0),
            envelope_hz: pick(rng, 50.0, 400.0),
            agc_attack_ms: pick(rng, 0.5, 50.0),
            agc_release_ms: pick(rng, 10.0, 1000.0),
            shift_mm: pick(rng, 0.0, 8.0),
            spread: pick(rng, 0.0, 1.0),
            carrier: [
                CarrierKind::Noise,
                CarrierKind::Sine,
                CarrierKind::Pulse,
                CarrierKind::Metallic,
            ][rng.below(4)],
            eas_hz: pick(rng, 20.0, 2000.0),
            device: earshot::dsp::implant::device::Device::ALL[rng.below(4)],
            side: [
                earshot::dsp::implant::device::Side::Both,
                earshot::dsp::implant::device::Side::Left,
                earshot::dsp::implant::device::Side::Right,
            ][rng.below(3)],
        },
        pov_cut: rng.below(2) == 0,
        tinnitus: TinnitusControls {
            amount: if rng.below(3) == 0 {
                0.0
            } else {
                pick(rng, 0.0, 1.0)
            },
            kind: TinnitusKind::ALL[rng.below(4)],
            matched: rng.below(2) == 0,
            pitch_hz: pick(rng, 125.0, 16000.0),
            level_db_sl: pick(rng, -20.0, 60.0),
            wobble_cents: pick(rng, 0.0, 100.0),
            bandwidth_oct: pick(rng, 0.05, 3.0),
            bpm: pick(rng, 30.0, 200.0),
            ear: [TinnitusEar::Left, TinnitusEar::Right, TinnitusEar::Both][rng.below(3)],
            rate_per_min: pick(rng, 0.5, 60.0),
            duty: pick(rng, 0.0, 1.0),
            exposure: pick(rng, 0.0, 2.0),
            exposure_decay_s: pick(rng, 1.0, 600.0),
            masking: pick(rng, 0.0, 1.0),
            seed: rng.below(65536) as u64,
        },
        body: BodyControls {
            amount: pick(rng, 0.0, 1.0),
            band_hz: pick(rng, 40.0, 250.0),
            octave: pick(rng, 0.0, 1.0),
            voice: pick(rng, 0.0, 1.0),
        },
        // Drawn last, so the earlier draws (and the cases they make) stay as they were.
        gap_db: [
            if rng.below(2) == 0 {
                0.0
            } else {
                pick(rng, 0.0, 60.0)
            },
            pick(rng, 0.0, 60.0),
        ],
        gap_shape: GapShape::ALL[rng.below(3)],
        tts: TtsControls {
            amount: if rng.below(2) == 0 {
                0.0
            } else {
                pick(rng, 0.0, 2.0)
            },
            onset_db_spl: pick(rng, 60.0, 100.0),
            max_db: pick(rng, 0.0, 60.0),
            recovery_min: pick(rng, 1.0, 2880.0),
            time_scale: pick(rng, 1.0, 3600.0),
            blast_depth_db: pick(rng, 0.0, 60.0),
            blast: rng.below(2) == 0,
        },
        jitter: JitterControls {
            amount_ms: if rng.below(2) == 0 {
                0.0
            } else {
                pick(rng, 0.0, 0.5)
            },
            band_hz: pick(rng, 200.0, 4000.0),
            bandwidth_hz: pick(rng, 20.0, 1000.0),
            correlation: pick(rng, 0.0, 1.0),
            seed: rng.below(65536) as u64,
        },
    }
}

/// The kinds of hostile input, one sample at index i.
fn hostile(kind: usize, i: usize, rng: &mut Rng) -> f32 {
    match kind {
        0 => f32::NAN,
        1 => f32::INFINITY,
        2 => f32::NEG_INFINITY,
        3 => {
            if i.is_multiple_of(2) {
                1e30
            } else {
                -1e30
            }
        }
        4 => 1e-40 * (i % 7) as f32, // denormals
        5 => 1.0,                    // DC at full scale
        6 => {
            if (i / 50).is_multiple_of(2) {
                1.0
            } else {
                -1.0
            }
        } // full-scale square
        7 => f32::MIN_POSITIVE / 3.0,
        _ => (rng.unit() * 2.0 - 1.0) * 1e3, // loud noise
    }
}

fn check(out: &[f32], what: &str) {
    for (i, v) in out.iter().enumerate() {
        assert!(
            v.is_finite() && v.abs() <= CEILING,
            "{what}: sample {i} = {v}"
        );
        assert!(
            *v == 0.0 || v.abs() >= f32::MIN_POSITIVE,
            "{what}: denormal out at {i}"
        );
    }
}

#[test]
fn hostile_input_every_rate_every_block_size() {
    let mut rng = Rng(42);
    for fs in [
        8000.0, 11025.0, 22050.0, 44100.0, 48000.0, 96000.0, 192000.0, 384000.0,
    ] {
        let mut engine = Engine::new(fs, &random_params(&mut rng));
        let n = (fs * 0.25) as usize;
        for kind in 0..9 {
            let mut l: Vec<f32> = (0..n).map(|i| hostile(kind, i, &mut rng)).collect();
            let mut r = l.clone();
            let mut pos = 0;
            while pos < n {
                let len = (1 + rng.below(8192)).min(n - pos);
                engine.set_params(&random_params(&mut rng));
                engine.process(&mut [&mut l[pos..pos + len], &mut r[pos..pos + len]]);
                pos += len;
            }
            check(&l, &format!("{fs} Hz kind {kind} left"));
            check(&r, &format!("{fs} Hz kind {kind} right"));
        }
    }
}

#[test]
fn parameters_automated_every_sample_at_extremes() {
    let mut rng = Rng(7);
    let fs = 48000.0;
    let mut engine = Engine::new(fs, &EngineParams::default());
    let x = tone(440.0, 0.9, 0.5, fs);
    let mut y = x.clone();
    for s in y.chunks_mut(1) {
        engine.set_params(&random_params(&mut rng));
        engine.process(&mut [s]);
    }
    check(&y, "automated every sample");
}

#[test]
fn recovers_right_after_bad_input_stops() {
    // Bad samples are muted on the way in, so after them the engine must produce exactly what
    // it produces when the same stretch is silence: no state is poisoned.
    let fs = 48000.0;
    let ruben = Preset::Ruben.audiogram();
    let p = EngineParams {
        severity: 1.0,
        left: ruben,
        right: ruben,
        ..EngineParams::default()
    };
    let good = tone(1000.0, 0.3, 1.0, fs);
    let (a, b) = (20000usize, 22000usize);
    for kind in [0usize, 1, 2, 3] {
        let mut rng = Rng(1);
        let mut bad = good.clone();
        let mut silent = good.clone();
        for i in a..b {
            bad[i] = hostile(kind, i, &mut rng);
            silent[i] = 0.0;
        }
        let mut e1 = Engine::new(fs, &p);
        let mut e2 = Engine::new(fs, &p);
        let block = 512;
        let y1 = run(&mut e1, &bad, block);
        let y2 = run(&mut e2, &silent, block);
        let from = b + e1.latency() + block;
        assert_eq!(
            &y1[from..],
            &y2[from..],
            "kind {kind}: output differs after the bad input"
        );
        assert!(
            rms_db(&y1[from..]) > -80.0,
            "kind {kind}: output must come back"
        );
        assert_eq!(
            e1.bad_input_samples,
            (b - a) as u64,
            "kind {kind}: every bad sample counted"
        );
    }
}
