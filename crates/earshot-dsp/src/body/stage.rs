//! The body layer as the chain runs it: its controls ramped chunk by chunk, and skipped
//! while nothing is felt.

use super::{controls, BodyLayer};
use crate::hearing::Hearing;
use crate::smoother::Smoother;
use crate::stage::Stage;

/// The body layer's targets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BodyControls {
    /// 0 = nothing added, 1 = full felt thump.
    pub amount: f32,
    pub band_hz: f32,
    /// 0 = the band itself, 1 = only the octave below.
    pub octave: f32,
    /// Own-voice colour, 0…1.
    pub voice: f32,
}

impl Default for BodyControls {
    fn default() -> Self {
        Self {
            amount: controls::AMOUNT.default,
            band_hz: controls::BAND.default,
            octave: controls::OCTAVE.default,
            voice: controls::VOICE.default,
        }
    }
}

/// The body layer of both ears, fed the latency-aligned world, added to the ears.
pub struct Body {
    layer: BodyLayer,
    /// Amount, band, octave, voice.
    smoothers: [Smoother; 4],
    controls: BodyControls,
    running: bool,
}

impl Body {
    pub fn new(sample_rate: f32, c: &BodyControls) -> Self {
        use controls::*;
        let mut b = Self {
            layer: BodyLayer::new(sample_rate),
            smoothers: [AMOUNT, BAND, OCTAVE, VOICE].map(|c| c.smoother(c.default, sample_rate)),
            controls: *c,
            running: false,
        };
        b.set(c);
        b.reset();
        b
    }
}

impl Stage for Body {
    type Controls = BodyControls;

    fn prepare(&mut self, sample_rate: f32, _max_block: usize) {
        *self = Self::new(sample_rate, &self.controls);
    }

    fn reset(&mut self) {
        self.layer.reset();
        self.running = false;
        self.land();
    }

    fn set(&mut self, c: &BodyControls) {
        use controls::*;
        self.controls = *c;
        for (s, v) in self.smoothers.iter_mut().zip([
            AMOUNT.clamp(c.amount),
            BAND.clamp(c.band_hz),
            OCTAVE.clamp(c.octave),
            VOICE.clamp(c.voice),
        ]) {
            s.set_target(v);
        }
    }

    fn land(&mut self) {
        for s in &mut self.smoothers {
            s.land();
        }
    }

    /// Skipped (nothing added, bit for bit) while amount and voice are 0.
    fn process(&mut self, _hearing: &Hearing, world: &[&[f32]], ears: &mut [&mut [f32]]) {
        let idle = self.is_idle();
        let [amount, band, octave, voice] = &mut self.smoothers;
        let from = BodyControls {
            amount: amount.value(),
            band_hz: band.value(),
            octave: octave.value(),
            voice: voice.value(),
        };
        let n = ears.iter().map(|e| e.len()).min().unwrap_or(0) as u32;
        let to = BodyControls {
            amount: amount.skip(n),
            band_hz: band.skip(n),
            octave: octave.skip(n),
            voice: voice.skip(n),
        };
        if idle {
            self.running = false;
            return;
        }
        if !self.running {
            self.layer.reset();
            self.running = true;
        }
        self.layer.process(world, ears, &from, &to);
    }

    fn is_idle(&self) -> bool {
        let [amount, _, _, voice] = &self.smoothers;
        amount.value() == 0.0
            && amount.target() == 0.0
            && voice.value() == 0.0
            && voice.target() == 0.0
            && self.layer.is_silent()
    }
}
