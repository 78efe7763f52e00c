//! The body layer's controls. Each ramps over 20 ms, then amount, octave and voice pass two
//! 2 ms one-poles inside the layer (`CONTROL_SMOOTH_MS`): a corner in a loud low tone's
//! envelope is a click.

use crate::control::{Control, Smoothing, Taper};

pub const RAMP_MS: f32 = 20.0;
const RAMP: Smoothing = Smoothing::Ramp(RAMP_MS);

/// The felt thump of the world's low band, 0 = none.
pub const AMOUNT: Control = Control::fraction("Body", 0.0, RAMP);
/// Upper edge of the felt band: kick and floor-tom fundamentals sit below 150 Hz.
pub const BAND: Control = Control::new(
    "Body band",
    (40.0, 250.0),
    150.0,
    " Hz",
    Taper::Skewed,
    RAMP,
);
/// 0 = the band itself, 1 = only the octave below.
pub const OCTAVE: Control = Control::fraction("Body octave down", 0.0, RAMP);
/// The bone-conducted own voice, 0…1.
pub const VOICE: Control = Control::fraction("Own voice (bone)", 0.0, RAMP);

/// Every control above (the plugin's tests check each host parameter against one).
pub const ALL: [&Control; 4] = [&AMOUNT, &BAND, &OCTAVE, &VOICE];
