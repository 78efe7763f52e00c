//! The output mix's controls: the POV crossfade between the world (the latency-aligned dry
//! input) and the character's ears, the output gain and the bypass crossfade. The mix itself
//! runs at the end of [`crate::engine::Engine`]'s chunk loop.

use crate::control::{Control, Display, Smoothing, Taper};

/// 0 = the world, 1 = the character's ears. A POV "hard cut" is a crossfade of this ramp:
/// a few milliseconds, never a click (docs/science.md, POV and output).
pub const POV: Control = Control::fraction("POV", 1.0, Smoothing::Ramp(5.0));

pub const GAIN: Control = Control {
    name: "Output gain",
    min: -24.0,
    max: 24.0,
    default: 0.0,
    unit: " dB",
    taper: Taper::Linear,
    display: Display::Decimals(1),
    smoothing: Smoothing::Ramp(20.0),
};

/// Every control above (the plugin's tests check each host parameter against one).
pub const ALL: [&Control; 2] = [&POV, &GAIN];

/// Bypass crossfades to the dry path over this long.
pub const BYPASS_RAMP_MS: f32 = 10.0;
