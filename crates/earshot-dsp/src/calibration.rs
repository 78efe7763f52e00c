//! Calibration: the bridge between digital level (dBFS) and acoustic level (dB SPL).
//!
//! Earshot's convention (as in the 3D Tune-In Toolkit): `full_scale_sine_db_spl` is the sound
//! pressure level of a full-scale sine (peak amplitude 1.0). Default 100 dB SPL.
//! pyclarity's MSBG uses another convention, RMS 1.0 = 120 dB SPL (a full-scale sine there is
//! ≈ 117 dB SPL); [`Calibration::rms1_db_spl`] converts between the two.

/// Default level of a full-scale sine, dB SPL (docs/science.md, Calibration, 3DTI default).
pub const DEFAULT_DB_SPL: f32 = 100.0;
/// Allowed range of the calibration parameter, dB SPL.
pub const RANGE_DB_SPL: (f32, f32) = (70.0, 130.0);
/// 20·log10(√2): a signal of RMS 1.0 is this much louder than a full-scale sine (RMS 1/√2).
pub const SINE_CREST_DB: f32 = 3.010_3;

/// dBFS ↔ dB SPL mapping.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calibration {
    /// dB SPL of a sine with peak amplitude 1.0.
    pub full_scale_sine_db_spl: f32,
}

impl Default for Calibration {
    fn default() -> Self {
        Self::new(DEFAULT_DB_SPL)
    }
}

impl Calibration {
    /// Clamps to [`RANGE_DB_SPL`]; a non-finite value falls back to the default.
    pub fn new(full_scale_sine_db_spl: f32) -> Self {
        let v = if full_scale_sine_db_spl.is_finite() {
            full_scale_sine_db_spl.clamp(RANGE_DB_SPL.0, RANGE_DB_SPL.1)
        } else {
            DEFAULT_DB_SPL
        };
        Self {
            full_scale_sine_db_spl: v,
        }
    }

    /// dB SPL of a signal whose RMS is 1.0.
    pub fn rms1_db_spl(&self) -> f32 {
        self.full_scale_sine_db_spl + SINE_CREST_DB
    }

    /// Peak amplitude of a sine at `db_spl`.
    pub fn sine_amplitude(&self, db_spl: f32) -> f32 {
        10f32.powf((db_spl - self.full_scale_sine_db_spl) / 20.0)
    }

    /// dB SPL of a signal with the given RMS.
    pub fn rms_to_db_spl(&self, rms: f32) -> f32 {
        20.0 * rms.max(1e-30).log10() + self.rms1_db_spl()
    }

    /// RMS of a signal at `db_spl`.
    pub fn db_spl_to_rms(&self, db_spl: f32) -> f32 {
        10f32.powf((db_spl - self.rms1_db_spl()) / 20.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_scale_sine_is_the_calibration_level() {
        let c = Calibration::new(100.0);
        assert!((c.sine_amplitude(100.0) - 1.0).abs() < 1e-6);
        // RMS of a full-scale sine is 1/√2 and must read as 100 dB SPL.
        assert!((c.rms_to_db_spl(std::f32::consts::FRAC_1_SQRT_2) - 100.0).abs() < 1e-3);
        assert!((c.db_spl_to_rms(c.rms_to_db_spl(0.01)) - 0.01).abs() < 1e-6);
    }

    #[test]
    fn pyclarity_convention_round_trips() {
        // pyclarity: RMS 1.0 = 120 dB SPL, so a full-scale sine is 116.99 dB SPL.
        let c = Calibration::new(120.0 - SINE_CREST_DB);
        assert!((c.rms1_db_spl() - 120.0).abs() < 1e-4);
    }

    #[test]
    fn bad_values_are_clamped() {
        assert_eq!(
            Calibration::new(f32::NAN).full_scale_sine_db_spl,
            DEFAULT_DB_SPL
        );
        assert_eq!(Calibration::new(1e9).full_scale_sine_db_spl, RANGE_DB_SPL.1);
        assert_eq!(
            Calibration::new(-5.0).full_scale_sine_db_spl,
            RANGE_DB_SPL.0
        );
    }
}
