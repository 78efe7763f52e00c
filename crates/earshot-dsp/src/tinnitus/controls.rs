//! The tinnitus generator's continuous controls. The kind crossfades over `KIND_FADE_MS`;
//! the ear choice ramps with the level.

use super::exposure::DECAY_S;
use super::intermittency::RATE_PER_MIN;
use super::noise_band::BANDWIDTH_OCT;
use super::pulsatile::BPM;
use super::tone::GLIDE_MS;
use crate::control::{Control, Display, Smoothing, Taper};

/// Amount, level and ear gains ramp over 30 ms, then the amplitude at each ear passes two
/// 2 ms one-poles (`AMP_SMOOTH_MS`): a corner in a pure tone's envelope is a click.
pub const RAMP_MS: f32 = 30.0;
const RAMP: Smoothing = Smoothing::Ramp(RAMP_MS);
/// Controls read once per block that act on the level (exposure swell, masking) reach the
/// sound through the 2 ms amplitude smoothing only.
const LEVEL_GLIDE: Smoothing = Smoothing::Glide(super::AMP_SMOOTH_MS);

/// 0 = off (costs nothing), 1 = at the set level.
pub const AMOUNT: Control = Control::fraction("Tinnitus", 0.0, RAMP);
/// The free pitch (a matched pitch comes from the audiogram). Glides when it moves.
pub const PITCH: Control = Control::new(
    "Tinnitus pitch",
    (125.0, 16000.0),
    4000.0,
    " Hz",
    Taper::Skewed,
    Smoothing::Glide(GLIDE_MS as f32),
);
/// Level above the ear's impaired threshold at the pitch; 5–15 dB SL are typical matches.
pub const LEVEL: Control = Control::new(
    "Tinnitus level",
    (-20.0, 60.0),
    10.0,
    " dB SL",
    Taper::Linear,
    RAMP,
);
/// Depth of the slow pitch wobble.
pub const WOBBLE: Control = Control::new(
    "Tinnitus wobble",
    (0.0, 100.0),
    10.0,
    " cents",
    Taper::Linear,
    Smoothing::Rate,
);
/// Width of the noise band (and of the pulsatile's band).
pub const BANDWIDTH: Control = Control {
    display: Display::Decimals(2),
    ..Control::new(
        "Tinnitus bandwidth",
        BANDWIDTH_OCT,
        1.0 / 3.0,
        " oct",
        Taper::Skewed,
        Smoothing::Rate,
    )
};
/// Pulsatile tinnitus beats with the heart.
pub const PULSE_BPM: Control = Control::new(
    "Pulse rate",
    BPM,
    70.0,
    " bpm",
    Taper::Linear,
    Smoothing::Rate,
);
/// How often the ringing comes and goes.
pub const INTERMITTENCY_RATE: Control = Control::new(
    "Intermittency rate",
    RATE_PER_MIN,
    4.0,
    " /min",
    Taper::Skewed,
    Smoothing::Rate,
);
/// Fraction of time on (1 = constant); the gate fades on and off over its 400 ms.
pub const DUTY: Control = Control::fraction(
    "Intermittency duty",
    1.0,
    Smoothing::Glide(super::intermittency::FADE_MS),
);
/// Swell after loud exposure, dB per dB over the exposure threshold.
pub const EXPOSURE: Control = Control::new(
    "Exposure swell",
    (0.0, 2.0),
    0.5,
    " dB/dB",
    Taper::Linear,
    LEVEL_GLIDE,
);
/// How fast the swell recedes.
pub const EXPOSURE_DECAY: Control = Control::new(
    "Exposure decay",
    DECAY_S,
    30.0,
    " s",
    Taper::Skewed,
    Smoothing::Rate,
);
/// 0 = no masking, 1 = dB for dB.
pub const MASKING: Control = Control::fraction("Masking", 0.5, LEVEL_GLIDE);

/// Every control above (the plugin's tests check each host parameter against one).
pub const ALL: [&Control; 11] = [
    &AMOUNT,
    &PITCH,
    &LEVEL,
    &WOBBLE,
    &BANDWIDTH,
    &PULSE_BPM,
    &INTERMITTENCY_RATE,
    &DUTY,
    &EXPOSURE,
    &EXPOSURE_DECAY,
    &MASKING,
];
