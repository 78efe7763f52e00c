//! Earshot as a standalone app: nice-plug's standalone wrapper (JACK, ALSA or a dummy audio
//! backend) with the editor in its own window. Built with `--features standalone`.
//!
//! Two options of its own, before nice-plug's (`--help` lists those):
//! - `--preset ID`: start with a factory preset (`earshot presets` lists them);
//! - `--demo-input`: play the project's demo drum loop instead of the audio input, so the
//!   editor has something to show on a machine without one (the test command's screenshot
//!   uses it with the dummy backend).

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut demo = earshot::StandaloneDemo::default();
    let mut rest = vec![std::env::args().next().unwrap_or_default()];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--demo-input" => demo.demo_input = true,
            "--preset" => match args.next() {
                Some(id) => {
                    if let Err(e) = earshot::presets::find(&id) {
                        eprintln!("earshot-standalone: {e}");
                        return ExitCode::FAILURE;
                    }
                    demo.preset = Some(id);
                }
                None => {
                    eprintln!("earshot-standalone: --preset needs an id (see `earshot presets`)");
                    return ExitCode::FAILURE;
                }
            },
            _ => rest.push(a),
        }
    }
    earshot::set_standalone_demo(demo);
    if nice_plug::wrapper::standalone::nice_export_standalone_with_args::<earshot::Earshot, _>(rest)
    {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
