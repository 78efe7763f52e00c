//! WAV in and out (hound): 8/16/24/32-bit integer and 32-bit float in; 16/24-bit integer or
//! 32-bit float out. Every failure is one line naming the file. Output goes to a temporary
//! file beside the target and is renamed over it only when complete, so a failed render never
//! leaves a partial file or clobbers an existing one.

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// 32-bit float (no clipping; the default).
    Float32,
    /// 24-bit integer.
    Int24,
    /// 16-bit integer.
    Int16,
}

pub fn read(path: &Path) -> Result<Audio, String> {
    let name = path.display();
    if path.is_dir() {
        return Err(format!("{name}: is a folder (give a folder as output too)"));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{name}: cannot open: {e}"))?;
    if file.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
        return Err(format!("{name}: empty file"));
    }
    // A large buffer: hound reads sample by sample, and a 10-minute file is 230 MB.
    let mut r = hound::WavReader::new(std::io::BufReader::with_capacity(1 << 20, file))
        .map_err(|e| format!("{name}: not a readable WAV file ({e})"))?;
    let spec = r.spec();
    let ch = spec.channels as usize;
    if ch == 0 {
        return Err(format!("{name}: no channels"));
    }
    if !(RATES.0..=RATES.1).contains(&spec.sample_rate) {
        return Err(format!(
            "{name}: sample rate {} Hz is not supported ({}–{} Hz)",
            spec.sample_rate, RATES.0, RATES.1
        ));
    }
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().collect::<Result<_, _>>(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
        }
    }
    .map_err(|e| format!("{name}: truncated or damaged audio data ({e})"))?;
    if samples.len() < ch {
        return Err(format!("{name}: no audio (0 samples)"));
    }
    if !samples.len().is_multiple_of(ch) {
        return Err(format!(
            "{name}: truncated audio data ({} samples is not a whole number of {ch}-channel frames)",
            samples.len()
        ));
    }
    let mut out = vec![Vec::with_capacity(samples.len() / ch); ch];
    for (i, s) in samples.into_iter().enumerate() {
        out[i % ch].push(s);
    }
    Ok(Audio {
        channels: out,
        rate: spec.sample_rate,
    })
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

pub fn write(path: &Path, audio: &Audio, format: Format) -> Result<Written, String> {
    let name = path.display();
    if path.is_dir() {
        return Err(format!("{name}: is a folder"));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let tmp = temporary_beside(path);
    let result = write_to(&tmp, audio, format).and_then(|w| {
        std::fs::rename(&tmp, path).map_err(|e| format!("{name}: {e}"))?;
        Ok(w)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| e.replace(&tmp.display().to_string(), &name.to_string()))
}

fn write_to(path: &Path, audio: &Audio, format: Format) -> Result<Written, String> {
    let (bits, sample_format) = match format {
        Format::Float32 => (32, hound::SampleFormat::Float),
        Format::Int24 => (24, hound::SampleFormat::Int),
        Format::Int16 => (16, hound::SampleFormat::Int),
    };
    let spec = hound::WavSpec {
        channels: audio.channels.len() as u16,
        sample_rate: audio.rate,
        bits_per_sample: bits,
        sample_format,
    };
    let err = |e: hound::Error| format!("{}: {e}", path.display());
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut w = hound::WavWriter::new(std::io::BufWriter::with_capacity(1 << 20, file), spec)
        .map_err(err)?;
    let mut clipped = 0;
    let full = (1i64 << (bits - 1)) as f64;
    for i in 0..audio.frames() {
        for c in &audio.channels {
            let v = c[i];
            match format {
                Format::Float32 => w.write_sample(v).map_err(err)?,
                _ => {
                    let q = (v as f64 * full).round();
                    if q >= full || q < -full {
                        clipped += 1;
                    }
                    w.write_sample(q.clamp(-full, full - 1.0) as i32)
                        .map_err(err)?
                }
            }
        }
    }
    w.finalize().map_err(err)?;
    Ok(Written { clipped })
}
