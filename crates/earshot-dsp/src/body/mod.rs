//! The body layer: drums felt when no longer heard (docs/science.md, Body layer).
//!
//! Ruben feels the kick through the floor and his chest long after he stops hearing it. The
//! input's low band (20 Hz … the set upper edge, default 150 Hz: kick and floor tom
//! fundamentals) is taken from the latency-aligned world, so the thump lands with the hit,
//! and rendered as a felt thump that the loss and implant stages never touch:
//! - low-passed (2nd-order Butterworth: 1.5 ms group delay at 150 Hz, well inside the 5 ms a
//!   felt hit may trail the heard one) after a 1st-order 20 Hz high-pass (no DC, no rumble
//!   below hearing and touch);
//! - optionally an octave down: a flip-flop toggled at each upward zero crossing of the low
//!   band (with hysteresis at ±10 % of its envelope) gives a square at half the frequency;
//!   scaled by the band's envelope (1 ms attack, 80 ms release) and low-passed, that is the
//!   classic analogue octave divider, the "weight" of a sub-bass;
//! - gently saturated (a rational tanh), as a body resonance limits rather than clips.
//!
//! Also the bone-conducted own voice: when you hear your own voice through your skull, the
//! occlusion effect lifts its low frequencies by up to 20 dB below 500 Hz (Stenfelt &
//! Reinfeldt 2007). A resonant low-pass copy of the input (500 Hz, Q 2) stands for it.

pub mod controls;
pub mod stage;

pub use stage::{Body, BodyControls};

use crate::biquad::{self, StereoBiquad, BUTTERWORTH_Q};
use crate::smoother::TwoPole;
/// Low edge of the felt band, Hz.
const LOW_EDGE_HZ: f64 = 20.0;
/// Gain of the felt band before saturation (a felt thump is a strong one).
const DRIVE: f32 = 2.0;
/// Own-voice resonance.
const VOICE_HZ: f64 = 500.0;
const VOICE_Q: f64 = 2.0;
/// Envelope follower times, ms.
const ATTACK_MS: f32 = 1.0;
const RELEASE_MS: f32 = 80.0;
/// The amount, octave and voice controls follow their ramps through two one-poles of this
/// time constant: a corner in a loud low tone's envelope is a click.
const CONTROL_SMOOTH_MS: f32 = 2.0;
/// How close the smoothed controls must be to their target to count as settled.
const SETTLE_EPS: f32 = 1e-4;
/// The smoothed controls' order in [`BodyLayer`]'s arrays.
const AMOUNT: usize = 0;
const OCTAVE: usize = 1;
const VOICE: usize = 2;

/// Soft saturation: a Padé approximant of tanh, exact slope 1 at 0, limited to ±1.
#[inline(always)]
pub fn soft_clip(x: f32) -> f32 {
    let x = x.clamp(-3.0, 3.0);
    x * (27.0 + x * x) / (27.0 + 9.0 * x * x)
}

/// The body layer of both ears (one loop for the two: their filters' recursions overlap).
#[derive(Clone, Debug)]
pub struct BodyLayer {
    sample_rate: f32,
    /// Per ear: previous input and output of the 1st-order high-pass.
    hp: [[f32; 2]; 2],
    hp_coef: f32,
    lp: StereoBiquad,
    sub_lp: StereoBiquad,
    voice: StereoBiquad,
    band_hz: f32,
    envelope: [f32; 2],
    attack: f32,
    release: f32,
    flip: [f32; 2],
    armed: [bool; 2],
    /// Amount, octave, voice after the two one-poles.
    smoothed: TwoPole<3>,
}

impl BodyLayer {
    pub fn new(sample_rate: f32) -> Self {
        let fs = sample_rate as f64;
        let mut b = Self {
            sample_rate,
            hp: [[0.0; 2]; 2],
            hp_coef: (-std::f64::consts::TAU * LOW_EDGE_HZ / fs).exp() as f32,
            lp: StereoBiquad::default(),
            sub_lp: StereoBiquad::default(),
            voice: StereoBiquad::new(biquad::lowpass(VOICE_HZ, VOICE_Q, fs)),
            band_hz: 0.0,
            envelope: [0.0; 2],
            attack: crate::smoother::one_pole(ATTACK_MS, sample_rate),
            release: crate::smoother::one_pole(RELEASE_MS, sample_rate),
            flip: [1.0; 2],
            armed: [true; 2],
            smoothed: TwoPole::new(CONTROL_SMOOTH_MS, sample_rate),
        };
        b.set_band(controls::BAND.default);
        b
    }

    pub fn reset(&mut self) {
        self.hp = [[0.0; 2]; 2];
        self.lp.reset();
        self.sub_lp.reset();
        self.voice.reset();
        self.envelope = [0.0; 2];
        self.flip = [1.0; 2];
        self.armed = [true; 2];
        self.smoothed.land([0.0; 3]);
    }

    /// Whether the layer adds nothing any more (its amount and voice have faded out).
    pub fn is_silent(&self) -> bool {
        self.smoothed
            .stages
            .iter()
            .all(|c| c[AMOUNT].abs() < 1e-7 && c[VOICE].abs() < 1e-7)
    }

    fn set_band(&mut self, hz: f32) {
        let hz = controls::BAND.clamp(hz);
        if (hz - self.band_hz).abs() > 0.5 {
            self.band_hz = hz;
            let fs = self.sample_rate as f64;
            self.lp.set(biquad::lowpass(hz as f64, BUTTERWORTH_Q, fs));
            self.sub_lp
                .set(biquad::lowpass(hz as f64 / 2.0, BUTTERWORTH_Q, fs));
        }
    }

    /// Whether both smoothing stages have reached `end` (amount, octave, voice). An f32
    /// one-pole with a 2 ms coefficient (k ≈ 0.01 at 48 kHz) stalls a few 1e-6 short of its
    /// target, where (target − value)·k rounds away, so the tolerance is 1e-4: snapping the
    /// rest is a gain step 80 dB below the thump, inaudible.
    fn settled_at(&self, end: &[f32; 3]) -> bool {
        self.smoothed.settled_at(end, SETTLE_EPS)
    }

    /// The per-sample loop over both ears. `MOVING`: the controls ramp and pass their
    /// smoothing (else they are constant, `start`); `OCTAVE`/`VOICE`: those paths are on.
    #[inline(always)]
    fn run<const MOVING: bool, const OCTAVE: bool, const VOICE: bool>(
        &mut self,
        world: [&[f32]; 2],
        out: [&mut [f32]; 2],
        start: [f32; 3],
        step: [f32; 3],
    ) {
        let mut ramp = start;
        let [mut amount, mut octave, mut voice] = start;
        let [w0, w1] = world;
        let [o0, o1] = out;
        // State in locals for the loop (kept in registers, not re-stored every sample).
        let (mut hp_state, hp_coef) = (self.hp, self.hp_coef);
        let (mut lp, mut sub_lp, mut voice_lp) = (self.lp, self.sub_lp, self.voice);
        let (mut envelope, mut flip, mut armed) = (self.envelope, self.flip, self.armed);
        let (attack, release) = (self.attack, self.release);
        let mut smoothed = self.smoothed;
        // Two passes per piece: the recursions (latency-bound) into stack buffers, then the
        // saturation (a divide per sample, throughput-bound) in a loop that vectorises.
        // Interleaved in one loop, the divides stalled the recursions.
        const PIECE: usize = 128;
        let mut thumps = [[0.0f32; PIECE]; 2];
        let mut amounts = [amount; PIECE];
        for ((p0, p1), (q0, q1)) in w0
            .chunks(PIECE)
            .zip(w1.chunks(PIECE))
            .zip(o0.chunks_mut(PIECE).zip(o1.chunks_mut(PIECE)))
        {
            for (i, ((x0, x1), (y0, y1))) in p0
                .iter()
                .zip(p1)
                .zip(q0.iter_mut().zip(q1.iter_mut()))
                .enumerate()
            {
                if MOVING {
                    for (r, s) in ramp.iter_mut().zip(step) {
                        *r += s;
                    }
                    [amount, octave, voice] = smoothed.step(ramp);
                    amounts[i] = amount;
                }
                let x = [*x0, *x1];
                let mut hp = [0.0; 2];
                for e in 0..2 {
                    // 1st-order high-pass: y = c (y' + x − x').
                    hp[e] = hp_coef * (hp_state[e][1] + x[e] - hp_state[e][0]);
                    hp_state[e] = [x[e], hp[e]];
                }
                let low = lp.process(hp);
                let mut thump = low;
                if OCTAVE {
                    let mut drive = [0.0; 2];
                    for e in 0..2 {
                        let rect = low[e].abs();
                        let k = if rect > envelope[e] { attack } else { release };
                        envelope[e] += (rect - envelope[e]) * k;
                        // Octave divider with hysteresis, branch-free (on noisy input the
                        // crossings are unpredictable, and mispredicted branches cost more
                        // than the arithmetic).
                        let h = 0.1 * envelope[e];
                        let up = armed[e] & (low[e] > h);
                        flip[e] *= if up { -1.0 } else { 1.0 };
                        armed[e] = (armed[e] & !up) | (low[e] < -h);
                        drive[e] = flip[e] * envelope[e];
                    }
                    let sub = sub_lp.process(drive);
                    for e in 0..2 {
                        thump[e] = low[e] + octave * (sub[e] - low[e]);
                    }
                }
                thumps[0][i] = thump[0];
                thumps[1][i] = thump[1];
                if VOICE {
                    let bone = voice_lp.process(x);
                    *y0 += voice * bone[0];
                    *y1 += voice * bone[1];
                }
            }
            for (q, t) in [q0, q1].into_iter().zip(&thumps) {
                for ((y, t), a) in q.iter_mut().zip(t).zip(&amounts) {
                    *y += a * soft_clip(DRIVE * t) / DRIVE;
                }
            }
        }
        self.hp = hp_state;
        (self.lp, self.sub_lp, self.voice) = (lp, sub_lp, voice_lp);
        (self.envelope, self.flip, self.armed) = (envelope, flip, armed);
        self.smoothed = smoothed;
    }

    /// Adds the layer for `world` (latency-aligned input, one slice per ear: 1 = mono, 2 =
    /// stereo) to `out`. `from`/`to` are the controls at the start and end of the block
    /// (amount, octave and voice ramp linearly, then pass two 2 ms one-poles).
    pub fn process(
        &mut self,
        world: &[&[f32]],
        out: &mut [&mut [f32]],
        from: &BodyControls,
        to: &BodyControls,
    ) {
        self.set_band(to.band_hz);
        let n = world
            .iter()
            .map(|w| w.len())
            .chain(out.iter().map(|o| o.len()))
            .min()
            .unwrap_or(0);
        if n == 0 || world.is_empty() || out.is_empty() {
            return;
        }
        let inv = 1.0 / n as f32;
        let controls = |c: &BodyControls| {
            let mut v = [0.0; 3];
            (v[AMOUNT], v[OCTAVE], v[VOICE]) = (c.amount, c.octave.clamp(0.0, 1.0), c.voice);
            v
        };
        let (start, end) = (controls(from), controls(to));
        let step = [0, 1, 2].map(|i| (end[i] - start[i]) * inv);
        // Settled controls (the usual case) take a loop without the smoothing, and without
        // the octave divider or the voice filter when those are off.
        let settled = start == end && self.settled_at(&end);
        let dispatch = |this: &mut Self, w: [&[f32]; 2], o: [&mut [f32]; 2]| {
            if settled {
                this.smoothed.land(end);
                match (end[OCTAVE] > 0.0, end[VOICE] > 0.0) {
                    (false, false) => this.run::<false, false, false>(w, o, start, step),
                    (true, false) => this.run::<false, true, false>(w, o, start, step),
                    (false, true) => this.run::<false, false, true>(w, o, start, step),
                    (true, true) => this.run::<false, true, true>(w, o, start, step),
                }
            } else {
                this.run::<true, true, true>(w, o, start, step);
            }
        };
        match (world, out) {
            ([w0, w1, ..], [o0, o1, ..]) => {
                dispatch(self, [&w0[..n], &w1[..n]], [&mut o0[..n], &mut o1[..n]]);
            }
            ([w0, ..], [o0, ..]) => {
                // Mono: the second lane runs on the same input into a stack sink (its work
                // is wasted, the loop stays one), in pieces the sink can hold. The ramps
                // continue across pieces.
                let mut sink = [0.0f32; 256];
                let mut pos = 0;
                while pos < n {
                    let len = (n - pos).min(sink.len());
                    let piece_start = [0, 1, 2].map(|i| start[i] + step[i] * pos as f32);
                    let w = &w0[pos..pos + len];
                    let (a, b) = (&mut o0[pos..pos + len], &mut sink[..len]);
                    if settled {
                        dispatch(self, [w, w], [a, b]);
                    } else {
                        self.run::<true, true, true>([w, w], [a, b], piece_start, step);
                    }
                    pos += len;
                }
            }
            _ => {}
        }
        self.lp.flush_tiny();
        self.sub_lp.flush_tiny();
        self.voice.flush_tiny();
        for s in self.hp.iter_mut().flatten().chain(self.envelope.iter_mut()) {
            if s.abs() < 1e-25 || !s.is_finite() {
                *s = 0.0;
            }
        }
        for c in self.smoothed.stages.iter_mut().flatten() {
            if c.abs() < 1e-30 {
                *c = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(world: &[f32], c: BodyControls) -> Vec<f32> {
        let mut b = BodyLayer::new(48000.0);
        let mut out = vec![0.0f32; world.len()];
        for (w, o) in world.chunks(64).zip(out.chunks_mut(64)) {
            b.process(&[w], &mut [o], &c, &c);
        }
        out
    }

    fn sine(hz: f32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| 0.3 * (std::f32::consts::TAU * hz * i as f32 / 48000.0).sin())
            .collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn passes_the_drums_band_and_not_the_rest() {
        let c = BodyControls {
            amount: 1.0,
            ..BodyControls::default()
        };
        let low = rms(&run(&sine(60.0, 48000), c)[24000..]);
        let high = rms(&run(&sine(2000.0, 48000), c)[24000..]);
        assert!(low > 0.15, "{low}");
        assert!(high < 0.01 * low, "{high} vs {low}");
    }

    #[test]
    fn octave_down_moves_a_tone_an_octave_lower() {
        let c = BodyControls {
            amount: 1.0,
            octave: 1.0,
            ..BodyControls::default()
        };
        let y = run(&sine(80.0, 96000), c);
        // Strongest component near 40 Hz, not 80 Hz.
        let power = |hz: f32| {
            let (mut re, mut im) = (0.0f32, 0.0f32);
            for (i, v) in y[48000..].iter().enumerate() {
                let ph = std::f32::consts::TAU * hz * i as f32 / 48000.0;
                re += v * ph.cos();
                im += v * ph.sin();
            }
            re * re + im * im
        };
        assert!(
            power(40.0) > 4.0 * power(80.0),
            "{} vs {}",
            power(40.0),
            power(80.0)
        );
    }

    #[test]
    fn settled_controls_take_the_settled_loop() {
        // After a step to amount 1 (and to octave and voice), the smoothing must count as
        // settled within 50 ms: the f32 one-poles stall just short of 1, and the settled
        // loops are the cheap ones.
        for end in [[1.0, 0.0, 0.0], [0.8, 0.6, 0.3], [0.25, 1.0, 1.0]] {
            let c = BodyControls {
                amount: end[0],
                octave: end[1],
                voice: end[2],
                ..BodyControls::default()
            };
            let mut b = BodyLayer::new(48000.0);
            let x = sine(60.0, 2400);
            let mut out = vec![0.0f32; 2400];
            for (w, o) in x.chunks(64).zip(out.chunks_mut(64)) {
                b.process(&[w], &mut [o], &c, &c);
            }
            assert!(b.settled_at(&end), "{:?} vs {end:?}", b.smoothed);
        }
    }

    #[test]
    fn nothing_added_at_zero_and_saturation_is_bounded() {
        let x = sine(60.0, 4800);
        assert!(run(&x, BodyControls::default()).iter().all(|v| *v == 0.0));
        for v in [-10.0f32, -1.0, 0.0, 0.5, 3.0, 100.0] {
            assert!(soft_clip(v).abs() <= 1.0);
        }
        assert!((soft_clip(0.01) - 0.01).abs() < 1e-5);
    }
}
