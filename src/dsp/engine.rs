//! The whole chain for one plugin instance (DESIGN.md §2):
//! input sanitising → hearing-loss stage per ear → POV crossfade with the latency-aligned dry
//! path → output gain → bypass crossfade → safety limiter.
//!
//! `Engine::new` allocates everything (call it from `activate()`); `reset` only clears state;
//! `process` never allocates, locks or does I/O.

use crate::dsp::audiogram::Audiogram;
use crate::dsp::calibration::{Calibration, DEFAULT_DB_SPL};
use crate::dsp::delay::DelayLine;
use crate::dsp::limiter::SafetyLimiter;
use crate::dsp::loss::{LossControl, LossStage};
use crate::dsp::smoother::Smoother;

/// Most channels the engine processes (mono or stereo: one loss stage per ear).
pub const MAX_CHANNELS: usize = 2;
/// Input samples beyond ±this (≈ +80 dBFS), non-finite, are treated as bad and muted.
pub const BAD_INPUT_ABS: f32 = 1e4;
/// Input samples smaller than this are flushed to zero (no denormals enter the state).
const TINY: f32 = 1e-30;

/// Smoothing times, ms. Frame-rate controls are read every hop (1.45 ms).
const LOSS_RAMP_MS: f32 = 20.0;
/// A POV "hard cut" is a crossfade this long (DESIGN.md §3: a few milliseconds, never a click).
const POV_RAMP_MS: f32 = 5.0;
const GAIN_RAMP_MS: f32 = 20.0;
const BYPASS_RAMP_MS: f32 = 10.0;

/// Plain parameter values (targets); the engine smooths them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EngineParams {
    /// 0 = normal hearing, 1 = the audiograms as drawn.
    pub severity: f32,
    pub left: Audiogram,
    pub right: Audiogram,
    /// When set, the right ear uses the left audiogram.
    pub link_ears: bool,
    /// dB SPL of a full-scale sine.
    pub calibration_db_spl: f32,
    pub recruitment: bool,
    /// Manual smearing instead of MSBG's choice from the degree of loss.
    pub smear_manual: bool,
    /// Manual smearing amount, 0…1 (1/3 mild, 2/3 moderate, 1 severe).
    pub smear_amount: f32,
    /// 0 = the world (dry, latency-aligned), 1 = the character's ears.
    pub pov: f32,
    pub output_gain_db: f32,
    pub bypass: bool,
}

impl Default for EngineParams {
    fn default() -> Self {
        Self {
            severity: 0.0,
            left: Audiogram::NORMAL,
            right: Audiogram::NORMAL,
            link_ears: true,
            calibration_db_spl: DEFAULT_DB_SPL,
            recruitment: true,
            smear_manual: false,
            smear_amount: 0.0,
            pov: 1.0,
            output_gain_db: 0.0,
            bypass: false,
        }
    }
}

fn db_to_gain(db: f32) -> f32 {
    10f32.powf(db.clamp(-60.0, 24.0) / 20.0)
}

fn flag(b: bool) -> f32 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// Frame-rate controls of one ear.
struct EarControls {
    thresholds: [Smoother; 9],
}

pub struct Engine {
    sample_rate: f32,
    latency: usize,
    ears: Vec<LossStage>,
    dry: Vec<DelayLine>,
    dry_scratch: Vec<Vec<f32>>,
    limiters: Vec<SafetyLimiter>,
    ear_controls: Vec<EarControls>,
    severity: Smoother,
    calibration: Smoother,
    recruitment: Smoother,
    smear_manual: Smoother,
    smear_amount: Smoother,
    pov: Smoother,
    gain: Smoother,
    bypass: Smoother,
    /// Bad input samples muted since creation (NaN, ±Inf, beyond ±1e4).
    pub bad_input_samples: u64,
}

impl Engine {
    /// Allocates every buffer for `sample_rate` and up to [`MAX_CHANNELS`] channels.
    pub fn new(sample_rate: f32, params: &EngineParams) -> Self {
        let sample_rate = if sample_rate.is_finite() {
            sample_rate.clamp(1000.0, 800_000.0)
        } else {
            48000.0
        };
        let ears: Vec<LossStage> = (0..MAX_CHANNELS)
            .map(|_| LossStage::new(sample_rate))
            .collect();
        let latency = ears[0].latency();
        let hop = ears[0].until_frame();
        let s = |v: f32, ms: f32| Smoother::new(v, ms, sample_rate);
        let thresholds = |a: &Audiogram| a.thresholds_db_hl.map(|t| s(t, LOSS_RAMP_MS));
        let mut e = Self {
            sample_rate,
            latency,
            ears,
            dry: (0..MAX_CHANNELS).map(|_| DelayLine::new(latency)).collect(),
            dry_scratch: (0..MAX_CHANNELS).map(|_| vec![0.0; hop]).collect(),
            limiters: (0..MAX_CHANNELS)
                .map(|_| SafetyLimiter::new(sample_rate))
                .collect(),
            ear_controls: vec![
                EarControls {
                    thresholds: thresholds(&params.left),
                },
                EarControls {
                    thresholds: thresholds(&params.right),
                },
            ],
            severity: s(0.0, LOSS_RAMP_MS),
            calibration: s(DEFAULT_DB_SPL, LOSS_RAMP_MS),
            recruitment: s(1.0, LOSS_RAMP_MS),
            smear_manual: s(0.0, LOSS_RAMP_MS),
            smear_amount: s(0.0, LOSS_RAMP_MS),
            pov: s(1.0, POV_RAMP_MS),
            gain: s(1.0, GAIN_RAMP_MS),
            bypass: s(0.0, BYPASS_RAMP_MS),
            bad_input_samples: 0,
        };
        e.set_params(params);
        e.reset();
        e
    }

    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    /// Latency in samples: the same for every parameter value.
    pub fn latency(&self) -> usize {
        self.latency
    }

    /// New targets; smoothed from the current values.
    pub fn set_params(&mut self, p: &EngineParams) {
        self.severity.set_target(p.severity.clamp(0.0, 1.0));
        let right = if p.link_ears { &p.left } else { &p.right };
        for (ctl, a) in self.ear_controls.iter_mut().zip([&p.left, right]) {
            let a = Audiogram::new(a.thresholds_db_hl);
            for (s, t) in ctl.thresholds.iter_mut().zip(a.thresholds_db_hl) {
                s.set_target(t);
            }
        }
        self.calibration
            .set_target(Calibration::new(p.calibration_db_spl).full_scale_sine_db_spl);
        self.recruitment.set_target(flag(p.recruitment));
        self.smear_manual.set_target(flag(p.smear_manual));
        self.smear_amount.set_target(p.smear_amount.clamp(0.0, 1.0));
        self.pov.set_target(p.pov.clamp(0.0, 1.0));
        self.gain.set_target(db_to_gain(p.output_gain_db));
        self.bypass.set_target(flag(p.bypass));
    }

    /// Clears all signal state and lands every smoother on its target; keeps allocations.
    pub fn reset(&mut self) {
        for e in &mut self.ears {
            e.reset();
        }
        for d in &mut self.dry {
            d.reset();
        }
        for l in &mut self.limiters {
            l.reset();
        }
        for s in [
            &mut self.severity,
            &mut self.calibration,
            &mut self.recruitment,
            &mut self.smear_manual,
            &mut self.smear_amount,
            &mut self.pov,
            &mut self.gain,
            &mut self.bypass,
        ] {
            let t = s.target();
            s.reset(t);
        }
        for c in &mut self.ear_controls {
            for s in &mut c.thresholds {
                let t = s.target();
                s.reset(t);
            }
        }
    }

    /// The loss-stage control of ear `ear` after advancing the frame-rate smoothers.
    fn loss_control(&self, ear: usize) -> LossControl {
        let sev = self.severity.value();
        let t = self.ear_controls[ear]
            .thresholds
            .each_ref()
            .map(|s| s.value());
        LossControl {
            audiogram: Audiogram::new(t).scaled(sev),
            calibration: Calibration::new(self.calibration.value()),
            recruitment: self.recruitment.value(),
            smear_manual: self.smear_manual.value(),
            smear_amount: self.smear_amount.value(),
        }
    }

    /// Process channels in place (1 = mono, left ear; 2 = stereo). Extra channels are
    /// silenced. Channels must have equal length; any length is fine.
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        let nch = channels.len().min(MAX_CHANNELS);
        for extra in channels.iter_mut().skip(MAX_CHANNELS) {
            extra.fill(0.0);
        }
        let len = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        let mut pos = 0;
        while pos < len {
            let chunk = (len - pos).min(self.ears[0].until_frame());
            let n = chunk as u32;
            self.severity.skip(n);
            self.calibration.skip(n);
            self.recruitment.skip(n);
            self.smear_manual.skip(n);
            self.smear_amount.skip(n);
            for c in &mut self.ear_controls {
                for s in &mut c.thresholds {
                    s.skip(n);
                }
            }
            for (ch, chan) in channels.iter_mut().enumerate().take(nch) {
                let io = &mut chan[pos..pos + chunk];
                let dry = &mut self.dry_scratch[ch][..chunk];
                for (x, d) in io.iter_mut().zip(dry.iter_mut()) {
                    let v = *x;
                    let clean = if !v.is_finite() || v.abs() > BAD_INPUT_ABS {
                        self.bad_input_samples += 1;
                        0.0
                    } else if v.abs() < TINY {
                        0.0
                    } else {
                        v
                    };
                    *x = clean;
                    *d = clean;
                }
            }
            if let [left, right, ..] = &mut channels[..nch] {
                let ctl = [self.loss_control(0), self.loss_control(1)];
                let [ear_l, ear_r, ..] = &mut self.ears[..] else {
                    unreachable!("MAX_CHANNELS is 2")
                };
                LossStage::process_stereo(
                    [ear_l, ear_r],
                    [&mut left[pos..pos + chunk], &mut right[pos..pos + chunk]],
                    [&ctl[0], &ctl[1]],
                );
            } else if let [mono] = &mut channels[..nch] {
                let ctl = self.loss_control(0);
                self.ears[0].process(&mut mono[pos..pos + chunk], &ctl);
            }
            for i in 0..chunk {
                let pov = self.pov.next_sample();
                let gain = self.gain.next_sample();
                let byp = self.bypass.next_sample();
                for (ch, chan) in channels.iter_mut().enumerate().take(nch) {
                    let dry = self.dry[ch].process(self.dry_scratch[ch][i]);
                    let wet = chan[pos + i];
                    let heard = (dry + pov * (wet - dry)) * gain;
                    let y = heard + byp * (dry - heard);
                    chan[pos + i] = self.limiters[ch].process(y);
                }
            }
            pos += chunk;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_is_one_loss_frame() {
        for fs in [44100.0, 48000.0, 96000.0] {
            let e = Engine::new(fs, &EngineParams::default());
            assert_eq!(e.latency(), crate::dsp::loss::latency_for(fs));
        }
    }
}
