//! Story mode through the plugin's own parameters: position 0 is the world, each scene is
//! reached exactly, the manual controls the story sets are ignored, and sweeping the story or
//! switching the mode does not click.

mod common;

use common::{highpass, noise, null_db, rms_db, run, tone, CAL, CLICK_THRESHOLD_DB};
use earshot::dsp::story::{self, SCENES};
use earshot::dsp::Engine;
use earshot::param_access::set;
use earshot::params::EarshotParams;

const FS: f32 = 48000.0;

/// Largest local crest of the output high-passed at 12 kHz (above the tone, the ringing and the implant's bands): the peak of each 1 ms window over
/// the RMS of the 100 ms around it, dB. A click is a short broadband burst: it stands out
/// from its surroundings, where a ringing, a carrier or a changing loss does not.
fn local_click_db(y: &[f32], from: usize) -> f64 {
    // Sixth order (three passes): the ringing at 4–6 kHz ends up 60 dB down.
    let hp = highpass(
        &highpass(&highpass(y, FS, 12000.0), FS, 12000.0),
        FS,
        12000.0,
    );
    let (w, half) = ((0.001 * FS) as usize, (0.05 * FS) as usize);
    let mut worst = f64::NEG_INFINITY;
    let mut i = from.max(half);
    while i + w + half <= hp.len() {
        let peak = hp[i..i + w].iter().fold(0.0f32, |m, v| m.max(v.abs())) as f64;
        let around = &hp[i - half..i + w + half];
        let rms = rms_db(around);
        // Below −100 dBFS there is nothing to hear, click or not.
        if rms > -100.0 {
            worst = worst.max(20.0 * peak.max(1e-20).log10() - rms);
        }
        i += w;
    }
    worst
}

/// A 1 kHz tone at 70 dB SPL with a little noise (so every stage has something to do).
fn input(seconds: f32) -> Vec<f32> {
    let amp = 10f32.powf((70.0 - CAL) / 20.0);
    tone(1000.0, amp, seconds, FS)
        .iter()
        .zip(noise((seconds * FS) as usize, 0.003, 11))
        .map(|(a, b)| a + b)
        .collect()
}

fn story_params(position: f32) -> EarshotParams {
    let p = EarshotParams::default();
    set(&p, "calibration", &CAL.to_string()).unwrap();
    set(&p, "mode", "Story").unwrap();
    set(&p, "story", &position.to_string()).unwrap();
    p
}

#[test]
fn position_zero_is_the_world_whatever_the_manual_controls_say() {
    let p = story_params(0.0);
    // Manual settings far from transparent: Story mode must override every one of them.
    for (id, v) in [
        ("severity", "1"),
        ("ci_amount", "1"),
        ("tin_amount", "1"),
        ("body_amount", "1"),
        ("body_voice", "1"),
        ("gain", "12"),
        ("smear_mode", "Manual"),
        ("smear_amount", "1"),
    ] {
        set(&p, id, v).unwrap();
    }
    let x = input(1.0);
    let mut e = Engine::new(FS, &p.engine_params());
    let lat = e.latency();
    let y = run(&mut e, &x, 256);
    let null = null_db(&y[lat..], &x);
    eprintln!("story 0 null: {null:.1} dB");
    assert!(null < -90.0, "{null:.1} dB");
}

#[test]
fn each_scene_is_reached_exactly_and_manual_controls_it_sets_are_ignored() {
    for s in SCENES {
        let p = story_params(s.position);
        let want = story::apply(&p.manual_engine_params(), s.position);
        assert_eq!(p.engine_params(), want, "{}", s.name);
        assert_eq!(p.engine_params().severity, s.targets.severity, "{}", s.name);
        assert_eq!(
            p.engine_params().tinnitus.amount,
            s.targets.tinnitus_amount,
            "{}",
            s.name
        );
        // A control the story sets: ignored.
        set(&p, "severity", "0.37").unwrap();
        assert_eq!(p.engine_params().severity, s.targets.severity, "{}", s.name);
        // One it does not set: followed.
        set(&p, "calibration", "90").unwrap();
        assert_eq!(p.engine_params().calibration_db_spl, 90.0, "{}", s.name);
    }
    // Manual mode: the manual values.
    let p = story_params(0.5);
    set(&p, "mode", "Manual").unwrap();
    set(&p, "severity", "0.37").unwrap();
    assert_eq!(p.engine_params(), p.manual_engine_params());
    assert!((p.engine_params().severity - 0.37).abs() < 1e-6);
}

/// Render `x` with the parameters set per 64-sample block by `at(sample)`.
fn render(x: &[f32], p: &EarshotParams, at: impl Fn(&EarshotParams, usize)) -> Vec<f32> {
    at(p, 0);
    let mut e = Engine::new(FS, &p.engine_params());
    let mut y = x.to_vec();
    for (b, chunk) in y.chunks_mut(64).enumerate() {
        at(p, b * 64);
        e.set_params(&p.engine_params());
        e.process(&mut [chunk]);
    }
    y
}

#[test]
fn sweeping_the_story_over_ten_seconds_does_not_click() {
    // The sweep against each scene held still: the sweep may not stand out more than the
    // foundation's click threshold above the stillest of its own scenes' worst moments.
    let held: Vec<f64> = SCENES
        .iter()
        .map(|s| {
            let y = render(&input(1.5), &story_params(s.position), |_, _| {});
            let c = local_click_db(&y, (0.5 * FS) as usize);
            eprintln!("  {:<20} held: {c:.1} dB", s.name);
            c
        })
        .collect();
    let x = input(10.0);
    let n = x.len();
    let y = render(&x, &story_params(0.0), |p, i| {
        set(p, "story", &(i as f32 / n as f32).to_string()).unwrap();
    });
    assert!(y.iter().all(|v| v.is_finite()));
    // Scene by scene: each stretch of the sweep against the two scenes it joins.
    for (k, pair) in SCENES.windows(2).enumerate() {
        let (a, b) = (
            (pair[0].position * n as f32) as usize,
            (pair[1].position * n as f32) as usize,
        );
        let sweep = local_click_db(&y[..b.min(n)], a.max((0.1 * FS) as usize));
        let reference = held[k].max(held[k + 1]);
        eprintln!(
            "story sweep {} → {}: {sweep:.1} dB (held {reference:.1} dB)",
            pair[0].name, pair[1].name
        );
        assert!(
            sweep <= reference + CLICK_THRESHOLD_DB,
            "{} → {}: {sweep:.1} dB",
            pair[0].name,
            pair[1].name
        );
    }
}

#[test]
fn switching_the_mode_does_not_click() {
    // Manual (a mild loss) and Story (the deaf scene) swapped every 300 ms.
    let p = story_params(0.45);
    set(&p, "severity", "0.3").unwrap();
    let held: Vec<f64> = ["Manual", "Story"]
        .iter()
        .map(|m| {
            set(&p, "mode", m).unwrap();
            local_click_db(&render(&input(1.5), &p, |_, _| {}), (0.5 * FS) as usize)
        })
        .collect();
    let reference = held[0].max(held[1]);
    let period = (0.3 * FS) as usize;
    let y = render(&input(3.0), &p, |p, i| {
        let m = if (i / period).is_multiple_of(2) {
            "Manual"
        } else {
            "Story"
        };
        set(p, "mode", m).unwrap();
    });
    let switching = local_click_db(&y, (0.1 * FS) as usize);
    eprintln!("mode switching: {switching:.1} dB (held: {held:.1?})");
    assert!(
        switching <= reference + CLICK_THRESHOLD_DB,
        "{switching:.1} dB"
    );
}

/// Level of `x` in the 7–12 kHz band, dBFS (RMS; a 4th-order high-pass at 7 kHz, then the
/// energy above 12 kHz taken off through a second high-pass).
fn band_7_12_db(x: &[f32]) -> f64 {
    let above7 = highpass(&highpass(x, FS, 7000.0), FS, 7000.0);
    let above12 = highpass(&highpass(x, FS, 12000.0), FS, 12000.0);
    let p = |v: &[f32]| v.iter().map(|s| (*s as f64).powi(2)).sum::<f64>() / v.len() as f64;
    10.0 * (p(&above7) - p(&above12)).max(1e-20).log10()
}

#[test]
fn the_story_demo_does_not_reach_the_limiter_because_of_the_ringing() {
    // `earshot demo`: the demo drums through the whole story (48 s, calibration 100 dB SPL,
    // 512-sample blocks), and the same with the ringing off. Per scene: the output's peak and
    // its 7–12 kHz band (where Ruben's ringing sits) against the input's own band.
    let x = earshot::demo::drum_loop(FS, earshot::demo::SECONDS);
    let manual = story_params(0.0).manual_engine_params();
    let render = |ringing: bool| {
        let mut e = Engine::new(FS, &story::apply(&manual, 0.0));
        let (mut l, mut r) = (x[0].clone(), x[1].clone());
        let n = l.len();
        let block = 512;
        let mut pos = 0;
        while pos < n {
            let m = block.min(n - pos);
            let mut p = story::apply(&manual, pos as f32 / n as f32);
            if !ringing {
                p.tinnitus.amount = 0.0;
            }
            e.set_params(&p);
            e.process(&mut [&mut l[pos..pos + m], &mut r[pos..pos + m]]);
            pos += m;
        }
        l
    };
    let (with, without) = (render(true), render(false));
    let n = with.len();
    let mut worst_lift = f64::NEG_INFINITY;
    for (i, scene) in SCENES.iter().enumerate() {
        // The span where this scene is the nearest: half-way to its neighbours.
        let mid = |a: f32, b: f32| ((a + b) / 2.0 * n as f32) as usize;
        let from = if i == 0 {
            0
        } else {
            mid(SCENES[i - 1].position, scene.position)
        };
        let to = SCENES
            .get(i + 1)
            .map_or(n, |next| mid(scene.position, next.position));
        let peak = |y: &[f32]| {
            20.0 * (y[from..to].iter().fold(0.0f32, |m, v| m.max(v.abs())) as f64).log10()
        };
        let band_in = band_7_12_db(&x[0][from..to]);
        let band_out = band_7_12_db(&with[from..to]);
        eprintln!(
            "{:<18} peak {:6.1} dBFS (ringing off {:6.1}), 7-12 kHz {:6.1} dBFS (input {:6.1})",
            scene.name,
            peak(&with),
            peak(&without),
            band_out,
            band_in
        );
        // The ringing must not bring the output to the limiter (which acts from 0 dBFS):
        // wherever the drums alone stay 1 dB clear of it, so does the output with it.
        if peak(&without) < -1.0 {
            assert!(
                peak(&with) < -1.0,
                "{}: {:.1} dBFS",
                scene.name,
                peak(&with)
            );
        }
        worst_lift = worst_lift.max(band_out - band_in);
    }
    // Before the ringing was rendered by the patient's loudness, the sudden loss put the
    // 7-12 kHz band 28 dB over the input's own and the output into the limiter.
    eprintln!("largest lift of the 7-12 kHz band over the input's: {worst_lift:.1} dB");
    assert!(worst_lift < 20.0);
}
