//! The editor without a display (egui_kittest): real pointer events go through the real
//! widgets, and every parameter change must arrive through the host-facing setter, which a
//! mock host records (begin / set / end) and applies the way the wrappers do.

use earshot::editor::audiogram_chart::ChartGeometry;
use earshot::editor::live_view::{band_centre_hz, BANDS};
use earshot::editor::snapshot::{self, SnapshotWriter};
use earshot::editor::{EarshotApp, EditorShared};
use earshot::param_access;
use earshot::params::EarshotParams;
use egui::{Pos2, Vec2};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use nice_plug::context::gui::{GuiContext, GuiContextInner};
use nice_plug::context::PluginApi;
use nice_plug::prelude::*;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// A host as the plugin's GUI sees it: records every setter call by parameter id and applies
/// `set` to the parameter.
struct MockHost {
    params: Arc<EarshotParams>,
    log: Mutex<Vec<(&'static str, String, f32)>>,
}

impl MockHost {
    fn id(&self, p: ParamPtr) -> String {
        self.params
            .param_map()
            .into_iter()
            .find(|(_, q, _)| *q == p)
            .map(|(id, _, _)| id)
            .expect("the setter got a pointer that is not one of the plugin's parameters")
    }
    fn calls(&self) -> Vec<(&'static str, String, f32)> {
        self.log.lock().unwrap().clone()
    }
    fn clear(&self) {
        self.log.lock().unwrap().clear();
    }
}

impl GuiContextInner for MockHost {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    unsafe fn raw_begin_set_parameter(&self, param: ParamPtr) {
        let id = self.id(param);
        self.log.lock().unwrap().push(("begin", id, 0.0));
    }
    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        let id = self.id(param);
        unsafe { param._internal_set_normalized_value(normalized) };
        self.log.lock().unwrap().push(("set", id, normalized));
    }
    unsafe fn raw_end_set_parameter(&self, param: ParamPtr) {
        let id = self.id(param);
        self.log.lock().unwrap().push(("end", id, 0.0));
    }
    fn get_state(&self) -> nice_plug::plugin::PluginState {
        unimplemented!("the editor does not read the state")
    }
    fn set_state(&self, _state: nice_plug::plugin::PluginState) {
        unimplemented!("the editor does not write the state")
    }
    fn request_restart(&self) {}
}

struct Fixture {
    params: Arc<EarshotParams>,
    host: Arc<MockHost>,
    writer: SnapshotWriter,
    shared: Arc<EditorShared>,
}

fn fixture() -> Fixture {
    let params = Arc::new(EarshotParams::default());
    let host = Arc::new(MockHost {
        params: Arc::clone(&params),
        log: Mutex::new(Vec::new()),
    });
    let open = Arc::new(AtomicBool::new(true));
    let (writer, reader) = snapshot::channel(Arc::clone(&open));
    let shared = Arc::new(EditorShared {
        params: Arc::clone(&params),
        snapshot: Mutex::new(reader),
        electrodograms: [(); 2].map(|_| {
            Arc::new(earshot::dsp::implant::electrodogram::Electrodogram::new(
                1024,
            ))
        }),
        open,
    });
    Fixture {
        params,
        host,
        writer,
        shared,
    }
}

type State = (EarshotApp, GuiContext);

fn harness(f: &Fixture) -> Harness<'static, State> {
    let gui = GuiContext::new(Arc::clone(&f.host) as Arc<dyn GuiContextInner>);
    Harness::builder()
        .with_size(Vec2::new(1180.0, 780.0))
        .build_ui_state(
            |ui, (app, gui): &mut State| app.draw(ui, &gui.param_setter()),
            (EarshotApp::new(Arc::clone(&f.shared)), gui),
        )
}

/// Press at `from`, move to `to` in steps, release.
fn drag(h: &mut Harness<State>, from: Pos2, to: Pos2) {
    h.hover_at(from);
    h.run();
    h.drag_at(from);
    h.run();
    for i in 1..=8 {
        h.hover_at(from + (to - from) * (i as f32 / 8.0));
        h.run();
    }
    h.drop_at(to);
    h.run();
}

#[test]
fn dragging_an_audiogram_point_sets_the_threshold_through_the_host() {
    let f = fixture();
    param_access::set(&f.params, "link_ears", "off").unwrap();
    let mut h = harness(&f);
    h.run();
    let g = ChartGeometry::new(h.state().0.chart_rect());
    let before_left = f.params.left.audiogram();
    let before = f.params.right.audiogram();
    // The right ear's 2 kHz symbol, dragged down to 80 dB HL.
    let from = g.point(4, before.thresholds_db_hl[4]);
    drag(&mut h, from, Pos2::new(from.x, g.y(80.0)));

    assert_eq!(f.params.right.hl_2k.value(), 80.0);
    // Only that threshold moved; the other ear is untouched.
    let after = f.params.right.audiogram();
    for i in (0..9).filter(|&i| i != 4) {
        assert_eq!(after.thresholds_db_hl[i], before.thresholds_db_hl[i]);
    }
    assert_eq!(f.params.left.audiogram(), before_left);
    // One gesture, through the setter: begin, sets, end, all on right_hl_2k.
    let calls = f.host.calls();
    assert!(!calls.is_empty(), "nothing reached the host");
    assert!(
        calls.iter().all(|(_, id, _)| id == "right_hl_2k"),
        "{calls:?}"
    );
    assert_eq!(calls.first().unwrap().0, "begin");
    assert_eq!(calls.last().unwrap().0, "end");
    assert_eq!(calls.iter().filter(|c| c.0 == "begin").count(), 1);
    assert!(calls.iter().any(|c| c.0 == "set"));
}

#[test]
fn with_linked_ears_a_drag_moves_both_ears() {
    let f = fixture();
    let mut h = harness(&f);
    h.run();
    let g = ChartGeometry::new(h.state().0.chart_rect());
    let from = g.point(2, f.params.left.hl_500.value());
    drag(&mut h, from, Pos2::new(from.x, g.y(50.0)));
    assert_eq!(f.params.left.hl_500.value(), 50.0);
    assert_eq!(f.params.right.hl_500.value(), 50.0);
    let calls = f.host.calls();
    for id in ["left_hl_500", "right_hl_500"] {
        assert_eq!(
            calls.iter().filter(|c| c.0 == "begin" && c.1 == id).count(),
            1
        );
        assert_eq!(
            calls.iter().filter(|c| c.0 == "end" && c.1 == id).count(),
            1
        );
    }
}

fn slider(h: &Harness<State>, id: &str) -> (egui::Rect, bool) {
    let (_, r, enabled) = h
        .state()
        .0
        .controls()
        .iter()
        .find(|(i, _, _)| i == id)
        .unwrap_or_else(|| panic!("{id} is not drawn"))
        .clone();
    (r, enabled)
}

#[test]
fn story_mode_greys_the_manual_controls_it_overrides() {
    let f = fixture();
    let mut h = harness(&f);
    h.run();
    // Manual: the severity slider is live, a drag sets it through the host.
    let (r, enabled) = slider(&h, "severity");
    assert!(enabled);
    drag(&mut h, r.left_center() + Vec2::new(2.0, 0.0), r.center());
    assert!(
        f.params.loss.severity.value() > 0.2,
        "manual drag did nothing"
    );
    assert!(f
        .host
        .calls()
        .iter()
        .any(|c| c.0 == "set" && c.1 == "severity"));

    // Story mode, switched as a host would.
    param_access::set(&f.params, "mode", "story").unwrap();
    h.run();
    f.host.clear();
    let sev = f.params.loss.severity.value();
    for (id, _, enabled) in h.state().0.controls().clone() {
        assert_eq!(
            enabled,
            !EarshotParams::story_sets(&id),
            "{id} enabled={enabled} in Story mode"
        );
    }
    // Greyed means inert: the same drag no longer reaches the host.
    let (r, _) = slider(&h, "severity");
    drag(&mut h, r.center(), r.right_center() - Vec2::new(2.0, 0.0));
    assert_eq!(f.params.loss.severity.value(), sev);
    // Nor does a drag on the audiogram chart.
    let g = ChartGeometry::new(h.state().0.chart_rect());
    let from = g.point(4, f.params.left.hl_2k.value());
    drag(&mut h, from, Pos2::new(from.x, g.y(100.0)));
    assert!(f.host.calls().is_empty(), "{:?}", f.host.calls());
    // A control the story leaves alone stays live: the calibration.
    assert!(slider(&h, "calibration").1);
}

#[test]
fn live_view_and_electrodogram_draw_a_synthetic_snapshot() {
    let mut f = fixture();
    // World: a 1 kHz sine at −20 dBFS peak; ears: the same 40 dB down.
    let fs = 48000.0;
    f.writer.write(|s| {
        s.sample_rate = fs;
        for (i, (w, e)) in s.world.iter_mut().zip(s.ear.iter_mut()).enumerate() {
            let x = (std::f32::consts::TAU * 1000.0 * i as f32 / fs).sin();
            *w = 0.1 * x;
            *e = 0.001 * x;
        }
        s.tinnitus_amplitude = [0.0, 0.01];
        s.tinnitus_pitch_hz = 4000.0;
        s.tinnitus_matched_db_spl = [0.0, 95.0];
    });
    // Three stimulation frames; the last lights electrodes 2 and 5.
    let frames: [[f32; 8]; 3] = [
        [0.1; 8],
        [0.0, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.9, 0.0, 0.0, 0.6, 0.0, 0.0],
    ];
    for (i, fr) in frames.iter().enumerate() {
        f.shared.electrodograms[0].push(fr, 100 * i as u64);
    }
    // The right ear: one frame lighting electrode 7.
    let mut right = [0.0f32; 8];
    right[7] = 0.5;
    f.shared.electrodograms[1].push(&right, 0);
    param_access::set(&f.params, "ci_amount", "1").unwrap();
    param_access::set(&f.params, "ci_channels", "8").unwrap();

    let mut h = harness(&f);
    h.run();
    let app = &h.state().0;
    let live = app.live_frame();
    let k1 = (0..BANDS)
        .find(|&b| (band_centre_hz(b) - 1000.0).abs() < 1.0)
        .unwrap();
    // Calibration 100 dB SPL for a full-scale sine: −20 dB → 80 dB SPL, the ears 40 dB less.
    assert!((live.world[k1] - 80.0).abs() < 0.5, "{:?}", live.world);
    assert!((live.ear[k1] - 40.0).abs() < 0.5, "{:?}", live.ear);
    let (db, hz) = live.tinnitus.expect("the ringing is shown");
    assert!((db - 60.0).abs() < 1e-3 && hz == 4000.0);
    // Both levels: rendered (60 dB SPL) and the patient's clinical match (95 dB SPL).
    assert_eq!(live.tinnitus_matched, Some(95.0));
    let painted: Vec<String> = h
        .output()
        .shapes
        .iter()
        .filter_map(|c| match &c.shape {
            egui::Shape::Text(t) => Some(t.galley.text().to_string()),
            _ => None,
        })
        .collect();
    assert!(
        painted
            .iter()
            .any(|t| t == "ringing 60 dB SPL (patient's match 95)"),
        "{painted:?}"
    );
    let hist = app.history();
    assert_eq!(hist.channels, 8);
    assert_eq!(&hist.latest()[..8], &frames[2]);
    let right_hist = &app.histories()[1];
    assert_eq!(&right_hist.latest()[..8], &right);

    // And it was painted: the output has the bars, curves and heat-map cells.
    let shapes = h.output().shapes.len();
    assert!(shapes > 100, "only {shapes} shapes painted");
}

/// Every parameter of `live` holds the normalised value it has in `reference`.
fn assert_same_values(live: &EarshotParams, reference: &EarshotParams) {
    for (id, _) in param_access::snapshot(reference) {
        assert_eq!(
            param_access::get_normalized(live, &id),
            param_access::get_normalized(reference, &id),
            "{id}"
        );
    }
}

#[test]
fn the_preset_menu_loads_through_the_host() {
    let f = fixture();
    let mut h = harness(&f);
    h.run();
    h.get_by_label("Preset").click();
    h.run();
    let want = earshot::presets::find("profound").unwrap();
    h.get_by_label(want.name.as_str()).click();
    h.run();
    // Every value the preset sets arrived, through begin/set/end.
    let reference = EarshotParams::default();
    earshot::presets::load(&reference, &want).unwrap();
    assert_same_values(&f.params, &reference);
    let calls = f.host.calls();
    let sets = calls.iter().filter(|c| c.0 == "set").count();
    assert!(sets >= want.values.len() - 1, "{sets} sets: {calls:?}");
    assert_eq!(calls.iter().filter(|c| c.0 == "begin").count(), sets);
    assert_eq!(calls.iter().filter(|c| c.0 == "end").count(), sets);
}

#[test]
fn the_age_menu_sets_the_generated_audiogram_through_the_host() {
    use earshot::dsp::audiogram::age::Sex;
    use earshot::dsp::audiogram::listener::Listener;
    let f = fixture();
    param_access::set(&f.params, "tin_amount", "0.4").unwrap();
    param_access::set(&f.params, "link_ears", "off").unwrap();
    let mut h = harness(&f);
    h.run();
    h.get_by_label("From age…").click();
    h.run();
    h.get_by_label("male").click();
    h.run();
    h.get_by_label("Set audiogram").click();
    h.run();
    // The form's default age (70), median, men: exactly what the CLI's --age 70 --sex male
    // sets, on top of what was there.
    let reference = EarshotParams::default();
    param_access::set(&reference, "tin_amount", "0.4").unwrap();
    param_access::set(&reference, "link_ears", "off").unwrap();
    earshot::presets::apply_listener(&reference, &Listener::new(Sex::Male, 70.0)).unwrap();
    assert_same_values(&f.params, &reference);
    let calls = f.host.calls();
    let sets = calls.iter().filter(|c| c.0 == "set").count();
    // 18 thresholds, link_ears and severity; nothing else.
    assert_eq!(sets, 20, "{calls:?}");
    assert!(calls
        .iter()
        .all(|c| c.1.contains("_hl_") || c.1 == "link_ears" || c.1 == "severity"));
    assert_eq!(calls.iter().filter(|c| c.0 == "begin").count(), sets);
}

/// With an air–bone gap the chart is a clinical audiogram of a mixed loss: air symbols the
/// gap below the drawn (cochlear) thresholds, bone symbols (with otosclerosis's Carhart notch)
/// at the drawn ones, and a drag on a bone symbol sets the cochlear threshold under it.
#[test]
fn a_conductive_gap_draws_air_and_bone_symbols_and_drags_the_bone_line() {
    use earshot::editor::audiogram_chart::{clinical, Ear};
    let f = fixture();
    let mut h = harness(&f);
    h.run();
    let plain = h.output().shapes.len();
    param_access::set(&f.params, "left_abg", "30").unwrap();
    param_access::set(&f.params, "abg_shape", "Otosclerosis").unwrap();
    h.run();
    let mixed = h.output().shapes.len();
    // Nine bone symbols of two strokes each, per ear drawn (linked: both ears' symbols).
    assert!(
        mixed >= plain + 18,
        "{plain} shapes without a gap, {mixed} with"
    );
    let c = clinical(&f.params, Ear::Left);
    let drawn = f.params.left.audiogram();
    assert!(c.conductive);
    // 125 Hz: the whole gap; 2 kHz: the otosclerosis shape's 0.55 of it, and the notch.
    assert_eq!(c.air.thresholds_db_hl[0], drawn.thresholds_db_hl[0] + 30.0);
    assert!((c.air.thresholds_db_hl[4] - drawn.thresholds_db_hl[4] - 16.5).abs() < 1e-4);
    assert_eq!(c.bone.thresholds_db_hl[4], drawn.thresholds_db_hl[4] + 15.0);
    // The right ear (linked) shows the left's.
    assert_eq!(clinical(&f.params, Ear::Right), c);

    // Drag the 2 kHz bone symbol down to 80 dB HL: the cochlear threshold is 80 − 15.
    let g = ChartGeometry::new(h.state().0.chart_rect());
    let from = g.point(4, c.bone.thresholds_db_hl[4]);
    drag(&mut h, from, Pos2::new(from.x, g.y(80.0)));
    assert_eq!(f.params.left.hl_2k.value(), 65.0);
}

/// The chart's "in effect" audiograms follow the engine's temporary threshold shift (here a
/// synthetic snapshot of one), and the Blast button holds the trigger while it is pressed.
#[test]
fn the_in_effect_audiogram_moves_with_the_threshold_shift_and_blast_is_momentary() {
    use earshot::dsp::audiogram::POINTS;
    let mut f = fixture();
    param_access::set(&f.params, "severity", "1").unwrap();
    let mut h = harness(&f);
    h.run();
    let before = h.state().0.in_effect().unwrap().clone();
    assert_eq!(before.left, f.params.left.audiogram());
    // 20 dB at 4 kHz, 8 at 1 kHz in the left ear; 5 at 4 kHz in the right.
    let mut shift = [[0.0; POINTS]; 2];
    shift[0][6] = 20.0;
    shift[0][3] = 8.0;
    shift[1][6] = 5.0;
    f.writer.write(|s| s.threshold_shift_db = shift);
    h.run();
    let after = h.state().0.in_effect().unwrap().clone();
    let expect = |before: &earshot::dsp::audiogram::Audiogram, shift: &[f32; POINTS]| {
        let mut t = before.thresholds_db_hl;
        for (t, s) in t.iter_mut().zip(shift) {
            *t = (*t + s).min(120.0);
        }
        t
    };
    assert_eq!(after.left.thresholds_db_hl, expect(&before.left, &shift[0]));
    assert_eq!(
        after.right.thresholds_db_hl,
        expect(&before.right, &shift[1])
    );
    assert!(
        after.label.contains("temporary shift up to 20.0 dB"),
        "{}",
        after.label
    );

    // Hold the button: the trigger is set through the host; release: cleared.
    f.host.clear();
    let at = h.get_by_label("Blast").rect().center();
    h.hover_at(at);
    h.run();
    h.drag_at(at);
    h.run();
    assert!(f.params.tts.blast.value());
    h.drop_at(at);
    h.run();
    h.run();
    assert!(!f.params.tts.blast.value());
    let calls = f.host.calls();
    let sets: Vec<_> = calls.iter().filter(|c| c.0 == "set").collect();
    assert_eq!(sets.len(), 2, "{calls:?}");
    assert!(sets.iter().all(|c| c.1 == "blast"));
}

/// At the default size every control of the top rows lies left of the parameter panel (the
/// Mode and Severity sliders, then the Blast button, on one row).
#[test]
fn the_top_rows_fit_beside_the_parameter_panel() {
    let f = fixture();
    let mut h = harness(&f);
    h.run();
    let panel_left = h.get_by_label("Parameters").rect().left();
    let blast = h.get_by_label("Blast").rect();
    assert!(
        blast.right() < panel_left - 8.0,
        "{blast:?} vs {panel_left}"
    );
    let listener = h.get_by_label("From age…").rect();
    assert!(
        listener.right() < panel_left - 8.0,
        "{listener:?} vs {panel_left}"
    );
}
