//! Safety limiter, last in the chain: the output never exceeds the ceiling and is always
//! finite. Instant attack (no look-ahead, so it adds no latency), smooth release; a final clamp
//! guarantees the ceiling even on the attack sample.

/// Ceiling, linear: 0 dBFS. Transparent for any signal that already fits.
pub const CEILING: f32 = 1.0;
/// Release time constant, ms: slow enough not to modulate bass, fast enough to recover.
const RELEASE_MS: f32 = 50.0;

#[derive(Clone, Debug)]
pub struct SafetyLimiter {
    gain: f32,
    release: f32,
}

impl SafetyLimiter {
    pub fn new(sample_rate: f32) -> Self {
        Self {
            gain: 1.0,
            release: crate::smoother::one_pole(RELEASE_MS, sample_rate),
        }
    }

    pub fn reset(&mut self) {
        self.gain = 1.0;
    }

    /// Gain reduction currently applied, dB (for metering).
    pub fn reduction_db(&self) -> f32 {
        -20.0 * self.gain.log10()
    }

    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        if !x.is_finite() {
            self.reset();
            return 0.0;
        }
        // Release towards unity; an instant attack takes it down to what this sample needs.
        self.gain += (1.0 - self.gain) * self.release;
        let peak = x.abs();
        if peak * self.gain > CEILING {
            self.gain = CEILING / peak;
        }
        (x * self.gain).clamp(-CEILING, CEILING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_exceeds_ceiling_and_is_transparent_below() {
        let mut l = SafetyLimiter::new(48000.0);
        for i in 0..48000 {
            let x = 0.5 * (i as f32 * 0.05).sin();
            assert_eq!(l.process(x), x);
        }
        for i in 0..4800 {
            let y = l.process(100.0 * (i as f32 * 0.05).sin());
            assert!(y.abs() <= CEILING);
        }
        assert_eq!(l.process(f32::NAN), 0.0);
        assert_eq!(l.process(f32::INFINITY), 0.0);
    }

    #[test]
    fn recovers_after_a_peak() {
        let mut l = SafetyLimiter::new(48000.0);
        l.process(10.0);
        for _ in 0..48000 {
            l.process(0.0);
        }
        assert!(l.reduction_db() < 0.01);
    }
}
