//! Time invariance of the hearing-loss chain on running sound: the same material rendered
//! with `d` samples of silence in front, then lined up, must equal the undelayed render.
//! A mixer who bounces a passage starting one bar earlier must get the same kick drum.
//!
//! The figure is the energy of the difference re the render's, dB, per material (drums,
//! speech-like, noise bursts), audiogram (severe, moderate), sample rate and delay (not
//! multiples of the loss stage's hop). pyclarity's MSBG, whose smearing STFT has a frame grid
//! too, is not time-invariant either: its figures on the same material are `MSBG_44K`. The
//! target is −40 dB, the goal −60 dB. `LIMIT_DB` is what the current loss stage holds, so it
//! cannot get worse unnoticed.

mod common;
use common::*;
use earshot::dsp::audiogram::Preset;
use earshot::material;

/// Worst difference the current loss stage must stay under, dB. Measured: −23.0 dB (moderate
/// loss, noise bursts, where MSBG itself holds −23.6 dB) to −41.4 dB (moderate, drums);
/// severe drums −35.4/−34.6 dB and speech −32.1/−31.8 dB at 44.1/48 kHz. History: −19.3 dB
/// worst before the level correction was measured every other frame at the bin centres and
/// the reassignment gated by steadiness; −22.8 dB (severe drums −29.4, speech −28.2) before
/// each bin's frequency deviation became a power-weighted mean over 15 ms
/// (`loss/bin_analysis.rs`). With recruitment and smearing off the same chain holds −62 dB
/// (see [`the_linear_path_is_time_invariant`]); what is left comes from the smearing (MSBG's
/// own smearing alone: −17 to −23 dB on this material, worst on bursts) and the recruitment
/// gains following the frames. The target is −40 dB.
const LIMIT_DB: f64 = -22.5;
/// pyclarity's MSBG on the same material and level at 44.1 kHz
/// (`tests/python/msbg_time_invariance.py`), dB: (preset, material, MSBG's worst).
const MSBG_44K: [(Preset, &str, f64); 6] = [
    (Preset::Severe, "drums", -40.3),
    (Preset::Severe, "speech", -35.3),
    (Preset::Severe, "bursts", -27.0),
    (Preset::Moderate, "drums", -44.6),
    (Preset::Moderate, "speech", -37.4),
    (Preset::Moderate, "bursts", -23.6),
];
/// How much less time-invariant than MSBG itself a case may be at 44.1 kHz, dB. Measured:
/// 4.9 dB at most (severe drums), 0.5–0.6 dB on bursts.
const MSBG_MARGIN_DB: f64 = 5.5;
/// The linear path (no recruitment, no smearing: ear filters and the broadened bank's
/// colouring) must be as good as a fixed filter in an STFT: measured −62…−77 dB.
const LINEAR_LIMIT_DB: f64 = -55.0;
const SECONDS: f32 = 4.0;
const DELAYS: [usize; 4] = [1, 37, 129, 301];

/// Worst difference over the delays for one case, dB; `linear`: recruitment and smearing off.
fn worst_db(preset: Preset, fs: f32, material: &str, linear: bool) -> f64 {
    // 65 dB SPL-ish program: calibration 100 dB SPL, material around −20…−30 dBFS.
    let mut params = loss_params(preset.audiogram().thresholds_db_hl, 1.0, CAL);
    if linear {
        params.recruitment = false;
        params.smear_manual = true;
        params.smear_amount = 0.0;
    }
    let x = material::by_name(material, fs, SECONDS).unwrap();
    let reference = render_delayed(&params, fs, &x, 0);
    let energy = energy(&reference);
    DELAYS
        .iter()
        .map(|&d| difference_db(&render_delayed(&params, fs, &x, d), &reference, energy))
        .fold(f64::NEG_INFINITY, f64::max)
}

fn check(linear: bool, limit: f64) {
    let mut worst = f64::NEG_INFINITY;
    let mut report = String::new();
    let mut behind_msbg = Vec::new();
    for preset in [Preset::Severe, Preset::Moderate] {
        for fs in [44100.0, 48000.0] {
            for m in ["drums", "speech", "bursts"] {
                let w = worst_db(preset, fs, m, linear);
                report += &format!("{preset:?} {fs} Hz {m}: {w:.1} dB");
                worst = worst.max(w);
                let msbg = MSBG_44K.iter().find(|(p, n, _)| *p == preset && *n == m);
                if let (false, 44100.0, Some(&(_, _, msbg))) = (linear, fs, msbg) {
                    report += &format!(" (MSBG {msbg:.1} dB, {:+.1} dB)", w - msbg);
                    if w > msbg + MSBG_MARGIN_DB {
                        behind_msbg.push(format!("{preset:?} {m}"));
                    }
                }
                report += "\n";
            }
        }
    }
    let what = if linear { "linear path" } else { "full loss" };
    eprintln!(
        "time invariance, {what} (worst over delays {DELAYS:?}):\n{report}worst {worst:.1} dB"
    );
    assert!(worst <= limit, "{report}");
    assert!(
        behind_msbg.is_empty(),
        "more than {MSBG_MARGIN_DB} dB less time-invariant than MSBG: {behind_msbg:?}\n{report}"
    );
}

#[test]
fn delayed_input_renders_the_same_once_lined_up() {
    check(false, LIMIT_DB);
}

#[test]
fn the_linear_path_is_time_invariant() {
    check(true, LINEAR_LIMIT_DB);
}

/// A bounce that starts in the middle of running sound: the passage rendered on its own from
/// a start point (a fresh engine, frames on the passage's own grid) must equal the same
/// passage inside the render of the whole, once the start-up tail has passed. That tail is
/// the envelopes' low-pass and the level correction's 100 ms trackers settling; the frames
/// then sit `start mod hop` samples off the whole render's, so what is left is the time
/// variance above. Start points are not multiples of the hop. Measured (severe, 48 kHz):
/// drums −35.6 to −37.1 dB, speech −31.6 to −32.1 dB after 0.1 s; counting from the first
/// sample, −25.5 dB worst (the tail is shorter than 0.1 s).
#[test]
fn a_passage_rendered_from_any_start_equals_it_inside_the_whole() {
    const SETTLE_S: f32 = 0.1;
    const BOUNCE_LIMIT_DB: f64 = -30.0;
    let fs = 48000.0;
    let params = loss_params(Preset::Severe.audiogram().thresholds_db_hl, 1.0, CAL);
    let mut report = String::new();
    let mut worst = f64::NEG_INFINITY;
    let settle = (SETTLE_S * fs) as usize;
    for m in ["drums", "speech"] {
        let x = material::by_name(m, fs, SECONDS).unwrap();
        let whole = render_delayed(&params, fs, &x, 0);
        for start in [1037usize, 24_301, 60_013] {
            let passage = x.each_ref().map(|c| c[start..].to_vec());
            let part = render_delayed(&params, fs, &passage, 0);
            let inside = whole.each_ref().map(|c| c[start + settle..].to_vec());
            let alone = part.map(|c| c[settle..].to_vec());
            let d = difference_db(&alone, &inside, energy(&inside));
            report += &format!("{m} from sample {start}: {d:.1} dB\n");
            worst = worst.max(d);
        }
    }
    eprintln!("a passage alone vs inside the whole (after {SETTLE_S} s):\n{report}");
    assert!(worst <= BOUNCE_LIMIT_DB, "{report}");
}
