//! Audiogram: hearing thresholds in dB HL at the standard audiometric frequencies, one per ear,
//! with the summary figures audiologists use (PTA, WHO 2021 grade, AMA 1979 % handicap) and
//! the preset shapes of docs/science.md (Audiogram and degree).
//!
//! Audiograms can also be generated from who the listener is: [`age`] (ISO 7029:2017),
//! [`noise`] (ISO 1999:2013) and the two together as a [`listener::Listener`].

pub mod age;
pub mod listener;
pub mod noise;

/// Standard audiometric frequencies, Hz (ISO 8253-1 air conduction set used by Earshot).
pub const STANDARD_HZ: [f32; 9] = [
    125.0, 250.0, 500.0, 1000.0, 2000.0, 3000.0, 4000.0, 6000.0, 8000.0,
];
/// Number of audiogram points.
pub const POINTS: usize = STANDARD_HZ.len();
/// Threshold range accepted, dB HL (audiometers span −10…120 dB HL).
pub const RANGE_DB_HL: (f32, f32) = (-10.0, 120.0);

/// A generated threshold as the audiogram carries it: to 0.1 dB (the standards' tables print
/// whole decibels; audiometers step by 5 dB).
fn round_tenth(db: f64) -> f32 {
    ((db * 10.0).round() / 10.0) as f32
}

/// Thresholds of one ear, dB HL at [`STANDARD_HZ`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Audiogram {
    pub thresholds_db_hl: [f32; POINTS],
}

impl Default for Audiogram {
    fn default() -> Self {
        Self::NORMAL
    }
}

/// A frequency as hosts and lists name it: "250 Hz", "1.5 kHz".
pub fn frequency_label(hz: f32) -> String {
    if hz >= 1000.0 {
        format!("{} kHz", hz / 1000.0)
    } else {
        format!("{hz} Hz")
    }
}

/// A frequency as axes label it: "250", "1k", "1.5k".
pub fn axis_label(hz: f32) -> String {
    if hz >= 1000.0 {
        format!("{}k", hz / 1000.0)
    } else {
        format!("{hz:.0}")
    }
}

/// WHO World Report on Hearing (2021) grades, from the better ear's 4-frequency average
/// (500, 1000, 2000, 4000 Hz).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WhoGrade {
    Normal,
    Mild,
    Moderate,
    ModeratelySevere,
    Severe,
    Profound,
    Complete,
}

impl WhoGrade {
    pub const ALL: [WhoGrade; 7] = [
        Self::Normal,
        Self::Mild,
        Self::Moderate,
        Self::ModeratelySevere,
        Self::Severe,
        Self::Profound,
        Self::Complete,
    ];

    /// Where each grade starts, dB HL of the 4-frequency pure-tone average (WHO 2021,
    /// table 1); each ends where the next starts.
    const FROM_DB_HL: [f32; 7] = [f32::NEG_INFINITY, 20.0, 35.0, 50.0, 65.0, 80.0, 95.0];

    /// Grade for a 4-frequency pure-tone average in dB HL (WHO 2021, table 1).
    pub fn from_pta(pta_db_hl: f32) -> Self {
        let i = Self::FROM_DB_HL.iter().rposition(|&from| pta_db_hl >= from);
        Self::ALL[i.unwrap_or(0)]
    }

    /// The pure-tone averages of this grade, dB HL: from (inclusive) … to (exclusive).
    pub fn range_db_hl(self) -> (f32, f32) {
        let i = self as usize;
        let to = Self::FROM_DB_HL
            .get(i + 1)
            .copied()
            .unwrap_or(f32::INFINITY);
        (Self::FROM_DB_HL[i], to)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Mild => "mild",
            Self::Moderate => "moderate",
            Self::ModeratelySevere => "moderately severe",
            Self::Severe => "severe",
            Self::Profound => "profound",
            Self::Complete => "complete or total",
        }
    }

    /// The name where space is short (a chart's band label).
    pub fn short_name(self) -> &'static str {
        match self {
            Self::ModeratelySevere => "mod. severe",
            Self::Complete => "complete",
            g => g.name(),
        }
    }
}

impl Audiogram {
    /// 0 dB HL everywhere.
    pub const NORMAL: Self = Self {
        thresholds_db_hl: [0.0; POINTS],
    };

    /// Clamps each threshold to [`RANGE_DB_HL`]; NaN becomes 0 dB HL.
    pub fn new(thresholds_db_hl: [f32; POINTS]) -> Self {
        let mut t = thresholds_db_hl;
        for v in &mut t {
            *v = if v.is_nan() {
                0.0
            } else {
                v.clamp(RANGE_DB_HL.0, RANGE_DB_HL.1)
            };
        }
        Self {
            thresholds_db_hl: t,
        }
    }

    /// Threshold at any frequency: linear in dB against log-frequency between the standard
    /// frequencies, held flat beyond the ends (docs/science.md, Audiogram and degree).
    pub fn threshold_at(&self, hz: f32) -> f32 {
        self.interpolate(hz, |f0, f1, hz| (hz / f0).ln() / (f1 / f0).ln())
    }

    /// Threshold at any frequency interpolated linearly in *frequency* (flat beyond the ends):
    /// MSBG's rule (`scipy.interpolate.interp1d` over Hz in `compute_recruitment_parameters`).
    /// The loss stage uses it for the expansion ratio of each auditory band so that it
    /// reproduces MSBG; between 4 and 6 kHz the two rules differ by up to ≈ 5 % of the step.
    pub fn threshold_at_linear_hz(&self, hz: f32) -> f32 {
        self.interpolate(hz, |f0, f1, hz| (hz - f0) / (f1 - f0))
    }

    /// Between the standard frequencies around `hz`, at `fraction(f0, f1, hz)` of the way.
    fn interpolate(&self, hz: f32, fraction: fn(f32, f32, f32) -> f32) -> f32 {
        let t = &self.thresholds_db_hl;
        if hz.is_nan() || hz <= STANDARD_HZ[0] {
            return t[0];
        }
        if hz >= STANDARD_HZ[POINTS - 1] {
            return t[POINTS - 1];
        }
        let i = STANDARD_HZ.iter().rposition(|&f| f <= hz).unwrap_or(0);
        let (f0, f1) = (STANDARD_HZ[i], STANDARD_HZ[i + 1]);
        t[i] + fraction(f0, f1, hz) * (t[i + 1] - t[i])
    }

    /// The shape scaled by `severity` (0 = normal hearing, 1 = as drawn).
    pub fn scaled(&self, severity: f32) -> Self {
        let s = if severity.is_finite() {
            severity.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mut t = self.thresholds_db_hl;
        for v in &mut t {
            *v *= s;
        }
        Self {
            thresholds_db_hl: t,
        }
    }

    fn at_standard(&self, hz: f32) -> f32 {
        let i = STANDARD_HZ
            .iter()
            .position(|&f| f == hz)
            .expect("standard frequency");
        self.thresholds_db_hl[i]
    }

    fn mean_of(&self, freqs: &[f32]) -> f32 {
        freqs.iter().map(|&f| self.at_standard(f)).sum::<f32>() / freqs.len() as f32
    }

    /// Four-frequency pure-tone average (500, 1k, 2k, 4k Hz), the WHO 2021 measure.
    pub fn pta4(&self) -> f32 {
        self.mean_of(&[500.0, 1000.0, 2000.0, 4000.0])
    }

    /// WHO 2021 grade of this ear.
    pub fn who_grade(&self) -> WhoGrade {
        WhoGrade::from_pta(self.pta4())
    }

    /// AMA (1979) monaural impairment, %: 1.5 × (mean of 500/1k/2k/3k Hz − 25 dB), 0…100.
    pub fn ama_impairment_percent(&self) -> f32 {
        (1.5 * (self.mean_of(&[500.0, 1000.0, 2000.0, 3000.0]) - 25.0)).clamp(0.0, 100.0)
    }

    /// MSBG's degree of loss: mean threshold over 2–8 kHz (pyclarity `Audiogram.severity`),
    /// which picks its filter broadening and smearing.
    pub fn msbg_degree_db(&self) -> f32 {
        self.mean_of(&[2000.0, 3000.0, 4000.0, 6000.0, 8000.0])
    }
}

/// WHO grade of a listener: the better ear decides.
pub fn better_ear_grade(left: &Audiogram, right: &Audiogram) -> WhoGrade {
    WhoGrade::from_pta(left.pta4().min(right.pta4()))
}

/// AMA (1979) binaural hearing handicap, %: (5 × better ear + worse ear) / 6.
pub fn ama_handicap_percent(left: &Audiogram, right: &Audiogram) -> f32 {
    let (l, r) = (
        left.ama_impairment_percent(),
        right.ama_impairment_percent(),
    );
    (5.0 * l.min(r) + l.max(r)) / 6.0
}

/// Preset shapes (docs/science.md, Audiogram and degree). Presets are only values for the
/// audiogram parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Normal,
    Mild,
    Moderate,
    Severe,
    Profound,
    Flat,
    SlopingHighFrequency,
    NoiseInduced,
    ReverseSlope,
    SuddenSensorineural,
    Ruben,
}

impl Preset {
    pub const ALL: [Preset; 11] = [
        Preset::Normal,
        Preset::Mild,
        Preset::Moderate,
        Preset::Severe,
        Preset::Profound,
        Preset::Flat,
        Preset::SlopingHighFrequency,
        Preset::NoiseInduced,
        Preset::ReverseSlope,
        Preset::SuddenSensorineural,
        Preset::Ruben,
    ];

    /// Command-line / file name of the preset.
    pub fn id(self) -> &'static str {
        match self {
            Preset::Normal => "normal",
            Preset::Mild => "mild",
            Preset::Moderate => "moderate",
            Preset::Severe => "severe",
            Preset::Profound => "profound",
            Preset::Flat => "flat",
            Preset::SlopingHighFrequency => "sloping",
            Preset::NoiseInduced => "noise-induced",
            Preset::ReverseSlope => "reverse-slope",
            Preset::SuddenSensorineural => "sudden",
            Preset::Ruben => "ruben",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    /// Thresholds, dB HL at [`STANDARD_HZ`].
    pub fn audiogram(self) -> Audiogram {
        let t = match self {
            Preset::Normal => [0.0; POINTS],
            // 3D Tune-In presets (octaves 62.5 Hz…16 kHz) read at the standard frequencies;
            // 3 kHz and 6 kHz interpolated in log-frequency.
            Preset::Mild => [10.0, 10.0, 20.0, 30.0, 30.0, 35.0, 40.0, 40.0, 40.0],
            Preset::Moderate => [20.0, 20.0, 30.0, 40.0, 40.0, 45.0, 50.0, 50.0, 50.0],
            Preset::Severe => [40.0, 40.0, 50.0, 60.0, 70.0, 75.0, 80.0, 80.0, 80.0],
            // Profound (WHO 2021: better-ear PTA4 80–94 dB HL): PTA4 90 dB HL, a little
            // residual hearing in the lows, as in most implant candidates.
            Preset::Profound => [75.0, 80.0, 85.0, 90.0, 90.0, 95.0, 95.0, 100.0, 100.0],
            Preset::Flat => [45.0; POINTS],
            Preset::SlopingHighFrequency => [10.0, 10.0, 15.0, 20.0, 35.0, 45.0, 55.0, 65.0, 70.0],
            // Noise-induced notch: worst at 4 kHz, ≥ 10 dB below both 2 kHz and 8 kHz,
            // recovering at 8 kHz (Wilson & McArdle 2013); depth 25 dB re 2 kHz, 15 dB re 8 kHz.
            Preset::NoiseInduced => [5.0, 5.0, 5.0, 10.0, 15.0, 30.0, 40.0, 35.0, 25.0],
            Preset::ReverseSlope => [55.0, 50.0, 45.0, 35.0, 25.0, 20.0, 20.0, 20.0, 20.0],
            Preset::SuddenSensorineural => [50.0, 55.0, 60.0, 65.0, 70.0, 70.0, 75.0, 75.0, 80.0],
            // Ruben after the gig: severe, "two-thirds of his hearing" read with AMA 1979:
            // mean(500, 1k, 2k, 3k) = 70 dB HL → 67.5 % impairment; still steeper at the top.
            Preset::Ruben => [55.0, 60.0, 65.0, 70.0, 70.0, 75.0, 80.0, 85.0, 90.0],
        };
        Audiogram::new(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_is_log_frequency_and_flat_beyond_ends() {
        let a = Audiogram::new([0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0]);
        assert_eq!(a.threshold_at(50.0), 0.0);
        assert_eq!(a.threshold_at(16000.0), 80.0);
        assert!((a.threshold_at(1000.0) - 30.0).abs() < 1e-5);
        // Geometric mean of 1k and 2k lies halfway in log-frequency.
        assert!((a.threshold_at((1000.0f32 * 2000.0).sqrt()) - 35.0).abs() < 1e-3);
        assert_eq!(a.threshold_at(f32::NAN), 0.0);
        assert!((a.threshold_at_linear_hz(1500.0) - 35.0).abs() < 1e-4);
        assert_eq!(a.threshold_at_linear_hz(20000.0), 80.0);
        assert_eq!(a.threshold_at_linear_hz(f32::NAN), 0.0);
    }

    #[test]
    fn who_grades_follow_the_2021_table() {
        let g = |v: f32| Audiogram::new([v; POINTS]).who_grade();
        assert_eq!(g(19.9), WhoGrade::Normal);
        assert_eq!(g(20.0), WhoGrade::Mild);
        assert_eq!(g(49.0), WhoGrade::Moderate);
        assert_eq!(g(64.0), WhoGrade::ModeratelySevere);
        assert_eq!(g(79.0), WhoGrade::Severe);
        assert_eq!(g(94.0), WhoGrade::Profound);
        assert_eq!(g(95.0), WhoGrade::Complete);
        let better = Audiogram::new([30.0; POINTS]);
        let worse = Audiogram::new([90.0; POINTS]);
        assert_eq!(better_ear_grade(&better, &worse), WhoGrade::Mild);
        // Each grade's range maps back to it at both ends.
        for grade in WhoGrade::ALL.into_iter().skip(1) {
            let (from, to) = grade.range_db_hl();
            assert_eq!(WhoGrade::from_pta(from), grade);
            assert_eq!(WhoGrade::from_pta(to.min(200.0) - 0.01), grade);
        }
    }

    #[test]
    fn frequencies_are_labelled_as_audiologists_do() {
        assert_eq!(frequency_label(125.0), "125 Hz");
        assert_eq!(frequency_label(1500.0), "1.5 kHz");
        assert_eq!(axis_label(125.0), "125");
        assert_eq!(axis_label(1000.0), "1k");
        assert_eq!(axis_label(1500.0), "1.5k");
        assert_eq!(axis_label(16000.0), "16k");
    }

    #[test]
    fn ruben_is_two_thirds_by_ama() {
        let r = Preset::Ruben.audiogram();
        assert!((r.ama_impairment_percent() - 67.5).abs() < 0.01);
        assert_eq!(r.who_grade(), WhoGrade::Severe);
        assert!((ama_handicap_percent(&r, &r) - 67.5).abs() < 0.01);
    }

    #[test]
    fn noise_notch_meets_wilson_mcardle() {
        let a = Preset::NoiseInduced.audiogram();
        let t = |hz| a.threshold_at(hz);
        let notch = t(3000.0).max(t(4000.0)).max(t(6000.0));
        assert!(notch - t(2000.0) >= 10.0 && notch - t(8000.0) >= 10.0);
        assert_eq!(notch, t(4000.0));
    }

    #[test]
    fn presets_round_trip_by_id_and_scale() {
        for p in Preset::ALL {
            assert_eq!(Preset::from_id(p.id()), Some(p));
        }
        let s = Preset::Severe.audiogram().scaled(0.5);
        assert_eq!(s.thresholds_db_hl[0], 20.0);
        assert_eq!(
            Preset::Severe.audiogram().scaled(f32::NAN),
            Audiogram::NORMAL
        );
    }
}
