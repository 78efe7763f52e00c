//! `cargo xtask`: the project's two commands, plus nice-plug's bundler.
//!
//! - `cargo xtask build`  builds both plugin bundles (release) and renders the demo to `demo/`.
//! - `cargo xtask test`   runs the whole test suite (what `.ci/run` calls).
//! - `cargo xtask screenshot` builds the standalone app and photographs its editor under
//!   Xvfb (`target/editor.png`; part of `test`).
//! - anything else (e.g. `cargo xtask bundle earshot --release`) goes to nice-plug-xtask.
//!
//! The xtask itself needs no system libraries, so it compiles on a bare machine and can
//! install or name what the rest needs.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Python packages for the host and reference tests, pinned for reproducible results.
const PY_PACKAGES: &[&str] = &[
    "numpy==2.4.6",
    "scipy==1.17.1",
    "pedalboard==0.9.26",
    "pystoi==0.4.1",
];
/// pyclarity's MSBG needs only numpy and scipy; its other dependencies (torch, ...) are skipped.
const PY_NO_DEPS: &[&str] = &["pyclarity==0.9.0"];

type Result<T = ()> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn run(cmd: &mut Command) -> Result {
    eprintln!("\n+ {cmd:?}");
    let started = std::time::Instant::now();
    let status = cmd
        .current_dir(root())
        .status()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    // Each step's time, so that the slow ones are easy to find in a CI log.
    eprintln!("  ({:.0} s)", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})"))
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Make sure Debian packages are present: install them as root, else stop and print the line.
fn ensure_apt(packages: &[&str]) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
                .unwrap_or(false)
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let line = format!(
        "apt-get install -y --no-install-recommends {}",
        missing.join(" ")
    );
    if !is_root() {
        return Err(format!("missing system packages; run as root:\n    {line}"));
    }
    run(Command::new("apt-get").arg("update").arg("-q"))?;
    run(Command::new("sh")
        .arg("-c")
        .arg(format!("DEBIAN_FRONTEND=noninteractive {line}")))
}

fn bundle() -> Result {
    eprintln!("\n+ nice-plug-xtask bundle earshot --release");
    std::env::set_current_dir(root()).map_err(|e| e.to_string())?;
    nice_plug_xtask::main_with_args(
        "cargo xtask",
        ["bundle", "earshot", "--release"].map(String::from),
    )
    .map_err(|e| format!("bundle: {e}"))
}

/// The test venv (`target/venv`), created and filled on first use.
fn venv() -> Result<PathBuf> {
    let dir = root().join("target").join("venv");
    let py = dir.join("bin").join("python");
    let stamp = dir.join("earshot-requirements");
    let want = format!("{PY_PACKAGES:?}{PY_NO_DEPS:?}");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) && py.exists() {
        return Ok(py);
    }
    if Command::new("python3")
        .args(["-m", "venv", "--help"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        ensure_apt(&["python3", "python3-venv"])?;
    }
    run(Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&dir))?;
    run(Command::new(&py).args(["-m", "pip", "install", "-q", "--upgrade", "pip"]))?;
    run(Command::new(&py)
        .args(["-m", "pip", "install", "-q"])
        .args(PY_PACKAGES))?;
    run(Command::new(&py)
        .args(["-m", "pip", "install", "-q", "--no-deps"])
        .args(PY_NO_DEPS))?;
    std::fs::write(&stamp, want).map_err(|e| e.to_string())?;
    Ok(py)
}

/// System packages for the standalone app and the editor's screenshot: ALSA and JACK headers
/// (the standalone's audio backends link them), an X server without a display, ImageMagick's
/// `import`, and the X11/GL libraries the editor's window loads at run time (the plugin
/// itself links none of them: baseview and glutin open them when a window opens).
const GUI_PACKAGES: &[&str] = &[
    "pkg-config",
    "libasound2-dev",
    "libjack-jackd2-dev",
    "xvfb",
    "xauth",
    "imagemagick",
    "libgl1",
    "libglx-mesa0",
    "libgl1-mesa-dri",
    "libegl1",
    "libx11-xcb1",
    "libxcursor1",
    "libxkbcommon-x11-0",
];

/// A display number no X server uses now.
fn free_display() -> Result<String> {
    (90..120)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .map(|n| format!(":{n}"))
        .ok_or_else(|| "no free X display number in :90..:119".to_string())
}

/// Kills the child when dropped (the X server and the app never outlive the step).
struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(cmd: &mut Command) -> Result<Child> {
    eprintln!("\n+ {cmd:?} &");
    cmd.spawn().map(Child).map_err(|e| format!("{cmd:?}: {e}"))
}

/// An X server without a screen (with GLX) on a free display, for as long as the returned
/// child lives.
fn xvfb() -> Result<(Child, String)> {
    let display = free_display()?;
    let server = spawn(
        Command::new("Xvfb")
            .args([&display, "-screen", "0", "1280x800x24", "+extension", "GLX"])
            .args(["-nolisten", "tcp"]),
    )?;
    std::thread::sleep(std::time::Duration::from_secs(2));
    Ok((server, display))
}

/// The real editor in a real window: the standalone app (dummy audio backend, the demo drum
/// loop as input, the Adapted implant scene) under Xvfb, photographed after it has run for a
/// few seconds. Fails if the app exits early or the picture is (nearly) one colour.
fn screenshot() -> Result {
    ensure_apt(GUI_PACKAGES)?;
    run(cargo().args([
        "build",
        "--release",
        "--features",
        "standalone",
        "--bin",
        "earshot-standalone",
    ]))?;
    let root = root();
    let out = root.join("target/editor.png");
    let _ = std::fs::remove_file(&out);
    let (_xvfb, display) = xvfb()?;
    let mut app = spawn(
        Command::new(root.join("target/release/earshot-standalone"))
            .args([
                "-b",
                "dummy",
                "--preset",
                "scene-adapted-implant",
                "--demo-input",
            ])
            .env("DISPLAY", &display),
    )?;
    // Long enough for the electrodogram's 0.7 s and several snapshots to fill the views.
    std::thread::sleep(std::time::Duration::from_secs(8));
    if let Ok(Some(status)) = app.0.try_wait() {
        return Err(format!("the standalone app exited early ({status})"));
    }
    run(Command::new("import")
        // The editor opens at its default size (1180 × 780) in the top-left corner.
        .args(["-display", &display, "-window", "root"])
        .args(["-crop", "1180x780+0+0", "+repage"])
        .arg(&out))?;
    drop(app);
    let colours = Command::new("identify")
        .args(["-format", "%k"])
        .arg(&out)
        .output()
        .map_err(|e| format!("identify: {e}"))?;
    let colours: usize = String::from_utf8_lossy(&colours.stdout)
        .trim()
        .parse()
        .map_err(|_| "identify gave no colour count".to_string())?;
    eprintln!("editor screenshot: {} ({colours} colours)", out.display());
    if colours < 500 {
        return Err(format!(
            "the editor screenshot has only {colours} colours: the window did not draw"
        ));
    }
    Ok(())
}

fn build() -> Result {
    bundle()?;
    run(cargo().args([
        "run",
        "--release",
        "-p",
        "earshot-cli",
        "--",
        "demo",
        "demo",
    ]))?;
    let root = root();
    eprintln!(
        "\nDone.\n  VST3: {}\n  CLAP: {}\n  demo: {}",
        root.join("target/bundled/Earshot.vst3").display(),
        root.join("target/bundled/Earshot.clap").display(),
        root.join("demo").display()
    );
    Ok(())
}

fn test() -> Result {
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args(["test", "--workspace"]))?;
    // The DSP again with the portable kernels (the run above used AVX2 where the CPU has it).
    // `--workspace` here and below: the same package selection as the run above resolves the
    // same dependency features, so the test binaries are reused instead of rebuilt (without it
    // this step recompiled serde, nice-plug and the plugin: 191 s of a CI run).
    run(cargo()
        .args([
            "test",
            "--workspace",
            "--test",
            "msbg_match",
            "--test",
            "engine",
            "--test",
            "no_alloc",
            "--test",
            "implant",
        ])
        .env("EARSHOT_PORTABLE_SIMD", "1"))?;
    // The benches are not built here: clippy --all-targets above already type-checks them, and
    // `cargo bench --no-run` compiled every dev-dependency (egui_kittest, clack-host, ...) a
    // second time with release optimisation and LTO, ten minutes of a CI run for nothing the
    // tests use. `cargo bench` builds and runs them.
    screenshot()?;
    bundle()?;
    // The CLI the Python tests drive (its own package: the bundle does not build it).
    run(cargo().args(["build", "--release", "-p", "earshot-cli"]))?;
    let root = root();
    // The CLAP bundle in clack-host, including its editor opened and closed 100 times in an
    // X window while audio runs.
    let (xvfb_server, display) = xvfb()?;
    run(cargo()
        .args([
            "test",
            "--workspace",
            "--test",
            "clap_host",
            "--",
            "--ignored",
            "--test-threads=1",
            "--nocapture",
        ])
        .env("DISPLAY", &display)
        .env("EARSHOT_CLAP", root.join("target/bundled/Earshot.clap")))?;
    drop(xvfb_server);
    let py = venv()?;
    run(Command::new(&py).args(["tests/python/msbg_reference.py", "--check"]))?;
    run(Command::new(&py)
        .arg("tests/python/test_pedalboard.py")
        .env("EARSHOT_VST3", root.join("target/bundled/Earshot.vst3"))
        .env("EARSHOT_CLI", root.join("target/release/earshot")))?;
    // Earshot in a real DAW: Ardour 7, headless, inserts it, automates it, renders, saves,
    // reopens and renders again.
    ensure_apt(&["ardour"])?;
    run(Command::new(&py)
        .arg("tests/python/test_ardour.py")
        .env("EARSHOT_VST3", root.join("target/bundled/Earshot.vst3"))
        .env("EARSHOT_CLI", root.join("target/release/earshot")))?;
    // Intelligibility through the implant and the temporal distortion: speech from
    // espeak-ng, STOI from pystoi.
    ensure_apt(&["espeak-ng"])?;
    run(Command::new(&py)
        .arg("tests/python/test_stoi.py")
        .env("EARSHOT_CLI", root.join("target/release/earshot")))?;
    eprintln!("\nall tests passed");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => build(),
        Some("test") => test(),
        Some("screenshot") => screenshot(),
        _ => {
            std::env::set_current_dir(root()).ok();
            nice_plug_xtask::main_with_args("cargo xtask", args).map_err(|e| e.to_string())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
