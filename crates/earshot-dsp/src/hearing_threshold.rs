//! The normal-hearing threshold in dB SPL: what 0 dB HL means at each frequency.
//!
//! Values: ISO 389-7:2005 (= ISO 226:2003 at threshold), reference threshold of hearing for
//! free-field listening, binaural, frontal incidence, otologically normal listeners aged
//! 18–25, at the standard one-third-octave frequencies. Between them the threshold is
//! interpolated linearly in log frequency; outside 20 Hz–18 kHz the end values are held.
//!
//! Earshot uses it where a level is asked in dB SL (above an impaired threshold at a
//! frequency: impaired threshold = this + the audiogram's dB HL), and the tests use it to
//! decide what a normal listener can hear.

/// (Hz, dB SPL) from ISO 389-7:2005 Table 1 (free field).
pub const ISO_389_7_FREE_FIELD: [(f32, f32); 34] = [
    (20.0, 78.5),
    (25.0, 68.7),
    (31.5, 59.5),
    (40.0, 51.1),
    (50.0, 44.0),
    (63.0, 37.5),
    (80.0, 31.5),
    (100.0, 26.5),
    (125.0, 22.1),
    (160.0, 17.9),
    (200.0, 14.4),
    (250.0, 11.4),
    (315.0, 8.6),
    (400.0, 6.2),
    (500.0, 4.4),
    (630.0, 3.0),
    (800.0, 2.2),
    (1000.0, 2.4),
    (1250.0, 3.5),
    (1600.0, 1.7),
    (2000.0, -1.3),
    (2500.0, -4.2),
    // ISO 389-7 also lists audiometric frequencies between the one-third octaves; 3 and
    // 6 kHz are on every audiogram, so they are given exactly.
    (3000.0, -5.8),
    (3150.0, -6.0),
    (4000.0, -5.4),
    (5000.0, -1.5),
    (6000.0, 4.3),
    (6300.0, 6.0),
    (8000.0, 12.6),
    (10000.0, 13.9),
    (12500.0, 12.3),
    (14000.0, 18.4),
    (16000.0, 40.2),
    (18000.0, 73.2),
];

/// Normal-hearing threshold at `hz`, dB SPL (free field). Non-finite input gives the 1 kHz
/// value.
pub fn normal_threshold_db_spl(hz: f32) -> f32 {
    let hz = if hz.is_finite() { hz } else { 1000.0 };
    let pts = &ISO_389_7_FREE_FIELD;
    if let Some(p) = pts.iter().find(|p| p.0 == hz) {
        return p.1;
    }
    if hz <= pts[0].0 {
        return pts[0].1;
    }
    let last = pts[pts.len() - 1];
    if hz >= last.0 {
        return last.1;
    }
    let i = pts.iter().position(|p| p.0 > hz).unwrap_or(pts.len() - 1);
    let (lo, hi) = (pts[i - 1], pts[i]);
    let x = (hz / lo.0).ln() / (hi.0 / lo.0).ln();
    lo.1 + x * (hi.1 - lo.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_frequency_order() {
        assert!(ISO_389_7_FREE_FIELD.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn table_values_are_returned_exactly() {
        for (hz, db) in ISO_389_7_FREE_FIELD {
            assert_eq!(normal_threshold_db_spl(hz), db, "{hz} Hz");
        }
    }

    #[test]
    fn interpolates_in_log_frequency_and_holds_the_ends() {
        // Halfway in log frequency between 1 and 1.25 kHz.
        let mid = (1000.0f32 * 1250.0).sqrt();
        assert!((normal_threshold_db_spl(mid) - 2.95).abs() < 1e-3);
        assert_eq!(normal_threshold_db_spl(5.0), 78.5);
        assert_eq!(normal_threshold_db_spl(30000.0), 73.2);
        assert_eq!(normal_threshold_db_spl(f32::NAN), 2.4);
        // The ear is most sensitive around 3–4 kHz.
        let best = (100..16000)
            .step_by(10)
            .min_by(|a, b| {
                normal_threshold_db_spl(*a as f32).total_cmp(&normal_threshold_db_spl(*b as f32))
            })
            .unwrap();
        assert!((3000..=3400).contains(&best), "{best}");
    }
}
