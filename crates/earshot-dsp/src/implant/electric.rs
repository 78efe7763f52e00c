//! From band envelope to electric stimulation and back to a heard level.
//!
//! ACE maps each band's envelope into the electrode's electric dynamic range: input levels
//! from T (threshold, 25 dB SPL) to C (comfort, 65 dB SPL) — a 40 dB input window
//! (docs/science.md, Cochlear implant) — become currents from the T to the C current level;
//! below T nothing is stimulated, above C the current saturates. Electric dynamic ranges are narrow (of the order of 10–20 dB
//! of current), which is why current spread matters so much: a neighbour's current a few dB
//! down is already a large fraction of the range. The simulation maps the spread excitation
//! back through the same window to a heard level: within the window, with no spread, the
//! heard level equals the input level.

/// Input level mapped to threshold current, dB SPL.
pub const T_DB_SPL: f32 = 25.0;
/// Input level mapped to comfort current, dB SPL.
pub const C_DB_SPL: f32 = 65.0;
/// Electric dynamic range (C current over T current), dB.
pub const ELECTRIC_RANGE_DB: f32 = 15.0;

/// Fraction of the electric range (0 = T, 1 = C) for a band envelope of `level_db_spl`;
/// `None` below T (the electrode is not stimulated).
#[inline]
pub fn electric_level(level_db_spl: f32) -> Option<f32> {
    if level_db_spl.is_nan() || level_db_spl < T_DB_SPL {
        return None;
    }
    Some(((level_db_spl - T_DB_SPL) / (C_DB_SPL - T_DB_SPL)).min(1.0))
}

/// Current, in units of the T current, for an electric level 0…1.
#[inline]
pub fn current(e: f32) -> f32 {
    10f32.powf(e.clamp(0.0, 1.0) * ELECTRIC_RANGE_DB / 20.0)
}

/// Heard level (dB SPL) of a place excited by `current` (T units); `None` below threshold.
#[inline]
pub fn heard_db_spl(current: f32) -> Option<f32> {
    if current.is_nan() || current < 1.0 {
        return None;
    }
    let e = (20.0 * current.log10() / ELECTRIC_RANGE_DB).min(1.0);
    Some(T_DB_SPL + e * (C_DB_SPL - T_DB_SPL))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_round_trips_and_clips() {
        assert_eq!(electric_level(20.0), None);
        assert_eq!(electric_level(25.0), Some(0.0));
        assert_eq!(electric_level(90.0), Some(1.0));
        for l in [25.0f32, 40.0, 52.5, 65.0] {
            let back = heard_db_spl(current(electric_level(l).unwrap())).unwrap();
            assert!((back - l).abs() < 1e-3, "{l} -> {back}");
        }
        assert_eq!(heard_db_spl(0.5), None);
        assert_eq!(heard_db_spl(f32::NAN), None);
    }
}
