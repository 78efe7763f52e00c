//! Parameter smoothing: a linear ramp to each new target, so automation never steps.

/// Coefficient of a one-pole follower (`y += (x − y) · c`) that covers 1 − 1/e of a step in
/// `ms` (at least one sample).
pub fn one_pole(ms: f32, sample_rate: f32) -> f32 {
    let n = (ms.max(0.01) * 0.001 * sample_rate).max(1.0);
    1.0 - (-1.0 / n).exp()
}

/// Linear-ramp smoother. A new target starts a ramp of `ramp_samples` from the current value;
/// targets that do not change cost nothing.
#[derive(Clone, Debug)]
pub struct Smoother {
    current: f32,
    target: f32,
    step: f32,
    remaining: u32,
    ramp_samples: u32,
}

impl Smoother {
    /// `ramp_ms` at `sample_rate`; at least one sample.
    pub fn new(value: f32, ramp_ms: f32, sample_rate: f32) -> Self {
        Self {
            current: value,
            target: value,
            step: 0.0,
            remaining: 0,
            ramp_samples: ((ramp_ms * 0.001 * sample_rate).round() as u32).max(1),
        }
    }

    /// Jump to `value` (no ramp): used on reset.
    pub fn reset(&mut self, value: f32) {
        self.current = value;
        self.target = value;
        self.remaining = 0;
    }

    /// Start a ramp to `target`; a non-finite target is ignored.
    pub fn set_target(&mut self, target: f32) {
        if !target.is_finite() || target == self.target {
            return;
        }
        self.target = target;
        self.remaining = self.ramp_samples;
        self.step = (target - self.current) / self.ramp_samples as f32;
    }

    /// The value for the next sample.
    #[inline]
    pub fn next_sample(&mut self) -> f32 {
        if self.remaining > 0 {
            self.remaining -= 1;
            self.current = if self.remaining == 0 {
                self.target
            } else {
                self.current + self.step
            };
        }
        self.current
    }

    /// Advance `n` samples at once and return the value reached.
    pub fn skip(&mut self, n: u32) -> f32 {
        if n >= self.remaining {
            self.remaining = 0;
            self.current = self.target;
        } else {
            self.remaining -= n;
            self.current += self.step * n as f32;
        }
        self.current
    }

    pub fn value(&self) -> f32 {
        self.current
    }

    pub fn target(&self) -> f32 {
        self.target
    }

    pub fn is_settled(&self) -> bool {
        self.remaining == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_linearly_and_lands_exactly() {
        let mut s = Smoother::new(0.0, 1.0, 1000.0); // one-sample ramp
        s.set_target(1.0);
        assert_eq!(s.next_sample(), 1.0);
        let mut s = Smoother::new(0.0, 10.0, 1000.0); // 10 samples
        s.set_target(1.0);
        let v: Vec<f32> = (0..12).map(|_| s.next_sample()).collect();
        assert!((v[0] - 0.1).abs() < 1e-6 && (v[4] - 0.5).abs() < 1e-6);
        assert_eq!(v[9], 1.0);
        assert_eq!(v[11], 1.0);
        assert!(s.is_settled());
    }

    #[test]
    fn skip_matches_next() {
        let mut a = Smoother::new(2.0, 5.0, 1000.0);
        let mut b = a.clone();
        a.set_target(-3.0);
        b.set_target(-3.0);
        for _ in 0..3 {
            a.next_sample();
        }
        assert!((b.skip(3) - a.value()).abs() < 1e-6);
        assert_eq!(b.skip(100), -3.0);
    }

    #[test]
    fn ignores_non_finite_targets() {
        let mut s = Smoother::new(1.0, 5.0, 1000.0);
        s.set_target(f32::NAN);
        s.set_target(f32::INFINITY);
        assert_eq!(s.next_sample(), 1.0);
    }
}
