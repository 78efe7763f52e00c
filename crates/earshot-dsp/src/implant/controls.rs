//! The implant stage's continuous controls. The channel count, the n-of-m maxima and the
//! carrier are discrete: the stage crossfades them itself (`SWITCH_MS`).
//!
//! Ranges (docs/science.md, Cochlear implant): stimulation rates per channel from SPEAK's
//! 250 pps through ACE's default 900 pps to the high rates of CIS-type strategies; envelope
//! low-pass 50–400 Hz (160 Hz typical); insertion shifts 0–8 mm (3–5 mm typical of real
//! insertions, Rosen, Faulkner & Wilkinson 1999 used 6.46 mm); AGC times bracketing
//! Nucleus's ≈ 2–5 ms attack and ≈ 75 ms release (`agc`).

use super::EAS_OFF_HZ;
use crate::control::{Control, Display, Smoothing, Taper};

/// Every continuous implant control ramps over 20 ms (read once per chunk of ≤ 1.45 ms).
const RAMP: Smoothing = Smoothing::Ramp(20.0);

const fn skewed(
    name: &'static str,
    range: (f32, f32),
    default: f32,
    unit: &'static str,
) -> Control {
    Control::new(name, range, default, unit, Taper::Skewed, RAMP)
}

/// 0 = off (costs nothing), 1 = the implant only (plus its acoustic low band).
pub const AMOUNT: Control = Control::fraction("Implant", 0.0, RAMP);
/// Stimulation frame rate per channel.
pub const RATE: Control = skewed("Stimulation rate", (250.0, 3500.0), 900.0, " pps");
/// The envelope low-pass cut-off.
pub const ENVELOPE: Control = skewed("Envelope cut-off", (50.0, 400.0), 160.0, " Hz");
pub const AGC_ATTACK: Control = skewed("AGC attack", (0.5, 50.0), 5.0, " ms");
pub const AGC_RELEASE: Control = skewed("AGC release", (10.0, 1000.0), 75.0, " ms");
/// Basal shift of the carriers (a shallow insertion), mm along the cochlea.
pub const SHIFT: Control = Control {
    name: "Insertion shift",
    min: 0.0,
    max: 8.0,
    default: 0.0,
    unit: " mm",
    taper: Taper::Linear,
    display: Display::Decimals(2),
    smoothing: RAMP,
};
/// Current spread, an amount 0…1 shown as the slope it gives (`spread`).
pub const SPREAD: Control = Control {
    name: "Current spread",
    min: 0.0,
    max: 1.0,
    default: 0.0,
    unit: "",
    taper: Taper::Linear,
    display: Display::Custom,
    smoothing: RAMP,
};
/// The electric-acoustic crossover; at [`EAS_OFF_HZ`] there is no acoustic low band ("off").
pub const EAS: Control = Control {
    name: "Acoustic crossover",
    min: EAS_OFF_HZ,
    max: 2000.0,
    default: EAS_OFF_HZ,
    unit: "",
    taper: Taper::Skewed,
    display: Display::Custom,
    smoothing: RAMP,
};

/// Every control above (the plugin's tests check each host parameter against one).
pub const ALL: [&Control; 8] = [
    &AMOUNT,
    &RATE,
    &ENVELOPE,
    &AGC_ATTACK,
    &AGC_RELEASE,
    &SHIFT,
    &SPREAD,
    &EAS,
];
