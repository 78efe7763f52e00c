//! Runs the implant stage alone (both ears, as the engine runs it: 22 channels, n-of-m 8 of 22,
//! noise or metallic carriers, chunks of one loss-stage hop inside 128-sample blocks) on 20 s
//! of the drums at 48 kHz and prints × real time. The workload for `perf record` or
//! `valgrind --tool=callgrind`: build it with
//! `cargo build --profile profiling --example profile_implant` (symbols and line tables).
//!
//! ```text
//! target/profiling/examples/profile_implant [noise|metallic] [channels]
//! ```

use earshot::dsp::hearing::Hearing;
use earshot::dsp::implant::carrier::CarrierKind;
use earshot::dsp::implant::electrodogram::{Electrodogram, DEFAULT_FRAMES};
use earshot::dsp::implant::{Implant, ImplantControls};
use earshot::dsp::loss::hop_for;
use earshot::dsp::stage::Stage;
use std::sync::Arc;

fn main() {
    let fs = 48000.0;
    let mut args = std::env::args().skip(1);
    let carrier = match args.next().as_deref() {
        Some("metallic") => CarrierKind::Metallic,
        _ => CarrierKind::Noise,
    };
    let channels = args.next().and_then(|a| a.parse().ok()).unwrap_or(22);
    let controls = ImplantControls {
        amount: 1.0,
        channels,
        maxima: 8.min(channels),
        carrier,
        ..ImplantControls::default()
    };
    let hop = hop_for(fs);
    let ring = || Arc::new(Electrodogram::new(DEFAULT_FRAMES));
    let mut implant = Implant::new(fs, hop, &controls, [ring(), ring()]);
    let world = earshot::material::drums(fs, 20.0);
    let mut ears = world.clone();
    let hearing = Hearing::default();
    let t0 = std::time::Instant::now();
    let mut pos = 0;
    while pos < world[0].len() {
        // A 128-sample host block, in chunks that end at the loss stage's frames.
        let block_end = (pos + 128).min(world[0].len());
        while pos < block_end {
            let n = (block_end - pos).min(hop - pos % hop);
            let [l, r] = &mut ears;
            implant.process(
                &hearing,
                &[&world[0][pos..pos + n], &world[1][pos..pos + n]],
                &mut [&mut l[pos..pos + n], &mut r[pos..pos + n]],
            );
            pos += n;
        }
    }
    let secs = world[0].len() as f64 / fs as f64;
    eprintln!(
        "implant, {channels} channels, {carrier:?}: {:.0}x real time (48 kHz stereo)",
        secs / t0.elapsed().as_secs_f64()
    );
    std::hint::black_box(&ears);
}
