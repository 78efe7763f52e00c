//! `earshot`: the plugin's engine from the command line, for batch renders and the demo.
//!
//! ```text
//! earshot render IN.wav OUT.wav [--preset ID] [--param id=value]... [--story 0:1]
//!                [--automation FILE.csv] [--seed N] [--format float32|int24|int16]
//! earshot render IN_FOLDER OUT_FOLDER [--jobs N] ...   # every .wav in the folder, N at once
//! earshot params                            # every parameter: id, unit, range, default
//! earshot presets                           # factory presets and audiograms
//! earshot demo DIR                          # the drum loop through the whole story
//! ```
//!
//! A render uses the plugin's own parameter object (same ids, ranges, text, smoothing) and
//! the plugin's mapping to the engine, block by block, so it equals what a host renders.

mod automation;
mod electrodogram;
mod plot;
mod wav;

use automation::Lane;
use clap::{Parser, Subcommand};
use earshot::demo;
use earshot::dsp::audiogram::age::Sex;
use earshot::dsp::audiogram::listener::{self, Listener, NoiseExposure};
use earshot::dsp::audiogram::{
    ama_handicap_percent, better_ear_grade, Audiogram, Preset, STANDARD_HZ,
};
use earshot::dsp::Engine;
use earshot::param_access;
use earshot::params::EarshotParams;
use earshot::presets;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wav::{Audio, Format};

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
    /// Factory preset to start from (see `earshot presets`); without it, the defaults.
    #[arg(long)]
    preset: Option<String>,
    /// Set a parameter: `id=value`, a plain number in the parameter's unit (percentages as
    /// 0..1) or its displayed text (`pov_mode="Hard cut"`). Repeatable; see `earshot params`.
    #[arg(long = "param", value_name = "ID=VALUE")]
    params: Vec<String>,
    /// Left-ear audiogram: 9 comma-separated thresholds, dB HL at 125, 250, 500, 1k, 2k, 3k,
    /// 4k, 6k, 8k Hz (the right ear follows while the ears are linked).
    #[arg(long, value_name = "DB_HL,...")]
    left: Option<String>,
    /// Right-ear audiogram (as --left); unlinks the ears.
    #[arg(long, value_name = "DB_HL,...")]
    right: Option<String>,
    /// Generate both ears' audiogram from age, 18–80 years (ISO 7029:2017; needs --sex).
    /// Applied before --param, --left and --right, which can then change it.
    #[arg(long, value_name = "YEARS", requires = "sex")]
    age: Option<f32>,
    /// Sex for --age: female or male.
    #[arg(long, value_name = "SEX", requires = "age")]
    sex: Option<String>,
    /// Percentile of the population for --age: 5, 10, …, 95 (50: the median; 90: hears worse
    /// than nine in ten people of that age and sex).
    #[arg(long, value_name = "P", requires = "age")]
    percentile: Option<u8>,
    /// Years of noise exposure for --age (ISO 1999:2013; 0–40, needs --noise-dba).
    #[arg(long, value_name = "YEARS", requires_all = ["age", "noise_dba"])]
    noise_years: Option<f32>,
    /// Daily noise exposure level L_EX,8h for --noise-years, dB(A) (70–115).
    #[arg(long, value_name = "DBA", requires = "noise_years")]
    noise_dba: Option<f32>,
    /// Automate the story across the file: Story mode, position FROM at the start to TO at
    /// the end (e.g. 0:1).
    #[arg(long, value_name = "FROM:TO")]
    story: Option<String>,
    /// Automation CSV: rows of `time,param,value` (seconds; linear between points for
    /// continuous parameters, held for switches and choices).
    #[arg(long, value_name = "FILE")]
    automation: Option<PathBuf>,
    /// Seed of the random parts (tinnitus noise and intermittency): same seed, same render.
    #[arg(long)]
    seed: Option<u32>,
    /// Output sample format.
    #[arg(long, value_enum, default_value_t = Format::Float32)]
    format: Format,
    /// Block size the engine is run with (as a host's buffer size).
    #[arg(long, default_value_t = 512)]
    block: usize,
    /// Write a PNG: input and output spectrograms, the audiogram, the story timeline. For a
    /// folder render, a folder: one PNG per file.
    #[arg(long, value_name = "PNG")]
    plot: Option<PathBuf>,
    /// Write every stimulation frame of the implant (both ears) to this CSV: time, ear and
    /// each electrode's level between threshold and comfort (format in the README). Single
    /// files only.
    #[arg(long, value_name = "CSV")]
    electrodogram: Option<PathBuf>,
    /// Folder renders: how many files render at once (default: one per core). Each file's
    /// output is the same whatever this is.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
}

// Parsed once at start-up: the size of the render variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Cmd {
    /// Render a WAV file (or every WAV in a folder) through the engine. The output is
    /// aligned to the input: the engine's latency is removed.
    Render {
        input: PathBuf,
        output: PathBuf,
        #[command(flatten)]
        settings: Settings,
    },
    /// List every parameter: id, name, group, range, default.
    Params,
    /// List the factory presets and the audiograms they use.
    Presets,
    /// Render the demo: a synthetic drum loop through the whole story.
    Demo {
        #[arg(default_value = "demo")]
        dir: PathBuf,
    },
}

/// The listener described by --age, --sex, --percentile, --noise-years and --noise-dba.
fn listener(s: &Settings) -> Result<Option<Listener>, String> {
    let Some(age) = s.age else { return Ok(None) };
    let sex = s.sex.as_deref().unwrap_or_default();
    let sex = Sex::from_name(sex).ok_or_else(|| format!("--sex `{sex}`: female or male"))?;
    let noise = match (s.noise_years, s.noise_dba) {
        (Some(years), Some(level_dba)) => Some(NoiseExposure { years, level_dba }),
        _ => None,
    };
    let l = Listener {
        sex,
        age,
        percentile: s.percentile.unwrap_or(50),
        noise,
    };
    l.validate().map_err(|e| format!("--age: {e}"))?;
    Ok(Some(l))
}

/// The parameters a render starts from, and its automation lanes for a file of `seconds`.
fn setup(s: &Settings, seconds: f64) -> Result<(EarshotParams, Vec<Lane>), String> {
    let params = EarshotParams::default();
    if let Some(id) = &s.preset {
        presets::load(&params, &presets::find(id)?)?;
    }
    if let Some(listener) = listener(s)? {
        presets::apply_listener(&params, &listener).map_err(|e| format!("--age: {e}"))?;
    }
    for kv in &s.params {
        let (id, value) = kv
            .split_once('=')
            .ok_or_else(|| format!("--param `{kv}`: expected ID=VALUE"))?;
        param_access::set(&params, id.trim(), value)?;
    }
    for (ear, list) in [("left", &s.left), ("right", &s.right)] {
        let Some(list) = list else { continue };
        let values: Vec<&str> = list.split(',').map(str::trim).collect();
        if values.len() != STANDARD_HZ.len() {
            return Err(format!(
                "--{ear}: {} thresholds given, 9 needed (dB HL at 125, 250, 500, 1k, 2k, 3k, 4k, 6k, 8k Hz)",
                values.len()
            ));
        }
        for (id, v) in presets::audiogram_ids(ear).iter().zip(values) {
            param_access::set(&params, id, v).map_err(|e| format!("--{ear}: {e}"))?;
        }
        if ear == "right" {
            param_access::set(&params, "link_ears", "off")?;
        }
    }
    if let Some(seed) = s.seed {
        param_access::set_plain(&params, "tin_seed", seed as f32)
            .map_err(|e| format!("--seed: {e}"))?;
    }
    let mut lanes = Vec::new();
    if let Some(spec) = &s.story {
        param_access::set(&params, "mode", "Story")?;
        lanes.push(automation::story(spec, seconds)?);
    }
    if let Some(path) = &s.automation {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        lanes.extend(automation::parse_csv(&text, &path.display().to_string())?);
    }
    if s.block == 0 {
        return Err("--block must be at least 1".into());
    }
    Ok((params, lanes))
}

/// Run audio through fresh engines (one per channel pair) with `params` and `lanes`, as a
/// host would: host blocks of `block` frames, parameters read once per block. `source(n)`
/// gives up to `n` more planar frames (empty at the end); `sink` takes the output, aligned
/// to the input (the latency is removed by running the latency's length of silence after
/// the end). With `dogram` (a CSV path and the input's frames), the first engine's
/// stimulation frames are written there. Returns the bad input samples the engines muted.
#[allow(clippy::too_many_arguments)]
fn run_engine(
    rate: u32,
    channels: usize,
    params: &EarshotParams,
    lanes: &[Lane],
    block: usize,
    dogram: Option<(&Path, u64)>,
    mut source: impl FnMut(usize) -> Result<Vec<Vec<f32>>, String>,
    mut sink: impl FnMut(Vec<Vec<f32>>) -> Result<(), String>,
    progress: &ProgressBar,
) -> Result<u64, String> {
    let lanes = automation::Bound::new(params, lanes)?;
    lanes.apply(0.0);
    let mut engines: Vec<Engine> = (0..channels.div_ceil(2))
        .map(|_| {
            if dogram.is_some() {
                let ring = || {
                    std::sync::Arc::new(earshot::dsp::implant::electrodogram::Electrodogram::new(
                        electrodogram::RING_FRAMES,
                    ))
                };
                Engine::with_electrodograms(rate as f32, &params.engine_params(), [ring(), ring()])
            } else {
                Engine::new(rate as f32, &params.engine_params())
            }
        })
        .collect();
    let latency = engines[0].latency();
    let mut csv = match dogram {
        Some((path, frames)) => Some(electrodogram::Csv::create(
            path,
            &engines[0],
            channels,
            rate,
            frames,
        )?),
        None => None,
    };
    // Read ahead in whole host blocks, so block boundaries fall where they would in one
    // buffer (renders are identical whatever the read size).
    let chunk = block * (16384 / block).max(1);
    // Frames read and not yet processed: `pending[c][start..]`.
    let mut pending: Vec<Vec<f32>> = vec![Vec::new(); channels];
    let mut start = 0;
    let mut ended = false;
    let mut pos = 0usize;
    let mut skip = latency;
    loop {
        while pending[0].len() - start < block && !ended {
            for p in &mut pending {
                p.drain(..start);
            }
            start = 0;
            let more = source(chunk)?;
            if more.first().is_none_or(|c| c.is_empty()) {
                ended = true;
                for p in &mut pending {
                    p.resize(p.len() + latency, 0.0);
                }
            } else {
                for (p, m) in pending.iter_mut().zip(more) {
                    p.extend(m);
                }
            }
        }
        let len = block.min(pending[0].len() - start);
        if len == 0 {
            break;
        }
        let end = start + len;
        lanes.apply(pos as f64 / rate as f64);
        let targets = params.engine_params();
        for (engine, pair) in engines.iter_mut().zip(pending.chunks_mut(2)) {
            engine.set_params(&targets);
            match pair {
                [l, r] => engine.process(&mut [&mut l[start..end], &mut r[start..end]]),
                [m] => engine.process(&mut [&mut m[start..end]]),
                _ => {}
            }
        }
        if let Some(c) = &mut csv {
            c.pull()?;
        }
        let drop = skip.min(len);
        skip -= drop;
        if drop < len {
            sink(
                pending
                    .iter()
                    .map(|p| p[start + drop..end].to_vec())
                    .collect(),
            )?;
        }
        start = end;
        pos += len;
        progress.inc(len as u64);
    }
    if let Some(c) = csv {
        c.finish()?;
    }
    Ok(engines.iter().map(|e| e.bad_input_samples).sum())
}

/// [`run_engine`] over audio in memory.
fn render(
    input: &Audio,
    params: &EarshotParams,
    lanes: &[Lane],
    block: usize,
    progress: &ProgressBar,
) -> Result<(Audio, u64), String> {
    let ch = input.channels.len();
    let mut read = 0;
    let mut out = vec![Vec::with_capacity(input.frames()); ch];
    let bad = run_engine(
        input.rate,
        ch,
        params,
        lanes,
        block,
        None,
        |n| {
            let end = (read + n).min(input.frames());
            let b = input
                .channels
                .iter()
                .map(|c| c[read..end].to_vec())
                .collect();
            read = end;
            Ok(b)
        },
        |b| {
            for (o, c) in out.iter_mut().zip(b) {
                o.extend(c);
            }
            Ok(())
        },
        progress,
    )?;
    Ok((
        Audio {
            channels: out,
            rate: input.rate,
        },
        bad,
    ))
}

fn progress_bar(frames: u64) -> ProgressBar {
    // Drawn on stderr only when it is a terminal (indicatif hides it otherwise).
    let bar = ProgressBar::new(frames);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {percent:>3}% {elapsed} / {duration} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The plot of a render into `png`: the audiograms are the ones in force at the end (severity
/// applied), the timeline the story's.
fn plot_render(
    png: &Path,
    before: &Audio,
    after: &Audio,
    params: &EarshotParams,
    lanes: &[Lane],
) -> Result<(), String> {
    let seconds = before.frames() as f64 / before.rate as f64;
    automation::Bound::new(params, lanes)?.apply(seconds);
    let e = params.engine_params();
    let scaled = |a: earshot::dsp::audiogram::Audiogram| {
        earshot::dsp::audiogram::Audiogram::new(a.thresholds_db_hl.map(|t| t * e.severity))
    };
    let right = if e.link_ears { e.left } else { e.right };
    let story = params.story.mode.value() == earshot::params::Mode::Story;
    let timeline = plot::Timeline {
        story: lanes.iter().find(|l| l.id == "story").cloned(),
        fixed_position: story.then(|| params.story.position.value()),
    };
    let note = format!("at the end (severity {:.0} %)", 100.0 * e.severity);
    // The image encoder picks the format from the extension: the temporary name ends in .png.
    let tmp = png.with_extension("partial.png");
    let r = plot::write(
        &tmp,
        before,
        after,
        [scaled(e.left), scaled(right)],
        &note,
        &timeline,
    )
    .and_then(|_| std::fs::rename(&tmp, png).map_err(|e| format!("{}: {e}", png.display())));
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

fn render_file(input: &Path, output: &Path, s: &Settings) -> Result<(), String> {
    let frames = wav::Reader::open(input)?.frames;
    let bar = progress_bar(frames as u64);
    let r = render_file_plot(input, output, s, s.plot.as_deref(), &bar);
    bar.finish_and_clear();
    r
}

/// One file's render, advancing `bar` by its frames (the folder render shares one bar).
fn render_file_plot(
    input: &Path,
    output: &Path,
    s: &Settings,
    png: Option<&Path>,
    bar: &ProgressBar,
) -> Result<(), String> {
    let mut reader = wav::Reader::open(input)?;
    let (rate, ch, frames) = (reader.rate, reader.channels, reader.frames);
    let (params, lanes) = setup(s, frames as f64 / rate as f64)?;
    let writer = wav::Writer::create(output, ch, rate, s.format)?;
    // Three threads: the file is read and written while the engine runs.
    enum Msg {
        Block(Vec<Vec<f32>>),
        Done,
    }
    let (to_engine, from_reader) =
        std::sync::mpsc::sync_channel::<Result<Vec<Vec<f32>>, String>>(4);
    let (to_writer, from_engine) = std::sync::mpsc::sync_channel::<Msg>(4);
    let (mut before, mut after) = (vec![Vec::new(); ch], vec![Vec::new(); ch]);
    let keep = png.is_some();
    let (bad, written) = std::thread::scope(|scope| {
        let chunk = s.block * (16384 / s.block).max(1);
        scope.spawn(move || loop {
            let b = reader.block(chunk);
            let end = matches!(&b, Ok(b) if b[0].is_empty()) || b.is_err();
            if to_engine.send(b).is_err() || end {
                break;
            }
        });
        let writing = scope.spawn(move || {
            let mut writer = writer;
            for m in from_engine {
                match m {
                    Msg::Block(b) => writer.block(&b)?,
                    Msg::Done => return writer.finish(),
                }
            }
            // The engine stopped early: the writer is dropped, its temporary file removed.
            Err(String::new())
        });
        let ran = run_engine(
            rate,
            ch,
            &params,
            &lanes,
            s.block,
            s.electrodogram.as_deref().map(|p| (p, frames as u64)),
            |_| {
                let b = from_reader
                    .recv()
                    .unwrap_or_else(|_| Ok(vec![Vec::new(); ch]))?;
                if keep {
                    for (k, c) in before.iter_mut().zip(&b) {
                        k.extend(c);
                    }
                }
                Ok(b)
            },
            |b| {
                if keep {
                    for (k, c) in after.iter_mut().zip(&b) {
                        k.extend(c);
                    }
                }
                to_writer
                    .send(Msg::Block(b))
                    .map_err(|_| format!("{}: writing stopped", output.display()))
            },
            bar,
        );
        if ran.is_ok() {
            let _ = to_writer.send(Msg::Done);
        }
        drop(to_writer);
        let written = writing
            .join()
            .unwrap_or_else(|_| Err("writer failed".into()));
        (ran, written)
    });
    let bad = bad?;
    let written = written?;
    if let Some(png) = png {
        let to_audio = |channels| Audio { channels, rate };
        plot_render(png, &to_audio(before), &to_audio(after), &params, &lanes)?;
    }
    if bad > 0 {
        bar.suspend(|| {
            eprintln!(
                "earshot: warning: {}: {bad} bad input samples (NaN, Inf or beyond ±{}) were muted",
                input.display(),
                earshot::dsp::engine::BAD_INPUT_ABS
            )
        });
    }
    if written.clipped > 0 {
        bar.suspend(|| {
            eprintln!(
                "earshot: warning: {}: {} samples clipped by the integer format (use --format float32)",
                output.display(),
                written.clipped
            )
        });
    }
    Ok(())
}

fn render_folder(input: &Path, output: &Path, s: &Settings) -> Result<(), String> {
    if s.electrodogram.is_some() {
        return Err("--electrodogram writes one file's frames: render a single file".into());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(input)
        .map_err(|e| format!("{}: {e}", input.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("wav")))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no .wav files in the folder", input.display()));
    }
    if output.is_file() {
        return Err(format!(
            "{}: is a file; a folder input needs an output folder",
            output.display()
        ));
    }
    if let Some(d) = &s.plot {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    // One bar for the batch: every file's frames (a file whose header cannot be read counts
    // none; its render reports why).
    let total = files
        .iter()
        .map(|f| wav::Reader::open(f).map_or(0, |r| r.frames as u64))
        .sum();
    let bar = progress_bar(total);
    let jobs = match s.jobs {
        Some(0) => return Err("--jobs must be at least 1".to_string()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.min(files.len()))
        .build()
        .map_err(|e| format!("--jobs {jobs}: {e}"))?;
    // Each file renders on its own (its own engines, reader and writer threads), so the
    // outputs do not depend on how many run at once; a file that fails is reported and the
    // others go on.
    let failed: usize = pool.install(|| {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|f| {
                let to = output.join(f.file_name().unwrap_or_default());
                let png = s.plot.as_ref().map(|d| {
                    d.join(f.file_stem().unwrap_or_default())
                        .with_extension("png")
                });
                match render_file_plot(f, &to, s, png.as_deref(), &bar) {
                    Ok(()) => {
                        bar.suspend(|| eprintln!("{} → {}", f.display(), to.display()));
                        0
                    }
                    Err(e) => {
                        bar.suspend(|| eprintln!("earshot: {e}"));
                        1
                    }
                }
            })
            .sum()
    });
    bar.finish_and_clear();
    if failed > 0 {
        return Err(format!("{failed} of {} files failed", files.len()));
    }
    Ok(())
}

/// Print `text` to stdout. A closed pipe (`earshot params | head`) ends the listing quietly,
/// as Unix tools do; other write errors are reported.
fn print_out(text: &str) -> Result<(), String> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("stdout: {e}")),
        _ => Ok(()),
    }
}

fn list_params() -> String {
    use std::fmt::Write;
    let p = EarshotParams::default();
    let header = ["id", "name", "group", "min", "max", "default"].map(String::from);
    let rows: Vec<[String; 6]> = std::iter::once(header)
        .chain(
            param_access::describe(&p)
                .into_iter()
                .map(|i| [i.id, i.name, i.group, i.min, i.max, i.default]),
        )
        .collect();
    // Every column as wide as its widest cell (an id or a group longer than the others
    // never runs into the next column); text left-aligned, values right-aligned.
    let mut width = [0usize; 6];
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in &rows {
        let _ = writeln!(
            out,
            "{:<w0$} {:<w1$} {:<w2$} {:>w3$} {:>w3$} {:>w3$}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            w0 = width[0],
            w1 = width[1],
            w2 = width[2],
            w3 = width[3].max(width[4]).max(width[5]),
        );
    }
    out
}

fn list_presets() -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "Factory presets (earshot render --preset ID):");
    for p in presets::all() {
        let _ = writeln!(out, "  {:<22} {:<30} {}", p.id, p.name, p.description);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<14} {:>40}  {:>6}  {:<18} {:>6}",
        "audiogram", "dB HL 125..8k", "PTA4", "WHO 2021", "AMA %"
    );
    let row = |out: &mut String, name: &str, a: &Audiogram| {
        let t: Vec<String> = a.thresholds_db_hl.iter().map(|v| format!("{v}")).collect();
        let _ = writeln!(
            out,
            "{:<14} {:>40}  {:>6.1}  {:<18} {:>6.1}",
            name,
            t.join(","),
            a.pta4(),
            better_ear_grade(a, a).name(),
            ama_handicap_percent(a, a)
        );
    };
    for p in Preset::ALL {
        row(&mut out, p.id(), &p.audiogram());
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Audiograms from who the listener is (both ears; --left/--right still override):"
    );
    let _ = writeln!(
        out,
        "  --age 18..80 --sex female|male [--percentile 5..95, step 5; 50 = median]   ISO 7029:2017"
    );
    let _ = writeln!(
        out,
        "  [--noise-years 0..40 --noise-dba 70..115]   noise at work or on stage, L_EX,8h   ISO 1999:2013"
    );
    for l in listener::EXAMPLES {
        let _ = writeln!(out, "  {}: {}", l.describe(), l.cli_args());
        if let Ok(a) = l.audiogram() {
            row(&mut out, "", &a);
        }
    }
    out
}

fn run_demo(dir: &Path) -> Result<(), String> {
    let rate = 48000;
    let dry = Audio {
        channels: demo::drum_loop(rate as f32, demo::SECONDS),
        rate,
    };
    wav::write(&dir.join("drums_dry.wav"), &dry, Format::Float32)?;
    let s = Settings {
        preset: None,
        params: vec!["calibration=100".into()],
        story: Some("0:1".into()),
        automation: None,
        left: None,
        age: None,
        sex: None,
        percentile: None,
        noise_years: None,
        noise_dba: None,
        right: None,
        seed: None,
        format: Format::Float32,
        block: 512,
        plot: None,
        electrodogram: None,
        jobs: None,
    };
    let (params, lanes) = setup(&s, demo::SECONDS as f64)?;
    let bar = progress_bar(dry.frames() as u64);
    let (out, _) = render(&dry, &params, &lanes, s.block, &bar)?;
    bar.finish_and_clear();
    wav::write(&dir.join("drums_story.wav"), &out, Format::Float32)?;
    plot_render(&dir.join("drums_story.png"), &dry, &out, &params, &lanes)?;
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
            if input.is_dir() {
                render_folder(&input, &output, &settings)
            } else {
                render_file(&input, &output, &settings)
            }
        }
        Cmd::Params => print_out(&list_params()),
        Cmd::Presets => print_out(&list_presets()),
        Cmd::Demo { dir } => run_demo(&dir),
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
