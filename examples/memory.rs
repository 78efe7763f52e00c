//! Resident memory of plugin instances: the process's resident set (VmRSS, Linux) before and
//! after building 1 and then 16 engines (what `activate()` builds per instance), at a rate,
//! with every stage switched on and a second of drums processed so every buffer is touched.
//!
//! ```text
//! cargo run --release --example memory -- 48000
//! cargo run --release --example memory -- 96000
//! ```
//!
//! One process per rate: the loss stage's tables are shared between the instances of a rate
//! (`LossTables::shared`), so a second rate in the same process would add its own.

use earshot::dsp::audiogram::Preset;
use earshot::dsp::body::BodyControls;
use earshot::dsp::implant::ImplantControls;
use earshot::dsp::tinnitus::TinnitusControls;
use earshot::dsp::{Engine, EngineParams};

/// The process's resident set, MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let rate: f32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(48000.0);
    let ruben = Preset::Ruben.audiogram();
    let params = EngineParams {
        severity: 1.0,
        left: ruben,
        right: ruben,
        implant: ImplantControls {
            amount: 0.5,
            channels: 22,
            eas_hz: 500.0,
            ..ImplantControls::default()
        },
        tinnitus: TinnitusControls {
            amount: 1.0,
            ..TinnitusControls::default()
        },
        body: BodyControls {
            amount: 1.0,
            octave: 1.0,
            ..BodyControls::default()
        },
        ..EngineParams::default()
    };
    let drums = earshot::material::drums(rate, 1.0);
    let run = |e: &mut Engine| {
        let [mut l, mut r] = drums.clone();
        for (l, r) in l.chunks_mut(512).zip(r.chunks_mut(512)) {
            e.process(&mut [l, r]);
        }
    };
    let base = rss_mib();
    let mut engines = vec![Engine::new(rate, &params)];
    run(&mut engines[0]);
    let one = rss_mib();
    for _ in 1..16 {
        let mut e = Engine::new(rate, &params);
        run(&mut e);
        engines.push(e);
    }
    let sixteen = rss_mib();
    println!(
        "{:.1} kHz: process before {base:.1} MiB; 1 instance +{:.1} MiB; 16 instances +{:.1} MiB \
         ({:.1} MiB each after the first)",
        rate / 1000.0,
        one - base,
        sixteen - base,
        (sixteen - one) / 15.0
    );
    std::hint::black_box(&engines);
}
