//! Writes the program material the benches use (`earshot::material`) as 32-bit float stereo
//! WAV files, so a host (pedalboard, the CLAP host) can be timed on exactly the same sound:
//! `cargo run --release --example write_material -- OUT_DIR [RATE] [SECONDS]`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .ok_or("usage: write_material OUT_DIR [RATE] [SECONDS]")?,
    );
    let rate: f32 = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(48000.0);
    let seconds: f32 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(30.0);
    std::fs::create_dir_all(&dir)?;
    for name in ["drums", "speech", "noise", "bursts"] {
        let [l, r] = earshot::material::by_name(name, rate, seconds).ok_or("unknown material")?;
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: rate as u32,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let path = dir.join(format!("{name}.wav"));
        let mut w = hound::WavWriter::create(&path, spec)?;
        for (a, b) in l.iter().zip(&r) {
            w.write_sample(*a)?;
            w.write_sample(*b)?;
        }
        w.finalize()?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
