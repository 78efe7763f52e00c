//! The conductive component of a hearing loss: the air–bone gap.
//!
//! A conductive loss (outer or middle ear: wax, fluid behind the eardrum, a fixed stapes) only
//! attenuates the sound on its way to the cochlea. It is linear: no recruitment, no smearing,
//! and the cochlea behind it hears what arrives as it would anyway. On a clinical audiogram it
//! is the gap between the air-conduction thresholds (through the ear canal: O right, X left)
//! and the bone-conduction thresholds (a vibrator on the skull, around the middle ear: <, >).
//! A mixed loss has both.
//!
//! In Earshot the 18 thresholds drawn are the cochlea's (the sensorineural part, what bone
//! conduction measures); the gap, per ear, in dB, with a shape across frequency, is added in
//! front of it: air conduction = drawn + gap. The loss stage attenuates each frame's spectrum
//! by the gap (interpolated in log frequency, as audiogram thresholds are) before anything
//! else, so the recruitment and smearing see only what reaches the cochlea. The tinnitus keeps
//! its dB SL reference on the drawn (cochlear) thresholds: a conductive loss does not weaken a
//! sound that arises behind it. PTA and WHO grade use the air-conduction thresholds.
//!
//! Shapes (shares of the gap at the audiogram frequencies; a design approximation of the
//! typical patterns, not a table from a standard):
//! - **Flat**: the same everywhere (e.g. a blocked ear canal).
//! - **Low-frequency**: a stiffness-dominated lesion such as otitis media with effusion (glue
//!   ear): the full gap up to 500 Hz, about half of it from 3 kHz up.
//! - **Otosclerosis**: the stapes fixed in the oval window: largest at the low frequencies,
//!   smallest around 2 kHz, and on the bone-conduction line the Carhart notch (Carhart 1950:
//!   bone thresholds raised by about 5, 10, 15 and 5 dB at 0.5, 1, 2 and 4 kHz, because the
//!   fixed ossicles no longer add their inertial share to bone conduction). The notch is
//!   drawn on the chart only: it is a measuring artefact, not a loss of the cochlea, so
//!   nothing heard changes with it.

use crate::audiogram::{Audiogram, POINTS};

/// The gap accepted, dB: about 60 dB is the largest conductive loss usually quoted (a
/// complete ossicular discontinuity behind an intact eardrum); beyond it sound reaches the
/// cochlea through the skull anyway.
pub const GAP_RANGE_DB: (f32, f32) = (0.0, 60.0);

/// How the gap is spread across frequency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GapShape {
    #[default]
    Flat,
    LowFrequency,
    Otosclerosis,
}

impl GapShape {
    pub const ALL: [GapShape; 3] = [
        GapShape::Flat,
        GapShape::LowFrequency,
        GapShape::Otosclerosis,
    ];

    pub fn name(self) -> &'static str {
        match self {
            GapShape::Flat => "Flat",
            GapShape::LowFrequency => "Low-frequency",
            GapShape::Otosclerosis => "Otosclerosis",
        }
    }

    /// Share of the gap at 125, 250, 500, 1k, 2k, 3k, 4k, 6k, 8k Hz (at most 1: the gap
    /// parameter is the largest attenuation).
    pub fn profile(self) -> [f32; POINTS] {
        match self {
            GapShape::Flat => [1.0; POINTS],
            GapShape::LowFrequency => [1.0, 1.0, 1.0, 0.85, 0.65, 0.55, 0.5, 0.5, 0.5],
            GapShape::Otosclerosis => [1.0, 1.0, 0.95, 0.8, 0.55, 0.65, 0.7, 0.7, 0.7],
        }
    }

    /// The Carhart notch on the bone-conduction line, dB at the audiogram frequencies, for a
    /// fully fixed stapes (reached at a gap of [`CARHART_FULL_AT_DB`]).
    pub fn bone_notch_db(self) -> [f32; POINTS] {
        match self {
            GapShape::Otosclerosis => [0.0, 0.0, 5.0, 10.0, 15.0, 10.0, 5.0, 0.0, 0.0],
            _ => [0.0; POINTS],
        }
    }
}

/// Gap at which the Carhart notch is drawn in full (a smaller gap, a proportionally smaller
/// notch): the notch is typical of established otosclerosis, with gaps of 20–40 dB.
pub const CARHART_FULL_AT_DB: f32 = 30.0;

/// The gap in dB at each audiogram frequency, as an [`Audiogram`]'s thresholds (so it
/// interpolates the same way).
pub fn gap_at_points(gap_db: f32, shape: GapShape) -> Audiogram {
    let g = if gap_db.is_finite() {
        gap_db.clamp(GAP_RANGE_DB.0, GAP_RANGE_DB.1)
    } else {
        0.0
    };
    Audiogram::new(shape.profile().map(|s| s * g))
}

/// What a clinical audiogram of this ear shows: (air, bone) thresholds in dB HL at the
/// audiogram frequencies. `cochlear` is the drawn audiogram, `gap` the gap at the points.
pub fn air_and_bone(
    cochlear: &Audiogram,
    gap: &Audiogram,
    shape: GapShape,
    gap_db: f32,
) -> (Audiogram, Audiogram) {
    let mut air = cochlear.thresholds_db_hl;
    for (a, g) in air.iter_mut().zip(gap.thresholds_db_hl) {
        *a += g;
    }
    let notch = (gap_db / CARHART_FULL_AT_DB).clamp(0.0, 1.0);
    let mut bone = cochlear.thresholds_db_hl;
    for (b, n) in bone.iter_mut().zip(shape.bone_notch_db()) {
        *b += notch * n;
    }
    (Audiogram::new(air), Audiogram::new(bone))
}

/// Per-bin linear gains of the gap for an FFT of `bins` bins spaced `bin_hz` apart.
pub fn fill_bin_gains(gap: &Audiogram, bin_hz: f32, out: &mut [f32]) {
    for (k, g) in out.iter_mut().enumerate() {
        let db = gap.threshold_at(k as f32 * bin_hz);
        *g = 10f32.powf(-db / 20.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_peak_at_one_and_the_gap_is_clamped() {
        for s in GapShape::ALL {
            let p = s.profile();
            assert_eq!(p.iter().cloned().fold(0.0, f32::max), 1.0, "{s:?}");
            assert!(p.iter().all(|v| *v > 0.0 && *v <= 1.0));
        }
        assert_eq!(
            gap_at_points(100.0, GapShape::Flat).thresholds_db_hl,
            [60.0; POINTS]
        );
        assert_eq!(gap_at_points(f32::NAN, GapShape::Flat), Audiogram::NORMAL);
        assert_eq!(gap_at_points(-5.0, GapShape::Flat), Audiogram::NORMAL);
    }

    #[test]
    fn air_is_cochlear_plus_gap_and_the_carhart_notch_is_on_the_bone_line_only() {
        let cochlear = Audiogram::new([10.0; POINTS]);
        let gap = gap_at_points(30.0, GapShape::Otosclerosis);
        let (air, bone) = air_and_bone(&cochlear, &gap, GapShape::Otosclerosis, 30.0);
        assert_eq!(air.thresholds_db_hl[0], 40.0);
        assert_eq!(bone.thresholds_db_hl[4], 25.0); // 2 kHz: 10 + 15
        assert_eq!(bone.thresholds_db_hl[0], 10.0);
        let (air, bone) = air_and_bone(&cochlear, &Audiogram::NORMAL, GapShape::Flat, 0.0);
        assert_eq!(air, cochlear);
        assert_eq!(bone, cochlear);
    }

    #[test]
    fn bin_gains_follow_the_gap_in_log_frequency() {
        let gap = gap_at_points(20.0, GapShape::LowFrequency);
        let mut g = vec![0.0; 129];
        fill_bin_gains(&gap, 44100.0 / 256.0, &mut g);
        assert!((20.0 * g[0].log10() + 20.0).abs() < 1e-4);
        assert!((20.0 * g[128].log10() + 10.0).abs() < 1e-4);
        assert!(g.windows(2).all(|w| w[1] >= w[0] - 1e-7));
    }
}
