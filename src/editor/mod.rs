//! The editor (nice-plug-egui): the audiogram chart, the live view, the electrodogram, the
//! story strip, the preset menu and every parameter.
//!
//! - [`snapshot`]: what the audio thread hands the editor (plain Rust, lock-free).
//! - [`audiogram_chart`], [`live_view`], [`electrodogram_view`], [`story_strip`],
//!   [`controls`], [`preset_menu`], [`listener_menu`]: one view each.
//! - This file: the layout ([`EarshotApp::draw`]) and the nice-plug `Editor` that opens it at
//!   the size saved in the plugin state.
//!
//! Parameters change only through the host's setter ([`ParamSetter`]), so host automation,
//! undo and gestures see every edit. The audio thread never waits for the editor: it
//! publishes snapshots into a triple buffer only while the window is open.

pub mod audiogram_chart;
pub mod controls;
pub mod electrodogram_view;
pub mod listener_menu;
pub mod live_view;
pub mod preset_menu;
pub mod snapshot;
pub mod story_strip;

use crate::dsp::audiogram::{ama_handicap_percent, better_ear_grade, Audiogram, POINTS};
use crate::dsp::calibration::Calibration;
use crate::dsp::implant::electrodogram::Electrodogram;
use crate::dsp::tap::TAP_LEN;
use crate::params::{EarshotParams, Mode};
use audiogram_chart::InEffect;
use egui::{Color32, RichText, Ui, Vec2};
use electrodogram_view::History;
use live_view::{BandAnalyzer, LiveFrame, BANDS};
use nice_plug::context::gui::GuiContext;
use nice_plug::editor::dpi::{LogicalSize, NativeSize};
use nice_plug::editor::{EditorHandle, HostMethods, SpawnedEditor};
use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;
use nice_plug_egui::{EguiEditorHandle, EguiEditorState, EguiNiceSettings, NiceEguiApp};
use snapshot::SnapshotReader;
use std::error::Error;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Default and smallest window, logical points.
pub const DEFAULT_SIZE: (u32, u32) = crate::params::DEFAULT_EDITOR_SIZE;
pub const MIN_SIZE: (u32, u32) = (900, 620);
const MAX_SIZE: (u32, u32) = (4096, 4096);

/// What the plugin shares with its editor.
pub struct EditorShared {
    pub params: Arc<EarshotParams>,
    /// The live view's snapshots. Locked only by the editor's thread (the audio thread writes
    /// through its own end of the triple buffer and never sees this lock).
    pub snapshot: Mutex<SnapshotReader>,
    /// Each ear's stimulation frames, left (or mono) and right (shared with every engine
    /// `activate()` builds).
    pub electrodograms: [Arc<Electrodogram>; 2],
    /// True while a window is open: the audio thread publishes snapshots only then.
    pub open: Arc<AtomicBool>,
}

/// The window size kept in the plugin state, clamped to what the editor can show (a
/// corrupted state gives a usable window, not a 0×0 or 100 000-pixel one).
pub fn saved_size(params: &EarshotParams) -> (u32, u32) {
    let (w, h) = params
        .editor_size
        .lock()
        .map(|s| *s)
        .unwrap_or(DEFAULT_SIZE);
    (
        w.clamp(MIN_SIZE.0, MAX_SIZE.0),
        h.clamp(MIN_SIZE.1, MAX_SIZE.1),
    )
}

/// The editor's state between frames.
pub struct EarshotApp {
    shared: Arc<EditorShared>,
    gui: Option<GuiContext>,
    /// Each ear's electrodogram history (left or mono, right).
    histories: [History; 2],
    analyzer: BandAnalyzer,
    live: LiveFrame,
    live_serial: u64,
    sample_rate: f32,
    last_preset: Option<String>,
    listener: listener_menu::ListenerForm,
    status: String,
    controls: controls::Drawn,
    chart: egui::Rect,
    /// The engine's temporary threshold shift at the last snapshot, dB per ear and point.
    shift: [[f32; POINTS]; 2],
    /// The audiograms in effect the last frame drew.
    effect: Option<InEffect>,
    /// The Blast button is held (it set the trigger, and releases it on release).
    blast_held: bool,
}

impl EarshotApp {
    pub fn new(shared: Arc<EditorShared>) -> Self {
        Self {
            shared,
            gui: None,
            histories: [History::new(), History::new()],
            analyzer: BandAnalyzer::new(TAP_LEN),
            live: LiveFrame::default(),
            live_serial: 0,
            sample_rate: 48000.0,
            last_preset: None,
            listener: listener_menu::ListenerForm::default(),
            status: String::new(),
            controls: Vec::new(),
            chart: egui::Rect::NOTHING,
            shift: [[0.0; POINTS]; 2],
            effect: None,
            blast_held: false,
        }
    }

    /// What the live view shows now (for tests and the screenshot).
    pub fn live_frame(&self) -> &LiveFrame {
        &self.live
    }

    /// The left (or mono) ear's electrodogram history drawn.
    pub fn history(&self) -> &History {
        &self.histories[0]
    }

    /// Both ears' electrodogram histories (left or mono, right).
    pub fn histories(&self) -> &[History; 2] {
        &self.histories
    }

    /// Where the last frame drew each parameter's slider (id, area, enabled).
    pub fn controls(&self) -> &controls::Drawn {
        &self.controls
    }

    /// The audiograms in effect the last frame drew (the temporary shift included).
    pub fn in_effect(&self) -> Option<&InEffect> {
        self.effect.as_ref()
    }

    /// Where the last frame drew the audiogram chart.
    pub fn chart_rect(&self) -> egui::Rect {
        self.chart
    }

    /// Reads new data from the audio thread: the latest snapshot, new stimulation frames.
    fn pull(&mut self, in_effect: &crate::dsp::EngineParams) {
        for (h, e) in self.histories.iter_mut().zip(&self.shared.electrodograms) {
            h.pull(e);
        }
        let Ok(mut reader) = self.shared.snapshot.lock() else {
            return;
        };
        let s = reader.read();
        if s.serial == self.live_serial {
            return;
        }
        self.live_serial = s.serial;
        self.sample_rate = s.sample_rate;
        self.shift = s.threshold_shift_db;
        let cal = Calibration::new(in_effect.calibration_db_spl);
        let world = self.analyzer.bands(&s.world, s.sample_rate, cal);
        let ear = self.analyzer.bands(&s.ear, s.sample_rate, cal);
        let louder = usize::from(s.tinnitus_amplitude[1] > s.tinnitus_amplitude[0]);
        let amp = s.tinnitus_amplitude[louder];
        let tinnitus_matched = (amp > 1e-6).then_some(s.tinnitus_matched_db_spl[louder]);
        let tinnitus = (amp > 1e-6).then(|| {
            (
                cal.full_scale_sine_db_spl + 20.0 * amp.log10(),
                s.tinnitus_pitch_hz,
            )
        });
        self.live = LiveFrame {
            world,
            ear,
            tinnitus,
            tinnitus_matched,
            body: None,
        };
        self.live.body = body_marker(&self.live.world, in_effect);
    }

    /// Draws the whole editor; every edit goes through `setter`.
    pub fn draw(&mut self, ui: &mut Ui, setter: &ParamSetter) {
        let shared = Arc::clone(&self.shared);
        let params = &*shared.params;
        let in_effect = params.engine_params();
        self.pull(&in_effect);
        let story_on = params.story.mode.value() == Mode::Story;

        egui::Panel::right("all-parameters")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| {
                ui.heading("Parameters");
                egui::ScrollArea::vertical().show(ui, |ui| {
                    controls::show(ui, params, setter, story_on, &mut self.controls);
                });
            });

        egui::CentralPanel::default().show(ui, |ui| {
            // Fixed shares of the panel's width: content never pushes the panel wider.
            let width = ui.available_width();
            let gap = ui.spacing().item_spacing.x;
            ui.horizontal(|ui| {
                ui.heading(RichText::new("Earshot").strong());
                ui.separator();
                preset_menu::show(ui, params, setter, &mut self.last_preset, &mut self.status);
                listener_menu::show(ui, params, setter, &mut self.listener, &mut self.status);
                ui.label(RichText::new(&self.status).weak());
            });
            // The scene's main controls on a row of their own: beside the heading and menus
            // they ran under the parameter panel at the default window width.
            ui.horizontal(|ui| {
                ui.label("Mode");
                ui.add(ParamSlider::for_param(&params.story.mode, setter));
                ui.label("Severity");
                ui.add_enabled(
                    !story_on,
                    ParamSlider::for_param(&params.loss.severity, setter),
                );
                ui.separator();
                self.blast_button(ui, params, setter);
            });
            let chart_w = (0.5 * width).floor();
            let effect = self.in_effect_label(&in_effect, story_on);
            self.effect = Some(effect.clone());
            ui.horizontal(|ui| {
                let left = ui.vertical(|ui| {
                    ui.set_min_width(chart_w);
                    self.chart = audiogram_chart::show(
                        ui,
                        Vec2::new(chart_w, 320.0),
                        params,
                        setter,
                        &effect,
                        !story_on,
                    )
                    .rect;
                    // Air conduction as drawn (the thresholds plus any air–bone gap).
                    let drawn_right =
                        audiogram_chart::clinical(params, audiogram_chart::Ear::Right).air;
                    egui::Grid::new("ear-figures")
                        .num_columns(3)
                        .spacing([10.0, 2.0])
                        .show(ui, |ui| {
                            ui.label("");
                            ui.label(RichText::new("drawn").weak());
                            ui.label(RichText::new("in effect now").weak());
                            ui.end_row();
                            let color = audiogram_chart::RIGHT_COLOR;
                            ear_row(ui, "Right (O)", color, &drawn_right, &effect.right);
                            let color = audiogram_chart::LEFT_COLOR;
                            let drawn_left =
                                audiogram_chart::clinical(params, audiogram_chart::Ear::Left).air;
                            ear_row(ui, "Left (X)", color, &drawn_left, &effect.left);
                        });
                    ui.label(format!(
                        "Both ears now: {} (better ear), AMA hearing handicap {:.1} %",
                        better_ear_grade(&effect.left, &effect.right).name(),
                        ama_handicap_percent(&effect.left, &effect.right)
                    ));
                });
                // The live view takes what the chart's column left (its figures may be wider
                // than the chart).
                let live_w = (width - left.response.rect.width() - gap).max(200.0);
                ui.vertical(|ui| {
                    ui.set_width(live_w);
                    live_view::show(ui, Vec2::new(live_w, 320.0), &self.live, &effect.left);
                });
            });
            ui.add_space(4.0);
            let array_w = 170.0;
            ui.horizontal(|ui| {
                let w = (width - array_w - gap).max(100.0);
                // One electrodogram per ear, side by side.
                let half = ((w - gap) / 2.0).max(50.0);
                for (name, h) in ["left ear", "right ear"].iter().zip(&self.histories) {
                    ui.vertical(|ui| {
                        ui.set_width(half);
                        ui.label(RichText::new(format!("Electrodogram, {name}")).strong());
                        electrodogram_view::show_electrodogram(ui, Vec2::new(half, 150.0), h);
                    });
                }
                // The array of the first ear that wears the implant.
                let side = in_effect.implant.side;
                let shown = usize::from(!side.implants(0, 2));
                electrodogram_view::show_array(
                    ui,
                    Vec2::new(array_w, 170.0),
                    in_effect.implant.layout(),
                    in_effect.implant.shift_mm,
                    self.sample_rate,
                    self.histories[shown].latest(),
                );
            });
            ui.add_space(4.0);
            story_strip::show(ui, Vec2::new(width, 62.0), params, setter);
        });
        // The live view moves with the audio: redraw at about the snapshot rate.
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(16));
    }

    /// The engine's audiograms now, and what put them there.
    fn in_effect_label(&self, p: &crate::dsp::EngineParams, story_on: bool) -> InEffect {
        let right = if p.link_ears { p.left } else { p.right };
        let gap_right = if p.link_ears {
            p.gap_db[0]
        } else {
            p.gap_db[1]
        };
        // Air conduction in effect: the cochlea's thresholds plus the gap, both scaled by
        // severity as the engine scales them (PTA and WHO grade are read on air).
        let air = |a: &crate::dsp::audiogram::Audiogram, gap_db: f32| {
            use crate::dsp::hearing::conductive::{air_and_bone, gap_at_points};
            let gap = gap_at_points(gap_db, p.gap_shape);
            air_and_bone(a, &gap, p.gap_shape, gap_db)
                .0
                .scaled(p.severity)
        };
        // Plus the temporary threshold shift the engine reports (exposure, blast).
        let shifted = |a: Audiogram, shift: &[f32; POINTS]| {
            let mut t = a.thresholds_db_hl;
            for (t, s) in t.iter_mut().zip(shift) {
                *t += s;
            }
            Audiogram::new(t)
        };
        let most = self.shift.iter().flatten().fold(0.0f32, |m, &v| m.max(v));
        let tts = if most >= 0.05 {
            format!(", temporary shift up to {most:.1} dB")
        } else {
            String::new()
        };
        InEffect {
            left: shifted(air(&p.left, p.gap_db[0]), &self.shift[0]),
            right: shifted(air(&right, gap_right), &self.shift[1]),
            label: if story_on {
                format!(
                    "in effect: the story's audiogram at {:.0} % severity{tts}",
                    p.severity * 100.0
                )
            } else {
                format!("in effect: severity {:.0} %{tts}", p.severity * 100.0)
            },
        }
    }

    /// The Blast button: momentary. Held, it sets the `blast` trigger (the engine fires on
    /// its rising edge); released, it clears it. It never touches a trigger it did not set
    /// (automation may hold it).
    fn blast_button(&mut self, ui: &mut Ui, params: &EarshotParams, setter: &ParamSetter) {
        let b = ui
            .add(egui::Button::new("Blast").sense(egui::Sense::click_and_drag()))
            .on_hover_text("Hold: a sudden threshold shift (blast depth) that then recovers");
        let down = b.is_pointer_button_down_on();
        if down != self.blast_held {
            self.blast_held = down;
            let p = &params.tts.blast;
            setter.begin_set_parameter(p);
            setter.set_parameter(p, down);
            setter.end_set_parameter(p);
        }
    }
}

/// A frequency as the views' axes label it: "250", "1k", "1.5k".
pub use crate::dsp::audiogram::axis_label as hz_label;

/// One ear's figures in the grid: as drawn on the chart, and as in effect now.
fn ear_row(ui: &mut Ui, name: &str, color: Color32, drawn: &Audiogram, now: &Audiogram) {
    ui.label(RichText::new(name).color(color).strong());
    ui.label(audiogram_chart::ear_summary(drawn));
    ui.label(audiogram_chart::ear_summary(now));
    ui.end_row();
}

/// The felt drums: body amount and the world's level under the body band.
fn body_marker(world: &[f32; BANDS], p: &crate::dsp::EngineParams) -> Option<(f32, f32)> {
    if p.body.amount <= 0.0 {
        return None;
    }
    let mut power = 0.0f32;
    for (b, db) in world.iter().enumerate() {
        if live_view::band_centre_hz(b) <= p.body.band_hz {
            power += 10f32.powf(db / 10.0);
        }
    }
    (power > 0.0).then(|| (p.body.amount, 10.0 * power.log10()))
}

impl NiceEguiApp for EarshotApp {
    fn build(
        &mut self,
        _egui_ctx: egui::Context,
        nice_gui_ctx: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        self.gui = Some(nice_gui_ctx);
        Ok(())
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut nice_plug_egui::Frame) {
        if let Some(gui) = self.gui.clone() {
            self.draw(ui, &gui.param_setter());
        }
    }

    fn resized(&mut self, size: nice_plug_egui::baseview::WindowSize) {
        if let Ok(mut s) = self.shared.params.editor_size.lock() {
            *s = (
                size.logical.width.round() as u32,
                size.logical.height.round() as u32,
            );
        }
    }

    fn editor_closed(&mut self) {
        self.gui = None;
    }
}

/// The plugin's editor: opens an egui window at the size saved in the state.
///
/// nice-plug-egui's own editor takes its size once, when the plugin is created, before the
/// host restores the state; this one builds it at each opening instead, so a session reopens
/// the window at the size it was saved with.
pub struct EarshotEditor {
    shared: Arc<EditorShared>,
    current: Mutex<Option<nice_plug_egui::EguiEditor<EarshotApp>>>,
}

impl EarshotEditor {
    pub fn new(shared: Arc<EditorShared>) -> Self {
        Self {
            shared,
            current: Mutex::new(None),
        }
    }

    fn settings() -> EguiNiceSettings {
        EguiNiceSettings::new()
            .with_tile("Earshot")
            .with_resize_hint(ResizeHint::resizable().with_min_max_logical_size(
                Some(LogicalSize::new(MIN_SIZE.0 as f32, MIN_SIZE.1 as f32)),
                Some(LogicalSize::new(MAX_SIZE.0 as f32, MAX_SIZE.1 as f32)),
            ))
    }
}

/// An open editor window; closing it (dropping this) stops the snapshots.
pub struct EarshotEditorHandle {
    inner: EguiEditorHandle,
    open: Arc<AtomicBool>,
}

impl Drop for EarshotEditorHandle {
    fn drop(&mut self) {
        self.open.store(false, Ordering::Relaxed);
    }
}

impl Editor for EarshotEditor {
    type Handle = EarshotEditorHandle;

    fn spawn(
        &self,
        parent: Option<ParentWindowHandle>,
        wait_for_parent: bool,
        fallback_scale_factor: Option<f64>,
        gui_context: GuiContext,
        host: Option<HostMethods>,
    ) -> Result<SpawnedEditor<Self::Handle>, Box<dyn Error>> {
        let (w, h) = saved_size(&self.shared.params);
        let state = EguiEditorState::from_size(LogicalSize::new(w as f64, h as f64), 1.0);
        let editor = nice_plug_egui::create_egui_editor(
            state,
            nice_plug_egui::RepaintNotifier::new(),
            Self::settings(),
            EarshotApp::new(Arc::clone(&self.shared)),
        )
        .ok_or("the egui editor could not be created")?;
        let spawned = editor.spawn(
            parent,
            wait_for_parent,
            fallback_scale_factor,
            gui_context,
            host,
        )?;
        if let Ok(mut c) = self.current.lock() {
            *c = Some(editor);
        }
        self.shared.open.store(true, Ordering::Relaxed);
        Ok(SpawnedEditor {
            handle: EarshotEditorHandle {
                inner: spawned.handle,
                open: Arc::clone(&self.shared.open),
            },
            window: spawned.window,
        })
    }

    fn size(&self) -> NativeSize<u32> {
        if let Ok(c) = self.current.lock() {
            if let Some(e) = c.as_ref() {
                return e.size();
            }
        }
        let (w, h) = saved_size(&self.shared.params);
        NativeSize::from_size(LogicalSize::new(w as f64, h as f64).into(), 1.0)
    }

    fn resize_hint(&self) -> ResizeHint {
        Self::settings().resize_hint
    }
}

impl EditorHandle for EarshotEditorHandle {
    type Window = <EguiEditorHandle as EditorHandle>::Window;
    type Error = <EguiEditorHandle as EditorHandle>::Error;

    fn run_until_closed(window: Self::Window) -> Result<(), Self::Error> {
        EguiEditorHandle::run_until_closed(window)
    }
    fn set_parent(
        &self,
        parent: ParentWindowHandle,
        window: &Self::Window,
    ) -> Result<(), Self::Error> {
        self.inner.set_parent(parent, window)
    }
    fn show(&self, window: &Self::Window) -> Result<(), Self::Error> {
        self.inner.show(window)
    }
    fn hide(&self, window: &Self::Window) -> Result<(), Self::Error> {
        self.inner.hide(window)
    }
    fn set_size(
        &self,
        new_size: NativeSize<u32>,
        window: &Self::Window,
    ) -> Result<(), Self::Error> {
        self.inner.set_size(new_size, window)
    }
    fn host_main_thread_callback(&self, window: &Self::Window) {
        self.inner.host_main_thread_callback(window)
    }
    fn adjust_size(
        &self,
        new_size: NativeSize<u32>,
        window: &Self::Window,
    ) -> Option<NativeSize<u32>> {
        self.inner.adjust_size(new_size, window)
    }
    fn set_fallback_scale_factor(
        &self,
        scale_factor: f64,
        window: &Self::Window,
    ) -> Result<(), Self::Error> {
        self.inner.set_fallback_scale_factor(scale_factor, window)
    }
    fn on_virtual_key_from_host(
        &self,
        key_code: VirtualKeyCode,
        is_down: bool,
        modifiers: Modifiers,
    ) -> bool {
        self.inner
            .on_virtual_key_from_host(key_code, is_down, modifiers)
    }
    fn state_changed(&self) {
        self.inner.state_changed()
    }
    fn param_value_changed(&self, id: &str, normalized_value: f32) {
        self.inner.param_value_changed(id, normalized_value)
    }
    fn param_modulation_changed(&self, id: &str, modulation_offset: f32) {
        self.inner.param_modulation_changed(id, modulation_offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_size_is_saved_with_the_state_and_clamped_when_restored() {
        let saved = EarshotParams::default();
        assert_eq!(saved_size(&saved), DEFAULT_SIZE);
        *saved.editor_size.lock().unwrap() = (1500, 900);
        let fields = saved.serialize_fields();
        assert!(fields.contains_key("editor-size"), "{fields:?}");

        let restored = EarshotParams::default();
        restored.deserialize_fields(&fields);
        assert_eq!(saved_size(&restored), (1500, 900));
        // A corrupted state: sizes out of range are clamped. (Text that is no size at all is
        // nice-plug's to reject: it keeps the field as it was, and debug builds assert.)
        let mut bad = fields.clone();
        bad.insert("editor-size".into(), "[0,99999]".into());
        restored.deserialize_fields(&bad);
        assert_eq!(saved_size(&restored), (MIN_SIZE.0, MAX_SIZE.1));
    }
}
