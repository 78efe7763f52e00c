//! A continuous control, declared once beside the stage that reads it: its range, default,
//! unit, how a host's slider maps onto it and how the engine smooths it.
//!
//! The plugin builds its host parameters from these declarations (`src/params.rs`), and the
//! stages clamp and smooth with the same ones, so a range cannot disagree between the slider
//! and the DSP. Switches, choices and counts (recruitment on/off, the carrier, the number of
//! electrodes) are not continuous and are not declared here: a stage crossfades them itself.

use crate::smoother::Smoother;

/// How a host's normalised 0…1 slider position maps onto the range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taper {
    Linear,
    /// Denser at the low end, for frequencies, rates and times (NIH-plug's skew factor −1,
    /// i.e. a slider exponent of 2^−1: value = min + (max − min) · position²).
    Skewed,
}

/// How a value is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Display {
    /// The plain value with this many decimals, followed by the unit.
    Decimals(usize),
    /// A fraction 0…1 shown as a percentage with one decimal.
    Percent,
    /// The plugin formats it itself (a value with a special word, such as "off").
    Custom,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Control {
    /// The name hosts show.
    pub name: &'static str,
    pub min: f32,
    pub max: f32,
    pub default: f32,
    /// Shown after the value, with its leading space (" Hz"); empty for none.
    pub unit: &'static str,
    pub taper: Taper,
    pub display: Display,
    pub smoothing: Smoothing,
}

/// How a stage moves to a new value (never a step in the sound).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Smoothing {
    /// A linear ramp of this many ms ([`Smoother`]).
    Ramp(f32),
    /// The stage glides to it with this time constant, ms (a pitch glide, or the level
    /// smoothing of the generator it feeds).
    Glide(f32),
    /// A speed, a width, a depth of modulation or a time constant: the generator's phase
    /// and state carry on, so a step in it is no step in the sound.
    Rate,
    /// Sets other controls' targets, which each smooth as declared (the story position).
    Targets,
}

impl Control {
    /// A value shown with one decimal and its unit.
    pub const fn new(
        name: &'static str,
        (min, max): (f32, f32),
        default: f32,
        unit: &'static str,
        taper: Taper,
        smoothing: Smoothing,
    ) -> Self {
        Self {
            name,
            min,
            max,
            default,
            unit,
            taper,
            display: Display::Decimals(1),
            smoothing,
        }
    }

    /// A fraction 0…1 shown in percent.
    pub const fn fraction(name: &'static str, default: f32, smoothing: Smoothing) -> Self {
        Self {
            name,
            min: 0.0,
            max: 1.0,
            default,
            unit: " %",
            taper: Taper::Linear,
            display: Display::Percent,
            smoothing,
        }
    }

    /// `v` inside the range; a non-finite value is the default (bad automation never
    /// reaches the DSP as NaN).
    pub fn clamp(&self, v: f32) -> f32 {
        if v.is_finite() {
            v.clamp(self.min, self.max)
        } else {
            self.default
        }
    }

    /// The linear ramp's length, ms; 0 for a control that is not ramped.
    pub const fn ramp_ms(&self) -> f32 {
        match self.smoothing {
            Smoothing::Ramp(ms) => ms,
            _ => 0.0,
        }
    }

    /// A smoother at `value`, with this control's ramp (one sample for a control that is
    /// not ramped).
    pub fn smoother(&self, value: f32, sample_rate: f32) -> Smoother {
        Smoother::new(self.clamp(value), self.ramp_ms(), sample_rate)
    }
}

/// Every continuous control of the chain, stage by stage (the story fader last).
pub fn all() -> impl Iterator<Item = &'static Control> {
    use crate::{body, hearing, implant, jitter, loss, mix, story, tinnitus};
    hearing::controls::ALL
        .into_iter()
        .chain(loss::controls::ALL)
        .chain(implant::controls::ALL)
        .chain(tinnitus::controls::ALL)
        .chain(body::controls::ALL)
        .chain(jitter::controls::ALL)
        .chain(mix::ALL)
        .chain([&story::POSITION])
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: Control = Control {
        name: "Test",
        min: 1.0,
        max: 3.0,
        default: 2.0,
        unit: " Hz",
        taper: Taper::Linear,
        display: Display::Decimals(1),
        smoothing: Smoothing::Ramp(10.0),
    };

    #[test]
    fn clamp_keeps_the_range_and_replaces_non_finite_values() {
        assert_eq!(C.clamp(0.0), 1.0);
        assert_eq!(C.clamp(2.5), 2.5);
        assert_eq!(C.clamp(9.0), 3.0);
        assert_eq!(C.clamp(f32::NAN), 2.0);
        assert_eq!(C.clamp(f32::NEG_INFINITY), 2.0);
    }

    #[test]
    fn smoother_ramps_for_the_declared_time() {
        let mut s = C.smoother(1.0, 1000.0);
        s.set_target(C.clamp(3.0));
        assert!((s.skip(9) - (1.0 + 2.0 * 0.9)).abs() < 1e-6);
        assert_eq!(s.skip(1), 3.0);
    }
}
