//! The loss stage's own controls (the audiograms it applies are the hearing's, see
//! `crate::hearing`). Recruitment and manual smearing are switches, blended over
//! [`SWITCH_RAMP_MS`].

use crate::control::{Control, Smoothing};

/// Recruitment and manual smearing switch over this long (blended, never a step); the stage
/// reads them once per frame.
pub const SWITCH_RAMP_MS: f32 = 20.0;

/// Manual smearing: 0 = none, 1/3 = MSBG mild, 2/3 = moderate, 1 = severe.
pub const SMEAR_AMOUNT: Control =
    Control::fraction("Smearing amount", 0.0, Smoothing::Ramp(SWITCH_RAMP_MS));

/// Every control above (the plugin's tests check each host parameter against one).
pub const ALL: [&Control; 1] = [&SMEAR_AMOUNT];
