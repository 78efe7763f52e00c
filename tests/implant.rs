//! The implant stage inside the engine: off costs and changes nothing, latency and the dry
//! path stay aligned, every implant parameter automates without clicks, output stays finite.

mod common;
use common::*;
use earshot::dsp::audiogram::Preset;
use earshot::dsp::implant::carrier::CarrierKind;
use earshot::dsp::implant::device::{Device, Side};
use earshot::dsp::implant::ImplantControls;
use earshot::dsp::{Engine, EngineParams};

fn severe() -> EngineParams {
    let ruben = Preset::Ruben.audiogram();
    EngineParams {
        severity: 1.0,
        left: ruben,
        right: ruben,
        calibration_db_spl: CAL,
        ..EngineParams::default()
    }
}

fn with_implant(base: EngineParams, implant: ImplantControls) -> EngineParams {
    EngineParams { implant, ..base }
}

fn on() -> ImplantControls {
    ImplantControls {
        amount: 1.0,
        ..ImplantControls::default()
    }
}

#[test]
fn implant_off_changes_nothing_whatever_its_settings() {
    let fs = 48000.0;
    let x = noise(20000, 0.3, 5);
    let reference = run(&mut Engine::new(fs, &severe()), &x, 256);
    let odd = ImplantControls {
        amount: 0.0,
        channels: 3,
        maxima: 1,
        shift_mm: 7.0,
        spread: 1.0,
        carrier: CarrierKind::Metallic,
        eas_hz: 800.0,
        ..ImplantControls::default()
    };
    let y = run(&mut Engine::new(fs, &with_implant(severe(), odd)), &x, 256);
    assert_eq!(
        y, reference,
        "implant 0 must be exactly the loss stage alone"
    );
}

#[test]
fn latency_and_dry_path_stay_aligned_with_the_implant_on() {
    for fs in [44100.0, 48000.0, 96000.0] {
        let plain = Engine::new(fs, &severe());
        let mut e = Engine::new(fs, &with_implant(severe(), on()));
        assert_eq!(e.latency(), plain.latency());
        // POV 0 (the world) nulls against the input delayed by the latency, implant on.
        e.set_params(&EngineParams {
            pov: 0.0,
            ..with_implant(severe(), on())
        });
        e.reset();
        let lat = e.latency();
        let x = noise(20000, 0.3, 9);
        let y = run(&mut e, &x, 100);
        let null = null_db(&y[lat..], &x);
        assert!(null <= -90.0, "{fs} Hz: world path null {null:.1} dB");
    }
}

#[test]
fn the_implant_is_heard_and_replaces_the_loss() {
    // A 1 kHz tone at 70 dB SPL through Ruben's loss is nearly gone; the implant brings it
    // back (that is what an implant is for).
    let fs = 48000.0;
    let amp = 10f32.powf((70.0 - CAL) / 20.0);
    let x = tone(1000.0, amp, 1.0, fs);
    let deaf = run(&mut Engine::new(fs, &severe()), &x, 128);
    let implant = run(&mut Engine::new(fs, &with_implant(severe(), on())), &x, 128);
    let tail = |y: &[f32]| rms_db(&y[y.len() / 2..]);
    let (d, i, dry) = (tail(&deaf), tail(&implant), tail(&x));
    eprintln!("1 kHz / 70 dB SPL: dry {dry:.1} dB, loss {d:.1} dB, implant {i:.1} dB");
    assert!(
        i > d + 20.0 && i > dry - 15.0,
        "implant {i:.1}, loss {d:.1}, dry {dry:.1}"
    );
}

#[test]
fn automating_every_implant_parameter_does_not_click() {
    let fs = 48000.0;
    let base = with_implant(severe(), on());
    type Setter = fn(&mut EngineParams, f32);
    let cases: [(&str, Setter); 15] = [
        ("implant amount", |p, v| p.implant.amount = v),
        ("channels", |p, v| {
            p.implant.channels = if v > 0.5 { 22 } else { 12 }
        }),
        ("maxima", |p, v| {
            p.implant.maxima = if v > 0.5 { 8 } else { 2 }
        }),
        ("maxima off", |p, v| {
            p.implant.maxima = if v > 0.5 { 0 } else { 4 }
        }),
        ("rate", |p, v| p.implant.rate_pps = 250.0 + 3250.0 * v),
        ("envelope", |p, v| p.implant.envelope_hz = 50.0 + 350.0 * v),
        ("agc attack", |p, v| {
            p.implant.agc_attack_ms = 0.5 + 49.5 * v
        }),
        ("agc release", |p, v| {
            p.implant.agc_release_ms = 10.0 + 990.0 * v
        }),
        ("shift", |p, v| p.implant.shift_mm = 8.0 * v),
        ("spread", |p, v| p.implant.spread = v),
        ("carrier noise/metallic", |p, v| {
            p.implant.carrier = if v > 0.5 {
                CarrierKind::Metallic
            } else {
                CarrierKind::Noise
            }
        }),
        ("carrier sine/pulse", |p, v| {
            p.implant.carrier = if v > 0.5 {
                CarrierKind::Pulse
            } else {
                CarrierKind::Sine
            }
        }),
        ("eas crossover", |p, v| p.implant.eas_hz = 20.0 + 1000.0 * v),
        ("map generic/nucleus", |p, v| {
            p.implant.device = if v > 0.5 {
                Device::Nucleus
            } else {
                Device::Generic
            }
        }),
        ("map advanced bionics/med-el", |p, v| {
            p.implant.device = if v > 0.5 {
                Device::MedEl
            } else {
                Device::AdvancedBionics
            }
        }),
    ];
    let mut worst = (String::new(), f64::MIN);
    // At 55 dB SPL the tone sits inside the electrodes' T–C window (envelope, selection,
    // spread and shift all change the output); at 85 dB SPL the front-end AGC compresses.
    for level in [55.0, 85.0] {
        for (name, set) in cases {
            let excess = automated_at(fs, base, level, set);
            eprintln!("click excess at {level} dB SPL: {name} {excess:.1} dB");
            if excess > worst.1 {
                worst = (format!("{name} at {level} dB SPL"), excess);
            }
        }
    }
    assert!(
        worst.1 < CLICK_THRESHOLD_DB,
        "{} automation clicks: {:.1} dB (threshold {CLICK_THRESHOLD_DB} dB)",
        worst.0,
        worst.1
    );
}

#[test]
fn the_electrodogram_gets_every_stimulation_frame() {
    let fs = 48000.0;
    let amp = 10f32.powf((60.0 - CAL) / 20.0);
    let x = tone(1000.0, amp, 2.0, fs);
    let off = Engine::new(fs, &severe());
    let mut e = Engine::new(fs, &with_implant(severe(), on()));
    let before = e.electrodogram().written();
    run(&mut e, &x, 128);
    let frames = e.electrodogram().written() - before;
    // 900 pps for 2 s.
    assert!((frames as f64 - 1800.0).abs() <= 2.0, "{frames} frames");
    let last = e.electrodogram().latest().unwrap();
    assert_eq!(last.channels, 12);
    // The 1 kHz tone drives the electrode whose band holds 1 kHz hardest.
    let map = earshot::dsp::implant::greenwood::channel_map(12, 188.0, 7938.0, fs as f64);
    let k = map
        .iter()
        .position(|c| c.low_hz <= 1000.0 && 1000.0 < c.high_hz)
        .unwrap();
    let top = (0..12)
        .max_by(|a, b| last.levels[*a].total_cmp(&last.levels[*b]))
        .unwrap();
    assert_eq!(top, k, "{:?}", &last.levels[..12]);
    // Off: nothing is written.
    let mut off = off;
    run(&mut off, &x, 128);
    assert_eq!(off.electrodogram().written(), 0);
}

#[test]
fn shifted_sine_carriers_sound_at_greenwood_of_the_shifted_place() {
    // Drive one channel with a tone at its centre, sine carriers, no spread: the output's
    // spectral peak (FFT with parabolic interpolation on 1 s) sits at Greenwood(place + s).
    use earshot::dsp::implant::greenwood::{self, channel_map};
    let fs = 48000.0;
    let n = 8;
    let map = channel_map(n, 188.0, 7938.0, fs as f64);
    for shift in [0.0f32, 2.0, 4.0, 6.0] {
        for k in [1usize, 4] {
            let p = EngineParams {
                implant: ImplantControls {
                    amount: 1.0,
                    channels: n,
                    maxima: 1,
                    shift_mm: shift,
                    carrier: CarrierKind::Sine,
                    ..ImplantControls::default()
                },
                calibration_db_spl: CAL,
                ..EngineParams::default()
            };
            let amp = 10f32.powf((60.0 - CAL) / 20.0);
            let x = tone(map[k].centre_hz as f32, amp, 1.5, fs);
            let y = run(&mut Engine::new(fs, &p), &x, 256);
            let seg = &y[y.len() - fs as usize..];
            let want = greenwood::frequency_hz(map[k].place_mm + shift as f64);
            let got = peak_hz(seg, fs);
            assert!(
                (got / want - 1.0).abs() < 0.01,
                "shift {shift} mm, ch{k}: peak {got:.1} Hz, Greenwood {want:.1} Hz"
            );
        }
    }
}

#[test]
fn skipping_the_unheard_loss_stage_changes_nothing_heard() {
    // Implant alone (amount 1, acoustic crossover off): nothing of the loss stage is heard,
    // so the engine does not run it. The output is bit for bit what running it gives.
    let fs = 48000.0;
    let x = noise(96000, 0.3, 11);
    let p = with_implant(severe(), on());
    let mut full = Engine::new(fs, &p);
    full.always_run_loss(true);
    assert_eq!(
        run(&mut Engine::new(fs, &p), &x, 256),
        run(&mut full, &x, 256)
    );

    // Heard again (amount 1 → 0.5 at 1 s): the skipped loss stage restarts from silence
    // under the implant's 20 ms ramp, and sounds as if it had never stopped.
    let half = EngineParams {
        implant: ImplantControls {
            amount: 0.5,
            ..on()
        },
        ..p
    };
    let render = |always: bool| {
        let mut e = Engine::new(fs, &p);
        e.always_run_loss(always);
        let mut y = run(&mut e, &x[..48000], 256);
        e.set_params(&half);
        y.extend(run(&mut e, &x[48000..], 256));
        y
    };
    let (fast, full) = (render(false), render(true));
    assert!(fast.iter().all(|v| v.is_finite()));
    // From the moment it is heard again, against a loss stage that never stopped: what
    // differs is the restarted stage's own history (≈ -60 dB in the first 100 ms, ≈ -66 dB
    // after).
    let null = null_db(&fast[48000..], &full[48000..]);
    eprintln!("after the loss stage is heard again: null {null:.1} dB");
    assert!(null < -58.0, "null {null:.1} dB");
}

/// Stereo noise, different in each ear.
fn two_ears(n: usize) -> (Vec<f32>, Vec<f32>) {
    (noise(n, 0.3, 21), noise(n, 0.3, 22))
}

#[test]
fn an_ear_without_the_implant_is_exactly_the_implant_off_engine() {
    // Single-sided deafness / bimodal: the implant on one ear; the other ear's output is the
    // implant-off engine's bit for bit, and the implanted ear's is the bilateral engine's.
    let fs = 48000.0;
    let (l, r) = two_ears(48000);
    let off = run_stereo(&mut Engine::new(fs, &severe()), &l, &r, 256);
    let both = run_stereo(
        &mut Engine::new(fs, &with_implant(severe(), on())),
        &l,
        &r,
        256,
    );
    for (side, implanted) in [(Side::Left, 0), (Side::Right, 1)] {
        let p = with_implant(severe(), ImplantControls { side, ..on() });
        let y = run_stereo(&mut Engine::new(fs, &p), &l, &r, 256);
        let (y, off, both) = ([&y.0, &y.1], [&off.0, &off.1], [&both.0, &both.1]);
        assert_eq!(
            y[1 - implanted],
            off[1 - implanted],
            "{side:?}: acoustic ear"
        );
        assert_eq!(y[implanted], both[implanted], "{side:?}: implanted ear");
        assert_ne!(y[implanted], off[implanted]);
    }
}

#[test]
fn changing_the_implanted_ear_crossfades_without_a_click() {
    let fs = 48000.0;
    let amp = 10f32.powf((55.0 - CAL) / 20.0);
    let x = tone(1000.0, amp, 1.2, fs);
    let base = with_implant(severe(), on());
    type Setter = fn(&mut EngineParams, f32);
    let cases: [(&str, Setter); 2] = [
        ("both/left", |p, v| {
            p.implant.side = if v > 0.5 { Side::Left } else { Side::Both }
        }),
        ("left/right", |p, v| {
            p.implant.side = if v > 0.5 { Side::Right } else { Side::Left }
        }),
    ];
    for (name, set) in cases {
        let excess = automated_ears(fs, base, &x, 2, set);
        eprintln!("click excess, implanted ear {name}: {excess:.1} dB");
        assert!(excess < CLICK_THRESHOLD_DB, "{name}: {excess:.1} dB");
    }
}

#[test]
fn a_device_map_sets_its_electrodes_and_maxima() {
    // The electrodogram of a loud broadband noise: every map's electrode count, and as many
    // electrodes stimulated per frame as its strategy selects (ACE 8 of 22; HiRes and MED-EL
    // all), whatever the generic Channels and Maxima say.
    let fs = 48000.0;
    let x = noise(48000, 0.3, 9);
    for (device, electrodes, selected) in [
        (Device::Nucleus, 22, 8),
        (Device::AdvancedBionics, 16, 16),
        (Device::MedEl, 12, 12),
    ] {
        let p = with_implant(
            severe(),
            ImplantControls {
                device,
                channels: 4,
                maxima: 2,
                ..on()
            },
        );
        let mut e = Engine::new(fs, &p);
        let y = run(&mut e, &x, 256);
        assert!(y.iter().all(|v| v.is_finite()));
        let f = e.electrodogram().latest().unwrap();
        assert_eq!(f.channels, electrodes, "{device:?}");
        let on = f.levels[..electrodes].iter().filter(|v| **v > 0.0).count();
        assert_eq!(on, selected, "{device:?}: {:?}", &f.levels[..electrodes]);
    }
}

#[test]
fn a_mono_signal_wears_the_implant_whichever_side_is_set() {
    // One ear: the implant is heard from the first sample on, as with both sides set.
    let fs = 48000.0;
    let x = noise(24000, 0.3, 5);
    let both = run(&mut Engine::new(fs, &with_implant(severe(), on())), &x, 256);
    for side in [Side::Left, Side::Right] {
        let p = with_implant(severe(), ImplantControls { side, ..on() });
        assert_eq!(run(&mut Engine::new(fs, &p), &x, 256), both, "{side:?}");
    }
}
