//! The factory-preset menu. Loading a preset sets every parameter that changes through the
//! host's setter (begin / set / end each), so the host records it, can undo it and saves it
//! with the session; parameters the preset leaves alone go back to their defaults, exactly as
//! `presets::load` does for the CLI.

use crate::params::EarshotParams;
use crate::presets::{self, FactoryPreset};
use egui::Ui;
use nice_plug::prelude::*;

/// Sets `params` to `preset` through `setter`. Returns how many parameters changed.
pub fn load(
    params: &EarshotParams,
    setter: &ParamSetter,
    preset: &FactoryPreset,
) -> Result<usize, String> {
    // The target values: the preset loaded into a scratch set, the way the CLI loads it.
    let target = EarshotParams::default();
    presets::load(&target, preset)?;
    Ok(set_to(params, setter, &target))
}

/// Sets every parameter of `params` that differs from `target` through `setter` (begin /
/// set / end each, so the host records and can undo it). Returns how many changed.
pub fn set_to(params: &EarshotParams, setter: &ParamSetter, target: &EarshotParams) -> usize {
    let mut changed = 0;
    for ((id, live, _), (tid, want, _)) in params.param_map().into_iter().zip(target.param_map()) {
        debug_assert_eq!(id, tid);
        // Safety: both pointers point into parameter sets alive for this call.
        unsafe {
            let n = want.unmodulated_normalized_value();
            if live.unmodulated_normalized_value() != n {
                setter.raw_context.raw_begin_set_parameter(live);
                setter.raw_context.raw_set_parameter_normalized(live, n);
                setter.raw_context.raw_end_set_parameter(live);
                changed += 1;
            }
        }
    }
    changed
}

/// The menu: pick a preset to load it. `last` is the last one loaded here (shown as the
/// selection); errors (none expected: the presets are tested) go to `status`.
pub fn show(
    ui: &mut Ui,
    params: &EarshotParams,
    setter: &ParamSetter,
    last: &mut Option<String>,
    status: &mut String,
) {
    let all = presets::all();
    let shown = last
        .as_deref()
        .and_then(|id| all.iter().find(|p| p.id == id))
        .map_or("Factory presets…", |p| p.name.as_str());
    egui::ComboBox::new("presets", "Preset")
        .selected_text(shown)
        .width(220.0)
        .show_ui(ui, |ui| {
            for p in &all {
                if ui
                    .selectable_label(last.as_deref() == Some(p.id.as_str()), &p.name)
                    .on_hover_text(&p.description)
                    .clicked()
                {
                    match load(params, setter, p) {
                        Ok(n) => *status = format!("{}: {n} parameters set", p.name),
                        Err(e) => *status = e,
                    }
                    *last = Some(p.id.clone());
                }
            }
        });
}
