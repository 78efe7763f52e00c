//! Factory presets: the film's scenes and common audiograms, as data (parameter id → value).
//!
//! A preset is a whole state: loading one first returns every parameter to its default, then
//! sets the preset's values, so two loads of the same preset are the same plugin whatever was
//! loaded before. They are loaded through [`crate::param_access`], exactly as a host sets
//! parameters, by the CLI (`--preset`), the tests and the editor's preset menu.
//!
//! nice-plug 0.4.2 does not implement CLAP's preset-discovery extension (nor VST3 program
//! lists), so hosts do not list these in their own browsers.

use crate::dsp::audiogram::listener::Listener;
use crate::dsp::audiogram::{Preset as Audiogram, STANDARD_HZ};
use crate::dsp::story::SCENES;
use crate::param_access;
use crate::params::EarshotParams;

/// One factory preset.
#[derive(Clone, Debug, PartialEq)]
pub struct FactoryPreset {
    /// Command-line name (`earshot render --preset ID`).
    pub id: String,
    pub name: String,
    pub description: String,
    /// Parameter id → plain value (as `param_access::set` reads it).
    pub values: Vec<(String, String)>,
}

/// The ids of one ear's audiogram parameters (`left_hl_125` …).
pub fn audiogram_ids(ear: &str) -> Vec<String> {
    STANDARD_HZ
        .iter()
        .map(|hz| {
            let f = if *hz >= 1000.0 {
                format!("{}k", hz / 1000.0)
            } else {
                format!("{hz}")
            };
            format!("{ear}_hl_{f}")
        })
        .collect()
}

fn ear_values(ear: &str, a: Audiogram) -> Vec<(String, String)> {
    audiogram_ids(ear)
        .into_iter()
        .zip(a.audiogram().thresholds_db_hl)
        .map(|(id, v)| (id, v.to_string()))
        .collect()
}

fn hearing(
    id: &str,
    name: &str,
    description: &str,
    left: Audiogram,
    right: Audiogram,
) -> FactoryPreset {
    let mut values = vec![
        ("severity".to_string(), "1".to_string()),
        ("link_ears".to_string(), (left == right).to_string()),
    ];
    values.extend(ear_values("left", left));
    values.extend(ear_values("right", right));
    FactoryPreset {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        values,
    }
}

/// The values an audiogram generator sets (ISO 7029 age, ISO 1999 noise): both ears'
/// 18 thresholds, the ears linked, severity 100 % so that what is generated is what is heard.
/// Unlike a preset it leaves every other parameter as it is.
pub fn listener_values(listener: &Listener) -> Result<Vec<(String, String)>, String> {
    let a = listener.audiogram()?;
    let mut values = vec![
        ("severity".to_string(), "1".to_string()),
        ("link_ears".to_string(), "true".to_string()),
    ];
    for ear in ["left", "right"] {
        values.extend(
            audiogram_ids(ear)
                .into_iter()
                .zip(a.thresholds_db_hl)
                .map(|(id, v)| (id, v.to_string())),
        );
    }
    Ok(values)
}

/// Set `params` to the audiogram of `listener` (see [`listener_values`]).
pub fn apply_listener(params: &EarshotParams, listener: &Listener) -> Result<(), String> {
    for (id, value) in listener_values(listener)? {
        param_access::set(params, &id, &value)?;
    }
    Ok(())
}

/// Every factory preset: the audiograms first, then the story's scenes.
pub fn all() -> Vec<FactoryPreset> {
    let mut v = vec![
        hearing(
            "mild-age-related",
            "Mild age-related",
            "Presbycusis: a gentle high-frequency slope (PTA4 31 dB HL)",
            Audiogram::SlopingHighFrequency,
            Audiogram::SlopingHighFrequency,
        ),
        hearing(
            "noise-induced-notch",
            "Noise-induced notch",
            "The 4 kHz notch of noise exposure, recovering at 8 kHz",
            Audiogram::NoiseInduced,
            Audiogram::NoiseInduced,
        ),
        hearing(
            "moderate-flat",
            "Moderate flat",
            "45 dB HL at every frequency",
            Audiogram::Flat,
            Audiogram::Flat,
        ),
        hearing(
            "severe",
            "Severe",
            "Severe sloping loss (PTA4 65 dB HL)",
            Audiogram::Severe,
            Audiogram::Severe,
        ),
        hearing(
            "profound",
            "Profound",
            "Profound loss (PTA4 90 dB HL): an implant candidate",
            Audiogram::Profound,
            Audiogram::Profound,
        ),
        hearing(
            "single-sided-left",
            "Single-sided deafness (left)",
            "Left ear profound, right ear normal (ears unlinked)",
            Audiogram::Profound,
            Audiogram::Normal,
        ),
        hearing(
            "ruben",
            "Ruben after the gig",
            "Ruben's ears in the film: severe, two-thirds handicap (AMA)",
            Audiogram::Ruben,
            Audiogram::Ruben,
        ),
    ];
    for s in SCENES {
        v.push(FactoryPreset {
            id: format!("scene-{}", s.name.to_lowercase().replace(' ', "-")),
            name: format!("Scene: {}", s.name),
            description: format!("Story mode at the {} scene ({:.2})", s.name, s.position),
            values: vec![
                ("mode".into(), "Story".into()),
                ("story".into(), s.position.to_string()),
            ],
        });
    }
    v
}

/// The preset with command-line name `id`.
pub fn find(id: &str) -> Result<FactoryPreset, String> {
    let all = all();
    all.iter().find(|p| p.id == id).cloned().ok_or_else(|| {
        let ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
        format!("unknown preset `{id}`; one of: {}", ids.join(", "))
    })
}

/// Load `preset` into `params`: defaults, then the preset's values.
pub fn load(params: &EarshotParams, preset: &FactoryPreset) -> Result<(), String> {
    param_access::reset_all(params);
    for (id, value) in &preset.values {
        param_access::set(params, id, value).map_err(|e| format!("preset {}: {e}", preset.id))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_loads_and_sets_what_it_says() {
        let params = EarshotParams::default();
        for p in all() {
            load(&params, &p).unwrap();
            for (id, v) in &p.values {
                let got = param_access::get_plain(&params, id).unwrap();
                let want = match v.as_str() {
                    "true" | "Story" => 1.0,
                    "false" => 0.0,
                    x => x.parse::<f32>().unwrap(),
                };
                assert!((got - want).abs() < 1e-4, "{} {id}: {got} vs {want}", p.id);
            }
        }
        // Loading resets what the previous preset set.
        load(&params, &find("scene-deaf").unwrap()).unwrap();
        load(&params, &find("severe").unwrap()).unwrap();
        assert_eq!(param_access::get_plain(&params, "mode").unwrap(), 0.0);
        assert!(find("nope").unwrap_err().contains("scene-normal"));
    }

    #[test]
    fn ids_are_unique_and_audiograms_reach_the_engine() {
        let all = all();
        let mut ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len());
        let params = EarshotParams::default();
        load(&params, &find("single-sided-left").unwrap()).unwrap();
        let e = params.engine_params();
        assert_eq!(e.left, Audiogram::Profound.audiogram());
        assert_eq!(e.right, Audiogram::Normal.audiogram());
        assert!(!e.link_ears);
    }

    #[test]
    fn a_generated_audiogram_sets_both_ears_and_leaves_the_rest() {
        use crate::dsp::audiogram::age::Sex;
        let params = EarshotParams::default();
        param_access::set(&params, "tin_amount", "0.3").unwrap();
        param_access::set(&params, "severity", "0.3").unwrap();
        let l = Listener::new(Sex::Female, 70.0);
        apply_listener(&params, &l).unwrap();
        let e = params.engine_params();
        let want = l.audiogram().unwrap();
        for (got, want) in e.left.thresholds_db_hl.iter().zip(want.thresholds_db_hl) {
            assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        }
        assert_eq!(e.left, e.right);
        assert_eq!(param_access::get_plain(&params, "severity").unwrap(), 1.0);
        assert!((param_access::get_plain(&params, "tin_amount").unwrap() - 0.3).abs() < 1e-6);
        let bad = Listener { age: 10.0, ..l };
        assert!(apply_listener(&params, &bad).unwrap_err().contains("age"));
    }
}
