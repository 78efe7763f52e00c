//! Every parameter of the plugin, grouped, with stable IDs (never rename one: saved sessions
//! and automation refer to them) and units shown in the host. `EarshotParams::engine_params`
//! is the only mapping to the DSP core.

use crate::dsp::audiogram::{frequency_label, Audiogram, Preset, POINTS, STANDARD_HZ};
use crate::dsp::body::{self, BodyControls};
use crate::dsp::control::{Control, Display, Taper};
use crate::dsp::hearing::conductive::GapShape;
use crate::dsp::hearing::tts::TtsControls;
use crate::dsp::implant::carrier::CarrierKind;
use crate::dsp::implant::device::{Device, Side};
use crate::dsp::implant::greenwood::MAX_CHANNELS;
use crate::dsp::implant::ImplantControls;
use crate::dsp::implant::{self, spread, EAS_OFF_HZ};
use crate::dsp::jitter::{self, JitterControls};
use crate::dsp::tinnitus::{self, TinnitusControls, TinnitusEar, TinnitusKind};
use crate::dsp::{hearing, loss, mix, story, EngineParams};
use nice_plug::prelude::*;

/// The host parameter for a control the DSP declares (range, default, unit, taper, text).
fn float(c: &Control) -> FloatParam {
    float_named(c, c.name, c.default)
}

/// [`float`] with its own name and default (the audiogram points: one declaration, 18
/// parameters).
fn float_named(c: &Control, name: impl Into<String>, default: f32) -> FloatParam {
    let (min, max) = (c.min, c.max);
    let range = match c.taper {
        Taper::Linear => FloatRange::Linear { min, max },
        Taper::Skewed => FloatRange::Skewed {
            min,
            max,
            factor: FloatRange::skew_factor(-1.0),
        },
    };
    let p = FloatParam::new(name, default, range);
    let p = if c.unit.is_empty() {
        p
    } else {
        p.with_unit(c.unit)
    };
    match c.display {
        Display::Decimals(d) => p.with_value_to_string(formatters::v2s_f32_rounded(d)),
        Display::Percent => p
            .with_value_to_string(formatters::v2s_f32_percentage(1))
            .with_string_to_value(formatters::s2v_f32_percentage()),
        Display::Custom => p,
    }
}

/// The editor window's default (and saved) size, logical points.
pub const DEFAULT_EDITOR_SIZE: (u32, u32) = (1180, 780);

/// The audiogram shape the plugin starts with: noise-induced (docs/science.md, Audiogram and
/// degree: a real loss shape under severity 0, so raising severity alone already does
/// something useful).
pub const DEFAULT_PRESET: Preset = Preset::NoiseInduced;

/// How the air–bone gap spreads across frequency (`hearing::conductive::GapShape`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapShapeParam {
    #[id = "flat"]
    #[name = "Flat"]
    Flat,
    #[id = "low"]
    #[name = "Low-frequency"]
    LowFrequency,
    #[id = "otosclerosis"]
    #[name = "Otosclerosis"]
    Otosclerosis,
}

impl From<GapShapeParam> for GapShape {
    fn from(s: GapShapeParam) -> Self {
        match s {
            GapShapeParam::Flat => GapShape::Flat,
            GapShapeParam::LowFrequency => GapShape::LowFrequency,
            GapShapeParam::Otosclerosis => GapShape::Otosclerosis,
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmearMode {
    /// MSBG's choice from the degree of loss.
    #[id = "auto"]
    #[name = "Auto (from loss)"]
    Auto,
    #[id = "manual"]
    #[name = "Manual"]
    Manual,
}

/// The implant's carrier (stable ids: saved sessions refer to them).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    #[id = "noise"]
    #[name = "Noise bands"]
    Noise,
    #[id = "sine"]
    #[name = "Sine"]
    Sine,
    #[id = "pulse"]
    #[name = "Pulse train"]
    Pulse,
    #[id = "metallic"]
    #[name = "Metallic"]
    Metallic,
}

impl Carrier {
    fn kind(self) -> CarrierKind {
        match self {
            Carrier::Noise => CarrierKind::Noise,
            Carrier::Sine => CarrierKind::Sine,
            Carrier::Pulse => CarrierKind::Pulse,
            Carrier::Metallic => CarrierKind::Metallic,
        }
    }
}

/// The implant's device map (stable ids: saved sessions refer to them).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImplantMap {
    #[id = "generic"]
    #[name = "Generic (Channels, Maxima)"]
    Generic,
    #[id = "nucleus"]
    #[name = "Cochlear Nucleus ACE (22, 8 maxima)"]
    Nucleus,
    #[id = "advanced_bionics"]
    #[name = "Advanced Bionics HiRes (16)"]
    AdvancedBionics,
    #[id = "medel"]
    #[name = "MED-EL (12)"]
    MedEl,
}

impl From<ImplantMap> for Device {
    fn from(m: ImplantMap) -> Self {
        match m {
            ImplantMap::Generic => Device::Generic,
            ImplantMap::Nucleus => Device::Nucleus,
            ImplantMap::AdvancedBionics => Device::AdvancedBionics,
            ImplantMap::MedEl => Device::MedEl,
        }
    }
}

/// Which ear wears the implant (stable ids).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImplantSide {
    #[id = "both"]
    #[name = "Both"]
    Both,
    #[id = "left"]
    #[name = "Left"]
    Left,
    #[id = "right"]
    #[name = "Right"]
    Right,
}

impl From<ImplantSide> for Side {
    fn from(s: ImplantSide) -> Self {
        match s {
            ImplantSide::Both => Side::Both,
            ImplantSide::Left => Side::Left,
            ImplantSide::Right => Side::Right,
        }
    }
}

/// The kind of ringing (stable ids).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TinnitusKindParam {
    #[id = "tone"]
    #[name = "Tone"]
    Tone,
    #[id = "noise"]
    #[name = "Noise band"]
    NoiseBand,
    #[id = "pulsatile"]
    #[name = "Pulsatile"]
    Pulsatile,
    #[id = "polytonal"]
    #[name = "Polytonal"]
    Polytonal,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PitchMode {
    /// From the audiogram (frequency of maximum loss, or the noise notch).
    #[id = "matched"]
    #[name = "Matched to audiogram"]
    Matched,
    #[id = "free"]
    #[name = "Free"]
    Free,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarChoice {
    #[id = "left"]
    #[name = "Left"]
    Left,
    #[id = "right"]
    #[name = "Right"]
    Right,
    #[id = "both"]
    #[name = "Both"]
    Both,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PovMode {
    /// `pov` mixes world and ears continuously.
    #[id = "blend"]
    #[name = "Blend"]
    Blend,
    /// `pov` switches at ½ with a 5 ms crossfade.
    #[id = "cut"]
    #[name = "Hard cut"]
    Cut,
}

/// Who drives the engine: the manual controls, or the story fader.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    #[id = "manual"]
    #[name = "Manual"]
    Manual,
    /// The `story` position walks the film's scenes ([`crate::dsp::story`]); the controls
    /// the scenes set (loss, implant, tinnitus level, body, output gain) are ignored.
    #[id = "story"]
    #[name = "Story"]
    Story,
}

/// Story mode (docs/science.md, Story).
#[derive(Params)]
pub struct StoryParams {
    #[id = "mode"]
    pub mode: EnumParam<Mode>,
    /// 0 = Normal … 1 = Stillness.
    #[id = "story"]
    pub position: FloatParam,
}

impl Default for StoryParams {
    fn default() -> Self {
        Self {
            mode: EnumParam::new("Mode", Mode::Manual),
            position: float(&story::POSITION),
        }
    }
}

/// One ear's audiogram: thresholds in dB HL at the standard frequencies.
#[derive(Params)]
pub struct AudiogramParams {
    #[id = "hl_125"]
    pub hl_125: FloatParam,
    #[id = "hl_250"]
    pub hl_250: FloatParam,
    #[id = "hl_500"]
    pub hl_500: FloatParam,
    #[id = "hl_1k"]
    pub hl_1k: FloatParam,
    #[id = "hl_2k"]
    pub hl_2k: FloatParam,
    #[id = "hl_3k"]
    pub hl_3k: FloatParam,
    #[id = "hl_4k"]
    pub hl_4k: FloatParam,
    #[id = "hl_6k"]
    pub hl_6k: FloatParam,
    #[id = "hl_8k"]
    pub hl_8k: FloatParam,
    /// The conductive component in front of this ear (air–bone gap).
    #[id = "abg"]
    pub air_bone_gap: FloatParam,
}

impl AudiogramParams {
    fn new(ear: &str, a: Audiogram) -> Self {
        let p = |i: usize| {
            float_named(
                &hearing::controls::THRESHOLD,
                format!("{ear} {}", frequency_label(STANDARD_HZ[i])),
                a.thresholds_db_hl[i],
            )
        };
        Self {
            hl_125: p(0),
            hl_250: p(1),
            hl_500: p(2),
            hl_1k: p(3),
            hl_2k: p(4),
            hl_3k: p(5),
            hl_4k: p(6),
            hl_6k: p(7),
            hl_8k: p(8),
            air_bone_gap: float_named(
                &hearing::controls::AIR_BONE_GAP,
                format!("{ear} air-bone gap"),
                hearing::controls::AIR_BONE_GAP.default,
            ),
        }
    }

    /// The parameters in audiogram order.
    pub fn all(&self) -> [&FloatParam; POINTS] {
        [
            &self.hl_125,
            &self.hl_250,
            &self.hl_500,
            &self.hl_1k,
            &self.hl_2k,
            &self.hl_3k,
            &self.hl_4k,
            &self.hl_6k,
            &self.hl_8k,
        ]
    }

    pub fn audiogram(&self) -> Audiogram {
        Audiogram::new(self.all().map(|p| p.value()))
    }
}

#[derive(Params)]
pub struct LossParams {
    /// 0 = normal hearing, 1 = the audiograms as drawn.
    #[id = "severity"]
    pub severity: FloatParam,
    #[id = "link_ears"]
    pub link_ears: BoolParam,
    #[id = "calibration"]
    pub calibration: FloatParam,
    #[id = "recruitment"]
    pub recruitment: BoolParam,
    #[id = "smear_mode"]
    pub smear_mode: EnumParam<SmearMode>,
    #[id = "smear_amount"]
    pub smear_amount: FloatParam,
    /// The shape of both ears' air–bone gaps.
    #[id = "abg_shape"]
    pub gap_shape: EnumParam<GapShapeParam>,
}

/// The hearing that reacts: the temporary threshold shift after loud sound, and the blast
/// (`hearing/tts.rs`).
#[derive(Params)]
pub struct TtsGroup {
    /// 0 = off, 1 = the literature's growth.
    #[id = "tts_amount"]
    pub amount: FloatParam,
    #[id = "tts_onset"]
    pub onset: FloatParam,
    #[id = "tts_max"]
    pub max: FloatParam,
    #[id = "tts_recovery"]
    pub recovery: FloatParam,
    #[id = "tts_time_scale"]
    pub time_scale: FloatParam,
    #[id = "blast_depth"]
    pub blast_depth: FloatParam,
    /// A rising edge fires the blast.
    #[id = "blast"]
    pub blast: BoolParam,
}

impl Default for TtsGroup {
    fn default() -> Self {
        use hearing::controls::*;
        Self {
            amount: float(&TTS_AMOUNT),
            onset: float(&TTS_ONSET),
            max: float(&TTS_MAX),
            recovery: float(&TTS_RECOVERY),
            time_scale: float(&TTS_TIME_SCALE),
            blast_depth: float(&BLAST_DEPTH),
            blast: BoolParam::new("Blast", false),
        }
    }
}

impl TtsGroup {
    fn control(&self) -> TtsControls {
        TtsControls {
            amount: self.amount.value(),
            onset_db_spl: self.onset.value(),
            max_db: self.max.value(),
            recovery_min: self.recovery.value(),
            time_scale: self.time_scale.value(),
            blast_depth_db: self.blast_depth.value(),
            blast: self.blast.value(),
        }
    }
}

/// Temporal distortion: the jitter of the low band's timing (`jitter/`). Its random delays
/// take the one "Random seed" (`tin_seed`).
#[derive(Params)]
pub struct JitterGroup {
    /// RMS of the random delay, ms; 0 = off.
    #[id = "jitter_amount"]
    pub amount: FloatParam,
    #[id = "jitter_band"]
    pub band: FloatParam,
    #[id = "jitter_bandwidth"]
    pub bandwidth: FloatParam,
    #[id = "jitter_correlation"]
    pub correlation: FloatParam,
}

impl Default for JitterGroup {
    fn default() -> Self {
        use jitter::controls::*;
        Self {
            amount: float(&AMOUNT),
            band: float(&BAND),
            bandwidth: float(&BANDWIDTH),
            correlation: float(&CORRELATION),
        }
    }
}

impl JitterGroup {
    fn control(&self, seed: u64) -> JitterControls {
        JitterControls {
            amount_ms: self.amount.value(),
            band_hz: self.band.value(),
            bandwidth_hz: self.bandwidth.value(),
            correlation: self.correlation.value(),
            seed,
        }
    }
}

#[derive(Params)]
pub struct OutputParams {
    #[id = "pov"]
    pub pov: FloatParam,
    #[id = "gain"]
    pub gain: FloatParam,
    #[id = "bypass"]
    pub bypass: BoolParam,
    #[id = "pov_mode"]
    pub pov_mode: EnumParam<PovMode>,
}

#[derive(Params)]
pub struct TinnitusGroup {
    /// 0 = off, 1 = at the set level.
    #[id = "tin_amount"]
    pub amount: FloatParam,
    #[id = "tin_kind"]
    pub kind: EnumParam<TinnitusKindParam>,
    #[id = "tin_pitch_mode"]
    pub pitch_mode: EnumParam<PitchMode>,
    #[id = "tin_pitch"]
    pub pitch: FloatParam,
    #[id = "tin_level"]
    pub level: FloatParam,
    #[id = "tin_wobble"]
    pub wobble: FloatParam,
    #[id = "tin_bandwidth"]
    pub bandwidth: FloatParam,
    #[id = "tin_bpm"]
    pub bpm: FloatParam,
    #[id = "tin_ear"]
    pub ear: EnumParam<EarChoice>,
    #[id = "tin_rate"]
    pub rate: FloatParam,
    #[id = "tin_duty"]
    pub duty: FloatParam,
    #[id = "tin_exposure"]
    pub exposure: FloatParam,
    #[id = "tin_decay"]
    pub decay: FloatParam,
    #[id = "tin_masking"]
    pub masking: FloatParam,
    /// Seed of every random part (the ringing's noise and intermittency, the jitter's
    /// delays): same seed, same render.
    #[id = "tin_seed"]
    pub seed: IntParam,
}

impl Default for TinnitusGroup {
    fn default() -> Self {
        use tinnitus::controls::*;
        let d = TinnitusControls::default();
        Self {
            amount: float(&AMOUNT),
            kind: EnumParam::new("Tinnitus kind", TinnitusKindParam::Tone),
            pitch_mode: EnumParam::new("Tinnitus pitch mode", PitchMode::Matched),
            pitch: float(&PITCH),
            level: float(&LEVEL),
            wobble: float(&WOBBLE),
            bandwidth: float(&BANDWIDTH),
            bpm: float(&PULSE_BPM),
            ear: EnumParam::new("Tinnitus ear", EarChoice::Both),
            rate: float(&INTERMITTENCY_RATE),
            duty: float(&DUTY),
            exposure: float(&EXPOSURE),
            decay: float(&EXPOSURE_DECAY),
            masking: float(&MASKING),
            seed: IntParam::new(
                "Random seed",
                d.seed as i32,
                IntRange::Linear { min: 0, max: 65535 },
            ),
        }
    }
}

impl TinnitusGroup {
    fn control(&self) -> TinnitusControls {
        TinnitusControls {
            amount: self.amount.value(),
            kind: match self.kind.value() {
                TinnitusKindParam::Tone => TinnitusKind::Tone,
                TinnitusKindParam::NoiseBand => TinnitusKind::NoiseBand,
                TinnitusKindParam::Pulsatile => TinnitusKind::Pulsatile,
                TinnitusKindParam::Polytonal => TinnitusKind::Polytonal,
            },
            matched: self.pitch_mode.value() == PitchMode::Matched,
            pitch_hz: self.pitch.value(),
            level_db_sl: self.level.value(),
            wobble_cents: self.wobble.value(),
            bandwidth_oct: self.bandwidth.value(),
            bpm: self.bpm.value(),
            ear: match self.ear.value() {
                EarChoice::Left => TinnitusEar::Left,
                EarChoice::Right => TinnitusEar::Right,
                EarChoice::Both => TinnitusEar::Both,
            },
            rate_per_min: self.rate.value(),
            duty: self.duty.value(),
            exposure: self.exposure.value(),
            exposure_decay_s: self.decay.value(),
            masking: self.masking.value(),
            seed: self.seed.value().max(0) as u64,
        }
    }
}

#[derive(Params)]
pub struct BodyGroup {
    /// The felt thump of the world's low band, 0 = none.
    #[id = "body_amount"]
    pub amount: FloatParam,
    #[id = "body_band"]
    pub band: FloatParam,
    #[id = "body_octave"]
    pub octave: FloatParam,
    #[id = "body_voice"]
    pub voice: FloatParam,
}

impl Default for BodyGroup {
    fn default() -> Self {
        use body::controls::*;
        Self {
            amount: float(&AMOUNT),
            band: float(&BAND),
            octave: float(&OCTAVE),
            voice: float(&VOICE),
        }
    }
}

impl BodyGroup {
    fn control(&self) -> BodyControls {
        BodyControls {
            amount: self.amount.value(),
            band_hz: self.band.value(),
            octave: self.octave.value(),
            voice: self.voice.value(),
        }
    }
}

#[derive(Params)]
pub struct ImplantGroup {
    /// 0 = off, 1 = the implant only.
    #[id = "ci_amount"]
    pub amount: FloatParam,
    #[id = "ci_channels"]
    pub channels: IntParam,
    /// n of n-of-m; 0 = all channels.
    #[id = "ci_maxima"]
    pub maxima: IntParam,
    #[id = "ci_rate"]
    pub rate: FloatParam,
    #[id = "ci_envelope"]
    pub envelope: FloatParam,
    #[id = "ci_agc_attack"]
    pub agc_attack: FloatParam,
    #[id = "ci_agc_release"]
    pub agc_release: FloatParam,
    #[id = "ci_shift"]
    pub shift: FloatParam,
    #[id = "ci_spread"]
    pub spread: FloatParam,
    #[id = "ci_carrier"]
    pub carrier: EnumParam<Carrier>,
    #[id = "ci_eas"]
    pub eas: FloatParam,
}

impl Default for ImplantGroup {
    fn default() -> Self {
        use implant::controls::*;
        let d = ImplantControls::default();
        Self {
            amount: float(&AMOUNT),
            channels: IntParam::new(
                "Channels",
                d.channels as i32,
                IntRange::Linear {
                    min: 1,
                    max: MAX_CHANNELS as i32,
                },
            ),
            maxima: IntParam::new(
                "Maxima (n-of-m)",
                d.maxima as i32,
                IntRange::Linear {
                    min: 0,
                    max: MAX_CHANNELS as i32,
                },
            )
            .with_value_to_string(std::sync::Arc::new(|v| {
                if v == 0 {
                    "all".to_string()
                } else {
                    v.to_string()
                }
            }))
            .with_string_to_value(std::sync::Arc::new(|s| {
                let t = s.trim();
                if t.eq_ignore_ascii_case("all") || t.eq_ignore_ascii_case("off") {
                    Some(0)
                } else {
                    t.parse().ok()
                }
            })),
            rate: float(&RATE),
            envelope: float(&ENVELOPE),
            agc_attack: float(&AGC_ATTACK),
            agc_release: float(&AGC_RELEASE),
            shift: float(&SHIFT),
            // An amount, shown as the slope it gives: 0 = none, 1 = 1 dB/mm.
            spread: float(&SPREAD)
                .with_value_to_string(std::sync::Arc::new(|v| {
                    let slope = spread::slope_db_per_mm(v);
                    if slope.is_finite() {
                        format!("{slope:.1} dB/mm")
                    } else {
                        "none".to_string()
                    }
                }))
                // Accepts "none", a slope ("4 dB/mm") or the plain amount ("0.25").
                .with_string_to_value(std::sync::Arc::new(|s| {
                    let t = s.trim();
                    if t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("off") {
                        return Some(0.0);
                    }
                    if let Some(db) = t.strip_suffix("dB/mm") {
                        let slope: f32 = db.trim().parse().ok()?;
                        return (slope >= 1.0).then(|| 1.0 / slope);
                    }
                    t.parse().ok()
                })),
            carrier: EnumParam::new("Carrier", Carrier::Noise),
            // No unit on the parameter: the text carries it, since "off" has none.
            eas: float(&EAS)
                // Shown to the hertz, so "off" covers everything that would read "20 Hz": a
                // value that reads "20 Hz" would otherwise parse back to 20 = off, and hosts (and
                // clap-validator) require text → value → text to give the same text.
                .with_value_to_string(std::sync::Arc::new(|v| {
                    if v.round() <= EAS_OFF_HZ {
                        "off".to_string()
                    } else {
                        format!("{v:.0} Hz")
                    }
                }))
                .with_string_to_value(std::sync::Arc::new(|s| {
                    let t = s.trim();
                    if t.eq_ignore_ascii_case("off") {
                        Some(EAS_OFF_HZ)
                    } else {
                        t.trim_end_matches("Hz").trim().parse().ok()
                    }
                })),
        }
    }
}

impl ImplantGroup {
    fn implant_params(&self) -> ImplantControls {
        ImplantControls {
            amount: self.amount.value(),
            channels: self.channels.value().clamp(1, MAX_CHANNELS as i32) as usize,
            maxima: self.maxima.value().clamp(0, MAX_CHANNELS as i32) as usize,
            rate_pps: self.rate.value(),
            envelope_hz: self.envelope.value(),
            agc_attack_ms: self.agc_attack.value(),
            agc_release_ms: self.agc_release.value(),
            shift_mm: self.shift.value(),
            spread: self.spread.value(),
            carrier: self.carrier.value().kind(),
            eas_hz: self.eas.value(),
            // The device group's (read with it in `manual_engine_params`).
            device: Device::Generic,
            side: Side::Both,
        }
    }
}

/// The implant's device and side (`implant/device.rs`). A group of its own, added after the
/// temporal distortion so every earlier parameter keeps its index.
#[derive(Params)]
pub struct ImplantDeviceGroup {
    /// A manufacturer's map sets the bands, the electrode count and the maxima; "Generic"
    /// uses the Implant group's Channels and Maxima.
    #[id = "ci_map"]
    pub map: EnumParam<ImplantMap>,
    #[id = "ci_side"]
    pub side: EnumParam<ImplantSide>,
}

impl Default for ImplantDeviceGroup {
    fn default() -> Self {
        Self {
            map: EnumParam::new("Implant map", ImplantMap::Generic),
            side: EnumParam::new("Implanted ear", ImplantSide::Both),
        }
    }
}

#[derive(Params)]
pub struct EarshotParams {
    #[nested(group = "Loss")]
    pub loss: LossParams,
    #[nested(id_prefix = "left", group = "Left ear")]
    pub left: AudiogramParams,
    #[nested(id_prefix = "right", group = "Right ear")]
    pub right: AudiogramParams,
    #[nested(group = "Implant")]
    pub implant: ImplantGroup,
    #[nested(group = "Tinnitus")]
    pub tinnitus: TinnitusGroup,
    #[nested(group = "Body")]
    pub body: BodyGroup,
    #[nested(group = "Output")]
    pub output: OutputParams,
    // Last, so the parameters before it keep their indices in saved sessions.
    #[nested(group = "Story")]
    pub story: StoryParams,
    // Added in 0.2, after the story so every earlier parameter keeps its index.
    #[nested(group = "Exposure")]
    pub tts: TtsGroup,
    // Added after the exposure group, for the same reason.
    #[nested(group = "Temporal distortion")]
    pub jitter: JitterGroup,
    // Added after the temporal distortion, for the same reason.
    #[nested(group = "Implant device")]
    pub implant_device: ImplantDeviceGroup,
    /// The editor window's size, logical points (saved with the session; never read by
    /// `process()`).
    #[persist = "editor-size"]
    pub editor_size: std::sync::Mutex<(u32, u32)>,
}

impl Default for EarshotParams {
    fn default() -> Self {
        let a = DEFAULT_PRESET.audiogram();
        let p = Self {
            loss: LossParams {
                severity: float(&hearing::controls::SEVERITY),
                link_ears: BoolParam::new("Link ears", true),
                calibration: float(&hearing::controls::CALIBRATION),
                recruitment: BoolParam::new("Recruitment", true),
                smear_mode: EnumParam::new("Smearing mode", SmearMode::Auto),
                smear_amount: float(&loss::controls::SMEAR_AMOUNT),
                gap_shape: EnumParam::new("Air-bone gap shape", GapShapeParam::Flat),
            },
            left: AudiogramParams::new("Left", a),
            right: AudiogramParams::new("Right", a),
            implant: ImplantGroup::default(),
            tinnitus: TinnitusGroup::default(),
            body: BodyGroup::default(),
            output: OutputParams {
                pov: float(&mix::POV),
                gain: float(&mix::GAIN),
                bypass: BoolParam::new("Bypass", false).make_bypass(),
                pov_mode: EnumParam::new("POV mode", PovMode::Blend),
            },
            story: StoryParams::default(),
            tts: TtsGroup::default(),
            jitter: JitterGroup::default(),
            implant_device: ImplantDeviceGroup::default(),
            editor_size: std::sync::Mutex::new(DEFAULT_EDITOR_SIZE),
        };
        // Every value starts as it comes back from its normalised form. Hosts save
        // parameters normalised and restore them through it (Ardour 7 does, over the
        // plugin's own state), and a skewed range's round trip can change the last bit
        // (900 pps -> 899.99994): a reopened session then rendered differently from the
        // first from the scene where that value mattered. The default the host resets to
        // is this value too.
        for (_, ptr, _) in p.param_map() {
            // Safety: `ptr` points into `p`, which is alive and not shared yet.
            unsafe { ptr._internal_set_normalized_value(ptr.unmodulated_normalized_value()) };
        }
        p
    }
}

impl EarshotParams {
    /// Current plain values as the engine's targets (in Story mode, the story's scene
    /// targets over the manual values). Reads atomics only: safe in `process()`.
    pub fn engine_params(&self) -> EngineParams {
        let manual = self.manual_engine_params();
        match self.story.mode.value() {
            Mode::Manual => manual,
            Mode::Story => story::apply(&manual, self.story.position.value()),
        }
    }

    /// Whether Story mode overrides parameter `id` ([`story::apply`]): the editor greys these
    /// while Story is on. Checked against `story::apply` by a test.
    pub fn story_sets(id: &str) -> bool {
        id.starts_with("left_")
            || id.starts_with("right_")
            || matches!(
                id,
                "severity"
                    | "link_ears"
                    | "abg_shape"
                    | "smear_mode"
                    | "smear_amount"
                    | "tin_amount"
                    | "tin_level"
                    | "tin_duty"
                    | "tin_exposure"
                    | "ci_amount"
                    | "ci_channels"
                    | "ci_shift"
                    | "ci_carrier"
                    | "ci_map"
                    | "ci_side"
                    | "body_amount"
                    | "body_voice"
                    | "gain"
            )
    }

    /// The manual controls' targets, whatever the mode.
    pub fn manual_engine_params(&self) -> EngineParams {
        EngineParams {
            severity: self.loss.severity.value(),
            left: self.left.audiogram(),
            right: self.right.audiogram(),
            link_ears: self.loss.link_ears.value(),
            calibration_db_spl: self.loss.calibration.value(),
            gap_db: [
                self.left.air_bone_gap.value(),
                self.right.air_bone_gap.value(),
            ],
            gap_shape: self.loss.gap_shape.value().into(),
            tts: self.tts.control(),
            recruitment: self.loss.recruitment.value(),
            smear_manual: self.loss.smear_mode.value() == SmearMode::Manual,
            smear_amount: self.loss.smear_amount.value(),
            pov: self.output.pov.value(),
            output_gain_db: self.output.gain.value(),
            bypass: self.output.bypass.value(),
            pov_cut: self.output.pov_mode.value() == PovMode::Cut,
            implant: ImplantControls {
                device: self.implant_device.map.value().into(),
                side: self.implant_device.side.value().into(),
                ..self.implant.implant_params()
            },
            tinnitus: self.tinnitus.control(),
            body: self.body.control(),
            jitter: self
                .jitter
                .control(self.tinnitus.seed.value().max(0) as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::param_access;

    /// Every continuous host parameter is a control the DSP declares, with the declared
    /// range, unit and (but for the audiogram points, which take the preset's) default; and
    /// every declared control is a host parameter. A parameter written by hand here, or a
    /// declaration nobody uses, fails this.
    #[test]
    fn every_continuous_parameter_is_a_declared_control() {
        let params = EarshotParams::default();
        let declared: Vec<&Control> = crate::dsp::control::all().collect();
        let mut used = vec![false; declared.len()];
        for (id, ptr, _) in params.param_map() {
            if !matches!(ptr, ParamPtr::FloatParam(_)) {
                continue;
            }
            let point =
                (id.starts_with("left_") || id.starts_with("right_")) && id.contains("_hl_");
            // Safety: `ptr` points into `params`, alive here.
            let (name, unit, lo, hi, default) = unsafe {
                (
                    ptr.name().to_string(),
                    ptr.unit(),
                    ptr.preview_plain(0.0),
                    ptr.preview_plain(1.0),
                    ptr.default_plain_value(),
                )
            };
            let i = declared
                .iter()
                .position(|c| {
                    c.name
                        == if point {
                            hearing::controls::THRESHOLD.name
                        } else if id.ends_with("_abg") {
                            // One declaration, a parameter per ear ("Left air-bone gap").
                            hearing::controls::AIR_BONE_GAP.name
                        } else {
                            &name
                        }
                })
                .unwrap_or_else(|| panic!("{id} ({name}) is not a declared control"));
            let c = declared[i];
            used[i] = true;
            assert_eq!((lo, hi, unit), (c.min, c.max, c.unit), "{id}");
            if !point {
                assert!((default - c.default).abs() <= 1e-4 * c.max.abs(), "{id}");
            }
        }
        for (c, used) in declared.iter().zip(used) {
            assert!(used, "{} is declared but no host parameter", c.name);
        }
    }

    /// `story_sets` lists exactly the manual controls that Story mode ignores: moving any other
    /// control changes what the engine gets in Story mode.
    #[test]
    fn story_sets_is_what_story_mode_overrides() {
        for (id, ptr, _) in EarshotParams::default().param_map() {
            if id == "mode" || id == "story" {
                continue;
            }
            let params = EarshotParams::default();
            param_access::set(&params, "mode", "story").unwrap();
            param_access::set_plain(&params, "story", 0.5).unwrap();
            let before = params.engine_params();
            let p = params
                .param_map()
                .into_iter()
                .find(|(i, _, _)| *i == id)
                .unwrap()
                .1;
            // Safety: both pointers point into parameter structs alive here.
            unsafe {
                let d = ptr.default_normalized_value();
                p._internal_set_normalized_value(if d > 0.5 { 0.0 } else { 1.0 });
            }
            let after = params.engine_params();
            assert_eq!(
                before == after,
                EarshotParams::story_sets(&id),
                "{id}: story mode {} it",
                if before == after {
                    "ignores"
                } else {
                    "follows"
                }
            );
        }
    }
}
