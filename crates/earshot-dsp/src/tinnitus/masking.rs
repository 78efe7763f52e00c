//! Masking: the ringing recedes under loud sound at its pitch.
//!
//! Tinnitus is masked by external sound near its pitch (Feldmann 1971, "Homolateral and
//! contralateral masking of tinnitus by noise-bands and by pure tones", Audiology 10): a
//! narrow band at the tinnitus frequency masks it once the band comes near the tinnitus's
//! own level. The model: the level of what the ear hears (loss and implant output, before
//! the ringing) in one ERB around the pitch (Glasberg & Moore 1990: ERB = 24.7 · (4.37 ·
//! f/kHz + 1) Hz), measured with a 0 dB-peak band-pass and a 50 ms mean square; wherever it
//! exceeds the ringing's level, the ringing is lowered by `amount` × the excess (dB for dB
//! at amount 1), at most [`MAX_DUCK_DB`]. The listener's own masking then does the rest.

use crate::biquad::{self, StereoBiquad};
use crate::calibration::{Calibration, SINE_CREST_DB};

/// Largest masking reduction, dB.
pub const MAX_DUCK_DB: f32 = 40.0;
/// Mean-square time constant, ms.
const AVERAGE_MS: f32 = 50.0;

/// Equivalent rectangular bandwidth of the normal auditory filter at `hz` (Glasberg & Moore
/// 1990), Hz.
pub fn erb_hz(hz: f32) -> f32 {
    24.7 * (4.37 * hz / 1000.0 + 1.0)
}

/// Both ears' masking measurement (one loop: the two band-pass recursions overlap).
#[derive(Clone, Debug)]
pub struct Masking {
    sample_rate: f32,
    band: StereoBiquad,
    centre_hz: f32,
    mean_square: [f32; 2],
    /// Mean-square averaging: the time constant in samples, and the per-block coefficient
    /// for the last block length (recomputed only when the length changes).
    average_samples: f32,
    block_coef: (usize, f32),
}

impl Masking {
    pub fn new(sample_rate: f32) -> Self {
        let mut m = Self {
            sample_rate,
            band: StereoBiquad::default(),
            centre_hz: 0.0,
            mean_square: [0.0; 2],
            average_samples: (AVERAGE_MS * 0.001 * sample_rate).max(1.0),
            block_coef: (0, 0.0),
        };
        m.set_centre(4000.0);
        m
    }

    pub fn reset(&mut self) {
        self.band.reset();
        self.mean_square = [0.0; 2];
    }

    /// Follow the pitch (coefficients change only when it moves by more than 0.5 %).
    pub fn set_centre(&mut self, hz: f32) {
        let hz = if hz.is_finite() {
            hz.clamp(20.0, 0.45 * self.sample_rate)
        } else {
            4000.0
        };
        if (hz / self.centre_hz.max(1.0) - 1.0).abs() > 0.005 {
            self.centre_hz = hz;
            let q = (hz / erb_hz(hz)) as f64;
            self.band
                .set(biquad::bandpass(hz as f64, q, self.sample_rate as f64));
        }
    }

    /// Measure what each ear hears (equal lengths; for mono pass the same slice twice).
    /// The mean square moves once per block, by the block's own mean square with the
    /// coefficient of `n` samples of a 50 ms one-pole: a per-sample average here was a second
    /// recursion in the loop, and the ringing's level is updated per block anyway.
    pub fn analyse(&mut self, heard: [&[f32]; 2]) {
        let n = heard[0].len().min(heard[1].len());
        if n == 0 {
            return;
        }
        if self.block_coef.0 != n {
            self.block_coef = (n, 1.0 - (-(n as f32) / self.average_samples).exp());
        }
        let k = self.block_coef.1;
        let mut band = self.band;
        let mut sum = [0.0f32; 2];
        for (l, r) in heard[0][..n].iter().zip(&heard[1][..n]) {
            let y = band.process([*l, *r]);
            for e in 0..2 {
                sum[e] += y[e] * y[e];
            }
        }
        self.band = band;
        for (ms, s) in self.mean_square.iter_mut().zip(sum) {
            *ms += (s / n as f32 - *ms) * k;
        }
        self.band.flush_tiny();
        for ms in &mut self.mean_square {
            if !ms.is_finite() || *ms < 1e-30 {
                *ms = 0.0;
            }
        }
    }

    /// Level in the ERB around the pitch at `ear`, dB SPL.
    pub fn band_level_db_spl(&self, ear: usize, cal: Calibration) -> f32 {
        let ms = self.mean_square[ear.min(1)];
        cal.full_scale_sine_db_spl + SINE_CREST_DB + 10.0 * ms.max(1e-30).log10()
    }

    /// How far to lower a ringing at `ringing_db_spl` at `ear`, dB (≥ 0).
    pub fn duck_db(&self, ear: usize, ringing_db_spl: f32, amount: f32, cal: Calibration) -> f32 {
        let excess = self.band_level_db_spl(ear, cal) - ringing_db_spl;
        (amount.clamp(0.0, 1.0) * excess.max(0.0)).min(MAX_DUCK_DB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(hz: f32, amp: f32, fs: f32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| amp * (std::f32::consts::TAU * hz * i as f32 / fs).sin())
            .collect()
    }

    #[test]
    fn a_tone_at_the_pitch_reads_its_level_and_ducks_db_for_db() {
        let fs = 48000.0;
        let cal = Calibration::new(100.0);
        let mut m = Masking::new(fs);
        m.set_centre(4000.0);
        let loud = sine(4000.0, 0.1, fs, 24000); // 80 dB SPL
        let quiet = vec![0.0f32; loud.len()];
        m.analyse([&loud, &quiet]);
        assert!((m.band_level_db_spl(0, cal) - 80.0).abs() < 0.3);
        assert!((m.duck_db(0, 70.0, 1.0, cal) - 10.0).abs() < 0.3);
        assert!((m.duck_db(0, 70.0, 0.5, cal) - 5.0).abs() < 0.2);
        assert_eq!(m.duck_db(0, 90.0, 1.0, cal), 0.0);
        // The other ear heard nothing.
        assert_eq!(m.duck_db(1, 0.0, 1.0, cal), 0.0);
    }

    #[test]
    fn sound_far_from_the_pitch_barely_masks() {
        let fs = 48000.0;
        let cal = Calibration::new(100.0);
        let mut m = Masking::new(fs);
        m.set_centre(4000.0);
        let x = sine(1000.0, 0.1, fs, 24000); // 80 dB SPL, two octaves down
        m.analyse([&x, &x]);
        let level = m.band_level_db_spl(0, cal);
        assert!(level < 60.0, "{level}");
    }
}
