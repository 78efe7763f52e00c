//! Where the loss stage's dependence on frame alignment comes from: the time-invariance
//! measurement of `tests/time_invariance.rs` on one case, split into bands (below 150 Hz,
//! 150 Hz–1 kHz, 1–4 kHz, above 4 kHz; each band's difference re the whole render), with
//! parts of the model switched off.
//!
//! `cargo run --release --example time_invariance_probe -- [MATERIAL] [RATE] [MODES] [PRESET]`
//! - MATERIAL: drums (default), speech, bursts, noise
//! - RATE: 48000 (default), 44100, …
//! - MODES, comma-separated: `full` (default), `norec` (recruitment off), `nosmear` (smearing
//!   off), `hp150` / `lp150` (the input high- or low-passed at 150 Hz first)
//! - PRESET: severe (default), moderate, ruben, …
use earshot::dsp::audiogram::{Audiogram, Preset};
use earshot::dsp::biquad::{highpass, lowpass, Biquad};
use earshot::dsp::{Engine, EngineParams};
use earshot::material;

const DELAYS: [usize; 4] = [1, 37, 129, 301];

/// The render of `x` with `delay` samples of silence in front, lined up with the input.
fn render(params: &EngineParams, fs: f32, x: &[Vec<f32>; 2], delay: usize) -> [Vec<f32>; 2] {
    let mut e = Engine::new(fs, params);
    let lat = e.latency();
    let pad = |c: &Vec<f32>| -> Vec<f32> {
        std::iter::repeat_n(0.0, delay)
            .chain(c.iter().copied())
            .chain(std::iter::repeat_n(0.0, lat))
            .collect()
    };
    let (mut l, mut r) = (pad(&x[0]), pad(&x[1]));
    for (a, b) in l.chunks_mut(128).zip(r.chunks_mut(128)) {
        e.process(&mut [a, b]);
    }
    let n = x[0].len();
    [
        l[lat + delay..lat + delay + n].to_vec(),
        r[lat + delay..lat + delay + n].to_vec(),
    ]
}

/// `x` through `coef` twice (a 4th-order Butterworth-like slope from a 2nd-order section).
fn filter(x: &[f32], coef: [f64; 5]) -> Vec<f32> {
    let (mut a, mut b) = (Biquad::new(coef), Biquad::new(coef));
    x.iter().map(|&v| b.process(a.process(v))).collect()
}

/// `lo`–`hi` Hz of both channels (0 = no edge).
fn band(x: &[Vec<f32>; 2], fs: f32, lo: f64, hi: f64) -> [Vec<f32>; 2] {
    x.clone().map(|c| {
        let c = if lo > 0.0 {
            filter(&c, highpass(lo, 0.707, fs as f64))
        } else {
            c
        };
        if hi > 0.0 {
            filter(&c, lowpass(hi, 0.707, fs as f64))
        } else {
            c
        }
    })
}

/// Energy of `a − b` re `total`, dB.
fn difference_db(a: &[Vec<f32>; 2], b: &[Vec<f32>; 2], total: f64) -> f64 {
    let d: f64 = (0..2)
        .flat_map(|ch| a[ch].iter().zip(&b[ch]))
        .map(|(x, y)| ((x - y) as f64).powi(2))
        .sum();
    10.0 * (d / total.max(1e-30)).log10()
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or(default.to_string());
    let material_name = arg(0, "drums");
    let fs: f32 = arg(1, "48000").parse().map_err(|e| format!("rate: {e}"))?;
    let modes = arg(2, "full");
    let preset = Preset::from_id(&arg(3, "severe")).ok_or("unknown preset")?;
    let thresholds = preset.audiogram().thresholds_db_hl;
    let mut params = EngineParams {
        severity: 1.0,
        left: Audiogram::new(thresholds),
        right: Audiogram::new(thresholds),
        calibration_db_spl: 100.0,
        ..EngineParams::default()
    };
    let mut x = material::by_name(&material_name, fs, 4.0).ok_or("unknown material")?;
    for mode in modes.split(',') {
        match mode {
            "full" => {}
            "norec" => params.recruitment = false,
            "nosmear" => {
                params.smear_manual = true;
                params.smear_amount = 0.0;
            }
            "hp150" => x = band(&x, fs, 150.0, 0.0),
            "lp150" => x = band(&x, fs, 0.0, 150.0),
            other => return Err(format!("unknown mode {other}")),
        }
    }
    let reference = render(&params, fs, &x, 0);
    let total: f64 = reference
        .iter()
        .flatten()
        .map(|v| (*v as f64).powi(2))
        .sum();
    println!("{material_name} {fs} Hz {modes} {preset:?}: difference re the render, dB");
    for d in DELAYS {
        let r = render(&params, fs, &x, d);
        let mut line = format!(
            "delay {d:3}: all {:6.1}",
            difference_db(&r, &reference, total)
        );
        for (name, lo, hi) in [
            ("<150", 0.0, 150.0),
            ("150-1k", 150.0, 1000.0),
            ("1k-4k", 1000.0, 4000.0),
            (">4k", 4000.0, 0.0),
        ] {
            let (a, b) = (band(&r, fs, lo, hi), band(&reference, fs, lo, hi));
            line += &format!("  {name} {:6.1}", difference_db(&a, &b, total));
        }
        println!("{line}");
    }
    Ok(())
}
