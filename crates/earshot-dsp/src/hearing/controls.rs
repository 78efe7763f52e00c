//! The hearing's controls: the audiograms, how much of them applies, and the calibration.

use crate::audiogram::RANGE_DB_HL;
use crate::calibration::{DEFAULT_DB_SPL, RANGE_DB_SPL};
use crate::control::{Control, Smoothing, Taper};

/// The stages read the hearing once per loss-stage frame (a hop, ≈ 1.45 ms at 44.1 kHz); a
/// 20 ms ramp spreads a jump over about 14 frames, each gain step then below 1 dB for a 15 dB
/// jump.
const RAMP: Smoothing = Smoothing::Ramp(20.0);

/// 0 = normal hearing, 1 = the audiograms as drawn.
pub const SEVERITY: Control = Control::fraction("Severity", 0.0, RAMP);

/// One audiogram point; the hosts' names carry the ear and frequency ("Left 4 kHz").
pub const THRESHOLD: Control =
    Control::new("Threshold", RANGE_DB_HL, 0.0, " dB HL", Taper::Linear, RAMP);

/// dB SPL of a full-scale sine (see `calibration`).
pub const CALIBRATION: Control = Control::new(
    "Calibration",
    RANGE_DB_SPL,
    DEFAULT_DB_SPL,
    " dB SPL",
    Taper::Linear,
    RAMP,
);

/// The conductive component of one ear (`conductive.rs`): the largest attenuation in front
/// of the cochlea, spread across frequency by the gap's shape.
pub const AIR_BONE_GAP: Control = Control::new(
    "Air-bone gap",
    super::conductive::GAP_RANGE_DB,
    0.0,
    " dB",
    Taper::Linear,
    RAMP,
);

/// Every control above (the plugin's tests check each host parameter against one).
pub const ALL: [&Control; 4] = [&SEVERITY, &THRESHOLD, &CALIBRATION, &AIR_BONE_GAP];
