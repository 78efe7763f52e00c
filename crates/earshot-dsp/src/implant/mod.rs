//! The cochlear-implant stage (docs/science.md, Cochlear implant): what a freshly activated
//! implant sounds like, made the way implant processors (ACE) and their research simulations
//! (Shannon et al. 1995; Fu & Shannon 1999) make it.
//!
//! Per ear: front-end AGC (`agc`) → analysis bands equally spaced in Greenwood place
//! (`greenwood`, `analysis`) → envelopes (Hilbert envelope + low-pass 50–400 Hz) → per
//! stimulation frame: electric levels in the T–C window (`electric`), n-of-m selection
//! (`selection`), current spread (`spread`) → carriers at the shifted places (`carrier`).
//! The electrode levels of each frame go to the editor through `electrodogram`.
//! Electric-acoustic hybrid: the low band of the loss stage's output is added back.

// Lane loops index several parallel arrays at once (structure of arrays).
#![allow(clippy::needless_range_loop)]

pub mod agc;
pub mod analysis;
pub mod carrier;
pub mod controls;
pub mod device;
pub mod electric;
pub mod electrodogram;
pub mod greenwood;
pub mod selection;
pub mod spread;
pub mod stage;

use crate::calibration::Calibration;
use analysis::{lowpass_biquad, Analysis, LANES};
use carrier::{CarrierKind, Carriers};
use device::Layout;
use greenwood::{ChannelMap, MAX_CHANNELS};
pub use stage::{Implant, ImplantControls};

/// Samples a processor takes through each of its passes at once (its buffers' size).
use carrier::SUB_CHUNK;

/// Crossfade time for carrier and channel-count switches, ms.
pub const SWITCH_MS: f32 = 30.0;
/// A processor built for a new map runs this long unheard before it fades in: its analysis
/// starts from rest, and the sound it then "hears" start abruptly splatters into every band.
/// Measured (1 kHz tone at 85 dB SPL, map switched 12 ↔ 22 channels or generic ↔ a device map,
/// the click metric of `tests/implant.rs`): 12–25 dB above the steady residue with neither this
/// nor the carried-over AGC; 7–12 dB with the AGC alone; up to 6 dB with a 3 ms warm-up; within
/// 2 dB with 10 ms.
pub const WARM_UP_MS: f32 = 10.0;
/// Crossovers at or below this are "off" (no acoustic low band); the acoustic band fades in
/// between this and twice it, so automating the crossover from off is continuous.
pub const EAS_OFF_HZ: f32 = 20.0;

/// What an ear's processor reads once per chunk: the implant's settings (the continuous ones
/// already smoothed by the stage; `amount` is the stage's, not read here) and the calibration.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ImplantEarControl {
    pub settings: ImplantControls,
    pub calibration: Calibration,
}

impl ImplantEarControl {
    /// `settings` at the default calibration.
    pub fn new(settings: ImplantControls) -> Self {
        Self {
            settings,
            calibration: Calibration::default(),
        }
    }
}

fn kind_index(k: CarrierKind) -> usize {
    match k {
        CarrierKind::Noise => 0,
        CarrierKind::Sine => 1,
        CarrierKind::Pulse => 2,
        CarrierKind::Metallic => 3,
    }
}

/// One implant processor for one channel map: AGC → analysis → envelopes → per frame
/// (electric mapping, n-of-m, spread) → carriers. Heap-free (fixed arrays), so a new one can
/// be built in `process()` when the channel count changes.
#[derive(Clone, Debug)]
pub struct Processor {
    sample_rate: f32,
    layout: Layout,
    map: ChannelMap,
    places: [f32; LANES],
    agc: agc::Agc,
    analysis: Analysis,
    /// Envelope low-pass (2nd-order Butterworth at the analysis's decimated rate), one
    /// coefficient set for all lanes.
    env_coef: [f32; 5],
    env_hz: f32,
    env_s: [[f32; LANES]; 2],
    envelope: [f32; LANES],
    until_frame: f32,
    frame_len: f32,
    /// Heard amplitude per channel: the last frame's and the one it ramps to.
    amp_from: [f32; LANES],
    amp_to: [f32; LANES],
    amp: [f32; LANES],
    frame_pos: f32,
    carriers: Carriers,
    shift_mm: f32,
    kind: [f32; 4],
    /// The last frame's electric levels (selected electrodes), for the electrodogram.
    levels: [f32; MAX_CHANNELS],
    /// The front end's output and the analysis's envelope updates of one sub-chunk.
    front: [f32; SUB_CHUNK],
    updates: [[f32; LANES]; SUB_CHUNK],
    /// Each sample's channel amplitudes and carrier weights, for the carriers' pass.
    amps: [[f32; LANES]; SUB_CHUNK],
    weights: [[f32; 4]; SUB_CHUNK],
    /// Whether this CPU runs the AVX2 build.
    avx2: bool,
    /// Compute every lane, not only those carrying channels (tests: the results must not
    /// differ).
    all_lanes: bool,
}

impl Processor {
    /// The generic map with `channels` channels.
    pub fn new(channels: usize, sample_rate: f32) -> Self {
        Self::with_layout(Layout::generic(channels), sample_rate)
    }

    pub fn with_layout(layout: Layout, sample_rate: f32) -> Self {
        Self::with_simd(layout, sample_rate, crate::simd::has_avx2_fma())
    }

    /// As [`Self::with_layout`], with the kernel choice given: [`crate::simd::has_avx2_fma`]
    /// reads the environment (a lock), which `process()` must not.
    pub fn with_simd(layout: Layout, sample_rate: f32, avx2: bool) -> Self {
        let fs = sample_rate as f64;
        let map = layout.device.channel_map(layout.channels, fs);
        let mut places = [0.0; LANES];
        for (p, c) in places.iter_mut().zip(map.iter()) {
            *p = c.place_mm as f32;
        }
        let mut carriers = Carriers::new(fs);
        carriers.set_bands(&map, 0.0);
        let mut p = Self {
            sample_rate,
            layout,
            analysis: Analysis::new(&map, fs),
            map,
            places,
            agc: agc::Agc::new(sample_rate),
            env_coef: [0.0; 5],
            env_hz: 0.0,
            env_s: [[0.0; LANES]; 2],
            envelope: [0.0; LANES],
            until_frame: 0.0,
            frame_len: 1.0,
            amp_from: [0.0; LANES],
            amp_to: [0.0; LANES],
            amp: [0.0; LANES],
            frame_pos: 0.0,
            carriers,
            shift_mm: 0.0,
            kind: [1.0, 0.0, 0.0, 0.0],
            levels: [0.0; MAX_CHANNELS],
            front: [0.0; SUB_CHUNK],
            updates: [[0.0; LANES]; SUB_CHUNK],
            amps: [[0.0; LANES]; SUB_CHUNK],
            weights: [[0.0; 4]; SUB_CHUNK],
            avx2,
            all_lanes: false,
        };
        p.configure(layout);
        p
    }

    /// Makes this processor what [`Self::with_simd`] would build for `layout`, in place: no
    /// allocation and no large temporary, so a channel-count or map change can run it on the
    /// audio thread (whose stack may be small).
    pub fn configure(&mut self, layout: Layout) {
        let fs = self.sample_rate as f64;
        let map = layout.device.channel_map(layout.channels, fs);
        self.layout = layout;
        self.map = map;
        self.places = [0.0; LANES];
        for (p, c) in self.places.iter_mut().zip(map.iter()) {
            *p = c.place_mm as f32;
        }
        self.analysis.configure(&map, fs);
        self.carriers = Carriers::new(fs);
        self.carriers.set_bands(&map, 0.0);
        self.agc = agc::Agc::new(self.sample_rate);
        self.shift_mm = 0.0;
        self.kind = [1.0, 0.0, 0.0, 0.0];
        self.frame_len = 1.0;
        self.reset();
        // The envelope low-pass runs at the analysis's decimated rate, which the map sets.
        self.env_hz = 0.0;
        self.set_envelope_hz(160.0);
    }

    pub fn channels(&self) -> usize {
        self.map.len()
    }

    /// The map this processor analyses with.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The channels' bands.
    pub fn map(&self) -> &ChannelMap {
        &self.map
    }

    pub fn reset(&mut self) {
        self.agc.reset();
        self.analysis.reset();
        self.env_s = [[0.0; LANES]; 2];
        self.envelope = [0.0; LANES];
        self.until_frame = 0.0;
        self.amp_from = [0.0; LANES];
        self.amp_to = [0.0; LANES];
        self.amp = [0.0; LANES];
        self.frame_pos = 0.0;
        self.carriers.reset();
        self.levels = [0.0; MAX_CHANNELS];
    }

    fn set_envelope_hz(&mut self, hz: f32) {
        let rate = self.sample_rate / self.analysis.decimation() as f32;
        let hz = controls::ENVELOPE.clamp(hz).min(0.2 * rate);
        if hz != self.env_hz {
            self.env_hz = hz;
            let c = lowpass_biquad(hz as f64, std::f64::consts::FRAC_1_SQRT_2, rate as f64);
            self.env_coef = c.map(|v| v as f32);
        }
    }

    /// Sets the carrier kind at once (no crossfade): for a processor about to fade in.
    pub fn set_kind(&mut self, kind: CarrierKind) {
        self.kind = [0.0; 4];
        self.kind[kind_index(kind)] = 1.0;
    }

    /// Heard amplitude of each channel now (1 = full-scale sine), for tests and displays.
    pub fn amplitudes(&self) -> &[f32] {
        &self.amp[..self.map.len()]
    }

    /// Per-frame work: electric levels, n-of-m, current spread, heard amplitudes. The
    /// frame's electrode levels go to `sink` when given.
    fn frame(
        &mut self,
        ctl: &ImplantEarControl,
        sink: Option<&electrodogram::Electrodogram>,
        at: u64,
    ) {
        let n = self.map.len();
        let cal = &ctl.calibration;
        let fs_db = cal.full_scale_sine_db_spl;
        // The T and C levels as envelope amplitudes: selection ranks envelopes directly (the
        // electric level is monotonic in them).
        let t_amp = cal.sine_amplitude(electric::T_DB_SPL);
        let c_amp = cal.sine_amplitude(electric::C_DB_SPL);
        let mut sel = [0.0f32; LANES];
        for l in 0..n {
            let e = self.envelope[l];
            sel[l] = if e >= t_amp { e } else { 0.0 };
        }
        let maxima = self.layout.device.maxima(ctl.settings.maxima);
        if maxima > 0 {
            selection::keep_largest(&mut sel[..n], maxima);
        }
        for l in 0..n {
            self.levels[l] = if sel[l] > 0.0 {
                let db = fs_db + 20.0 * sel[l].log10();
                electric::electric_level(db).unwrap_or(0.0)
            } else {
                0.0
            };
        }
        self.amp_from = self.amp;
        self.amp_to = [0.0; LANES];
        if ctl.settings.spread <= 0.0 {
            // No spread: each place hears its own electrode, and the window maps the level
            // back to itself, clipped at C (the same as the general path below, without its
            // logarithms and powers).
            for l in 0..n {
                self.amp_to[l] = sel[l].min(c_amp);
            }
        } else {
            let mut current = [0.0f32; LANES];
            for l in 0..n {
                current[l] = if sel[l] > 0.0 {
                    electric::current(self.levels[l])
                } else {
                    0.0
                };
            }
            let mut excitation = [0.0f32; LANES];
            spread::spread(
                &current[..n],
                &self.places[..n],
                ctl.settings.spread,
                &mut excitation[..n],
            );
            for l in 0..n {
                if let Some(db) = electric::heard_db_spl(excitation[l]) {
                    self.amp_to[l] = 10f32.powf((db - fs_db) / 20.0);
                }
            }
        }
        self.frame_pos = 0.0;
        if let Some(e) = sink {
            e.push(&self.levels[..n], at);
        }
    }

    /// One chunk: `input` (the world, calibrated) → `out` (what the implant makes heard).
    /// Each stimulation frame's electrode levels are appended to `sink` when given, stamped
    /// with its sample: `at` is the chunk's first.
    pub fn process(
        &mut self,
        input: &[f32],
        out: &mut [f32],
        ctl: &ImplantEarControl,
        sink: Option<&electrodogram::Electrodogram>,
        at: u64,
    ) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is set only where the CPU has AVX2 and FMA.
            unsafe { self.process_avx2(input, out, ctl, sink, at) };
            return;
        }
        self.process_samples(input, out, ctl, sink, at);
    }

    /// The same code compiled for AVX2 (8 f32 / 4 f64 lanes instead of SSE2's 4 / 2); no FMA
    /// contraction happens unasked, so both builds compute the same.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn process_avx2(
        &mut self,
        input: &[f32],
        out: &mut [f32],
        ctl: &ImplantEarControl,
        sink: Option<&electrodogram::Electrodogram>,
        at: u64,
    ) {
        self.process_samples(input, out, ctl, sink, at);
    }

    #[inline(always)]
    fn process_samples(
        &mut self,
        input: &[f32],
        out: &mut [f32],
        ctl: &ImplantEarControl,
        sink: Option<&electrodogram::Electrodogram>,
        at: u64,
    ) {
        self.agc
            .set_times(ctl.settings.agc_attack_ms, ctl.settings.agc_release_ms);
        self.set_envelope_hz(ctl.settings.envelope_hz);
        let shift = controls::SHIFT.clamp(ctl.settings.shift_mm);
        if shift != self.shift_mm {
            self.shift_mm = shift;
            self.carriers.set_bands(&self.map, shift as f64);
        }
        self.frame_len = (self.sample_rate / controls::RATE.clamp(ctl.settings.rate_pps)).max(1.0);
        let knee = ctl.calibration.sine_amplitude(agc::KNEE_DB_SPL);
        let target = kind_index(ctl.settings.carrier);
        let step = 1.0 / (SWITCH_MS * 0.001 * self.sample_rate);
        // Only the lanes that carry channels are computed, in whole vectors of 8.
        match if self.all_lanes {
            LANES
        } else {
            self.map.len()
        } {
            0..=8 => self.run_lanes::<8>(input, out, ctl, sink, at, knee, target, step),
            9..=16 => self.run_lanes::<16>(input, out, ctl, sink, at, knee, target, step),
            _ => self.run_lanes::<LANES>(input, out, ctl, sink, at, knee, target, step),
        }
        self.analysis.flush_tiny();
        self.carriers.flush_tiny();
        for v in self.env_s.iter_mut().flatten().chain(self.amp.iter_mut()) {
            if v.abs() < 1e-30 {
                *v = 0.0;
            }
        }
    }

    /// The per-sample loop over the first `L` lanes (≥ the channel count; the others stay
    /// silent).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn run_lanes<const L: usize>(
        &mut self,
        input: &[f32],
        out: &mut [f32],
        ctl: &ImplantEarControl,
        sink: Option<&electrodogram::Electrodogram>,
        at: u64,
        knee: f32,
        target: usize,
        step: f32,
    ) {
        let [b0, b1, b2, a1, a2] = self.env_coef;
        let m = self.analysis.decimation();
        for (c, (input, out)) in input
            .chunks(SUB_CHUNK)
            .zip(out.chunks_mut(SUB_CHUNK))
            .enumerate()
        {
            let at = at + (c * SUB_CHUNK) as u64;
            // The front end and the analysis over the sub-chunk first (the analysis is
            // decimated and runs lane block by lane block), then sample by sample.
            let front = &mut self.front[..input.len()];
            for (x, v) in input.iter().zip(front.iter_mut()) {
                *v = self.agc.process(*x, knee);
            }
            let updates = self.analysis.process::<L>(front, &mut self.updates);
            let [s1, s2] = &mut self.env_s;
            for raw in &mut self.updates[..updates.count] {
                for l in 0..L {
                    let r = raw[l];
                    let e = b0 * r + s1[l];
                    s1[l] = b1 * r - a1 * e + s2[l];
                    s2[l] = b2 * r - a2 * e;
                    raw[l] = e;
                }
            }
            // Per sample: frames (envelopes → electrode levels), amplitude ramps, carrier
            // weights; then the carriers over the sub-chunk, lane block by lane block.
            let mut next = 0;
            let mut frames = [(0usize, 0.0f32); SUB_CHUNK];
            let mut frame_count = 0;
            for i in 0..out.len() {
                if next < updates.count && i == updates.first + next * m {
                    self.envelope = self.updates[next];
                    next += 1;
                }
                self.until_frame -= 1.0;
                if self.until_frame <= 0.0 {
                    self.until_frame += self.frame_len;
                    self.frame(ctl, sink, at + i as u64);
                    frames[frame_count] = (i, self.frame_len);
                    frame_count += 1;
                }
                // Ramp each channel to its new amplitude over the frame.
                self.frame_pos += 1.0;
                let t = (self.frame_pos / self.frame_len).min(1.0);
                for l in 0..L {
                    self.amp[l] = self.amp_from[l] + t * (self.amp_to[l] - self.amp_from[l]);
                }
                self.amps[i] = self.amp;
                // Carrier crossfade: the selected kind rises, the others fall.
                for (i, k) in self.kind.iter_mut().enumerate() {
                    *k = if i == target {
                        (*k + step).min(1.0)
                    } else {
                        (*k - step).max(0.0)
                    };
                }
                // Equal-power crossfade weights (uncorrelated carriers); a sine only mid-fade.
                self.weights[i] = self.kind.map(|k| {
                    if k <= 0.0 || k >= 1.0 {
                        k
                    } else {
                        (k * std::f32::consts::FRAC_PI_2).sin()
                    }
                });
            }
            let n = out.len();
            self.carriers.render::<L>(
                &self.amps[..n],
                &self.weights[..n],
                &frames[..frame_count],
                out,
            );
        }
    }
}

/// The implant stage of one ear: a processor, a second one to crossfade to when the channel
/// count changes, and the electric-acoustic low band.
pub struct ImplantEar {
    sample_rate: f32,
    /// Boxed: each holds its tap table and sub-chunk buffers (≈ 25 KB), too much to keep on
    /// the stack of the host thread that builds the engine.
    procs: [Box<Processor>; 2],
    active: usize,
    /// Crossfade position 0…1 from the other processor to the active one; below 0 while the
    /// active one warms up unheard ([`WARM_UP_MS`]).
    fade: f32,
    eas_coef: [[f32; 5]; 2],
    eas_hz: f32,
    eas_s: [[f32; 2]; 2],
    scratch: Vec<f32>,
}

/// Largest chunk [`ImplantEar::process`] handles at once (longer ones are split).
const CHUNK: usize = 256;

impl ImplantEar {
    pub fn new(sample_rate: f32) -> Self {
        let c = ImplantControls::default().channels;
        let mut s = Self {
            sample_rate,
            procs: [
                Box::new(Processor::new(c, sample_rate)),
                Box::new(Processor::new(c, sample_rate)),
            ],
            active: 0,
            fade: 1.0,
            eas_coef: [[0.0; 5]; 2],
            eas_hz: 0.0,
            eas_s: [[0.0; 2]; 2],
            scratch: vec![0.0; CHUNK],
        };
        s.set_eas(EAS_OFF_HZ);
        s
    }

    pub fn reset(&mut self) {
        for p in &mut self.procs {
            p.reset();
        }
        self.fade = 1.0;
        self.eas_s = [[0.0; 2]; 2];
    }

    /// The discrete switches at their targets at once: the map `layout` carrying `carrier`,
    /// no crossfade pending. With [`Self::reset`], a stage that starts the same whatever it
    /// played before. Heap-free.
    pub fn land(&mut self, layout: Layout, carrier: CarrierKind) {
        let active = &mut self.procs[self.active];
        if active.layout() != layout {
            active.configure(layout);
        }
        active.set_kind(carrier);
        self.fade = 1.0;
    }

    fn set_eas(&mut self, hz: f32) {
        let hz = hz.clamp(EAS_OFF_HZ, 0.4 * self.sample_rate);
        if hz != self.eas_hz {
            self.eas_hz = hz;
            // 4th-order Butterworth low-pass: sections with Q 0.541 and 1.307.
            for (c, q) in self.eas_coef.iter_mut().zip([0.541_196, 1.306_563]) {
                *c = lowpass_biquad(hz as f64, q, self.sample_rate as f64).map(|v| v as f32);
            }
        }
    }

    /// One chunk: `input` is the world (dry, calibrated, latency-aligned), `acoustic` the
    /// loss stage's output (the residual acoustic hearing); `out` gets what the implant user
    /// hears. The three slices have equal length. The heard processor's stimulation frames
    /// go to `sink` (the electrodogram) when given.
    pub fn process(
        &mut self,
        input: &[f32],
        acoustic: &[f32],
        out: &mut [f32],
        ctl: &ImplantEarControl,
        sink: Option<&electrodogram::Electrodogram>,
        at: u64,
    ) {
        let mut pos = 0;
        while pos < input.len() {
            let n = (input.len() - pos).min(CHUNK);
            self.process_chunk(
                &input[pos..pos + n],
                &acoustic[pos..pos + n],
                &mut out[pos..pos + n],
                ctl,
                sink,
                at + pos as u64,
            );
            pos += n;
        }
    }

    fn process_chunk(
        &mut self,
        input: &[f32],
        acoustic: &[f32],
        out: &mut [f32],
        ctl: &ImplantEarControl,
        sink: Option<&electrodogram::Electrodogram>,
        at: u64,
    ) {
        let layout = ctl.settings.layout();
        if self.fade >= 1.0 && layout != self.procs[self.active].layout() {
            // Build the new map in the idle slot (no heap allocation) and fade to it.
            let other = 1 - self.active;
            self.procs[other].configure(layout);
            self.procs[other].set_kind(ctl.settings.carrier);
            // The front end does not depend on the map: the new processor takes it over where
            // it is, so its bands see the input at the level the old ones did.
            self.procs[other].agc = self.procs[self.active].agc.clone();
            self.active = other;
            self.fade = -WARM_UP_MS / SWITCH_MS;
        }
        self.procs[self.active].process(input, out, ctl, sink, at);
        if self.fade < 1.0 {
            let other = 1 - self.active;
            let scratch = &mut self.scratch[..input.len()];
            self.procs[other].process(input, scratch, ctl, None, at);
            let step = 1.0 / (SWITCH_MS * 0.001 * self.sample_rate);
            for (y, o) in out.iter_mut().zip(scratch.iter()) {
                self.fade = (self.fade + step).min(1.0);
                let f = self.fade.max(0.0) * std::f32::consts::FRAC_PI_2;
                let (a, b) = (f.sin(), f.cos());
                *y = a * *y + b * o;
            }
        }
        // Electric-acoustic hybrid: the low band of the residual acoustic hearing.
        self.set_eas(ctl.settings.eas_hz);
        let on = ((ctl.settings.eas_hz - EAS_OFF_HZ) / EAS_OFF_HZ).clamp(0.0, 1.0);
        for (y, a) in out.iter_mut().zip(acoustic) {
            let mut v = *a;
            for (c, s) in self.eas_coef.iter().zip(self.eas_s.iter_mut()) {
                let w = c[0] * v + s[0];
                s[0] = c[1] * v - c[3] * w + s[1];
                s[1] = c[2] * v - c[4] * w;
                v = w;
            }
            *y += on * v;
        }
        for v in self.eas_s.iter_mut().flatten() {
            if v.abs() < 1e-30 {
                *v = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use greenwood::{channel_map, DEFAULT_HIGH_HZ, DEFAULT_LOW_HZ};

    fn noise(n: usize, amp: f32, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                amp * ((s >> 8) as f32 / 8_388_608.0 - 1.0)
            })
            .collect()
    }

    fn tone(n: usize, f: f64, amp: f32, fs: f32) -> Vec<f32> {
        (0..n)
            .map(|i| amp * (2.0 * std::f64::consts::PI * f * i as f64 / fs as f64).sin() as f32)
            .collect()
    }

    #[test]
    fn computing_only_the_channels_lanes_changes_nothing() {
        // Every carrier, channel counts on both sides of the 8/16/24-lane steps: the output
        // and the electrodogram are bit-identical to computing all 24 lanes.
        let fs = 48000.0;
        let x: Vec<f32> = noise(9600, 0.2, 5)
            .iter()
            .zip(tone(9600, 700.0, 0.1, fs))
            .map(|(a, b)| a + b)
            .collect();
        for carrier in [
            CarrierKind::Noise,
            CarrierKind::Sine,
            CarrierKind::Pulse,
            CarrierKind::Metallic,
        ] {
            for channels in [1, 4, 8, 9, 12, 16, 17, 22] {
                let ctl = ImplantEarControl::new(ImplantControls {
                    channels,
                    carrier,
                    ..ImplantControls::default()
                });
                let mut outs = Vec::new();
                for all in [false, true] {
                    let mut p = Processor::new(channels, fs);
                    p.all_lanes = all;
                    p.set_kind(carrier);
                    let sink = electrodogram::Electrodogram::new(x.len());
                    let mut out = vec![0.0; x.len()];
                    for (k, (i, o)) in x.chunks(100).zip(out.chunks_mut(100)).enumerate() {
                        p.process(i, o, &ctl, Some(&sink), 100 * k as u64);
                    }
                    let frames: Vec<Vec<f32>> = (0..sink.written())
                        .map(|i| sink.read(i).expect("kept").levels[..channels].to_vec())
                        .collect();
                    outs.push((out, frames));
                }
                assert!(
                    outs[0].1 == outs[1].1,
                    "{carrier:?} {channels}: electrodogram"
                );
                assert!(outs[0].0 == outs[1].0, "{carrier:?} {channels}: output");
            }
        }
    }

    /// Runs `x` through a processor; returns the output and every frame's levels (read back
    /// from an electrodogram large enough to keep them all).
    fn run(x: &[f32], ctl: &ImplantEarControl, fs: f32) -> (Vec<f32>, Vec<Vec<f32>>, Processor) {
        let mut p = Processor::new(ctl.settings.channels, fs);
        p.set_kind(ctl.settings.carrier);
        let sink = electrodogram::Electrodogram::new(x.len());
        let mut out = vec![0.0; x.len()];
        for (k, (i, o)) in x.chunks(64).zip(out.chunks_mut(64)).enumerate() {
            p.process(i, o, ctl, Some(&sink), 64 * k as u64);
        }
        // Each frame is stamped with its sample: one frame period apart.
        let period = fs / controls::RATE.clamp(ctl.settings.rate_pps);
        for i in 1..sink.written() {
            let gap = (sink.read(i).unwrap().at - sink.read(i - 1).unwrap().at) as f32;
            assert!((gap - period).abs() <= 1.0, "frames {gap} samples apart");
        }
        let frames = (0..sink.written())
            .map(|i| sink.read(i).expect("kept").levels[..ctl.settings.channels].to_vec())
            .collect();
        (out, frames, p)
    }

    #[test]
    fn n_of_m_stimulates_exactly_n_channels_per_frame_in_noise() {
        let fs = 48000.0;
        let cal = Calibration::default();
        // Broadband noise at ≈ 70 dB SPL: every band well above T.
        let x = noise(24000, cal.sine_amplitude(75.0), 7);
        // (n = m would be "every channel above threshold": a narrow band's noise envelope
        // dips below T now and then, so exactly-n is a property of n < m.)
        for (m, n) in [(22, 8), (22, 12), (16, 4), (12, 6), (8, 1)] {
            let ctl = ImplantEarControl::new(ImplantControls {
                channels: m,
                maxima: n,
                // One frame per chunk of 64 samples, so every frame is seen.
                rate_pps: fs / 64.0,
                ..ImplantControls::default()
            });
            let (_, frames, _) = run(&x, &ctl, fs);
            for f in frames.iter().skip(50) {
                let active = f.iter().filter(|v| **v > 0.0).count();
                assert_eq!(active, n, "{n} of {m}: {f:?}");
            }
        }
    }

    #[test]
    fn a_tone_drives_its_electrode_and_spread_reaches_the_neighbours() {
        let fs = 48000.0;
        let cal = Calibration::default();
        let neighbour_db = |spread: f32| {
            let ctl = ImplantEarControl::new(ImplantControls {
                channels: 12,
                maxima: 0,
                spread,
                ..ImplantControls::default()
            });
            let map = channel_map(12, DEFAULT_LOW_HZ, DEFAULT_HIGH_HZ, fs as f64);
            let k = 6;
            let x = tone(24000, map[k].centre_hz, cal.sine_amplitude(65.0), fs);
            let (_, _, p) = run(&x, &ctl, fs);
            let a = p.amplitudes();
            if spread == 0.0 {
                let top = (0..12).max_by(|i, j| a[*i].total_cmp(&a[*j])).unwrap();
                assert_eq!(top, k, "{a:?}");
            }
            let loudest_neighbour = a[k - 1].max(a[k + 1]).max(1e-9);
            20.0 * (a[k] / loudest_neighbour).log10()
        };
        let none = neighbour_db(0.0);
        assert!(none >= 20.0, "no spread: neighbours {none:.1} dB down");
        // 8 dB/mm, 4 dB/mm, 1 dB/mm: neighbours less and less far down.
        let (steep, mid, shallow) = (neighbour_db(0.125), neighbour_db(0.25), neighbour_db(1.0));
        assert!(
            steep < none && mid < steep && shallow < mid,
            "{none:.1} > {steep:.1} > {mid:.1} > {shallow:.1}"
        );
    }

    fn centroid(x: &[f32], fs: f32) -> f64 {
        // Spectral centroid from a plain DFT at 50 Hz steps (test only).
        let (mut num, mut den) = (0.0, 0.0);
        let mut f = 50.0;
        while f < 0.45 * fs as f64 {
            let w = 2.0 * std::f64::consts::PI * f / fs as f64;
            let (mut re, mut im) = (0.0, 0.0);
            for (i, v) in x.iter().enumerate() {
                re += *v as f64 * (w * i as f64).cos();
                im += *v as f64 * (w * i as f64).sin();
            }
            let p = re * re + im * im;
            num += f * p;
            den += p;
            f += 50.0;
        }
        num / den
    }

    #[test]
    fn the_no_spread_shortcut_equals_the_electric_round_trip() {
        // Spread 0 skips the current/heard conversions; a vanishing spread (1000 dB/mm) takes
        // the general path. Both must give the same heard amplitudes.
        let fs = 48000.0;
        let cal = Calibration::default();
        let x = noise(24000, cal.sine_amplitude(70.0), 5);
        let amps = |spread: f32| {
            let ctl = ImplantEarControl::new(ImplantControls {
                channels: 16,
                maxima: 6,
                spread,
                ..ImplantControls::default()
            });
            run(&x, &ctl, fs).2.amplitudes().to_vec()
        };
        let (fast, general) = (amps(0.0), amps(0.001));
        assert!(fast.iter().any(|a| *a > 0.0));
        for (f, g) in fast.iter().zip(&general) {
            assert!(
                (f - g).abs() <= 1e-4 * f.max(*g) + 1e-9,
                "{fast:?}\n{general:?}"
            );
        }
    }

    #[test]
    fn shift_raises_the_spectral_centroid() {
        let fs = 16000.0;
        let cal = Calibration::default();
        let x = noise(8000, cal.sine_amplitude(70.0), 3);
        let mut last = 0.0;
        for shift in [0.0, 3.0, 6.0] {
            let ctl = ImplantEarControl::new(ImplantControls {
                channels: 8,
                shift_mm: shift,
                carrier: CarrierKind::Sine,
                ..ImplantControls::default()
            });
            let (y, _, _) = run(&x, &ctl, fs);
            let c = centroid(&y[4000..], fs);
            assert!(
                c > last * 1.05,
                "shift {shift}: centroid {c:.0} after {last:.0}"
            );
            last = c;
        }
    }

    #[test]
    fn output_is_finite_for_any_setting() {
        let fs = 44100.0;
        let x = noise(20000, 1.0, 11);
        for carrier in [
            CarrierKind::Noise,
            CarrierKind::Sine,
            CarrierKind::Pulse,
            CarrierKind::Metallic,
        ] {
            for (channels, maxima, rate, shift, spread) in [
                (1, 0, 100.0, 8.0, 1.0),
                (22, 1, 5000.0, 0.0, 0.0),
                (22, 22, 900.0, 4.0, 0.5),
            ] {
                let ctl = ImplantEarControl::new(ImplantControls {
                    channels,
                    maxima,
                    rate_pps: rate,
                    shift_mm: shift,
                    spread,
                    carrier,
                    eas_hz: 500.0,
                    ..ImplantControls::default()
                });
                let mut st = ImplantEar::new(fs);
                let mut out = vec![0.0; x.len()];
                st.process(&x, &x, &mut out, &ctl, None, 0);
                assert!(out.iter().all(|v| v.is_finite() && v.abs() < 100.0));
            }
        }
    }
}
