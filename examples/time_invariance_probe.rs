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
use earshot::dsp::audiogram::Preset;
use earshot::dsp::biquad::{highpass, lowpass, Biquad};
use earshot::material;

// The measurement itself is the time-invariance test's (`render_delayed`, `difference_db`).
#[path = "../tests/common/mod.rs"]
mod common;
use common::{difference_db, energy, loss_params, render_delayed, CAL};

const DELAYS: [usize; 4] = [1, 37, 129, 301];

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

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or(default.to_string());
    let material_name = arg(0, "drums");
    let fs: f32 = arg(1, "48000").parse().map_err(|e| format!("rate: {e}"))?;
    let modes = arg(2, "full");
    let preset = Preset::from_id(&arg(3, "severe")).ok_or("unknown preset")?;
    let mut params = loss_params(preset.audiogram().thresholds_db_hl, 1.0, CAL);
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
    let reference = render_delayed(&params, fs, &x, 0);
    let total = energy(&reference);
    println!("{material_name} {fs} Hz {modes} {preset:?}: difference re the render, dB");
    for d in DELAYS {
        let r = render_delayed(&params, fs, &x, d);
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
