//! The output mix, the chain's last stage: the POV crossfade between the world (the
//! latency-aligned dry input) and the character's ears, the output gain, the bypass crossfade
//! and the safety limiter.

use crate::control::{Control, Smoothing, Taper};
use crate::hearing::Hearing;
use crate::limiter::SafetyLimiter;
use crate::smoother::Smoother;
use crate::stage::Stage;

/// 0 = the world, 1 = the character's ears. A POV "hard cut" is a crossfade of this ramp:
/// a few milliseconds, never a click (docs/science.md, POV and output).
pub const POV: Control = Control::fraction("POV", 1.0, Smoothing::Ramp(5.0));

pub const GAIN: Control = Control::new(
    "Output gain",
    (-24.0, 24.0),
    0.0,
    " dB",
    Taper::Linear,
    Smoothing::Ramp(20.0),
);

/// Every control above (the plugin's tests check each host parameter against one).
pub const ALL: [&Control; 2] = [&POV, &GAIN];

/// Bypass crossfades to the dry path over this long.
pub const BYPASS_RAMP_MS: f32 = 10.0;

/// The mix's targets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MixControls {
    /// 0 = the world (dry, latency-aligned), 1 = the character's ears.
    pub pov: f32,
    /// POV as a hard cut: `pov` below ½ is the world, from ½ the ears, switched by the
    /// 5 ms crossfade (never a click).
    pub pov_cut: bool,
    pub output_gain_db: f32,
    pub bypass: bool,
}

impl Default for MixControls {
    fn default() -> Self {
        Self {
            pov: POV.default,
            pov_cut: false,
            output_gain_db: GAIN.default,
            bypass: false,
        }
    }
}

/// POV crossfade → output gain → bypass crossfade → safety limiter, per sample.
pub struct Mix {
    pov: Smoother,
    /// Linear gain.
    gain: Smoother,
    bypass: Smoother,
    limiters: [SafetyLimiter; 2],
    controls: MixControls,
}

impl Mix {
    pub fn new(sample_rate: f32, c: &MixControls) -> Self {
        let mut m = Self {
            pov: POV.smoother(POV.default, sample_rate),
            // Linear gain, ramped as the dB control declares.
            gain: Smoother::new(1.0, GAIN.ramp_ms(), sample_rate),
            bypass: Smoother::new(0.0, BYPASS_RAMP_MS, sample_rate),
            limiters: [
                SafetyLimiter::new(sample_rate),
                SafetyLimiter::new(sample_rate),
            ],
            controls: *c,
        };
        m.set(c);
        m.reset();
        m
    }
}

impl Stage for Mix {
    type Controls = MixControls;

    fn prepare(&mut self, sample_rate: f32, _max_block: usize) {
        *self = Self::new(sample_rate, &self.controls);
    }

    fn reset(&mut self) {
        for l in &mut self.limiters {
            l.reset();
        }
        self.land();
    }

    fn set(&mut self, c: &MixControls) {
        self.controls = *c;
        let pov = POV.clamp(c.pov);
        self.pov.set_target(if c.pov_cut {
            f32::from(pov >= 0.5)
        } else {
            pov
        });
        self.gain
            .set_target(10f32.powf(GAIN.clamp(c.output_gain_db) / 20.0));
        self.bypass.set_target(f32::from(c.bypass));
    }

    fn land(&mut self) {
        for s in [&mut self.pov, &mut self.gain, &mut self.bypass] {
            s.land();
        }
    }

    /// `ears` become the output: the world and the ears mixed by the POV, times the gain,
    /// crossfaded with the world by the bypass, through the limiter.
    fn process(&mut self, _hearing: &Hearing, world: &[&[f32]], ears: &mut [&mut [f32]]) {
        let n = ears.iter().map(|e| e.len()).min().unwrap_or(0);
        for i in 0..n {
            let pov = self.pov.next_sample();
            let gain = self.gain.next_sample();
            let byp = self.bypass.next_sample();
            for (ch, (ear, dry)) in ears.iter_mut().zip(world).enumerate() {
                let (dry, wet) = (dry[i], ear[i]);
                let heard = (dry + pov * (wet - dry)) * gain;
                let y = heard + byp * (dry - heard);
                ear[i] = self.limiters[ch].process(y);
            }
        }
    }

    /// Never: the mix always writes the output.
    fn is_idle(&self) -> bool {
        false
    }
}
