//! The hearing in effect: each ear's audiogram with the severity applied, and the level
//! calibration. Every stage reads it once per chunk: the loss stage applies it, the implant
//! maps levels through the calibration, the tinnitus sets its pitch and level from both.

pub mod conductive;
pub mod controls;
pub mod exposure_bands;
pub mod tts;

use crate::audiogram::{Audiogram, POINTS};
use crate::calibration::Calibration;
use crate::smoother::Smoother;
use conductive::GapShape;

/// What the ears hear with during one chunk.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hearing {
    /// Left and right (mono: left), severity applied: the cochlea's thresholds.
    pub audiograms: [Audiogram; 2],
    /// The conductive component in front of each cochlea, dB at the audiogram frequencies,
    /// severity applied ([`conductive`]); all 0 without one.
    pub gaps: [Audiogram; 2],
    pub calibration: Calibration,
    /// The part of `audiograms` a blast put there (recovering), dB; all 0 without one
    /// (`tts.rs`; the ringing swells with it).
    pub blast_db: [Audiogram; 2],
}

/// The hearing's targets (plain values; smoothed by [`HearingState`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HearingControls {
    /// 0 = normal hearing, 1 = the audiograms as drawn.
    pub severity: f32,
    pub left: Audiogram,
    pub right: Audiogram,
    /// When set, the right ear uses the left audiogram.
    pub link_ears: bool,
    /// dB SPL of a full-scale sine.
    pub calibration_db_spl: f32,
    /// Air–bone gap of each ear, dB (the right follows the left while the ears are linked).
    pub gap_db: [f32; 2],
    pub gap_shape: GapShape,
}

impl Default for HearingControls {
    fn default() -> Self {
        Self {
            severity: controls::SEVERITY.default,
            left: Audiogram::NORMAL,
            right: Audiogram::NORMAL,
            link_ears: true,
            calibration_db_spl: controls::CALIBRATION.default,
            gap_db: [controls::AIR_BONE_GAP.default; 2],
            gap_shape: GapShape::Flat,
        }
    }
}

/// The hearing's smoothers, advanced chunk by chunk.
#[derive(Clone, Debug)]
pub struct HearingState {
    severity: Smoother,
    thresholds: [[Smoother; POINTS]; 2],
    /// The gap at each audiogram frequency: a change of shape glides like a change of size.
    gaps: [[Smoother; POINTS]; 2],
    calibration: Smoother,
}

impl HearingState {
    /// At the targets `c`, for `sample_rate`.
    pub fn new(c: &HearingControls, sample_rate: f32) -> Self {
        let fs = sample_rate;
        let points = |a: &Audiogram| {
            a.thresholds_db_hl
                .map(|t| controls::THRESHOLD.smoother(t, fs))
        };
        let mut h = Self {
            severity: controls::SEVERITY.smoother(c.severity, fs),
            thresholds: [points(&c.left), points(&c.right)],
            gaps: std::array::from_fn(|_| {
                std::array::from_fn(|_| controls::AIR_BONE_GAP.smoother(0.0, fs))
            }),
            calibration: controls::CALIBRATION.smoother(c.calibration_db_spl, fs),
        };
        h.set(c);
        h.land();
        h
    }

    /// New targets; ramped from the current values.
    pub fn set(&mut self, c: &HearingControls) {
        self.severity
            .set_target(controls::SEVERITY.clamp(c.severity));
        let right = if c.link_ears { &c.left } else { &c.right };
        for (ear, a) in self.thresholds.iter_mut().zip([&c.left, right]) {
            let a = Audiogram::new(a.thresholds_db_hl);
            for (s, t) in ear.iter_mut().zip(a.thresholds_db_hl) {
                s.set_target(t);
            }
        }
        let gap_right = if c.link_ears {
            c.gap_db[0]
        } else {
            c.gap_db[1]
        };
        for (ear, g) in self.gaps.iter_mut().zip([c.gap_db[0], gap_right]) {
            let at = conductive::gap_at_points(g, c.gap_shape);
            for (s, t) in ear.iter_mut().zip(at.thresholds_db_hl) {
                s.set_target(t);
            }
        }
        self.calibration
            .set_target(Calibration::new(c.calibration_db_spl).full_scale_sine_db_spl);
    }

    /// Every smoother on its target.
    pub fn land(&mut self) {
        let all = [&mut self.severity, &mut self.calibration]
            .into_iter()
            .chain(self.thresholds.iter_mut().flatten())
            .chain(self.gaps.iter_mut().flatten());
        for s in all {
            s.land();
        }
    }

    /// Advances `n` samples; the hearing reached.
    pub fn advance(&mut self, n: usize) -> Hearing {
        let n = n as u32;
        self.severity.skip(n);
        self.calibration.skip(n);
        for s in self.thresholds.iter_mut().chain(&mut self.gaps).flatten() {
            s.skip(n);
        }
        self.current()
    }

    /// The hearing now.
    pub fn current(&self) -> Hearing {
        let severity = self.severity.value();
        Hearing {
            audiograms: self
                .thresholds
                .each_ref()
                .map(|ear| Audiogram::new(ear.each_ref().map(|s| s.value())).scaled(severity)),
            gaps: self
                .gaps
                .each_ref()
                .map(|ear| Audiogram::new(ear.each_ref().map(|s| s.value())).scaled(severity)),
            calibration: Calibration::new(self.calibration.value()),
            blast_db: [Audiogram::NORMAL; 2],
        }
    }
}
