//! Every parameter, grouped as the host sees them, through nice-plug-egui's parameter
//! sliders (they go through the host's setter: automation, undo and gestures work). In Story
//! mode the controls the story overrides are greyed ([`EarshotParams::story_sets`]).

use crate::params::EarshotParams;
use egui::{Rect, Ui};
use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;

/// The groups in host order, each with its parameters' ids and pointers.
pub fn groups(params: &EarshotParams) -> Vec<(String, Vec<(String, ParamPtr)>)> {
    let mut out: Vec<(String, Vec<(String, ParamPtr)>)> = Vec::new();
    for (id, ptr, group) in params.param_map() {
        match out.last_mut() {
            Some((g, list)) if *g == group => list.push((id, ptr)),
            _ => out.push((group, vec![(id, ptr)])),
        }
    }
    out
}

/// One parameter's row: name, slider (drag, double-click to reset, type a value). Returns
/// the slider's area.
fn row(ui: &mut Ui, ptr: ParamPtr, setter: &ParamSetter, enabled: bool) -> Rect {
    // Safety: the pointers come from `param_map()` of the plugin's parameters, which the
    // editor keeps alive (an `Arc`) for as long as it draws.
    unsafe {
        ui.label(ptr.name());
        let r = ui
            .add_enabled_ui(enabled, |ui| match ptr {
                ParamPtr::FloatParam(p) => ui.add(ParamSlider::for_param(&*p, setter)),
                ParamPtr::IntParam(p) => ui.add(ParamSlider::for_param(&*p, setter)),
                ParamPtr::BoolParam(p) => ui.add(ParamSlider::for_param(&*p, setter)),
                ParamPtr::EnumParam(p) => ui.add(ParamSlider::for_param(&*p, setter)),
            })
            .inner
            .rect;
        ui.end_row();
        r
    }
}

/// Where each visible parameter's slider was drawn, and whether it was enabled.
pub type Drawn = Vec<(String, Rect, bool)>;

/// All groups as collapsible sections; `story_on` greys what the story overrides.
pub fn show(
    ui: &mut Ui,
    params: &EarshotParams,
    setter: &ParamSetter,
    story_on: bool,
    drawn: &mut Drawn,
) {
    drawn.clear();
    for (group, list) in groups(params) {
        egui::CollapsingHeader::new(&group)
            .default_open(matches!(group.as_str(), "Loss" | "Story" | "Output"))
            .show(ui, |ui| {
                egui::Grid::new(("params", group.as_str()))
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for (id, ptr) in list {
                            let enabled = !(story_on && EarshotParams::story_sets(&id));
                            let r = row(ui, ptr, setter, enabled);
                            drawn.push((id, r, enabled));
                        }
                    });
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_cover_every_parameter_once_in_host_order() {
        let params = EarshotParams::default();
        let ids: Vec<String> = groups(&params)
            .into_iter()
            .flat_map(|(_, l)| l.into_iter().map(|(id, _)| id))
            .collect();
        let host: Vec<String> = params
            .param_map()
            .into_iter()
            .map(|(id, _, _)| id)
            .collect();
        assert_eq!(ids, host);
        let names: Vec<String> = groups(&params).into_iter().map(|(g, _)| g).collect();
        assert_eq!(
            names,
            [
                "Loss",
                "Left ear",
                "Right ear",
                "Implant",
                "Tinnitus",
                "Body",
                "Output",
                "Story",
                "Exposure",
                "Temporal distortion",
                "Implant device"
            ]
        );
    }
}
