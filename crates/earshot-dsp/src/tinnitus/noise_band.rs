//! Narrowband-noise tinnitus: a band of noise at a centre frequency, its width in octaves.
//!
//! Made by quadrature modulation: two independent white noises (I, Q) are low-passed to half
//! the band's width and shifted up to the centre, `x = I cos ωt − Q sin ωt`. The band is then
//! symmetric about the centre, and its power is known exactly: each low-pass is two cascaded
//! one-poles with coefficient a, whose white-noise power gain is Σ h² = a⁴ (1 + r²)/(1 − r²)³
//! (r = 1 − a; the sum of (n + 1)² r²ⁿ). So the level is right without measuring it.

use super::tone::{rotate, Glide, PhasorQuad, CONTROL_EVERY};
use crate::noise;
use std::f64::consts::TAU;

/// Narrowest and widest band, octaves.
pub const BANDWIDTH_OCT: (f32, f32) = (0.05, 3.0);

#[derive(Clone, Debug)]
pub struct NoiseBand {
    sample_rate: f64,
    rng: [u32; 2],
    /// Two cascaded one-poles per quadrature branch.
    lp: [[f32; 2]; 2],
    coef: f32,
    /// Scales the band to the power of a unit sine (RMS 1/√2).
    norm: f32,
    z: (f64, f64),
    w: (f64, f64),
    glide: Glide,
    bandwidth_oct: f32,
    countdown: usize,
    seed: u64,
    stream: u32,
    /// The (centre, width) the coefficients were last computed for: a settled band skips
    /// the transcendental functions in its control updates.
    designed_for: (f64, f32),
}

impl NoiseBand {
    /// `stream` separates this generator's noise from others with the same seed.
    pub fn new(sample_rate: f32, centre_hz: f32, seed: u64, stream: u32) -> Self {
        let mut n = Self {
            sample_rate: sample_rate as f64,
            rng: [1, 1],
            lp: [[0.0; 2]; 2],
            coef: 1.0,
            norm: 1.0,
            z: (1.0, 0.0),
            w: (1.0, 0.0),
            glide: Glide::new(centre_hz as f64, sample_rate as f64, CONTROL_EVERY),
            bandwidth_oct: 1.0 / 3.0,
            countdown: 0,
            seed,
            stream,
            designed_for: (0.0, 0.0),
        };
        n.reset(seed);
        n
    }

    /// New centre (glides there) and width in octaves.
    pub fn set(&mut self, centre_hz: f32, bandwidth_oct: f32) {
        let bw = if bandwidth_oct.is_finite() {
            bandwidth_oct.clamp(BANDWIDTH_OCT.0, BANDWIDTH_OCT.1)
        } else {
            1.0 / 3.0
        };
        // The upper edge stays below Nyquist.
        let top = 0.45 * self.sample_rate / (bw as f64 / 2.0).exp2();
        let c = if centre_hz.is_finite() {
            centre_hz
        } else {
            1000.0
        };
        self.glide.set((c as f64).clamp(20.0, top));
        self.bandwidth_oct = bw;
    }

    /// Restart the noise from `seed` (the same seed gives the same noise).
    pub fn reset(&mut self, seed: u64) {
        self.seed = seed;
        self.rng = [
            noise::state(seed, 2 * self.stream),
            noise::state(seed, 2 * self.stream + 1),
        ];
        self.lp = [[0.0; 2]; 2];
        self.z = (1.0, 0.0);
        self.glide.land();
        self.countdown = 0;
    }

    /// Jump to the target centre (no glide): for a generator that starts sounding.
    pub fn land(&mut self) {
        self.glide.land();
    }

    pub fn centre_hz(&self) -> f64 {
        self.glide.hz()
    }

    /// Power of the output relative to a unit sine's (1 by construction; for tests).
    pub fn power_gain(coef: f64) -> f64 {
        let r = 1.0 - coef;
        coef.powi(4) * (1.0 + r * r) / (1.0 - r * r).powi(3)
    }

    fn update(&mut self) {
        self.glide.step();
        let f = self.glide.hz();
        let r = (self.z.0 * self.z.0 + self.z.1 * self.z.1).sqrt();
        self.z = (self.z.0 / r, self.z.1 / r);
        if self.designed_for == (f, self.bandwidth_oct) {
            return;
        }
        self.designed_for = (f, self.bandwidth_oct);
        let half_width = f
            * ((self.bandwidth_oct as f64 / 2.0).exp2()
                - (-(self.bandwidth_oct as f64) / 2.0).exp2())
            / 2.0;
        let a = 1.0 - (-TAU * half_width / self.sample_rate).exp();
        self.coef = a as f32;
        // White noise in [−1, 1) has variance 1/3; the band gets that × the low-pass gain.
        self.norm = (0.5 / (Self::power_gain(a) / 3.0)).sqrt() as f32;
        let (s, c) = (TAU * f / self.sample_rate).sin_cos();
        self.w = (c, s);
    }

    /// Adds the band to `out`, its amplitude ramping from `from` to `to` (peak of the unit
    /// sine of the same power).
    pub fn add_to(&mut self, out: &mut [f32], from: f32, to: f32) {
        let step = (to - from) / out.len().max(1) as f32;
        let mut amp = from;
        let mut rest = out;
        while !rest.is_empty() {
            if self.countdown == 0 {
                self.update();
                self.countdown = CONTROL_EVERY;
            }
            // A run up to the next control update, the carrier as four phasors a sample
            // apart (as in `Tone::add_to`): equal to `sample()` up to rounding.
            let len = self.countdown.min(rest.len());
            let (run, tail) = rest.split_at_mut(len);
            self.countdown -= len;
            let mut z = self.z;
            let mut quad = PhasorQuad::new(z, self.w);
            let mut groups = run.chunks_exact_mut(4);
            for group in &mut groups {
                for (l, y) in group.iter_mut().enumerate() {
                    let [i, q] = self.branches();
                    let c = quad.lanes[l];
                    amp += step;
                    *y += amp * self.norm * (i * c.0 as f32 - q * c.1 as f32);
                }
                z = quad.step();
            }
            self.z = z;
            for y in groups.into_remainder() {
                amp += step;
                *y += amp * self.next_sample();
            }
            rest = tail;
        }
    }

    /// The two low-passed white noises (I, Q) of the next sample.
    #[inline(always)]
    fn branches(&mut self) -> [f32; 2] {
        let a = self.coef;
        let mut branch = [0.0f32; 2];
        for (k, b) in branch.iter_mut().enumerate() {
            let x = noise::white(&mut self.rng[k]);
            let [s1, s2] = &mut self.lp[k];
            *s1 += a * (x - *s1);
            *s2 += a * (*s1 - *s2);
            *b = *s2;
        }
        branch
    }

    /// The next sample without the control update.
    #[inline(always)]
    fn next_sample(&mut self) -> f32 {
        let [i, q] = self.branches();
        self.z = rotate(self.z, self.w);
        self.norm * (i * self.z.0 as f32 - q * self.z.1 as f32)
    }

    /// The next sample at unit level.
    #[inline(always)]
    pub fn sample(&mut self) -> f32 {
        if self.countdown == 0 {
            self.update();
            self.countdown = CONTROL_EVERY;
        }
        self.countdown -= 1;
        self.next_sample()
    }

    /// Flush denormal-range filter state (once per block).
    pub fn flush_tiny(&mut self) {
        for s in self.lp.iter_mut().flatten() {
            if s.abs() < 1e-25 {
                *s = 0.0;
            }
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_rendering_equals_the_sample_by_sample_band() {
        // `add_to` (four phasors, runs between control updates) against `sample()`, over odd
        // block lengths and a centre that glides.
        let mut a = NoiseBand::new(48000.0, 3000.0, 7, 0);
        let mut b = NoiseBand::new(48000.0, 3000.0, 7, 0);
        a.set(4500.0, 0.5);
        b.set(4500.0, 0.5);
        let mut out = vec![0.0f32; 9000];
        let mut pos = 0;
        for len in [5, 64, 1, 17, 300].iter().cycle() {
            let end = (pos + len).min(out.len());
            a.add_to(&mut out[pos..end], 0.8, 0.8);
            pos = end;
            if pos == out.len() {
                break;
            }
        }
        for (i, y) in out.iter().enumerate() {
            let want = 0.8 * b.sample();
            assert!((y - want).abs() < 1e-5, "sample {i}: {y} vs {want}");
        }
    }

    #[test]
    fn power_gain_formula_equals_the_impulse_response_sum() {
        for a in [0.001f64, 0.05, 0.3, 0.9] {
            let (mut s1, mut s2, mut sum) = (0.0f64, 0.0f64, 0.0f64);
            for n in 0..2_000_000 {
                let x = if n == 0 { 1.0 } else { 0.0 };
                s1 += a * (x - s1);
                s2 += a * (s1 - s2);
                sum += s2 * s2;
            }
            let f = NoiseBand::power_gain(a);
            assert!((sum / f - 1.0).abs() < 1e-6, "a {a}: {sum} vs {f}");
        }
    }

    #[test]
    fn band_has_the_power_of_a_unit_sine_and_sits_at_its_centre() {
        let fs = 48000.0;
        for (hz, bw) in [(4000.0f32, 1.0f32 / 3.0), (1000.0, 1.0), (8000.0, 0.1)] {
            let mut n = NoiseBand::new(fs, hz, 3, 0);
            n.set(hz, bw);
            n.reset(3);
            let mut x = vec![0.0f32; 4 * fs as usize];
            n.add_to(&mut x, 1.0, 1.0);
            let ms = x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64;
            let db = 10.0 * (ms / 0.5).log10();
            assert!(
                db.abs() < 0.3,
                "{hz} Hz, {bw} oct: {db:.2} dB re a unit sine"
            );
            // Power well inside the band, little far outside (the skirts fall 12 dB per
            // doubling of the distance from the centre).
            let band = |lo: f64, hi: f64| {
                // Goertzel-free: correlate with a few sines across the range.
                let mut p = 0.0;
                let k = 16;
                for j in 0..k {
                    let f = lo + (hi - lo) * (j as f64 + 0.5) / k as f64;
                    let (mut re, mut im) = (0.0, 0.0);
                    for (i, v) in x.iter().enumerate().take(fs as usize) {
                        let ph = TAU * f * i as f64 / fs as f64;
                        re += *v as f64 * ph.cos();
                        im += *v as f64 * ph.sin();
                    }
                    p += re * re + im * im;
                }
                p
            };
            let c = hz as f64;
            let inside = band(c * 0.97, c * 1.03);
            let outside = band(c * 2.6, c * 2.8) + band(c * 0.15, c * 0.25);
            assert!(inside > 30.0 * outside, "{hz} Hz: {inside} vs {outside}");
        }
    }

    #[test]
    fn same_seed_same_noise() {
        let mut a = NoiseBand::new(44100.0, 3000.0, 9, 1);
        let mut b = NoiseBand::new(44100.0, 3000.0, 9, 1);
        let (mut x, mut y) = (vec![0.0f32; 5000], vec![0.0f32; 5000]);
        a.add_to(&mut x, 1.0, 1.0);
        b.add_to(&mut y, 1.0, 1.0);
        assert_eq!(x, y);
        let mut c = NoiseBand::new(44100.0, 3000.0, 10, 1);
        let mut z = vec![0.0f32; 5000];
        c.add_to(&mut z, 1.0, 1.0);
        assert_ne!(x, z);
    }
}
