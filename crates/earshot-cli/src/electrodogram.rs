//! `--electrodogram FILE.csv`: every stimulation frame of the render, for researchers' own
//! analysis.
//!
//! CSV, because every tool reads it (pandas, R, MATLAB, a spreadsheet) without a library, and
//! the frames are few (≈ 1800 rows per second at 900 pps, two ears): one row per frame and
//! ear,
//!
//! ```text
//! time_s,ear,electrodes,e1,e2,…,e22
//! 0.001667,left,12,0.4215,0,…,0.7730,,,,,,,,,,
//! ```
//!
//! - `time_s`: when the frame was stimulated, in the input file's time (the engine's latency
//!   removed, as the audio output is): seconds from the file's first sample. Frames outside
//!   the file (before its start, in the tail) are left out.
//! - `ear`: `left`, `right` (stereo: the first two channels) or `mono`.
//! - `electrodes`: how many electrodes the map has at that frame (it changes when the channel
//!   count or the device map is automated).
//! - `e1` … `e22`: the electric level of each electrode, e1 the most apical: the current as a
//!   fraction of the electrode's range from threshold (T, 0) to comfort (C, 1); 0 when the
//!   electrode is not stimulated (below T, or not among the n-of-m maxima). Columns past the
//!   map's electrodes are empty.
//!
//! The file is written under a temporary name and renamed at the end: a failed render leaves
//! nothing behind.

use earshot::dsp::implant::electrodogram::Electrodogram;
use earshot::dsp::implant::greenwood::MAX_CHANNELS;
use earshot::dsp::Engine;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Frames each engine's rings keep between two reads: far more than a host block can hold
/// (16384 samples at 22.05 kHz and 3500 pps make ≈ 2600), so none is lost.
pub const RING_FRAMES: usize = 8192;

pub struct Csv {
    path: PathBuf,
    tmp: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    /// The first engine's rings (left or mono, right) and the next frame to read from each.
    rings: Vec<Arc<Electrodogram>>,
    next: [u64; 2],
    names: [&'static str; 2],
    rate: f64,
    delay: u64,
    /// Input frames: frames stamped past the file's end are the tail, left out.
    frames: u64,
    written: u64,
}

impl Csv {
    /// Creates `path` (under a temporary name) for the render of a file of `frames` frames of
    /// `channels` channels at `rate`, by `engine` (built with [`RING_FRAMES`]-frame rings).
    pub fn create(
        path: &Path,
        engine: &Engine,
        channels: usize,
        rate: u32,
        frames: u64,
    ) -> Result<Self, String> {
        let tmp = path.with_extension("partial.csv");
        let file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        let mut header = String::from("time_s,ear,electrodes");
        for e in 1..=MAX_CHANNELS {
            header.push_str(&format!(",e{e}"));
        }
        let rings = engine.electrodograms();
        let (rings, names) = if channels >= 2 {
            (rings.to_vec(), ["left", "right"])
        } else {
            (vec![Arc::clone(&rings[0])], ["mono", ""])
        };
        if let Err(e) = writeln!(out, "{header}") {
            let _ = std::fs::remove_file(&tmp);
            return Err(format!("{}: {e}", path.display()));
        }
        Ok(Self {
            path: path.to_path_buf(),
            tmp,
            out,
            rings,
            next: [0; 2],
            names,
            rate: rate as f64,
            delay: engine.world_delay() as u64,
            frames,
            written: 0,
        })
    }

    fn fail(&self, e: std::io::Error) -> String {
        format!("{}: {e}", self.path.display())
    }

    /// Appends every frame the engine stimulated since the last call.
    pub fn pull(&mut self) -> Result<(), String> {
        for ear in 0..self.rings.len() {
            let ring = Arc::clone(&self.rings[ear]);
            let written = ring.written();
            if written.saturating_sub(self.next[ear]) > RING_FRAMES as u64 {
                return Err(format!(
                    "{}: stimulation frames were lost (the host block is too long for the ring)",
                    self.path.display()
                ));
            }
            for i in self.next[ear]..written {
                let f = ring.read(i).ok_or_else(|| {
                    format!("{}: stimulation frame {i} was lost", self.path.display())
                })?;
                // Before the file's first sample (the engine's start-up) or in the tail.
                let Some(t) = f.at.checked_sub(self.delay) else {
                    continue;
                };
                if t >= self.frames {
                    continue;
                }
                let mut row = format!(
                    "{:.6},{},{}",
                    t as f64 / self.rate,
                    self.names[ear],
                    f.channels
                );
                for (e, v) in f.levels.iter().enumerate() {
                    if e < f.channels {
                        row.push_str(&format!(",{}", round4(*v)));
                    } else {
                        row.push(',');
                    }
                }
                writeln!(self.out, "{row}").map_err(|e| self.fail(e))?;
                self.written += 1;
            }
            self.next[ear] = written;
        }
        Ok(())
    }

    /// Flushes and puts the file in place; returns the rows written.
    pub fn finish(mut self) -> Result<u64, String> {
        self.out.flush().map_err(|e| self.fail(e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| self.fail(e))?;
        Ok(self.written)
    }
}

impl Drop for Csv {
    fn drop(&mut self) {
        // Not finished (an error): leave nothing behind. After `finish` the temporary name
        // no longer exists and this does nothing.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// `v` to 4 decimals, without trailing zeros (0.5 → "0.5", 0 → "0").
fn round4(v: f32) -> String {
    let s = format!("{:.4}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::round4;

    #[test]
    fn levels_are_short_and_exact_to_four_decimals() {
        assert_eq!(round4(0.0), "0");
        assert_eq!(round4(0.5), "0.5");
        assert_eq!(round4(1.0), "1");
        assert_eq!(round4(0.123456), "0.1235");
    }
}
