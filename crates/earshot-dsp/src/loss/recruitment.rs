//! Loudness recruitment (Moore & Glasberg 1993, as in MSBG): each auditory band's envelope is
//! expanded with ratio `ER = C / (C − HL)` so that a tone at threshold HL is attenuated by HL
//! and impaired loudness catches up with normal loudness at `C`.

/// Catch-up level C, dB SPL (MSBG `catch_up_level`).
pub const CATCH_UP_DB_SPL: f32 = 105.0;
/// Largest loss used for the expansion ratio, dB HL. ER grows without bound as HL → C; MSBG
/// warns above 80–90 dB HL. Capped at 100 dB HL (ER = 21: a 5 dB step in level is 105 dB out).
pub const MAX_HL_FOR_EXPANSION: f32 = 100.0;
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

    #[test]
    fn extreme_losses_stay_finite() {
        for hl in [-10.0, 0.0, 100.0, 120.0, 1e9] {
            let er = expansion_ratio(hl);
            assert!(er.is_finite() && er > 0.0);
            let g = gain(1e-30, 1.0, 1e-9, er);
            assert!(g.is_finite() && g >= 0.0);
        }
        assert_eq!(expansion_ratio(0.0), 1.0);
        assert!((ENVELOPE_PER_RMS - 0.8499).abs() < 1e-3);
    }
}
