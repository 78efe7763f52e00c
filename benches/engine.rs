//! Speed of the engine and the loss stage: 48 kHz stereo, 128-sample blocks, on program
//! material (`earshot::material`: drums, speech-like sound, white noise), never one block fed
//! again and again: a repeated block keeps every cache warm and every envelope steady, and
//! reported twice the speed the plugin has in a host.
//! `cargo bench` prints criterion's timings (over successive blocks of 30 s of drums) plus
//! "× real time" (audio seconds per CPU second, one core) for each case and material.

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use earshot::dsp::audiogram::Preset;
use earshot::dsp::body::{BodyControls, BodyLayer};
use earshot::dsp::calibration::Calibration;
use earshot::dsp::hearing::tts::{Tts, TtsControls};
use earshot::dsp::hearing::Hearing;
use earshot::dsp::implant::carrier::CarrierKind;
use earshot::dsp::implant::electrodogram::{Electrodogram, DEFAULT_FRAMES};
use earshot::dsp::implant::{Implant, ImplantControls};
use earshot::dsp::jitter::{Jitter, JitterControls};
use earshot::dsp::loss::{latency_for, LossEar, LossEarControl};
use earshot::dsp::stage::Stage;
use earshot::dsp::tinnitus::{Tinnitus, TinnitusControls, TinnitusKind};
use earshot::dsp::{Engine, EngineParams};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

const FS: f32 = 48000.0;
const BLOCK: usize = 128;

/// Seconds of each material the × real time figures run over.
const SECONDS: f32 = 30.0;
const MATERIALS: [&str; 3] = ["drums", "speech", "noise"];

/// Program material, stereo, at `rate`.
fn material(name: &str, rate: f32) -> [Vec<f32>; 2] {
    earshot::material::by_name(name, rate, SECONDS).expect("known material")
}

/// Successive 128-sample blocks of a long stereo signal, wrapping at its end.
struct Blocks {
    x: [Vec<f32>; 2],
    pos: usize,
}

impl Blocks {
    fn new(x: [Vec<f32>; 2]) -> Self {
        Self { x, pos: 0 }
    }
    /// Copies the next block into `l`, `r` (each `BLOCK` long).
    fn next_into(&mut self, l: &mut [f32], r: &mut [f32]) {
        if self.pos + l.len() > self.x[0].len() {
            self.pos = 0;
        }
        let end = self.pos + l.len();
        l.copy_from_slice(&self.x[0][self.pos..end]);
        r.copy_from_slice(&self.x[1][self.pos..end]);
        self.pos = end;
    }
    fn blocks(&self) -> usize {
        self.x[0].len() / BLOCK
    }
}

/// One block from `src` into `l`, `r`; `step(pos, l, r)` gets the rest of the block from
/// `pos` and returns how much of it it processed (its chunk).
fn in_chunks(
    src: &mut Blocks,
    l: &mut [f32],
    r: &mut [f32],
    mut step: impl FnMut(usize, &mut [f32], &mut [f32]) -> usize,
) {
    src.next_into(l, r);
    let mut pos = 0;
    while pos < l.len() {
        pos += step(pos, &mut l[pos..], &mut r[pos..]);
    }
    black_box((&l, &r));
}

/// Run `f` once per block of `src` (all of it) and report × real time at `rate` (returned).
fn realtime(name: &str, rate: f32, src: &mut Blocks, mut f: impl FnMut(&mut Blocks)) -> f64 {
    let blocks = src.blocks();
    src.pos = 0;
    let t = Instant::now();
    for _ in 0..blocks {
        f(src);
    }
    let el = t.elapsed().as_secs_f64();
    let x = (blocks * BLOCK) as f64 / rate as f64 / el;
    eprintln!(
        "{name}: {x:.0}× real time ({:.1} kHz stereo, {BLOCK}-sample blocks, {:.0} s)",
        rate / 1000.0,
        (blocks * BLOCK) as f32 / rate
    );
    x
}

/// A case at 48 kHz: criterion's timing over successive blocks of the drums, then × real time
/// on each material.
fn on_materials(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    run: &mut impl FnMut(&mut Blocks),
) {
    let mut src = Blocks::new(material("drums", FS));
    g.bench_function(name, |b| b.iter(|| run(&mut src)));
    for m in MATERIALS {
        realtime(
            &format!("{name} on {m}"),
            FS,
            &mut Blocks::new(material(m, FS)),
            &mut *run,
        );
    }
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
    let mut g = c.benchmark_group("48k_stereo_128");
    g.throughput(Throughput::Elements(BLOCK as u64));
    let drums = || Blocks::new(material("drums", FS));

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
        // The threshold shift's own cost: its analysis runs (amount on) but the shift is
        // capped at 0, so the loss stage sees the same audiograms as engine_severe_loss.
        (
            "engine_severe_loss_tts_analysis",
            EngineParams {
                tts: TtsControls {
                    amount: 1.0,
                    max_db: 0.0,
                    ..TtsControls::default()
                },
                ..ruben(1.0)
            },
        ),
        // And shifting for real (an hour per 10 s): the loss stage then runs on the shifted
        // audiograms.
        (
            "engine_severe_loss_tts",
            EngineParams {
                tts: TtsControls {
                    amount: 1.0,
                    time_scale: 360.0,
                    ..TtsControls::default()
                },
                ..ruben(1.0)
            },
        ),
        // And the temporal distortion on top (0.25 ms): its cost in the engine, to compare
        // with the VST3 in a host (`tests/python/host_speed.py`).
        (
            "engine_severe_loss_tts_jitter",
            EngineParams {
                tts: TtsControls {
                    amount: 1.0,
                    time_scale: 360.0,
                    ..TtsControls::default()
                },
                jitter: JitterControls {
                    amount_ms: 0.25,
                    ..JitterControls::default()
                },
                ..ruben(1.0)
            },
        ),
        (
            "engine_implant_22ch",
            EngineParams {
                implant: earshot::dsp::implant::ImplantControls {
                    amount: 1.0,
                    channels: 22,
                    ..Default::default()
                },
                ..ruben(1.0)
            },
        ),
        (
            // Everything at once (issue: the whole chain >= 150x): a severe loss and a
            // 22-channel implant with the acoustic crossover at 500 Hz, so both stages run,
            // a tonal ringing with masking, the felt thump with octave-down.
            "engine_whole_chain",
            EngineParams {
                implant: earshot::dsp::implant::ImplantControls {
                    amount: 1.0,
                    channels: 22,
                    eas_hz: 500.0,
                    ..Default::default()
                },
                tinnitus: TinnitusControls {
                    amount: 1.0,
                    kind: TinnitusKind::Tone,
                    masking: 0.5,
                    ..TinnitusControls::default()
                },
                body: BodyControls {
                    amount: 1.0,
                    octave: 1.0,
                    ..BodyControls::default()
                },
                ..ruben(1.0)
            },
        ),
    ] {
        let mut e = Engine::new(FS, &params);
        let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
        let mut run = |src: &mut Blocks| {
            src.next_into(&mut l, &mut r);
            e.process(&mut [&mut l, &mut r]);
            black_box(&l);
        };
        on_materials(&mut g, name, &mut run);
    }

    // The engine at rest: silent input, no ringing, after the tails have died (severe loss,
    // 22-channel implant: what a track with Earshot costs while nothing plays on it).
    {
        let mut e = Engine::new(
            FS,
            &EngineParams {
                implant: earshot::dsp::implant::ImplantControls {
                    amount: 1.0,
                    channels: 22,
                    eas_hz: 500.0,
                    ..Default::default()
                },
                ..ruben(1.0)
            },
        );
        let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
        let mut run = |src: &mut Blocks| {
            src.next_into(&mut l, &mut r);
            e.process(&mut [&mut l, &mut r]);
            black_box(&l);
        };
        let mut silence = Blocks::new([vec![0.0; FS as usize], vec![0.0; FS as usize]]);
        for _ in 0..silence.blocks() {
            run(&mut silence);
        }
        g.bench_function("engine_at_rest", |b| b.iter(|| run(&mut silence)));
        let rest = realtime("engine_at_rest on silence", FS, &mut silence, &mut run);
        // The same engine busy, on drums: a silent block must cost ≤ 5 % of a busy one.
        let busy = realtime(
            "engine_at_rest's settings on drums",
            FS,
            &mut drums(),
            &mut run,
        );
        eprintln!(
            "engine_at_rest: a silent block costs {:.1} % of a busy one (target ≤ 5 %)",
            100.0 * busy / rest
        );
    }

    // What the editor costs the audio thread: the snapshot writer after each block, with the
    // window closed (one atomic load) and open (a copy of the tap into the triple buffer about
    // 60 times a second), beside the engine it follows.
    {
        let mut e = Engine::new(FS, &ruben(1.0));
        let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
        drums().next_into(&mut l, &mut r);
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

    // The implant stage alone (both ears, as the engine runs it: n-of-m 8 of 22, chunks that
    // end at the loss stage's frames inside 128-sample blocks), noise and metallic carriers,
    // 22 and 8 channels (issue: >= 300x at 22, >= 500x at 8).
    for (channels, carrier) in [
        (22, CarrierKind::Noise),
        (22, CarrierKind::Metallic),
        (8, CarrierKind::Noise),
        (8, CarrierKind::Metallic),
    ] {
        let controls = ImplantControls {
            amount: 1.0,
            channels,
            maxima: 8.min(channels),
            carrier,
            ..ImplantControls::default()
        };
        let hop = earshot::dsp::loss::hop_for(FS);
        let ring = || Arc::new(Electrodogram::new(DEFAULT_FRAMES));
        let mut implant = Implant::new(FS, hop, &controls, [ring(), ring()]);
        let hearing = Hearing::default();
        let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
        let (mut yl, mut yr) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
        let mut done = 0usize;
        let mut run = |src: &mut Blocks| {
            in_chunks(src, &mut l, &mut r, |pos, l, r| {
                let n = l.len().min(hop - (done + pos) % hop);
                implant.process(
                    &hearing,
                    &[&l[..n], &r[..n]],
                    &mut [&mut yl[pos..pos + n], &mut yr[pos..pos + n]],
                );
                n
            });
            done += BLOCK;
            black_box((&yl, &yr));
        };
        let name = format!("implant_stage_{channels}ch_{carrier:?}").to_lowercase();
        on_materials(&mut g, &name, &mut run);
    }

    // The loss stage's × real time on each material (MATERIALS' order), at 48 kHz: what the
    // smaller parts' costs are measured against.
    let mut loss_on = [0.0; MATERIALS.len()];
    // The loss stage alone (two ears, as the engine runs them), full fidelity: MSBG's severe
    // bank and smearing. Linked ears share one pass over the smearing matrix; ears in
    // different degree classes (here Ruben and a moderate flat loss) cannot. Also at 44.1
    // and 96 kHz (the same durations, so more samples per frame at 96 kHz).
    for (name, right) in [
        ("loss_stage_severe", Preset::Ruben),
        ("loss_stage_severe_unlinked", Preset::Moderate),
    ] {
        let ctl = |p: Preset| LossEarControl {
            audiogram: p.audiogram(),
            ..LossEarControl::default()
        };
        let (cl, cr) = (ctl(Preset::Ruben), ctl(right));
        for rate in [FS, 44100.0, 96000.0] {
            let [mut left, mut right] = [LossEar::new(rate), LossEar::new(rate)];
            let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
            let mut run = |src: &mut Blocks| {
                in_chunks(src, &mut l, &mut r, |_, l, r| {
                    let n = l.len().min(left.until_frame());
                    LossEar::process_stereo(
                        [&mut left, &mut right],
                        [&mut l[..n], &mut r[..n]],
                        [&cl, &cr],
                    );
                    n
                })
            };
            if rate == FS {
                let mut src = drums();
                g.bench_function(name, |b| b.iter(|| run(&mut src)));
            }
            for (i, m) in MATERIALS.into_iter().enumerate() {
                let v = realtime(
                    &format!("{name} on {m}"),
                    rate,
                    &mut Blocks::new(material(m, rate)),
                    &mut run,
                );
                if name == "loss_stage_severe" && rate == FS {
                    loss_on[i] = v;
                }
            }
        }
    }
    let loss_x = loss_on[0];

    // Tinnitus and body layer alone, in the engine's chunks (one loss-stage hop): at their
    // most expensive (a noise band with intermittency, exposure and masking; the body with
    // octave-down and own voice), and as typically used (a matched tone with the default
    // masking; the felt thump alone).
    let heavy = (
        TinnitusControls {
            amount: 1.0,
            kind: TinnitusKind::NoiseBand,
            duty: 0.5,
            rate_per_min: 20.0,
            masking: 1.0,
            exposure: 1.0,
            ..TinnitusControls::default()
        },
        BodyControls {
            amount: 1.0,
            octave: 0.5,
            voice: 0.5,
            ..BodyControls::default()
        },
    );
    let typical = (
        TinnitusControls {
            amount: 1.0,
            ..TinnitusControls::default()
        },
        BodyControls {
            amount: 1.0,
            ..BodyControls::default()
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
        let hearing = Hearing {
            audiograms: [a, a],
            calibration: Calibration::default(),
            ..Hearing::default()
        };
        let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
        let mut world = vec![0.0; BLOCK];
        let mut run = |src: &mut Blocks| {
            in_chunks(src, &mut l, &mut r, |pos, l, r| {
                let n = l.len().min(chunk);
                if pos == 0 {
                    // The untouched block: the world both stages listen to.
                    world.copy_from_slice(l);
                }
                let w = &world[pos..pos + n];
                let (l, r) = (&mut l[..n], &mut r[..n]);
                t.process(&hearing, &[w, w], &mut [&mut *l, &mut *r]);
                layer.process(&[w, w], &mut [l, r], &body, &body);
                n
            })
        };
        let mut src = drums();
        g.bench_function(name, |b| b.iter(|| run(&mut src)));
        let v = realtime(&format!("{name} on drums"), FS, &mut drums(), &mut run);
        eprintln!(
            "{name}: cost {:.1} % of the loss stage (target ≤ 10 %)",
            100.0 * loss_x / v
        );
    }

    // The reacting features in the engine's chunks, each beside the loss stage's cost: the
    // threshold shift alone (its band analysis and model on the drums, 100 dB SPL peaks at the
    // default calibration, shifting an hour per 10 s), the temporal distortion alone
    // (0.25 ms, both ears independent), and both together.
    for (name, with_tts, with_jitter) in [
        ("threshold_shift", true, false),
        ("jitter", false, true),
        ("threshold_shift_and_jitter", true, true),
    ] {
        let chunk = latency_for(FS) / 4;
        let mut tts = Tts::new(
            FS,
            &TtsControls {
                amount: 1.0,
                time_scale: 360.0,
                ..TtsControls::default()
            },
        );
        let mut jitter = Jitter::new(
            FS,
            &JitterControls {
                amount_ms: 0.25,
                ..JitterControls::default()
            },
        );
        let cal = Calibration::default();
        let mut hearing = Hearing::default();
        let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
        let mut run = |src: &mut Blocks| {
            in_chunks(src, &mut l, &mut r, |_, l, r| {
                let n = l.len().min(chunk);
                if with_tts {
                    tts.process(&[&l[..n], &r[..n]], cal);
                    tts.apply(&mut hearing);
                    black_box(&hearing);
                }
                if with_jitter {
                    jitter.process(&hearing, &[], &mut [&mut l[..n], &mut r[..n]]);
                }
                n
            })
        };
        let mut src = drums();
        g.bench_function(name, |b| b.iter(|| run(&mut src)));
        for (m, loss) in MATERIALS.into_iter().zip(loss_on) {
            let v = realtime(
                &format!("{name} on {m}"),
                FS,
                &mut Blocks::new(material(m, FS)),
                &mut run,
            );
            eprintln!(
                "{name} on {m}: cost {:.1} % of the loss stage on {m}{}",
                100.0 * loss / v,
                if with_tts && with_jitter {
                    " (target ≤ 10 %)"
                } else {
                    ""
                }
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
