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

    /// Jump to the target (no ramp left): nothing is heard, nothing needs to glide.
    pub fn land(&mut self) {
        self.reset(self.target);
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

/// `N` values each through two cascaded one-poles (y₁ += (x − y₁)·k, y₂ += (y₁ − y₂)·k):
/// a path with no corners, for levels that scale a tone (a corner in a tone's envelope is a
/// click). The body layer steps it per sample; the tinnitus uses its closed form
/// ([`Self::decay_table`]) so its loop vectorises.
#[derive(Clone, Copy, Debug)]
pub struct TwoPole<const N: usize> {
    /// Stage 1 and stage 2 (the output).
    pub stages: [[f32; N]; 2],
    k: f32,
}

impl<const N: usize> TwoPole<N> {
    /// Each one-pole covers 1 − 1/e of a step in `ms` ([`one_pole`]).
    pub fn new(ms: f32, sample_rate: f32) -> Self {
        Self {
            stages: [[0.0; N]; 2],
            k: one_pole(ms, sample_rate),
        }
    }

    pub fn coefficient(&self) -> f32 {
        self.k
    }

    /// Both stages at `v` (no movement left).
    pub fn land(&mut self, v: [f32; N]) {
        self.stages = [v; 2];
    }

    /// One sample towards `target`; the output.
    #[inline(always)]
    pub fn step(&mut self, target: [f32; N]) -> [f32; N] {
        let [s1, s2] = &mut self.stages;
        for i in 0..N {
            s1[i] += (target[i] - s1[i]) * self.k;
            s2[i] += (s1[i] - s2[i]) * self.k;
        }
        *s2
    }

    /// Whether both stages are within `eps` of `target`.
    pub fn settled_at(&self, target: &[f32; N], eps: f32) -> bool {
        self.stages
            .iter()
            .all(|s| s.iter().zip(target).all(|(v, t)| (v - t).abs() < eps))
    }

    /// The closed form for steps i = 1…`n` towards a constant target T: with e₁, e₂ the
    /// stages' distances from T at the start and r = 1 − k, stage 2 is T + rⁱ·e₂ + i·k·rⁱ·e₁
    /// and stage 1 T + rⁱ·e₁. Returns [rⁱ, i·k·rⁱ] (computed in f64).
    pub fn decay_table(&self, n: usize) -> [Vec<f32>; 2] {
        let (k, r) = (self.k as f64, 1.0 - self.k as f64);
        let p: Vec<f32> = (1..=n).map(|i| r.powi(i as i32) as f32).collect();
        let q = (1..=n)
            .map(|i| (i as f64 * k * r.powi(i as i32)) as f32)
            .collect();
        [p, q]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_pole_closed_form_equals_the_steps() {
        let mut t = TwoPole::<1>::new(2.0, 48000.0);
        let [p, q] = t.decay_table(2048);
        let target = 0.3f32;
        t.stages = [[0.9], [-0.2]];
        let (e1, e2) = (0.9 - target, -0.2 - target);
        for i in 0..2048 {
            let y = t.step([target])[0];
            let closed = target + p[i] * e2 + q[i] * e1;
            assert!((closed - y).abs() < 1e-5, "step {i}: {closed} vs {y}");
        }
        assert!(t.settled_at(&[target], 1e-4));
    }

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
