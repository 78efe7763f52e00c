//! Loudness recruitment (Moore & Glasberg 1993, as in MSBG): each auditory band's envelope is
//! expanded with ratio `ER = C / (C − HL)` so that a tone at threshold HL is attenuated by HL
//! and impaired loudness catches up with normal loudness at `C`.

/// Catch-up level C, dB SPL (MSBG `catch_up_level`).
pub const CATCH_UP_DB_SPL: f32 = 105.0;
/// Largest loss the expansion follows, dB HL. ER = C / (C − HL) grows without bound as
/// HL → C (7 at 90 dB HL, 21 at 100, infinite at 105), and MSBG's own code warns that its
/// model becomes unrealistic above about 80–90 dB HL: a 100 dB HL band would turn a 5 dB step
/// in level into a 105 dB step, and every sound above the catch-up level (105 dB SPL) would
/// still come through at full loudness. So Earshot stops the expansion at 90 dB HL (ER 7)
/// and takes the rest of a profound loss as a plain attenuation of the band
/// ([`residual_loss_db`]): the threshold stays where the audiogram puts it, and only the
/// loudest sounds remain, no longer catching up with normal loudness.
pub const MAX_HL_FOR_EXPANSION: f32 = 90.0;
/// Envelope floor, dB SPL (MSBG clamps the envelope at 1e-9 re RMS 1.0 = 120 dB SPL).
pub const ENVELOPE_FLOOR_DB_SPL: f32 = -60.0;
/// Mean of a full-wave rectified sine re its RMS (2√2/π): MSBG's envelope is the rectified
/// band signal, low-passed.
pub const RECTIFIED_MEAN_PER_RMS: f32 = 0.900_316_3;
/// DC gain of MSBG's envelope low-pass (2nd-order elliptic, 0.25 dB pass-band ripple, run
/// forwards and backwards by `filtfilt`: −0.5 dB).
pub const ENVELOPE_LOWPASS_DC: f32 = 0.944_060_9;
/// Turns a steady band's RMS into the envelope MSBG's gain rule sees.
pub const ENVELOPE_PER_RMS: f32 = RECTIFIED_MEAN_PER_RMS * ENVELOPE_LOWPASS_DC;
/// MSBG's envelope (the rectified band signal, low-passed) re the RMS-derived envelope of a
/// steady tone, for a band holding `components` separate components of equal strength
/// (a participation ratio; 1 = one sinusoid). Within one analysis frame, components far
/// enough apart beat, and the rectified mean of a beating signal is below what its RMS says
/// for a sinusoid: 0.900 for two equal components (E|1 + e^{iφ}| / √2 = (4/π)/√2 ÷ 1), and
/// √π/2 = 0.886 for many (a Rayleigh envelope). Interpolated as 0.886 + 0.114 · N⁻³, which
/// passes through both.
pub fn rectified_mean_re_tone(components: f32) -> f32 {
    const MANY: f32 = 0.886_226_9;
    let n = components.max(1.0);
    MANY + (1.0 - MANY) / (n * n * n)
}
/// Gains below this are flushed to zero (no denormals downstream).
const GAIN_FLUSH: f32 = 1e-20;

/// Expansion ratio for a loss of `hl_db` dB HL.
pub fn expansion_ratio(hl_db: f32) -> f32 {
    let hl = hl_db.min(MAX_HL_FOR_EXPANSION);
    CATCH_UP_DB_SPL / (CATCH_UP_DB_SPL - hl)
}

/// Plain attenuation of a band beyond the expansion, dB: 0 up to [`MAX_HL_FOR_EXPANSION`];
/// above it, what puts a tone at the threshold (L = HL) exactly HL below where it was, as
/// MSBG's rule does below the cap: HL − H_cap (C − HL) / (C − H_cap) while HL < C, HL above.
/// Continuous (0 at the cap), increasing with HL, and finite up to the audiogram's 120 dB HL.
pub fn residual_loss_db(hl_db: f32) -> f32 {
    let cap = MAX_HL_FOR_EXPANSION;
    // NaN compares false: no residual.
    if hl_db.partial_cmp(&cap) != Some(std::cmp::Ordering::Greater) {
        return 0.0;
    }
    let hl = hl_db.min(1e3);
    hl - cap * (CATCH_UP_DB_SPL - hl).max(0.0) / (CATCH_UP_DB_SPL - cap)
}

/// Recruitment gain for one band: `(env / env_max)^(ER − 1)`, envelope clamped to
/// [floor, env_max]. Envelope and limits are linear, in the signal's units.
#[inline]
pub fn gain(envelope: f32, env_max: f32, env_floor: f32, expansion_ratio: f32) -> f32 {
    let e = envelope.clamp(env_floor, env_max);
    let g = (e / env_max).powf(expansion_ratio - 1.0);
    if g < GAIN_FLUSH {
        0.0
    } else {
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_state_rule() {
        // A tone at level L in a band with loss HL loses HL·(C−L)/(C−HL) dB.
        let (hl, l): (f32, f32) = (50.0, 70.0);
        let env_max = 1.0;
        let env = 10f32.powf((l - CATCH_UP_DB_SPL) / 20.0);
        let g_db = 20.0 * gain(env, env_max, 1e-12, expansion_ratio(hl)).log10();
        let expect = -hl * (CATCH_UP_DB_SPL - l) / (CATCH_UP_DB_SPL - hl);
        assert!((g_db - expect).abs() < 1e-3, "{g_db} vs {expect}");
        // At threshold the loss is exactly HL; at catch-up none.
        let env_t = 10f32.powf((hl - CATCH_UP_DB_SPL) / 20.0);
        let g_t = 20.0 * gain(env_t, env_max, 1e-12, expansion_ratio(hl)).log10();
        assert!((g_t + hl).abs() < 1e-3);
        assert_eq!(gain(2.0, env_max, 1e-12, expansion_ratio(hl)), 1.0);
    }

    #[test]
    fn rectified_mean_of_beating_components() {
        // One sinusoid: MSBG's envelope is what the RMS says.
        assert_eq!(rectified_mean_re_tone(1.0), 1.0);
        assert_eq!(rectified_mean_re_tone(0.3), 1.0);
        // Two equal components with a random phase: E|1 + e^{iφ}| / √2 = (4/π) / √2.
        let two = 4.0 / std::f32::consts::PI / 2f32.sqrt();
        assert!((rectified_mean_re_tone(2.0) - two).abs() < 2e-3);
        // Many (a Rayleigh envelope): √π / 2.
        let many = std::f32::consts::PI.sqrt() / 2.0;
        assert!((rectified_mean_re_tone(1e4) - many).abs() < 1e-5);
    }

    /// The steady loss of a tone at `l` dB SPL for a band with loss `hl`: the expansion, then
    /// the residual attenuation.
    fn tone_loss_db(hl: f32, l: f32) -> f32 {
        let env = 10f32.powf((l - CATCH_UP_DB_SPL) / 20.0);
        let g = gain(env, 1.0, 1e-12, expansion_ratio(hl));
        -20.0 * g.log10() + residual_loss_db(hl)
    }

    #[test]
    fn profound_losses_keep_their_threshold_and_grow_monotonically() {
        // Up to the cap, MSBG's rule exactly; beyond, the expansion stays at ER 7.
        assert_eq!(residual_loss_db(90.0), 0.0);
        assert_eq!(residual_loss_db(f32::NAN), 0.0);
        assert_eq!(expansion_ratio(120.0), expansion_ratio(90.0));
        assert!((expansion_ratio(90.0) - 7.0).abs() < 1e-5);
        // A tone at the threshold loses exactly the threshold, 90–120 dB HL.
        for hl in (90..=120).map(|h| h as f32) {
            let at = tone_loss_db(hl, hl);
            assert!(
                (at - hl).abs() < 1e-2,
                "{hl} dB HL: a tone at threshold loses {at}"
            );
        }
        // Continuous at the cap, and every level loses more as the loss grows.
        for l in [60.0, 90.0, 100.0, 104.0, 110.0, 120.0] {
            let mut last = 0.0;
            for tenth in 0..=1200 {
                let hl = tenth as f32 / 10.0;
                let loss = tone_loss_db(hl, l);
                assert!(loss.is_finite());
                assert!(
                    loss >= last - 1e-3,
                    "{l} dB SPL: {hl} dB HL loses {loss} < {last}"
                );
                assert!(loss - last < 8.0, "{l} dB SPL: a jump at {hl} dB HL");
                last = loss;
            }
        }
        // At 90 dB HL a 110 dB SPL sound is above the catch-up level: it passes.
        assert_eq!(tone_loss_db(90.0, 110.0), 0.0);
    }

    #[test]
    fn extreme_losses_stay_finite() {
        for hl in [-10.0, 0.0, 100.0, 120.0, 1e9, f32::INFINITY] {
            let er = expansion_ratio(hl);
            assert!(er.is_finite() && er > 0.0);
            assert!(residual_loss_db(hl).is_finite());
            let g = gain(1e-30, 1.0, 1e-9, er);
            assert!(g.is_finite() && g >= 0.0);
        }
        assert_eq!(expansion_ratio(0.0), 1.0);
        assert!((ENVELOPE_PER_RMS - 0.8499).abs() < 1e-3);
    }
}
