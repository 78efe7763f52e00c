//! Carriers: what each electrode's stimulation sounds like in the simulation. Channel `l`'s
//! carrier sits at the place its electrode excites — the band's place shifted basally by the
//! insertion shift — and is scaled by the channel's heard amplitude.
//!
//! - **Noise**: a noise band over the shifted band's edges (Shannon et al. 1995).
//! - **Sine**: a sine at the Greenwood frequency of the shifted centre (tone vocoders).
//! - **Pulse**: one short tone pip per stimulation frame per channel, staggered across
//!   channels as CIS/ACE interleave their pulses, so the frame rate is heard as in electric
//!   pulse trains.
//! - **Metallic**: the recipe for the film's activation sound. Each channel's sine carries two
//!   inharmonic partials at 2.756× and 5.404× its frequency, −6 and −12 dB: the ratios of the
//!   first three bending modes of a free bar ((4.730, 7.853, 10.996)² normalised; Fletcher &
//!   Rossing, *The Physics of Musical Instruments*, §2.13), which is what makes struck metal
//!   sound metallic. Each channel's amplitude rises at once and decays over
//!   [`RING_MS`], so every onset rings like a struck bar. Combined with few channels and a
//!   large shift (the scene presets), it gives the "robotic", "metallic" quality patients
//!   report at activation; docs/science.md names the ingredients (sine carriers, few channels,
//!   large shift, fast envelopes, inharmonic ringing).
//!
//! Every oscillator runs whatever carrier is selected, so switching carriers (crossfaded by
//! the caller) never restarts a phase.

// Lane loops index several parallel arrays at once (structure of arrays), which is clearer
// than zipping five iterators.
#![allow(clippy::needless_range_loop)]

use super::analysis::{lowpass_biquad, LANES};
use super::greenwood::{self, Channel};
use crate::noise::white;
use std::f64::consts::PI;

/// The carrier kinds, in parameter order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CarrierKind {
    Noise,
    Sine,
    Pulse,
    Metallic,
}

/// Partial frequency ratios and amplitudes of the metallic carrier (free-bar modes).
pub const METAL_PARTIALS: [(f32, f32); 3] = [(1.0, 1.0), (2.756, 0.5), (5.404, 0.25)];
/// Decay time of the metallic ring, ms (1/e).
pub const RING_MS: f32 = 60.0;
/// Pulse (tone pip) length as a fraction of the stimulation frame.
const PIP_FRACTION: f32 = 0.5;

/// A bank of unit-amplitude rotating phasors.
#[derive(Clone, Debug)]
struct Phasors {
    re: [f32; LANES],
    im: [f32; LANES],
    rot_re: [f32; LANES],
    rot_im: [f32; LANES],
}

impl Phasors {
    fn new() -> Self {
        Self {
            re: [1.0; LANES],
            im: [0.0; LANES],
            rot_re: [1.0; LANES],
            rot_im: [0.0; LANES],
        }
    }

    fn set_frequency(&mut self, l: usize, hz: f64, sample_rate: f64) {
        let w = 2.0 * PI * hz / sample_rate;
        self.rot_re[l] = w.cos() as f32;
        self.rot_im[l] = w.sin() as f32;
    }

    #[inline(always)]
    fn advance<const L: usize>(&mut self) {
        for l in 0..L {
            let (a, b) = (self.re[l], self.im[l]);
            self.re[l] = a * self.rot_re[l] - b * self.rot_im[l];
            self.im[l] = a * self.rot_im[l] + b * self.rot_re[l];
        }
    }

    fn renormalise(&mut self) {
        for l in 0..LANES {
            let g = 1.0 / (self.re[l] * self.re[l] + self.im[l] * self.im[l]).sqrt();
            self.re[l] *= g;
            self.im[l] *= g;
        }
    }

    fn reset(&mut self) {
        self.re = [1.0; LANES];
        self.im = [0.0; LANES];
    }
}

#[derive(Clone, Debug)]
pub struct Carriers {
    sample_rate: f64,
    channels: usize,
    /// Sine at the shifted centre, and the metallic partials.
    sine: Phasors,
    partial2: Phasors,
    partial3: Phasors,
    /// Per-lane gains of the partials (0 where they would pass 0.45 fs).
    partial_gain: [[f32; LANES]; 2],
    /// Noise band: oscillator at the shifted band's middle, low-passed complex noise.
    noise_osc: Phasors,
    noise_state: [u32; LANES],
    noise_coef: [[f32; LANES]; 5],
    noise_s: [[[f32; LANES]; 2]; 2],
    noise_gain: [f32; LANES],
    /// Per-lane fade to silence where the shifted place passes 0.45 fs.
    audible: [f32; LANES],
    ring: [f32; LANES],
    ring_decay: f32,
    /// Pulse pips: samples until each lane's next pip, position within it (or past its end).
    pip_wait: [f32; LANES],
    pip_pos: [f32; LANES],
    pip_len: f32,
    since_renorm: u32,
}

impl Carriers {
    pub fn new(sample_rate: f64) -> Self {
        let mut c = Self {
            sample_rate,
            channels: 0,
            sine: Phasors::new(),
            partial2: Phasors::new(),
            partial3: Phasors::new(),
            partial_gain: [[0.0; LANES]; 2],
            noise_osc: Phasors::new(),
            noise_state: [1; LANES],
            noise_coef: [[0.0; LANES]; 5],
            noise_s: [[[0.0; LANES]; 2]; 2],
            noise_gain: [0.0; LANES],
            audible: [0.0; LANES],
            ring: [0.0; LANES],
            ring_decay: 1.0 - crate::smoother::one_pole(RING_MS, sample_rate as f32),
            pip_wait: [f32::INFINITY; LANES],
            pip_pos: [f32::INFINITY; LANES],
            pip_len: 1.0,
            since_renorm: 0,
        };
        c.reset();
        c
    }

    /// Clears all signal state; noise restarts from its fixed seeds (renders repeat exactly).
    pub fn reset(&mut self) {
        for p in [
            &mut self.sine,
            &mut self.partial2,
            &mut self.partial3,
            &mut self.noise_osc,
        ] {
            p.reset();
        }
        for (l, s) in self.noise_state.iter_mut().enumerate() {
            *s = 0x9E37_79B9u32.wrapping_mul(l as u32 + 1) | 1;
        }
        self.noise_s = [[[0.0; LANES]; 2]; 2];
        self.ring = [0.0; LANES];
        self.pip_wait = [f32::INFINITY; LANES];
        self.pip_pos = [f32::INFINITY; LANES];
        self.since_renorm = 0;
    }

    /// Zeroes decayed state (the metallic ring) before it turns subnormal.
    pub fn flush_tiny(&mut self) {
        for r in &mut self.ring {
            if *r < 1e-30 {
                *r = 0.0;
            }
        }
    }

    /// Places the carriers for `map` shifted basally by `shift_mm`. Cheap (no allocation):
    /// call when the shift moves.
    pub fn set_bands(&mut self, map: &[Channel], shift_mm: f64) {
        let fs = self.sample_rate;
        let top = 0.45 * fs;
        self.channels = map.len().min(LANES);
        for l in 0..LANES {
            let Some(ch) = map.get(l) else {
                self.audible[l] = 0.0;
                self.noise_gain[l] = 0.0;
                continue;
            };
            let f = greenwood::frequency_hz(ch.place_mm + shift_mm);
            // Fade out over the last 5 % below 0.45 fs rather than alias.
            self.audible[l] = ((top - f) / (0.05 * fs)).clamp(0.0, 1.0) as f32;
            let f = f.min(top);
            self.sine.set_frequency(l, f, fs);
            for (i, (p, g)) in [&mut self.partial2, &mut self.partial3]
                .into_iter()
                .zip(self.partial_gain.iter_mut())
                .enumerate()
            {
                let fp = f * METAL_PARTIALS[i + 1].0 as f64;
                g[l] = if fp < top {
                    METAL_PARTIALS[i + 1].1
                } else {
                    0.0
                };
                p.set_frequency(l, fp.min(top), fs);
            }
            let lo = greenwood::frequency_hz(greenwood::place_mm(ch.low_hz) + shift_mm).min(top);
            let hi = greenwood::frequency_hz(greenwood::place_mm(ch.high_hz) + shift_mm).min(top);
            let half = (0.5 * (hi - lo)).max(10.0);
            self.noise_osc.set_frequency(l, 0.5 * (lo + hi), fs);
            let c = lowpass_biquad(half, std::f64::consts::FRAC_1_SQRT_2, fs);
            for (i, v) in c.iter().enumerate() {
                self.noise_coef[i][l] = *v as f32;
            }
            // Unit-amplitude-sine power (1/2): white noise of variance 1/3 per part through a
            // 2nd-order Butterworth (noise bandwidth (π/4)/sin(π/4) · cutoff = 1.1107 · cutoff).
            let var = (1.0 / 3.0) * 1.1107 * half / (0.5 * fs);
            self.noise_gain[l] = (0.5 / var).sqrt() as f32;
        }
    }

    /// Sets the stimulation frame length (samples) for pulse carriers and starts a frame:
    /// each lane fires one pip, staggered across the frame.
    pub fn start_frame(&mut self, frame_len: f32) {
        self.pip_len = (frame_len * PIP_FRACTION).max(2.0);
        let n = self.channels.max(1) as f32;
        for l in 0..LANES {
            self.pip_wait[l] = frame_len * l as f32 / n;
        }
    }

    /// One output sample: the sum over lanes of `amp[l]` × carrier `kind` of lane `l`, for
    /// each requested kind weight (a crossfade computes two kinds at once). Each step is a
    /// loop over lanes into a per-lane array (which vectorises); only the final sum is serial.
    /// Only the first `L` lanes are computed (the rest are silent: past the channel count).
    #[inline(always)]
    pub fn next<const L: usize>(&mut self, amp: &[f32; LANES], weights: &[f32; 4]) -> f32 {
        self.sine.advance::<L>();
        self.partial2.advance::<L>();
        self.partial3.advance::<L>();
        self.noise_osc.advance::<L>();
        let mut gain = [0.0f32; LANES];
        for l in 0..L {
            gain[l] = amp[l] * self.audible[l];
        }
        let mut lane = [0.0f32; LANES];
        if weights[0] > 0.0 {
            let mut v = [[0.0f32; LANES]; 2];
            for part in v.iter_mut() {
                for l in 0..L {
                    part[l] = white(&mut self.noise_state[l]);
                }
            }
            let [b0, b1, b2, a1, a2] = &self.noise_coef;
            for (p, x) in v.iter_mut().enumerate() {
                let [s1, s2] = &mut self.noise_s[p];
                for l in 0..L {
                    let y = b0[l] * x[l] + s1[l];
                    s1[l] = b1[l] * x[l] - a1[l] * y + s2[l];
                    s2[l] = b2[l] * x[l] - a2[l] * y;
                    x[l] = y;
                }
            }
            let w = weights[0];
            for l in 0..L {
                let re = v[0][l] * self.noise_osc.re[l] - v[1][l] * self.noise_osc.im[l];
                lane[l] += w * gain[l] * self.noise_gain[l] * re;
            }
        }
        if weights[1] > 0.0 {
            let w = weights[1];
            for l in 0..L {
                lane[l] += w * gain[l] * self.sine.re[l];
            }
        }
        // Pips keep time whatever is selected, so a switch to pulses starts in step.
        for l in 0..L {
            let start = self.pip_wait[l] <= 0.0;
            self.pip_pos[l] = if start {
                -self.pip_wait[l]
            } else {
                self.pip_pos[l]
            };
            self.pip_wait[l] = if start {
                f32::INFINITY
            } else {
                self.pip_wait[l] - 1.0
            };
        }
        if weights[2] > 0.0 {
            // Pip shape 16 x² (1 − x)²: Hann-like, smooth at both ends, no cosine per sample.
            // Its mean square is 256 · B(5, 5) = 0.406; with the duty cycle this gain gives the
            // train a unit sine's power.
            let w = weights[2] * (1.0 / (0.406_349 * PIP_FRACTION)).sqrt();
            let inv_len = 1.0 / self.pip_len;
            for l in 0..L {
                let x = (self.pip_pos[l] * inv_len).min(1.0);
                let shape = 16.0 * x * x * (1.0 - x) * (1.0 - x);
                lane[l] += w * gain[l] * shape * self.sine.re[l];
            }
        }
        for p in self.pip_pos[..L].iter_mut() {
            *p += 1.0;
        }
        // The ring follows the amplitude up at once and decays slowly (always tracked, so a
        // switch to metallic starts from the right level).
        for l in 0..L {
            self.ring[l] = amp[l].max(self.ring[l] * self.ring_decay);
        }
        if weights[3] > 0.0 {
            // 1/√(1 + 0.5² + 0.25²): the partials' total power as one sine's.
            let w = weights[3] * 0.873;
            for l in 0..L {
                let tone = self.sine.re[l]
                    + self.partial_gain[0][l] * self.partial2.re[l]
                    + self.partial_gain[1][l] * self.partial3.re[l];
                lane[l] += w * self.ring[l] * self.audible[l] * tone;
            }
        }
        self.since_renorm += 1;
        if self.since_renorm >= 512 {
            self.since_renorm = 0;
            for p in [
                &mut self.sine,
                &mut self.partial2,
                &mut self.partial3,
                &mut self.noise_osc,
            ] {
                p.renormalise();
            }
        }
        // Pairwise sum (also vectorises, and rounds better than a running sum).
        let mut half = [0.0f32; LANES / 2];
        for i in 0..LANES / 2 {
            half[i] = lane[i] + lane[i + LANES / 2];
        }
        half.iter().sum()
    }

    /// Frequency of lane `l`'s sine carrier, Hz (for tests and displays).
    pub fn sine_hz(&self, l: usize) -> f64 {
        (self.sine.rot_im[l] as f64).atan2(self.sine.rot_re[l] as f64) * self.sample_rate
            / (2.0 * PI)
    }
}

#[cfg(test)]
mod tests {
    use super::super::greenwood::{channel_map, DEFAULT_HIGH_HZ, DEFAULT_LOW_HZ};
    use super::*;

    fn rms_of(kind: usize, lane: usize, fs: f64) -> f32 {
        let map = channel_map(8, DEFAULT_LOW_HZ, DEFAULT_HIGH_HZ, fs);
        let mut c = Carriers::new(fs);
        c.set_bands(&map, 0.0);
        let mut amp = [0.0f32; LANES];
        amp[lane] = 1.0;
        let mut w = [0.0f32; 4];
        w[kind] = 1.0;
        let frame = (fs / 900.0) as f32;
        let mut acc = 0.0f64;
        let n = fs as usize;
        for i in 0..n {
            if i % frame as usize == 0 {
                c.start_frame(frame);
            }
            let y = c.next::<LANES>(&amp, &w);
            acc += (y * y) as f64;
        }
        (acc / n as f64).sqrt() as f32
    }

    #[test]
    fn every_carrier_has_the_power_of_a_unit_sine() {
        for kind in 0..4 {
            for lane in [0, 4, 7] {
                let r = rms_of(kind, lane, 48000.0);
                let db = 20.0 * (r / std::f32::consts::FRAC_1_SQRT_2).log10();
                assert!(db.abs() < 1.0, "kind {kind} lane {lane}: {db:.2} dB");
            }
        }
    }

    #[test]
    fn shift_moves_each_sine_carrier_to_greenwood_of_the_shifted_place() {
        let fs = 48000.0;
        let map = channel_map(8, DEFAULT_LOW_HZ, DEFAULT_HIGH_HZ, fs);
        let mut c = Carriers::new(fs);
        for s in [0.0, 2.0, 4.0, 8.0] {
            c.set_bands(&map, s);
            for (l, ch) in map.iter().enumerate() {
                let want = greenwood::frequency_hz(ch.place_mm + s).min(0.45 * fs);
                let got = c.sine_hz(l);
                assert!(
                    (got / want - 1.0).abs() < 0.01,
                    "shift {s}, ch{l}: {got} vs {want}"
                );
            }
        }
    }
}
