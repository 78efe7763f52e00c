//! The contract every stage keeps (`crates/earshot-dsp/src/stage.rs`), written once and checked
//! for all six (loss, implant, tinnitus, body, temporal distortion, mix) on 2 s of stereo
//! drums:
//! - a reset reproduces the same output, bit for bit;
//! - the output does not depend on how the host cuts its blocks: bit for bit (tinnitus and
//!   body: from 0.1 s after a reset, once the fade-in their per-block ramps shape has
//!   settled; before that within 1 % of the energy);
//! - `prepare` for another rate equals a stage built at that rate;
//! - while `is_idle`, `process` leaves the ears untouched, bit for bit;
//! - `set` and `process` never allocate or free, for any control value;
//! - the output stays finite for the loudest input the engine lets through (±1e4, as
//!   `engine::BAD_INPUT_ABS`), DC, clicks and silence, at every control's extremes. (NaN and
//!   Inf never reach a stage: the engine mutes them first, `tests/bad_input.rs`.)
//!
//! This binary installs `nice_assert_no_alloc`'s counting allocator (warn mode).

use earshot::dsp::audiogram::Preset;
use earshot::dsp::body::{Body, BodyControls};
use earshot::dsp::calibration::Calibration;
use earshot::dsp::control::Control;
use earshot::dsp::engine::BAD_INPUT_ABS;
use earshot::dsp::hearing::Hearing;
use earshot::dsp::implant::carrier::CarrierKind;
use earshot::dsp::implant::electrodogram::Electrodogram;
use earshot::dsp::implant::{self, Implant, ImplantControls};
use earshot::dsp::jitter::{self, Jitter, JitterControls};
use earshot::dsp::loss::{Loss, LossControls};
use earshot::dsp::mix::{self, Mix, MixControls};
use earshot::dsp::stage::Stage;
use earshot::dsp::tinnitus::{self, Tinnitus, TinnitusControls, TinnitusEar, TinnitusKind};
use earshot::dsp::{body, loss};
use earshot::material;
use nice_assert_no_alloc::{
    assert_no_alloc, reset_violation_count, violation_count, AllocDisabler,
};
use std::sync::Arc;

#[global_allocator]
static A: AllocDisabler = AllocDisabler;

const FS: f32 = 48000.0;
/// The longest chunk the tests hand a stage (the engine's are one loss-stage hop, ≤ 70).
const MAX_BLOCK: usize = 512;

/// How each stage is built, switched on, made idle and pushed to its extremes.
struct Case<S: Stage> {
    name: &'static str,
    make: fn(f32) -> S,
    on: S::Controls,
    /// Puts the stage in its idle state (`None`: the stage is never idle).
    idle: Option<fn(&mut S)>,
    extremes: Vec<S::Controls>,
    /// How long the output may depend on the block cutting after a reset, s (`None`: never):
    /// a stage whose ramps are read per block renders other cuttings slightly differently
    /// while the ramps from the reset (a fade-in) move; from then on, bit for bit.
    block_settle_s: Option<f32>,
}

fn hearing() -> Hearing {
    let a = Preset::Ruben.audiogram();
    Hearing {
        audiograms: [a, a.scaled(0.5)],
        calibration: Calibration::default(),
        ..Hearing::default()
    }
}

/// 2 s of the stereo drum loop: the world; the ears start as the same sound 6 dB down (what
/// an earlier stage left).
fn material() -> ([Vec<f32>; 2], [Vec<f32>; 2]) {
    let world = material::drums(FS, 2.0);
    let ears = world.clone().map(|c| c.iter().map(|v| 0.5 * v).collect());
    (world, ears)
}

/// Runs `stage` over the material in blocks of the given sizes (cycled).
fn run<S: Stage>(
    stage: &mut S,
    world: &[Vec<f32>; 2],
    ears: &[Vec<f32>; 2],
    blocks: &[usize],
) -> [Vec<f32>; 2] {
    let h = hearing();
    let mut out = ears.clone();
    let [ol, or] = &mut out;
    let (mut pos, mut i) = (0, 0);
    while pos < ol.len() {
        let n = blocks[i % blocks.len()].min(ol.len() - pos);
        let span = pos..pos + n;
        stage.process(
            &h,
            &[&world[0][span.clone()], &world[1][span.clone()]],
            &mut [&mut ol[span.clone()], &mut or[span]],
        );
        pos += n;
        i += 1;
    }
    out
}

fn bit_identical(a: &[Vec<f32>; 2], b: &[Vec<f32>; 2]) -> bool {
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Energy of a − b re the energy of a, dB.
fn difference_db(a: &[Vec<f32>; 2], b: &[Vec<f32>; 2]) -> f64 {
    let (mut d, mut e) = (0.0f64, 0.0f64);
    for (x, y) in a.iter().flatten().zip(b.iter().flatten()) {
        d += (*x as f64 - *y as f64).powi(2);
        e += (*x as f64).powi(2);
    }
    10.0 * (d.max(1e-300) / e.max(1e-300)).log10()
}

/// Block sizes a host may send: irregular, from 1 sample to `MAX_BLOCK` (seeded).
fn irregular_blocks() -> Vec<usize> {
    let mut s = 0x2545_f491u32;
    (0..97)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            1 + (s as usize % MAX_BLOCK)
        })
        .collect()
}

fn fresh<S: Stage>(c: &Case<S>, fs: f32) -> S
where
    S::Controls: Copy,
{
    let mut s = (c.make)(fs);
    s.set(&c.on);
    s.reset();
    s
}

fn check<S: Stage>(c: Case<S>)
where
    S::Controls: Copy,
{
    let (world, ears) = material();
    let name = c.name;

    // A reset reproduces.
    let mut s = fresh(&c, FS);
    let first = run(&mut s, &world, &ears, &[128]);
    s.reset();
    let again = run(&mut s, &world, &ears, &[128]);
    assert!(
        bit_identical(&first, &again),
        "{name}: a reset does not reproduce"
    );
    assert!(
        difference_db(&first, &ears) > -200.0,
        "{name}: the switched-on stage changes nothing, so this test would prove nothing"
    );

    // Block cutting.
    let irregular = run(&mut fresh(&c, FS), &world, &ears, &irregular_blocks());
    let settled = |x: &[Vec<f32>; 2]| {
        let from = (c.block_settle_s.unwrap_or(0.0) * FS) as usize;
        x.clone().map(|ch| ch[from..].to_vec())
    };
    assert!(
        bit_identical(&settled(&first), &settled(&irregular)),
        "{name}: irregular blocks render differently ({:.1} dB after {:?} s)",
        difference_db(&settled(&first), &settled(&irregular)),
        c.block_settle_s
    );
    let d = difference_db(&first, &irregular);
    eprintln!("{name}: irregular blocks differ by {d:.1} dB over the whole render");
    // Before settling: at most a slight difference (1 % of the output's energy).
    assert!(d < -20.0, "{name}: irregular blocks differ by {d:.1} dB");

    // prepare() for another rate is a stage built at that rate.
    let mut moved = fresh(&c, FS);
    run(&mut moved, &world, &ears, &[128]);
    moved.prepare(44100.0, MAX_BLOCK);
    let built = run(&mut fresh(&c, 44100.0), &world, &ears, &[128]);
    let prepared = run(&mut moved, &world, &ears, &[128]);
    assert!(
        bit_identical(&built, &prepared),
        "{name}: prepare differs from a new stage"
    );

    // Idle leaves the ears untouched.
    if let Some(idle) = c.idle {
        let mut s = fresh(&c, FS);
        idle(&mut s);
        let mut out = ears.clone();
        let h = hearing();
        let [l, r] = &mut out;
        for (pos, (l, r)) in l.chunks_mut(128).zip(r.chunks_mut(128)).enumerate() {
            let span = pos * 128..pos * 128 + l.len();
            assert!(s.is_idle(), "{name}: not idle");
            s.process(&h, &[&world[0][span.clone()], &world[1][span]], &mut [l, r]);
        }
        assert!(
            bit_identical(&out, &ears),
            "{name}: an idle stage changed the ears"
        );
    }

    // No allocation, and finite output, at the extremes, for hard input.
    let n = FS as usize / 2;
    let loud: Vec<f32> = (0..n)
        .map(|i| {
            if (i / 37) % 2 == 0 {
                BAD_INPUT_ABS
            } else {
                -BAD_INPUT_ABS
            }
        })
        .collect();
    let dc = vec![BAD_INPUT_ABS; n];
    let clicks: Vec<f32> = (0..n)
        .map(|i| if i % 4801 == 0 { 1.0 } else { 0.0 })
        .collect();
    let silence = vec![0.0f32; n];
    let mut s = fresh(&c, FS);
    let h = hearing();
    let (mut l, mut r) = (vec![0.0f32; MAX_BLOCK], vec![0.0f32; MAX_BLOCK]);
    reset_violation_count();
    for input in [&loud, &dc, &clicks, &silence, &world[0][..n].to_vec()] {
        for (k, block) in input.chunks(MAX_BLOCK).enumerate() {
            let controls = c.extremes[k % c.extremes.len()];
            let (l, r) = (&mut l[..block.len()], &mut r[..block.len()]);
            l.copy_from_slice(block);
            r.copy_from_slice(block);
            assert_no_alloc(|| {
                s.set(&controls);
                s.process(&h, &[block, block], &mut [&mut *l, &mut *r]);
            });
            assert!(
                l.iter().chain(r.iter()).all(|v| v.is_finite()),
                "{name}: non-finite output at extreme {}",
                k % c.extremes.len()
            );
        }
    }
    assert_eq!(violation_count(), 0, "{name}: set or process allocated");
}

/// A control at each end of its declared range.
fn ends(c: &Control) -> [f32; 2] {
    [c.min, c.max]
}

#[test]
fn loss_keeps_the_stage_contract() {
    let on = LossControls::default();
    let mut extremes = Vec::new();
    for (i, amount) in ends(&loss::controls::SMEAR_AMOUNT).into_iter().enumerate() {
        for recruitment in [false, true] {
            extremes.push(LossControls {
                recruitment,
                smear_manual: i == 0,
                smear_amount: amount,
            });
        }
    }
    check(Case {
        name: "loss",
        make: |fs| Loss::new(fs, &LossControls::default()),
        on,
        idle: Some(|s: &mut Loss| s.set_unheard(true)),
        extremes,
        block_settle_s: None,
    });
}

#[test]
fn implant_keeps_the_stage_contract() {
    use implant::controls::*;
    use implant::device::{Device, Side};
    let on = ImplantControls {
        amount: 0.8,
        eas_hz: 300.0,
        carrier: CarrierKind::Metallic,
        ..ImplantControls::default()
    };
    let mut extremes = Vec::new();
    for (i, carrier) in [
        CarrierKind::Noise,
        CarrierKind::Sine,
        CarrierKind::Pulse,
        CarrierKind::Metallic,
    ]
    .into_iter()
    .enumerate()
    {
        for end in 0..2 {
            extremes.push(ImplantControls {
                amount: ends(&AMOUNT)[1 - end],
                channels: [1, 22][end],
                maxima: [0, 1, 8, 22][i],
                rate_pps: ends(&RATE)[end],
                envelope_hz: ends(&ENVELOPE)[end],
                agc_attack_ms: ends(&AGC_ATTACK)[end],
                agc_release_ms: ends(&AGC_RELEASE)[1 - end],
                shift_mm: ends(&SHIFT)[end],
                spread: ends(&SPREAD)[1 - end],
                carrier,
                eas_hz: ends(&EAS)[end],
                device: Device::ALL[i],
                side: [Side::Both, Side::Left, Side::Right, Side::Both][(i + end) % 4],
            });
        }
    }
    check(Case {
        name: "implant",
        make: |fs| {
            let ring = || Arc::new(Electrodogram::new(64));
            Implant::new(fs, MAX_BLOCK, &ImplantControls::default(), [ring(), ring()])
        },
        on,
        idle: Some(|s: &mut Implant| {
            s.set(&ImplantControls::default());
            s.land();
        }),
        extremes,
        block_settle_s: None,
    });
}

#[test]
fn tinnitus_keeps_the_stage_contract() {
    use tinnitus::controls::*;
    let on = TinnitusControls {
        amount: 1.0,
        level_db_sl: 20.0,
        // No masking: it follows the ears block by block (by design, so its ducking depends
        // on the block sizes), and since the ringing is rendered as the patient hears it the
        // drums here would duck it.
        masking: 0.0,
        ..TinnitusControls::default()
    };
    let mut extremes = Vec::new();
    for (i, kind) in TinnitusKind::ALL.into_iter().enumerate() {
        for end in 0..2 {
            extremes.push(TinnitusControls {
                amount: ends(&AMOUNT)[1 - end],
                kind,
                matched: end == 0,
                pitch_hz: ends(&PITCH)[end],
                level_db_sl: ends(&LEVEL)[1 - end],
                wobble_cents: ends(&WOBBLE)[end],
                bandwidth_oct: ends(&BANDWIDTH)[end],
                bpm: ends(&PULSE_BPM)[end],
                ear: [TinnitusEar::Left, TinnitusEar::Right, TinnitusEar::Both][i % 3],
                rate_per_min: ends(&INTERMITTENCY_RATE)[end],
                duty: ends(&DUTY)[end],
                exposure: ends(&EXPOSURE)[1 - end],
                exposure_decay_s: ends(&EXPOSURE_DECAY)[end],
                masking: ends(&MASKING)[end],
                seed: [0, 65535][end],
            });
        }
    }
    check(Case {
        name: "tinnitus",
        make: |fs| Tinnitus::new(fs, MAX_BLOCK),
        on,
        idle: Some(|s: &mut Tinnitus| {
            s.set(&TinnitusControls::default());
            s.reset();
        }),
        extremes,
        // The amount, level and ear gains ramp per block (30 ms), the ringing's amplitude
        // following each block's target through 2 ms one-poles: the fade-in after a reset
        // depends slightly on the cutting.
        block_settle_s: Some(0.1),
    });
}

#[test]
fn body_keeps_the_stage_contract() {
    use body::controls::*;
    let on = BodyControls {
        amount: 1.0,
        octave: 0.5,
        voice: 0.5,
        ..BodyControls::default()
    };
    let extremes = (0..2)
        .map(|end| BodyControls {
            amount: ends(&AMOUNT)[1 - end],
            band_hz: ends(&BAND)[end],
            octave: ends(&OCTAVE)[end],
            voice: ends(&VOICE)[end],
        })
        .collect();
    check(Case {
        name: "body",
        make: |fs| Body::new(fs, &BodyControls::default()),
        on,
        idle: Some(|s: &mut Body| {
            s.set(&BodyControls::default());
            s.reset();
        }),
        extremes,
        // The layer's two 2 ms one-poles fade its controls in from 0 after a reset and snap to
        // the target once within 1e-4 of it: where the snap falls depends on the cutting.
        block_settle_s: Some(0.1),
    });
}

#[test]
fn jitter_keeps_the_stage_contract() {
    use jitter::controls::*;
    let on = JitterControls {
        amount_ms: 0.3,
        correlation: 0.5,
        ..JitterControls::default()
    };
    let extremes = (0..2)
        .map(|end| JitterControls {
            amount_ms: ends(&AMOUNT)[1 - end],
            band_hz: ends(&BAND)[end],
            bandwidth_hz: ends(&BANDWIDTH)[end],
            correlation: ends(&CORRELATION)[end],
            seed: end as u64,
        })
        .collect();
    check(Case {
        name: "temporal distortion",
        make: |fs| Jitter::new(fs, &JitterControls::default()),
        on,
        // Never idle: off, it is a pure delay of its latency (its own tests).
        idle: None,
        extremes,
        block_settle_s: None,
    });
}

#[test]
fn mix_keeps_the_stage_contract() {
    let on = MixControls {
        pov: 0.7,
        output_gain_db: 6.0,
        ..MixControls::default()
    };
    let extremes = (0..2)
        .map(|end| MixControls {
            pov: ends(&mix::POV)[end],
            pov_cut: end == 1,
            output_gain_db: ends(&mix::GAIN)[1 - end],
            bypass: end == 0,
        })
        .collect();
    check(Case {
        name: "mix",
        make: |fs| Mix::new(fs, &MixControls::default()),
        on,
        idle: None,
        extremes,
        block_settle_s: None,
    });
}
