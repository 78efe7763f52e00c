//! Where the engine's frames sit on the host's timeline, so that a render is reproducible.
//!
//! The loss stage works in STFT frames (hop 1.45 ms) and its recruitment gains are nonlinear,
//! so its output at a transient depends on where the frames fall relative to the audio:
//! measured with `earshot render` on a drum loop at the "severe" preset, shifting the audio
//! by a few samples of silence changed the output by −24 to −28 dB when this was written
//! (−29 to −36 dB since the level correction is measured every other frame; a shift by a
//! whole analysis cycle of frames changes nothing). A host runs the plugin for an arbitrary time before a
//! render or a playback (Ardour processes silence from the moment the session loads), so the
//! same bounce came out different each time.
//!
//! So when the host transport starts (or jumps) while the engine is *at rest* — input and
//! output silent for [`REST_SECONDS`], every state decayed — the engine restarts with its
//! frames placed on the timeline: the first frame boundary where a fresh engine started at
//! timeline 0 would have one. A restart at rest changes nothing audible (only tails below
//! [`REST_LEVEL`] are dropped), and every render of the same passage starts from the same
//! state. While sound is running the engine never restarts (that would click): it just
//! follows the new position.
//!
//! **Sleep.** At rest, with no ringing, the engine does no signal work: a silent block costs
//! a scan of its input and zeroing its output. At the first sound (the first input sample
//! above [`REST_LEVEL`], NaN included) it restarts at that sample — every state cleared, the
//! loss stage's frames kept on the grid they were on (or placed on the host's timeline grid by
//! a restart at the block's start) — and processes from there. The restart is part of what
//! the engine *is*, not of sleeping: an engine told never to sleep processes the silence and
//! restarts at the same sample, so from the first sound on the two are identical bit for bit
//! (`tests/engine.rs`), and the restart drops only states already below the rest level, like
//! the restart on the timeline. What differs is only the rest itself: the sleeping engine
//! outputs exact zeros where the other outputs tails at or below [`REST_LEVEL`] (−140 dBFS),
//! and it sends the editor no implant stimulation frames while asleep.
//!
//! The timeline position is that of the *input* sample. Hosts that compensate plugin latency
//! report the position being heard and feed the plugin `latency` samples ahead (measured in
//! Ardour 7: the block at reported position −288 starts with the region's first sample), so
//! the plugin passes `position + latency`.

/// Silence needed before a restart, seconds: far longer than any state of the engine takes
/// to decay below [`REST_LEVEL`] (the longest, the level-correction trackers, have a 20 ms
/// time constant; the frame is 5.8 ms).
pub const REST_SECONDS: f32 = 0.5;
/// Input and output count as silent at or below this magnitude (−140 dBFS).
pub const REST_LEVEL: f32 = 1e-7;

/// Follows the host's timeline and the engine's rest; tells the engine when to restart.
#[derive(Clone, Debug)]
pub struct TimelineAnchor {
    /// Silent samples needed for rest.
    rest_needed: u64,
    /// Consecutive silent samples (input and output) so far.
    silent: u64,
    /// Where the next block should start if the host keeps playing on.
    expected: Option<i64>,
}

impl TimelineAnchor {
    pub fn new(sample_rate: f32) -> Self {
        let rest_needed = (REST_SECONDS * sample_rate).ceil() as u64;
        Self {
            rest_needed,
            silent: rest_needed,
            expected: None,
        }
    }

    /// The engine's state was cleared: it is at rest.
    pub fn reset(&mut self) {
        self.silent = self.rest_needed;
        self.expected = None;
    }

    /// Whether the engine is at rest: silent in and out for long enough.
    pub fn at_rest(&self) -> bool {
        self.silent >= self.rest_needed
    }

    /// At the start of a block of `len` samples whose first input sample sits at `timeline`
    /// (`None`: the host is not playing, or gives no position). Returns the timeline position
    /// the engine must restart at, if it must.
    pub fn begin_block(&mut self, timeline: Option<i64>, len: usize) -> Option<i64> {
        let Some(t) = timeline else {
            self.expected = None;
            return None;
        };
        let jumped = self.expected != Some(t);
        self.expected = Some(t.saturating_add(len as i64));
        (jumped && self.at_rest()).then_some(t)
    }

    /// After a block: whether its input and output were silent (see [`is_silent`]).
    pub fn end_block(&mut self, silent: bool, len: usize) {
        self.silent = if silent {
            self.silent.saturating_add(len as u64)
        } else {
            0
        };
    }
}

/// Whether every sample is within [`REST_LEVEL`] of zero (NaN counts as sound).
pub fn is_silent(x: &[f32]) -> bool {
    x.iter().all(|v| v.abs() <= REST_LEVEL)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FS: f32 = 1000.0; // rest = 500 samples

    #[test]
    fn a_fresh_engine_restarts_at_the_first_played_position() {
        let mut a = TimelineAnchor::new(FS);
        assert_eq!(a.begin_block(None, 64), None);
        a.end_block(true, 64);
        assert_eq!(a.begin_block(Some(-100), 64), Some(-100));
    }

    #[test]
    fn playing_on_is_not_a_jump_but_a_locate_is() {
        let mut a = TimelineAnchor::new(FS);
        assert_eq!(a.begin_block(Some(0), 64), Some(0));
        a.end_block(true, 64);
        assert_eq!(a.begin_block(Some(64), 10), None);
        a.end_block(true, 10);
        assert_eq!(a.begin_block(Some(74), 64), None);
        a.end_block(true, 64);
        // A locate (or a loop back) while at rest restarts there.
        assert_eq!(a.begin_block(Some(5000), 64), Some(5000));
    }

    #[test]
    fn never_restarts_while_sound_runs() {
        let mut a = TimelineAnchor::new(FS);
        assert_eq!(a.begin_block(Some(0), 100), Some(0));
        a.end_block(false, 100);
        // Sound just ended: a jump is followed, not restarted at.
        assert_eq!(a.begin_block(Some(9000), 100), None);
        for _ in 0..4 {
            a.end_block(true, 100);
            assert_eq!(
                a.begin_block(Some(0), 100),
                None,
                "only 400 of 500 silent samples"
            );
        }
        a.end_block(true, 100);
        assert!(a.at_rest());
        // Stopping and starting again, now at rest, restarts.
        assert_eq!(a.begin_block(None, 100), None);
        a.end_block(true, 100);
        assert_eq!(a.begin_block(Some(100), 100), Some(100));
    }

    #[test]
    fn silence_is_within_the_rest_level_and_nan_is_not_silent() {
        assert!(is_silent(&[0.0, 1e-8, -1e-7]));
        assert!(!is_silent(&[0.0, 2e-7]));
        assert!(!is_silent(&[f32::NAN]));
        assert!(is_silent(&[]));
    }
}
