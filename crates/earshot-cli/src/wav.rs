//! WAV in and out (hound): 8/16/24/32-bit integer and 32-bit float in; 16/24-bit integer or
//! 32-bit float out, block by block (a render streams: memory stays small and the disk works
//! while the engine does). Every failure is one line naming the file. Output goes to a
//! temporary file beside the target and is renamed over it only when complete, so a failed
//! render never leaves a partial file or clobbers an existing one.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

/// Planar audio.
pub struct Audio {
    pub channels: Vec<Vec<f32>>,
    pub rate: u32,
}

impl Audio {
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, |c| c.len())
    }
}

/// Sample rates the engine is built for.
pub const RATES: (u32, u32) = (8000, 192_000);
/// I/O buffers: hound reads and writes sample by sample.
const BUFFER: usize = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// 32-bit float (no clipping; the default).
    Float32,
    /// 24-bit integer.
    Int24,
    /// 16-bit integer.
    Int16,
}

/// A WAV file read block by block.
pub struct Reader {
    inner: hound::WavReader<BufReader<File>>,
    name: String,
    pub channels: usize,
    pub rate: u32,
    /// Frames the header announces.
    pub frames: usize,
    read: usize,
    int_scale: Option<f32>,
}

impl Reader {
    pub fn open(path: &Path) -> Result<Self, String> {
        let name = path.display().to_string();
        if path.is_dir() {
            return Err(format!("{name}: is a folder (give a folder as output too)"));
        }
        let file = File::open(path).map_err(|e| format!("{name}: cannot open: {e}"))?;
        if file.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
            return Err(format!("{name}: empty file"));
        }
        let inner = hound::WavReader::new(BufReader::with_capacity(BUFFER, file))
            .map_err(|e| format!("{name}: not a readable WAV file ({e})"))?;
        let spec = inner.spec();
        let channels = spec.channels as usize;
        if channels == 0 {
            return Err(format!("{name}: no channels"));
        }
        if !(RATES.0..=RATES.1).contains(&spec.sample_rate) {
            return Err(format!(
                "{name}: sample rate {} Hz is not supported ({}–{} Hz)",
                spec.sample_rate, RATES.0, RATES.1
            ));
        }
        let frames = inner.duration() as usize;
        if frames == 0 {
            return Err(format!("{name}: no audio (0 samples)"));
        }
        let int_scale = match spec.sample_format {
            hound::SampleFormat::Float => None,
            hound::SampleFormat::Int => Some(1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32),
        };
        Ok(Self {
            inner,
            name,
            channels,
            rate: spec.sample_rate,
            frames,
            read: 0,
            int_scale,
        })
    }

    /// Up to `frames` more frames, planar; empty at the end. A file shorter than its header
    /// says is an error.
    pub fn block(&mut self, frames: usize) -> Result<Vec<Vec<f32>>, String> {
        let n = frames.min(self.frames - self.read);
        let mut out = vec![Vec::with_capacity(n); self.channels];
        match self.int_scale {
            None => self.pull::<f32>(n, &mut out, |v| v)?,
            Some(scale) => self.pull::<i32>(n, &mut out, |v| v as f32 * scale)?,
        }
        self.read += n;
        Ok(out)
    }

    /// `n` frames of samples of type `S`, deinterleaved into `out` through `to_f32`.
    fn pull<S: hound::Sample>(
        &mut self,
        n: usize,
        out: &mut [Vec<f32>],
        to_f32: impl Fn(S) -> f32,
    ) -> Result<(), String> {
        let ch = self.channels;
        let mut samples = self.inner.samples::<S>();
        for i in 0..n * ch {
            let v = samples
                .next()
                .ok_or_else(|| format!("{}: truncated audio data", self.name))?
                .map_err(|e| format!("{}: truncated or damaged audio data ({e})", self.name))?;
            out[i % ch].push(to_f32(v));
        }
        Ok(())
    }
}

/// What writing did to the samples.
pub struct Written {
    /// Samples beyond the integer format's range, clipped.
    pub clipped: usize,
}

fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out.wav".into());
    path.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

/// A WAV file written block by block into a temporary file, renamed into place by
/// [`Writer::finish`]; dropped unfinished, it removes the temporary file.
pub struct Writer {
    inner: Option<hound::WavWriter<BufWriter<File>>>,
    path: PathBuf,
    tmp: PathBuf,
    format: Format,
    clipped: usize,
}

impl Writer {
    pub fn create(path: &Path, channels: usize, rate: u32, format: Format) -> Result<Self, String> {
        let name = path.display();
        if path.is_dir() {
            return Err(format!("{name}: is a folder"));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let (bits, sample_format) = match format {
            Format::Float32 => (32, hound::SampleFormat::Float),
            Format::Int24 => (24, hound::SampleFormat::Int),
            Format::Int16 => (16, hound::SampleFormat::Int),
        };
        let spec = hound::WavSpec {
            channels: channels as u16,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format,
        };
        let tmp = temporary_beside(path);
        let file = File::create(&tmp).map_err(|e| format!("{name}: {e}"))?;
        let inner = hound::WavWriter::new(BufWriter::with_capacity(BUFFER, file), spec)
            .map_err(|e| format!("{name}: {e}"))?;
        Ok(Self {
            inner: Some(inner),
            path: path.to_path_buf(),
            tmp,
            format,
            clipped: 0,
        })
    }

    /// Append planar frames.
    pub fn block(&mut self, channels: &[Vec<f32>]) -> Result<(), String> {
        let name = self.path.display().to_string();
        let err = |e: hound::Error| format!("{name}: {e}");
        let Some(w) = self.inner.as_mut() else {
            return Err(format!("{name}: already finished"));
        };
        let frames = channels.first().map_or(0, |c| c.len());
        let full = match self.format {
            Format::Float32 => 0.0,
            Format::Int24 => (1i64 << 23) as f64,
            Format::Int16 => (1i64 << 15) as f64,
        };
        for i in 0..frames {
            for c in channels {
                let v = c[i];
                if self.format == Format::Float32 {
                    w.write_sample(v).map_err(err)?;
                } else {
                    let q = (v as f64 * full).round();
                    if q >= full || q < -full {
                        self.clipped += 1;
                    }
                    w.write_sample(q.clamp(-full, full - 1.0) as i32)
                        .map_err(err)?;
                }
            }
        }
        Ok(())
    }

    /// Complete the file and move it into place.
    pub fn finish(mut self) -> Result<Written, String> {
        let name = self.path.display().to_string();
        let w = self
            .inner
            .take()
            .ok_or_else(|| format!("{name}: already finished"))?;
        let done = w
            .finalize()
            .map_err(|e| format!("{name}: {e}"))
            .and_then(|_| {
                std::fs::rename(&self.tmp, &self.path).map_err(|e| format!("{name}: {e}"))
            });
        if done.is_err() {
            let _ = std::fs::remove_file(&self.tmp);
        }
        done.map(|_| Written {
            clipped: self.clipped,
        })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if self.inner.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Write a whole file.
pub fn write(path: &Path, audio: &Audio, format: Format) -> Result<Written, String> {
    let mut w = Writer::create(path, audio.channels.len(), audio.rate, format)?;
    w.block(&audio.channels)?;
    w.finish()
}
