//! The `earshot` command line: reproducible renders, the automation paths, WAV formats,
//! folders, and every kind of bad input answered by one clear line, a non-zero exit and no
//! partial or clobbered output.

#[path = "../../../tests/common/mod.rs"]
mod common;

use common::null_db;
use std::path::{Path, PathBuf};
use std::process::Command;

const CLI: &str = env!("CARGO_BIN_EXE_earshot");
const FS: u32 = 48000;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("earshot-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A stereo float WAV of a tone with noise and a kick every half second.
fn write_input(path: &Path, seconds: f32) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: FS,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let n = (seconds * FS as f32) as usize;
    let noise = common::noise(n, 0.02, 3);
    for (i, nz) in noise.iter().enumerate() {
        let t = i as f32 / FS as f32;
        let kt = (i % (FS as usize / 2)) as f32 / FS as f32;
        let kick = 0.4 * (-kt / 0.08).exp() * (std::f32::consts::TAU * 60.0 * kt).sin();
        let v = 0.05 * (std::f32::consts::TAU * 1000.0 * t).sin() + nz + kick;
        w.write_sample(v).unwrap();
        w.write_sample(0.8 * v).unwrap();
    }
    w.finalize().unwrap();
}

fn read(path: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).unwrap();
    match r.spec().sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.unwrap()).collect(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (r.spec().bits_per_sample - 1)) as f32;
            r.samples::<i32>()
                .map(|s| s.unwrap() as f32 * scale)
                .collect()
        }
    }
}

/// Run the CLI; (success, stderr).
fn earshot(args: &[&str]) -> (bool, String) {
    let out = Command::new(CLI).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_same_render_twice_is_bit_identical() {
    let d = dir("twice");
    let (i, a, b) = (d.join("in.wav"), d.join("a.wav"), d.join("b.wav"));
    write_input(&i, 3.0);
    let args = |o: &Path| {
        vec![
            "render".to_string(),
            s(&i).into(),
            s(o).into(),
            "--story".into(),
            "0:1".into(),
            "--param".into(),
            "tin_kind=Noise band".into(),
            "--param".into(),
            "body_octave=0.5".into(),
            "--seed".into(),
            "77".into(),
        ]
    };
    for o in [&a, &b] {
        let v = args(o);
        let v: Vec<&str> = v.iter().map(String::as_str).collect();
        let (ok, err) = earshot(&v);
        assert!(ok, "{err}");
    }
    let (ya, yb) = (read(&a), read(&b));
    assert!(ya.iter().all(|v| v.is_finite()));
    assert_eq!(ya.len(), 2 * 3 * FS as usize, "output as long as the input");
    assert!(ya == yb, "two renders differ");
    // Another seed changes the ringing.
    let (ok, err) = earshot(&[
        "render",
        s(&i),
        s(&b),
        "--story",
        "0:1",
        "--param",
        "tin_kind=Noise band",
        "--param",
        "body_octave=0.5",
        "--seed",
        "78",
    ]);
    assert!(ok, "{err}");
    assert!(read(&b) != ya, "the seed changes the render");
}

#[test]
fn story_zero_is_transparent_and_csv_automation_equals_the_story_flag() {
    let d = dir("story");
    let (i, o, c) = (d.join("in.wav"), d.join("out.wav"), d.join("auto.csv"));
    write_input(&i, 2.0);
    let (ok, err) = earshot(&["render", s(&i), s(&o), "--story", "0:0"]);
    assert!(ok, "{err}");
    let (x, y) = (read(&i), read(&o));
    let null = null_db(&y, &x);
    eprintln!("CLI story 0 null: {null:.1} dB");
    assert!(null < -90.0, "{null:.1} dB");
    // The same sweep written as an automation file.
    std::fs::write(&c, "time,param,value\n0,mode,Story\n0,story,0\n2,story,1\n").unwrap();
    let (ok, err) = earshot(&["render", s(&i), s(&o), "--automation", s(&c)]);
    assert!(ok, "{err}");
    let by_csv = read(&o);
    let (ok, err) = earshot(&["render", s(&i), s(&o), "--story", "0:1"]);
    assert!(ok, "{err}");
    assert!(read(&o) == by_csv, "CSV and --story renders differ");
}

#[test]
fn formats_and_folders() {
    let d = dir("formats");
    let (i, f) = (d.join("in.wav"), d.join("f.wav"));
    write_input(&i, 1.0);
    let (ok, err) = earshot(&["render", s(&i), s(&f), "--preset", "severe"]);
    assert!(ok, "{err}");
    let float = read(&f);
    for (fmt, bits) in [("int16", 16), ("int24", 24)] {
        let o = d.join(format!("{fmt}.wav"));
        let (ok, err) = earshot(&[
            "render",
            s(&i),
            s(&o),
            "--preset",
            "severe",
            "--format",
            fmt,
        ]);
        assert!(ok, "{err}");
        assert_eq!(
            hound::WavReader::open(&o).unwrap().spec().bits_per_sample,
            bits
        );
        let q = 1.0 / (1u64 << (bits - 1)) as f32;
        let worst = read(&o)
            .iter()
            .zip(&float)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(worst <= 0.51 * q, "{fmt}: {worst} vs step {q}");
    }
    // A folder: every .wav, nothing else.
    let (src, dst) = (d.join("src"), d.join("dst"));
    std::fs::create_dir_all(&src).unwrap();
    write_input(&src.join("a.wav"), 0.5);
    write_input(&src.join("B.WAV"), 0.5);
    std::fs::write(src.join("notes.txt"), "not audio").unwrap();
    let plots = d.join("plots");
    let (ok, err) = earshot(&[
        "render",
        s(&src),
        s(&dst),
        "--preset",
        "profound",
        "--plot",
        s(&plots),
    ]);
    assert!(ok, "{err}");
    // One PNG per file (the plot's content is looked at by eye: README, issue notes).
    for name in ["a.png", "B.png"] {
        let png = std::fs::read(plots.join(name)).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{name}");
    }
    let mut made: Vec<String> = std::fs::read_dir(&dst)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    made.sort();
    assert_eq!(made, ["B.WAV", "a.wav"]);
}

/// A folder renders its files in parallel (`--jobs`), each output byte for byte what a serial
/// render writes; a file that fails is reported, the others still render, the exit is non-zero
/// and the failed file leaves nothing behind.
#[test]
fn folders_render_in_parallel_exactly_as_in_series() {
    let d = dir("parallel");
    let src = d.join("src");
    std::fs::create_dir_all(&src).unwrap();
    for (i, seconds) in [0.7, 0.3, 1.1, 0.5, 0.9].into_iter().enumerate() {
        write_input(&src.join(format!("take{i}.wav")), seconds);
    }
    std::fs::write(src.join("broken.wav"), b"RIFF not really a wav").unwrap();
    let mut outputs = Vec::new();
    for jobs in ["1", "4"] {
        let dst = d.join(format!("jobs{jobs}"));
        let (ok, err) = earshot(&[
            "render",
            s(&src),
            s(&dst),
            "--preset",
            "scene-implant-activation",
            "--story",
            "0.2:0.8",
            "--jobs",
            jobs,
        ]);
        assert!(!ok, "a broken file must make the batch fail");
        assert!(
            err.contains("broken.wav") && err.contains("1 of 6 files failed"),
            "{err}"
        );
        let mut made: Vec<String> = std::fs::read_dir(&dst)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        made.sort();
        assert_eq!(
            made,
            [
                "take0.wav",
                "take1.wav",
                "take2.wav",
                "take3.wav",
                "take4.wav"
            ]
        );
        outputs.push(
            made.iter()
                .map(|f| std::fs::read(dst.join(f)).unwrap())
                .collect::<Vec<_>>(),
        );
    }
    assert!(
        outputs[0] == outputs[1],
        "parallel renders differ from serial ones"
    );
    let (ok, err) = earshot(&["render", s(&src), s(&d.join("none")), "--jobs", "0"]);
    assert!(!ok && err.contains("--jobs"), "{err}");
}

#[test]
fn every_preset_renders_and_audiograms_can_be_typed() {
    let d = dir("presets");
    let (i, o) = (d.join("in.wav"), d.join("out.wav"));
    write_input(&i, 0.3);
    for p in earshot::presets::all() {
        let (ok, err) = earshot(&["render", s(&i), s(&o), "--preset", &p.id]);
        assert!(ok, "{}: {err}", p.id);
        assert!(read(&o).iter().all(|v| v.is_finite()), "{}", p.id);
    }
    // --left/--right equal the same thresholds set one by one.
    let ruben = "55,60,65,70,70,75,80,85,90";
    let (ok, err) = earshot(&[
        "render",
        s(&i),
        s(&o),
        "--left",
        ruben,
        "--right",
        ruben,
        "--param",
        "severity=1",
    ]);
    assert!(ok, "{err}");
    let typed = read(&o);
    let (ok, err) = earshot(&["render", s(&i), s(&o), "--preset", "ruben"]);
    assert!(ok, "{err}");
    assert!(read(&o) == typed, "--left/--right differ from the preset");
    let (ok, err) = earshot(&["render", s(&i), s(&o), "--left", "1,2,3"]);
    assert!(!ok && err.contains("9 needed"), "{err}");
}

/// An audiogram as `--left` / `--right` take it: the thresholds, comma-separated, each printed
/// so that it parses back to the same f32.
fn as_typed(a: &earshot::dsp::audiogram::Audiogram) -> String {
    a.thresholds_db_hl.map(|v| v.to_string()).join(",")
}

/// `--age …` (ISO 7029 / ISO 1999) renders bit for bit as the audiogram it generates typed
/// with --left/--right, combines with them, and names what is out of range.
#[test]
fn audiograms_from_age_and_noise_equal_the_same_values_typed() {
    use earshot::dsp::audiogram::listener::EXAMPLES;
    let d = dir("age");
    let (i, o) = (d.join("in.wav"), d.join("out.wav"));
    write_input(&i, 0.3);
    for l in EXAMPLES {
        let mut args = vec!["render".to_string(), s(&i).into(), s(&o).into()];
        args.extend(l.cli_args().split(' ').map(String::from));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, err) = earshot(&args);
        assert!(ok, "{}: {err}", l.describe());
        let generated = read(&o);
        let typed = as_typed(&l.audiogram().unwrap());
        let (ok, err) = earshot(&[
            "render",
            s(&i),
            s(&o),
            "--left",
            &typed,
            "--param",
            "severity=1",
        ]);
        assert!(ok, "{err}");
        assert!(
            read(&o) == generated,
            "{}: --age differs from --left",
            l.describe()
        );
    }
    // --right after --age changes the right ear only.
    let flat = "20,20,20,20,20,20,20,20,20";
    let (ok, err) = earshot(&[
        "render",
        s(&i),
        s(&o),
        "--age",
        "70",
        "--sex",
        "female",
        "--right",
        flat,
    ]);
    assert!(ok, "{err}");
    let mixed = read(&o);
    let left = as_typed(&EXAMPLES[1].audiogram().unwrap());
    let (ok, err) = earshot(&[
        "render",
        s(&i),
        s(&o),
        "--left",
        &left,
        "--right",
        flat,
        "--param",
        "severity=1",
    ]);
    assert!(ok, "{err}");
    assert!(
        read(&o) == mixed,
        "--age then --right differs from typing both ears"
    );
    for (args, want) in [
        (&["--age", "12", "--sex", "male"][..], "--age: age 12"),
        (&["--age", "70", "--sex", "other"][..], "--sex `other`"),
        (
            &["--age", "70", "--sex", "male", "--percentile", "33"][..],
            "percentile 33",
        ),
        (
            &[
                "--age",
                "40",
                "--sex",
                "male",
                "--noise-years",
                "50",
                "--noise-dba",
                "95",
            ][..],
            "noise years 50",
        ),
        (&["--age", "70"][..], "--sex"),
        (&["--noise-years", "5"][..], "--age"),
    ] {
        let mut all = vec!["render", s(&i), s(&o)];
        all.extend_from_slice(args);
        let (ok, err) = earshot(&all);
        assert!(!ok && err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn bad_input_gives_one_clear_line_and_leaves_no_output() {
    let d = dir("bad");
    let good = d.join("good.wav");
    write_input(&good, 0.5);
    let bytes = std::fs::read(&good).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.wav", vec![]),
        ("text.wav", b"this is not a wav file at all".to_vec()),
        ("truncated.wav", bytes[..bytes.len() / 2 + 1].to_vec()),
        // Written below: a valid header with no frames.
        ("header-only.wav", Vec::new()),
    ];
    let out = d.join("out.wav");
    let expect_error = |args: &[&str], what: &str| {
        let (ok, err) = earshot(args);
        assert!(!ok, "{what}: succeeded");
        let line = err.trim();
        eprintln!("{what}: {line}");
        assert_eq!(line.lines().count(), 1, "{what}: one line, got {line:?}");
        assert!(line.starts_with("earshot: "), "{what}: {line}");
        assert!(!out.exists(), "{what}: left an output file");
    };
    for (name, data) in cases {
        let p = d.join(name);
        if name == "header-only.wav" {
            // hound writes a valid header with no frames.
            let spec = hound::WavSpec {
                channels: 1,
                sample_rate: FS,
                bits_per_sample: 16,
                sample_format: hound::SampleFormat::Int,
            };
            hound::WavWriter::create(&p, spec)
                .unwrap()
                .finalize()
                .unwrap();
        } else {
            std::fs::write(&p, data).unwrap();
        }
        expect_error(&["render", s(&p), s(&out)], name);
    }
    let missing = d.join("missing.wav");
    expect_error(&["render", s(&missing), s(&out)], "missing file");
    for (extra, what) in [
        (&["--param", "nope=1"][..], "unknown id"),
        (&["--param", "severity=2"], "out of range"),
        (&["--param", "severity"], "no value"),
        (&["--preset", "nope"], "unknown preset"),
        (&["--story", "0:9"], "bad story"),
        (&["--automation", s(&missing)], "missing automation"),
    ] {
        let mut args = vec!["render", s(&good), s(&out)];
        args.extend(extra);
        expect_error(&args, what);
    }
    // Unwritable: the output's folder would have to be inside a file.
    let (ok, err) = earshot(&["render", s(&good), &format!("{}/x.wav", s(&good))]);
    assert!(!ok && err.trim().lines().count() == 1, "{err}");
    // A failed render does not clobber an existing output.
    std::fs::write(&out, "keep me").unwrap();
    let (ok, _) = earshot(&["render", s(&good), s(&out), "--param", "severity=2"]);
    assert!(!ok);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    // No temporary files left behind anywhere.
    for e in std::fs::read_dir(&d).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".partial"), "left {name}");
    }
}

#[test]
fn listings_piped_into_a_closed_pipe_end_quietly() {
    // `earshot params | head -1`: the reader goes away before the listing is written. The
    // listing must end quietly with success, as Unix tools do, not with a panic.
    for cmd in ["params", "presets"] {
        let mut child = std::process::Command::new(CLI)
            .arg(cmd)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{cmd}: {:?} {err}", out.status);
        assert!(!err.contains("panicked"), "{cmd}: {err}");
    }
}

#[test]
fn the_threshold_shift_and_the_blast_render_from_params_and_automation() {
    let d = dir("tts");
    let (i, a, b, c) = (
        d.join("in.wav"),
        d.join("a.wav"),
        d.join("b.wav"),
        d.join("blast.csv"),
    );
    write_input(&i, 3.0);
    // The blast fired at 1 s by an automation lane, twice: the same render both times.
    std::fs::write(&c, "time,param,value\n0,blast,off\n1,blast,on\n").unwrap();
    let blast = |o: &Path| {
        earshot(&[
            "render",
            s(&i),
            s(o),
            "--param",
            "tts_recovery=1",
            "--param",
            "tts_time_scale=60",
            "--automation",
            s(&c),
        ])
    };
    for o in [&a, &b] {
        let (ok, err) = blast(o);
        assert!(ok, "{err}");
    }
    let (ya, yb) = (read(&a), read(&b));
    assert!(ya == yb, "two blast renders differ");
    let (ok, err) = earshot(&["render", s(&i), s(&b)]);
    assert!(ok, "{err}");
    let plain = read(&b);
    // Stereo interleaved: before the blast (less a latency's margin) identical, after it not.
    let at = 2 * FS as usize;
    assert!(ya[..at - 2000] == plain[..at - 2000]);
    assert!(null_db(&ya[at..], &plain[at..]) > -40.0);
    // The exposure-driven shift from `--param`: this input's kicks reach 100 dB SPL.
    let (ok, err) = earshot(&[
        "render",
        s(&i),
        s(&b),
        "--param",
        "tts_amount=2",
        "--param",
        "tts_onset=60",
        "--param",
        "tts_time_scale=3600",
    ]);
    assert!(ok, "{err}");
    assert!(null_db(&read(&b), &plain) > -40.0);
}

#[test]
fn the_jitter_renders_from_params_and_automation_seeded() {
    let d = dir("jitter");
    let (i, a, b, c) = (
        d.join("in.wav"),
        d.join("a.wav"),
        d.join("b.wav"),
        d.join("jitter.csv"),
    );
    write_input(&i, 2.0);
    let render = |o: &Path, extra: &[&str]| {
        let mut args = vec!["render", s(&i), s(o)];
        args.extend_from_slice(extra);
        let (ok, err) = earshot(&args);
        assert!(ok, "{err}");
        read(o)
    };
    let plain = render(&b, &[]);
    // From `--param`: the same seed renders the same, another seed differently, and both
    // differ from the render without it.
    let on = ["--param", "jitter_amount=0.25", "--seed", "3"];
    let (ya, yb) = (render(&a, &on), render(&b, &on));
    assert!(ya == yb, "two seeded jitter renders differ");
    assert!(null_db(&ya, &plain) > -30.0);
    let other = render(&b, &["--param", "jitter_amount=0.25", "--seed", "4"]);
    assert!(other != ya, "another seed renders the same jitter");
    // From an automation lane: off for the first second (the render of no jitter, but for
    // the output being a latency behind either way), on after it.
    std::fs::write(
        &c,
        "time,param,value\n0,jitter_amount,0\n1,jitter_amount,0\n1.2,jitter_amount,0.5\n",
    )
    .unwrap();
    let auto = render(&a, &["--automation", s(&c)]);
    let at = 2 * FS as usize;
    assert!(auto[..at - 2000] == plain[..at - 2000]);
    assert!(auto.iter().all(|v| v.is_finite()));
    assert!(null_db(&auto[at + FS as usize..], &plain[at + FS as usize..]) > -30.0);
}

/// One row of an electrodogram CSV: time, ear, electrodes, levels (empty cells as `None`).
type Row = (f64, String, usize, Vec<Option<f32>>);

/// The header and rows of an electrodogram CSV.
fn read_electrodogram(path: &Path) -> (String, Vec<Row>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 25, "{l}");
            let levels = f[3..]
                .iter()
                .map(|v| (!v.is_empty()).then(|| v.parse::<f32>().unwrap()))
                .collect();
            (
                f[0].parse().unwrap(),
                f[1].to_string(),
                f[2].parse().unwrap(),
                levels,
            )
        })
        .collect();
    (header, rows)
}

#[test]
fn the_electrodogram_csv_holds_every_frame_of_both_ears_as_the_engine_rang_them() {
    use earshot::dsp::implant::electrodogram::Electrodogram;
    use earshot::dsp::Engine;
    use std::sync::Arc;
    let d = dir("electrodogram");
    let (i, o, e) = (d.join("in.wav"), d.join("out.wav"), d.join("e.csv"));
    write_input(&i, 1.0);
    let set = [
        ("calibration", "110"),
        ("ci_amount", "1"),
        ("ci_map", "nucleus"),
    ];
    let mut args = vec!["render", s(&i), s(&o), "--electrodogram", s(&e)];
    let kv: Vec<String> = set.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for a in &kv {
        args.extend_from_slice(&["--param", a]);
    }
    let (ok, err) = earshot(&args);
    assert!(ok, "{err}");
    let (header, rows) = read_electrodogram(&e);
    assert!(header.starts_with("time_s,ear,electrodes,e1,e2,") && header.ends_with(",e22"));
    for ear in ["left", "right"] {
        let r: Vec<_> = rows.iter().filter(|r| r.1 == ear).collect();
        // 1 s at the default 900 pps.
        assert!(
            (r.len() as i64 - 900).abs() <= 1,
            "{ear}: {} frames",
            r.len()
        );
        for w in r.windows(2) {
            let gap = w[1].0 - w[0].0;
            assert!(
                (gap * 900.0 - 1.0).abs() < 0.03,
                "{ear}: frames {gap} s apart"
            );
        }
        for (t, _, n, levels) in &r {
            assert!((0.0..1.0).contains(t));
            assert_eq!(*n, 22);
            let on = levels[..22].iter().filter(|v| v.unwrap() > 0.0).count();
            assert!(on <= 8, "ACE stimulates at most 8 maxima");
            assert!(levels[..22]
                .iter()
                .all(|v| (0.0..=1.0).contains(&v.unwrap())));
        }
        assert!(r.iter().any(|r| r.3.iter().any(|v| v.unwrap_or(0.0) > 0.0)));
    }

    // The same frames as the engine's own rings (the editor's) for the same input and
    // settings: the render as the CLI runs it (512-frame blocks, then the latency's tail).
    let params = earshot::params::EarshotParams::default();
    for (k, v) in set {
        earshot::param_access::set(&params, k, v).unwrap();
    }
    let rings = [(); 2].map(|_| Arc::new(Electrodogram::new(4096)));
    let mut engine = Engine::with_electrodograms(FS as f32, &params.engine_params(), rings.clone());
    let x = read(&i);
    let (mut l, mut r): (Vec<f32>, Vec<f32>) = x.chunks(2).map(|c| (c[0], c[1])).unzip();
    let n = l.len();
    l.resize(n + engine.latency(), 0.0);
    r.resize(n + engine.latency(), 0.0);
    for (a, b) in l.chunks_mut(512).zip(r.chunks_mut(512)) {
        engine.set_params(&params.engine_params());
        engine.process(&mut [a, b]);
    }
    let delay = engine.world_delay() as u64;
    for (ear, ring) in ["left", "right"].iter().zip(&rings) {
        let want: Vec<_> = (0..ring.written())
            .map(|k| ring.read(k).unwrap())
            .filter(|f| f.at >= delay && f.at - delay < n as u64)
            .collect();
        let got: Vec<_> = rows.iter().filter(|r| r.1 == *ear).collect();
        assert_eq!(got.len(), want.len(), "{ear}");
        for (g, w) in got.iter().zip(&want) {
            assert!((g.0 - (w.at - delay) as f64 / FS as f64).abs() < 1e-6);
            for (a, b) in g.3[..22].iter().zip(&w.levels[..22]) {
                // Written to 4 decimals: within half the last digit (and f32 rounding).
                assert!((a.unwrap() - b).abs() <= 5e-5 + 1e-6, "{ear}: {a:?} vs {b}");
            }
        }
    }

    // One implanted ear: the other has no frames. A folder render refuses the option.
    let (ok, err) = earshot(&[
        "render",
        s(&i),
        s(&o),
        "--electrodogram",
        s(&e),
        "--param",
        "ci_amount=1",
        "--param",
        "ci_side=left",
    ]);
    assert!(ok, "{err}");
    let (_, rows) = read_electrodogram(&e);
    assert!(rows.iter().all(|r| r.1 == "left") && !rows.is_empty());
    let (ok, err) = earshot(&[
        "render",
        s(&d),
        s(&d.join("outs")),
        "--electrodogram",
        s(&e),
    ]);
    assert!(!ok && err.contains("single file"), "{err}");
}
