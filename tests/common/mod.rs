//! Helpers shared by the integration tests.
#![allow(dead_code)]

use earshot::dsp::audiogram::Audiogram;
use earshot::dsp::{Engine, EngineParams};

/// Calibration the tests use: a full-scale sine is 100 dB SPL.
pub const CAL: f32 = 100.0;

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

/// Null depth of `y` against `x`: the RMS of `y − x` (sample by sample, over the shorter of
/// the two) re the RMS of all of `x`, dB. Pass `y` already aligned (e.g. `&y[latency..]`).
pub fn null_db(y: &[f32], x: &[f32]) -> f64 {
    let residual: Vec<f32> = y.iter().zip(x).map(|(a, b)| a - b).collect();
    rms_db(&residual) - rms_db(x)
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

/// Steady level of a tone at `freq` Hz and `level` dB SPL after a fresh engine with `p`,
/// dB re its input (0.2–0.45 s of a 0.5 s tone, latency removed).
pub fn steady_attenuation(fs: f32, p: &EngineParams, freq: f32, level: f32) -> f64 {
    let mut e = Engine::new(fs, p);
    let amp = 10f32.powf((level - p.calibration_db_spl) / 20.0);
    let x = tone(freq, amp, 0.5, fs);
    let y = run(&mut e, &x, 256);
    let lat = e.latency();
    let (a, b) = ((0.2 * fs) as usize, (0.45 * fs) as usize);
    rms_db(&y[a + lat..b + lat]) - rms_db(&x[a..b])
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

/// 4th-order Butterworth high-pass (two RBJ biquads), for the click metric.
pub fn highpass(x: &[f32], fs: f32, fc: f32) -> Vec<f32> {
    let mut y: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    for q in [0.541_196_1, 1.306_563] {
        let w = 2.0 * std::f64::consts::PI * fc as f64 / fs as f64;
        let alpha = w.sin() / (2.0 * q);
        let cw = w.cos();
        let a0 = 1.0 + alpha;
        let b = [
            (1.0 + cw) / 2.0 / a0,
            -(1.0 + cw) / a0,
            (1.0 + cw) / 2.0 / a0,
        ];
        let a = [-2.0 * cw / a0, (1.0 - alpha) / a0];
        let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
        for v in y.iter_mut() {
            let x0 = *v;
            let y0 = b[0] * x0 + b[1] * x1 + b[2] * x2 - a[0] * y1 - a[1] * y2;
            x2 = x1;
            x1 = x0;
            y2 = y1;
            y1 = y0;
            *v = y0;
        }
    }
    y.into_iter().map(|v| v as f32).collect()
}

/// Click metric: peak of the output high-passed at 4 kHz while a parameter moves, in dB re the
/// larger of the peaks in the steady stretches before and after (the processing's own
/// high-frequency residue). A click is broadband: it raises this far above the steady residue.
pub fn click_excess_db(y: &[f32], fs: f32, settle: usize, moves: &[(usize, usize)]) -> f64 {
    let hp = highpass(y, fs, 4000.0);
    let peak = |a: usize, b: usize| hp[a..b].iter().fold(0.0f32, |m, v| m.max(v.abs())) as f64;
    let mut steady = 1e-9f64;
    let mut moving = 0.0f64;
    let mut last = settle;
    for &(a, b) in moves {
        steady = steady.max(peak(last, a));
        moving = moving.max(peak(a, b));
        // CLICK_DEBUG=1 prints where in each move the peak sits (to find a click's cause).
        if std::env::var("CLICK_DEBUG").is_ok() {
            let m = peak(a, b);
            let i = (a..b).find(|i| hp[*i].abs() as f64 == m).unwrap_or(a);
            eprintln!(
                "   move {a}..{b}: peak {:.1} dBFS at {i}",
                20.0 * m.max(1e-12).log10()
            );
        }
        last = b;
    }
    steady = steady.max(peak(last, hp.len()));
    eprintln!(
        "  high-passed peak: steady {:.1} dBFS, while moving {:.1} dBFS",
        20.0 * steady.log10(),
        20.0 * moving.max(1e-12).log10()
    );
    20.0 * (moving / steady).log10()
}

/// Allowed excess of the high-passed peak during automation over the steady residue, dB.
pub const CLICK_THRESHOLD_DB: f64 = 6.0;

/// Run a 1 kHz tone at 70 dB SPL with `param` switched between two values every 150 ms in 10 ms
/// linear ramps, returning the click excess.
pub fn automated(fs: f32, base: EngineParams, set: impl Fn(&mut EngineParams, f32)) -> f64 {
    automated_at(fs, base, 70.0, set)
}

/// [`automated`] with the tone at `level_db_spl`.
pub fn automated_at(
    fs: f32,
    base: EngineParams,
    level_db_spl: f32,
    set: impl Fn(&mut EngineParams, f32),
) -> f64 {
    let amp = 10f32.powf((level_db_spl - CAL) / 20.0);
    let x = tone(1000.0, amp, 1.2, fs);
    automated_input(fs, base, &x, set)
}

/// [`automated`] on the mono input `x`.
pub fn automated_input(
    fs: f32,
    base: EngineParams,
    x: &[f32],
    set: impl Fn(&mut EngineParams, f32),
) -> f64 {
    automated_ears(fs, base, x, 1, set)
}

/// [`automated_input`] with `x` in each of `ears` channels (1 or 2): the worst ear's excess.
pub fn automated_ears(
    fs: f32,
    base: EngineParams,
    x: &[f32],
    ears: usize,
    set: impl Fn(&mut EngineParams, f32),
) -> f64 {
    let mut e = Engine::new(fs, &base);
    let lat = e.latency();
    let (hold, ramp) = ((0.15 * fs) as usize, (0.01 * fs) as usize);
    let period = hold + ramp;
    let (mut y, mut y2) = (x.to_vec(), x.to_vec());
    let mut moves = Vec::new();
    let block = 16;
    for (bi, (chunk, chunk2)) in y.chunks_mut(block).zip(y2.chunks_mut(block)).enumerate() {
        let i = bi * block;
        let k = i / period;
        let within = i % period;
        let t = if within < hold {
            0.0
        } else {
            (within - hold) as f32 / ramp as f32
        };
        // Alternate directions: 0→1 then 1→0.
        let v = if k % 2 == 0 { t } else { 1.0 - t };
        let mut p = base;
        set(&mut p, v);
        e.set_params(&p);
        if ears == 2 {
            e.process(&mut [chunk, chunk2]);
        } else {
            e.process(&mut [chunk]);
        }
        if within == hold && i > 0 {
            // The ramp plus the engine's own smoothing (≤ 20 ms) plus one frame of latency.
            let a = i + lat;
            moves.push((a, (a + ramp + (0.03 * fs) as usize + lat).min(x.len())));
        }
    }
    let settle = (0.1 * fs) as usize + lat;
    let first = click_excess_db(&y, fs, settle, &moves);
    if ears == 2 {
        first.max(click_excess_db(&y2, fs, settle, &moves))
    } else {
        first
    }
}

/// Deterministic white-ish noise in [-amp, amp].
pub fn noise(n: usize, amp: f32, mut seed: u32) -> Vec<f32> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            amp * (seed as f32 / u32::MAX as f32 * 2.0 - 1.0)
        })
        .collect()
}

/// Frequency of the largest spectral peak (Hann window, FFT, parabolic interpolation on the
/// log magnitude).
pub fn peak_hz(x: &[f32], fs: f32) -> f64 {
    let n = x.len();
    let mut buf: Vec<f32> = (0..n)
        .map(|i| {
            let h = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos();
            (h * x[i] as f64) as f32
        })
        .collect();
    let fft = realfft::RealFftPlanner::<f32>::new().plan_fft_forward(n);
    let mut spec = fft.make_output_vec();
    fft.process(&mut buf, &mut spec).unwrap();
    let mag: Vec<f64> = spec
        .iter()
        .map(|c| (c.norm() as f64).max(1e-30).ln())
        .collect();
    let k = (1..mag.len() - 1)
        .max_by(|a, b| mag[*a].total_cmp(&mag[*b]))
        .unwrap();
    let (a, b, c) = (mag[k - 1], mag[k], mag[k + 1]);
    let d = 0.5 * (a - c) / (a - 2.0 * b + c);
    (k as f64 + d) * fs as f64 / n as f64
}

/// The stereo render of `x` through a fresh engine with `delay` samples of silence in front, in
/// 128-sample blocks, cut back to line up with `x` (delay and latency removed): the
/// time-invariance measurement (`tests/time_invariance.rs`, `examples/time_invariance_probe.rs`).
pub fn render_delayed(
    params: &EngineParams,
    fs: f32,
    x: &[Vec<f32>; 2],
    delay: usize,
) -> [Vec<f32>; 2] {
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

/// Energy of both channels.
pub fn energy(x: &[Vec<f32>; 2]) -> f64 {
    x.iter().flatten().map(|v| (*v as f64).powi(2)).sum()
}

/// Energy of `a − b`, both channels, dB re `reference` (an energy).
pub fn difference_db(a: &[Vec<f32>; 2], b: &[Vec<f32>; 2], reference: f64) -> f64 {
    let d: f64 = (0..2)
        .flat_map(|ch| a[ch].iter().zip(&b[ch]))
        .map(|(x, y)| ((x - y) as f64).powi(2))
        .sum();
    10.0 * (d / reference.max(1e-30)).log10()
}
