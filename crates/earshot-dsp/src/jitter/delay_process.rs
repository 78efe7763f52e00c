//! The random delay that jitters each ear: white noise low-passed to the jitter's bandwidth,
//! scaled to unit variance, the right ear's mixed with the left's for the interaural
//! correlation; computed at a control rate of about 12 kHz and interpolated linearly in
//! between (the process is band-limited to ≤ 1 kHz, so this changes nothing audible and
//! saves most of its cost).
//!
//! Seeded: the same seed gives the same delays, sample for sample, whatever the host's blocks
//! (the process advances per sample, and control ticks fall on a per-sample count).

use crate::biquad::{self, StereoBiquad, BUTTERWORTH_Q};
use crate::noise;

/// The control rate is the sample rate divided by this many samples (≈ 12 kHz or more).
pub fn control_period(sample_rate: f32) -> u32 {
    ((sample_rate / 12_000.0).floor() as u32).max(1)
}

/// Variance of `b0 + b1 z⁻¹ + b2 z⁻²` over `1 + a1 z⁻¹ + a2 z⁻²` driven by unit-variance white
/// noise: the autocovariances of the all-pole part (an AR(2) process, Box & Jenkins) weighted by
/// the numerator.
pub fn output_variance(c: &[f64; 5]) -> f64 {
    let [b0, b1, b2, a1, a2] = *c;
    let (p1, p2) = (-a1, -a2);
    let g0 = (1.0 - p2) / ((1.0 + p2) * ((1.0 - p2).powi(2) - p1 * p1));
    let g1 = p1 / (1.0 - p2) * g0;
    let g2 = p1 * g1 + p2 * g0;
    (b0 * b0 + b1 * b1 + b2 * b2) * g0 + 2.0 * (b0 * b1 + b1 * b2) * g1 + 2.0 * b0 * b2 * g2
}

/// Both ears' delay processes: unit variance, band-limited, correlated as set.
#[derive(Clone, Debug)]
pub struct DelayProcess {
    period: u32,
    control_rate: f32,
    rng: [u32; 2],
    filter: StereoBiquad,
    /// 1 / the filter's output RMS for the uniform noise that drives it.
    norm: f32,
    bandwidth_hz: f32,
    /// Samples until the next control tick.
    countdown: u32,
    /// The delays now (unit variance) and their per-sample step to the next tick's.
    now: [f32; 2],
    step: [f32; 2],
}

impl DelayProcess {
    pub fn new(sample_rate: f32, bandwidth_hz: f32, seed: u64) -> Self {
        let period = control_period(sample_rate);
        let mut p = Self {
            period,
            control_rate: sample_rate / period as f32,
            rng: [1, 1],
            filter: StereoBiquad::default(),
            norm: 1.0,
            bandwidth_hz: 0.0,
            countdown: 0,
            now: [0.0; 2],
            step: [0.0; 2],
        };
        p.set_bandwidth(bandwidth_hz);
        p.reset(seed);
        p
    }

    /// Restart from `seed`, with the delays at rest (0).
    pub fn reset(&mut self, seed: u64) {
        self.reseed(seed);
        self.filter.reset();
        self.countdown = 0;
        self.now = [0.0; 2];
        self.step = [0.0; 2];
    }

    /// A new seed for the random draws from here on; the delays carry on from where they are
    /// (no step).
    pub fn reseed(&mut self, seed: u64) {
        // Streams 8 and 9: the tinnitus uses the low streams of the same seed.
        self.rng = [noise::state(seed, 8), noise::state(seed, 9)];
    }

    /// The −3 dB bandwidth of the delay's wander, Hz. Keeps the filter's state.
    pub fn set_bandwidth(&mut self, hz: f32) {
        if hz == self.bandwidth_hz {
            return;
        }
        self.bandwidth_hz = hz;
        let c = biquad::lowpass(hz as f64, BUTTERWORTH_Q, self.control_rate as f64);
        self.filter.set(c);
        // Uniform noise on [−1, 1) has variance 1/3.
        self.norm = (1.0 / (output_variance(&c) / 3.0).sqrt()) as f32;
    }

    /// Whether the next sample starts a control period (the caller moves its controls then,
    /// so that they too change on a per-sample count).
    #[inline(always)]
    pub fn at_tick(&self) -> bool {
        self.countdown == 0
    }

    /// The two ears' delays for the next sample (unit variance), the right ear's correlated
    /// with the left's by `correlation` (0…1).
    #[inline(always)]
    pub fn next(&mut self, correlation: f32) -> [f32; 2] {
        if self.countdown == 0 {
            self.countdown = self.period;
            let w = [
                noise::white(&mut self.rng[0]),
                noise::white(&mut self.rng[1]),
            ];
            let g = self.filter.process(w).map(|v| v * self.norm);
            // Right = ρ·left + √(1 − ρ²)·own: unit variance and correlation ρ for any ρ
            // (3D Tune-In mixes linearly, which lowers the variance in between).
            let r = correlation * g[0] + (1.0 - correlation * correlation).max(0.0).sqrt() * g[1];
            let inv = 1.0 / self.period as f32;
            self.step = [(g[0] - self.now[0]) * inv, (r - self.now[1]) * inv];
        }
        self.countdown -= 1;
        self.now[0] += self.step[0];
        self.now[1] += self.step[1];
        self.now
    }

    /// Flush denormal-range state (once per block).
    pub fn flush_tiny(&mut self) {
        self.filter.flush_tiny();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &mut DelayProcess, n: usize, rho: f32) -> Vec<[f32; 2]> {
        (0..n).map(|_| p.next(rho)).collect()
    }

    #[test]
    fn the_variance_formula_matches_a_simulation() {
        for (hz, fs) in [(500.0, 12000.0), (20.0, 12000.0), (1000.0, 11025.0)] {
            let c = biquad::lowpass(hz, BUTTERWORTH_Q, fs);
            let mut f = biquad::Biquad::new(c);
            let mut s = noise::state(3, 0);
            let n = 2_000_000;
            let mut sq = 0.0f64;
            for i in 0..n {
                let y = f.process(noise::white(&mut s)) as f64;
                if i > 10_000 {
                    sq += y * y;
                }
            }
            let sim = sq / (n - 10_001) as f64;
            let formula = output_variance(&c) / 3.0;
            assert!(
                (sim / formula - 1.0).abs() < 0.03,
                "{hz} Hz: {sim} vs {formula}"
            );
        }
    }

    #[test]
    fn unit_variance_the_set_correlation_and_the_set_bandwidth() {
        let fs = 48000.0;
        for rho in [0.0f32, 0.5, 0.9, 1.0] {
            let mut p = DelayProcess::new(fs, 500.0, 11);
            let x = run(&mut p, 48000 * 20, rho);
            let m = |f: &dyn Fn(&[f32; 2]) -> f64| x.iter().map(f).sum::<f64>() / x.len() as f64;
            let (vl, vr) = (m(&|v| (v[0] as f64).powi(2)), m(&|v| (v[1] as f64).powi(2)));
            let c = m(&|v| v[0] as f64 * v[1] as f64) / (vl * vr).sqrt();
            // Linear interpolation between ticks lowers the variance a little (≈ 2 % at
            // 500 Hz on a 12 kHz grid).
            assert!(
                (0.93..1.05).contains(&vl) && (0.93..1.05).contains(&vr),
                "{vl} {vr}"
            );
            assert!((c - rho as f64).abs() < 0.03, "correlation {c} for {rho}");
        }
        // A slower process changes less from one sample to the next.
        let diff = |bw: f32| {
            let mut p = DelayProcess::new(fs, bw, 2);
            let x = run(&mut p, 48000 * 5, 0.0);
            x.windows(2)
                .map(|w| ((w[1][0] - w[0][0]) as f64).powi(2))
                .sum::<f64>()
        };
        assert!(diff(50.0) < 0.2 * diff(500.0));
    }

    #[test]
    fn same_seed_same_delays_and_reseed_has_no_step() {
        let fs = 44100.0;
        let a = run(&mut DelayProcess::new(fs, 300.0, 5), 10_000, 0.3);
        let b = run(&mut DelayProcess::new(fs, 300.0, 5), 10_000, 0.3);
        let c = run(&mut DelayProcess::new(fs, 300.0, 6), 10_000, 0.3);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut p = DelayProcess::new(fs, 300.0, 5);
        let mut x = run(&mut p, 5000, 0.0);
        p.reseed(99);
        x.extend(run(&mut p, 5000, 0.0));
        let biggest = x
            .windows(2)
            .map(|w| (w[1][0] - w[0][0]).abs())
            .fold(0.0, f32::max);
        assert!(biggest < 0.2, "{biggest}");
    }
}
