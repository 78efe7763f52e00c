//! The loss stage as the chain runs it: both ears ([`LossEar`]), the stage's own controls
//! (recruitment, smearing), and the skip while the implant alone is heard.

use super::{controls, LossEar, LossEarControl, LossTables};
use crate::hearing::Hearing;
use crate::smoother::Smoother;
use crate::stage::Stage;

/// The loss stage's targets (the audiograms it applies are the hearing's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossControls {
    pub recruitment: bool,
    /// Manual smearing instead of MSBG's choice from the degree of loss.
    pub smear_manual: bool,
    /// Manual smearing amount, 0…1 (1/3 mild, 2/3 moderate, 1 severe).
    pub smear_amount: f32,
}

impl Default for LossControls {
    fn default() -> Self {
        Self {
            recruitment: true,
            smear_manual: false,
            smear_amount: controls::SMEAR_AMOUNT.default,
        }
    }
}

/// Both ears' loss stages. The controls are read once per chunk and hold for the frames in
/// it: the engine ends its chunks at frames ([`Loss::until_frame`]), so each frame gets its
/// own.
pub struct Loss {
    ears: [LossEar; 2],
    recruitment: Smoother,
    smear_manual: Smoother,
    smear_amount: Smoother,
    /// Nothing of the stage reaches the ears in this chunk (see [`Loss::set_unheard`]).
    unheard: bool,
    /// The stage was skipped in the previous chunk: it restarts from silence when heard.
    skipped: bool,
    controls: LossControls,
}

impl Loss {
    pub fn new(sample_rate: f32, c: &LossControls) -> Self {
        let t = LossTables::shared(sample_rate);
        let switch = |v: bool| Smoother::new(f32::from(v), controls::SWITCH_RAMP_MS, sample_rate);
        let mut l = Self {
            ears: [LossEar::with_tables(t.clone()), LossEar::with_tables(t)],
            recruitment: switch(c.recruitment),
            smear_manual: switch(c.smear_manual),
            smear_amount: controls::SMEAR_AMOUNT.smoother(c.smear_amount, sample_rate),
            unheard: false,
            skipped: false,
            controls: *c,
        };
        l.set(c);
        l.reset();
        l
    }

    /// Latency in samples (one analysis frame), independent of every control.
    pub fn latency(&self) -> usize {
        self.ears[0].latency()
    }

    /// Samples until the next frame.
    pub fn until_frame(&self) -> usize {
        self.ears[0].until_frame()
    }

    /// [`Stage::reset`], with the frames placed as for a stage started at timeline 0, when the
    /// next input sample sits at `timeline`.
    pub fn reset_at(&mut self, timeline: i64) {
        for e in &mut self.ears {
            e.reset_at(timeline);
        }
        self.skipped = false;
        self.land();
    }

    /// Whether nothing of this stage reaches the ears in the coming chunk (the implant alone
    /// is heard). Then it does not run (its controls still move), and when heard again it
    /// starts from silence, a fade-in under the implant's ramp, not from the state of before.
    pub fn set_unheard(&mut self, unheard: bool) {
        self.unheard = unheard;
    }
}

impl Stage for Loss {
    type Controls = LossControls;

    fn prepare(&mut self, sample_rate: f32, _max_block: usize) {
        *self = Self::new(sample_rate, &self.controls);
    }

    fn reset(&mut self) {
        self.reset_at(0);
    }

    fn set(&mut self, c: &LossControls) {
        self.controls = *c;
        self.recruitment.set_target(f32::from(c.recruitment));
        self.smear_manual.set_target(f32::from(c.smear_manual));
        self.smear_amount
            .set_target(controls::SMEAR_AMOUNT.clamp(c.smear_amount));
    }

    fn land(&mut self) {
        for s in [
            &mut self.recruitment,
            &mut self.smear_manual,
            &mut self.smear_amount,
        ] {
            s.land();
        }
    }

    fn process(&mut self, hearing: &Hearing, _world: &[&[f32]], ears: &mut [&mut [f32]]) {
        let n = ears.iter().map(|e| e.len()).min().unwrap_or(0);
        let recruitment = self.recruitment.skip(n as u32);
        let smear_manual = self.smear_manual.skip(n as u32);
        let smear_amount = self.smear_amount.skip(n as u32);
        let ctl = [0, 1].map(|ear| LossEarControl {
            audiogram: hearing.audiograms[ear],
            gap: hearing.gaps[ear],
            calibration: hearing.calibration,
            recruitment,
            smear_manual,
            smear_amount,
        });
        if self.unheard {
            self.skipped = true;
            return;
        }
        if std::mem::take(&mut self.skipped) {
            for e in &mut self.ears {
                e.reset();
            }
        }
        // Pieces that end at frame boundaries (the engine's chunks already do): the frames
        // in one chunk share its controls.
        let mut pos = 0;
        while pos < n {
            let len = (n - pos).min(self.until_frame());
            let span = pos..pos + len;
            match ears {
                [left, right, ..] => {
                    let [ear_l, ear_r] = &mut self.ears;
                    LossEar::process_stereo(
                        [ear_l, ear_r],
                        [&mut left[span.clone()], &mut right[span]],
                        [&ctl[0], &ctl[1]],
                    );
                }
                [mono] => self.ears[0].process(&mut mono[span], &ctl[0]),
                [] => {}
            }
            pos += len;
        }
    }

    fn is_idle(&self) -> bool {
        self.unheard
    }
}
