//! The ringing as the patient hears it, rendered for a listener with normal hearing.
//!
//! Tinnitus loudness is measured clinically by matching: the patient sets an external tone at
//! the ringing's pitch as loud as the ringing, and the match is noted in dB SL, above the
//! patient's own threshold there (typically 5–15 dB SL). Played to a normal-hearing listener
//! at that same SPL, the ringing would be far louder than the patient hears it: with
//! loudness recruitment an impaired ear's loudness grows faster above its raised threshold
//! and catches up with normal loudness only near the catch-up level. A 90 dB HL ear hears
//! 10 dB SL as a normal ear hears 70 dB SL.
//!
//! So the ringing is rendered at the level a normal ear hears as loud as the impaired ear
//! hears the match, by the same rule the loss stage applies to every band (Moore & Glasberg
//! 1993, as in MSBG; `loss::recruitment`): a level L above the normal threshold, heard by an
//! ear with loss HL, is heard as `L − (ER − 1) · (C − L)` (C = 105 dB, ER = C / (C − HL),
//! expansion up to 90 dB HL), less the plain attenuation beyond 90 dB HL. MSBG writes its
//! rule with levels in dB SPL standing for dB above the normal threshold (it puts a tone at
//! the threshold at L = HL); here L is exactly that: HL + the match's dB SL. Below the
//! catch-up level this gives `ER × SL`: the normal-ear sensation level grows ER times
//! faster than the patient's.

use crate::loss::recruitment::{expansion_ratio, residual_loss_db, CATCH_UP_DB_SPL};

/// The sensation level (dB above the normal threshold) at which a normal ear hears a sound as
/// loud as an ear with `hl_db` dB HL hears one `sl_db` above its own threshold. A normal ear
/// (0 dB HL; a better one counts as normal) gives `sl_db` back exactly.
pub fn normal_equivalent_sl(hl_db: f32, sl_db: f32) -> f32 {
    let hl = if hl_db.is_finite() {
        hl_db.max(0.0)
    } else {
        0.0
    };
    let level = hl + sl_db;
    if hl == 0.0 {
        return level;
    }
    let expansion = (expansion_ratio(hl) - 1.0) * (CATCH_UP_DB_SPL - level).max(0.0);
    level - expansion - residual_loss_db(hl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_normal_ear_is_unchanged_and_recruitment_multiplies_the_sensation_level() {
        for sl in [-20.0, 0.0, 10.0, 60.0] {
            assert_eq!(normal_equivalent_sl(0.0, sl), sl);
            assert_eq!(normal_equivalent_sl(-10.0, sl), sl);
        }
        // Below catch-up: ER × SL. 90 dB HL (ER 7), 10 dB SL: 70 dB SL for a normal ear.
        assert!((normal_equivalent_sl(90.0, 10.0) - 70.0).abs() < 1e-4);
        assert!((normal_equivalent_sl(50.0, 10.0) - 10.0 * 105.0 / 55.0).abs() < 1e-4);
        // At the impaired threshold: the normal threshold.
        for hl in [20.0, 60.0, 90.0, 100.0, 120.0] {
            assert!(normal_equivalent_sl(hl, 0.0).abs() < 1e-3, "{hl}");
        }
        // At and above catch-up, loudness has caught up (below 90 dB HL).
        assert!((normal_equivalent_sl(60.0, 50.0) - 110.0).abs() < 1e-4);
        // Monotonic in the match and never louder than the match's own SPL above threshold.
        for hl in [10.0, 40.0, 80.0, 95.0, 110.0] {
            let mut last = f32::NEG_INFINITY;
            for i in 0..=80 {
                let sl = -20.0 + i as f32;
                let n = normal_equivalent_sl(hl, sl);
                assert!(n >= last && n <= hl + sl + 1e-3, "{hl} {sl}: {n}");
                last = n;
            }
        }
        assert!(normal_equivalent_sl(f32::NAN, 10.0).is_finite());
    }
}
