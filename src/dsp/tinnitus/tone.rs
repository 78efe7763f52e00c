//! Tonal tinnitus: a sine at the set pitch with a slow pitch wobble (depth in cents).
//!
//! The phase accumulates in f64 (an f32 phase drifts audibly over minutes); pitch changes
//! glide in log-frequency over [`GLIDE_MS`], so a matched pitch that jumps to another
//! audiogram frequency slides instead of clicking.

use std::f64::consts::TAU;

/// Pitch glide time constant, ms.
pub const GLIDE_MS: f64 = 50.0;
/// Wobble rate, Hz: slow enough to be heard as drift, not vibrato.
pub const WOBBLE_HZ: f64 = 0.3;

#[derive(Clone, Debug)]
pub struct Tone {
    sample_rate: f64,
    phase: f64,
    /// log2 of the current and target pitch.
    log_f: f64,
    log_target: f64,
    glide: f64,
    wobble_phase: f64,
    wobble_cents: f64,
}

impl Tone {
    pub fn new(sample_rate: f32, pitch_hz: f32) -> Self {
        let sample_rate = sample_rate as f64;
        let log_f = (pitch_hz.max(1.0) as f64).log2();
        Self {
            sample_rate,
            phase: 0.0,
            log_f,
            log_target: log_f,
            glide: 1.0 - (-1.0 / (GLIDE_MS * 0.001 * sample_rate)).exp(),
            wobble_phase: 0.0,
            wobble_cents: 0.0,
        }
    }

    /// New pitch (glides there) and wobble depth in cents.
    pub fn set(&mut self, pitch_hz: f32, wobble_cents: f32) {
        // Keep below Nyquist with the wobble's excursion.
        let top = 0.45 * self.sample_rate;
        self.log_target = (pitch_hz.clamp(20.0, top as f32) as f64).log2();
        self.wobble_cents = wobble_cents.clamp(0.0, 200.0) as f64;
    }

    pub fn reset(&mut self) {
        self.phase = 0.0;
        self.wobble_phase = 0.0;
        self.log_f = self.log_target;
    }

    /// Current pitch without wobble, Hz.
    pub fn pitch_hz(&self) -> f64 {
        self.log_f.exp2()
    }

    /// Fills `out` with the tone at amplitude `amp` (added to what is there).
    pub fn add_to(&mut self, out: &mut [f32], amp: f32) {
        let wobble_step = TAU * WOBBLE_HZ / self.sample_rate;
        for y in out.iter_mut() {
            self.log_f += (self.log_target - self.log_f) * self.glide;
            let cents = self.wobble_cents * self.wobble_phase.sin();
            let f = (self.log_f + cents / 1200.0).exp2();
            self.phase += TAU * f / self.sample_rate;
            if self.phase >= TAU {
                self.phase -= TAU;
            }
            self.wobble_phase += wobble_step;
            if self.wobble_phase >= TAU {
                self.wobble_phase -= TAU;
            }
            *y += amp * self.phase.sin() as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Peak frequency by FFT with parabolic interpolation on the log magnitude (Hann window).
    fn peak_hz(x: &[f32], fs: f32) -> f64 {
        let n = x.len();
        let mut buf: Vec<f32> = x
            .iter()
            .enumerate()
            .map(|(i, v)| (0.5 - 0.5 * (TAU * i as f64 / n as f64).cos()) as f32 * v)
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
        (k as f64 + 0.5 * (a - c) / (a - 2.0 * b + c)) * fs as f64 / n as f64
    }

    fn cents(a: f64, b: f64) -> f64 {
        1200.0 * (a / b).log2()
    }

    #[test]
    fn pitch_is_within_one_cent_at_every_rate() {
        for fs in [44100.0f32, 48000.0, 96000.0] {
            for hz in [250.0f32, 1000.0, 3700.0, 4000.0, 6000.0, 12000.0] {
                let mut t = Tone::new(fs, hz);
                t.set(hz, 0.0);
                let mut x = vec![0.0f32; (2.0 * fs) as usize];
                t.add_to(&mut x, 0.1);
                let got = peak_hz(&x, fs);
                let err = cents(got, hz as f64);
                assert!(
                    err.abs() < 1.0,
                    "{fs} Hz, {hz} Hz: {got:.3} Hz ({err:.3} cents)"
                );
            }
        }
    }

    #[test]
    fn a_new_pitch_glides_there_and_wobble_swings_by_its_depth() {
        let fs = 48000.0;
        let mut t = Tone::new(fs, 4000.0);
        t.set(6000.0, 0.0);
        let mut x = vec![0.0f32; fs as usize];
        t.add_to(&mut x, 0.1);
        assert!(cents(t.pitch_hz(), 6000.0).abs() < 0.01);
        // Wobble of 30 cents: the pitch over 1/4 of the wobble period (near its top) sits
        // clearly above the centre, and over the next half clearly below.
        t.set(6000.0, 30.0);
        t.reset();
        let quarter = (fs as f64 / WOBBLE_HZ / 4.0) as usize;
        let mut y = vec![0.0f32; 4 * quarter];
        t.add_to(&mut y, 0.1);
        let up = peak_hz(&y[quarter / 2..quarter * 3 / 2], fs);
        let down = peak_hz(&y[quarter * 5 / 2..quarter * 7 / 2], fs);
        assert!(
            cents(up, 6000.0) > 15.0,
            "up {:.1} cents",
            cents(up, 6000.0)
        );
        assert!(
            cents(down, 6000.0) < -15.0,
            "down {:.1} cents",
            cents(down, 6000.0)
        );
    }
}
