//! Second-order sections: the RBJ "Audio EQ Cookbook" designs (bilinear transform,
//! R. Bristow-Johnson) and a transposed-direct-form-II filter in f32.
//!
//! Coefficients are normalised `[b0, b1, b2, a1, a2]` (a0 = 1), computed in f64.

use std::f64::consts::PI;

/// Butterworth Q of a single second-order section.
pub const BUTTERWORTH_Q: f64 = std::f64::consts::FRAC_1_SQRT_2;

fn w0(hz: f64, sample_rate: f64) -> f64 {
    // Kept inside (0, Nyquist): a corner at or above Nyquist has no bilinear counterpart.
    2.0 * PI * (hz / sample_rate).clamp(1e-6, 0.49)
}

/// Low-pass.
pub fn lowpass(cutoff_hz: f64, q: f64, sample_rate: f64) -> [f64; 5] {
    let (s, c) = w0(cutoff_hz, sample_rate).sin_cos();
    let alpha = s / (2.0 * q);
    let a0 = 1.0 + alpha;
    let b0 = (1.0 - c) / 2.0 / a0;
    [b0, 2.0 * b0, b0, -2.0 * c / a0, (1.0 - alpha) / a0]
}

/// High-pass.
pub fn highpass(cutoff_hz: f64, q: f64, sample_rate: f64) -> [f64; 5] {
    let (s, c) = w0(cutoff_hz, sample_rate).sin_cos();
    let alpha = s / (2.0 * q);
    let a0 = 1.0 + alpha;
    let b0 = (1.0 + c) / 2.0 / a0;
    [b0, -2.0 * b0, b0, -2.0 * c / a0, (1.0 - alpha) / a0]
}

/// Band-pass with 0 dB gain at the centre.
pub fn bandpass(centre_hz: f64, q: f64, sample_rate: f64) -> [f64; 5] {
    let (s, c) = w0(centre_hz, sample_rate).sin_cos();
    let alpha = s / (2.0 * q);
    let a0 = 1.0 + alpha;
    [
        alpha / a0,
        0.0,
        -alpha / a0,
        -2.0 * c / a0,
        (1.0 - alpha) / a0,
    ]
}

/// MSBG's envelope low-pass: a 2nd-order elliptic low-pass, 0.25 dB pass-band ripple, 35 dB
/// stop-band (MSBG `compute_envelope`: `scipy.signal.ellip(2, 0.25, 35, fc)`), by the
/// bilinear transform with the corner pre-warped, as scipy designs it. The analog prototype
/// (corner 1 rad/s) is scipy's `ellipap(2, 0.25, 35)`: zeros ±j·10.769 854 44, poles
/// −0.889 990 64 ± j·1.153 589 36, gain 0.017 782 794 1. Its DC gain is the ripple's
/// −0.25 dB, as an even-order elliptic filter's is.
pub fn msbg_envelope_lowpass(cutoff_hz: f64, sample_rate: f64) -> [f64; 5] {
    const ZERO_SQ: f64 = 10.769_854_44 * 10.769_854_44;
    const POLE_RE: f64 = 0.889_990_64;
    const POLE_IM: f64 = 1.153_589_36;
    const GAIN: f64 = 0.017_782_794_100_389_257;
    let fc = cutoff_hz.clamp(1e-3, 0.49 * sample_rate);
    let k = 2.0 * sample_rate;
    let w = k * (PI * fc / sample_rate).tan();
    // H(s) = GAIN (s² + Z w²) / (s² + 2 Re(p) w s + |p|² w²), s = k (1 − z⁻¹)/(1 + z⁻¹).
    let (z, b, c) = (
        ZERO_SQ * w * w,
        2.0 * POLE_RE * w,
        (POLE_RE * POLE_RE + POLE_IM * POLE_IM) * w * w,
    );
    let a0 = k * k + b * k + c;
    let b0 = GAIN * (k * k + z) / a0;
    let b1 = GAIN * (2.0 * z - 2.0 * k * k) / a0;
    [
        b0,
        b1,
        b0,
        (2.0 * c - 2.0 * k * k) / a0,
        (k * k - b * k + c) / a0,
    ]
}

/// |H(e^{jω})| of `coef` at `hz`.
pub fn magnitude(coef: &[f64; 5], hz: f64, sample_rate: f64) -> f64 {
    let [b0, b1, b2, a1, a2] = *coef;
    let w = 2.0 * PI * hz / sample_rate;
    let (z1, z2) = ((-w).sin_cos(), (-2.0 * w).sin_cos());
    let num = (b0 + b1 * z1.1 + b2 * z2.1, b1 * z1.0 + b2 * z2.0);
    let den = (1.0 + a1 * z1.1 + a2 * z2.1, a1 * z1.0 + a2 * z2.0);
    (num.0.hypot(num.1)) / (den.0.hypot(den.1))
}

/// One section in f32, transposed direct form II (good numerical behaviour in f32 at the
/// corners used here, ≥ 20 Hz).
#[derive(Clone, Copy, Debug, Default)]
pub struct Biquad {
    c: [f32; 5],
    s1: f32,
    s2: f32,
}

impl Biquad {
    pub fn new(coef: [f64; 5]) -> Self {
        Self {
            c: coef.map(|v| v as f32),
            s1: 0.0,
            s2: 0.0,
        }
    }

    /// New coefficients; the state is kept (changes at control rate do not click).
    pub fn set(&mut self, coef: [f64; 5]) {
        self.c = coef.map(|v| v as f32);
    }

    pub fn reset(&mut self) {
        self.s1 = 0.0;
        self.s2 = 0.0;
    }

    #[inline(always)]
    pub fn process(&mut self, x: f32) -> f32 {
        let [b0, b1, b2, a1, a2] = self.c;
        let y = b0 * x + self.s1;
        self.s1 = b1 * x - a1 * y + self.s2;
        self.s2 = b2 * x - a2 * y;
        y
    }

    /// Flush denormal-range state to zero (call once per block).
    pub fn flush_tiny(&mut self) {
        for s in [&mut self.s1, &mut self.s2] {
            if s.abs() < 1e-25 || !s.is_finite() {
                *s = 0.0;
            }
        }
    }
}

/// The same section on both ears at once (one coefficient set, two states): the two
/// recursions are independent, so the CPU overlaps them.
#[derive(Clone, Copy, Debug, Default)]
pub struct StereoBiquad {
    c: [f32; 5],
    s1: [f32; 2],
    s2: [f32; 2],
}

impl StereoBiquad {
    pub fn new(coef: [f64; 5]) -> Self {
        Self {
            c: coef.map(|v| v as f32),
            ..Self::default()
        }
    }

    /// New coefficients; the state is kept.
    pub fn set(&mut self, coef: [f64; 5]) {
        self.c = coef.map(|v| v as f32);
    }

    pub fn reset(&mut self) {
        self.s1 = [0.0; 2];
        self.s2 = [0.0; 2];
    }

    pub fn coefficients(&self) -> [f32; 5] {
        self.c
    }

    /// The two state variables of both ears ([s1, s2], each [left, right]).
    pub fn state(&self) -> [[f32; 2]; 2] {
        [self.s1, self.s2]
    }

    pub fn set_state(&mut self, s: [[f32; 2]; 2]) {
        [self.s1, self.s2] = s;
    }

    #[inline(always)]
    pub fn process(&mut self, x: [f32; 2]) -> [f32; 2] {
        let [b0, b1, b2, a1, a2] = self.c;
        let mut y = [0.0; 2];
        for i in 0..2 {
            y[i] = b0 * x[i] + self.s1[i];
            self.s1[i] = b1 * x[i] - a1 * y[i] + self.s2[i];
            self.s2[i] = b2 * x[i] - a2 * y[i];
        }
        y
    }

    /// Flush denormal-range (or non-finite) state to zero (once per block).
    pub fn flush_tiny(&mut self) {
        for s in self.s1.iter_mut().chain(self.s2.iter_mut()) {
            if s.abs() < 1e-25 || !s.is_finite() {
                *s = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msbg_envelope_lowpass_is_scipys_ellip() {
        // scipy.signal.ellip(2, 0.25, 35, 75 / (689.0625 / 2)): 75 Hz at the loss stage's frame
        // rate at 44.1 kHz.
        let c = msbg_envelope_lowpass(75.0, 689.0625);
        let want = [
            0.146_693_44,
            0.255_997_89,
            0.146_693_44,
            -0.768_555_19,
            0.333_982_28,
        ];
        for (a, b) in c.iter().zip(want) {
            assert!((a - b).abs() < 1e-7, "{c:?}");
        }
        // DC gain −0.25 dB (the ripple), and the stop band 35 dB down.
        let dc = 20.0 * magnitude(&c, 0.0, 689.0625).log10();
        assert!((dc + 0.25).abs() < 1e-3, "{dc}");
        let stop = 20.0 * magnitude(&c, 300.0, 44100.0 / 64.0).log10();
        assert!(stop < -18.0, "{stop}");
    }

    fn measured_gain(coef: [f64; 5], hz: f64, fs: f64) -> f64 {
        let mut f = Biquad::new(coef);
        let n = (fs * 0.5) as usize;
        let (mut pi, mut po) = (0.0f64, 0.0f64);
        for i in 0..n {
            let x = (2.0 * PI * hz * i as f64 / fs).sin() as f32;
            let y = f.process(x);
            if i > n / 2 {
                pi += (x as f64).powi(2);
                po += (y as f64).powi(2);
            }
        }
        (po / pi).sqrt()
    }

    #[test]
    fn designs_have_their_textbook_responses() {
        let fs = 48000.0;
        let lp = lowpass(1000.0, BUTTERWORTH_Q, fs);
        assert!((magnitude(&lp, 1000.0, fs) - BUTTERWORTH_Q).abs() < 1e-9);
        assert!((magnitude(&lp, 1.0, fs) - 1.0).abs() < 1e-6);
        let hp = highpass(1000.0, BUTTERWORTH_Q, fs);
        assert!((magnitude(&hp, 1000.0, fs) - BUTTERWORTH_Q).abs() < 1e-9);
        assert!(magnitude(&hp, 100.0, fs) < 0.011);
        let bp = bandpass(4000.0, 4.0, fs);
        assert!((magnitude(&bp, 4000.0, fs) - 1.0).abs() < 1e-9);
        assert!(magnitude(&bp, 2000.0, fs) < 0.2);
    }

    #[test]
    fn the_stereo_section_is_two_mono_sections() {
        let c = lowpass(300.0, 2.0, 48000.0);
        let (mut l, mut r, mut st) = (Biquad::new(c), Biquad::new(c), StereoBiquad::new(c));
        for i in 0..1000 {
            let x = [(i as f32 * 0.1).sin(), (i as f32 * 0.37).cos()];
            assert_eq!(st.process(x), [l.process(x[0]), r.process(x[1])]);
        }
    }

    #[test]
    fn the_f32_filter_matches_the_design() {
        let fs = 44100.0;
        for (coef, hz) in [
            (lowpass(150.0, BUTTERWORTH_Q, fs), 60.0),
            (highpass(20.0, BUTTERWORTH_Q, fs), 50.0),
            (bandpass(4000.0, 4.0, fs), 4000.0),
        ] {
            let want = magnitude(&coef, hz, fs);
            let got = measured_gain(coef, hz, fs);
            assert!((got / want - 1.0).abs() < 0.01, "{hz} Hz: {got} vs {want}");
        }
    }
}
