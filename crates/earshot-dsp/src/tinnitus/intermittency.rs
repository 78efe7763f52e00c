//! Ringing that comes and goes (the film's "intermittent ringing").
//!
//! An on/off process: each on and off period lasts its mean × a uniform factor in 0.5…1.5
//! (never a freak hour-long gap), the means set by the rate (cycles per minute) and the duty
//! (fraction of time on). Changes fade over [`FADE_MS`] with a smoothstep, so the gate has
//! no corner. The random draws come from the seed, and the process advances per sample, so
//! the same seed gives the same gate whatever the host's block sizes.

use crate::noise;

/// Fade in and out, ms.
pub const FADE_MS: f32 = 400.0;
/// Rate range, on/off cycles per minute.
pub const RATE_PER_MIN: (f32, f32) = (0.5, 60.0);
/// Noise stream of the gate (distinct from the noise generators').
const STREAM: u32 = 100;

#[derive(Clone, Debug)]
pub struct Intermittency {
    sample_rate: f32,
    rng: u32,
    on: bool,
    /// Samples left in the current period.
    remaining: u64,
    /// Fade position 0 (off) … 1 (on), and its change per sample.
    ramp: f32,
    ramp_step: f32,
    rate_per_min: f32,
    duty: f32,
}

impl Intermittency {
    pub fn new(sample_rate: f32, seed: u64) -> Self {
        let mut g = Self {
            sample_rate,
            rng: 1,
            on: true,
            remaining: 0,
            ramp: 1.0,
            ramp_step: 1.0 / (FADE_MS * 0.001 * sample_rate).max(1.0),
            rate_per_min: 6.0,
            duty: 1.0,
        };
        g.reset(seed);
        g
    }

    /// Rate in cycles per minute, duty 0…1 (1 = always on, 0 = never).
    pub fn set(&mut self, rate_per_min: f32, duty: f32) {
        self.rate_per_min = if rate_per_min.is_finite() {
            rate_per_min.clamp(RATE_PER_MIN.0, RATE_PER_MIN.1)
        } else {
            6.0
        };
        self.duty = if duty.is_finite() {
            duty.clamp(0.0, 1.0)
        } else {
            1.0
        };
    }

    /// Restart from `seed`: on, fully faded in, a fresh first period.
    pub fn reset(&mut self, seed: u64) {
        self.rng = noise::state(seed, STREAM);
        self.on = true;
        self.ramp = 1.0;
        self.remaining = self.draw();
    }

    fn draw(&mut self) -> u64 {
        let period_s = 60.0 / self.rate_per_min;
        let share = if self.on { self.duty } else { 1.0 - self.duty };
        let mean = period_s * share * self.sample_rate;
        let factor = 0.5 + noise::uniform(&mut self.rng);
        // At least one fade long, so a fade always completes.
        let min = FADE_MS * 0.001 * self.sample_rate;
        (mean * factor).max(min) as u64
    }

    /// Multiplies `out` by the gate, sample by sample.
    pub fn apply(&mut self, out: &mut [f32]) {
        if self.duty >= 1.0 && self.ramp >= 1.0 {
            // Constant and fully on: the gate is 1 (the common case costs nothing).
            return;
        }
        for y in out.iter_mut() {
            // Duty 1 never turns off and duty 0 never on, whatever the period in progress.
            let target_on = if self.duty >= 1.0 {
                true
            } else if self.duty <= 0.0 {
                false
            } else {
                if self.remaining == 0 {
                    self.on = !self.on;
                    self.remaining = self.draw();
                }
                self.remaining -= 1;
                self.on
            };
            self.ramp = if target_on {
                (self.ramp + self.ramp_step).min(1.0)
            } else {
                (self.ramp - self.ramp_step).max(0.0)
            };
            let r = self.ramp;
            *y *= r * r * (3.0 - 2.0 * r);
        }
    }

    /// The gate now, 0…1 (for the editor).
    pub fn value(&self) -> f32 {
        let r = self.ramp;
        r * r * (3.0 - 2.0 * r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(seed: u64, rate: f32, duty: f32, seconds: f32, block: usize) -> Vec<f32> {
        let fs = 8000.0;
        let mut g = Intermittency::new(fs, seed);
        g.set(rate, duty);
        g.reset(seed);
        let mut out = vec![1.0f32; (seconds * fs) as usize];
        for chunk in out.chunks_mut(block) {
            g.apply(chunk);
        }
        out
    }

    #[test]
    fn duty_and_rate_are_what_was_set() {
        let g = gate(5, 6.0, 0.3, 600.0, 512);
        let on = g.iter().map(|v| *v as f64).sum::<f64>() / g.len() as f64;
        assert!((on - 0.3).abs() < 0.05, "time on {on:.3}");
        // Count switch-ons: ≈ 6 per minute over 10 minutes.
        let ons = g.windows(2).filter(|w| w[0] < 0.5 && w[1] >= 0.5).count();
        assert!((45..=75).contains(&ons), "{ons} onsets in 10 min");
    }

    #[test]
    fn same_seed_same_gate_whatever_the_blocks() {
        let a = gate(11, 10.0, 0.5, 60.0, 64);
        let b = gate(11, 10.0, 0.5, 60.0, 1000);
        assert_eq!(a, b);
        assert_ne!(a, gate(12, 10.0, 0.5, 60.0, 64));
    }

    #[test]
    fn full_duty_is_always_on_and_fades_are_gentle() {
        assert!(gate(1, 6.0, 1.0, 30.0, 100).iter().all(|v| *v == 1.0));
        assert!(gate(1, 6.0, 0.0, 30.0, 100)
            .iter()
            .skip(8000)
            .all(|v| *v == 0.0));
        let g = gate(3, 20.0, 0.5, 60.0, 77);
        // A 400 ms smoothstep at 8 kHz moves at most 1.5 / 3200 per sample.
        let steepest = g
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        assert!(steepest < 1.5 / 3200.0 + 1e-6, "{steepest}");
    }
}
