//! Tinnitus (docs/science.md, Tinnitus): the ringing that is perceived, not heard from outside,
//! so it is added after the ear (after the loss and implant stages).
//!
//! One generator feeds the chosen ears:
//! - kind (`tone`, `noise_band`, `pulsatile`, polytonal in `tone`), switched with a 30 ms
//!   equal-power crossfade;
//! - pitch free or matched to the audiogram (`pitch`), gliding when it moves;
//! - level in dB SL: above the ear's impaired threshold at the pitch (ISO 389-7 normal
//!   threshold + the ear's dB HL there, `hearing_threshold`): the level of the external tone
//!   a clinician matches the tinnitus with. It is rendered at the level a normal ear hears
//!   as loud as the patient hears that match (`loudness`: the loss stage's recruitment rule),
//!   turned into dBFS through the calibration;
//! - comes and goes (`intermittency`), swells after loud passages (`exposure`), recedes
//!   under loud sound at its pitch (`masking`).
//!
//! The random parts (noise, the on/off gate) are seeded and advance per sample, so the same
//! seed with the same host blocks renders the same ringing bit for bit (levels are updated
//! per block, so other block sizes differ slightly wherever a level is moving).

pub mod controls;
pub mod exposure;
pub mod intermittency;
pub mod loudness;
pub mod masking;
pub mod noise_band;
pub mod pitch;
pub mod pulsatile;
pub mod tone;

use crate::audiogram::{Audiogram, POINTS};
use crate::calibration::Calibration;
use crate::hearing::Hearing;
use crate::hearing_threshold::normal_threshold_db_spl;
use crate::simd::{Portable, Vector};
use crate::smoother::{Smoother, TwoPole};
use crate::stage::Stage;
use atomic_float::AtomicF32;
use exposure::Exposure;
use intermittency::Intermittency;
use masking::Masking;
use noise_band::NoiseBand;
use pulsatile::Pulsatile;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tone::Tone;

/// Kind crossfade, ms.
pub const KIND_FADE_MS: f32 = 30.0;
/// The ringing never exceeds this, dBFS (peak of the sine-equivalent): a loud exposure swell
/// on a deaf ear must not become a weapon; the limiter is the last line, not this one.
pub const MAX_DBFS: f32 = -6.0;
use controls::RAMP_MS;
/// The amplitude at each ear follows its per-block target through two one-poles of this
/// time constant, so it has no corners (a corner in a pure tone's envelope is a click).
pub(crate) const AMP_SMOOTH_MS: f32 = 2.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TinnitusKind {
    #[default]
    Tone,
    NoiseBand,
    Pulsatile,
    Polytonal,
}

impl TinnitusKind {
    pub const ALL: [TinnitusKind; 4] = [
        TinnitusKind::Tone,
        TinnitusKind::NoiseBand,
        TinnitusKind::Pulsatile,
        TinnitusKind::Polytonal,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// Which ears ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TinnitusEar {
    Left,
    Right,
    #[default]
    Both,
}

impl TinnitusEar {
    fn gains(self) -> [f32; 2] {
        match self {
            TinnitusEar::Left => [1.0, 0.0],
            TinnitusEar::Right => [0.0, 1.0],
            TinnitusEar::Both => [1.0, 1.0],
        }
    }
}

/// The generator's settings (plain targets; smoothed inside).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TinnitusControls {
    /// 0 = off (costs nothing), 1 = at the set level.
    pub amount: f32,
    pub kind: TinnitusKind,
    /// Pitch from the audiogram ([`pitch::matched_pitch_hz`]) instead of `pitch_hz`.
    pub matched: bool,
    pub pitch_hz: f32,
    pub level_db_sl: f32,
    pub wobble_cents: f32,
    pub bandwidth_oct: f32,
    pub bpm: f32,
    pub ear: TinnitusEar,
    pub rate_per_min: f32,
    /// Fraction of time on, 0…1 (1 = constant).
    pub duty: f32,
    /// Swell after loud exposure, dB per dB over 85 dB SPL.
    pub exposure: f32,
    pub exposure_decay_s: f32,
    /// 0 = no masking, 1 = dB for dB.
    pub masking: f32,
    pub seed: u64,
}

impl Default for TinnitusControls {
    fn default() -> Self {
        use controls::*;
        Self {
            amount: AMOUNT.default,
            kind: TinnitusKind::Tone,
            matched: true,
            pitch_hz: PITCH.default,
            level_db_sl: LEVEL.default,
            wobble_cents: WOBBLE.default,
            bandwidth_oct: BANDWIDTH.default,
            bpm: PULSE_BPM.default,
            ear: TinnitusEar::Both,
            rate_per_min: INTERMITTENCY_RATE.default,
            duty: DUTY.default,
            exposure: EXPOSURE.default,
            exposure_decay_s: EXPOSURE_DECAY.default,
            masking: MASKING.default,
            seed: 1,
        }
    }
}

/// What the editor shows, written once per block without locks.
#[derive(Debug, Default)]
pub struct TinnitusMeter {
    pub pitch_hz: AtomicF32,
    /// Peak amplitude (sine-equivalent, full scale = 1) of the ringing at each ear after
    /// gate, exposure, masking and amount; its level is calibration + 20 log10 of it dB SPL
    /// (stored linear: no logarithm on the audio thread for a display).
    pub level: [AtomicF32; 2],
    /// The exposure integrator, dB over 85 dB SPL.
    pub exposure_db: AtomicF32,
    /// The intermittency gate, 0…1.
    pub gate: AtomicF32,
    /// Masking reduction at each ear, dB.
    pub masking_db: [AtomicF32; 2],
    /// The clinical match at each ear (the external tone's level the patient matches the
    /// ringing with: impaired threshold + the set dB SL), dB SPL; `level` is what is
    /// rendered for a normal listener (with any swell).
    pub matched_db_spl: [AtomicF32; 2],
}

/// Peak amplitude of a sine at `level_db_spl` under `cal`.
pub fn amplitude(level_db_spl: f32, cal: Calibration) -> f32 {
    10f32.powf((level_db_spl - cal.full_scale_sine_db_spl).min(MAX_DBFS) / 20.0)
}

/// What the pitch and the ears' thresholds there depend on.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PitchKey {
    thresholds: [[f32; POINTS]; 2],
    matched: bool,
    ear_on: [f32; 2],
    pitch_hz: f32,
}

#[derive(Clone, Copy, Debug, Default)]
struct PitchCache {
    key: Option<PitchKey>,
    pitch: f32,
    /// The normal threshold at the pitch, dB SPL, and each ear's loss there, dB HL.
    normal_db_spl: f32,
    hl_db: [f32; 2],
}

pub struct Tinnitus {
    sample_rate: f32,
    tone: Tone,
    poly: Tone,
    noise: NoiseBand,
    pulse: Pulsatile,
    /// Crossfade position of each kind, 0…1 (weights are sin(π/2 · position)).
    kind_pos: [f32; 4],
    gate: Intermittency,
    exposure: Exposure,
    /// Each ear's blast shift at the pitch this block, dB (the ringing swells with it).
    blast_db: [f32; 2],
    masking: Masking,
    amount: Smoother,
    level_sl: Smoother,
    ear_gain: [Smoother; 2],
    /// Amplitude at each ear through two one-poles.
    amp: TwoPole<2>,
    /// The two one-poles' closed form for steps i = 1…max_block: rⁱ and i·k·rⁱ.
    amp_decay: [Vec<f32>; 2],
    mono: Vec<f32>,
    seed: u64,
    running: bool,
    controls: TinnitusControls,
    pitch_cache: PitchCache,
    meter: Arc<TinnitusMeter>,
}

impl Tinnitus {
    /// `max_block`: the longest block [`Self::process`] will get.
    pub fn new(sample_rate: f32, max_block: usize) -> Self {
        let c = TinnitusControls::default();
        let amp = TwoPole::new(AMP_SMOOTH_MS, sample_rate);
        let mut t = Self {
            sample_rate,
            tone: Tone::new(sample_rate, c.pitch_hz),
            poly: Tone::polytonal(sample_rate, c.pitch_hz),
            noise: NoiseBand::new(sample_rate, c.pitch_hz, c.seed, 0),
            pulse: Pulsatile::new(sample_rate, c.pitch_hz, c.bpm, c.seed, 1),
            kind_pos: [1.0, 0.0, 0.0, 0.0],
            gate: Intermittency::new(sample_rate, c.seed),
            exposure: Exposure::new(sample_rate),
            blast_db: [0.0; 2],
            masking: Masking::new(sample_rate),
            amount: Smoother::new(0.0, RAMP_MS, sample_rate),
            level_sl: Smoother::new(c.level_db_sl, RAMP_MS, sample_rate),
            ear_gain: [
                Smoother::new(1.0, RAMP_MS, sample_rate),
                Smoother::new(1.0, RAMP_MS, sample_rate),
            ],
            amp,
            amp_decay: amp.decay_table(max_block.max(1)),
            mono: vec![0.0; max_block.max(1)],
            seed: c.seed,
            running: false,
            controls: c,
            pitch_cache: PitchCache::default(),
            meter: Arc::new(TinnitusMeter::default()),
        };
        t.set_targets(&c);
        t.reset_state();
        t
    }

    /// The editor's view.
    pub fn meter(&self) -> Arc<TinnitusMeter> {
        Arc::clone(&self.meter)
    }

    pub fn meter_ref(&self) -> &TinnitusMeter {
        &self.meter
    }

    /// New targets. Continuous values are smoothed; a new seed restarts the random parts.
    fn set_targets(&mut self, c: &TinnitusControls) {
        self.controls = *c;
        self.amount.set_target(controls::AMOUNT.clamp(c.amount));
        self.level_sl
            .set_target(controls::LEVEL.clamp(c.level_db_sl));
        for (s, g) in self.ear_gain.iter_mut().zip(c.ear.gains()) {
            s.set_target(g);
        }
        self.gate.set(c.rate_per_min, c.duty);
        self.pulse.beat.set(c.bpm);
        if c.seed != self.seed {
            self.seed = c.seed;
            self.reseed();
        }
    }

    /// The ringing's pitch for these settings.
    fn pitch_for(
        &self,
        c: &TinnitusControls,
        audiograms: [&Audiogram; 2],
        ear_on: [f32; 2],
    ) -> f32 {
        if c.matched {
            let (l, r) = (
                audiograms[0].thresholds_db_hl,
                audiograms[1].thresholds_db_hl,
            );
            let mut t = [0.0f32; POINTS];
            let w = ear_on[0] + ear_on[1];
            for i in 0..POINTS {
                t[i] = (ear_on[0] * l[i] + ear_on[1] * r[i]) / w.max(1.0);
            }
            pitch::matched_pitch_hz(&Audiogram::new(t))
        } else if c.pitch_hz.is_finite() {
            c.pitch_hz.clamp(20.0, 0.45 * self.sample_rate)
        } else {
            4000.0
        }
    }

    fn smoothers(&mut self) -> [&mut Smoother; 4] {
        let [l, r] = &mut self.ear_gain;
        [&mut self.amount, &mut self.level_sl, l, r]
    }

    fn reseed(&mut self) {
        self.noise.reset(self.seed);
        self.pulse.reset(self.seed);
        self.gate.reset(self.seed);
    }

    /// Whether the ringing is off and has faded out.
    fn idle(&self) -> bool {
        let faded = self.amp.stages.iter().flatten().all(|a| *a < 1e-7);
        self.amount.value() == 0.0 && self.amount.target() == 0.0 && faded
    }

    /// Back to the start: same seed, same ringing from here.
    fn reset_state(&mut self) {
        self.tone.reset();
        self.poly.reset();
        self.reseed();
        self.exposure.reset();
        self.masking.reset();
        Stage::land(self);
        // The ringing fades in from silence (a generator starting at full level would step).
        let a = self.amount.target();
        self.amount.reset(0.0);
        self.amount.set_target(a);
        self.amp.land([0.0; 2]);
        self.running = false;
    }

    /// Adds the ringing to `ears` (1 = mono, 2 = stereo; equal lengths ≤ `max_block`).
    /// `world` is the input the ears were exposed to (for the exposure meter); `audiograms`
    /// the ears' effective audiograms (severity applied).
    fn render(
        &mut self,
        c: &TinnitusControls,
        world: &[&[f32]],
        ears: &mut [&mut [f32]],
        hearing: &Hearing,
    ) {
        let [left, right] = &hearing.audiograms;
        let audiograms = [left, right];
        let cal = hearing.calibration;
        let n = ears
            .iter()
            .map(|e| e.len())
            .min()
            .unwrap_or(0)
            .min(self.mono.len());
        if n == 0 {
            return;
        }
        // Exposure runs always, so a ringing switched on after a loud passage swells.
        self.expose(world, n, cal, c.exposure_decay_s);
        // Idle once the amount is 0 and the amplitude has faded out (not before: cutting a
        // fading ringing would step).
        if self.idle() {
            self.stay_idle(n);
            return;
        }
        let starting = !self.running;
        if starting {
            self.masking.reset();
            self.running = true;
        }
        let mono = ears.len() == 1;
        let ear_on = if mono { [1.0, 0.0] } else { c.ear.gains() };
        let pitch = self.pitch(c, audiograms, ear_on);
        self.blast_db = hearing.blast_db.each_ref().map(|b| b.threshold_at(pitch));
        self.tune(pitch, c, starting);
        self.source(c.kind, n);
        let target = self.levels(c, ears, n, pitch, cal, mono);
        self.add_to(ears, n, target);
    }

    /// The exposure meter over the loudest ear of the world.
    fn expose(&mut self, world: &[&[f32]], n: usize, cal: Calibration, decay_s: f32) {
        let loudest = world
            .iter()
            .map(|w| {
                let w = &w[..n.min(w.len())];
                Portable::dot(w, w) / n as f32
            })
            .fold(0.0f32, f32::max);
        self.exposure.advance(loudest, n, cal, decay_s);
        self.meter
            .exposure_db
            .store(self.exposure.exposure_db(), Relaxed);
    }

    /// An idle block: the controls move on, nothing sounds.
    fn stay_idle(&mut self, n: usize) {
        for s in self.smoothers() {
            s.skip(n as u32);
        }
        self.running = false;
        self.amp.land([0.0; 2]);
        for l in &self.meter.level {
            l.store(0.0, Relaxed);
        }
    }

    /// The pitch: matched to the ears that ring (their mean audiogram), or free; with the
    /// ears' impaired thresholds there. Recomputed only when what they depend on changes.
    fn pitch(
        &mut self,
        c: &TinnitusControls,
        audiograms: [&Audiogram; 2],
        ear_on: [f32; 2],
    ) -> f32 {
        let key = PitchKey {
            thresholds: [
                audiograms[0].thresholds_db_hl,
                audiograms[1].thresholds_db_hl,
            ],
            matched: c.matched,
            ear_on,
            pitch_hz: c.pitch_hz,
        };
        if self.pitch_cache.key != Some(key) {
            let pitch = self.pitch_for(c, audiograms, ear_on);
            self.pitch_cache = PitchCache {
                key: Some(key),
                pitch,
                normal_db_spl: normal_threshold_db_spl(pitch),
                hl_db: [0, 1].map(|ch| audiograms[ch].threshold_at(pitch)),
            };
        }
        self.pitch_cache.pitch
    }

    /// The generators at `pitch` (gliding there, or at once for a ringing that starts).
    fn tune(&mut self, pitch: f32, c: &TinnitusControls, starting: bool) {
        self.tone.set(pitch, c.wobble_cents);
        self.poly.set(pitch, c.wobble_cents);
        self.noise.set(pitch, c.bandwidth_oct);
        self.pulse.band.set(pitch, c.bandwidth_oct);
        if starting {
            // A ringing that starts sounds at its pitch at once (no glide from a stale one).
            self.tone.land();
            self.poly.land();
            self.noise.land();
            self.pulse.band.land();
        }
        self.meter.pitch_hz.store(pitch, Relaxed);
    }

    /// The source into `mono`, at unit level, through the kind crossfade and the
    /// intermittency gate.
    fn source(&mut self, kind: TinnitusKind, n: usize) {
        let buf = &mut self.mono[..n];
        buf.fill(0.0);
        let fade = n as f32 / (KIND_FADE_MS * 0.001 * self.sample_rate);
        for k in TinnitusKind::ALL {
            let i = k.index();
            let from = self.kind_pos[i];
            let to = if k == kind {
                (from + fade).min(1.0)
            } else {
                (from - fade).max(0.0)
            };
            self.kind_pos[i] = to;
            if from == 0.0 && to == 0.0 {
                continue;
            }
            let w = |p: f32| (std::f32::consts::FRAC_PI_2 * p).sin();
            let (a, b) = (w(from), w(to));
            match k {
                TinnitusKind::Tone => self.tone.add_to(buf, a, b),
                TinnitusKind::Polytonal => self.poly.add_to(buf, a, b),
                TinnitusKind::NoiseBand => self.noise.add_to(buf, a, b),
                TinnitusKind::Pulsatile => self.pulse.add_to(buf, a, b),
            }
        }
        self.noise.flush_tiny();
        self.pulse.band.flush_tiny();
        self.gate.apply(buf);
        self.meter.gate.store(self.gate.value(), Relaxed);
    }

    /// Each ear's amplitude target for this block: level above the ear's threshold,
    /// exposure swell, masking by what the ears hear, amount, ear choice.
    fn levels(
        &mut self,
        c: &TinnitusControls,
        ears: &[&mut [f32]],
        n: usize,
        pitch: f32,
        cal: Calibration,
        mono: bool,
    ) -> [f32; 2] {
        let amount = self.amount.skip(n as u32);
        let sl = self.level_sl.skip(n as u32);
        let ear_g = [
            self.ear_gain[0].skip(n as u32),
            self.ear_gain[1].skip(n as u32),
        ];
        // The clinical match (the set dB SL above the impaired threshold), rendered as loud
        // for a normal listener as the patient hears it; then the swells, in the rendered
        // level: after loud exposure, and with a blast (its shift at the pitch × the exposure
        // swell, so the two fade together).
        let boost = self.exposure.boost_db(c.exposure);
        let swell = self
            .blast_db
            .map(|b| (c.exposure.max(0.0) * b).min(exposure::MAX_BOOST_DB));
        let cache = self.pitch_cache;
        let matched = cache.hl_db.map(|hl| cache.normal_db_spl + hl + sl);
        let ringing = [0, 1].map(|ch| {
            cache.normal_db_spl
                + loudness::normal_equivalent_sl(cache.hl_db[ch], sl)
                + boost
                + swell[ch]
        });
        let duck = if c.masking > 0.0 {
            self.masking.set_centre(pitch);
            match ears {
                [l, r, ..] => self.masking.analyse([&l[..n], &r[..n]]),
                [m] => self.masking.analyse([&m[..n], &m[..n]]),
                [] => {}
            }
            [0, 1].map(|ch| self.masking.duck_db(ch, ringing[ch], c.masking, cal))
        } else {
            self.masking.reset();
            [0.0; 2]
        };
        let mut target = [0.0f32; 2];
        for ch in 0..2 {
            self.meter.masking_db[ch].store(duck[ch], Relaxed);
            self.meter.matched_db_spl[ch].store(matched[ch], Relaxed);
            let g = if mono { 1.0 } else { ear_g[ch] };
            target[ch] = amplitude(ringing[ch] - duck[ch], cal) * amount * g;
            self.meter.level[ch].store(target[ch] * self.gate.value(), Relaxed);
        }
        target
    }

    /// Adds the source to the ears, each at an amplitude that follows its `target` through
    /// the two one-poles.
    fn add_to(&mut self, ears: &mut [&mut [f32]], n: usize, target: [f32; 2]) {
        // The two one-poles in closed form (no recursion in the loop, so it vectorises):
        // after i steps towards a constant target T, with e₁, e₂ the stages' distances from T
        // at the block's start and r = 1 − k, stage 2 is T + rⁱ·e₂ + i·k·rⁱ·e₁.
        let buf = &self.mono[..n];
        let [p, q] = &self.amp_decay;
        let (p, q) = (&p[..n], &q[..n]);
        let [s1, s2] = self.amp.stages;
        let e = [0, 1].map(|ch| [s1[ch] - target[ch], s2[ch] - target[ch]]);
        match ears {
            [l, r, ..] => {
                for (((y0, y1), s), (p, q)) in l[..n]
                    .iter_mut()
                    .zip(&mut r[..n])
                    .zip(buf.iter())
                    .zip(p.iter().zip(q))
                {
                    *y0 += (target[0] + p * e[0][1] + q * e[0][0]) * s;
                    *y1 += (target[1] + p * e[1][1] + q * e[1][0]) * s;
                }
            }
            [m] => {
                for ((y, s), (p, q)) in m[..n].iter_mut().zip(buf.iter()).zip(p.iter().zip(q)) {
                    *y += (target[0] + p * e[0][1] + q * e[0][0]) * s;
                }
            }
            [] => {}
        }
        for ch in 0..2 {
            let [e1, e2] = e[ch];
            self.amp.stages[0][ch] = target[ch] + p[n - 1] * e1;
            self.amp.stages[1][ch] = target[ch] + p[n - 1] * e2 + q[n - 1] * e1;
        }
        for v in self.amp.stages.iter_mut().flatten() {
            if *v < 1e-30 {
                *v = 0.0;
            }
        }
    }
}

impl Stage for Tinnitus {
    type Controls = TinnitusControls;

    fn prepare(&mut self, sample_rate: f32, max_block: usize) {
        let (c, meter) = (self.controls, Arc::clone(&self.meter));
        *self = Self::new(sample_rate, max_block);
        self.meter = meter;
        self.set(&c);
        self.reset();
    }

    /// Back to the start: same seed, same ringing from here. The smoothers land, but for the
    /// amount: a ringing that is on fades in from silence (starting at full level would step).
    fn reset(&mut self) {
        self.reset_state();
    }

    fn set(&mut self, c: &TinnitusControls) {
        self.set_targets(c);
    }

    fn land(&mut self) {
        for s in self.smoothers() {
            s.land();
        }
    }

    fn process(&mut self, hearing: &Hearing, world: &[&[f32]], ears: &mut [&mut [f32]]) {
        let c = self.controls;
        self.render(&c, world, ears, hearing);
    }

    fn is_idle(&self) -> bool {
        self.idle()
    }
}
