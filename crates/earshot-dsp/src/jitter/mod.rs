//! Temporal distortion: the loss of neural synchrony that comes with age (and auditory
//! neuropathy) simulated as a random, band-limited jitter of the signal's timing below a band
//! edge, after Pichora-Fuller, Schneider, MacDonald, Pass & Brown (2007), "Temporal jitter
//! disrupts speech intelligibility: a simulation of auditory aging", Hearing Research 223,
//! and the way 3D Tune-In's temporal-distortion simulator structures it (split, jittered
//! delay of the low band, fixed delay of the high band). Written here from those
//! descriptions:
//!
//! ```text
//! ears ─► split ─┬─ low  ─► ring ─► read at D + a·n(t) ─┐
//!                └─ high ─► ring ─► read at D ──────────┴─► + ─┐
//! ears ─► ring ─► read at D ───────────────────────────────────┴─ wet crossfade ─► ears
//! ```
//!
//! The split comes first, so only the low band is jittered: a jitter of 0.25 ms RMS wandering
//! at 500 Hz changes the delay by up to ±80 % of real time (its rate of change), a Doppler
//! shift that would smear a 6 kHz component down into the low band if the whole signal were
//! jittered and low-passed afterwards.
//!
//! - `split.rs`: the fifth-order Butterworth pair, doubly complementary, so the spectrum at
//!   the edge stays put however much of the low band's coherence the jitter destroys.
//! - `delay_process.rs`: n(t), unit variance, low-passed to the jitter's bandwidth, the two
//!   ears correlated as set; `a` is the amount (RMS, ms).
//! - The delay swings around a fixed D, the stage's latency ([`latency_for`]), clamped at
//!   ±(D − 1) samples, i.e. ±3 RMS at the largest amount. The engine reports D in its
//!   latency and delays the world by it for the output mix; the stage runs after the body
//!   layer, so nothing before it (loss, implant, ringing, body) sees any change.
//! - Off (amount 0, faded out) the stage is a pure delay of D, bit for bit, and does nothing
//!   else; switching on crossfades (20 ms) from that delay to the split path, whose coherent
//!   sum is an all-pass, and the amount itself then ramps from 0 (50 ms).
//! - Reading between samples is linear interpolation: at most −0.03 dB at 1.2 kHz and
//!   −0.3 dB at 4 kHz (48 kHz) when the read falls halfway, on the jittered band only.

pub mod controls;
pub mod delay_process;
pub mod split;

use crate::hearing::Hearing;
use crate::smoother::Smoother;
use crate::stage::Stage;
use delay_process::DelayProcess;
use split::Split;

/// The largest swing of the delay, ms: 3 × the largest amount.
pub const MAX_SWING_MS: f32 = 3.0 * 0.5;

/// The crossfade between the pure delay and the jittering path, ms.
const WET_FADE_MS: f32 = 20.0;

/// Room of each ring, samples (a power of two): the ring in use is the smallest power of two
/// that holds 2·D + 2 (256 at 48 kHz), inside this much room, so that every index is masked
/// into the array (no bounds checks in the loop). Enough for 1.3 MHz.
const ROOM: usize = 4096;

/// The recent samples of both ears, one `[left, right]` per sample.
type Ring = Box<[[f32; 2]; ROOM]>;

/// The stage's latency at `sample_rate`, samples: the largest swing, plus one sample for the
/// interpolation.
pub fn latency_for(sample_rate: f32) -> usize {
    (MAX_SWING_MS * 0.001 * sample_rate).ceil() as usize + 1
}

/// The temporal distortion's targets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JitterControls {
    /// RMS of the random delay, ms (0 = off).
    pub amount_ms: f32,
    /// Upper edge of the jittered band, Hz.
    pub band_hz: f32,
    /// −3 dB bandwidth of the delay's wander, Hz.
    pub bandwidth_hz: f32,
    /// Correlation of the two ears' delays, 0…1.
    pub correlation: f32,
    /// Seed of the random delays (the plugin's one "Random seed").
    pub seed: u64,
}

impl Default for JitterControls {
    fn default() -> Self {
        Self {
            amount_ms: controls::AMOUNT.default,
            band_hz: controls::BAND.default,
            bandwidth_hz: controls::BANDWIDTH.default,
            correlation: controls::CORRELATION.default,
            seed: 1,
        }
    }
}

/// The temporal distortion of both ears.
pub struct Jitter {
    sample_rate: f32,
    latency: usize,
    /// The ears, their low band and their high band, the last `mask + 1` samples.
    ring: Ring,
    low_ring: Ring,
    high_ring: Ring,
    mask: usize,
    write: usize,
    split: Split,
    process: DelayProcess,
    amount: Smoother,
    band: Smoother,
    bandwidth: Smoother,
    correlation: Smoother,
    /// 0 = the pure delay, 1 = the jittering path.
    wet: Smoother,
    controls: JitterControls,
}

impl Jitter {
    /// Allocates; call outside processing.
    pub fn new(sample_rate: f32, c: &JitterControls) -> Self {
        let fs = sample_rate;
        let latency = latency_for(fs);
        let len = (2 * latency + 2).next_power_of_two().min(ROOM);
        // Built on the heap directly (no 32 KB array on the stack of a host's audio thread).
        let ring = || -> Ring {
            vec![[0.0f32; 2]; ROOM]
                .into_boxed_slice()
                .try_into()
                .expect("ROOM samples")
        };
        let mut j = Self {
            sample_rate: fs,
            latency: latency.min(ROOM / 2 - 1),
            ring: ring(),
            low_ring: ring(),
            high_ring: ring(),
            mask: len - 1,
            write: 0,
            split: Split::new(controls::BAND.clamp(c.band_hz), fs),
            process: DelayProcess::new(fs, controls::BANDWIDTH.clamp(c.bandwidth_hz), c.seed),
            amount: controls::AMOUNT.smoother(c.amount_ms, fs),
            band: controls::BAND.smoother(c.band_hz, fs),
            bandwidth: controls::BANDWIDTH.smoother(c.bandwidth_hz, fs),
            correlation: controls::CORRELATION.smoother(c.correlation, fs),
            wet: Smoother::new(0.0, WET_FADE_MS, fs),
            controls: *c,
        };
        j.set(c);
        j.reset();
        j
    }

    /// Latency in samples (the delay's centre), the same for every control value.
    pub fn latency(&self) -> usize {
        self.latency
    }

    /// True while the stage is a pure delay of its latency (off and faded out).
    pub fn is_pure_delay(&self) -> bool {
        self.wet.value() == 0.0 && self.wet.target() == 0.0 && self.amount.target() == 0.0
    }

    /// Off: each ear through the fixed delay.
    fn delay_only(&mut self, ears: &mut [&mut [f32]], n: usize) {
        let (d, mask) = (self.latency, self.mask);
        let mut w = self.write;
        match ears {
            [l, r, ..] => {
                for (a, b) in l[..n].iter_mut().zip(r[..n].iter_mut()) {
                    self.ring[w & (ROOM - 1)] = [*a, *b];
                    [*a, *b] = self.ring[w.wrapping_sub(d) & mask & (ROOM - 1)];
                    w = (w + 1) & mask;
                }
            }
            [m] => {
                for v in m[..n].iter_mut() {
                    self.ring[w & (ROOM - 1)] = [*v, 0.0];
                    *v = self.ring[w.wrapping_sub(d) & mask & (ROOM - 1)][0];
                    w = (w + 1) & mask;
                }
            }
            [] => {}
        }
        self.write = w;
    }

    /// Switched on from the pure delay: the split restarts from silence and the two bands'
    /// rings are refilled from the ears' ring (which the pure delay kept writing), oldest
    /// sample first, so the first reads find the recent bands rather than whatever was there
    /// when the stage last went off.
    fn wake(&mut self) {
        self.split.reset();
        let len = self.mask + 1;
        for k in 1..len {
            let at = self.write.wrapping_sub(len - k) & self.mask & (ROOM - 1);
            let (low, high) = self.split.split(self.ring[at]);
            self.low_ring[at] = low;
            self.high_ring[at] = high;
        }
    }

    /// One sample of both ears through the jittering path (and the crossfade from the pure
    /// delay).
    #[inline(always)]
    fn step(&mut self, x: [f32; 2]) -> [f32; 2] {
        if self.process.at_tick() {
            self.tick_controls(delay_process::control_period(self.sample_rate));
        }
        let amount = self.amount.next_sample();
        if amount == 0.0 && self.amount.target() == 0.0 {
            self.wet.set_target(0.0);
        } else {
            self.wet.set_target(1.0);
        }
        let wet = self.wet.next_sample();
        let jitter = self.process.next(self.correlation.value());
        let (d, mask, w) = (self.latency, self.mask, self.write);
        let (low, high) = self.split.split(x);
        let at = w & (ROOM - 1);
        self.ring[at] = x;
        self.low_ring[at] = low;
        self.high_ring[at] = high;
        let back_d = w.wrapping_sub(d) & mask & (ROOM - 1);
        let fixed = self.ring[back_d];
        let high = self.high_ring[back_d];
        let swing = amount * 0.001 * self.sample_rate;
        let limit = (d - 1) as f32;
        let mut y = [0.0f32; 2];
        for e in 0..2 {
            // The read position, samples back: D ± the swing (never past the ring, never
            // ahead of the write).
            let back = d as f32 + (swing * jitter[e]).clamp(-limit, limit);
            let whole = back as usize;
            let frac = back - whole as f32;
            let k = w.wrapping_sub(whole);
            let a = self.low_ring[k & mask & (ROOM - 1)][e];
            let b = self.low_ring[k.wrapping_sub(1) & mask & (ROOM - 1)][e];
            let low = a + frac * (b - a);
            y[e] = fixed[e] + wet * (low + high[e] - fixed[e]);
        }
        self.write = (w + 1) & mask;
        y
    }

    /// The control tick: the slow controls move by one control period.
    fn tick_controls(&mut self, period: u32) {
        if !self.band.is_settled() {
            let hz = self.band.skip(period);
            self.split.set(hz, self.sample_rate);
        }
        if !self.bandwidth.is_settled() {
            let hz = self.bandwidth.skip(period);
            self.process.set_bandwidth(hz);
        }
        self.correlation.skip(period);
    }
}

impl Stage for Jitter {
    type Controls = JitterControls;

    fn prepare(&mut self, sample_rate: f32, _max_block: usize) {
        *self = Self::new(sample_rate, &self.controls);
    }

    fn reset(&mut self) {
        for r in [&mut self.ring, &mut self.low_ring, &mut self.high_ring] {
            r.fill([0.0; 2]);
        }
        self.write = 0;
        self.split.reset();
        self.process.reset(self.controls.seed);
        self.land();
        self.wet
            .reset(if self.amount.target() > 0.0 { 1.0 } else { 0.0 });
    }

    fn set(&mut self, c: &JitterControls) {
        if c.seed != self.controls.seed {
            self.process.reseed(c.seed);
        }
        self.controls = *c;
        self.amount.set_target(controls::AMOUNT.clamp(c.amount_ms));
        self.band.set_target(controls::BAND.clamp(c.band_hz));
        self.bandwidth
            .set_target(controls::BANDWIDTH.clamp(c.bandwidth_hz));
        self.correlation
            .set_target(controls::CORRELATION.clamp(c.correlation));
    }

    fn land(&mut self) {
        for s in [
            &mut self.amount,
            &mut self.band,
            &mut self.bandwidth,
            &mut self.correlation,
        ] {
            s.land();
        }
        self.split.set(self.band.value(), self.sample_rate);
        self.process.set_bandwidth(self.bandwidth.value());
        self.wet.land();
    }

    fn process(&mut self, _hearing: &Hearing, _world: &[&[f32]], ears: &mut [&mut [f32]]) {
        let n = ears.iter().map(|e| e.len()).min().unwrap_or(0);
        if self.is_pure_delay() {
            self.delay_only(ears, n);
            return;
        }
        if self.wet.value() == 0.0 {
            self.wake();
        }
        match ears {
            [l, r, ..] => {
                for (a, b) in l[..n].iter_mut().zip(r[..n].iter_mut()) {
                    [*a, *b] = self.step([*a, *b]);
                }
            }
            [m] => {
                for v in m[..n].iter_mut() {
                    *v = self.step([*v, 0.0])[0];
                }
            }
            [] => {}
        }
        self.split.flush_tiny();
        self.process.flush_tiny();
    }

    /// Never: even off, the stage delays the ears by its latency (see [`Self::is_pure_delay`]).
    fn is_idle(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(amount_ms: f32) -> JitterControls {
        JitterControls {
            amount_ms,
            ..JitterControls::default()
        }
    }

    fn tone(hz: f32, fs: f32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| 0.5 * (std::f32::consts::TAU * hz * i as f32 / fs).sin())
            .collect()
    }

    fn render(j: &mut Jitter, x: &[f32], block: usize) -> [Vec<f32>; 2] {
        let (mut l, mut r) = (x.to_vec(), x.to_vec());
        for (a, b) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
            j.process(&Hearing::default(), &[], &mut [a, b]);
        }
        [l, r]
    }

    #[test]
    fn latency_covers_three_times_the_largest_amount() {
        assert_eq!(latency_for(48000.0), 73);
        assert_eq!(latency_for(44100.0), 68);
        assert_eq!(latency_for(96000.0), 145);
        let d = latency_for(48000.0) as f32 - 1.0;
        assert!(d >= 3.0 * controls::AMOUNT.max * 48.0);
    }

    #[test]
    fn off_is_a_pure_delay_bit_for_bit() {
        let fs = 48000.0;
        let x = tone(440.0, fs, 5000);
        let mut j = Jitter::new(fs, &on(0.0));
        assert!(j.is_pure_delay());
        let [l, r] = render(&mut j, &x, 100);
        let d = j.latency();
        assert!(l[..d].iter().all(|v| *v == 0.0));
        for (y, v) in l[d..].iter().zip(&x) {
            assert_eq!(y.to_bits(), v.to_bits());
        }
        assert_eq!(l, r);
    }

    #[test]
    fn jitter_moves_a_low_tone_and_leaves_a_high_one() {
        let fs = 48000.0;
        let n = 48000;
        for (hz, moved) in [(500.0, true), (6000.0, false)] {
            let x = tone(hz, fs, n);
            let [l, _] = render(&mut Jitter::new(fs, &on(0.25)), &x, 64);
            // The same path with a jitter too small to matter: the split's all-pass phase
            // is in both.
            let [still, _] = render(&mut Jitter::new(fs, &on(1e-6)), &x, 64);
            let (mut e, mut s) = (0.0f64, 0.0f64);
            for (y, v) in l[4800..].iter().zip(&still[4800..]) {
                e += ((y - v) as f64).powi(2);
                s += (*v as f64).powi(2);
            }
            let db = 10.0 * (e / s).log10();
            // 0.25 ms RMS at 500 Hz is 0.79 rad of phase RMS; 6 kHz is 2.3 octaves above the
            // edge, where the jittered band is 40 dB down.
            if moved {
                assert!(db > -6.0, "{hz} Hz: difference {db:.1} dB");
            } else {
                assert!(db < -30.0, "{hz} Hz: difference {db:.1} dB");
            }
        }
    }

    #[test]
    fn blocks_do_not_matter_and_reset_reproduces() {
        let fs = 44100.0;
        let x = tone(300.0, fs, 20000);
        let mut j = Jitter::new(fs, &on(0.3));
        let a = render(&mut j, &x, 64);
        j.reset();
        let b = render(&mut j, &x, 64);
        let c = render(&mut Jitter::new(fs, &on(0.3)), &x, 1);
        let d = render(&mut Jitter::new(fs, &on(0.3)), &x, 777);
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, d);
    }

    #[test]
    fn turning_off_returns_to_the_pure_delay() {
        let fs = 48000.0;
        let x = tone(300.0, fs, 48000);
        let mut j = Jitter::new(fs, &on(0.4));
        render(&mut j, &x[..4800], 64);
        j.set(&on(0.0));
        render(&mut j, &x[..9600], 64);
        assert!(j.is_pure_delay());
        let [l, _] = render(&mut j, &x, 64);
        let d = j.latency();
        for (y, v) in l[d..].iter().zip(&x) {
            assert_eq!(y.to_bits(), v.to_bits());
        }
    }
}
