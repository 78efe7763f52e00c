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
//! (slowly tracked), not their timing.
//!
//! The analysis runs every [`ANALYSIS_EVERY`] frames and reads each bin at its own centre
//! frequency: a level correction is a ratio of two powers summed over frames, and such a sum
//! depends little on where the frames fall when the frames are counted densely, each the
//! same way (every other frame measured as well as every frame; every 4th did not).
//! Sampled every 16th frame at the instantaneous frequencies, as before, the correction
//! caught a kick at a different point of its attack for each start point, and the low
//! bands of a drum render moved with the start (Severe, 48 kHz, drums a few samples later:
//! −19.3 dB difference re the render; every other frame at the bin centres, with the
//! steadiness gate of `bin_analysis`, −30.3 dB; `tests/time_invariance.rs`).

use super::LossTables;
use realfft::num_complex::Complex32;

/// The resynthesised signal is analysed every this many frames. Every frame measured the
/// same (−30.5 dB on the drums above), every 4th frame did not (−26.4 dB).
pub const ANALYSIS_EVERY: usize = 2;

pub struct Resynthesis {
    /// Overlap-add accumulator of the synthesised frames (`n` samples; the first hop is final
    /// after each frame).
    ola: Vec<f32>,
    /// The last `n` finished samples of the smeared signal, oldest first.
    history: Vec<f32>,
    /// Frames since the last analysis.
    since_analysis: usize,
    /// Whether the last frame was analysed (`power` is current).
    pub analysed: bool,
    time: Vec<f32>,
    spec: Vec<Complex32>,
    scratch_fwd: Vec<Complex32>,
    scratch_inv: Vec<Complex32>,
    /// The analysed window's bin powers, |X_k|².
    pub power: Vec<f32>,
}

impl Resynthesis {
    pub fn new(t: &LossTables) -> Self {
        let n = super::FRAME_HOPS * t.hop;
        Self {
            ola: vec![0.0; n],
            history: vec![0.0; n],
            since_analysis: 0,
            analysed: false,
            time: vec![0.0; t.nfft],
            spec: vec![Complex32::default(); t.bins],
            scratch_fwd: t.r2c.make_scratch_vec(),
            scratch_inv: t.c2r.make_scratch_vec(),
            power: vec![0.0; t.bins],
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
    }

    /// Overlap-add the smeared frame `smeared` (all bins), and every [`ANALYSIS_EVERY`]
    /// frames analyse the finished signal: then `analysed` is set and `power` holds its bin
    /// powers.
    pub fn push_and_analyse(&mut self, t: &LossTables, smeared: &[Complex32]) {
        let n = super::FRAME_HOPS * t.hop;
        let hop = t.hop;
        self.spec.copy_from_slice(smeared);
        t.inverse(&mut self.spec, &mut self.time, &mut self.scratch_inv);
        let scale = 1.0 / t.nfft as f32;
        for ((o, x), w) in self.ola.iter_mut().zip(&self.time[..n]).zip(&t.window) {
            *o += x * w * scale;
        }
        // The first hop is final: it joins the history, and the accumulator moves on.
        self.history.copy_within(hop.., 0);
        self.history[n - hop..].copy_from_slice(&self.ola[..hop]);
        self.ola.copy_within(hop.., 0);
        self.ola[n - hop..].fill(0.0);
        self.since_analysis += 1;
        self.analysed = self.since_analysis >= ANALYSIS_EVERY;
        if !self.analysed {
            return;
        }
        self.since_analysis = 0;
        for ((d, s), w) in self.time[..n].iter_mut().zip(&self.history).zip(&t.window) {
            *d = s * w;
        }
        self.time[n..].fill(0.0);
        t.forward(&mut self.time, &mut self.spec, &mut self.scratch_fwd);
        for (p, y) in self.power.iter_mut().zip(&self.spec) {
            *p = y.norm_sqr();
        }
    }

    /// Whether the frame pushed last will be analysed once its resynthesis is complete,
    /// three frames from now (only then does the loss stage need its estimate).
    pub fn measures_last_frame(&self) -> bool {
        (self.since_analysis + 3).is_multiple_of(ANALYSIS_EVERY)
    }
}
