//! Helpers shared by the integration tests.
#![allow(dead_code)]

use earshot::dsp::audiogram::Audiogram;
use earshot::dsp::{Engine, EngineParams};

/// Sine of peak amplitude `amp` with a 10 ms raised-cosine onset (as the MSBG reference uses).
pub fn tone(freq: f32, amp: f32, seconds: f32, fs: f32) -> Vec<f32> {
    let n = (seconds * fs) as usize;
    let ramp = (0.01 * fs) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / fs as f64;
            let mut v = amp as f64 * (2.0 * std::f64::consts::PI * freq as f64 * t).sin();
            if i < ramp {
                v *= 0.5 - 0.5 * (std::f64::consts::PI * i as f64 / ramp as f64).cos();
            }
            v as f32
        })
        .collect()
}

pub fn rms_db(x: &[f32]) -> f64 {
    let p: f64 = x.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / x.len().max(1) as f64;
    10.0 * (p + 1e-300).log10()
}

/// Mono engine run over `input` in blocks of `block`.
pub fn run(engine: &mut Engine, input: &[f32], block: usize) -> Vec<f32> {
    let mut out = input.to_vec();
    for chunk in out.chunks_mut(block.max(1)) {
        engine.process(&mut [chunk]);
    }
    out
}

/// Stereo run (same signal in both channels) returning (left, right).
pub fn run_stereo(engine: &mut Engine, l: &[f32], r: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut a, mut b) = (l.to_vec(), r.to_vec());
    for (ca, cb) in a.chunks_mut(block).zip(b.chunks_mut(block)) {
        engine.process(&mut [ca, cb]);
    }
    (a, b)
}

/// Parameters: `audiogram` in both ears at `severity`, calibration `cal` dB SPL.
pub fn loss_params(audiogram: [f32; 9], severity: f32, cal: f32) -> EngineParams {
    EngineParams {
        severity,
        left: Audiogram::new(audiogram),
        right: Audiogram::new(audiogram),
        calibration_db_spl: cal,
        ..EngineParams::default()
    }
}

/// Peak level (dB re full-scale sine) of a Hann-windowed spectrum of `x` between `lo` and
/// `hi` Hz.
pub fn band_peak_db(x: &[f32], fs: f32, lo: f32, hi: f32) -> f64 {
    let n = x.len();
    let mut planner = realfft::RealFftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(n);
    let w: Vec<f64> = (0..n)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos())
        .collect();
    let wsum: f64 = w.iter().sum();
    let mut buf: Vec<f64> = x.iter().zip(&w).map(|(&v, w)| v as f64 * w).collect();
    let mut spec = fft.make_output_vec();
    fft.process(&mut buf, &mut spec).unwrap();
    let mut peak = 1e-300f64;
    for (k, c) in spec.iter().enumerate() {
        let f = k as f32 * fs / n as f32;
        if f >= lo && f < hi {
            peak = peak.max(c.norm() * 2.0 / wsum);
        }
    }
    20.0 * peak.log10()
}
