//! Temporary threshold shift (TTS): the hearing reacts to loud sound, and to a "blast".
//!
//! Per ear and audiogram frequency, the level reaching the cochlea in the octave below that
//! frequency ([`super::exposure_bands`]) drives a shift of the threshold:
//!
//! - **How far:** the asymptotic shift a steady exposure would reach grows about 1.7 dB per
//!   dB of band level above a critical level (Mills, Gengel, Watson & Miller 1970, "Temporary
//!   changes of the auditory system due to exposure to noise for one or two days", JASA 48;
//!   summarised by Melnick 1991, "Human temporary threshold shift (TTS) and damage risk", JASA
//!   90, who puts the critical level at about 75–80 dB SPL). The onset is a control (default
//!   78 dB SPL); `amount` scales the slope (1 = the literature's 1.7 dB/dB, 0 = off); the
//!   shift is capped at `max_db`.
//! - **How fast:** the shift grows linearly in log exposure time and reaches that asymptote
//!   after about 8 hours (Mills et al. 1970): `TTS(t) = ATS · ln(1 + t/t₁)/ln(1 + 8 h/t₁)`,
//!   `t₁` = 1 min (the growth's knee: the literature's curves start at minutes). A changing
//!   level is followed with an equivalent exposure time: the time the new level would have
//!   needed to reach the shift already there.
//! - **Recovery:** once the drive is below the shift, it recovers linearly in log time
//!   (Ward, Glorig & Sklar 1959): `TTS(t) = TTS₀ · (1 − ln(1 + t/t₂)/ln(1 + T/t₂))`, with `t₂` =
//!   2 min (the TTS₂ of the literature, measured 2 min after exposure) and `T` the recovery
//!   time (a control; 16 h is physiological: a TTS of up to about 40 dB is gone within 16 h,
//!   Ward 1960). Half of it has recovered after `t₂ (√(1 + T/t₂) − 1)` (42 min for 16 h).
//! - **Time scale:** exposure and recovery both run that many times faster than the clock
//!   (1 = physiological; 360 compresses an hour of exposure or recovery into 10 s).
//! - **Blast:** a rising edge of the trigger shifts every frequency at once, by `depth` where
//!   a broadband blast shifts most and less where less of it reaches the cochlea: the shift
//!   the growth rule above gives for equal energy per octave (pink) at the level that shifts
//!   the most-driven frequency by `depth`. The shift then recovers like any other. It applies
//!   in [`BLAST_RAMP_MS`] (within one 128-sample block at 48 kHz).
//!
//! The shift is updated once per analysis hop (≈ 21 ms at 48 kHz) and interpolated linearly
//! between hops, so the hearing in effect moves continuously, and the same input gives the
//! same shift whatever the block sizes.

use super::exposure_bands::{BandLevels, ExposureBands};
use super::Hearing;
use crate::audiogram::{Audiogram, POINTS, STANDARD_HZ};
use crate::calibration::Calibration;
use crate::loss::ear_transfer::correction_db;

/// Asymptotic shift per dB of band level above the onset (Mills et al. 1970).
pub const GROWTH_DB_PER_DB: f32 = 1.7;
/// Exposure time after which the shift has reached its asymptote, s (Mills et al. 1970).
const ASYMPTOTE_S: f64 = 8.0 * 3600.0;
/// The log-time growth's knee, s.
const GROWTH_KNEE_S: f64 = 60.0;
/// The log-time recovery's knee, s (TTS₂: 2 min after exposure, Ward et al. 1959).
pub const RECOVERY_KNEE_S: f64 = 120.0;
/// How fast a blast applies, ms.
pub const BLAST_RAMP_MS: f32 = 2.5;

/// The TTS's targets (plain values; [`super::controls`] declares their ranges).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TtsControls {
    /// × the literature's growth slope; 0 = no exposure-driven shift.
    pub amount: f32,
    /// Band level at the cochlea above which the shift grows, dB SPL.
    pub onset_db_spl: f32,
    /// The exposure-driven shift's ceiling, dB.
    pub max_db: f32,
    /// Time to full recovery, min (physiological: 960 min = 16 h).
    pub recovery_min: f32,
    /// How many times faster than the clock exposure and recovery run (1 = physiological).
    pub time_scale: f32,
    /// The blast's shift where it is largest, dB.
    pub blast_depth_db: f32,
    /// The blast trigger: a rising edge applies it.
    pub blast: bool,
}

impl Default for TtsControls {
    fn default() -> Self {
        use super::controls::*;
        Self {
            amount: TTS_AMOUNT.default,
            onset_db_spl: TTS_ONSET.default,
            max_db: TTS_MAX.default,
            recovery_min: TTS_RECOVERY.default,
            time_scale: TTS_TIME_SCALE.default,
            blast_depth_db: BLAST_DEPTH.default,
            blast: false,
        }
    }
}

/// Fraction of the asymptotic shift reached after `t` s of steady exposure.
pub fn growth(t: f64) -> f64 {
    ((1.0 + t.max(0.0) / GROWTH_KNEE_S).ln() / (1.0 + ASYMPTOTE_S / GROWTH_KNEE_S).ln()).min(1.0)
}

/// The exposure time at which [`growth`] reaches `fraction`, s.
fn growth_time(fraction: f64) -> f64 {
    let y = fraction.clamp(0.0, 1.0);
    GROWTH_KNEE_S * ((1.0 + ASYMPTOTE_S / GROWTH_KNEE_S).powf(y) - 1.0)
}

/// Fraction of a shift recovered `t` s after the exposure ended, for a full recovery in
/// `recovery_s`.
pub fn recovered(t: f64, recovery_s: f64) -> f64 {
    let total = (1.0 + recovery_s.max(1.0) / RECOVERY_KNEE_S).ln();
    ((1.0 + t.max(0.0) / RECOVERY_KNEE_S).ln() / total).min(1.0)
}

/// The time after which half of a shift has recovered, s.
pub fn half_recovery_s(recovery_s: f64) -> f64 {
    RECOVERY_KNEE_S * ((1.0 + recovery_s.max(1.0) / RECOVERY_KNEE_S).sqrt() - 1.0)
}

/// The asymptotic shift a band level drives, dB.
pub fn drive_db(level_db_spl: f32, c: &TtsControls) -> f32 {
    let excess = level_db_spl - c.onset_db_spl;
    if excess.is_finite() && excess > 0.0 {
        (c.amount.max(0.0) * GROWTH_DB_PER_DB * excess).min(c.max_db.max(0.0))
    } else {
        0.0
    }
}

/// One audiogram point's shift: growing towards the drive, or recovering.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Shift {
    db: f32,
    /// The shift when the recovery began, and the (scaled) time since.
    from_db: f32,
    since_s: f64,
    recovering: bool,
}

impl Shift {
    fn advance(&mut self, drive: f32, dt: f64, recovery_s: f64) {
        if drive > self.db {
            let t = growth_time((self.db / drive) as f64) + dt;
            self.db = (drive as f64 * growth(t)) as f32;
            self.recovering = false;
        } else if self.db > 0.0 {
            if !self.recovering {
                self.from_db = self.db;
                self.since_s = 0.0;
                self.recovering = true;
            }
            self.since_s += dt;
            let left = 1.0 - recovered(self.since_s, recovery_s);
            self.db = (self.from_db as f64 * left) as f32;
            if self.db < 1e-3 {
                *self = Self::default();
            }
        }
    }

    /// An instant shift to at least `db`, recovering from now.
    fn blast(&mut self, db: f32) {
        let db = self.db.max(db);
        *self = Self {
            db,
            from_db: db,
            since_s: 0.0,
            recovering: db > 0.0,
        };
    }
}

/// Both ears' temporary threshold shift.
pub struct Tts {
    sample_rate: f32,
    bands: ExposureBands,
    controls: TtsControls,
    /// The exposure-driven shift and the blast's, per ear and point.
    noise: [[Shift; POINTS]; 2],
    blast: [[Shift; POINTS]; 2],
    /// The total shift at the last two hops (the output interpolates between them).
    previous: [[f32; POINTS]; 2],
    current: [[f32; POINTS]; 2],
    /// The last blast's step, faded in over [`BLAST_RAMP_MS`].
    blast_step: [[f32; POINTS]; 2],
    blast_since: usize,
    blast_ramp: usize,
    /// The trigger's last state (a rising edge fires).
    trigger: bool,
    /// A blast fired by a rising edge, applied at the next chunk.
    pending_blast: bool,
    /// Each point's blast shift re its largest, dB (≤ 0): see the module doc.
    blast_shape_db: [f32; POINTS],
}

impl Tts {
    /// Allocates everything for `sample_rate`.
    pub fn new(sample_rate: f32, c: &TtsControls) -> Self {
        let mut t = Self {
            sample_rate,
            bands: ExposureBands::new(sample_rate),
            controls: *c,
            noise: Default::default(),
            blast: Default::default(),
            previous: [[0.0; POINTS]; 2],
            current: [[0.0; POINTS]; 2],
            blast_step: [[0.0; POINTS]; 2],
            blast_since: 0,
            blast_ramp: ((BLAST_RAMP_MS * 0.001 * sample_rate).round() as usize).max(1),
            trigger: c.blast,
            pending_blast: false,
            blast_shape_db: blast_shape_db(),
        };
        t.set(c);
        t
    }

    /// New targets. A rising edge of the blast trigger fires the blast.
    pub fn set(&mut self, c: &TtsControls) {
        use super::controls::*;
        if c.blast && !self.trigger {
            self.pending_blast = true;
        }
        self.trigger = c.blast;
        self.controls = TtsControls {
            amount: TTS_AMOUNT.clamp(c.amount),
            onset_db_spl: TTS_ONSET.clamp(c.onset_db_spl),
            max_db: TTS_MAX.clamp(c.max_db),
            recovery_min: TTS_RECOVERY.clamp(c.recovery_min),
            time_scale: TTS_TIME_SCALE.clamp(c.time_scale),
            blast_depth_db: BLAST_DEPTH.clamp(c.blast_depth_db),
            blast: c.blast,
        };
    }

    /// No shift, no exposure remembered (the trigger's state is kept: only a new rising edge
    /// fires).
    pub fn reset(&mut self) {
        self.bands.reset();
        self.noise = Default::default();
        self.blast = Default::default();
        self.previous = [[0.0; POINTS]; 2];
        self.current = [[0.0; POINTS]; 2];
        self.blast_step = [[0.0; POINTS]; 2];
        self.blast_since = 0;
        self.pending_blast = false;
    }

    /// Whether anything shifts or could start shifting (exposure is analysed only then).
    pub fn is_active(&self) -> bool {
        self.controls.amount > 0.0
            || self.pending_blast
            || self
                .previous
                .iter()
                .chain(&self.current)
                .flatten()
                .any(|&v| v > 0.0)
    }

    /// Takes one chunk of the world (1 = mono, 2 = left, right): the exposure, and a blast
    /// that fired. Any length.
    pub fn process(&mut self, world: &[&[f32]], cal: Calibration) {
        if self.pending_blast {
            self.pending_blast = false;
            self.fire_blast();
        }
        let len = world.iter().map(|w| w.len()).min().unwrap_or(0);
        let mut pos = 0;
        while pos < len {
            let n = (len - pos).min(self.bands.until_analysis());
            let part: [&[f32]; 2] = [
                &world[0][pos..pos + n],
                &world[world.len() - 1][pos..pos + n],
            ];
            let active = self.is_active();
            let levels = self.bands.push(&part[..world.len().min(2)], cal, active);
            if let Some(levels) = levels {
                self.update(levels);
            }
            pos += n;
        }
        self.blast_since = (self.blast_since + len).min(self.blast_ramp);
    }

    /// Advances the model by one analysis hop with these band levels.
    fn update(&mut self, levels: BandLevels) {
        let c = self.controls;
        let drives = levels.map(|ear| ear.map(|l| drive_db(l, &c)));
        self.previous = self.current;
        self.advance(&drives, self.bands.hop());
    }

    /// Every point's shift `samples` on (scaled by the time scale) under `drives`, dB.
    fn advance(&mut self, drives: &[[f32; POINTS]; 2], samples: usize) {
        let c = self.controls;
        let dt = samples as f64 / self.sample_rate as f64 * c.time_scale as f64;
        let recovery_s = c.recovery_min as f64 * 60.0;
        let points = self
            .noise
            .iter_mut()
            .flatten()
            .zip(self.blast.iter_mut().flatten())
            .zip(self.current.iter_mut().flatten())
            .zip(drives.iter().flatten());
        for (((noise, blast), current), &drive) in points {
            noise.advance(drive, dt, recovery_s);
            blast.advance(0.0, dt, recovery_s);
            *current = noise.db + blast.db;
        }
    }

    fn fire_blast(&mut self) {
        let depth = self.controls.blast_depth_db;
        for ear in 0..2 {
            for p in 0..POINTS {
                let before = self.blast[ear][p].db;
                let shaped = (depth + self.blast_shape_db[p]).max(0.0);
                self.blast[ear][p].blast(shaped);
                let step = self.blast[ear][p].db - before;
                // The step applies at once to both ends of the interpolation, faded in by
                // the ramp; what was still fading in from an earlier blast is folded in.
                let fading = self.fading(ear, p);
                self.previous[ear][p] += step;
                self.current[ear][p] += step;
                self.blast_step[ear][p] = step + fading;
            }
        }
        self.blast_since = 0;
    }

    /// What of the last blast's step has not applied yet, dB.
    fn fading(&self, ear: usize, p: usize) -> f32 {
        let left = 1.0 - self.blast_since as f32 / self.blast_ramp as f32;
        self.blast_step[ear][p] * left.max(0.0)
    }

    /// The shift now, dB, per ear and point.
    pub fn shift_db(&self) -> [[f32; POINTS]; 2] {
        let frac = self.bands.since_analysis() as f32 / self.bands.hop() as f32;
        std::array::from_fn(|ear| {
            std::array::from_fn(|p| {
                let a = self.previous[ear][p];
                let b = self.current[ear][p];
                (a + (b - a) * frac - self.fading(ear, p)).max(0.0)
            })
        })
    }

    /// `hearing`'s audiograms (each ear's, severity applied) with the shift added, capped at
    /// 120 dB HL, and the blast's part of it; unchanged, bit for bit, while nothing shifts.
    pub fn apply(&self, hearing: &mut Hearing) {
        if !self.is_active() {
            return;
        }
        let shift = self.shift_db();
        for (a, s) in hearing.audiograms.iter_mut().zip(shift) {
            let mut t = a.thresholds_db_hl;
            for (t, s) in t.iter_mut().zip(s) {
                *t += s;
            }
            *a = Audiogram::new(t);
        }
        hearing.blast_db = self.blast_db().map(Audiogram::new);
    }

    /// The blast's part of the shift now, dB, per ear and point (its recovery is stepped per
    /// hop; the ringing it swells is smoothed downstream).
    pub fn blast_db(&self) -> [[f32; POINTS]; 2] {
        std::array::from_fn(|ear| {
            std::array::from_fn(|p| (self.blast[ear][p].db - self.fading(ear, p)).max(0.0))
        })
    }

    /// Skips `samples` of silence at once (the engine asleep): the shift recovers as it
    /// would have, but for rounding.
    pub fn skip_silence(&mut self, samples: usize) {
        if samples == 0 {
            return;
        }
        let hops = self.bands.skip_silence(samples);
        if hops == 0 || !self.is_active() {
            return;
        }
        // Many hops of silence in one step: drive 0, so only the recovery runs, whose state
        // is exact for any step.
        self.advance(&[[0.0; POINTS]; 2], hops * self.bands.hop());
        self.previous = self.current;
        self.blast_since = self.blast_ramp;
    }
}

/// Each audiogram point's blast shift re the largest, dB: [`GROWTH_DB_PER_DB`] × its band
/// level at the cochlea for equal energy per octave, re the loudest band.
fn blast_shape_db() -> [f32; POINTS] {
    let levels: [f64; POINTS] = std::array::from_fn(|p| {
        // Power mean of the ear transfer over the octave below the point (log-spaced steps:
        // equal energy per octave).
        let steps = 64;
        let mean: f64 = (0..steps)
            .map(|i| {
                let hz = STANDARD_HZ[p] as f64 / 2.0 * 2f64.powf((i as f64 + 0.5) / steps as f64);
                10f64.powf(correction_db(hz) / 10.0)
            })
            .sum::<f64>()
            / steps as f64;
        10.0 * mean.log10()
    });
    let top = levels.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    levels.map(|l| (GROWTH_DB_PER_DB as f64 * (l - top)) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_log_linear_and_reaches_the_asymptote_in_8_hours() {
        assert_eq!(growth(0.0), 0.0);
        assert!((growth(ASYMPTOTE_S) - 1.0).abs() < 1e-12);
        assert_eq!(growth(2.0 * ASYMPTOTE_S), 1.0);
        // Linear in log time well past the knee: equal steps per decade.
        let d1 = growth(6000.0) - growth(600.0);
        let d2 = growth(20000.0) - growth(2000.0);
        assert!((d1 / d2 - 1.0).abs() < 0.1, "{d1} {d2}");
        for f in [0.0, 0.1, 0.5, 0.9, 1.0] {
            assert!((growth(growth_time(f)) - f).abs() < 1e-9);
        }
    }

    #[test]
    fn recovery_halves_at_the_stated_time_and_ends_at_the_recovery_time() {
        for recovery_s in [60.0, 3600.0, 16.0 * 3600.0] {
            let half = half_recovery_s(recovery_s);
            assert!((recovered(half, recovery_s) - 0.5).abs() < 1e-9);
            assert!((recovered(recovery_s, recovery_s) - 1.0).abs() < 1e-9);
        }
        // 16 h: half gone after 42 min.
        assert!((half_recovery_s(16.0 * 3600.0) / 60.0 - 41.9).abs() < 0.1);
    }

    #[test]
    fn drive_grows_1_7_db_per_db_over_the_onset_up_to_the_cap() {
        let c = TtsControls {
            amount: 1.0,
            onset_db_spl: 78.0,
            max_db: 40.0,
            ..TtsControls::default()
        };
        assert_eq!(drive_db(70.0, &c), 0.0);
        assert!((drive_db(88.0, &c) - 17.0).abs() < 1e-5);
        assert_eq!(drive_db(120.0, &c), 40.0);
        assert_eq!(drive_db(f32::NAN, &c), 0.0);
        assert_eq!(drive_db(f32::NEG_INFINITY, &c), 0.0);
        assert_eq!(drive_db(100.0, &TtsControls { amount: 0.0, ..c }), 0.0);
    }

    #[test]
    fn the_blast_is_deepest_where_the_ear_canal_resonance_feeds() {
        let s = blast_shape_db();
        let top = (0..POINTS).find(|&p| s[p] == 0.0).unwrap();
        assert!(
            (3000.0..=6000.0).contains(&STANDARD_HZ[top]),
            "deepest at {}",
            STANDARD_HZ[top]
        );
        // Low frequencies get much less (the middle ear passes less there).
        assert!(s[0] < -15.0 && s[1] < s[3] && s[3] < s[top], "{s:?}");
    }
}
