//! The whole chain for one plugin instance (ARCHITECTURE.md): input sanitising and the
//! latency-aligned dry path (the world), the hearing in effect, then the stages, each a
//! [`Stage`], in order: hearing loss → implant (fed the world, crossfaded with the loss
//! stage by the implant amount) → tinnitus (added to the ears) → body layer (the world's low
//! band, felt) → temporal distortion (jitter; a fixed delay of its own, which the world is
//! given too from here on) → mix (POV crossfade with the world, output gain, bypass, safety
//! limiter).
//! Chunks end at the loss stage's frames, so every frame reads its own controls.
//!
//! `Engine::new` allocates everything (call it from `activate()`); `reset` only clears state;
//! `process` never allocates, locks or does I/O.

use crate::audiogram::Audiogram;
use crate::body::{Body, BodyControls};
use crate::calibration::DEFAULT_DB_SPL;
use crate::delay::DelayLine;
use crate::hearing::conductive::GapShape;
use crate::hearing::tts::{Tts, TtsControls};
use crate::hearing::{HearingControls, HearingState};
use crate::implant::electrodogram::{self, Electrodogram};
use crate::implant::{Implant, ImplantControls};
use crate::jitter::{Jitter, JitterControls};
use crate::loss::{Loss, LossControls};
use crate::mix::{Mix, MixControls};
use crate::stage::Stage;
use crate::tap::Tap;
use crate::timeline::{is_silent, TimelineAnchor};
use crate::tinnitus::{Tinnitus, TinnitusControls, TinnitusMeter};
use std::sync::Arc;

/// Most channels the engine processes (mono or stereo: one loss stage per ear).
pub const MAX_CHANNELS: usize = 2;
/// Input samples beyond ±this (≈ +80 dBFS), non-finite, are treated as bad and muted.
pub const BAD_INPUT_ABS: f32 = 1e4;
/// Input samples smaller than this are flushed to zero (no denormals enter the state).
const TINY: f32 = 1e-30;

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
    /// Air–bone gap (conductive component) of the left and right ear, dB.
    pub gap_db: [f32; 2],
    pub gap_shape: GapShape,
    /// The temporary threshold shift after loud sound, and the blast.
    pub tts: TtsControls,
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
    pub implant: ImplantControls,
    pub tinnitus: TinnitusControls,
    pub body: BodyControls,
    /// Temporal distortion (the jitter of the low band's timing).
    pub jitter: JitterControls,
}

impl Default for EngineParams {
    fn default() -> Self {
        Self {
            severity: 0.0,
            left: Audiogram::NORMAL,
            right: Audiogram::NORMAL,
            link_ears: true,
            calibration_db_spl: DEFAULT_DB_SPL,
            gap_db: [0.0; 2],
            gap_shape: GapShape::Flat,
            tts: TtsControls::default(),
            recruitment: true,
            smear_manual: false,
            smear_amount: 0.0,
            pov: 1.0,
            output_gain_db: 0.0,
            bypass: false,
            pov_cut: false,
            implant: ImplantControls::default(),
            tinnitus: TinnitusControls::default(),
            body: BodyControls::default(),
            jitter: JitterControls::default(),
        }
    }
}

impl EngineParams {
    /// The hearing's targets (the audiograms, severity, calibration).
    pub fn hearing(&self) -> HearingControls {
        HearingControls {
            severity: self.severity,
            left: self.left,
            right: self.right,
            link_ears: self.link_ears,
            calibration_db_spl: self.calibration_db_spl,
            gap_db: self.gap_db,
            gap_shape: self.gap_shape,
        }
    }

    /// The loss stage's own targets.
    pub fn loss(&self) -> LossControls {
        LossControls {
            recruitment: self.recruitment,
            smear_manual: self.smear_manual,
            smear_amount: self.smear_amount,
        }
    }

    /// The output mix's targets.
    pub fn mix(&self) -> MixControls {
        MixControls {
            pov: self.pov,
            pov_cut: self.pov_cut,
            output_gain_db: self.output_gain_db,
            bypass: self.bypass,
        }
    }
}

/// The chain: the hearing in effect, then the stages in signal-flow order, each of the one
/// shape [`Stage`], held unboxed.
pub struct Engine {
    sample_rate: f32,
    latency: usize,
    hearing: HearingState,
    /// The threshold shift the world's loud sound (or a blast) adds to the hearing.
    tts: Tts,
    loss: Loss,
    implant: Implant,
    tinnitus: Tinnitus,
    body: Body,
    jitter: Jitter,
    mix: Mix,
    /// Tests: run the loss stages even when nothing of them is heard.
    always_run_loss: bool,
    /// Tests: process silence at rest instead of sleeping through it.
    never_sleep: bool,
    /// Timeline position of the next input sample on the engine's own frame grid (the loss
    /// stage's frames sit where an engine started at 0 would have them): advanced by every
    /// block, set by every restart.
    position: i64,
    /// The world: the input delayed by the loss stage's latency (what every stage up to the
    /// body layer reads).
    dry: Vec<DelayLine>,
    dry_scratch: Vec<Vec<f32>>,
    /// The world delayed further by the temporal distortion's latency: the output mix's, in
    /// line with the ears after the jitter (the engine's whole latency).
    late: Vec<DelayLine>,
    late_scratch: Vec<Vec<f32>>,
    /// World and ears for the editor's live view.
    tap: Tap,
    /// Where the frames sit on the host's timeline (restarts at rest, for reproducible
    /// renders).
    anchor: TimelineAnchor,
    /// Bad input samples muted since creation (NaN, ±Inf, beyond ±1e4).
    pub bad_input_samples: u64,
    /// Samples slept through at rest since creation (no signal work done).
    pub slept_samples: u64,
}

impl Engine {
    /// Allocates every buffer for `sample_rate` and up to [`MAX_CHANNELS`] channels.
    pub fn new(sample_rate: f32, params: &EngineParams) -> Self {
        let ring = || Arc::new(Electrodogram::new(electrodogram::DEFAULT_FRAMES));
        Self::with_electrodograms(sample_rate, params, [ring(), ring()])
    }

    /// [`Self::new`], writing each ear's stimulation frames to its electrodogram (left or
    /// mono, right; the plugin keeps them for the editor across the engines `activate()`
    /// builds).
    pub fn with_electrodograms(
        sample_rate: f32,
        params: &EngineParams,
        electrodograms: [Arc<Electrodogram>; 2],
    ) -> Self {
        let fs = if sample_rate.is_finite() {
            sample_rate.clamp(1000.0, 800_000.0)
        } else {
            48000.0
        };
        let loss = Loss::new(fs, &params.loss());
        let jitter = Jitter::new(fs, &params.jitter);
        let loss_latency = loss.latency();
        let latency = loss_latency + jitter.latency();
        // The longest chunk: one loss-stage hop (the controls are read once per frame).
        let hop = loss.until_frame();
        let mut e = Self {
            sample_rate: fs,
            latency,
            hearing: HearingState::new(&params.hearing(), fs),
            tts: Tts::new(fs, &params.tts),
            loss,
            implant: Implant::new(fs, hop, &params.implant, electrodograms),
            tinnitus: Tinnitus::new(fs, hop),
            body: Body::new(fs, &params.body),
            late: (0..MAX_CHANNELS)
                .map(|_| DelayLine::new(jitter.latency()))
                .collect(),
            late_scratch: (0..MAX_CHANNELS).map(|_| vec![0.0; hop]).collect(),
            jitter,
            mix: Mix::new(fs, &params.mix()),
            always_run_loss: false,
            never_sleep: false,
            position: 0,
            dry: (0..MAX_CHANNELS)
                .map(|_| DelayLine::new(loss_latency))
                .collect(),
            dry_scratch: (0..MAX_CHANNELS).map(|_| vec![0.0; hop]).collect(),
            tap: Tap::new(),
            anchor: TimelineAnchor::new(fs),
            bad_input_samples: 0,
            slept_samples: 0,
        };
        e.set_params(params);
        e.reset();
        e
    }

    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    /// Latency in samples (the loss stage's frame and the temporal distortion's fixed delay):
    /// the same for every parameter value.
    pub fn latency(&self) -> usize {
        self.latency
    }

    /// New targets; each stage smooths them from its current values.
    pub fn set_params(&mut self, p: &EngineParams) {
        self.hearing.set(&p.hearing());
        self.tts.set(&p.tts);
        self.loss.set(&p.loss());
        self.implant.set(&p.implant);
        self.tinnitus.set(&p.tinnitus);
        self.body.set(&p.body);
        self.jitter.set(&p.jitter);
        self.mix.set(&p.mix());
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
        self.tts.reset();
        self.anchor.reset();
    }

    /// The threshold shift now (dB, per ear and audiogram point) after exposure and blasts;
    /// the hearing in effect is the audiograms × severity plus this.
    pub fn threshold_shift_db(&self) -> [[f32; crate::audiogram::POINTS]; 2] {
        self.tts.shift_db()
    }

    /// [`Self::reset`] but for the threshold shift (which outlasts a pause), with the frames
    /// placed as for an engine started at timeline 0, when the next input sample sits at
    /// `timeline`.
    fn clear(&mut self, timeline: i64) {
        self.position = timeline;
        self.hearing.land();
        self.loss.reset_at(timeline);
        self.implant.reset();
        self.tinnitus.reset();
        self.body.reset();
        self.jitter.reset();
        self.mix.reset();
        for d in self.dry.iter_mut().chain(&mut self.late) {
            d.reset();
        }
        self.tap.reset();
    }

    /// Tests: run the loss stages even while nothing of them is heard (to check that
    /// skipping them changes nothing).
    #[doc(hidden)]
    pub fn always_run_loss(&mut self, on: bool) {
        self.always_run_loss = on;
    }

    /// Tests: process silence at rest like sound instead of sleeping through it (the output
    /// from the first sound on must not differ, bit for bit).
    #[doc(hidden)]
    pub fn never_sleep(&mut self, on: bool) {
        self.never_sleep = on;
    }

    /// The left (or mono) ear's electrodogram: every stimulation frame while the implant runs,
    /// readable from any thread without locks.
    pub fn electrodogram(&self) -> Arc<Electrodogram> {
        Arc::clone(&self.implant.electrodograms()[0])
    }

    /// Each ear's electrodogram (left or mono, right).
    pub fn electrodograms(&self) -> [Arc<Electrodogram>; 2] {
        self.implant.electrodograms().clone()
    }

    /// How many samples the stages' world lags the input (the loss stage's latency): a
    /// stimulation frame stamped `at` (`Frame::at`) reflects the input around sample
    /// `at − world_delay()`.
    pub fn world_delay(&self) -> usize {
        self.latency - self.jitter.latency()
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
            // Playback started or jumped: a passage renders the same every time, so no
            // shift is carried in from what played before.
            self.clear(t);
            self.tts.reset();
        } else if self.anchor.at_rest() {
            // Nothing is heard, so nothing needs to glide: parameters changed now are in place
            // when sound begins. (A host may send a passage's first automation values only
            // within its first block, after the plugin's stale ones.) The tinnitus is not
            // landed: an idle ringing restarts, one being switched on still fades in.
            self.hearing.land();
            self.loss.land();
            self.implant.land();
            self.body.land();
            self.jitter.land();
            self.mix.land();
            if self.tinnitus.is_idle() {
                self.tinnitus.reset();
            }
        }
        let silent_in = channels.iter().all(|c| is_silent(&c[..len]));
        // At rest with no ringing, the engine sleeps until the first sound (see
        // [`crate::timeline`], Sleep): outputs zeros, and restarts at that sample with its
        // frames on its own grid. An engine that never sleeps restarts there too, so from the
        // first sound on the two are the same bit for bit.
        let mut from = 0;
        if self.anchor.at_rest() && self.tinnitus.is_idle() {
            from = channels
                .iter()
                .map(|c| {
                    c[..len]
                        .iter()
                        .position(|v| !is_silent(&[*v]))
                        .unwrap_or(len)
                })
                .min()
                .unwrap_or(len);
            if self.never_sleep {
                self.process_range(channels, 0..from);
            } else {
                for c in channels.iter_mut() {
                    c[..from].fill(0.0);
                }
                self.slept_samples += from as u64;
                self.tts.skip_silence(from);
                self.implant.skip_silence(from);
            }
            if from < len {
                self.clear(self.position.wrapping_add(from as i64));
                self.position = self.position.wrapping_sub(from as i64);
            }
        }
        self.process_range(channels, from..len);
        self.position = self.position.wrapping_add(len as i64);
        let silent = silent_in && channels.iter().all(|c| is_silent(&c[..len]));
        self.anchor.end_block(silent, len);
    }

    /// [`Self::process_chunks`] over `range` of every channel.
    fn process_range(&mut self, channels: &mut [&mut [f32]], range: std::ops::Range<usize>) {
        if range.is_empty() {
            return;
        }
        match channels {
            [] => {}
            [m] => self.process_chunks(&mut [&mut m[range]]),
            [l, r, extra @ ..] => {
                for c in extra {
                    c[range.clone()].fill(0.0);
                }
                self.process_chunks(&mut [&mut l[range.clone()], &mut r[range]]);
            }
        }
    }

    fn process_chunks(&mut self, channels: &mut [&mut [f32]]) {
        let nch = channels.len().min(MAX_CHANNELS);
        for extra in channels.iter_mut().skip(MAX_CHANNELS) {
            extra.fill(0.0);
        }
        let len = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        let mut pos = 0;
        while pos < len {
            let chunk = (len - pos).min(self.loss.until_frame());
            let mut hearing = self.hearing.advance(chunk);
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
                    // The world, aligned with the loss stage's output.
                    *d = self.dry[ch].process(clean);
                }
                let late = &mut self.late_scratch[ch][..chunk];
                for (l, d) in late.iter_mut().zip(dry.iter()) {
                    // ... and with the ears after the jitter.
                    *l = self.late[ch].process(*d);
                }
            }
            let world: [&[f32]; MAX_CHANNELS] =
                [&self.dry_scratch[0][..chunk], &self.dry_scratch[1][..chunk]];
            self.tts.process(&world[..nch], hearing.calibration);
            self.tts.apply(&mut hearing);
            self.loss
                .set_unheard(!self.always_run_loss && self.implant.replaces_acoustic());
            let span = pos..pos + chunk;
            let (dry, late) = (&self.dry_scratch, &self.late_scratch);
            let (loss, implant, tap) = (&mut self.loss, &mut self.implant, &mut self.tap);
            let (tinnitus, body) = (&mut self.tinnitus, &mut self.body);
            let (jitter, mix) = (&mut self.jitter, &mut self.mix);
            let mut run = |world: &[&[f32]], late: &[&[f32]], ears: &mut [&mut [f32]]| {
                loss.process(&hearing, world, ears);
                implant.process(&hearing, world, ears);
                let heard: [&[f32]; MAX_CHANNELS] = [&*ears[0], &*ears[ears.len() - 1]];
                tap.push(world, &heard[..ears.len()]);
                tinnitus.process(&hearing, world, ears);
                body.process(&hearing, world, ears);
                jitter.process(&hearing, world, ears);
                mix.process(&hearing, late, ears);
            };
            match &mut channels[..nch] {
                [l, r] => run(
                    &[&dry[0][..chunk], &dry[1][..chunk]],
                    &[&late[0][..chunk], &late[1][..chunk]],
                    &mut [&mut l[span.clone()], &mut r[span]],
                ),
                [m] => run(
                    &[&dry[0][..chunk]],
                    &[&late[0][..chunk]],
                    &mut [&mut m[span]],
                ),
                _ => {}
            }
            pos += chunk;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_is_small_enough_to_build_on_a_host_audio_thread() {
        // Hosts call activate(), which builds the engine, on their audio thread (Ardour's
        // "audioengine"), whose stack is small: an engine of 150 KB held by value overflowed
        // it there. Big state lives on the heap.
        let size = std::mem::size_of::<Engine>();
        eprintln!("Engine: {size} bytes on the stack");
        assert!(size < 32 * 1024, "{size} bytes");
    }

    #[test]
    fn latency_is_one_loss_frame_and_the_jitters_centre() {
        for fs in [44100.0, 48000.0, 96000.0] {
            let e = Engine::new(fs, &EngineParams::default());
            assert_eq!(
                e.latency(),
                crate::loss::latency_for(fs) + crate::jitter::latency_for(fs)
            );
        }
    }
}
