//! Runs the loss stage (both ears, linked, as the engine runs them) on 20 s of the demo drums
//! at 48 kHz and prints × real time (a quick check between benchmark runs; also the
//! workload for `perf record` or `valgrind --tool=callgrind`: build it with
//! `cargo build --profile profiling --example profile_loss`, which keeps the symbols and line
//! tables the release profile strips).
use earshot::dsp::audiogram::Preset;
use earshot::dsp::loss::{LossEar, LossEarControl};

fn main() {
    let fs = 48000.0;
    let ctl = LossEarControl {
        audiogram: Preset::Ruben.audiogram(),
        ..LossEarControl::default()
    };
    let [mut a, mut b] = [LossEar::new(fs), LossEar::new(fs)];
    let [mut l, mut r] = earshot::material::drums(fs, 20.0);
    let t0 = std::time::Instant::now();
    let mut pos = 0;
    while pos < l.len() {
        let n = (l.len() - pos).min(a.until_frame());
        LossEar::process_stereo(
            [&mut a, &mut b],
            [&mut l[pos..pos + n], &mut r[pos..pos + n]],
            [&ctl, &ctl],
        );
        pos += n;
    }
    let secs = l.len() as f64 / fs as f64;
    eprintln!(
        "{:.0}x real time (stereo, chunks up to one hop)",
        secs / t0.elapsed().as_secs_f64()
    );
    println!("{}", l.iter().chain(&r).sum::<f32>());
}
