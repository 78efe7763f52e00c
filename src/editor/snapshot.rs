//! What the audio thread hands the editor: the live-view snapshot.
//!
//! The audio thread owns a [`SnapshotWriter`]; after each `process()` it calls
//! [`SnapshotWriter::after_block`]. While the editor is closed that is one atomic load and a
//! return. While it is open, about 60 times a second it copies the engine's tap (world and
//! ears, [`crate::dsp::tap`]), the tinnitus meter and the threshold shift into a triple buffer and publishes it:
//! wait-free, no allocation, no lock, and the editor always reads the latest whole snapshot.
//! Plain Rust (no plugin-framework types) so benchmarks and tests drive it directly.

use crate::dsp::audiogram::POINTS;
use crate::dsp::tap::TAP_LEN;
use crate::dsp::Engine;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Snapshots per second while the editor is open (the editor's own frame rate is about this).
pub const RATE_HZ: f32 = 60.0;

/// One look at the signal.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// 0 until the audio thread published one.
    pub serial: u64,
    pub sample_rate: f32,
    /// The latest [`TAP_LEN`] samples of the world (mono), oldest first.
    pub world: Vec<f32>,
    /// The same span of what the ears receive after the loss and implant stages (mono).
    pub ear: Vec<f32>,
    /// The ringing's peak amplitude at each ear (full scale = 1) and its pitch.
    pub tinnitus_amplitude: [f32; 2],
    pub tinnitus_pitch_hz: f32,
    /// The ringing's clinical match at each ear, dB SPL (what the patient matches it with;
    /// the amplitude above is what is rendered for a normal listener).
    pub tinnitus_matched_db_spl: [f32; 2],
    /// The temporary threshold shift now, dB per ear and audiogram point (added to the
    /// audiograms in effect).
    pub threshold_shift_db: [[f32; POINTS]; 2],
}

impl Default for Snapshot {
    fn default() -> Self {
        Self {
            serial: 0,
            sample_rate: 48000.0,
            world: vec![0.0; TAP_LEN],
            ear: vec![0.0; TAP_LEN],
            tinnitus_amplitude: [0.0; 2],
            tinnitus_pitch_hz: 0.0,
            tinnitus_matched_db_spl: [0.0; 2],
            threshold_shift_db: [[0.0; POINTS]; 2],
        }
    }
}

/// The audio thread's end.
pub struct SnapshotWriter {
    input: triple_buffer::Input<Snapshot>,
    /// Set by the editor while its window is open.
    open: Arc<AtomicBool>,
    since: usize,
    serial: u64,
}

/// The editor's end.
pub struct SnapshotReader {
    output: triple_buffer::Output<Snapshot>,
}

/// A connected writer and reader; `open` is the editor's "window is open" flag.
pub fn channel(open: Arc<AtomicBool>) -> (SnapshotWriter, SnapshotReader) {
    let (input, output) = triple_buffer::triple_buffer(&Snapshot::default());
    (
        SnapshotWriter {
            input,
            open,
            since: 0,
            serial: 0,
        },
        SnapshotReader { output },
    )
}

impl SnapshotWriter {
    /// Call after `engine.process()` of a block of `samples`. Real-time safe.
    pub fn after_block(&mut self, engine: &Engine, samples: usize) {
        if !self.open.load(Ordering::Relaxed) {
            return;
        }
        self.since += samples;
        let every = ((engine.sample_rate() / RATE_HZ) as usize).max(1);
        if self.since < every {
            return;
        }
        // Keep the remainder: the rate stays 60 Hz whatever the block size.
        self.since %= every;
        self.write(|s| {
            s.sample_rate = engine.sample_rate();
            engine.tap().copy_latest(&mut s.world, &mut s.ear);
            let m = engine.tinnitus_meter_ref();
            s.tinnitus_amplitude = [
                m.level[0].load(Ordering::Relaxed),
                m.level[1].load(Ordering::Relaxed),
            ];
            s.tinnitus_pitch_hz = m.pitch_hz.load(Ordering::Relaxed);
            s.tinnitus_matched_db_spl = [
                m.matched_db_spl[0].load(Ordering::Relaxed),
                m.matched_db_spl[1].load(Ordering::Relaxed),
            ];
            s.threshold_shift_db = engine.threshold_shift_db();
        });
    }

    /// Fill the next snapshot with `f` and publish it (whatever the window state; the editor
    /// tests feed synthetic snapshots this way). `world` and `ear` keep [`TAP_LEN`] samples.
    pub fn write(&mut self, f: impl FnOnce(&mut Snapshot)) {
        self.serial += 1;
        let s = self.input.input_buffer_mut();
        f(s);
        s.serial = self.serial;
        s.world.resize(TAP_LEN, 0.0);
        s.ear.resize(TAP_LEN, 0.0);
        self.input.publish();
    }
}

impl SnapshotReader {
    /// The latest snapshot.
    pub fn read(&mut self) -> &Snapshot {
        self.output.read()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::EngineParams;

    #[test]
    fn publishes_only_while_open_and_at_about_sixty_hertz() {
        let open = Arc::new(AtomicBool::new(false));
        let (mut w, mut r) = channel(open.clone());
        let mut e = Engine::new(48000.0, &EngineParams::default());
        let mut block = vec![0.25f32; 128];
        let mut run = |e: &mut Engine, w: &mut SnapshotWriter, blocks: usize| {
            for _ in 0..blocks {
                block.fill(0.25); // processed in place: refill the input
                e.process(&mut [&mut block[..]]);
                w.after_block(e, 128);
            }
        };
        run(&mut e, &mut w, 375); // 1 s closed
        assert_eq!(r.read().serial, 0);
        open.store(true, Ordering::Relaxed);
        run(&mut e, &mut w, 375); // 1 s open
        let s = r.read();
        assert!(
            (58..=60).contains(&s.serial),
            "{} snapshots in 1 s",
            s.serial
        );
        // The world is the (latency-aligned) input: DC 0.25 by now.
        assert!(s
            .world
            .iter()
            .rev()
            .take(100)
            .all(|&x| (x - 0.25).abs() < 1e-6));
        assert_eq!(s.world.len(), TAP_LEN);
    }
}
