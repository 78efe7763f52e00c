//! The whole chain for one plugin instance (ARCHITECTURE.md):
//! input sanitising → hearing-loss stage per ear → implant stage per ear (fed the
//! latency-aligned world, crossfaded with the loss stage by the implant amount) → tinnitus
//! (added to the ears) → body layer (the world's low band, felt) → POV crossfade with the
//! latency-aligned dry path → output gain → bypass crossfade → safety limiter.
//!
//! `Engine::new` allocates everything (call it from `activate()`); `reset` only clears state;
//! `process` never allocates, locks or does I/O.

use crate::audiogram::Audiogram;
use crate::body::{self, BodyControl, BodyLayer};
use crate::calibration::{Calibration, DEFAULT_DB_SPL};
use crate::delay::DelayLine;
use crate::implant::carrier::CarrierKind;
use crate::implant::electrodogram::{self, Electrodogram};
use crate::implant::{self, ImplantControl, ImplantStage, EAS_OFF_HZ};
use crate::limiter::SafetyLimiter;
use crate::loss::{self, LossControl, LossStage};
use crate::mix;
use crate::smoother::Smoother;
use crate::tap::Tap;
use crate::timeline::{is_silent, TimelineAnchor};
use crate::tinnitus::{Tinnitus, TinnitusControl, TinnitusMeter};
use std::sync::Arc;

/// Most channels the engine processes (mono or stereo: one loss stage per ear).
pub const MAX_CHANNELS: usize = 2;
/// Input samples beyond ±this (≈ +80 dBFS), non-finite, are treated as bad and muted.
pub const BAD_INPUT_ABS: f32 = 1e4;
/// Input samples smaller than this are flushed to zero (no denormals enter the state).
const TINY: f32 = 1e-30;

/// The implant's parameters (plain values; the engine smooths the continuous ones).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImplantParams {
    /// 0 = off (costs nothing), 1 = the implant only (plus its acoustic low band).
    pub amount: f32,
    pub channels: usize,
    /// n of n-of-m; 0 = all channels.
    pub maxima: usize,
    pub rate_pps: f32,
    pub envelope_hz: f32,
    pub agc_attack_ms: f32,
    pub agc_release_ms: f32,
    pub shift_mm: f32,
    pub spread: f32,
    pub carrier: CarrierKind,
    pub eas_hz: f32,
}

impl Default for ImplantParams {
    fn default() -> Self {
        let c = ImplantControl::default();
        Self {
            amount: 0.0,
            channels: c.channels,
            maxima: c.maxima,
            rate_pps: c.rate_pps,
            envelope_hz: c.envelope_hz,
            agc_attack_ms: c.agc_attack_ms,
            agc_release_ms: c.agc_release_ms,
            shift_mm: c.shift_mm,
            spread: c.spread,
            carrier: c.carrier,
            eas_hz: EAS_OFF_HZ,
        }
    }
}

/// Smoothers of the implant's continuous parameters.
struct ImplantSmoothers {
    amount: Smoother,
    rate: Smoother,
    envelope: Smoother,
    attack: Smoother,
    release: Smoother,
    shift: Smoother,
    spread: Smoother,
    eas: Smoother,
}

impl ImplantSmoothers {
    fn new(p: &ImplantParams, fs: f32) -> Self {
        use implant::controls::*;
        Self {
            amount: AMOUNT.smoother(p.amount, fs),
            rate: RATE.smoother(p.rate_pps, fs),
            envelope: ENVELOPE.smoother(p.envelope_hz, fs),
            attack: AGC_ATTACK.smoother(p.agc_attack_ms, fs),
            release: AGC_RELEASE.smoother(p.agc_release_ms, fs),
            shift: SHIFT.smoother(p.shift_mm, fs),
            spread: SPREAD.smoother(p.spread, fs),
            eas: EAS.smoother(p.eas_hz, fs),
        }
    }

    fn all(&mut self) -> [&mut Smoother; 8] {
        [
            &mut self.amount,
            &mut self.rate,
            &mut self.envelope,
            &mut self.attack,
            &mut self.release,
            &mut self.shift,
            &mut self.spread,
            &mut self.eas,
        ]
    }

    fn set(&mut self, p: &ImplantParams) {
        use implant::controls::*;
        self.amount.set_target(AMOUNT.clamp(p.amount));
        self.rate.set_target(RATE.clamp(p.rate_pps));
        self.envelope.set_target(ENVELOPE.clamp(p.envelope_hz));
        self.attack.set_target(AGC_ATTACK.clamp(p.agc_attack_ms));
        self.release.set_target(AGC_RELEASE.clamp(p.agc_release_ms));
        self.shift.set_target(SHIFT.clamp(p.shift_mm));
        self.spread.set_target(SPREAD.clamp(p.spread));
        self.eas.set_target(EAS.clamp(p.eas_hz));
    }
}

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
    /// POV as a hard cut: `pov` below ½ is the world, from ½ the ears, switched by the
    /// 5 ms crossfade (never a click).
    pub pov_cut: bool,
    pub implant: ImplantParams,
    pub tinnitus: TinnitusControl,
    pub body: BodyControl,
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
            pov_cut: false,
            implant: ImplantParams::default(),
            tinnitus: TinnitusControl::default(),
            body: BodyControl::default(),
        }
    }
}

fn db_to_gain(db: f32) -> f32 {
    10f32.powf(mix::GAIN.clamp(db) / 20.0)
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
    implants: Vec<ImplantStage>,
    implant: ImplantSmoothers,
    /// Discrete implant settings (crossfaded inside the stage).
    implant_discrete: (usize, usize, CarrierKind),
    /// Whether the implant stages ran in the previous chunk (else they are reset first).
    implant_running: bool,
    /// Whether the loss stages were skipped in the previous chunk (the implant alone was
    /// heard): they restart from silence when heard again.
    loss_skipped: bool,
    /// Tests: run the loss stages even when nothing of them is heard.
    always_run_loss: bool,
    dry: Vec<DelayLine>,
    dry_scratch: Vec<Vec<f32>>,
    implant_scratch: Vec<f32>,
    /// Left (or mono) ear's stimulation frames, for the editor.
    electrodogram: Arc<Electrodogram>,
    /// World and ears for the editor's live view.
    tap: Tap,
    limiters: Vec<SafetyLimiter>,
    tinnitus: Tinnitus,
    tinnitus_control: TinnitusControl,
    body: BodyLayer,
    /// Body amount, band, octave, voice.
    body_smoothers: [Smoother; 4],
    body_running: bool,
    ear_controls: Vec<EarControls>,
    severity: Smoother,
    calibration: Smoother,
    recruitment: Smoother,
    smear_manual: Smoother,
    smear_amount: Smoother,
    pov: Smoother,
    gain: Smoother,
    bypass: Smoother,
    /// Where the frames sit on the host's timeline (restarts at rest, for reproducible
    /// renders).
    anchor: TimelineAnchor,
    /// Bad input samples muted since creation (NaN, ±Inf, beyond ±1e4).
    pub bad_input_samples: u64,
}

impl Engine {
    /// Allocates every buffer for `sample_rate` and up to [`MAX_CHANNELS`] channels.
    pub fn new(sample_rate: f32, params: &EngineParams) -> Self {
        let ring = Electrodogram::new(electrodogram::DEFAULT_FRAMES);
        Self::with_electrodogram(sample_rate, params, Arc::new(ring))
    }

    /// [`Self::new`], writing stimulation frames to `electrodogram` (the plugin keeps one for
    /// the editor across the engines `activate()` builds).
    pub fn with_electrodogram(
        sample_rate: f32,
        params: &EngineParams,
        electrodogram: Arc<Electrodogram>,
    ) -> Self {
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
        let fs = sample_rate;
        let thresholds = |a: &Audiogram| {
            a.thresholds_db_hl
                .map(|t| loss::controls::THRESHOLD.smoother(t, fs))
        };
        let switch = |v: f32| Smoother::new(v, loss::controls::SWITCH_RAMP_MS, fs);
        let mut e = Self {
            sample_rate,
            latency,
            ears,
            implants: (0..MAX_CHANNELS)
                .map(|_| ImplantStage::new(sample_rate))
                .collect(),
            implant: ImplantSmoothers::new(&params.implant, sample_rate),
            implant_discrete: (
                params.implant.channels,
                params.implant.maxima,
                params.implant.carrier,
            ),
            implant_running: false,
            loss_skipped: false,
            always_run_loss: false,
            dry: (0..MAX_CHANNELS).map(|_| DelayLine::new(latency)).collect(),
            dry_scratch: (0..MAX_CHANNELS).map(|_| vec![0.0; hop]).collect(),
            implant_scratch: vec![0.0; hop],
            electrodogram,
            tap: Tap::new(),
            limiters: (0..MAX_CHANNELS)
                .map(|_| SafetyLimiter::new(sample_rate))
                .collect(),
            tinnitus: Tinnitus::new(sample_rate, hop),
            tinnitus_control: params.tinnitus,
            body: BodyLayer::new(sample_rate),
            body_smoothers: {
                use body::controls::*;
                [AMOUNT, BAND, OCTAVE, VOICE].map(|c| c.smoother(c.default, fs))
            },
            body_running: false,
            ear_controls: vec![
                EarControls {
                    thresholds: thresholds(&params.left),
                },
                EarControls {
                    thresholds: thresholds(&params.right),
                },
            ],
            severity: loss::controls::SEVERITY.smoother(0.0, fs),
            calibration: loss::controls::CALIBRATION.smoother(DEFAULT_DB_SPL, fs),
            recruitment: switch(1.0),
            smear_manual: switch(0.0),
            smear_amount: loss::controls::SMEAR_AMOUNT.smoother(0.0, fs),
            pov: mix::POV.smoother(1.0, fs),
            // Linear gain, ramped as the dB control declares.
            gain: Smoother::new(1.0, mix::GAIN.ramp_ms(), fs),
            bypass: Smoother::new(0.0, mix::BYPASS_RAMP_MS, fs),
            anchor: TimelineAnchor::new(sample_rate),
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
        self.severity
            .set_target(loss::controls::SEVERITY.clamp(p.severity));
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
        self.smear_amount
            .set_target(loss::controls::SMEAR_AMOUNT.clamp(p.smear_amount));
        let pov = mix::POV.clamp(p.pov);
        self.pov
            .set_target(if p.pov_cut { flag(pov >= 0.5) } else { pov });
        self.gain.set_target(db_to_gain(p.output_gain_db));
        self.bypass.set_target(flag(p.bypass));
        self.implant.set(&p.implant);
        self.implant_discrete = (p.implant.channels, p.implant.maxima, p.implant.carrier);
        self.tinnitus.set(&p.tinnitus);
        self.tinnitus_control = p.tinnitus;
        let b = &p.body;
        use body::controls::*;
        for (s, v) in self.body_smoothers.iter_mut().zip([
            AMOUNT.clamp(b.amount),
            BAND.clamp(b.band_hz),
            OCTAVE.clamp(b.octave),
            VOICE.clamp(b.voice),
        ]) {
            s.set_target(v);
        }
    }

    /// The tinnitus generator's state for the editor (lock-free).
    pub fn tinnitus_meter(&self) -> Arc<TinnitusMeter> {
        self.tinnitus.meter()
    }

    /// The same meter, borrowed (no reference count touched: for the audio thread).
    pub fn tinnitus_meter_ref(&self) -> &TinnitusMeter {
        self.tinnitus.meter_ref()
    }

    /// Clears all signal state and lands every smoother on its target; keeps allocations.
    pub fn reset(&mut self) {
        self.clear(0);
        self.anchor.reset();
    }

    /// [`Self::reset`], with the frames placed as for an engine started at timeline 0, when the
    /// next input sample sits at `timeline`.
    fn clear(&mut self, timeline: i64) {
        for e in &mut self.ears {
            e.reset_at(timeline);
        }
        for d in &mut self.dry {
            d.reset();
        }
        for l in &mut self.limiters {
            l.reset();
        }
        self.tap.reset();
        for i in &mut self.implants {
            i.reset();
        }
        self.implant_running = false;
        self.loss_skipped = false;
        self.tinnitus.reset();
        self.body.reset();
        self.body_running = false;
        self.land_smoothers();
    }

    /// Every smoother of the chain lands on its target.
    fn land_smoothers(&mut self) {
        for s in &mut self.body_smoothers {
            let t = s.target();
            s.reset(t);
        }
        for s in self.implant.all() {
            let t = s.target();
            s.reset(t);
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

    /// The implant stage's control for the current chunk.
    fn implant_control(&self) -> ImplantControl {
        let i = &self.implant;
        ImplantControl {
            channels: self.implant_discrete.0,
            maxima: self.implant_discrete.1,
            rate_pps: i.rate.value(),
            envelope_hz: i.envelope.value(),
            agc_attack_ms: i.attack.value(),
            agc_release_ms: i.release.value(),
            shift_mm: i.shift.value(),
            spread: i.spread.value(),
            carrier: self.implant_discrete.2,
            eas_hz: i.eas.value(),
            calibration: Calibration::new(self.calibration.value()),
        }
    }

    /// True while nothing of the loss stages reaches the ears: the implant alone is heard
    /// (amount settled at 1) and the acoustic crossover is off. Then they need not run.
    fn loss_unheard(&self) -> bool {
        let (a, eas) = (&self.implant.amount, &self.implant.eas);
        !self.always_run_loss
            && a.value() == 1.0
            && a.target() == 1.0
            && eas.value() <= EAS_OFF_HZ
            && eas.target() <= EAS_OFF_HZ
    }

    /// Tests: run the loss stages even while nothing of them is heard (to check that
    /// skipping them changes nothing).
    #[doc(hidden)]
    pub fn always_run_loss(&mut self, on: bool) {
        self.always_run_loss = on;
    }

    /// The left (or mono) ear's electrodogram: every stimulation frame while the implant runs,
    /// readable from any thread without locks.
    pub fn electrodogram(&self) -> Arc<Electrodogram> {
        Arc::clone(&self.electrodogram)
    }

    /// The live view's tap: the world and the ears after the loss and implant stages.
    pub fn tap(&self) -> &Tap {
        &self.tap
    }

    /// Process channels in place (1 = mono, left ear; 2 = stereo). Extra channels are
    /// silenced. Channels must have equal length; any length is fine.
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        self.process_at(channels, None);
    }

    /// [`Self::process`] for a host playing its timeline: `timeline` is the position of the
    /// block's first input sample (`None` when stopped). When playback starts or jumps while
    /// the engine is at rest, it restarts with its frames on the timeline grid, so the same
    /// passage renders the same every time (see [`crate::timeline`]).
    pub fn process_at(&mut self, channels: &mut [&mut [f32]], timeline: Option<i64>) {
        let len = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        if let Some(t) = self.anchor.begin_block(timeline, len) {
            self.clear(t);
        } else if self.anchor.at_rest() {
            // Nothing is heard, so nothing needs to glide: parameters changed now are in place
            // when sound begins. (A host may send a passage's first automation values only
            // within its first block, after the plugin's stale ones.) An idle ringing restarts
            // too; one being switched on still fades in.
            self.land_smoothers();
            if self.tinnitus.is_idle() {
                self.tinnitus.reset();
            }
        }
        let silent_in = channels.iter().all(|c| is_silent(&c[..len]));
        self.process_chunks(channels);
        let silent = silent_in && channels.iter().all(|c| is_silent(&c[..len]));
        self.anchor.end_block(silent, len);
    }

    fn process_chunks(&mut self, channels: &mut [&mut [f32]]) {
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
            let ctl = [self.loss_control(0), self.loss_control(1)];
            if self.loss_unheard() {
                // The channels keep the (sanitised) input; the implant replaces it.
                self.loss_skipped = true;
            } else if std::mem::take(&mut self.loss_skipped) {
                // Heard again: start from silence (a fade-in under the implant's ramp), not
                // from the state of before the skip.
                for e in &mut self.ears {
                    e.reset();
                }
            }
            match &mut channels[..nch] {
                _ if self.loss_skipped => {}
                [left, right, ..] => {
                    let [ear_l, ear_r, ..] = &mut self.ears[..] else {
                        unreachable!("MAX_CHANNELS is 2")
                    };
                    LossStage::process_stereo(
                        [ear_l, ear_r],
                        [&mut left[pos..pos + chunk], &mut right[pos..pos + chunk]],
                        [&ctl[0], &ctl[1]],
                    );
                }
                [mono] => self.ears[0].process(&mut mono[pos..pos + chunk], &ctl[0]),
                [] => {}
            }
            // The world, aligned with the loss stage's output.
            for ch in 0..nch {
                for d in self.dry_scratch[ch][..chunk].iter_mut() {
                    *d = self.dry[ch].process(*d);
                }
            }
            self.run_implant(channels, nch, pos, chunk);
            let (dry, span) = (&self.dry_scratch, pos..pos + chunk);
            match &channels[..nch] {
                [l, r] => self.tap.push(
                    &[&dry[0][..chunk], &dry[1][..chunk]],
                    &[&l[span.clone()], &r[span]],
                ),
                [m] => self.tap.push(&[&dry[0][..chunk]], &[&m[span]]),
                _ => {}
            }
            self.run_tinnitus(channels, nch, pos, chunk, &ctl);
            self.run_body(channels, nch, pos, chunk);
            for i in 0..chunk {
                let pov = self.pov.next_sample();
                let gain = self.gain.next_sample();
                let byp = self.bypass.next_sample();
                for (ch, chan) in channels.iter_mut().enumerate().take(nch) {
                    let dry = self.dry_scratch[ch][i];
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

/// Hands `f` one chunk as per-channel slices (1 = mono, 2 = stereo): the world (the
/// latency-aligned dry input, `dry[ch][..chunk]`) and the ears (`channels[ch][pos..]`).
fn world_and_ears(
    dry: &[Vec<f32>],
    channels: &mut [&mut [f32]],
    pos: usize,
    chunk: usize,
    f: impl FnOnce(&[&[f32]], &mut [&mut [f32]]),
) {
    let ears = pos..pos + chunk;
    match channels {
        [l, r, ..] => f(
            &[&dry[0][..chunk], &dry[1][..chunk]],
            &mut [&mut l[ears.clone()], &mut r[ears]],
        ),
        [m] => f(&[&dry[0][..chunk]], &mut [&mut m[ears]]),
        [] => {}
    }
}

impl Engine {
    /// Tinnitus on one chunk, added to the ears.
    fn run_tinnitus(
        &mut self,
        channels: &mut [&mut [f32]],
        nch: usize,
        pos: usize,
        chunk: usize,
        ctl: &[LossControl; 2],
    ) {
        let c = &self.tinnitus_control;
        let audiograms = [&ctl[0].audiogram, &ctl[1].audiogram];
        let cal = ctl[0].calibration;
        let tinnitus = &mut self.tinnitus;
        world_and_ears(
            &self.dry_scratch,
            &mut channels[..nch],
            pos,
            chunk,
            |w, e| tinnitus.process(c, w, e, audiograms, cal),
        );
    }

    /// The body layer on one chunk, from the latency-aligned world. Skipped (nothing added,
    /// bit for bit) while amount and voice are 0.
    fn run_body(&mut self, channels: &mut [&mut [f32]], nch: usize, pos: usize, chunk: usize) {
        let [amount, band, octave, voice] = &mut self.body_smoothers;
        let idle = amount.value() == 0.0
            && amount.target() == 0.0
            && voice.value() == 0.0
            && voice.target() == 0.0
            && self.body.is_silent();
        let from = BodyControl {
            amount: amount.value(),
            band_hz: band.value(),
            octave: octave.value(),
            voice: voice.value(),
        };
        let n = chunk as u32;
        let to = BodyControl {
            amount: amount.skip(n),
            band_hz: band.skip(n),
            octave: octave.skip(n),
            voice: voice.skip(n),
        };
        if idle {
            self.body_running = false;
            return;
        }
        if !self.body_running {
            self.body.reset();
            self.body_running = true;
        }
        let body = &mut self.body;
        world_and_ears(
            &self.dry_scratch,
            &mut channels[..nch],
            pos,
            chunk,
            |w, e| body.process(w, e, &from, &to),
        );
    }

    /// The implant stage on one chunk: each ear's loss output becomes
    /// (1 − amount) · loss + amount · implant(world, loss). Skipped entirely at amount 0.
    fn run_implant(&mut self, channels: &mut [&mut [f32]], nch: usize, pos: usize, chunk: usize) {
        let n = chunk as u32;
        let idle = self.implant.amount.value() == 0.0 && self.implant.amount.target() == 0.0;
        if idle {
            for s in self.implant.all() {
                s.skip(n);
            }
            self.implant_running = false;
            return;
        }
        if !self.implant_running {
            // Coming back from off: start from silence, not from stale state.
            for i in &mut self.implants {
                i.reset();
            }
            self.implant_running = true;
        }
        let start = self.implant.amount.value();
        for s in self.implant.all() {
            s.skip(n);
        }
        let end = self.implant.amount.value();
        let ctl = self.implant_control();
        for (ch, chan) in channels.iter_mut().enumerate().take(nch) {
            let loss = &mut chan[pos..pos + chunk];
            let out = &mut self.implant_scratch[..chunk];
            let sink = (ch == 0).then_some(&*self.electrodogram);
            self.implants[ch].process(&self.dry_scratch[ch][..chunk], loss, out, &ctl, sink);
            // The amount ramps linearly across the chunk (as its smoother did).
            let step = (end - start) / chunk as f32;
            // Weighted so that amount 1 gives the implant's output exactly, whatever the
            // loss stage left (or did not run).
            for (i, (l, c)) in loss.iter_mut().zip(out.iter()).enumerate() {
                let a = start + step * (i + 1) as f32;
                *l = (1.0 - a) * *l + a * c;
            }
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
            assert_eq!(e.latency(), crate::loss::latency_for(fs));
        }
    }
}
