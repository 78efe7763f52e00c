//! The implant processor's analysis filterbank: one band per electrode, and its envelope.
//!
//! Each band is taken by complex demodulation: the input is multiplied by e^(−iωt) at the
//! band's centre (in Hz, the middle of its edges) and low-passed at half the band's width, so
//! the passband is exactly [low, high]; the envelope is 2·|baseband| (the Hilbert envelope of
//! the band). The low-pass is a 6th-order Butterworth: a tone at a channel's centre lies ≈ 2
//! half-widths from its neighbours' centres, where the low-pass is down 6 · 6 ≈ 33 dB — the
//! channel selectivity an implant's FFT filterbank has, which plain 4th-order band-passes on
//! 1/5-octave bands do not reach. All channels run side by side in fixed-size lanes, so the
//! loops vectorise: the first 8, 16 or all [`LANES`], whichever holds the channels (the
//! lanes past them are silent and not computed).

use super::greenwood::Channel;
use std::f64::consts::PI;

/// Lanes: the most channels (22), padded to a multiple of 8.
pub const LANES: usize = 24;
/// Butterworth sections of the baseband low-pass (order 6).
const SECTIONS: usize = 3;

/// Q of the sections of an order-6 Butterworth low-pass: 1 / (2 cos θ_k), θ_k = (2k+1)π/24.
fn butterworth_q(k: usize) -> f64 {
    1.0 / (2.0 * ((2 * k + 1) as f64 * PI / (4 * SECTIONS) as f64).cos())
}

pub use crate::biquad::lowpass as lowpass_biquad;

/// One second-order section over all lanes (transposed direct form II), same coefficients
/// for the real and imaginary parts of a lane.
#[derive(Clone, Debug)]
struct Section {
    coef: [[f64; LANES]; 5],
    s1: [[f64; LANES]; 2],
    s2: [[f64; LANES]; 2],
}

impl Section {
    fn new() -> Self {
        Self {
            coef: [[0.0; LANES]; 5],
            s1: [[0.0; LANES]; 2],
            s2: [[0.0; LANES]; 2],
        }
    }

    #[inline(always)]
    fn run<const L: usize>(&mut self, x: &mut [[f64; LANES]; 2]) {
        let [b0, b1, b2, a1, a2] = &self.coef;
        for p in 0..2 {
            let (s1, s2, x) = (&mut self.s1[p], &mut self.s2[p], &mut x[p]);
            for l in 0..L {
                let y = b0[l] * x[l] + s1[l];
                s1[l] = b1[l] * x[l] - a1[l] * y + s2[l];
                s2[l] = b2[l] * x[l] - a2[l] * y;
                x[l] = y;
            }
        }
    }

    fn clear(&mut self) {
        self.s1 = [[0.0; LANES]; 2];
        self.s2 = [[0.0; LANES]; 2];
    }
}

/// Band envelopes of up to [`LANES`] channels.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Demodulating oscillator per lane: current phasor and its per-sample rotation.
    osc: [[f64; LANES]; 2],
    rot: [[f64; LANES]; 2],
    sections: [Section; SECTIONS],
    since_renorm: u32,
}

impl Analysis {
    pub fn new(map: &[Channel], sample_rate: f64) -> Self {
        let mut a = Self {
            osc: [[1.0; LANES], [0.0; LANES]],
            rot: [[1.0; LANES], [0.0; LANES]],
            sections: [Section::new(), Section::new(), Section::new()],
            since_renorm: 0,
        };
        for (l, ch) in map.iter().take(LANES).enumerate() {
            let centre = 0.5 * (ch.low_hz + ch.high_hz);
            let half = 0.5 * (ch.high_hz - ch.low_hz);
            let w = 2.0 * PI * centre / sample_rate;
            a.rot[0][l] = w.cos();
            a.rot[1][l] = -w.sin();
            for (k, s) in a.sections.iter_mut().enumerate() {
                let c = lowpass_biquad(half, butterworth_q(k), sample_rate);
                for (i, v) in c.iter().enumerate() {
                    s.coef[i][l] = *v;
                }
            }
        }
        a.reset();
        a
    }

    /// Zeroes filter states too small to matter, so silence never runs on subnormals.
    pub fn flush_tiny(&mut self) {
        for s in &mut self.sections {
            for v in s.s1.iter_mut().chain(s.s2.iter_mut()).flatten() {
                if v.abs() < 1e-30 {
                    *v = 0.0;
                }
            }
        }
    }

    pub fn reset(&mut self) {
        self.osc = [[1.0; LANES], [0.0; LANES]];
        for s in &mut self.sections {
            s.clear();
        }
        self.since_renorm = 0;
    }

    /// One input sample → the band envelopes (amplitude) of the first `L` lanes (lanes
    /// past the channel count read 0; lanes from `L` on are not computed).
    #[inline(always)]
    pub fn process<const L: usize>(&mut self, x: f32, envelope: &mut [f32; LANES]) {
        let x = x as f64;
        let mut z = [[0.0f64; LANES]; 2];
        let [or, oi] = &mut self.osc;
        let [rr, ri] = &self.rot;
        for l in 0..L {
            z[0][l] = x * or[l];
            z[1][l] = x * oi[l];
            let (a, b) = (or[l] * rr[l] - oi[l] * ri[l], or[l] * ri[l] + oi[l] * rr[l]);
            or[l] = a;
            oi[l] = b;
        }
        for s in &mut self.sections {
            s.run::<L>(&mut z);
        }
        for l in 0..L {
            envelope[l] = (2.0 * (z[0][l] * z[0][l] + z[1][l] * z[1][l]).sqrt()) as f32;
        }
        self.since_renorm += 1;
        if self.since_renorm >= 1024 {
            // Keep the oscillators on the unit circle (rounding drifts them slowly).
            self.since_renorm = 0;
            for l in 0..LANES {
                let g = 1.0 / (or[l] * or[l] + oi[l] * oi[l]).sqrt();
                or[l] *= g;
                oi[l] *= g;
            }
        }
    }

    /// Magnitude response of channel `l` at `f_hz` (from the design, for tests and displays).
    pub fn response(map: &[Channel], l: usize, f_hz: f64, sample_rate: f64) -> f64 {
        let ch = map[l];
        let centre = 0.5 * (ch.low_hz + ch.high_hz);
        let half = 0.5 * (ch.high_hz - ch.low_hz);
        let w = 2.0 * PI * (f_hz - centre) / sample_rate;
        (0..SECTIONS)
            .map(|k| {
                let [b0, b1, b2, a1, a2] = lowpass_biquad(half, butterworth_q(k), sample_rate);
                let z1 = (w.cos(), -w.sin());
                let z2 = ((2.0 * w).cos(), -(2.0 * w).sin());
                let num = (b0 + b1 * z1.0 + b2 * z2.0, b1 * z1.1 + b2 * z2.1);
                let den = (1.0 + a1 * z1.0 + a2 * z2.0, a1 * z1.1 + a2 * z2.1);
                (num.0.hypot(num.1)) / (den.0.hypot(den.1))
            })
            .product()
    }
}

#[cfg(test)]
mod tests {
    use super::super::greenwood::{self, channel_map, DEFAULT_HIGH_HZ, DEFAULT_LOW_HZ};
    use super::*;

    fn tone_envelopes(map: &[Channel], fs: f64, f: f64, amp: f32) -> Vec<f32> {
        let mut a = Analysis::new(map, fs);
        let mut env = [0.0f32; LANES];
        let mut acc = vec![0.0f64; map.len()];
        let n = (0.3 * fs) as usize;
        let mut count = 0;
        for i in 0..n {
            let x = amp * (2.0 * PI * f * i as f64 / fs).sin() as f32;
            a.process::<LANES>(x, &mut env);
            if i > n / 2 {
                for (s, e) in acc.iter_mut().zip(&env) {
                    *s += *e as f64;
                }
                count += 1;
            }
        }
        acc.iter().map(|s| (s / count as f64) as f32).collect()
    }

    #[test]
    fn a_tone_at_a_channel_centre_drives_it_and_its_neighbours_are_20_db_down() {
        for fs in [22050.0, 48000.0, 96000.0] {
            for n in [4, 8, 16, 22] {
                let map = channel_map(n, DEFAULT_LOW_HZ, DEFAULT_HIGH_HZ, fs);
                for k in [0, n / 2, n - 1] {
                    let env = tone_envelopes(&map, fs, map[k].centre_hz, 0.5);
                    assert!((env[k] - 0.5).abs() < 0.05, "{fs} {n} ch{k}: {}", env[k]);
                    for (j, e) in env.iter().enumerate() {
                        if j != k {
                            let down = 20.0 * (env[k] / e.max(1e-12)).log10();
                            let want = if j.abs_diff(k) == 1 { 20.0 } else { 30.0 };
                            assert!(
                                down >= want,
                                "{fs} {n}: tone in ch{k}, ch{j} only {down:.1} dB down"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn channel_centres_are_greenwood_within_one_percent() {
        // A channel's measured centre: the middle, in cochlear place, of its response's −3 dB
        // points (found by bisection on the designed response), mapped back to Hz.
        for fs in [22050.0, 44100.0, 48000.0, 96000.0] {
            for n in [4, 8, 12, 16, 22] {
                let map = channel_map(n, DEFAULT_LOW_HZ, DEFAULT_HIGH_HZ, fs);
                for (l, ch) in map.iter().enumerate() {
                    let h = |f: f64| Analysis::response(&map, l, f, fs);
                    let peak = h(0.5 * (ch.low_hz + ch.high_hz));
                    let half_power = |mut below: f64, mut above: f64, rising: bool| {
                        for _ in 0..60 {
                            let mid = 0.5 * (below + above);
                            if (h(mid) > peak / 2f64.sqrt()) == rising {
                                above = mid;
                            } else {
                                below = mid;
                            }
                        }
                        0.5 * (below + above)
                    };
                    let centre = 0.5 * (ch.low_hz + ch.high_hz);
                    let lo = half_power(ch.low_hz * 0.5, centre, true);
                    let hi = half_power(centre, ch.high_hz * 1.5, false);
                    let mid = 0.5 * (greenwood::place_mm(lo) + greenwood::place_mm(hi));
                    let f = greenwood::frequency_hz(mid);
                    let err = (f / ch.centre_hz - 1.0).abs();
                    assert!(
                        err < 0.01,
                        "{fs} Hz, {n} ch, ch{l}: {f:.1} vs {:.1}",
                        ch.centre_hz
                    );
                }
            }
        }
    }

    #[test]
    fn bands_cover_the_range_without_gaps() {
        // Summed power response of all channels stays within a few dB across the range.
        let fs = 48000.0;
        for n in [4, 8, 22] {
            let map = channel_map(n, DEFAULT_LOW_HZ, DEFAULT_HIGH_HZ, fs);
            let mut f = map[0].centre_hz;
            while f < map[n - 1].centre_hz {
                let p: f64 = (0..n)
                    .map(|l| Analysis::response(&map, l, f, fs).powi(2))
                    .sum();
                assert!(
                    p > 0.45 && p < 1.3,
                    "{n} ch: summed power {p:.2} at {f:.0} Hz"
                );
                f *= 1.01;
            }
        }
    }
}
