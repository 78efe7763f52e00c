//! "From age and noise…": the audiogram generated from who the listener is (ISO 7029 age,
//! sex and percentile; ISO 1999 years and level of noise). The form shows the thresholds it
//! would set; "Set audiogram" sets both ears' 18 thresholds, links the ears and sets severity
//! to 100 % through the host's setter, one begin / set / end per parameter, so the host
//! records it and can undo it. Nothing else changes.

use super::preset_menu;
use crate::dsp::audiogram::age::{Sex, AGE_RANGE};
use crate::dsp::audiogram::listener::{Listener, NoiseExposure};
use crate::dsp::audiogram::noise::{LEVEL_RANGE_DBA, YEARS_RANGE};
use crate::param_access;
use crate::params::EarshotParams;
use crate::presets;
use egui::Ui;
use nice_plug::prelude::*;

/// The form's values between frames.
#[derive(Clone, Debug, PartialEq)]
pub struct ListenerForm {
    pub sex: Sex,
    pub age: f32,
    pub percentile: u8,
    pub noise: bool,
    pub years: f32,
    pub level_dba: f32,
}

impl Default for ListenerForm {
    fn default() -> Self {
        Self {
            sex: Sex::Female,
            age: 70.0,
            percentile: 50,
            noise: false,
            years: 10.0,
            level_dba: 95.0,
        }
    }
}

impl ListenerForm {
    pub fn listener(&self) -> Listener {
        Listener {
            sex: self.sex,
            age: self.age,
            percentile: self.percentile,
            noise: self.noise.then_some(NoiseExposure {
                years: self.years,
                level_dba: self.level_dba,
            }),
        }
    }
}

/// Sets `params` to the audiogram of `listener` through `setter`; how many parameters changed.
pub fn apply(
    params: &EarshotParams,
    setter: &ParamSetter,
    listener: &Listener,
) -> Result<usize, String> {
    let target = EarshotParams::default();
    param_access::copy_all(params, &target);
    presets::apply_listener(&target, listener)?;
    Ok(preset_menu::set_to(params, setter, &target))
}

/// The menu button and its form.
pub fn show(
    ui: &mut Ui,
    params: &EarshotParams,
    setter: &ParamSetter,
    form: &mut ListenerForm,
    status: &mut String,
) {
    // Stays open while the form is edited (a menu closes on any click by default); closes
    // on a click outside or on "Set audiogram".
    let config = egui::containers::menu::MenuConfig::new()
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
    egui::containers::menu::MenuButton::new("From age…")
        .config(config)
        .ui(ui, |ui| {
            ui.label("Audiogram from age (ISO 7029:2017) and noise (ISO 1999:2013)");
            ui.horizontal(|ui| {
                ui.label("Sex");
                for sex in Sex::ALL {
                    ui.selectable_value(&mut form.sex, sex, sex.name());
                }
            });
            ui.add(egui::Slider::new(&mut form.age, AGE_RANGE.0..=AGE_RANGE.1).text("Age, years"));
            ui.add(
                egui::Slider::new(&mut form.percentile, 5..=95)
                    .step_by(5.0)
                    .text("Percentile"),
            )
            .on_hover_text(
                "50: the median. 90: hears worse than nine in ten people of that age and sex.",
            );
            ui.checkbox(&mut form.noise, "Noise exposure");
            ui.add_enabled_ui(form.noise, |ui| {
                ui.add(
                    egui::Slider::new(&mut form.years, YEARS_RANGE.0..=YEARS_RANGE.1).text("Years"),
                );
                ui.add(
                    egui::Slider::new(&mut form.level_dba, LEVEL_RANGE_DBA.0..=LEVEL_RANGE_DBA.1)
                        .text("dB(A), 8 h a day"),
                );
            });
            let listener = form.listener();
            match listener.audiogram() {
                Ok(a) => {
                    let t: Vec<String> = a
                        .thresholds_db_hl
                        .iter()
                        .map(|v| format!("{v:.0}"))
                        .collect();
                    ui.label(format!("dB HL 125 Hz…8 kHz: {}", t.join(" ")));
                    if ui.button("Set audiogram").clicked() {
                        *status = match apply(params, setter, &listener) {
                            Ok(n) => format!("{}: {n} parameters set", listener.describe()),
                            Err(e) => e,
                        };
                        ui.close();
                    }
                }
                Err(e) => {
                    ui.label(e);
                }
            }
        });
}
