//! A listener described by who they are rather than by an audiogram: age and sex (ISO 7029),
//! where in the population they stand (percentile), and optionally years of noise at work or
//! on stage (ISO 1999). The generated audiogram is what the CLI's `--age`, the editor's
//! "From age and noise…" menu and `earshot presets` set on the 18 audiogram parameters.

use super::age::{self, Sex, AGE_RANGE};
use super::noise::{self, LEVEL_RANGE_DBA, YEARS_RANGE};
use super::Audiogram;

/// Daily noise exposure: `years` at `level_dba` (L_EX,8h, dB(A) over an 8-hour day).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NoiseExposure {
    pub years: f32,
    pub level_dba: f32,
}

/// Who the listener is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Listener {
    pub sex: Sex,
    /// Years, 18–80.
    pub age: f32,
    /// Percentile of the population, 5–95 in steps of 5 (50: the median; 90: worse hearing
    /// than nine people in ten of that age and sex).
    pub percentile: u8,
    pub noise: Option<NoiseExposure>,
}

impl Listener {
    /// A median listener of `age` and `sex`, no noise exposure.
    pub fn new(sex: Sex, age: f32) -> Self {
        Self {
            sex,
            age,
            percentile: 50,
            noise: None,
        }
    }

    /// Checks every field against the ranges the standards cover; the message says which
    /// field and what is accepted.
    pub fn validate(&self) -> Result<(), String> {
        if !(AGE_RANGE.0..=AGE_RANGE.1).contains(&self.age) {
            return Err(format!(
                "age {}: ISO 7029 covers {}–{} years",
                self.age, AGE_RANGE.0, AGE_RANGE.1
            ));
        }
        if age::z_of_percentile(self.percentile).is_none() {
            return Err(format!(
                "percentile {}: one of 5, 10, …, 95 (the standards' Gaussian table)",
                self.percentile
            ));
        }
        if let Some(n) = self.noise {
            if !(YEARS_RANGE.0..=YEARS_RANGE.1).contains(&n.years) {
                return Err(format!(
                    "noise years {}: ISO 1999 covers {}–{} years of exposure",
                    n.years, YEARS_RANGE.0, YEARS_RANGE.1
                ));
            }
            if !(LEVEL_RANGE_DBA.0..=LEVEL_RANGE_DBA.1).contains(&n.level_dba) {
                return Err(format!(
                    "noise level {} dB(A): {}–{} dB(A) L_EX,8h accepted",
                    n.level_dba, LEVEL_RANGE_DBA.0, LEVEL_RANGE_DBA.1
                ));
            }
        }
        Ok(())
    }

    /// The audiogram (both ears alike), to 0.1 dB HL; an error if a field is out of range.
    pub fn audiogram(&self) -> Result<Audiogram, String> {
        self.validate()?;
        let a = match self.noise {
            None => age::audiogram(self.sex, self.age, self.percentile),
            Some(n) => noise::audiogram(self.sex, self.age, self.percentile, n.level_dba, n.years),
        };
        a.ok_or_else(|| "percentile out of table".to_string())
    }

    /// One line: "70-year-old woman, median (ISO 7029)", "… + 12 years at 100 dB(A)
    /// (ISO 1999)".
    pub fn describe(&self) -> String {
        let who = match self.sex {
            Sex::Female => "woman",
            Sex::Male => "man",
        };
        let rank = if self.percentile == 50 {
            "median".to_string()
        } else {
            format!("{}th percentile", self.percentile)
        };
        let mut s = format!("{}-year-old {who}, {rank} (ISO 7029)", self.age);
        if let Some(n) = self.noise {
            s += &format!(" + {} years at {} dB(A) (ISO 1999)", n.years, n.level_dba);
        }
        s
    }

    /// The CLI arguments that generate this audiogram.
    pub fn cli_args(&self) -> String {
        let mut s = format!("--age {} --sex {}", self.age, self.sex.name());
        if self.percentile != 50 {
            s += &format!(" --percentile {}", self.percentile);
        }
        if let Some(n) = self.noise {
            s += &format!(" --noise-years {} --noise-dba {}", n.years, n.level_dba);
        }
        s
    }
}

/// Listeners `earshot presets` shows as examples of the generators.
pub const EXAMPLES: [Listener; 5] = [
    Listener {
        sex: Sex::Female,
        age: 45.0,
        percentile: 50,
        noise: None,
    },
    Listener {
        sex: Sex::Female,
        age: 70.0,
        percentile: 50,
        noise: None,
    },
    Listener {
        sex: Sex::Male,
        age: 80.0,
        percentile: 90,
        noise: None,
    },
    Listener {
        sex: Sex::Male,
        age: 35.0,
        percentile: 50,
        noise: Some(NoiseExposure {
            years: 12.0,
            level_dba: 100.0,
        }),
    },
    Listener {
        sex: Sex::Male,
        age: 60.0,
        percentile: 50,
        noise: Some(NoiseExposure {
            years: 40.0,
            level_dba: 90.0,
        }),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_fields_are_named_in_the_error() {
        let ok = Listener::new(Sex::Female, 70.0);
        assert!(ok.audiogram().is_ok());
        let e = Listener { age: 12.0, ..ok }.audiogram().unwrap_err();
        assert!(e.contains("age 12"), "{e}");
        let e = Listener {
            age: f32::NAN,
            ..ok
        }
        .audiogram()
        .unwrap_err();
        assert!(e.contains("age"), "{e}");
        let e = Listener {
            percentile: 33,
            ..ok
        }
        .audiogram()
        .unwrap_err();
        assert!(e.contains("percentile 33"), "{e}");
        let noisy = |years, level_dba| Listener {
            noise: Some(NoiseExposure { years, level_dba }),
            ..ok
        };
        assert!(noisy(50.0, 100.0)
            .audiogram()
            .unwrap_err()
            .contains("years"));
        assert!(noisy(10.0, 130.0)
            .audiogram()
            .unwrap_err()
            .contains("dB(A)"));
        assert!(noisy(10.0, f32::NAN).audiogram().is_err());
    }

    #[test]
    fn examples_are_valid_and_noise_makes_a_notch() {
        for l in EXAMPLES {
            let a = l.audiogram().unwrap();
            assert!(a
                .thresholds_db_hl
                .iter()
                .all(|v| v.is_finite() && *v >= -10.0));
        }
        // The drummer: 12 years at 100 dB(A) at 35 has a 4 kHz notch, recovering at 8 kHz.
        let t = EXAMPLES[3].audiogram().unwrap().thresholds_db_hl;
        let (k2, k4, k8) = (t[4], t[6], t[8]);
        assert!(k4 - k2 >= 10.0 && k4 - k8 >= 10.0, "{t:?}");
        assert_eq!(
            EXAMPLES[1].describe(),
            "70-year-old woman, median (ISO 7029)"
        );
        assert_eq!(
            EXAMPLES[3].cli_args(),
            "--age 35 --sex male --noise-years 12 --noise-dba 100"
        );
    }
}
