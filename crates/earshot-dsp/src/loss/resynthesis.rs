//! The smeared signal, overlap-added back to time and analysed again.
//!
//! MSBG smears, resynthesises, and only then filters the *signal* into its gammatone bands.
//! Overlap-add is not power-preserving for a smeared spectrum: smearing reshapes each frame
//! in time (part of it lands outside the synthesis window) and neighbouring frames and bins
//! interfere. Summing smeared bin powers misses that (measured: a 6 kHz tone under severe
//! smearing loses 5.45 dB of band power in MSBG's time signal, 4.2 dB by bin powers), and
//! recruitment triples the error. So the loss stage resynthesises the smeared frames into a
//! signal of its own, exactly as its output is synthesised (IFFT, first `n` samples,
//! synthesis window, overlap-add), and runs the same STFT analysis on the last `n` finished
//! samples. Those lag the current frame by three hops, so they set the envelopes' level
//! (slowly tracked), not their timing. A level tracked over 100 ms needs no new value every
//! 1.45 ms hop: the analysis runs every [`ANALYSIS_EVERY`] frames (23 ms at 44.1 kHz), on
//! two windows one hop apart (the older only gives the phase reference for the
//! instantaneous frequencies, and is transformed one frame earlier, so that no frame does
//! both); the loss stage holds each measurement and tracks it every frame.

use super::bin_analysis::BinAnalysis;
use super::LossTables;
use realfft::num_complex::Complex32;

/// The resynthesised signal is analysed every this many frames.
pub const ANALYSIS_EVERY: usize = 16;

pub struct Resynthesis {
    /// Overlap-add accumulator of the synthesised frames (`n` samples; the first hop is final
    /// after each frame).
    ola: Vec<f32>,
    /// The last `n + hop` finished samples of the smeared signal, oldest first.
    history: Vec<f32>,
    /// Frames since the last analysis.
    since_analysis: usize,
    /// Whether the last frame was analysed (`analysis` is current).
    pub analysed: bool,
    /// Whether the next analysis's phase reference was taken the frame before it.
    reference_ready: bool,
    time: Vec<f32>,
    spec: Vec<Complex32>,
    scratch_fwd: Vec<Complex32>,
    scratch_inv: Vec<Complex32>,
    pub analysis: BinAnalysis,
}

impl Resynthesis {
    pub fn new(t: &LossTables) -> Self {
        let n = 4 * t.hop;
        Self {
            ola: vec![0.0; n],
            history: vec![0.0; n + t.hop],
            since_analysis: 0,
            analysed: false,
            reference_ready: false,
            time: vec![0.0; t.nfft],
            spec: vec![Complex32::default(); t.bins],
            scratch_fwd: t.r2c.make_scratch_vec(),
            scratch_inv: t.c2r.make_scratch_vec(),
            analysis: BinAnalysis::new(t.bins, t.bins),
        }
    }

    pub fn reset(&mut self) {
        self.reset_at(0);
    }

    /// [`Self::reset`], `frames` frames into the analysis cycle: where a stage started that
    /// many frames earlier would be (see `crate::timeline`).
    pub fn reset_at(&mut self, frames: usize) {
        self.clear_signal();
        self.since_analysis = frames % ANALYSIS_EVERY;
    }

    /// A frame the stage passed through untouched (the neutral path): the signal restarts
    /// from silence, but the analysis cycle counts the frame, so its phase stays where the
    /// timeline puts it whatever path the frames took (how many were neutral depends on how
    /// finely the host delivers automation).
    pub fn skip_frame(&mut self) {
        self.reset_at(self.since_analysis + 1);
    }

    fn clear_signal(&mut self) {
        self.ola.fill(0.0);
        self.history.fill(0.0);
        self.analysed = false;
        self.reference_ready = false;
        self.analysis.reset();
    }

    /// Overlap-add the smeared frame `smeared` (all bins), and every [`ANALYSIS_EVERY`]
    /// frames analyse the finished signal: then `analysed` is set and `analysis` holds its
    /// power and instantaneous frequencies.
    pub fn push_and_analyse(&mut self, t: &LossTables, smeared: &[Complex32]) {
        let n = 4 * t.hop;
        let hop = t.hop;
        self.spec.copy_from_slice(smeared);
        t.inverse(&mut self.spec, &mut self.time, &mut self.scratch_inv);
        let scale = 1.0 / t.nfft as f32;
        for ((o, x), w) in self.ola.iter_mut().zip(&self.time[..n]).zip(&t.window) {
            *o += x * w * scale;
        }
        // The first hop is final: it joins the history, and the accumulator moves on.
        let len = self.history.len();
        self.history.copy_within(hop.., 0);
        self.history[len - hop..].copy_from_slice(&self.ola[..hop]);
        self.ola.copy_within(hop.., 0);
        self.ola[n - hop..].fill(0.0);
        self.since_analysis += 1;
        self.analysed = self.since_analysis == ANALYSIS_EVERY;
        if self.since_analysis + 1 == ANALYSIS_EVERY {
            // The phase reference of the next frame's analysis is the window one hop before
            // it: this frame's last `n` samples. Taken now, so that the analysing frame does
            // one transform, not two (the same numbers: the history only moves on).
            self.transform(t, hop);
            self.analysis.remember(&self.spec);
            self.reference_ready = true;
        }
        if !self.analysed {
            return;
        }
        self.since_analysis = 0;
        if !self.reference_ready {
            // Restarted just before an analysis: the reference from the history as it is.
            self.transform(t, 0);
            self.analysis.remember(&self.spec);
        }
        self.reference_ready = false;
        self.transform(t, hop);
        self.analysis.analyse(t, &mut self.spec, None);
    }

    /// `spec` = the spectrum of the analysis-windowed history from `start` on.
    fn transform(&mut self, t: &LossTables, start: usize) {
        let n = 4 * t.hop;
        let frame = &self.history[start..start + n];
        for ((d, s), w) in self.time[..n].iter_mut().zip(frame).zip(&t.window) {
            *d = s * w;
        }
        self.time[n..].fill(0.0);
        t.forward(&mut self.time, &mut self.spec, &mut self.scratch_fwd);
    }
}
