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

// The temporary threshold shift (`tts.rs`). Its state integrates over time, so a step in
// any of these is no step in the sound (`Smoothing::Rate`).

/// × the literature's growth of the shift with exposure (1.7 dB per dB over the onset);
/// 0 = no shift from exposure.
pub const TTS_AMOUNT: Control = Control::new(
    "TTS amount",
    (0.0, 2.0),
    0.0,
    " x",
    Taper::Linear,
    Smoothing::Rate,
);

/// Band level at the cochlea above which the shift grows (Mills et al. 1970, Melnick 1991:
/// about 75–80 dB SPL).
pub const TTS_ONSET: Control = Control::new(
    "TTS onset",
    (60.0, 100.0),
    78.0,
    " dB SPL",
    Taper::Linear,
    Smoothing::Rate,
);

/// The exposure-driven shift's ceiling.
pub const TTS_MAX: Control = Control::new(
    "TTS max shift",
    (0.0, 60.0),
    40.0,
    " dB",
    Taper::Linear,
    Smoothing::Rate,
);

/// Time to full recovery; 16 h (960 min) is physiological (Ward 1960).
pub const TTS_RECOVERY: Control = Control::new(
    "TTS recovery",
    (1.0, 2880.0),
    960.0,
    " min",
    Taper::Skewed,
    Smoothing::Rate,
);

/// How many times faster than the clock exposure and recovery run; 1 is physiological.
pub const TTS_TIME_SCALE: Control = Control::new(
    "TTS time scale",
    (1.0, 3600.0),
    1.0,
    " x",
    Taper::Skewed,
    Smoothing::Rate,
);

/// The blast's shift where it is largest (around 4 kHz).
pub const BLAST_DEPTH: Control = Control::new(
    "Blast depth",
    (0.0, 60.0),
    30.0,
    " dB",
    Taper::Linear,
    Smoothing::Rate,
);

/// Every control above (the plugin's tests check each host parameter against one).
pub const ALL: [&Control; 10] = [
    &SEVERITY,
    &THRESHOLD,
    &CALIBRATION,
    &AIR_BONE_GAP,
    &TTS_AMOUNT,
    &TTS_ONSET,
    &TTS_MAX,
    &TTS_RECOVERY,
    &TTS_TIME_SCALE,
    &BLAST_DEPTH,
];
