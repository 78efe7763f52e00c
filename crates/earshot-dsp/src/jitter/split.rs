//! The band split of the temporal distortion: a fifth-order Butterworth low-pass and the
//! matching high-pass, both ears at once, computed as the sum and the difference of two
//! all-pass filters.
//!
//! Why an odd order: an odd-order Butterworth pair is *doubly complementary*: the powers add
//! to one (|L|² + |H|² = 1) and so do the coherent parts (|L + H| = 1, an all-pass), because
//! H·L* is purely imaginary at every frequency (for the analogue prototype,
//! H·L* = (jω)⁵/|B₅|²; the bilinear transform keeps both identities, it only warps the
//! frequency axis). The jittered low band keeps a fraction c of its coherence with the
//! unjittered high band (1 for a slow, small jitter, 0 for a large one), and the output's power
//! is then |H + c·L|² + (1 − c²)|L|² = 1 + 2c·Re(H·L*) = 1 whatever c is: the spectrum at the
//! edge does not move, where a Linkwitz–Riley or an even-order Butterworth split would dip or
//! bump by up to 3 dB. Fifth rather than third order: 30 dB per octave instead of 18, so what
//! is jittered is more nearly the band below the edge alone. (It does not reduce the jitter's
//! spill above the edge, which comes from the spread of the band's own strong components:
//! speech at 3.2 kHz rose 1.13 dB at 0.5 ms with the third order and 1.16 dB with the fifth.)
//!
//! The pair is L = (A + B)/2 and H = (B − A)/2 with two all-passes sharing the Butterworth
//! poles alternately (Regalia, Mitra & Vaidyanathan 1988, "The digital all-pass filter: a
//! versatile signal processing building block", Proc. IEEE 76): A the real pole and the pole
//! pair of Q = 1/(2 cos 72°), B the pair of Q = 1/(2 cos 36°). Five poles compute both halves.

use crate::biquad::StereoBiquad;

/// The two pole pairs' Q: 1 / (2 cos θ) for θ = 72° (in A) and 36° (in B).
const Q_A: f64 = 1.618_033_988_749_895;
const Q_B: f64 = 0.618_033_988_749_895;

/// The second-order all-pass with the pole pair of `q` at the prewarped corner `k`:
/// (s² − s/Q + 1)/(s² + s/Q + 1) through the bilinear transform, `[b0, b1, b2, a1, a2]`.
fn pair(k: f64, q: f64) -> [f64; 5] {
    let a0 = 1.0 + k / q + k * k;
    let b1 = (2.0 * k * k - 2.0) / a0;
    let b2 = (1.0 - k / q + k * k) / a0;
    [b2, b1, 1.0, b1, b2]
}

/// The low-pass and high-pass of one band edge.
#[derive(Clone, Copy, Debug, Default)]
pub struct Split {
    /// A's real pole: the first-order all-pass (c + z⁻¹)/(1 + c·z⁻¹), and its state.
    c: f32,
    real_state: [f32; 2],
    /// A's pole pair and B.
    a: StereoBiquad,
    b: StereoBiquad,
}

impl Split {
    pub fn new(edge_hz: f32, sample_rate: f32) -> Self {
        let mut s = Self::default();
        s.set(edge_hz, sample_rate);
        s
    }

    /// A new band edge; the state is kept (the engine moves it in small steps).
    pub fn set(&mut self, edge_hz: f32, sample_rate: f32) {
        // Prewarped: the corner maps exactly (s = (1/k)(1 − z⁻¹)/(1 + z⁻¹)).
        let k =
            (std::f64::consts::PI * (edge_hz as f64 / sample_rate as f64).clamp(1e-6, 0.49)).tan();
        self.c = ((k - 1.0) / (k + 1.0)) as f32;
        self.a.set(pair(k, Q_A));
        self.b.set(pair(k, Q_B));
    }

    pub fn reset(&mut self) {
        self.real_state = [0.0; 2];
        self.a.reset();
        self.b.reset();
    }

    /// The low and the high band of `x` (both ears).
    #[inline(always)]
    pub fn split(&mut self, x: [f32; 2]) -> ([f32; 2], [f32; 2]) {
        let mut real = [0.0; 2];
        for i in 0..2 {
            // First-order all-pass, transposed direct form II.
            real[i] = self.c * x[i] + self.real_state[i];
            self.real_state[i] = x[i] - self.c * real[i];
        }
        let a = self.a.process(real);
        let b = self.b.process(x);
        let mut low = [0.0; 2];
        let mut high = [0.0; 2];
        for i in 0..2 {
            low[i] = 0.5 * (a[i] + b[i]);
            high[i] = 0.5 * (b[i] - a[i]);
        }
        (low, high)
    }

    /// Flush denormal-range (or non-finite) state to zero (once per block).
    pub fn flush_tiny(&mut self) {
        self.a.flush_tiny();
        self.b.flush_tiny();
        for s in &mut self.real_state {
            if s.abs() < 1e-25 || !s.is_finite() {
                *s = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Complex response of the split at `hz`, measured by running a complex exponential
    /// through it (real and imaginary parts on the two ears) until it settles.
    fn response(edge: f32, hz: f64, fs: f32) -> ((f64, f64), (f64, f64)) {
        let mut s = Split::new(edge, fs);
        let w = 2.0 * PI * hz / fs as f64;
        let n = (fs as usize) / 2;
        let (mut lo, mut hi) = ([0.0f32; 2], [0.0f32; 2]);
        for i in 0..n {
            let x = [(w * i as f64).cos() as f32, (w * i as f64).sin() as f32];
            (lo, hi) = s.split(x);
        }
        // Divide out the input phasor at the last sample.
        let (c, sn) = ((w * (n - 1) as f64).cos(), (w * (n - 1) as f64).sin());
        let div = |y: [f32; 2]| {
            let (re, im) = (y[0] as f64, y[1] as f64);
            (re * c + im * sn, im * c - re * sn)
        };
        (div(lo), div(hi))
    }

    #[test]
    fn the_split_is_power_complementary_and_all_pass() {
        for fs in [44100.0, 48000.0, 96000.0] {
            for edge in [200.0, 1200.0, 4000.0] {
                for hz in [50.0, 150.0, 600.0, 1000.0, 1200.0, 1500.0, 3000.0, 8000.0] {
                    let ((lr, li), (hr, hi)) = response(edge, hz, fs);
                    let power = lr * lr + li * li + hr * hr + hi * hi;
                    let sum = (lr + hr).hypot(li + hi);
                    // H·L*'s real part: what a partly coherent jittered band would add.
                    let cross = hr * lr + hi * li;
                    assert!(
                        (power - 1.0).abs() < 2e-3 && (sum - 1.0).abs() < 2e-3,
                        "fs {fs} edge {edge} at {hz} Hz: |L|²+|H|² = {power}, |L+H| = {sum}"
                    );
                    assert!(cross.abs() < 2e-3, "{cross}");
                }
                // −3 dB at the edge, both halves.
                let ((lr, li), (hr, hi)) = response(edge, edge as f64, fs);
                let (l, h) = (lr.hypot(li), hr.hypot(hi));
                assert!((l * l - 0.5).abs() < 2e-3 && (h * h - 0.5).abs() < 2e-3);
            }
        }
    }

    #[test]
    fn fifth_order_slopes() {
        // 30 dB per octave: two octaves from the edge either band is ≈ 60 dB down.
        let ((lr, li), _) = response(1000.0, 4000.0, 48000.0);
        let db = 20.0 * lr.hypot(li).log10();
        assert!((-63.0..-58.0).contains(&db), "{db}");
        let (_, (hr, hi)) = response(1000.0, 250.0, 48000.0);
        let db = 20.0 * hr.hypot(hi).log10();
        assert!((-63.0..-58.0).contains(&db), "{db}");
        // And the halves are the right way round.
        let ((lr, li), (hr, hi)) = response(1000.0, 100.0, 48000.0);
        assert!(lr.hypot(li) > 0.99 && hr.hypot(hi) < 0.01);
    }
}
