//! Speed of the engine and the loss stage: 48 kHz stereo, 128-sample blocks.
//! `cargo bench` prints criterion's timings plus "× real time" (audio seconds per CPU second,
//! one core) for each case.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use earshot::dsp::audiogram::Preset;
use earshot::dsp::body::{BodyControl, BodyLayer};
use earshot::dsp::calibration::Calibration;
use earshot::dsp::loss::{latency_for, LossControl, LossStage};
use earshot::dsp::tinnitus::{Tinnitus, TinnitusControl, TinnitusKind};
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

/// One block of the stereo pair `l`, `r`, both starting as `x`: `step(pos, l, r)` gets the
/// rest of the block from `pos` and returns how much of it it processed (its chunk).
fn in_chunks(
    x: &[f32],
    l: &mut [f32],
    r: &mut [f32],
    mut step: impl FnMut(usize, &mut [f32], &mut [f32]) -> usize,
) {
    l.copy_from_slice(x);
    r.copy_from_slice(x);
    let mut pos = 0;
    while pos < l.len() {
        pos += step(pos, &mut l[pos..], &mut r[pos..]);
    }
    black_box((&l, &r));
}

/// Run `f` over `seconds` of audio in blocks and report × real time (also returned).
fn realtime(name: &str, seconds: f32, mut f: impl FnMut()) -> f64 {
    let blocks = (seconds * FS / BLOCK as f32) as usize;
    let t = Instant::now();
    for _ in 0..blocks {
        f();
    }
    let el = t.elapsed().as_secs_f64();
    let x = seconds as f64 / el;
    eprintln!("{name}: {x:.0}× real time (48 kHz stereo, {BLOCK}-sample blocks)");
    x
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

    // What the editor costs the audio thread: the snapshot writer after each block, with the
    // window closed (one atomic load) and open (a copy of the tap into the triple buffer about
    // 60 times a second), beside the engine it follows.
    {
        let mut e = Engine::new(FS, &ruben(1.0));
        let (mut l, mut r) = (x.clone(), x.clone());
        e.process(&mut [&mut l, &mut r]);
        for open in [false, true] {
            let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(open));
            let (mut w, _reader) = earshot::editor::snapshot::channel(flag);
            let name = if open {
                "snapshot_writer_editor_open"
            } else {
                "snapshot_writer_editor_closed"
            };
            g.bench_function(name, |b| b.iter(|| w.after_block(black_box(&e), BLOCK)));
        }
    }

    let mut loss_x = 0.0;
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
            in_chunks(&x, &mut l, &mut r, |_, l, r| {
                let n = l.len().min(left.until_frame());
                LossStage::process_stereo(
                    [&mut left, &mut right],
                    [&mut l[..n], &mut r[..n]],
                    [&cl, &cr],
                );
                n
            })
        };
        g.bench_function(name, |b| b.iter(&mut run));
        let v = realtime(name, 20.0, &mut run);
        if name == "loss_stage_severe" {
            loss_x = v;
        }
    }

    // Tinnitus and body layer alone, in the engine's chunks (one loss-stage hop): at their
    // most expensive (a noise band with intermittency, exposure and masking; the body with
    // octave-down and own voice), and as typically used (a matched tone with the default
    // masking; the felt thump alone).
    let heavy = (
        TinnitusControl {
            amount: 1.0,
            kind: TinnitusKind::NoiseBand,
            duty: 0.5,
            rate_per_min: 20.0,
            masking: 1.0,
            exposure: 1.0,
            ..TinnitusControl::default()
        },
        BodyControl {
            amount: 1.0,
            octave: 0.5,
            voice: 0.5,
            ..BodyControl::default()
        },
    );
    let typical = (
        TinnitusControl {
            amount: 1.0,
            ..TinnitusControl::default()
        },
        BodyControl {
            amount: 1.0,
            ..BodyControl::default()
        },
    );
    for (name, (ctl, body)) in [
        ("tinnitus_and_body_heavy", heavy),
        ("tinnitus_and_body_typical", typical),
    ] {
        let chunk = latency_for(FS) / 4;
        let mut t = Tinnitus::new(FS, chunk);
        t.set(&ctl);
        let mut layer = BodyLayer::new(FS);
        let a = Preset::Ruben.audiogram();
        let cal = Calibration::default();
        let [mut l, mut r] = [x.clone(), x.clone()];
        let mut run = || {
            in_chunks(&x, &mut l, &mut r, |pos, l, r| {
                let n = l.len().min(chunk);
                let w = &x[pos..pos + n];
                let (l, r) = (&mut l[..n], &mut r[..n]);
                t.process(&ctl, &[w, w], &mut [&mut *l, &mut *r], [&a, &a], cal);
                layer.process(&[w, w], &mut [l, r], &body, &body);
                n
            })
        };
        g.bench_function(name, |b| b.iter(&mut run));
        let v = realtime(name, 20.0, &mut run);
        eprintln!(
            "{name}: cost {:.1} % of the loss stage (target ≤ 10 %)",
            100.0 * loss_x / v
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
