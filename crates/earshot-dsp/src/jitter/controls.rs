//! Temporal distortion's controls. The amount ramps over 50 ms (the delay it scales glides:
//! a step in a delay is a step in the signal); the band edge and the jitter's bandwidth ramp
//! too and take effect every control tick (`delay_process.rs`), the correlation ramps.

use crate::control::{Control, Display, Smoothing, Taper};

pub const RAMP_MS: f32 = 50.0;
const RAMP: Smoothing = Smoothing::Ramp(RAMP_MS);

/// RMS of the random delay, ms; 0 = off (the stage is then a pure delay of its latency).
/// Pichora-Fuller et al. (2007) made young listeners with normal hearing understand speech in
/// babble about as poorly as older listeners with a jitter of a fraction of a millisecond
/// (0.25 ms RMS with a 500 Hz bandwidth as their method is usually cited; the paper itself
/// could not be re-read while writing this). The range ends at 0.5 ms because the
/// delay swings ±3 RMS at the top of it, and that swing is latency every user pays
/// ([`super::MAX_SWING_MS`]).
pub const AMOUNT: Control = Control {
    display: Display::Decimals(2),
    ..Control::new("Jitter", (0.0, 0.5), 0.0, " ms", Taper::Linear, RAMP)
};

/// The jittered band is everything below this edge (Pichora-Fuller et al. 2007 jittered
/// 0–1.2 kHz, where the auditory nerve phase-locks to the fine structure; 3D Tune-In's
/// temporal distortion defaults to 1.6 kHz).
pub const BAND: Control = Control::new(
    "Jitter band",
    (200.0, 4000.0),
    1200.0,
    " Hz",
    Taper::Skewed,
    RAMP,
);

/// How fast the delay wanders: the −3 dB bandwidth of the low-passed noise that drives it
/// (500 Hz in Pichora-Fuller et al. 2007 and as 3D Tune-In's default).
pub const BANDWIDTH: Control = Control::new(
    "Jitter bandwidth",
    (20.0, 1000.0),
    500.0,
    " Hz",
    Taper::Skewed,
    RAMP,
);

/// Correlation of the two ears' delays: 0 = independent (each auditory nerve loses its
/// synchrony on its own, the default), 1 = the same delay in both ears (no interaural
/// effect).
pub const CORRELATION: Control = Control::fraction("Jitter L-R correlation", 0.0, RAMP);

/// Every control above (the plugin's tests check each host parameter against one).
pub const ALL: [&Control; 4] = [&AMOUNT, &BAND, &BANDWIDTH, &CORRELATION];
