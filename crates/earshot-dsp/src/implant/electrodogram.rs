//! The electrodogram: which electrode fired how hard in each stimulation frame, shared with
//! the editor without locks.
//!
//! A ring of frames, each guarded by a sequence number (a seqlock per slot): the audio thread
//! writes a frame with a few atomic stores and never waits; a reader copies a slot and keeps
//! it only if the sequence number was even and unchanged around the copy. Readers can miss
//! frames the writer laps, never see a torn one. Built once (allocates), then allocation-free.

use super::greenwood::MAX_CHANNELS;
use std::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};

struct Slot {
    seq: AtomicU64,
    at: AtomicU64,
    channels: AtomicU32,
    levels: [AtomicU32; MAX_CHANNELS],
}

/// One stimulation frame: electric level (0 = threshold … 1 = comfort; 0 also for electrodes
/// not stimulated) per electrode, apical first.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Frame {
    /// Frame number since the writer started.
    pub index: u64,
    /// When the frame was stimulated: the implant stage's sample count (see
    /// `Implant::clock`), in the stage's own time, which lags the engine's input by the loss
    /// stage's latency.
    pub at: u64,
    pub channels: usize,
    pub levels: [f32; MAX_CHANNELS],
}

/// Stimulation frames the editor's ring keeps: about 1 s at ACE's 900 pps.
pub const DEFAULT_FRAMES: usize = 1024;

pub struct Electrodogram {
    slots: Box<[Slot]>,
    written: AtomicU64,
}

impl Electrodogram {
    /// A ring of `frames` frames (≥ 1).
    pub fn new(frames: usize) -> Self {
        Self {
            slots: (0..frames.max(1))
                .map(|_| Slot {
                    seq: AtomicU64::new(0),
                    at: AtomicU64::new(0),
                    channels: AtomicU32::new(0),
                    levels: std::array::from_fn(|_| AtomicU32::new(0)),
                })
                .collect(),
            written: AtomicU64::new(0),
        }
    }

    /// Frames written so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Acquire)
    }

    /// Audio thread: append a frame stimulated at sample `at`. Wait-free, allocation-free.
    /// One writer only.
    pub fn push(&self, levels: &[f32], at: u64) {
        let n = self.written.load(Ordering::Relaxed);
        let slot = &self.slots[(n % self.slots.len() as u64) as usize];
        slot.seq.store(2 * n + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        let count = levels.len().min(MAX_CHANNELS);
        slot.at.store(at, Ordering::Relaxed);
        slot.channels.store(count as u32, Ordering::Relaxed);
        for (i, a) in slot.levels.iter().enumerate() {
            let v = if i < count { levels[i] } else { 0.0 };
            a.store(v.to_bits(), Ordering::Relaxed);
        }
        slot.seq.store(2 * n + 2, Ordering::Release);
        self.written.store(n + 1, Ordering::Release);
    }

    /// Reader: frame `index`, if it is still in the ring and not being overwritten.
    pub fn read(&self, index: u64) -> Option<Frame> {
        let slot = &self.slots[(index % self.slots.len() as u64) as usize];
        let s1 = slot.seq.load(Ordering::Acquire);
        if s1 != 2 * index + 2 {
            return None;
        }
        let mut f = Frame {
            index,
            at: slot.at.load(Ordering::Relaxed),
            channels: slot.channels.load(Ordering::Relaxed) as usize,
            levels: [0.0; MAX_CHANNELS],
        };
        for (v, a) in f.levels.iter_mut().zip(&slot.levels) {
            *v = f32::from_bits(a.load(Ordering::Relaxed));
        }
        fence(Ordering::Acquire);
        (slot.seq.load(Ordering::Relaxed) == s1).then_some(f)
    }

    /// Reader: the latest frame, if any.
    pub fn latest(&self) -> Option<Frame> {
        let w = self.written();
        if w == 0 {
            None
        } else {
            self.read(w - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn frames_round_trip_and_old_ones_expire() {
        let e = Electrodogram::new(4);
        assert!(e.latest().is_none());
        for i in 0..6 {
            e.push(&[i as f32, 0.5], 100 + i);
        }
        let f = e.latest().unwrap();
        assert_eq!(
            (f.index, f.at, f.channels, f.levels[0], f.levels[1]),
            (5, 105, 2, 5.0, 0.5)
        );
        assert!(e.read(1).is_none(), "lapped");
        assert_eq!(e.read(2).unwrap().levels[0], 2.0);
    }

    #[test]
    fn a_concurrent_reader_never_sees_a_torn_frame() {
        use std::sync::atomic::AtomicBool;
        let e = Arc::new(Electrodogram::new(8));
        let stop = Arc::new(AtomicBool::new(false));
        let (w, s) = (Arc::clone(&e), Arc::clone(&stop));
        // The writer runs until the reader has checked enough frames (a fixed count of
        // writes could finish before the reader is scheduled on a busy machine).
        let writer = std::thread::spawn(move || {
            let mut i = 0u32;
            while !s.load(Ordering::Relaxed) {
                // Every level of a frame carries the same value.
                w.push(&[i as f32; MAX_CHANNELS], i as u64);
                i = i.wrapping_add(1);
            }
        });
        let mut seen = 0;
        while seen < 20_000 {
            if let Some(f) = e.latest() {
                assert!(f.levels.iter().all(|v| *v == f.levels[0]), "torn frame");
                seen += 1;
            }
        }
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
    }
}
