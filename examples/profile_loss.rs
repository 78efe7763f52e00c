//! Runs the loss stage on 20 s of 48 kHz stereo and prints × real time (a quick check between
//! benchmark runs; also the workload for `perf record` or `valgrind --tool=callgrind`).
use earshot::dsp::audiogram::Preset;
use earshot::dsp::loss::{LossControl, LossStage};

fn main() {
    let fs = 48000.0;
    let ctl = LossControl {
        audiogram: Preset::Ruben.audiogram(),
        ..LossControl::default()
    };
    let mut ears = [LossStage::new(fs), LossStage::new(fs)];
    let mut seed = 1u32;
    let x: Vec<f32> = (0..(20.0 * fs) as usize)
        .map(|i| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            0.1 * (i as f32 * 0.0523).sin()
                + 0.05 * ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
        })
        .collect();
    let mut sum = 0.0f32;
    let t0 = std::time::Instant::now();
    for ear in ears.iter_mut() {
        let mut buf = x.clone();
        let mut pos = 0;
        while pos < buf.len() {
            let n = (buf.len() - pos).min(ear.until_frame());
            ear.process(&mut buf[pos..pos + n], &ctl);
            pos += n;
        }
        sum += buf.iter().sum::<f32>();
    }
    let secs = x.len() as f64 / fs as f64;
    eprintln!(
        "{:.0}x real time (stereo, chunks up to one hop)",
        secs / t0.elapsed().as_secs_f64()
    );
    println!("{sum}");
}
