//! Story mode: the film's arc under one fader (docs/science.md, Story).
//!
//! One position 0…1 walks the scenes Normal → Warning → Sudden loss → Deaf → Implant
//! activation → Adapted implant → Stillness. The scenes are data ([`SCENES`], this table
//! only); between two scenes every continuous target is interpolated linearly, so the engine's
//! own smoothing sees a continuous path. Discrete targets (implant channel count, carrier)
//! change where the engine crossfades them: the channel count is rounded from its
//! interpolated value, the carrier switches halfway between the scenes. The sudden loss takes
//! 0.05 of the fader (Warning at 0.25, Sudden loss at 0.30): automated over a 10-minute
//! reel that is 30 s, a few seconds in a scene-length automation.
//!
//! All scenes use Ruben's audiogram ([`Preset::Ruben`], "two-thirds" AMA handicap), scaled
//! by the scene's severity. The plugin applies it in Story mode (`params::Mode`).

use crate::audiogram::Preset;
use crate::control::{Control, Smoothing};
use crate::engine::EngineParams;
use crate::implant::carrier::CarrierKind;

/// The engine targets a scene sets. Everything else keeps its manual value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SceneTargets {
    /// Severity of Ruben's audiogram, 0…1.
    pub severity: f32,
    pub tinnitus_amount: f32,
    pub tinnitus_level_db_sl: f32,
    /// Fraction of time the ringing is on.
    pub tinnitus_duty: f32,
    /// Swell after loud passages, dB per dB over 85 dB SPL.
    pub tinnitus_exposure: f32,
    pub implant_amount: f32,
    /// Electrodes (interpolated, rounded when applied).
    pub implant_channels: f32,
    pub implant_shift_mm: f32,
    pub implant_carrier: CarrierKind,
    pub body_amount: f32,
    /// Own voice through the skull (occlusion), 0…1.
    pub body_voice: f32,
    pub output_gain_db: f32,
}

#[derive(Clone, Copy, Debug)]
pub struct Scene {
    pub name: &'static str,
    /// Where on the fader the scene is reached exactly.
    pub position: f32,
    pub targets: SceneTargets,
}

/// Silence of every stage: the start of every scene's description.
const QUIET: SceneTargets = SceneTargets {
    severity: 0.0,
    tinnitus_amount: 0.0,
    tinnitus_level_db_sl: 10.0,
    tinnitus_duty: 1.0,
    tinnitus_exposure: 0.5,
    implant_amount: 0.0,
    implant_channels: 12.0,
    implant_shift_mm: 0.0,
    implant_carrier: CarrierKind::Noise,
    body_amount: 0.0,
    body_voice: 0.0,
    output_gain_db: 0.0,
};

/// The film's scenes (docs/science.md, Story, says what each should sound like).
/// The story fader: 0 = Normal … 1 = Stillness. It sets the scenes' targets, which each
/// stage smooths as its own controls declare.
pub const POSITION: Control = Control::fraction("Story", 0.0, Smoothing::Targets);

pub const SCENES: [Scene; 7] = [
    // The world as is.
    Scene {
        name: "Normal",
        position: 0.0,
        targets: QUIET,
    },
    // Faint intermittent ringing; a slight high-frequency dip; loud passages swell it.
    Scene {
        name: "Warning",
        position: 0.25,
        targets: SceneTargets {
            severity: 0.15,
            tinnitus_amount: 1.0,
            tinnitus_level_db_sl: 5.0,
            tinnitus_duty: 0.3,
            tinnitus_exposure: 1.0,
            ..QUIET
        },
    },
    // Within seconds: severe loss (≈ 70 dB HL), muffled, the ringing loud and constant.
    // Levels are clinical matches above Ruben's 90 dB HL at the 8 kHz pitch: with his
    // recruitment 8 dB SL is as loud as 56 dB SL to a normal ear (tinnitus/loudness.rs).
    Scene {
        name: "Sudden loss",
        position: 0.30,
        targets: SceneTargets {
            severity: 1.0,
            tinnitus_amount: 1.0,
            tinnitus_level_db_sl: 8.0,
            tinnitus_duty: 1.0,
            tinnitus_exposure: 1.0,
            body_amount: 0.3,
            body_voice: 0.3,
            ..QUIET
        },
    },
    // Near-silence, the drums felt, not heard; the ringing comes and goes.
    Scene {
        name: "Deaf",
        position: 0.45,
        targets: SceneTargets {
            severity: 1.0,
            tinnitus_amount: 0.6,
            tinnitus_level_db_sl: 5.0,
            tinnitus_duty: 0.6,
            body_amount: 1.0,
            body_voice: 0.5,
            ..QUIET
        },
    },
    // Metallic, shifted, few channels.
    Scene {
        name: "Implant activation",
        position: 0.60,
        targets: SceneTargets {
            severity: 1.0,
            tinnitus_amount: 0.3,
            tinnitus_duty: 0.6,
            implant_amount: 1.0,
            implant_channels: 4.0,
            implant_shift_mm: 6.0,
            implant_carrier: CarrierKind::Metallic,
            body_amount: 0.5,
            body_voice: 0.3,
            ..QUIET
        },
    },
    // More channels, less shift: clearer, still electric.
    Scene {
        name: "Adapted implant",
        position: 0.80,
        targets: SceneTargets {
            severity: 1.0,
            tinnitus_amount: 0.2,
            tinnitus_duty: 0.6,
            implant_amount: 1.0,
            implant_channels: 16.0,
            implant_shift_mm: 2.0,
            implant_carrier: CarrierKind::Sine,
            body_amount: 0.3,
            ..QUIET
        },
    },
    // Processor off: back to near-silence, calm.
    Scene {
        name: "Stillness",
        position: 1.0,
        targets: SceneTargets {
            severity: 1.0,
            tinnitus_amount: 0.1,
            tinnitus_level_db_sl: 3.0,
            tinnitus_duty: 0.6,
            body_amount: 0.2,
            output_gain_db: -6.0,
            ..QUIET
        },
    },
];

fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + (b - a) * t
}

/// The scene targets at fader `position` (clamped to 0…1; non-finite → 0).
pub fn targets_at(position: f32) -> SceneTargets {
    let p = if position.is_finite() {
        position.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let i = SCENES
        .windows(2)
        .position(|w| p < w[1].position)
        .unwrap_or(SCENES.len() - 2);
    let (a, b) = (&SCENES[i], &SCENES[i + 1]);
    let t = ((p - a.position) / (b.position - a.position)).clamp(0.0, 1.0);
    let (x, y) = (&a.targets, &b.targets);
    SceneTargets {
        severity: lerp(x.severity, y.severity, t),
        tinnitus_amount: lerp(x.tinnitus_amount, y.tinnitus_amount, t),
        tinnitus_level_db_sl: lerp(x.tinnitus_level_db_sl, y.tinnitus_level_db_sl, t),
        tinnitus_duty: lerp(x.tinnitus_duty, y.tinnitus_duty, t),
        tinnitus_exposure: lerp(x.tinnitus_exposure, y.tinnitus_exposure, t),
        implant_amount: lerp(x.implant_amount, y.implant_amount, t),
        implant_channels: lerp(x.implant_channels, y.implant_channels, t),
        implant_shift_mm: lerp(x.implant_shift_mm, y.implant_shift_mm, t),
        implant_carrier: if t < 0.5 {
            x.implant_carrier
        } else {
            y.implant_carrier
        },
        body_amount: lerp(x.body_amount, y.body_amount, t),
        body_voice: lerp(x.body_voice, y.body_voice, t),
        output_gain_db: lerp(x.output_gain_db, y.output_gain_db, t),
    }
}

/// The scene name at `position` (the last scene reached).
pub fn scene_at(position: f32) -> &'static str {
    let p = if position.is_finite() { position } else { 0.0 };
    SCENES
        .iter()
        .rev()
        .find(|s| p >= s.position)
        .unwrap_or(&SCENES[0])
        .name
}

/// `manual` with the story's targets at `position` laid over it. What the scenes do not set
/// stays manual: calibration, recruitment, the tinnitus's kind, pitch and character, the body
/// band and octave, and the POV (where the mix cuts between the world and the character is
/// an editing decision, automated on its own, not a stage of the story).
pub fn apply(manual: &EngineParams, position: f32) -> EngineParams {
    let s = targets_at(position);
    let ruben = Preset::Ruben.audiogram();
    let mut p = *manual;
    p.severity = s.severity;
    p.left = ruben;
    p.right = ruben;
    p.link_ears = true;
    // Ruben's loss is sensorineural: no conductive component in the story.
    p.gap_db = [0.0; 2];
    p.gap_shape = crate::hearing::conductive::GapShape::Flat;
    p.tinnitus.amount = s.tinnitus_amount;
    p.tinnitus.level_db_sl = s.tinnitus_level_db_sl;
    p.tinnitus.duty = s.tinnitus_duty;
    p.tinnitus.exposure = s.tinnitus_exposure;
    p.implant.amount = s.implant_amount;
    let most = crate::implant::greenwood::MAX_CHANNELS as f32;
    p.implant.channels = s.implant_channels.round().clamp(1.0, most) as usize;
    p.implant.shift_mm = s.implant_shift_mm;
    p.implant.carrier = s.implant_carrier;
    // Ruben's implants: the generic map, on both ears, whatever the manual device settings.
    p.implant.device = crate::implant::device::Device::Generic;
    p.implant.side = crate::implant::device::Side::Both;
    p.body.amount = s.body_amount;
    p.body.voice = s.body_voice;
    // Smearing follows the degree of loss, as MSBG does.
    p.smear_manual = false;
    p.smear_amount = 0.0;
    p.output_gain_db = s.output_gain_db;
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_are_in_order_and_span_the_fader() {
        assert_eq!(SCENES[0].position, 0.0);
        assert_eq!(SCENES[SCENES.len() - 1].position, 1.0);
        assert!(SCENES.windows(2).all(|w| w[0].position < w[1].position));
        // The sudden loss happens within a short part of the fader.
        let warning = SCENES.iter().find(|s| s.name == "Warning").unwrap();
        let sudden = SCENES.iter().find(|s| s.name == "Sudden loss").unwrap();
        assert!(sudden.position - warning.position <= 0.05 + 1e-6);
    }

    #[test]
    fn each_scene_is_reached_exactly_at_its_position() {
        for s in SCENES {
            assert_eq!(targets_at(s.position), s.targets, "{}", s.name);
            assert_eq!(scene_at(s.position), s.name);
        }
    }

    #[test]
    fn the_path_is_continuous_between_scenes() {
        // Continuous values move by at most (largest scene-to-scene change) × step / span.
        let step = 1e-4f32;
        let mut prev = targets_at(0.0);
        let mut p = 0.0;
        while p < 1.0 {
            p += step;
            let t = targets_at(p);
            for (a, b, range) in [
                (prev.severity, t.severity, 1.0),
                (prev.tinnitus_amount, t.tinnitus_amount, 1.0),
                (prev.tinnitus_level_db_sl, t.tinnitus_level_db_sl, 80.0),
                (prev.implant_amount, t.implant_amount, 1.0),
                (prev.implant_shift_mm, t.implant_shift_mm, 8.0),
                (prev.body_amount, t.body_amount, 1.0),
                (prev.body_voice, t.body_voice, 1.0),
                (prev.output_gain_db, t.output_gain_db, 48.0),
            ] {
                // The steepest segment (Warning → Sudden loss, 0.05 wide) moves a full-range
                // value by at most step / 0.05 of its range.
                assert!((b - a).abs() <= range * step / 0.05 + 1e-5, "jump at {p}");
            }
            prev = t;
        }
    }

    #[test]
    fn position_zero_is_the_world_and_bad_positions_are_safe() {
        let p = apply(&EngineParams::default(), 0.0);
        assert_eq!(p.severity, 0.0);
        assert_eq!(p.tinnitus.amount, 0.0);
        assert_eq!(p.implant.amount, 0.0);
        assert_eq!(p.body.amount, 0.0);
        assert_eq!(p.output_gain_db, 0.0);
        assert_eq!(targets_at(f32::NAN), targets_at(0.0));
        assert_eq!(targets_at(7.0), targets_at(1.0));
        assert_eq!(scene_at(-1.0), "Normal");
        let mid = apply(&EngineParams::default(), 0.7);
        assert!((1..=22).contains(&mid.implant.channels));
    }
}
