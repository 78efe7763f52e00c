//! Parameters by their stable ids outside a host: for the CLI (`--param id=value`,
//! `earshot params`), the factory presets and the tests.
//!
//! It goes through nice-plug's own type-erased parameter pointers, the way the VST3 and CLAP
//! wrappers do, so a value set here is exactly the value a host would set (same ranges, same
//! snapping, same text parsing).

use crate::params::EarshotParams;
use nice_plug::prelude::*;

/// One parameter as `earshot params` lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamInfo {
    pub id: String,
    pub name: String,
    pub group: String,
    pub unit: String,
    /// The lowest, highest and default values as the parameter displays them.
    pub min: String,
    pub max: String,
    pub default: String,
    /// Discrete steps (enums, switches, integers), `None` for continuous values.
    pub steps: Option<usize>,
}

fn find(params: &EarshotParams, id: &str) -> Result<ParamPtr, String> {
    params
        .param_map()
        .into_iter()
        .find(|(i, _, _)| i == id)
        .map(|(_, p, _)| p)
        .ok_or_else(|| format!("unknown parameter id `{id}` (see `earshot params`)"))
}

/// Every parameter, in the order hosts see them.
pub fn describe(params: &EarshotParams) -> Vec<ParamInfo> {
    params
        .param_map()
        .into_iter()
        .map(|(id, p, group)| {
            // Safety: `p` points into `params`, which outlives this call.
            unsafe {
                ParamInfo {
                    id,
                    name: p.name().to_string(),
                    group,
                    unit: p.unit().trim().to_string(),
                    min: p.normalized_value_to_string(0.0, true),
                    max: p.normalized_value_to_string(1.0, true),
                    default: p.normalized_value_to_string(p.default_normalized_value(), true),
                    steps: p.step_count(),
                }
            }
        })
        .collect()
}

/// Set parameter `id` from text: a plain number in the parameter's own unit (`severity=0.5`,
/// `tin_pitch=4000`; percentages as fractions), or what the parameter displays (`50 %`,
/// `Hard cut`, `metallic`), or for switches `on`/`off`/`true`/`false`. A number outside the
/// range is an error, not clamped: a batch render must not silently differ from its command.
pub fn set(params: &EarshotParams, id: &str, value: &str) -> Result<(), String> {
    let p = find(params, id)?;
    let v = value.trim();
    if let Ok(x) = v.parse::<f32>() {
        return set_plain(params, id, x);
    }
    let switch = match v.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" => Some(1.0),
        "off" | "false" | "no" => Some(0.0),
        _ => None,
    };
    // Safety: `p` points into `params`, which outlives this call.
    unsafe {
        // A choice by its stable id, as saved sessions name it (`ci_map=nucleus`).
        if let ParamPtr::EnumParam(e) = p {
            if (*e).set_from_id(v) {
                return Ok(());
            }
        }
        let normalized = match (matches!(p, ParamPtr::BoolParam(_)), switch) {
            (true, Some(n)) => Some(n),
            _ => p.string_to_normalized_value(v).or_else(|| {
                // Choices by name, case-insensitively ("metallic" for "Metallic"), or by the
                // start of one name when only one starts so ("noise" for "Noise bands").
                let steps = p.step_count()?;
                let choices: Vec<(f32, String)> = (0..=steps)
                    .map(|i| {
                        let n = i as f32 / steps as f32;
                        (n, p.normalized_value_to_string(n, false).to_lowercase())
                    })
                    .collect();
                let want = v.to_lowercase();
                if let Some((n, _)) = choices.iter().find(|(_, name)| *name == want) {
                    return Some(*n);
                }
                let mut starting = choices.iter().filter(|(_, name)| name.starts_with(&want));
                match (starting.next(), starting.next()) {
                    (Some((n, _)), None) => Some(*n),
                    _ => None,
                }
            }),
        };
        let n = normalized.ok_or_else(|| {
            let unit = p.unit().trim();
            format!(
                "{id}: cannot read `{value}` (a number{} or a value such as `{}`)",
                if unit.is_empty() {
                    String::new()
                } else {
                    format!(" in {unit}")
                },
                p.normalized_value_to_string(p.default_normalized_value(), true)
            )
        })?;
        p._internal_set_normalized_value(n);
    }
    Ok(())
}

/// Set parameter `id` to the plain value `x` (errors outside its range or off its steps).
pub fn set_plain(params: &EarshotParams, id: &str, x: f32) -> Result<(), String> {
    let p = find(params, id)?;
    if !x.is_finite() {
        return Err(format!("{id}: {x} is not a number"));
    }
    // Safety: `p` points into `params`, which outlives this call.
    unsafe {
        let n = p.preview_normalized(x);
        let back = p.preview_plain(n);
        if (back - x).abs() > 1e-4 * (1.0 + x.abs()) {
            return Err(format!(
                "{id}: {x} is out of range ({} … {}{})",
                p.preview_plain(0.0),
                p.preview_plain(1.0),
                if p.step_count().is_some() {
                    ", whole steps"
                } else {
                    ""
                }
            ));
        }
        p._internal_set_normalized_value(n);
    }
    Ok(())
}

/// One parameter, looked up once (for setting it every block of a render without searching
/// the parameter list each time).
#[derive(Clone, Copy)]
pub struct Handle<'a> {
    ptr: ParamPtr,
    _params: std::marker::PhantomData<&'a EarshotParams>,
}

impl<'a> Handle<'a> {
    pub fn new(params: &'a EarshotParams, id: &str) -> Result<Self, String> {
        Ok(Self {
            ptr: find(params, id)?,
            _params: std::marker::PhantomData,
        })
    }

    /// Set the plain value `x`, clamped to the range and snapped to the steps (callers
    /// check values with [`set_plain`] first; this is the per-block path).
    pub fn set_plain_clamped(&self, x: f32) {
        // Safety: the pointer points into the `EarshotParams` borrowed for 'a.
        unsafe {
            self.ptr
                ._internal_set_normalized_value(self.ptr.preview_normalized(x));
        }
    }
}

/// Every parameter back to its default.
pub fn reset_all(params: &EarshotParams) {
    for (_, p, _) in params.param_map() {
        // Safety: `p` points into `params`, which outlives this call.
        unsafe {
            p._internal_set_normalized_value(p.default_normalized_value());
        }
    }
}

/// Every parameter of `to` set to the value it has in `from` (normalised, exactly).
pub fn copy_all(from: &EarshotParams, to: &EarshotParams) {
    for ((_, src, _), (_, dst, _)) in from.param_map().into_iter().zip(to.param_map()) {
        // Safety: both pointers point into parameter sets alive for this call; the maps of
        // two `EarshotParams` list the same parameters in the same order.
        unsafe {
            dst._internal_set_normalized_value(src.unmodulated_normalized_value());
        }
    }
}

/// The plain value of parameter `id` (switches: 0 or 1; enums: the variant's index).
pub fn get_plain(params: &EarshotParams, id: &str) -> Result<f32, String> {
    let p = find(params, id)?;
    // Safety: `p` points into `params`, which outlives this call.
    Ok(unsafe { p.unmodulated_plain_value() })
}

/// The normalised (0…1) value of parameter `id`, as a host stores it.
pub fn get_normalized(params: &EarshotParams, id: &str) -> Result<f32, String> {
    let p = find(params, id)?;
    // Safety: `p` points into `params`, which outlives this call.
    Ok(unsafe { p.unmodulated_normalized_value() })
}

/// Every parameter's plain value, by id (for comparing states).
pub fn snapshot(params: &EarshotParams) -> Vec<(String, f32)> {
    params
        .param_map()
        .into_iter()
        // Safety: `p` points into `params`, which outlives this call.
        .map(|(id, p, _)| (id, unsafe { p.unmodulated_plain_value() }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_text_and_errors() {
        let p = EarshotParams::default();
        set(&p, "severity", "0.25").unwrap();
        assert_eq!(get_plain(&p, "severity").unwrap(), 0.25);
        set(&p, "severity", "50 %").unwrap();
        assert!((get_plain(&p, "severity").unwrap() - 0.5).abs() < 1e-6);
        set(&p, "pov_mode", "hard cut").unwrap();
        assert_eq!(get_plain(&p, "pov_mode").unwrap(), 1.0);
        set(&p, "recruitment", "off").unwrap();
        assert_eq!(get_plain(&p, "recruitment").unwrap(), 0.0);
        set(&p, "mode", "Story").unwrap();
        assert_eq!(get_plain(&p, "mode").unwrap(), 1.0);
        // A unique start of a choice's name.
        set(&p, "ci_carrier", "metal").unwrap();
        assert_eq!(get_plain(&p, "ci_carrier").unwrap(), 3.0);
        set(&p, "ci_carrier", "noise").unwrap();
        assert_eq!(get_plain(&p, "ci_carrier").unwrap(), 0.0);
        assert!(set(&p, "severity", "1.5")
            .unwrap_err()
            .contains("out of range"));
        assert!(set(&p, "nope", "1")
            .unwrap_err()
            .contains("unknown parameter id"));
        assert!(set(&p, "severity", "loud")
            .unwrap_err()
            .contains("cannot read"));
        assert!(set(&p, "tin_seed", "2.5")
            .unwrap_err()
            .contains("out of range"));
        assert!(set(&p, "severity", "NaN").is_err());
        // Failed sets leave the value alone.
        assert!((get_plain(&p, "severity").unwrap() - 0.5).abs() < 1e-6);
    }

    #[test]
    fn every_parameter_is_described_with_a_unique_id() {
        let p = EarshotParams::default();
        let d = describe(&p);
        assert_eq!(d.len(), p.param_map().len());
        let mut ids: Vec<&str> = d.iter().map(|i| i.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), d.len());
        let sev = d.iter().find(|i| i.id == "severity").unwrap();
        assert_eq!((sev.min.as_str(), sev.max.as_str()), ("0.0 %", "100.0 %"));
    }

    #[test]
    fn defaults_and_factory_presets_survive_a_hosts_normalised_round_trip() {
        // A host saves parameters normalised and restores them through set-normalised
        // (Ardour 7 does, on top of the plugin's own state). A value that comes back even one
        // bit off renders differently: 900 pps came back 899.99994 and a reopened Ardour
        // session's story render drifted from the first from the Deaf scene on.
        let check = |p: &EarshotParams, what: &str| {
            let before = snapshot(p);
            for (_, ptr, _) in p.param_map() {
                // Safety: `ptr` points into `p`, alive for this call.
                unsafe { ptr._internal_set_normalized_value(ptr.unmodulated_normalized_value()) };
            }
            for ((id, a), (_, b)) in before.iter().zip(snapshot(p)) {
                assert!(a.to_bits() == b.to_bits(), "{what}: {id} {a} came back {b}");
            }
        };
        check(&EarshotParams::default(), "default");
        for preset in crate::presets::all() {
            let p = EarshotParams::default();
            crate::presets::load(&p, &preset).unwrap();
            check(&p, &preset.id);
        }
    }
}
