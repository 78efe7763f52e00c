//! Per-bin analysis of one STFT frame: each bin's power, its *instantaneous* frequency (from
//! the phase advance since the previous frame) as an index into the filterbank's fine
//! frequency grid, and how much of the bin survives overlap-add. The loss stage runs it on
//! each input frame (band envelopes and recombination).
//!
//! The instantaneous frequency is only trusted as far as the bin is steady: its deviation
//! from the bin's centre is scaled by (P_min / P_max)², the bin's power now and a hop ago.
//! A steady partial (a tone, a voice harmonic, a kick's decay) keeps its exact frequency,
//! which the steady-tone match with MSBG needs (read at the bin centres, a 250 Hz tone is
//! off by up to 5.8 dB, `tests/msbg_match.rs`). Where a bin's power jumps (an onset), the
//! phase advance measures where the frame grid happens to cut the attack, not a frequency;
//! read there, the gains depended on where the frames fell (drums rendered a few samples
//! later, Severe, 48 kHz, worst delay, difference re the render: −19.3 dB with neither this
//! gate nor the level correction's bin-centre measurement, −23.7 dB with the gate alone,
//! −30.3 dB with both; `examples/time_invariance_probe.rs`).
//!
//! Even gated, a single frame's deviation is a noisy reading wherever a bin holds more than
//! one component (noise, beating harmonics, a decay under the next hit): it jumps from frame
//! to frame, and which values it takes depends on where the frames fall. So the deviation
//! used is each bin's power-weighted mean over the last [`REASSIGNMENT_MS`]:
//! Σ a^j P_j δ_j / Σ a^j P_j. A steady partial reads the same exact frequency as before (its
//! every frame says the same), while the noisy readings average out (same case: −30.3 →
//! −34.6 dB, speech −28.2 → −31.8 dB; the steady-tone match with MSBG: worst cell 1.54 →
//! 1.59 dB). The alternative tried, the derivative-window estimate (Auger & Flandrin 1995),
//! puts an impulse exactly at the bin centre but was no better on running sound (speech
//! −25.6 dB ungated) and moved the steady-tone match at 4 kHz by 2 dB.

#![allow(clippy::needless_range_loop)]

use super::{fast_atan2, LossTables};
use realfft::num_complex::Complex32;
use std::f32::consts::PI;

/// Time constant of the power-weighted mean of each bin's frequency deviation (see the
/// module doc): long enough to average the readings of a noisy bin over about ten frames,
/// short against a voice's pitch glides (a 15 ms mean lags a 2-octave/s glide by a few Hz,
/// well inside a bin). Measured on the time-invariance probe (severe, 48 kHz, delay 37):
/// 4 ms gives speech −31.3 / drums −34.2 dB, 14 ms −31.8 / −34.4, 29 ms −32.0 / −34.7,
/// 74 ms −31.9 / −34.8: flat beyond about 10 ms.
pub const REASSIGNMENT_MS: f32 = 15.0;

/// Below this a power or a running sum of the mean deviation counts as zero, so silence never
/// leaves them subnormal (each operation on a subnormal costs about a hundred cycles).
const SUM_FLOOR: f32 = 1e-30;
/// A deviation below this (bins) counts as none: it moves nothing, and its products with
/// small powers would be subnormal.
const DEVIATION_FLOOR: f32 = 1e-6;

pub struct BinAnalysis {
    /// The previous frame's spectrum (after the ear filter, where one is applied).
    prev: Vec<Complex32>,
    have_prev: bool,
    /// |X_k|², padded with zeros past the last bin (the smearing kernel reads a few).
    pub power: Vec<f32>,
    /// Each bin's instantaneous frequency as the nearest point of the filterbank grid.
    pub grid_index: Vec<u32>,
    /// Fraction of each bin's power that survives overlap-add, from its phase deviation
    /// ([`survival_series`]).
    pub survival: Vec<f32>,
    /// Scratch: y · conj(previous y) · e^(−iφ), whose angle is the phase deviation, and the
    /// reassigned frequency as a fractional grid point.
    advance: Vec<Complex32>,
    grid_pos: Vec<f32>,
    /// Per bin, 0…1: how steady its power is (see the module doc).
    steady: Vec<f32>,
    /// Per bin: the running sums Σ a^j P_j δ_j and Σ a^j P_j of the power-weighted mean
    /// deviation (in bins).
    deviation_sum: Vec<f32>,
    power_sum: Vec<f32>,
}

impl BinAnalysis {
    /// `bins` spectrum bins; `power` padded to at least `power_len`.
    pub fn new(bins: usize, power_len: usize) -> Self {
        Self {
            prev: vec![Complex32::default(); bins],
            have_prev: false,
            power: vec![0.0; power_len.max(bins)],
            grid_index: vec![0; bins],
            survival: vec![1.0; bins],
            advance: vec![Complex32::default(); bins],
            grid_pos: vec![0.0; bins],
            steady: vec![1.0; bins],
            deviation_sum: vec![0.0; bins],
            power_sum: vec![0.0; bins],
        }
    }

    /// Forget the previous frame (the next one is taken as stationary).
    pub fn reset(&mut self) {
        self.prev.fill(Complex32::default());
        self.deviation_sum.fill(0.0);
        self.power_sum.fill(0.0);
        self.have_prev = false;
    }

    /// Take `spec` as the previous frame without analysing it.
    pub fn remember(&mut self, spec: &[Complex32]) {
        self.prev.copy_from_slice(spec);
        self.have_prev = true;
    }

    /// Analyse `spec` (all bins but the last, which is zeroed). With `ear`, the spectrum is
    /// first weighted in place by that magnitude response.
    #[inline(never)]
    pub fn analyse(&mut self, t: &LossTables, spec: &mut [Complex32], ear: Option<&[f32]>) {
        #[cfg(target_arch = "x86_64")]
        if t.avx2 {
            // SAFETY: `avx2` is set only where the CPU has AVX2 and FMA.
            unsafe { self.analyse_avx2(t, spec, ear) };
            return;
        }
        self.analyse_passes(t, spec, ear);
    }

    /// The same passes compiled for AVX2: 8 lanes instead of SSE's 4. No FMA contraction
    /// happens without being asked for, so both compile to the same arithmetic.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn analyse_avx2(&mut self, t: &LossTables, spec: &mut [Complex32], ear: Option<&[f32]>) {
        self.analyse_passes(t, spec, ear);
    }

    /// Three passes over the bins, each simple enough to vectorise.
    #[inline(always)]
    fn analyse_passes(&mut self, t: &LossTables, spec: &mut [Complex32], ear: Option<&[f32]>) {
        let m = t.bins - 1;
        let hop = t.hop as f32;
        let nfft = t.nfft as f32;
        let bin_hz = t.sample_rate / nfft;
        let per_hz = 1.0 / t.banks[0].grid.step_hz;
        let grid_last = (t.banks[0].grid.len() - 1) as f32;
        let dev_to_bins = nfft / (2.0 * PI * hop);
        let [c0, c1, c2, c3] = t.survival;
        if let Some(ear) = ear {
            for (y, g) in spec[..m].iter_mut().zip(ear) {
                *y *= *g;
            }
        }
        // Pass 1: power, phase advance since the previous frame relative to the bin's own
        // (as a complex number: y · conj(previous y) · e^(−iφ)).
        for k in 0..m {
            let y = spec[k];
            let (p, before) = (y.norm_sqr(), self.prev[k].norm_sqr());
            self.power[k] = p;
            let (lo, hi) = (p.min(before), p.max(before));
            let r = if hi > 0.0 { lo / hi } else { 0.0 };
            self.steady[k] = r * r;
            self.advance[k] = y * self.prev[k].conj() * t.expected_conj[k];
            self.prev[k] = y;
        }
        if !self.have_prev {
            self.advance[..m].fill(Complex32::new(1.0, 0.0));
        }
        // Pass 2: each bin's deviation from its centre (in bins, gated by steadiness; held in
        // `grid_pos`, which passes 2b and 2c turn into the grid point) and its overlap-add
        // survival from cos(deviation).
        // Branch-free, so it vectorises.
        for k in 0..m {
            let c = self.advance[k];
            let dev = fast_atan2(c.im, c.re);
            // (not `norm()`: that is a libm hypot call, which stops the loop vectorising)
            let r = c.norm_sqr().sqrt();
            let cos = if r > 0.0 { c.re / r } else { 1.0 };
            self.grid_pos[k] = dev * self.steady[k] * dev_to_bins;
            // cos 2x = 2c² − 1, cos 3x = 4c³ − 3c.
            let cos2 = 2.0 * cos * cos - 1.0;
            let cos3 = (4.0 * cos * cos - 3.0) * cos;
            self.survival[k] = c0 + c1 * cos + c2 * cos2 + c3 * cos3;
        }
        // Pass 2b: the deviation's power-weighted mean (see the module doc).
        mean_deviation(
            1.0 - t.reassignment_smooth,
            &self.power[..m],
            &mut self.grid_pos[..m],
            &mut self.deviation_sum[..m],
            &mut self.power_sum[..m],
        );
        // Pass 2c: the reassigned frequency's nearest grid point.
        for (k, g) in self.grid_pos[..m].iter_mut().enumerate() {
            let hz = (k as f32 + *g) * bin_hz;
            // max/min return the other operand for NaN, so the value is always in range.
            *g = (hz * per_hz + 0.5).max(0.0).min(grid_last);
        }
        // Pass 3: grid points to indices. `as u32` saturates (a compare per lane, and no
        // vector instruction for it); the values are known to be in range.
        for (i, g) in self.grid_index[..m].iter_mut().zip(&self.grid_pos[..m]) {
            // SAFETY: `g` is finite and in [0, grid_last] (pass 2), which fits an i32.
            *i = unsafe { g.to_int_unchecked::<i32>() } as u32;
        }
        self.have_prev = true;
        self.power[m] = 0.0;
        spec[m] = Complex32::default();
    }
}

/// In place: each bin's `deviation` (bins) → its power-weighted mean, Σ a^j P_j δ_j /
/// Σ a^j P_j with a = `keep` per frame, the running sums in `deviation_sum` and `power_sum`.
/// A helper of its own, over slices, so that it vectorises (inside the analysis loop, with
/// two more arrays, it did not, and the whole stage ran at 60 % of its speed). Powers,
/// deviations and sums too small to matter are zeroed, so silence or a bin that stays on its
/// centre never leaves a sum subnormal (each operation on one costs about a hundred cycles).
#[inline(always)]
fn mean_deviation(
    keep: f32,
    power: &[f32],
    deviation: &mut [f32],
    deviation_sum: &mut [f32],
    power_sum: &mut [f32],
) {
    let sums = deviation_sum.iter_mut().zip(power_sum.iter_mut());
    for ((dev, p), (ds, ps)) in deviation.iter_mut().zip(power).zip(sums) {
        let p = if *p > SUM_FLOOR { *p } else { 0.0 };
        let d = if dev.abs() > DEVIATION_FLOOR {
            *dev
        } else {
            0.0
        };
        let new_ds = *ds * keep + p * d;
        let new_ps = *ps * keep + p;
        let live = new_ps > SUM_FLOOR;
        *ps = if live { new_ps } else { 0.0 };
        *ds = if live && new_ds.abs() > SUM_FLOOR {
            new_ds
        } else {
            0.0
        };
        *dev = if live { *ds / new_ps } else { 0.0 };
    }
}

/// Fraction of a bin's power that survives overlap-add when its phase advances `dev` radians
/// per hop faster or slower than the bin's own frequency, as coefficients of
/// `c0 + c1 cos(dev) + c2 cos(2 dev) + c3 cos(3 dev)`.
///
/// In the last hop of a frame four overlapping frames contribute, frame q (0 = oldest) with
/// weight w²(t + q·hop) and phase (3 − q)·dev; the power of their sum, averaged over the hop,
/// is Σ_q Σ_q' w_q w_q' cos((q − q')·dev): a cosine series of degree 3, exact. (It sees one
/// bin at a time; what neighbouring bins do to each other is measured by `resynthesis`.)
pub fn survival_series(window: &[f32], hop: usize) -> [f64; 4] {
    let w2 = |i: usize| (window[i] as f64).powi(2);
    let mut c = [0.0f64; 4];
    for t in 0..hop {
        for q in 0..4 {
            for q2 in 0..4 {
                let d = (q as i32 - q2 as i32).unsigned_abs() as usize;
                c[d] += w2(t + q * hop) * w2(t + q2 * hop);
            }
        }
    }
    c.map(|v| v / hop as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stft::msbg_window;

    #[test]
    fn mean_deviation_follows_a_steady_bin_and_never_goes_subnormal() {
        let keep = 0.9;
        let (mut ds, mut ps) = (vec![0.0f32; 4], vec![0.0f32; 4]);
        // A steady partial reads its deviation exactly; a bin alternating ±1 reads ≈ 0; a
        // bin fading into silence; a bin that never leaves its centre.
        for frame in 0..2000 {
            let fade = 1e-6f32 * 0.5f32.powi(frame);
            let alt = if frame % 2 == 0 { 1.0 } else { -1.0 };
            let power = [1.0, 1.0, fade, 1e-3];
            let mut dev = [0.37, alt, 0.2, 1e-9];
            mean_deviation(keep, &power, &mut dev, &mut ds, &mut ps);
            for v in dev.iter().chain(&ds).chain(&ps) {
                assert!(*v == 0.0 || v.is_normal(), "frame {frame}: {v:e}");
            }
            if frame > 200 {
                assert!((dev[0] - 0.37).abs() < 1e-6);
                assert!(dev[1].abs() < 0.06, "{}", dev[1]);
                assert_eq!(dev[3], 0.0);
            }
        }
        assert_eq!(
            (ds[2], ps[2]),
            (0.0, 0.0),
            "a silent bin's sums are cleared"
        );
    }

    #[test]
    fn survival_series_equals_the_overlap_add_sum() {
        let (n, hop) = (256, 64);
        let w = msbg_window(n);
        let c = survival_series(&w, hop);
        let series =
            |d: f64| c[0] + c[1] * d.cos() + c[2] * (2.0 * d).cos() + c[3] * (3.0 * d).cos();
        // The sum it stands for, term by term.
        let direct = |d: f64| {
            let mut acc = 0.0;
            for t in 0..hop {
                let (mut re, mut im) = (0.0, 0.0);
                for q in 0..4 {
                    let w2 = (w[t + q * hop] as f64).powi(2);
                    re += w2 * ((3 - q) as f64 * d).cos();
                    im += w2 * ((3 - q) as f64 * d).sin();
                }
                acc += re * re + im * im;
            }
            acc / hop as f64
        };
        for i in 0..=100 {
            let d = i as f64 * std::f64::consts::PI / 100.0;
            assert!((series(d) - direct(d)).abs() < 1e-9, "dev {d}");
        }
        // A stationary bin survives whole (MSBG's window overlap-adds to one); one turning
        // against its bin by half a turn per hop mostly cancels.
        assert!((series(0.0) - 1.0).abs() < 1e-4);
        assert!(series(std::f64::consts::FRAC_PI_2) < 0.5);
    }
}
