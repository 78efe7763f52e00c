//! Tonal tinnitus: a sine at the set pitch with a slow pitch wobble (depth in cents).
//!
//! The phase accumulates in f64 (an f32 phase drifts audibly over minutes); pitch changes
//! glide in log-frequency over [`GLIDE_MS`], so a matched pitch that jumps to another
//! audiogram frequency slides instead of clicking.
//!
//! Its tests measure pitch from the output spectrum, with the FFT-peak helper the
//! integration tests share: `tests/tinnitus.rs`.

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
