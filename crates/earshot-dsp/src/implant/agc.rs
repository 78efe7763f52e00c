//! Front-end automatic gain control of the speech processor: a broadband compressor before
//! the filterbank that keeps loud input inside the channels' 40 dB input window.
//!
//! Implant front ends compress hard above a knee with a fast attack and a slower release
//! (Nucleus processors: ≈ 2–5 ms attack, ≈ 75 ms release; the release is what makes a loud
//! drum hit "pump" the following sound). The knee and ratio are design choices stated here.

use crate::smoother::one_pole;

/// Knee, dB SPL (broadband level): the upper end of conversational speech.
pub const KNEE_DB_SPL: f32 = 70.0;
/// Compression ratio above the knee (near-limiting, as implant front ends are).
pub const RATIO: f32 = 12.0;
/// The gain is recomputed every this many samples and ramped linearly in between (a power
/// per sample was a tenth of the whole engine's time; 8 samples ≤ 0.36 ms at 22.05 kHz,
/// shorter than the fastest attack).
const GAIN_EVERY: u32 = 8;

#[derive(Clone, Debug)]
pub struct Agc {
    sample_rate: f32,
    attack: f32,
    release: f32,
    /// Peak level follower, amplitude (1 = full-scale sine).
    level: f32,
    gain: f32,
    gain_step: f32,
    gain_target: f32,
    until_update: u32,
}

impl Agc {
    pub fn new(sample_rate: f32) -> Self {
        let mut a = Self {
            sample_rate,
            attack: 0.0,
            release: 0.0,
            level: 0.0,
            gain: 1.0,
            gain_step: 0.0,
            gain_target: 1.0,
            until_update: 0,
        };
        a.set_times(5.0, 75.0);
        a
    }

    /// Attack and release times, ms.
    pub fn set_times(&mut self, attack_ms: f32, release_ms: f32) {
        self.attack = one_pole(attack_ms, self.sample_rate);
        self.release = one_pole(release_ms, self.sample_rate);
    }

    pub fn reset(&mut self) {
        self.level = 0.0;
        self.gain = 1.0;
        self.gain_step = 0.0;
        self.gain_target = 1.0;
        self.until_update = 0;
    }

    /// One sample; `knee` is the knee as an amplitude (from the calibration).
    #[inline(always)]
    pub fn process(&mut self, x: f32, knee: f32) -> f32 {
        let a = x.abs();
        let c = if a > self.level {
            self.attack
        } else {
            self.release
        };
        self.level += (a - self.level) * c;
        if self.level < 1e-20 {
            self.level = 0.0;
        }
        if self.until_update == 0 {
            // Land exactly on the last target, then ramp to the new one.
            self.gain = self.gain_target;
            // Output level = knee · (level/knee)^(1/ratio).
            self.gain_target = if self.level > knee {
                (self.level / knee).powf(1.0 / RATIO - 1.0)
            } else {
                1.0
            };
            self.gain_step = (self.gain_target - self.gain) / GAIN_EVERY as f32;
            self.until_update = GAIN_EVERY;
        }
        self.until_update -= 1;
        self.gain += self.gain_step;
        x * self.gain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settle(agc: &mut Agc, amp: f32, knee: f32) -> f32 {
        let mut peak = 0.0f32;
        for i in 0..48000 {
            let y = agc.process(amp * (i as f32 * 0.05).sin(), knee);
            if i > 40000 {
                peak = peak.max(y.abs());
            }
        }
        peak
    }

    #[test]
    fn below_the_knee_is_untouched_above_it_compresses_by_the_ratio() {
        let knee = 0.1;
        let mut a = Agc::new(48000.0);
        assert!((settle(&mut a, 0.05, knee) - 0.05).abs() < 1e-3);
        // 20 dB above the knee comes out ≈ 20/12 dB above it (the follower rides slightly
        // under the peak, so allow a little more).
        let out = settle(&mut a, 1.0, knee);
        let over = 20.0 * (out / knee).log10();
        assert!(over > 1.0 && over < 3.5, "{over} dB over the knee");
    }

    #[test]
    fn release_is_slower_than_attack() {
        let knee = 0.1;
        let mut a = Agc::new(48000.0);
        a.set_times(2.0, 200.0);
        settle(&mut a, 1.0, knee);
        // Just after the loud part stops, a quiet tone is still turned down (release).
        let y = a.process(0.05, knee);
        assert!(y < 0.02, "{y}");
    }
}
