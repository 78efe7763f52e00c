//! Exposure: the ringing swells after loud passages (the "warning signs" before the sudden
//! loss) and settles back over seconds.
//!
//! The input level is measured like a sound level meter's "fast" reading (mean square over
//! 125 ms, IEC 61672-1), in dB SPL through the calibration. What exceeds
//! [`THRESHOLD_DB_SPL`] (85 dB: NIOSH's recommended exposure limit over 8 h, the level at
//! which temporary threshold shift and tinnitus after exposure begin) feeds a leaky
//! integrator with the set time constant τ: after a steady exposure E dB over threshold it
//! approaches E, and in silence it decays as e^(−t/τ). The ringing is raised by
//! `amount × integrator` dB (capped at [`MAX_BOOST_DB`]).

use crate::calibration::{Calibration, SINE_CREST_DB};

/// Exposure above this feeds the integrator, dB SPL.
pub const THRESHOLD_DB_SPL: f32 = 85.0;
/// Sound level meter "fast" time weighting, ms (IEC 61672-1).
pub const FAST_MS: f32 = 125.0;
/// Largest swell of the ringing, dB.
pub const MAX_BOOST_DB: f32 = 30.0;
/// Time-constant range, s.
pub const DECAY_S: (f32, f32) = (1.0, 600.0);

#[derive(Clone, Debug)]
pub struct Exposure {
    sample_rate: f32,
    mean_square: f32,
    integrator_db: f32,
    /// Coefficients for the last (block length, τ): blocks are mostly the same length.
    coef_key: (usize, f32),
    coef: (f32, f32),
}

impl Exposure {
    pub fn new(sample_rate: f32) -> Self {
        Self {
            sample_rate,
            mean_square: 0.0,
            integrator_db: 0.0,
            coef_key: (0, 0.0),
            coef: (0.0, 0.0),
        }
    }

    pub fn reset(&mut self) {
        self.mean_square = 0.0;
        self.integrator_db = 0.0;
    }

    /// Advance by `samples` samples whose mean square was `mean_square` (the loudest ear's
    /// or the mono input's).
    pub fn advance(&mut self, mean_square: f32, samples: usize, cal: Calibration, decay_s: f32) {
        if samples == 0 {
            return;
        }
        let n = samples as f32;
        let ms = if mean_square.is_finite() {
            mean_square.max(0.0)
        } else {
            0.0
        };
        let tau = if decay_s.is_finite() {
            decay_s.clamp(DECAY_S.0, DECAY_S.1)
        } else {
            30.0
        };
        if self.coef_key != (samples, tau) {
            self.coef_key = (samples, tau);
            self.coef = (
                1.0 - (-n / (FAST_MS * 0.001 * self.sample_rate)).exp(),
                1.0 - (-n / (tau * self.sample_rate)).exp(),
            );
        }
        let (fast, k) = self.coef;
        self.mean_square += (ms - self.mean_square) * fast;
        if self.mean_square < 1e-30 {
            self.mean_square = 0.0;
        }
        // Mean square of a full-scale sine (0.5) is the calibration level.
        let level =
            cal.full_scale_sine_db_spl + SINE_CREST_DB + 10.0 * self.mean_square.max(1e-30).log10();
        let excess = (level - THRESHOLD_DB_SPL).max(0.0);
        self.integrator_db += (excess - self.integrator_db) * k;
        if self.integrator_db < 1e-6 {
            self.integrator_db = 0.0;
        }
    }

    /// The integrated excess, dB.
    pub fn exposure_db(&self) -> f32 {
        self.integrator_db
    }

    /// The ringing's swell for `amount` (dB per dB of exposure), dB.
    pub fn boost_db(&self, amount: f32) -> f32 {
        (amount.max(0.0) * self.integrator_db).min(MAX_BOOST_DB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loud_input_charges_and_silence_decays_with_tau() {
        let fs = 48000.0;
        let cal = Calibration::new(100.0);
        let mut e = Exposure::new(fs);
        // A 100 dB SPL sine at this calibration: amplitude 1, mean square 0.5.
        let block = 480;
        let tau = 20.0;
        for _ in 0..(10.0 * fs) as usize / block {
            e.advance(0.5, block, cal, tau);
        }
        // 15 dB over threshold for 10 s with τ = 20 s: 15 (1 − e^(−0.5)) ≈ 5.9 dB.
        let charged = e.exposure_db();
        assert!((charged - 5.9).abs() < 0.3, "{charged}");
        // Silence: after the fast meter empties, the decay is e^(−t/τ).
        for _ in 0..(1.0 * fs) as usize / block {
            e.advance(0.0, block, cal, tau);
        }
        let a = e.exposure_db();
        for _ in 0..(10.0 * fs) as usize / block {
            e.advance(0.0, block, cal, tau);
        }
        let b = e.exposure_db();
        let measured_tau = 10.0 / (a / b).ln();
        assert!((measured_tau / tau - 1.0).abs() < 0.02, "τ {measured_tau}");
    }

    #[test]
    fn quiet_input_never_charges_and_bad_input_is_ignored() {
        let mut e = Exposure::new(44100.0);
        let cal = Calibration::new(100.0);
        for _ in 0..1000 {
            e.advance(0.5 * 10f32.powf(-2.0), 441, cal, 10.0); // 80 dB SPL
        }
        assert_eq!(e.exposure_db(), 0.0);
        e.advance(f32::NAN, 441, cal, f32::NAN);
        assert!(e.exposure_db().is_finite());
        assert_eq!(e.boost_db(1.0), 0.0);
    }
}
