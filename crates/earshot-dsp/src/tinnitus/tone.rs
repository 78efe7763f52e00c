//! Tonal tinnitus: a sine at the set pitch with a slow pitch wobble (depth in cents), and its
//! polytonal variant (a few inharmonic partials).
//!
//! Each partial is a complex phasor in f64 (exact pitch, no drift over hours, and no sine
//! call per sample); pitch, glide and wobble are updated every [`CONTROL_EVERY`] samples.
//! Pitch changes glide in log-frequency over [`GLIDE_MS`], so a matched pitch that jumps to
//! another audiogram frequency slides instead of clicking.
//!
//! Its tests measure pitch from the output spectrum, with the FFT-peak helper the
//! integration tests share: `tests/tinnitus.rs`.

use std::f64::consts::TAU;

/// Pitch glide time constant, ms.
pub const GLIDE_MS: f64 = 50.0;
/// Wobble rate, Hz: slow enough to be heard as drift, not vibrato.
pub const WOBBLE_HZ: f64 = 0.3;
/// Samples between pitch updates (0.33 ms at 48 kHz: far finer than the glide).
pub const CONTROL_EVERY: usize = 16;
/// Polytonal partials re the pitch: a major-second-and-tritone cluster (inharmonic, so it
/// does not fuse into one tone), amplitudes falling 3 dB per partial.
pub const POLY_RATIOS: [f64; 3] = [1.0, 1.19, 1.42];
const POLY_AMPS: [f64; 3] = [1.0, 0.707, 0.5];

/// A pitch that glides in log-frequency (a one-pole on log2 f).
#[derive(Clone, Copy, Debug)]
pub struct Glide {
    log_f: f64,
    log_target: f64,
    coef: f64,
}

impl Glide {
    /// `step_samples` samples per [`Self::step`].
    pub fn new(pitch_hz: f64, sample_rate: f64, step_samples: usize) -> Self {
        let log_f = pitch_hz.max(1.0).log2();
        Self {
            log_f,
            log_target: log_f,
            coef: 1.0 - (-(step_samples as f64) / (GLIDE_MS * 0.001 * sample_rate)).exp(),
        }
    }

    pub fn set(&mut self, pitch_hz: f64) {
        self.log_target = pitch_hz.max(1.0).log2();
    }

    pub fn step(&mut self) {
        self.log_f += (self.log_target - self.log_f) * self.coef;
    }

    pub fn land(&mut self) {
        self.log_f = self.log_target;
    }

    pub fn log2_hz(&self) -> f64 {
        self.log_f
    }

    pub fn hz(&self) -> f64 {
        self.log_f.exp2()
    }
}

#[derive(Clone, Debug)]
pub struct Tone {
    sample_rate: f64,
    partials: usize,
    ratios: [f64; 3],
    amps: [f32; 3],
    /// Phasor and per-sample rotation of each partial (re, im).
    z: [(f64, f64); 3],
    w: [(f64, f64); 3],
    glide: Glide,
    wobble_phase: f64,
    wobble_cents: f64,
    countdown: usize,
}

impl Tone {
    /// A single sine.
    pub fn new(sample_rate: f32, pitch_hz: f32) -> Self {
        Self::with_partials(sample_rate, pitch_hz, &[1.0], &[1.0])
    }

    /// [`POLY_RATIOS`], normalised to the power of one unit sine.
    pub fn polytonal(sample_rate: f32, pitch_hz: f32) -> Self {
        Self::with_partials(sample_rate, pitch_hz, &POLY_RATIOS, &POLY_AMPS)
    }

    fn with_partials(sample_rate: f32, pitch_hz: f32, ratios: &[f64], amps: &[f64]) -> Self {
        let sample_rate = sample_rate as f64;
        let norm = amps.iter().map(|a| a * a).sum::<f64>().sqrt();
        let mut r = [1.0; 3];
        let mut a = [0.0; 3];
        for i in 0..ratios.len().min(3) {
            r[i] = ratios[i];
            a[i] = (amps[i] / norm) as f32;
        }
        let mut t = Self {
            sample_rate,
            partials: ratios.len().min(3),
            ratios: r,
            amps: a,
            z: [(1.0, 0.0); 3],
            w: [(1.0, 0.0); 3],
            glide: Glide::new(pitch_hz as f64, sample_rate, CONTROL_EVERY),
            wobble_phase: 0.0,
            wobble_cents: 0.0,
            countdown: 0,
        };
        t.reset();
        t
    }

    /// New pitch (glides there) and wobble depth in cents.
    pub fn set(&mut self, pitch_hz: f32, wobble_cents: f32) {
        // Keep every partial below Nyquist with the wobble's excursion.
        let top = 0.45 * self.sample_rate / self.ratios[self.partials - 1];
        let p = if pitch_hz.is_finite() {
            pitch_hz
        } else {
            1000.0
        };
        self.glide.set((p as f64).clamp(20.0, top));
        self.wobble_cents = if wobble_cents.is_finite() {
            wobble_cents.clamp(0.0, 200.0) as f64
        } else {
            0.0
        };
    }

    /// Back to the start of the waveform, at the target pitch.
    pub fn reset(&mut self) {
        // Phase 0 of sin: the first sample is ≈ 0 (no step at the start).
        self.z = [(1.0, 0.0); 3];
        self.wobble_phase = 0.0;
        self.glide.land();
        self.countdown = 0;
    }

    /// Jump to the target pitch (no glide): for a generator that starts sounding.
    pub fn land(&mut self) {
        self.glide.land();
    }

    /// Current pitch without wobble, Hz.
    pub fn pitch_hz(&self) -> f64 {
        self.glide.hz()
    }

    fn update(&mut self) {
        self.glide.step();
        let cents = self.wobble_cents * self.wobble_phase.sin();
        self.wobble_phase += TAU * WOBBLE_HZ * CONTROL_EVERY as f64 / self.sample_rate;
        if self.wobble_phase >= TAU {
            self.wobble_phase -= TAU;
        }
        let f = (self.glide.log2_hz() + cents / 1200.0).exp2();
        for i in 0..self.partials {
            let (s, c) = (TAU * f * self.ratios[i] / self.sample_rate).sin_cos();
            self.w[i] = (c, s);
            // Renormalise (rounding would otherwise let the amplitude creep).
            let (re, im) = self.z[i];
            let r = (re * re + im * im).sqrt();
            self.z[i] = (re / r, im / r);
        }
    }

    /// Adds the tone to `out`, its amplitude ramping linearly from `from` to `to` (peak of a
    /// unit sine; the polytonal mix has the same power).
    pub fn add_to(&mut self, out: &mut [f32], from: f32, to: f32) {
        let step = (to - from) / out.len().max(1) as f32;
        let mut amp = from;
        let mut rest = out;
        while !rest.is_empty() {
            if self.countdown == 0 {
                self.update();
                self.countdown = CONTROL_EVERY;
            }
            // A run up to the next pitch update: no per-sample bookkeeping inside.
            let len = self.countdown.min(rest.len());
            let (run, tail) = rest.split_at_mut(len);
            self.countdown -= len;
            if self.partials == 1 {
                // Four phasors a sample apart, each turned by w⁴: four independent
                // recursions instead of one chain of dependent multiplies.
                let w = self.w[0];
                let a0 = self.amps[0];
                let mut z = self.z[0];
                let mut quad = PhasorQuad::new(z, w);
                let mut groups = run.chunks_exact_mut(4);
                for group in &mut groups {
                    for (l, y) in group.iter_mut().enumerate() {
                        *y += (amp + step * (l + 1) as f32) * a0 * quad.lanes[l].1 as f32;
                    }
                    amp += 4.0 * step;
                    z = quad.step();
                }
                for y in groups.into_remainder() {
                    z = rotate(z, w);
                    amp += step;
                    *y += amp * a0 * z.1 as f32;
                }
                self.z[0] = z;
            } else {
                for y in run.iter_mut() {
                    amp += step;
                    let mut v = 0.0f32;
                    for i in 0..self.partials {
                        let (re, im) = self.z[i];
                        let (c, s) = self.w[i];
                        self.z[i] = (re * c - im * s, re * s + im * c);
                        v += self.amps[i] * self.z[i].1 as f32;
                    }
                    *y += amp * v;
                }
            }
            rest = tail;
        }
    }
}

/// Four phasors a sample apart, z·w, z·w², z·w³, z·w⁴, each turned by w⁴ per group of four
/// samples: four independent recursions instead of one chain of dependent multiplies (the
/// tone's and the noise band's carriers).
pub(super) struct PhasorQuad {
    pub lanes: [(f64, f64); 4],
    w4: (f64, f64),
}

impl PhasorQuad {
    pub fn new(z: (f64, f64), w: (f64, f64)) -> Self {
        let w2 = rotate(w, w);
        let w4 = rotate(w2, w2);
        Self {
            lanes: [
                rotate(z, w),
                rotate(z, w2),
                rotate(z, rotate(w2, w)),
                rotate(z, w4),
            ],
            w4,
        }
    }

    /// On to the next group; returns the phasor of the group just used's last sample.
    #[inline(always)]
    pub fn step(&mut self) -> (f64, f64) {
        let last = self.lanes[3];
        let w4 = self.w4;
        self.lanes = self.lanes.map(|v| rotate(v, w4));
        last
    }
}

/// The complex product a·b of two phasors (re, im).
#[inline(always)]
pub(super) fn rotate(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tone_is_the_sine_at_its_pitch_sample_for_sample() {
        // Odd block lengths put the four-phasor groups and their remainders everywhere.
        let fs = 48000.0;
        let mut t = Tone::new(fs, 1234.5);
        t.set(1234.5, 0.0);
        let mut out = vec![0.0f32; 4801];
        let mut pos = 0;
        for len in [7, 1, 16, 33, 100, 3].iter().cycle() {
            let end = (pos + len).min(out.len());
            t.add_to(&mut out[pos..end], 0.5, 0.5);
            pos = end;
            if pos == out.len() {
                break;
            }
        }
        for (i, y) in out.iter().enumerate() {
            let want = 0.5 * (TAU * 1234.5 * (i + 1) as f64 / fs as f64).sin();
            assert!((*y as f64 - want).abs() < 2e-6, "sample {i}: {y} vs {want}");
        }
    }
}
