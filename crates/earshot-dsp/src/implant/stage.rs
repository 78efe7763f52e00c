//! The implant stage as the chain runs it: both ears ([`ImplantEar`]), the smoothing of its
//! continuous controls, and the crossfade from the loss stage's output by the amount.

use super::carrier::CarrierKind;
use super::device::{Device, Layout, Side};
use super::electrodogram::Electrodogram;
use super::{controls, ImplantEar, ImplantEarControl, EAS_OFF_HZ};
use crate::hearing::Hearing;
use crate::smoother::Smoother;
use crate::stage::Stage;
use std::sync::Arc;

/// The implant's targets (plain values; the continuous ones are smoothed by the stage).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImplantControls {
    /// 0 = off (costs nothing), 1 = the implant only (plus its acoustic low band).
    pub amount: f32,
    /// Channels (electrodes), 1..=22.
    pub channels: usize,
    /// n of n-of-m; 0 = all channels (no selection).
    pub maxima: usize,
    /// Stimulation frame rate per channel, pulses per second.
    pub rate_pps: f32,
    /// Envelope low-pass cut-off, Hz.
    pub envelope_hz: f32,
    pub agc_attack_ms: f32,
    pub agc_release_ms: f32,
    /// Basal shift of the carriers, mm.
    pub shift_mm: f32,
    /// Current spread amount 0…1 (0 = none; see `spread`).
    pub spread: f32,
    pub carrier: CarrierKind,
    /// Electric-acoustic crossover, Hz; ≤ [`EAS_OFF_HZ`] = off.
    pub eas_hz: f32,
    /// The device map; a manufacturer's map sets the bands, the electrode count and the
    /// maxima (`channels` and `maxima` then apply to the generic map only).
    pub device: Device,
    /// Which ear wears the implant.
    pub side: Side,
}

impl ImplantControls {
    /// The map the processors analyse with.
    pub fn layout(&self) -> Layout {
        Layout::new(self.device, self.channels)
    }
}

impl Default for ImplantControls {
    fn default() -> Self {
        Self {
            amount: controls::AMOUNT.default,
            // 12 electrodes, 8 maxima: a typical ACE map's n-of-m (docs/science.md).
            channels: 12,
            maxima: 8,
            rate_pps: controls::RATE.default,
            envelope_hz: controls::ENVELOPE.default,
            agc_attack_ms: controls::AGC_ATTACK.default,
            agc_release_ms: controls::AGC_RELEASE.default,
            shift_mm: controls::SHIFT.default,
            spread: controls::SPREAD.default,
            carrier: CarrierKind::Noise,
            eas_hz: controls::EAS.default,
            device: Device::Generic,
            side: Side::Both,
        }
    }
}

/// Smoothers of the implant's continuous controls.
#[derive(Clone, Debug)]
struct Smoothers {
    amount: Smoother,
    rate: Smoother,
    envelope: Smoother,
    attack: Smoother,
    release: Smoother,
    shift: Smoother,
    spread: Smoother,
    eas: Smoother,
}

impl Smoothers {
    fn new(p: &ImplantControls, fs: f32) -> Self {
        use controls::*;
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

    fn set(&mut self, p: &ImplantControls) {
        use controls::*;
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

/// Both ears' implant stages. Each ear's loss-stage output becomes
/// (1 − amount) · loss + amount · implant(world, loss).
pub struct Implant {
    ears: [ImplantEar; 2],
    smoothers: Smoothers,
    controls: ImplantControls,
    /// Per ear: whether it ran in the previous chunk (else it is reset first).
    running: [bool; 2],
    /// Per ear: how much of the implant it wears, 0…1, ramping over [`SWITCH_MS`] when the
    /// implanted side changes; multiplies the amount.
    worn: [f32; 2],
    /// Ears in the last chunk processed (2 until one is).
    ears_seen: usize,
    sample_rate: f32,
    scratch: Vec<f32>,
    /// Each ear's stimulation frames (left or mono, right), for the editor and the CLI.
    electrodograms: [Arc<Electrodogram>; 2],
    /// Samples the stage has been given since it was built (also while the engine sleeps,
    /// [`Implant::skip_silence`]): the electrodogram's time stamps. Never reset, so frames stay
    /// in order across restarts.
    clock: u64,
}

impl Implant {
    /// For chunks of up to `max_block` samples; each ear's frames go to its electrodogram
    /// (left or mono, right).
    pub fn new(
        sample_rate: f32,
        max_block: usize,
        c: &ImplantControls,
        electrodograms: [Arc<Electrodogram>; 2],
    ) -> Self {
        let mut i = Self {
            ears: [ImplantEar::new(sample_rate), ImplantEar::new(sample_rate)],
            smoothers: Smoothers::new(c, sample_rate),
            controls: *c,
            running: [false; 2],
            worn: [1.0; 2],
            ears_seen: 2,
            sample_rate,
            scratch: vec![0.0; max_block.max(1)],
            electrodograms,
            clock: 0,
        };
        i.set(c);
        i.reset();
        i
    }

    /// Each ear's electrodogram (left or mono, right), readable from any thread without
    /// locks.
    pub fn electrodograms(&self) -> &[Arc<Electrodogram>; 2] {
        &self.electrodograms
    }

    /// The engine slept through `samples` of silence: the stage did not run, but its clock
    /// moves on.
    pub fn skip_silence(&mut self, samples: usize) {
        self.clock += samples as u64;
    }

    /// True while nothing of the loss stage reaches the ears: the implant alone is heard
    /// (amount settled at 1) and the acoustic crossover is off.
    pub fn replaces_acoustic(&self) -> bool {
        let (a, eas) = (&self.smoothers.amount, &self.smoothers.eas);
        let side = self.controls.side;
        a.value() == 1.0
            && a.target() == 1.0
            && eas.value() <= EAS_OFF_HZ
            && eas.target() <= EAS_OFF_HZ
            && (0..self.ears_seen).all(|e| self.worn[e] == 1.0 && side.implants(e, self.ears_seen))
    }

    /// The ears' control for the current chunk.
    fn ear_control(&self, hearing: &Hearing) -> ImplantEarControl {
        let s = &self.smoothers;
        ImplantEarControl {
            settings: ImplantControls {
                rate_pps: s.rate.value(),
                envelope_hz: s.envelope.value(),
                agc_attack_ms: s.attack.value(),
                agc_release_ms: s.release.value(),
                shift_mm: s.shift.value(),
                spread: s.spread.value(),
                eas_hz: s.eas.value(),
                ..self.controls
            },
            calibration: hearing.calibration,
        }
    }
}

impl Stage for Implant {
    type Controls = ImplantControls;

    fn prepare(&mut self, sample_rate: f32, max_block: usize) {
        let e = self.electrodograms.clone();
        *self = Self::new(sample_rate, max_block, &self.controls, e);
    }

    fn reset(&mut self) {
        for e in &mut self.ears {
            e.reset();
        }
        self.running = [false; 2];
        self.land();
    }

    fn set(&mut self, c: &ImplantControls) {
        self.smoothers.set(c);
        self.controls = *c;
    }

    /// The smoothers, the channel count and the carrier all land on their targets.
    fn land(&mut self) {
        for s in self.smoothers.all() {
            s.land();
        }
        for e in &mut self.ears {
            e.land(self.controls.layout(), self.controls.carrier);
        }
        for (e, w) in self.worn.iter_mut().enumerate() {
            *w = if self.controls.side.implants(e, self.ears_seen) {
                1.0
            } else {
                0.0
            };
        }
    }

    /// Skipped entirely (bit for bit) while the amount is 0; an ear that does not wear the
    /// implant is skipped the same way.
    fn process(&mut self, hearing: &Hearing, world: &[&[f32]], ears: &mut [&mut [f32]]) {
        let n = ears.iter().map(|e| e.len()).min().unwrap_or(0);
        let at = self.clock;
        self.clock += n as u64;
        if self.is_idle() {
            for s in self.smoothers.all() {
                s.skip(n as u32);
            }
            self.running = [false; 2];
            return;
        }
        let count = ears.len().clamp(1, 2);
        if count != self.ears_seen {
            self.ears_seen = count;
            if self.running == [false; 2] {
                // The first chunk tells how many ears there are (a mono signal is implanted
                // whichever side is set): start each ear at its share, without a ramp.
                for (e, w) in self.worn.iter_mut().enumerate() {
                    *w = if self.controls.side.implants(e, count) {
                        1.0
                    } else {
                        0.0
                    };
                }
            }
        }
        let start = self.smoothers.amount.value();
        for s in self.smoothers.all() {
            s.skip(n as u32);
        }
        let end = self.smoothers.amount.value();
        let ctl = self.ear_control(hearing);
        let side = self.controls.side;
        let step = n as f32 / (super::SWITCH_MS * 0.001 * self.sample_rate);
        for (ch, (loss, input)) in ears.iter_mut().zip(world).enumerate().take(2) {
            let w0 = self.worn[ch];
            let w1 = if side.implants(ch, count) {
                (w0 + step).min(1.0)
            } else {
                (w0 - step).max(0.0)
            };
            self.worn[ch] = w1;
            if w0 == 0.0 && w1 == 0.0 {
                // This ear hears acoustically only: as if the implant were off.
                self.running[ch] = false;
                continue;
            }
            if !self.running[ch] {
                // Coming back from off: start from silence in the current settings, not from
                // stale state.
                let c = &self.controls;
                self.ears[ch].reset();
                self.ears[ch].land(c.layout(), c.carrier);
                self.running[ch] = true;
            }
            let loss = &mut loss[..n];
            let out = &mut self.scratch[..n];
            let sink = Some(&*self.electrodograms[ch]);
            self.ears[ch].process(&input[..n], loss, out, &ctl, sink, at);
            // The amount (times how much this ear wears it) ramps linearly across the chunk,
            // as its smoother did.
            let (a0, a1) = (start * w0, end * w1);
            let da = (a1 - a0) / n as f32;
            // Weighted so that amount 1 gives the implant's output exactly, whatever the
            // loss stage left (or did not run).
            for (i, (l, c)) in loss.iter_mut().zip(out.iter()).enumerate() {
                let a = a0 + da * (i + 1) as f32;
                *l = (1.0 - a) * *l + a * c;
            }
        }
    }

    fn is_idle(&self) -> bool {
        let a = &self.smoothers.amount;
        a.value() == 0.0 && a.target() == 0.0
    }
}
