//! `earshot`: the engine from the command line, for researchers and for the demo.
//!
//! ```text
//! earshot render IN.wav OUT.wav [--preset ruben] [--severity 1] [--calibration 100] ...
//! earshot demo DIR            # synthesises a drum loop and renders "the gig" through Earshot
//! earshot presets             # audiogram presets with PTA, WHO grade, AMA %
//! ```

use clap::{Parser, Subcommand};
use earshot::dsp::audiogram::{ama_handicap_percent, better_ear_grade, Preset};
use earshot::dsp::body::BodyControl;
use earshot::dsp::engine::ImplantParams;
use earshot::dsp::implant::carrier::CarrierKind;
use earshot::dsp::tinnitus::{TinnitusControl, TinnitusKind};
use earshot::dsp::{Engine, EngineParams};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "earshot",
    version,
    about = "Hear through damaged ears (offline renderer)"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Args, Clone)]
struct Settings {
    /// Audiogram preset for both ears (see `earshot presets`).
    #[arg(long, default_value = "noise-induced")]
    preset: String,
    /// Left-ear thresholds, 9 comma-separated dB HL values at 125,250,500,1k,2k,3k,4k,6k,8k Hz
    /// (overrides --preset for the left ear, and for both when ears are linked).
    #[arg(long)]
    left: Option<String>,
    /// Right-ear thresholds (as --left); unlinks the ears.
    #[arg(long)]
    right: Option<String>,
    /// Severity 0..1.
    #[arg(long, default_value_t = 1.0)]
    severity: f32,
    /// dB SPL of a full-scale sine.
    #[arg(long, default_value_t = 100.0)]
    calibration: f32,
    /// 0 = world (dry), 1 = the character's ears.
    #[arg(long, default_value_t = 1.0)]
    pov: f32,
    /// Turn loudness recruitment off.
    #[arg(long)]
    no_recruitment: bool,
    /// Manual smearing amount 0..1 (default: automatic from the degree of loss).
    #[arg(long)]
    smear: Option<f32>,
    /// Output gain, dB.
    #[arg(long, default_value_t = 0.0)]
    gain: f32,
    /// Block size used for processing.
    #[arg(long, default_value_t = 512)]
    block: usize,
    /// Cochlear implant amount 0..1 (0 = off).
    #[arg(long, default_value_t = 0.0)]
    implant: f32,
    /// Implant channels (electrodes), 1..22.
    #[arg(long, default_value_t = 12)]
    channels: usize,
    /// n of n-of-m channel selection; 0 = all channels.
    #[arg(long, default_value_t = 8)]
    maxima: usize,
    /// Stimulation rate per channel, pulses per second.
    #[arg(long, default_value_t = 900.0)]
    rate: f32,
    /// Envelope low-pass cut-off, Hz.
    #[arg(long, default_value_t = 160.0)]
    envelope: f32,
    /// Insertion shift (basal), mm 0..8.
    #[arg(long, default_value_t = 0.0)]
    shift: f32,
    /// Current spread amount 0..1 (0 = none; the slope is 1 dB/mm divided by it).
    #[arg(long, default_value_t = 0.0)]
    spread: f32,
    /// Carrier: noise, sine, pulse or metallic.
    #[arg(long, default_value = "noise")]
    carrier: String,
    /// Electric-acoustic crossover, Hz (20 = off).
    #[arg(long, default_value_t = 20.0)]
    eas: f32,
    /// Tinnitus amount 0..1 (0 = off).
    #[arg(long, default_value_t = 0.0)]
    tinnitus: f32,
    /// Tinnitus kind: tone, noise, pulsatile or polytonal.
    #[arg(long, default_value = "tone")]
    tinnitus_kind: String,
    /// Tinnitus pitch, Hz (default: matched to the audiogram).
    #[arg(long)]
    tinnitus_pitch: Option<f32>,
    /// Tinnitus level, dB SL (above the impaired threshold at its pitch).
    #[arg(long, default_value_t = 10.0)]
    tinnitus_level: f32,
    /// Fraction of time the ringing is on, 0..1 (1 = constant).
    #[arg(long, default_value_t = 1.0)]
    tinnitus_duty: f32,
    /// Seed of the random parts (noise, intermittency): same seed, same render.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Body layer (the felt low band of the world) 0..1.
    #[arg(long, default_value_t = 0.0)]
    body: f32,
    /// Body layer octave-down amount 0..1.
    #[arg(long, default_value_t = 0.0)]
    body_octave: f32,
    /// POV as a hard cut (pov < 0.5 = world, else ears).
    #[arg(long)]
    pov_cut: bool,
}

// Parsed once at start-up: the size of the render variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Cmd {
    /// Process a WAV file (mono or stereo, any rate) through the engine. The output is aligned
    /// to the input: the engine's latency is removed.
    Render {
        input: PathBuf,
        output: PathBuf,
        #[command(flatten)]
        settings: Settings,
    },
    /// Render the demo: a synthetic drum loop heard normally, then through a sudden loss.
    Demo {
        #[arg(default_value = "demo")]
        dir: PathBuf,
    },
    /// List the audiogram presets.
    Presets,
}

fn parse_audiogram(s: &str) -> Result<[f32; 9], String> {
    let v: Result<Vec<f32>, _> = s.split(',').map(|x| x.trim().parse::<f32>()).collect();
    let v = v.map_err(|e| format!("audiogram '{s}': {e}"))?;
    v.try_into()
        .map_err(|v: Vec<f32>| format!("audiogram needs 9 values, got {}", v.len()))
}

fn engine_params(s: &Settings) -> Result<EngineParams, String> {
    let preset = Preset::from_id(&s.preset).ok_or_else(|| {
        let ids: Vec<&str> = Preset::ALL.iter().map(|p| p.id()).collect();
        format!("unknown preset '{}'; one of: {}", s.preset, ids.join(", "))
    })?;
    let mut p = EngineParams {
        severity: s.severity,
        left: preset.audiogram(),
        right: preset.audiogram(),
        calibration_db_spl: s.calibration,
        recruitment: !s.no_recruitment,
        smear_manual: s.smear.is_some(),
        smear_amount: s.smear.unwrap_or(0.0),
        pov: s.pov,
        output_gain_db: s.gain,
        implant: ImplantParams {
            amount: s.implant,
            channels: s.channels,
            maxima: s.maxima,
            rate_pps: s.rate,
            envelope_hz: s.envelope,
            shift_mm: s.shift,
            spread: s.spread,
            carrier: match s.carrier.as_str() {
                "noise" => CarrierKind::Noise,
                "sine" => CarrierKind::Sine,
                "pulse" => CarrierKind::Pulse,
                "metallic" => CarrierKind::Metallic,
                other => {
                    return Err(format!(
                        "unknown carrier '{other}'; one of: noise, sine, pulse, metallic"
                    ))
                }
            },
            eas_hz: s.eas,
            ..ImplantParams::default()
        },
        pov_cut: s.pov_cut,
        tinnitus: TinnitusControl {
            amount: s.tinnitus,
            kind: match s.tinnitus_kind.as_str() {
                "tone" => TinnitusKind::Tone,
                "noise" => TinnitusKind::NoiseBand,
                "pulsatile" => TinnitusKind::Pulsatile,
                "polytonal" => TinnitusKind::Polytonal,
                other => {
                    return Err(format!(
                        "unknown tinnitus kind '{other}'; one of: tone, noise, pulsatile, polytonal"
                    ))
                }
            },
            matched: s.tinnitus_pitch.is_none(),
            pitch_hz: s.tinnitus_pitch.unwrap_or(4000.0),
            level_db_sl: s.tinnitus_level,
            duty: s.tinnitus_duty,
            seed: s.seed,
            ..TinnitusControl::default()
        },
        body: BodyControl {
            amount: s.body,
            octave: s.body_octave,
            ..BodyControl::default()
        },
        ..EngineParams::default()
    };
    if !(1..=22).contains(&s.channels) || s.maxima > 22 {
        return Err(format!(
            "--channels must be 1..22 and --maxima 0..22 (got {} and {})",
            s.channels, s.maxima
        ));
    }
    if let Some(l) = &s.left {
        p.left = earshot::dsp::audiogram::Audiogram::new(parse_audiogram(l)?);
    }
    if let Some(r) = &s.right {
        p.right = earshot::dsp::audiogram::Audiogram::new(parse_audiogram(r)?);
        p.link_ears = false;
    }
    Ok(p)
}

/// Read a WAV as planar f32 channels.
fn read_wav(path: &Path) -> Result<(Vec<Vec<f32>>, u32), String> {
    let mut r = hound::WavReader::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let spec = r.spec();
    let ch = spec.channels as usize;
    if ch == 0 {
        return Err(format!("{}: no channels", path.display()));
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
    .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = vec![Vec::with_capacity(samples.len() / ch); ch];
    for (i, s) in samples.into_iter().enumerate() {
        out[i % ch].push(s);
    }
    Ok((out, spec.sample_rate))
}

fn write_wav(path: &Path, channels: &[Vec<f32>], rate: u32) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let err = |e: hound::Error| format!("{}: {e}", path.display());
    let mut w = hound::WavWriter::create(path, spec).map_err(err)?;
    for i in 0..channels[0].len() {
        for c in channels {
            w.write_sample(c[i]).map_err(err)?;
        }
    }
    w.finalize().map_err(err)
}

/// Run `input` (planar) through `engine`, removing its latency. `automate(engine, t)` may
/// change parameters before each block (t = block start, seconds).
fn render(
    engine: &mut Engine,
    input: &[Vec<f32>],
    block: usize,
    mut automate: impl FnMut(&mut Engine, f32),
) -> Vec<Vec<f32>> {
    let lat = engine.latency();
    let n = input[0].len();
    let rate = engine.sample_rate();
    // Stereo engine per pair of channels; more than two channels are rendered in pairs.
    let mut out: Vec<Vec<f32>> = input
        .iter()
        .map(|c| {
            let mut v = c.clone();
            v.resize(n + lat, 0.0);
            v
        })
        .collect();
    for pair in out.chunks_mut(2) {
        engine.reset();
        let mut pos = 0;
        while pos < n + lat {
            let len = block.max(1).min(n + lat - pos);
            automate(engine, pos as f32 / rate);
            let mut slices: Vec<&mut [f32]> =
                pair.iter_mut().map(|c| &mut c[pos..pos + len]).collect();
            engine.process(&mut slices);
            pos += len;
        }
    }
    out.into_iter().map(|c| c[lat..].to_vec()).collect()
}

/// A deterministic drum loop (kick, snare, hats) with a bass line, 120 bpm, stereo.
fn drum_loop(rate: f32, seconds: f32) -> Vec<Vec<f32>> {
    let n = (rate * seconds) as usize;
    let beat = (rate * 0.5) as usize;
    let mut seed: u32 = 0x1234_5678;
    let mut noise = move || {
        // xorshift32 (Marsaglia 2003): reproducible noise without a dependency.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as f32 / u32::MAX as f32 * 2.0 - 1.0
    };
    let mut l = vec![0.0f32; n];
    let mut r = vec![0.0f32; n];
    let tau = std::f32::consts::TAU;
    for i in 0..n {
        let pos = i % (2 * beat);
        let t = pos as f32 / rate;
        let ti = i as f32 / rate;
        // Kick on 1 and 3 (every beat pair start), pitch sweep 120 → 45 Hz.
        let kick = if pos < beat {
            let f = 45.0 + 75.0 * (-t * 30.0).exp();
            0.6 * (tau * f * t).sin() * (-t * 8.0).exp()
        } else {
            0.0
        };
        // Snare on 2 and 4.
        let ts = (pos as f32 - beat as f32) / rate;
        let nz = noise();
        let snare = if pos >= beat {
            (0.25 * nz + 0.2 * (tau * 190.0 * ts).sin()) * (-ts * 18.0).exp()
        } else {
            0.0
        };
        // Hats every eighth note.
        let th = (i % (beat / 2)) as f32 / rate;
        let hat = 0.08 * (noise() - 0.7 * nz) * (-th * 60.0).exp();
        // Bass: root notes A1/E2 alternating each bar.
        let bar = (i / (4 * beat)) % 2;
        let f0 = if bar == 0 { 55.0 } else { 82.4 };
        let bass = 0.12 * ((tau * f0 * ti).sin() + 0.3 * (tau * 2.0 * f0 * ti).sin());
        // A high melody (1–4 kHz) so the loss is audible on headphones.
        let step = (i / beat) % 4;
        let fm = [1320.0, 1760.0, 2640.0, 3520.0][step];
        let env = (-((i % beat) as f32 / rate) * 6.0).exp();
        let mel = 0.06 * (tau * fm * ti).sin() * env;
        l[i] = kick + snare + hat * 0.8 + bass + mel;
        r[i] = kick + snare * 0.9 + hat * 1.2 + bass + mel * 0.7;
    }
    vec![l, r]
}

fn demo(dir: &Path) -> Result<(), String> {
    let rate = 48000.0;
    let input = drum_loop(rate, 8.0);
    write_wav(&dir.join("drums_dry.wav"), &input, rate as u32)?;
    let mut p = EngineParams {
        left: Preset::Ruben.audiogram(),
        right: Preset::Ruben.audiogram(),
        ..EngineParams::default()
    };
    let mut engine = Engine::new(rate, &p);
    // "The gig": normal for 3 s, a sudden loss over 1 s, then Ruben's ears.
    let out = render(&mut engine, &input, 256, |e, t| {
        p.severity = ((t - 3.0) / 1.0).clamp(0.0, 1.0);
        e.set_params(&p);
    });
    write_wav(&dir.join("drums_sudden_loss_ruben.wav"), &out, rate as u32)?;
    for preset in [Preset::Mild, Preset::NoiseInduced, Preset::Ruben] {
        let q = EngineParams {
            severity: 1.0,
            left: preset.audiogram(),
            right: preset.audiogram(),
            ..EngineParams::default()
        };
        let mut e = Engine::new(rate, &q);
        let out = render(&mut e, &input, 512, |_, _| {});
        write_wav(
            &dir.join(format!("drums_{}.wav", preset.id())),
            &out,
            rate as u32,
        )?;
    }
    println!("demo written to {}", dir.display());
    Ok(())
}

fn run() -> Result<(), String> {
    match Cli::parse().cmd {
        Cmd::Render {
            input,
            output,
            settings,
        } => {
            let p = engine_params(&settings)?;
            let (chans, rate) = read_wav(&input)?;
            let mut engine = Engine::new(rate as f32, &p);
            let out = render(&mut engine, &chans, settings.block, |_, _| {});
            write_wav(&output, &out, rate)?;
            if engine.bad_input_samples > 0 {
                eprintln!(
                    "warning: {} bad input samples (NaN/Inf/huge) were muted",
                    engine.bad_input_samples
                );
            }
            Ok(())
        }
        Cmd::Demo { dir } => demo(&dir),
        Cmd::Presets => {
            println!(
                "{:<14} {:>40}  {:>6}  {:<18} {:>6}",
                "preset", "dB HL 125..8k", "PTA4", "WHO 2021", "AMA %"
            );
            for p in Preset::ALL {
                let a = p.audiogram();
                let t: Vec<String> = a.thresholds_db_hl.iter().map(|v| format!("{v}")).collect();
                println!(
                    "{:<14} {:>40}  {:>6.1}  {:<18} {:>6.1}",
                    p.id(),
                    t.join(","),
                    a.pta4(),
                    better_ear_grade(&a, &a).name(),
                    ama_handicap_percent(&a, &a)
                );
            }
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("earshot: {e}");
            ExitCode::FAILURE
        }
    }
}
