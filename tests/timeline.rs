//! Reproducible renders: the engine's frames sit on the host's timeline. A host runs the
//! plugin for an arbitrary time before playback; the same passage must still render the same,
//! and the same as `earshot render` (a fresh engine started at the passage's first sample).

mod common;
use common::*;
use earshot::dsp::audiogram::Preset;
use earshot::dsp::story;
use earshot::dsp::{Engine, EngineParams};

const FS: f32 = 48000.0;

fn severe() -> EngineParams {
    loss_params(Preset::Ruben.audiogram().thresholds_db_hl, 1.0, CAL)
}

/// Kicks (sharp onsets, where the loss stage's output depends most on where its frames
/// fall) over a little noise: 1.5 s.
fn drums() -> Vec<f32> {
    let n = (1.5 * FS) as usize;
    let hiss = noise(n, 0.01, 11);
    (0..n)
        .map(|i| {
            let t = (i % 19_000) as f32 / FS; // onsets off every frame grid
            0.5 * (-t / 0.06).exp() * (2.0 * std::f32::consts::PI * 55.0 * t).sin() + hiss[i]
        })
        .collect()
}

/// `earshot render`: a fresh engine, the material from its first sample, latency removed.
fn cli(x: &[f32]) -> Vec<f32> {
    let mut e = Engine::new(FS, &severe());
    let lat = e.latency();
    let mut io: Vec<f32> = x
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0.0, lat))
        .collect();
    for c in io.chunks_mut(512) {
        e.process(&mut [c]);
    }
    io[lat..].to_vec()
}

/// A host: the plugin processes `idle` samples of silence with the transport stopped, then
/// plays from timeline position `start` (≤ 0; silence until the material at 0) in blocks of
/// `block`, with or without telling the position. Output lined up with the material, as a
/// latency-compensating host does.
fn host(x: &[f32], idle: usize, start: i64, block: usize, tell: bool) -> Vec<f32> {
    host_automating(x, idle, start, block, tell, |_| severe())
}

/// [`host`], with the parameters at each block from `at(position)`.
fn host_automating(
    x: &[f32],
    idle: usize,
    start: i64,
    block: usize,
    tell: bool,
    at: impl Fn(i64) -> EngineParams,
) -> Vec<f32> {
    let mut e = Engine::new(FS, &at(start));
    let lat = e.latency();
    let mut silence = vec![0.0; idle];
    for c in silence.chunks_mut(block) {
        e.process_at(&mut [c], None);
    }
    let lead = (-start) as usize;
    let mut io: Vec<f32> = std::iter::repeat_n(0.0, lead)
        .chain(x.iter().copied())
        .chain(std::iter::repeat_n(0.0, lat))
        .collect();
    // The input's position (the host reports `pos − lat`; the plugin adds its latency back).
    let mut pos = start;
    for c in io.chunks_mut(block) {
        let n = c.len() as i64;
        e.set_params(&at(pos));
        e.process_at(&mut [c], tell.then_some(pos));
        pos += n;
    }
    io[lead + lat..].to_vec()
}

#[test]
fn a_played_passage_renders_as_the_cli_whatever_ran_before() {
    let x = drums();
    let reference = cli(&x);
    for (idle, start, block) in [
        (0, -736, 1024),
        (97 * 1024, -736, 1024),
        (3333, -1000, 512),
        (48000 + 17, -1, 64),
        (5, -20000, 333),
    ] {
        let y = host(&x, idle, start, block, true);
        assert!(
            y == reference,
            "idle {idle}, start {start}, block {block}: {:.1} dB from the CLI",
            null_db(&y, &reference)
        );
    }
}

#[test]
fn without_the_position_the_render_depends_on_what_ran_before() {
    // The property the timeline fixes (so the test above can fail): the same host without
    // positions renders each start differently, by far more than −60 dB.
    let x = drums();
    let reference = cli(&x);
    let y = host(&x, 3333, -1000, 512, false);
    let null = null_db(&y, &reference);
    assert!(null > -40.0, "{null:.1} dB");
}

#[test]
fn a_jump_while_sound_runs_changes_nothing() {
    // Restarting while the loss stage holds sound would click: a locate or a loop while
    // playing is followed, not restarted at. The output equals a host that never tells.
    let x = drums();
    let mut told = Engine::new(FS, &severe());
    let mut silent_host = Engine::new(FS, &severe());
    let (mut a, mut b) = (x.clone(), x.clone());
    let mut pos = 0i64;
    for (i, (ca, cb)) in a.chunks_mut(256).zip(b.chunks_mut(256)).enumerate() {
        if i % 40 == 39 {
            pos = 1_000_000 * i as i64; // a locate every 40 blocks
        }
        told.process_at(&mut [ca], Some(pos));
        silent_host.process_at(&mut [cb], None);
        pos += 256;
    }
    assert!(a == b, "{:.1} dB", null_db(&a, &b));
}

#[test]
fn a_story_sweep_renders_the_same_whatever_ran_before() {
    // The whole story (loss, tinnitus with its random parts, implant, body) automated across
    // the passage: every start renders it identically.
    let x = drums();
    let len = x.len() as f32;
    let at = |pos: i64| story::apply(&EngineParams::default(), (pos.max(0) as f32 / len).min(1.0));
    let first = host_automating(&x, 0, -736, 1024, true, at);
    for (idle, block) in [(97 * 1024, 1024), (3333, 1024), (200_000, 1024)] {
        let y = host_automating(&x, idle, -736, block, true, at);
        assert!(y == first, "idle {idle}: {:.1} dB", null_db(&y, &first));
    }
}

#[test]
fn a_value_sent_within_the_first_block_is_in_place_when_sound_begins() {
    // Ardour sends a passage's first automation values inside the first block it plays,
    // after the plugin has started it with its stale values. At rest nothing glides: the
    // passage renders as if the values had always been set (as the CLI starts).
    let x = drums();
    let reference = cli(&x);
    let stale = EngineParams {
        severity: 0.0,
        ..severe()
    };
    let mut e = Engine::new(FS, &stale);
    let lat = e.latency();
    let mut silence = vec![0.0; 4096];
    e.process_at(&mut [&mut silence], None);
    let lead = 736;
    let mut io: Vec<f32> = std::iter::repeat_n(0.0, lead)
        .chain(x.iter().copied())
        .chain(std::iter::repeat_n(0.0, lat))
        .collect();
    // The first block from -736, split where the host's value arrives (-1), then 1024s.
    let (first, rest) = io.split_at_mut(lead - 1);
    e.process_at(&mut [first], Some(-(lead as i64)));
    e.set_params(&severe());
    let mut pos = -1i64;
    for c in rest.chunks_mut(1024) {
        let n = c.len() as i64;
        e.process_at(&mut [c], Some(pos));
        pos += n;
    }
    let y = &io[lead + lat..];
    assert!(
        y == reference,
        "{:.1} dB from the CLI",
        null_db(y, &reference)
    );
}
