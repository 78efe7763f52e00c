//! Tinnitus pitch matched to the audiogram.
//!
//! Tinnitus pitch sits inside the hearing-loss region, near the frequency of maximum loss
//! (Schecklmann et al. 2012: mean pitch 3.7–4.0 kHz where the maximum loss lies at
//! 3.9–4.3 kHz); with a noise-induced notch it sits at the notch (3–6 kHz). The rule:
//!
//! 1. A notch: the worst of 3, 4 and 6 kHz is at least [`NOTCH_DB`] worse than the better of
//!    1 and 2 kHz and recovers by at least [`RECOVERY_DB`] at 8 kHz (the shape of Coles et al.
//!    2000's noise-induced criteria) → the notch frequency.
//! 2. Otherwise the standard frequency of maximum loss; on a tie the highest (pitch follows the
//!    upper edge of a flat loss).
//! 3. No loss anywhere (all ≤ [`NO_LOSS_DB_HL`]): 4 kHz, the most common tinnitus pitch.

use crate::audiogram::{Audiogram, STANDARD_HZ};

/// Depth of a notch re the better of 1–2 kHz, dB.
pub const NOTCH_DB: f32 = 10.0;
/// Recovery at 8 kHz from the notch, dB.
pub const RECOVERY_DB: f32 = 5.0;
/// Thresholds at or below this count as normal hearing, dB HL.
pub const NO_LOSS_DB_HL: f32 = 20.0;
/// Pitch when there is no loss, Hz.
pub const DEFAULT_HZ: f32 = 4000.0;

/// Index in [`STANDARD_HZ`] of 1k, 2k, 3k, 4k, 6k, 8k.
const I1K: usize = 3;
const I2K: usize = 4;
const NOTCH: [usize; 3] = [5, 6, 7];
const I8K: usize = 8;

/// The matched tinnitus pitch for `a`, Hz (one of the standard frequencies).
pub fn matched_pitch_hz(a: &Audiogram) -> f32 {
    let t = &a.thresholds_db_hl;
    if t.iter().all(|v| *v <= NO_LOSS_DB_HL) {
        return DEFAULT_HZ;
    }
    // The worst notch frequency (on a tie the higher).
    let notch = NOTCH
        .into_iter()
        .reduce(|best, i| if t[i] >= t[best] { i } else { best })
        .unwrap_or(NOTCH[1]);
    let reference = t[I1K].min(t[I2K]);
    if t[notch] - reference >= NOTCH_DB && t[notch] - t[I8K] >= RECOVERY_DB {
        return STANDARD_HZ[notch];
    }
    let worst = (0..t.len())
        .reduce(|best, i| if t[i] >= t[best] { i } else { best })
        .unwrap_or(0);
    STANDARD_HZ[worst]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audiogram::Preset;

    #[test]
    fn every_preset_follows_the_rule() {
        for p in Preset::ALL {
            let a = p.audiogram();
            let want = match p {
                Preset::Normal => 4000.0,
                // 40 dB HL at 4 kHz, 25 at 8 kHz, 10–15 at 1–2 kHz: the notch.
                Preset::NoiseInduced => 4000.0,
                Preset::ReverseSlope => 125.0,
                // Flat: the tie goes to the top.
                Preset::Flat => 8000.0,
                // Everything else is worst at 8 kHz (ties with 6 kHz resolved upward).
                _ => 8000.0,
            };
            assert_eq!(matched_pitch_hz(&a), want, "{}", p.id());
        }
    }

    #[test]
    fn pitch_moves_with_the_audiogram() {
        let mut t = Preset::NoiseInduced.audiogram().thresholds_db_hl;
        assert_eq!(matched_pitch_hz(&Audiogram::new(t)), 4000.0);
        // The notch deepens at 6 kHz during a scene: the ringing follows it.
        t[7] = 55.0;
        assert_eq!(matched_pitch_hz(&Audiogram::new(t)), 6000.0);
        // The notch fills in at 8 kHz too (no recovery): no longer a notch, maximum loss.
        t[8] = 60.0;
        assert_eq!(matched_pitch_hz(&Audiogram::new(t)), 8000.0);
    }
}
