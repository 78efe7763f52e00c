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
//! An oscillator turns only while a carrier that reads it has weight; one no weighted carrier
//! reads holds its phase (it is silent then, so the pause is inaudible) and resumes from there
//! when a switch (crossfaded by the caller) fades its carrier in: a phase is never restarted
//! under a sounding carrier, and the three unused oscillator banks cost nothing.

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
/// Lanes rendered together (one AVX2 vector of f32).
const BLOCK: usize = 8;
/// Most samples [`Carriers::render`] takes at once.
pub const SUB_CHUNK: usize = 32;
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

    fn reset(&mut self) {
        self.re = [1.0; LANES];
        self.im = [0.0; LANES];
    }
}

/// Lanes `b..b + 8` of `a` (one bounds check, then a vector copy).
#[inline(always)]
fn lanes_of<T: Copy + Default>(a: &[T; LANES], b: usize) -> [T; BLOCK] {
    let mut out = [T::default(); BLOCK];
    out.copy_from_slice(&a[b..b + BLOCK]);
    out
}

#[inline(always)]
fn lanes(a: &[f32; LANES], b: usize) -> [f32; BLOCK] {
    lanes_of(a, b)
}

/// Lanes `b..b + 8` of a [`Phasors`] bank, held in registers while a sub-chunk renders.
struct Block {
    re: [f32; BLOCK],
    im: [f32; BLOCK],
    rot_re: [f32; BLOCK],
    rot_im: [f32; BLOCK],
}

impl Block {
    #[inline(always)]
    fn load(p: &Phasors, b: usize) -> Self {
        Self {
            re: lanes(&p.re, b),
            im: lanes(&p.im, b),
            rot_re: lanes(&p.rot_re, b),
            rot_im: lanes(&p.rot_im, b),
        }
    }

    #[inline(always)]
    fn store(&self, p: &mut Phasors, b: usize) {
        p.re[b..b + BLOCK].copy_from_slice(&self.re);
        p.im[b..b + BLOCK].copy_from_slice(&self.im);
    }

    #[inline(always)]
    fn advance(&mut self) {
        for j in 0..BLOCK {
            let (a, c) = (self.re[j], self.im[j]);
            self.re[j] = a * self.rot_re[j] - c * self.rot_im[j];
            self.im[j] = a * self.rot_im[j] + c * self.rot_re[j];
        }
    }

    fn renormalise(&mut self) {
        for j in 0..BLOCK {
            let g = 1.0 / (self.re[j] * self.re[j] + self.im[j] * self.im[j]).sqrt();
            self.re[j] *= g;
            self.im[j] *= g;
        }
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

    /// Renders a sub-chunk: `out[i]` = the sum over lanes of `amps[i][l]` × carrier kind `k`
    /// of lane `l`, for each kind weight `weights[i][k]` (a crossfade sounds two kinds at
    /// once). A stimulation frame of `len` samples starts before sample `i` for each
    /// `(i, len)` in `frames` (in order): it sets the pulse carriers' pip length, and each
    /// lane fires one pip, staggered across the frame as CIS/ACE interleave their pulses. Only the first `L` lanes are
    /// computed (the rest are silent: past the channel count).
    ///
    /// Lanes are taken 8 at a time over the whole sub-chunk, so a block's oscillators and
    /// filters stay in registers; every step is per lane, so the order changes no lane's
    /// signal, and the lanes are summed in a fixed order (per block, then pairwise).
    /// Inlined, so the caller's AVX2 build covers it.
    #[inline(always)]
    pub fn render<const L: usize>(
        &mut self,
        amps: &[[f32; LANES]],
        weights: &[[f32; 4]],
        frames: &[(usize, f32)],
        out: &mut [f32],
    ) {
        let n = out.len();
        let mut sums = [[0.0f32; BLOCK]; SUB_CHUNK];
        let mut since_renorm = self.since_renorm;
        let mut pip_len = self.pip_len;
        let channels = self.channels.max(1) as f32;
        let pulse = (1.0 / (0.406_349 * PIP_FRACTION)).sqrt();
        for b in (0..L).step_by(BLOCK) {
            let mut sine = Block::load(&self.sine, b);
            let mut partial2 = Block::load(&self.partial2, b);
            let mut partial3 = Block::load(&self.partial3, b);
            let mut noise_osc = Block::load(&self.noise_osc, b);
            let lanes = |a: &[f32; LANES]| lanes(a, b);
            let mut noise_state: [u32; BLOCK] = lanes_of(&self.noise_state, b);
            let [[mut sr1, mut sr2], [mut si1, mut si2]] =
                self.noise_s.map(|part| part.map(|s| lanes(&s)));
            let [nb0, nb1, nb2, na1, na2] = self.noise_coef.map(|c| lanes(&c));
            let noise_gain = lanes(&self.noise_gain);
            let audible = lanes(&self.audible);
            let [pg2, pg3] = self.partial_gain.map(|g| lanes(&g));
            let mut ring = lanes(&self.ring);
            let mut pip_wait = lanes(&self.pip_wait);
            let mut pip_pos = lanes(&self.pip_pos);
            since_renorm = self.since_renorm;
            pip_len = self.pip_len;
            let mut frame = 0;
            for i in 0..n {
                if let Some(&(_, len)) = frames.get(frame).filter(|f| f.0 == i) {
                    frame += 1;
                    pip_len = (len * PIP_FRACTION).max(2.0);
                    for j in 0..BLOCK {
                        pip_wait[j] = len * (b + j) as f32 / channels;
                    }
                }
                let amp = lanes(&amps[i]);
                let w = weights[i];
                // Only the oscillators a weighted kind reads turn (see the module
                // documentation).
                if w[1] > 0.0 || w[2] > 0.0 || w[3] > 0.0 {
                    sine.advance();
                }
                if w[3] > 0.0 {
                    partial2.advance();
                    partial3.advance();
                }
                let mut gain = [0.0f32; BLOCK];
                for j in 0..BLOCK {
                    gain[j] = amp[j] * audible[j];
                }
                let mut lane = [0.0f32; BLOCK];
                if w[0] > 0.0 {
                    noise_osc.advance();
                    for j in 0..BLOCK {
                        // Two draws per lane (real, then imaginary part), each through the
                        // band's low-pass.
                        let xr = white(&mut noise_state[j]);
                        let xi = white(&mut noise_state[j]);
                        let yr = nb0[j] * xr + sr1[j];
                        sr1[j] = nb1[j] * xr - na1[j] * yr + sr2[j];
                        sr2[j] = nb2[j] * xr - na2[j] * yr;
                        let yi = nb0[j] * xi + si1[j];
                        si1[j] = nb1[j] * xi - na1[j] * yi + si2[j];
                        si2[j] = nb2[j] * xi - na2[j] * yi;
                        let re = yr * noise_osc.re[j] - yi * noise_osc.im[j];
                        lane[j] += w[0] * gain[j] * noise_gain[j] * re;
                    }
                }
                if w[1] > 0.0 {
                    for j in 0..BLOCK {
                        lane[j] += w[1] * gain[j] * sine.re[j];
                    }
                }
                // Pips keep time whatever is selected, so a switch to pulses starts in step.
                for j in 0..BLOCK {
                    let start = pip_wait[j] <= 0.0;
                    pip_pos[j] = if start { -pip_wait[j] } else { pip_pos[j] };
                    pip_wait[j] = if start {
                        f32::INFINITY
                    } else {
                        pip_wait[j] - 1.0
                    };
                }
                if w[2] > 0.0 {
                    // Pip shape 16 x² (1 − x)²: Hann-like, smooth at both ends, no cosine per
                    // sample. Its mean square is 256 · B(5, 5) = 0.406; with the duty cycle
                    // this gain gives the train a unit sine's power.
                    let wp = w[2] * pulse;
                    let inv_len = 1.0 / pip_len;
                    for j in 0..BLOCK {
                        let x = (pip_pos[j] * inv_len).min(1.0);
                        let shape = 16.0 * x * x * (1.0 - x) * (1.0 - x);
                        lane[j] += wp * gain[j] * shape * sine.re[j];
                    }
                }
                for p in pip_pos.iter_mut() {
                    *p += 1.0;
                }
                // The ring follows the amplitude up at once and decays slowly (always
                // tracked, so a switch to metallic starts from the right level).
                for j in 0..BLOCK {
                    ring[j] = amp[j].max(ring[j] * self.ring_decay);
                }
                if w[3] > 0.0 {
                    // 1/√(1 + 0.5² + 0.25²): the partials' total power as one sine's.
                    let wm = w[3] * 0.873;
                    for j in 0..BLOCK {
                        let tone = sine.re[j] + pg2[j] * partial2.re[j] + pg3[j] * partial3.re[j];
                        lane[j] += wm * ring[j] * audible[j] * tone;
                    }
                }
                since_renorm += 1;
                if since_renorm >= 512 {
                    since_renorm = 0;
                    for p in [&mut sine, &mut partial2, &mut partial3, &mut noise_osc] {
                        p.renormalise();
                    }
                }
                for j in 0..BLOCK {
                    sums[i][j] += lane[j];
                }
            }
            sine.store(&mut self.sine, b);
            partial2.store(&mut self.partial2, b);
            partial3.store(&mut self.partial3, b);
            noise_osc.store(&mut self.noise_osc, b);
            for j in 0..BLOCK {
                let l = b + j;
                self.noise_state[l] = noise_state[j];
                self.noise_s[0][0][l] = sr1[j];
                self.noise_s[0][1][l] = sr2[j];
                self.noise_s[1][0][l] = si1[j];
                self.noise_s[1][1][l] = si2[j];
                self.ring[l] = ring[j];
                self.pip_wait[l] = pip_wait[j];
                self.pip_pos[l] = pip_pos[j];
            }
        }
        self.since_renorm = since_renorm;
        self.pip_len = pip_len;
        // Pairwise sum of each sample's 8 block sums (rounds better than a running sum).
        for (y, s) in out.iter_mut().zip(&sums) {
            let four = [s[0] + s[4], s[1] + s[5], s[2] + s[6], s[3] + s[7]];
            *y = (four[0] + four[2]) + (four[1] + four[3]);
        }
    }

    /// One output sample (tests): [`Self::render`] over one sample, starting a frame of
    /// `frame` samples before it when given.
    #[cfg(test)]
    fn next(&mut self, amp: &[f32; LANES], weights: &[f32; 4], frame: Option<f32>) -> f32 {
        let mut y = [0.0];
        let frames: &[(usize, f32)] = match &frame {
            Some(len) => &[(0, *len)],
            None => &[],
        };
        self.render::<LANES>(&[*amp], &[*weights], frames, &mut y);
        y[0]
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
            let starts = (i % frame as usize == 0).then_some(frame);
            let y = c.next(&amp, &w, starts);
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
