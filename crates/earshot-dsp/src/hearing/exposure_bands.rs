//! What reaches each cochlea, per audiogram frequency: the level that drives the temporary
//! threshold shift there ([`super::tts`]).
//!
//! A threshold shift after exposure is largest about half an octave *above* the exposing
//! band (Davis et al. 1950; McFadden 1986; summarised by Melnick 1991, "Human temporary
//! threshold shift (TTS) and damage risk", JASA 90). So the shift at audiogram frequency f
//! is driven by the octave centred half an octave below it, from f/2 to f.
//!
//! Levels are what reaches the cochlea: each bin is weighted by MSBG's outer- and
//! middle-ear transfer (free field to eardrum minus the middle-ear attenuation, 0 dB at
//! 1 kHz; `loss::ear_transfer::correction_db`). That is why broadband noise shifts most
//! at 4–6 kHz: the ear canal's resonance (+12…17 dB at 2–4 kHz) feeds the 2–4 and 3–6 kHz
//! octaves.
//! The result is in dB SPL as a free-field level at 1 kHz would read (through the
//! calibration).
//!
//! The analysis is an FFT of about 43 ms (2048 points at 44.1/48 kHz), periodic Hann, hop
//! half of it: exposure is integrated over seconds, so ~21 ms resolution is plenty, and the
//! cost is two FFTs per 21 ms (far below the loss stage's 690 per second per ear).

use crate::audiogram::{POINTS, STANDARD_HZ};
use crate::calibration::{Calibration, SINE_CREST_DB};
use crate::loss::ear_transfer::correction_db;
use realfft::num_complex::Complex32;
use realfft::{RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// Each ear's band levels, dB SPL, at the audiogram frequencies.
pub type BandLevels = [[f32; POINTS]; 2];

/// Frames about this long, s (rounded up to a power of two in samples).
const FRAME_S: f32 = 1.0 / 24.0;

/// The two ears' band analysis on a fixed grid of hops (independent of block sizes).
pub struct ExposureBands {
    n: usize,
    hop: usize,
    /// The last `n` samples of each ear, oldest first once rotated by `write`.
    ring: [Vec<f32>; 2],
    write: usize,
    /// Samples since the last analysis.
    since: usize,
    window: Vec<f32>,
    fft: Arc<dyn RealToComplex<f32>>,
    frame: Vec<f32>,
    spectrum: Vec<Complex32>,
    scratch: Vec<Complex32>,
    /// Per audiogram point: first bin, and the weights (ear transfer, power) of its bins.
    bands: [(usize, Vec<f32>); POINTS],
    /// Mean square of a frame's band from its weighted |X|² sum.
    norm: f32,
}

impl ExposureBands {
    /// Allocates everything for `sample_rate`.
    pub fn new(sample_rate: f32) -> Self {
        let n = ((sample_rate * FRAME_S).ceil() as usize)
            .next_power_of_two()
            .max(256);
        let hop = n / 2;
        let window: Vec<f32> = (0..n)
            .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / n as f32).cos())
            .collect();
        let w2: f32 = window.iter().map(|w| w * w).sum();
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n);
        let bin_hz = sample_rate / n as f32;
        let nyquist_bin = n / 2;
        let bands = std::array::from_fn(|p| {
            let hi = STANDARD_HZ[p];
            let lo = hi / 2.0;
            let first = ((lo / bin_hz).ceil() as usize).min(nyquist_bin);
            let last = ((hi / bin_hz).ceil() as usize).min(nyquist_bin);
            let weights = (first..last.max(first + 1).min(nyquist_bin + 1))
                .map(|k| 10f32.powf(correction_db(k as f64 * bin_hz as f64) as f32 / 10.0))
                .collect();
            (first, weights)
        });
        Self {
            n,
            hop,
            ring: [vec![0.0; n], vec![0.0; n]],
            write: 0,
            since: 0,
            window,
            frame: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            bands,
            // Parseval over the one-sided spectrum: mean square = 2 Σ|X_k|² / (n Σw²).
            norm: 2.0 / (n as f32 * w2),
        }
    }

    /// Samples between analyses.
    pub fn hop(&self) -> usize {
        self.hop
    }

    /// Samples until the next analysis.
    pub fn until_analysis(&self) -> usize {
        self.hop - self.since
    }

    /// Samples since the last analysis.
    pub fn since_analysis(&self) -> usize {
        self.since
    }

    pub fn reset(&mut self) {
        for r in &mut self.ring {
            r.fill(0.0);
        }
        self.write = 0;
        self.since = 0;
    }

    /// Takes `samples` of silence without analysing them; returns how many hops they
    /// completed.
    pub fn skip_silence(&mut self, samples: usize) -> usize {
        let zeros = samples.min(self.n);
        for ring in &mut self.ring {
            let mut at = self.write;
            for _ in 0..zeros {
                ring[at] = 0.0;
                at = if at + 1 == self.n { 0 } else { at + 1 };
            }
        }
        self.write = (self.write + samples) % self.n;
        let total = self.since + samples;
        self.since = total % self.hop;
        total / self.hop
    }

    /// Takes `world` (1 = mono, both ears hear it; 2 = left, right), at most
    /// [`Self::until_analysis`] samples. Returns the band levels when this completes a hop
    /// and `analyse` is set (when it is not, the hop passes without an FFT).
    pub fn push(
        &mut self,
        world: &[&[f32]],
        cal: Calibration,
        analyse: bool,
    ) -> Option<BandLevels> {
        let len = world.iter().map(|w| w.len()).min().unwrap_or(0);
        debug_assert!(len <= self.until_analysis());
        let len = len.min(self.until_analysis());
        for (ear, ring) in self.ring.iter_mut().enumerate() {
            let w = world.get(ear).or(world.first())?;
            let mut at = self.write;
            for &v in &w[..len] {
                ring[at] = v;
                at = if at + 1 == self.n { 0 } else { at + 1 };
            }
        }
        self.write = (self.write + len) % self.n;
        self.since += len;
        if self.since < self.hop {
            return None;
        }
        self.since = 0;
        if !analyse {
            return None;
        }
        let mut levels = [[0.0; POINTS]; 2];
        for (ear, out) in levels.iter_mut().enumerate() {
            *out = self.analyse(ear, cal);
        }
        Some(levels)
    }

    /// One ear's band levels over the last `n` samples, dB SPL.
    fn analyse(&mut self, ear: usize, cal: Calibration) -> [f32; POINTS] {
        let ring = &self.ring[ear];
        let (older, newer) = ring.split_at(self.write);
        for ((f, x), w) in self
            .frame
            .iter_mut()
            .zip(newer.iter().chain(older))
            .zip(&self.window)
        {
            *f = x * w;
        }
        if self
            .fft
            .process_with_scratch(&mut self.frame, &mut self.spectrum, &mut self.scratch)
            .is_err()
        {
            return [f32::NEG_INFINITY; POINTS];
        }
        std::array::from_fn(|p| {
            let (first, weights) = &self.bands[p];
            let power: f32 = self.spectrum[*first..]
                .iter()
                .zip(weights)
                .map(|(x, g)| x.norm_sqr() * g)
                .sum();
            let mean_square = power * self.norm;
            if mean_square.is_finite() && mean_square > 1e-20 {
                // Mean square 0.5 (a full-scale sine) is the calibration level.
                cal.full_scale_sine_db_spl + SINE_CREST_DB + 10.0 * mean_square.log10()
            } else {
                f32::NEG_INFINITY
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(b: &mut ExposureBands, x: &[f32], cal: Calibration) -> Vec<BandLevels> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < x.len() {
            let n = b.until_analysis().min(x.len() - pos).min(37);
            if let Some(l) = b.push(&[&x[pos..pos + n]], cal, true) {
                out.push(l);
            }
            pos += n;
        }
        out
    }

    #[test]
    fn a_tone_drives_the_octave_above_it_at_its_level_through_the_ear() {
        // A 1.2 kHz sine at 90 dB SPL lies in the 1–2 kHz octave, which drives 2 kHz only
        // (3 kHz's octave starts at 1.5 kHz).
        let fs = 48000.0;
        let cal = Calibration::new(100.0);
        let amp = cal.sine_amplitude(90.0);
        let x: Vec<f32> = (0..(fs as usize))
            .map(|i| amp * (2.0 * std::f32::consts::PI * 1200.0 * i as f32 / fs).sin())
            .collect();
        let mut b = ExposureBands::new(fs);
        let levels = run(&mut b, &x, cal);
        let last = levels.last().unwrap()[0];
        let expect = 90.0 + correction_db(1200.0) as f32;
        assert!((last[4] - expect).abs() < 0.2, "{last:?} vs {expect}");
        // Elsewhere only the window's side lobes: Hann's fall below −60 dB within an octave.
        for (p, l) in last.iter().enumerate() {
            if p != 4 {
                assert!(*l < expect - 50.0, "point {p}: {l}");
            }
        }
    }

    #[test]
    fn hops_sit_on_a_grid_whatever_the_pushes() {
        let fs = 44100.0;
        let cal = Calibration::new(100.0);
        let x: Vec<f32> = (0..20000)
            .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5)
            .collect();
        let mut a = ExposureBands::new(fs);
        let mut b = ExposureBands::new(fs);
        let ra = run(&mut a, &x, cal);
        let mut rb = Vec::new();
        let mut pos = 0;
        while pos < x.len() {
            let n = b.until_analysis().min(x.len() - pos);
            if let Some(l) = b.push(&[&x[pos..pos + n]], cal, true) {
                rb.push(l);
            }
            pos += n;
        }
        assert_eq!(ra, rb);
        assert_eq!(ra.len(), x.len() / a.hop());
    }
}
