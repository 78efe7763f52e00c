//! Temporal distortion through the whole engine (`crates/earshot-dsp/src/jitter/`): what the
//! jitter does to the long-term spectrum (and where it leaves it alone), the timing below the
//! band edge jittered by the set amount, the two ears' jitters correlated as set, and off a
//! pure delay. Automation
//! without clicks and block-size independence are in `tests/engine.rs`; STOI against the
//! amount in `tests/python/test_stoi.py`.
//!
//! `cargo test --test jitter -- --nocapture` prints the tables.

mod common;

use common::render_delayed;
use earshot::dsp::jitter::JitterControls;
use earshot::dsp::{Engine, EngineParams};
use earshot::material;

const FS: f32 = 48000.0;

/// Normal hearing (the loss stage is transparent at severity 0), the jitter as given.
fn params(amount_ms: f32, correlation: f32) -> EngineParams {
    EngineParams {
        jitter: JitterControls {
            amount_ms,
            correlation,
            ..JitterControls::default()
        },
        ..EngineParams::default()
    }
}

/// The stereo render of `x`, cut to line up with it (latency removed).
fn render(p: &EngineParams, x: &[Vec<f32>; 2]) -> [Vec<f32>; 2] {
    render_delayed(p, FS, x, 0)
}

/// The ⅓-octave centres 25 Hz … 10 kHz (IEC 61260 nominal, base-2).
fn centres() -> Vec<f64> {
    (-16..=10)
        .map(|k| 1000.0 * 2f64.powf(k as f64 / 3.0))
        .collect()
}

/// Long-term ⅓-octave band levels of `x` (both channels), dB: Welch, 8192-point Hann frames,
/// half overlap, bins summed over each band.
fn third_octaves(x: &[Vec<f32>; 2]) -> Vec<f64> {
    let n = 8192;
    let fft = realfft::RealFftPlanner::<f64>::new().plan_fft_forward(n);
    let window: Vec<f64> = (0..n)
        .map(|i| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos())
        .collect();
    let mut power = vec![0.0f64; n / 2 + 1];
    let mut buf = fft.make_input_vec();
    let mut spec = fft.make_output_vec();
    for ch in x {
        let mut start = 0;
        while start + n <= ch.len() {
            for (b, (v, w)) in buf.iter_mut().zip(ch[start..start + n].iter().zip(&window)) {
                *b = *v as f64 * w;
            }
            fft.process(&mut buf, &mut spec).unwrap();
            for (p, c) in power.iter_mut().zip(&spec) {
                *p += c.norm_sqr();
            }
            start += n / 2;
        }
    }
    let hz = |k: usize| k as f64 * FS as f64 / n as f64;
    centres()
        .iter()
        .map(|&fc| {
            let (lo, hi) = (fc * 2f64.powf(-1.0 / 6.0), fc * 2f64.powf(1.0 / 6.0));
            let e: f64 = (0..power.len())
                .filter(|&k| hz(k) >= lo && hz(k) < hi)
                .map(|k| power[k])
                .sum();
            10.0 * e.max(1e-300).log10()
        })
        .collect()
}

/// Power summed over the bands whose centres lie in `lo..hi` Hz, dB.
fn band_sum(levels: &[f64], lo: f64, hi: f64) -> f64 {
    let e: f64 = centres()
        .iter()
        .zip(levels)
        .filter(|(c, _)| (lo..hi).contains(*c))
        .map(|(_, l)| 10f64.powf(l / 10.0))
        .sum();
    10.0 * e.log10()
}

#[test]
fn the_long_term_spectrum_where_it_stays_and_where_it_moves() {
    // What holds by construction, asserted: the high band is never jittered (from 4 kHz, 1.7
    // octaves above the edge, within 0.5 dB), the jittered band keeps its power (25 Hz–1.26 kHz
    // summed, within 1 dB), and on white noise at 0.1 ms every ⅓-octave band stays within
    // 1 dB. What does not hold: a delay wandering at 500 Hz spreads every low component over
    // ±500 Hz and more (its rate of change reaches ±80 % of real time at 0.25 ms), which fills
    // the valleys of a spectrum with peaks (speech's formant gaps, the drums' band between
    // kick and snare) and spills above the edge, by several dB at 0.25 ms (printed; see the
    // README's known limits).
    let amounts = [0.1f32, 0.25, 0.5];
    let mut worst = (0.0f64, String::new());
    let mut failures = Vec::new();
    for name in ["speech", "drums", "noise"] {
        let x = material::by_name(name, FS, 20.0).unwrap();
        let reference = third_octaves(&x);
        eprintln!(
            "{name}: ⅓-octave level change (dB) at jitter 0.1 / 0.25 / 0.5 ms RMS, edge 1.2 kHz"
        );
        let levels: Vec<Vec<f64>> = amounts
            .iter()
            .map(|&a| third_octaves(&render(&params(a, 0.0), &x)))
            .collect();
        let changes: Vec<Vec<f64>> = levels
            .iter()
            .map(|l| l.iter().zip(&reference).map(|(b, r)| b - r).collect())
            .collect();
        for (i, fc) in centres().iter().enumerate() {
            let row: Vec<String> = changes.iter().map(|c| format!("{:+.2}", c[i])).collect();
            eprintln!("  {fc:>7.0} Hz  {}", row.join("  "));
            for c in &changes {
                if c[i].abs() > worst.0 {
                    worst = (c[i].abs(), format!("{name} at {fc:.0} Hz"));
                }
                if *fc > 3500.0 && c[i].abs() >= 0.5 {
                    failures.push(format!("{name} at {fc:.0} Hz: {:+.2} dB", c[i]));
                }
            }
        }
        for (a, l) in amounts.iter().zip(&levels) {
            let moved = band_sum(l, 20.0, 1300.0) - band_sum(&reference, 20.0, 1300.0);
            eprintln!("  {a} ms: 25 Hz–1.26 kHz summed {moved:+.2} dB");
            if moved.abs() >= 1.0 {
                failures.push(format!(
                    "{name}, {a} ms: the jittered band moved {moved:+.2} dB"
                ));
            }
        }
        if name == "noise" && changes[0].iter().any(|c| c.abs() >= 1.0) {
            failures.push(format!("noise at 0.1 ms: {:?}", changes[0]));
        }
    }
    eprintln!("largest band change {:.2} dB ({})", worst.0, worst.1);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each ear's timing deviation, s, for a 1 kHz tone sent to both ears: the phase of the
/// output against the input's (complex demodulation, a one-period moving average, which
/// nulls the image at 2 kHz), unwrapped.
fn timing(y: &[f32], hz: f64) -> Vec<f64> {
    let w = std::f64::consts::TAU * hz / FS as f64;
    let period = (FS as f64 / hz).round() as usize;
    let (mut re, mut im) = (vec![0.0f64; y.len()], vec![0.0f64; y.len()]);
    for (i, v) in y.iter().enumerate() {
        re[i] = *v as f64 * (w * i as f64).cos();
        im[i] = -(*v as f64) * (w * i as f64).sin();
    }
    let mut out = Vec::with_capacity(y.len() / period);
    let mut last = 0.0f64;
    let mut unwrap = 0.0f64;
    for start in (0..y.len() - period).step_by(period / 4) {
        let (a, b): (f64, f64) = (
            re[start..start + period].iter().sum(),
            im[start..start + period].iter().sum(),
        );
        let mut phase = b.atan2(a) + unwrap;
        while phase - last > std::f64::consts::PI {
            phase -= std::f64::consts::TAU;
            unwrap -= std::f64::consts::TAU;
        }
        while phase - last < -std::f64::consts::PI {
            phase += std::f64::consts::TAU;
            unwrap += std::f64::consts::TAU;
        }
        last = phase;
        out.push(phase);
    }
    let mean = out.iter().sum::<f64>() / out.len() as f64;
    // A phase lag is a delay.
    out.iter()
        .map(|p| -(p - mean) / (std::f64::consts::TAU * hz))
        .collect()
}

#[test]
fn the_jitter_has_the_set_rms_and_interaural_correlation() {
    let hz = 1000.0;
    let x: Vec<f32> = (0..(10.0 * FS) as usize)
        .map(|i| 0.1 * (std::f64::consts::TAU * hz * i as f64 / FS as f64).sin() as f32)
        .collect();
    eprintln!("set correlation → measured (jitter 0.1 ms RMS, 1 kHz tone, edge 4 kHz)");
    for rho in [0.0f32, 0.5, 0.8, 1.0] {
        let mut p = params(0.1, rho);
        // The tone well inside the jittered band, and a slow jitter, so that a one-period
        // phase reading follows it.
        p.jitter.band_hz = 4000.0;
        p.jitter.bandwidth_hz = 100.0;
        let y = render(&p, &[x.clone(), x.clone()]);
        let skip = (0.2 * FS) as usize;
        let (tl, tr) = (timing(&y[0][skip..], hz), timing(&y[1][skip..], hz));
        let rms = |t: &[f64]| (t.iter().map(|v| v * v).sum::<f64>() / t.len() as f64).sqrt();
        let (rl, rr) = (rms(&tl), rms(&tr));
        let c = tl.iter().zip(&tr).map(|(a, b)| a * b).sum::<f64>() / tl.len() as f64 / (rl * rr);
        eprintln!(
            "  {rho:.1} → {c:.3}   RMS left {:.3} ms, right {:.3} ms",
            rl * 1e3,
            rr * 1e3
        );
        assert!(
            (c - rho as f64).abs() < 0.08,
            "correlation {c:.3} for {rho}"
        );
        for r in [rl, rr] {
            assert!((r * 1e3 - 0.1).abs() < 0.015, "RMS {:.3} ms", r * 1e3);
        }
    }
}

#[test]
fn switched_off_it_renders_as_if_never_switched_on() {
    // Off, the jitter is a pure delay (the stage's own tests; the saved sessions' renders in
    // tests/clap_host.rs, recorded before it existed, show every factory preset unchanged).
    // Switched on and off again, the engine renders bit for bit what one that never had it
    // on renders, from the end of the fade out on.
    let x = material::by_name("drums", FS, 3.0).unwrap();
    let never = render(&params(0.0, 0.0), &x);
    let mut e = Engine::new(FS, &params(0.3, 0.0));
    let (mut l, mut r) = (x[0].clone(), x[1].clone());
    let half = l.len() / 2;
    e.process(&mut [&mut l[..half], &mut r[..half]]);
    e.set_params(&params(0.0, 0.0));
    for (a, b) in l[half..].chunks_mut(256).zip(r[half..].chunks_mut(256)) {
        e.process(&mut [a, b]);
    }
    let lat = e.latency();
    // 50 ms of the amount's ramp, 20 ms of the crossfade, and the latency.
    let from = half + (0.08 * FS) as usize;
    let same = l[from..]
        .iter()
        .zip(&never[0][from - lat..])
        .all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(
        same,
        "after switching off, the render differs from one never switched on"
    );
    let moved = l[lat + 4800..half]
        .iter()
        .zip(&never[0][4800..half - lat])
        .filter(|(a, b)| a != b)
        .count();
    assert!(moved > half / 2, "the jitter changed only {moved} samples");
}
