//! Speed of the engine and the loss stage: 48 kHz stereo, 128-sample blocks.
//! `cargo bench` prints criterion's timings plus "× real time" (audio seconds per CPU second,
//! one core) for each case.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use earshot::dsp::audiogram::Preset;
use earshot::dsp::loss::{LossControl, LossStage};
use earshot::dsp::{Engine, EngineParams};
use std::hint::black_box;
use std::time::Instant;

const FS: f32 = 48000.0;
const BLOCK: usize = 128;

fn signal(n: usize) -> Vec<f32> {
    let mut seed = 1u32;
    (0..n)
        .map(|i| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            0.1 * (i as f32 * 0.0523).sin()
                + 0.05 * ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
        })
        .collect()
}

/// Run `f` over `seconds` of audio in blocks and report × real time.
fn realtime(name: &str, seconds: f32, mut f: impl FnMut()) {
    let blocks = (seconds * FS / BLOCK as f32) as usize;
    let t = Instant::now();
    for _ in 0..blocks {
        f();
    }
    let el = t.elapsed().as_secs_f64();
    eprintln!(
        "{name}: {:.0}× real time (48 kHz stereo, {BLOCK}-sample blocks)",
        seconds as f64 / el
    );
}

fn ruben(severity: f32) -> EngineParams {
    let a = Preset::Ruben.audiogram();
    EngineParams {
        severity,
        left: a,
        right: a,
        ..EngineParams::default()
    }
}

fn bench(c: &mut Criterion) {
    let x = signal(BLOCK);
    let mut g = c.benchmark_group("48k_stereo_128");
    g.throughput(Throughput::Elements(BLOCK as u64));

    for (name, params) in [
        ("engine_severe_loss", ruben(1.0)),
        (
            "engine_mild_loss",
            EngineParams {
                severity: 1.0,
                left: Preset::Mild.audiogram(),
                right: Preset::Mild.audiogram(),
                ..EngineParams::default()
            },
        ),
        ("engine_transparent", ruben(0.0)),
        (
            "engine_implant_22ch",
            EngineParams {
                implant: earshot::dsp::engine::ImplantParams {
                    amount: 1.0,
                    channels: 22,
                    ..Default::default()
                },
                ..ruben(1.0)
            },
        ),
    ] {
        let mut e = Engine::new(FS, &params);
        let (mut l, mut r) = (x.clone(), x.clone());
        g.bench_function(name, |b| {
            b.iter(|| {
                l.copy_from_slice(&x);
                r.copy_from_slice(&x);
                e.process(&mut [&mut l, &mut r]);
                black_box(&l);
            })
        });
        realtime(name, 20.0, || {
            l.copy_from_slice(&x);
            r.copy_from_slice(&x);
            e.process(&mut [&mut l, &mut r]);
            black_box(&l);
        });
    }

    // The loss stage alone (two ears, as the engine runs them), full fidelity: MSBG's severe
    // bank and smearing. Linked ears share one pass over the smearing matrix; ears in
    // different degree classes (here Ruben and a moderate flat loss) cannot.
    for (name, right) in [
        ("loss_stage_severe", Preset::Ruben),
        ("loss_stage_severe_unlinked", Preset::Moderate),
    ] {
        let ctl = |p: Preset| LossControl {
            audiogram: p.audiogram(),
            ..LossControl::default()
        };
        let (cl, cr) = (ctl(Preset::Ruben), ctl(right));
        let [mut left, mut right] = [LossStage::new(FS), LossStage::new(FS)];
        let [mut l, mut r] = [x.clone(), x.clone()];
        let mut run = || {
            l.copy_from_slice(&x);
            r.copy_from_slice(&x);
            let mut pos = 0;
            while pos < BLOCK {
                let n = (BLOCK - pos).min(left.until_frame());
                LossStage::process_stereo(
                    [&mut left, &mut right],
                    [&mut l[pos..pos + n], &mut r[pos..pos + n]],
                    [&cl, &cr],
                );
                pos += n;
            }
            black_box((&l, &r));
        };
        g.bench_function(name, |b| b.iter(&mut run));
        realtime(name, 20.0, &mut run);
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
