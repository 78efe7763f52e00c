//! The audiogram chart: frequency on a log axis (125 Hz – 8 kHz, octaves equally spaced),
//! hearing level in dB HL growing downwards, O for the right ear and X for the left
//! (ASHA 1990 "Guidelines for audiometric symbols"; red right, blue left). Drag a symbol to
//! move that threshold; it is set through the host's setter (begin / set / end), so the host
//! records the drag as one automation gesture. With the ears linked, both ears move together.
//! The curve in effect (severity applied, or the story's audiogram) is drawn over it.
//!
//! With a conductive component (an air–bone gap) the chart is a clinical audiogram of a
//! mixed loss: the drawn thresholds are the cochlea's, shown as bone-conduction symbols
//! (< right, > left; with the Carhart notch on them for otosclerosis) and still dragged, and
//! the air-conduction symbols O and X sit the gap below them.

use crate::dsp::audiogram::{Audiogram, WhoGrade, POINTS, RANGE_DB_HL, STANDARD_HZ};
use crate::dsp::hearing::conductive;
use crate::params::EarshotParams;
use egui::{pos2, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, Ui, Vec2};
use nice_plug::prelude::*;

pub const RIGHT_COLOR: Color32 = Color32::from_rgb(220, 60, 60);
pub const LEFT_COLOR: Color32 = Color32::from_rgb(70, 120, 235);
/// Thresholds move in 5 dB steps while dragged: the audiometer's step (ISO 8253-1).
pub const STEP_DB: f32 = 5.0;
/// How close (points) the pointer must be to grab a symbol.
const GRAB_RADIUS: f32 = 14.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ear {
    Left,
    Right,
}

/// Maps frequency and hearing level to the chart's plot area.
#[derive(Clone, Copy, Debug)]
pub struct ChartGeometry {
    pub plot: Rect,
}

const LOW_HZ: f32 = 125.0;
const HIGH_HZ: f32 = 8000.0;

impl ChartGeometry {
    /// The plot area inside `outer`, leaving room for the axis labels.
    pub fn new(outer: Rect) -> Self {
        Self {
            plot: Rect::from_min_max(
                outer.min + Vec2::new(46.0, 22.0),
                outer.max - Vec2::new(14.0, 8.0),
            ),
        }
    }

    pub fn x(&self, hz: f32) -> f32 {
        // Half an octave of margin each side so the 125 Hz and 8 kHz symbols are not cut.
        let t = ((hz / LOW_HZ).log2() + 0.5) / ((HIGH_HZ / LOW_HZ).log2() + 1.0);
        self.plot.left() + t * self.plot.width()
    }

    pub fn y(&self, db_hl: f32) -> f32 {
        let t = (db_hl - RANGE_DB_HL.0) / (RANGE_DB_HL.1 - RANGE_DB_HL.0);
        self.plot.top() + t * self.plot.height()
    }

    /// The hearing level at height `y`, snapped to [`STEP_DB`] and kept in range.
    pub fn db_at(&self, y: f32) -> f32 {
        let t = (y - self.plot.top()) / self.plot.height();
        let db = RANGE_DB_HL.0 + t * (RANGE_DB_HL.1 - RANGE_DB_HL.0);
        ((db / STEP_DB).round() * STEP_DB).clamp(RANGE_DB_HL.0, RANGE_DB_HL.1)
    }

    pub fn point(&self, i: usize, db_hl: f32) -> Pos2 {
        pos2(self.x(STANDARD_HZ[i]), self.y(db_hl))
    }
}

/// The symbol nearest `pos` within the grab radius: (ear, frequency index).
pub fn pick(
    g: &ChartGeometry,
    pos: Pos2,
    left: &Audiogram,
    right: &Audiogram,
    linked: bool,
) -> Option<(Ear, usize)> {
    let mut best: Option<(f32, Ear, usize)> = None;
    let ears: &[(Ear, &Audiogram)] = if linked {
        &[(Ear::Left, left)]
    } else {
        &[(Ear::Right, right), (Ear::Left, left)]
    };
    for &(ear, a) in ears {
        for i in 0..POINTS {
            let d = g.point(i, a.thresholds_db_hl[i]).distance(pos);
            if d <= GRAB_RADIUS && best.is_none_or(|(bd, _, _)| d < bd) {
                best = Some((d, ear, i));
            }
        }
    }
    best.map(|(_, e, i)| (e, i))
}

/// The parameters a drag of `(ear, i)` moves: one ear, or both when linked.
fn targets(params: &EarshotParams, ear: Ear, i: usize, linked: bool) -> Vec<&FloatParam> {
    let l = params.left.all()[i];
    let r = params.right.all()[i];
    match (linked, ear) {
        (true, _) => vec![l, r],
        (false, Ear::Left) => vec![l],
        (false, Ear::Right) => vec![r],
    }
}

/// One ear as a clinical audiogram shows it (severity not applied: the thresholds drawn).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clinical {
    /// Air conduction: the drawn (cochlear) thresholds plus the gap.
    pub air: Audiogram,
    /// Bone conduction: the drawn thresholds plus the Carhart notch, where there is one.
    pub bone: Audiogram,
    /// What the bone symbols add to the drawn thresholds (the notch), dB.
    pub notch: [f32; POINTS],
    /// Whether the ear has a conductive component (else air = bone = drawn, and only the air
    /// symbols are drawn).
    pub conductive: bool,
}

/// `ear` of `params` as a clinical audiogram (the right ear follows the left while linked,
/// gap included, as in the engine).
pub fn clinical(params: &EarshotParams, ear: Ear) -> Clinical {
    let linked = params.loss.link_ears.value();
    let source = match (ear, linked) {
        (Ear::Right, false) => &params.right,
        _ => &params.left,
    };
    let drawn = source.audiogram();
    let gap_db = source.air_bone_gap.value();
    let shape: conductive::GapShape = params.loss.gap_shape.value().into();
    let gap = conductive::gap_at_points(gap_db, shape);
    let (air, bone) = conductive::air_and_bone(&drawn, &gap, shape, gap_db);
    let mut notch = [0.0; POINTS];
    for (n, (b, d)) in notch
        .iter_mut()
        .zip(bone.thresholds_db_hl.iter().zip(drawn.thresholds_db_hl))
    {
        *n = b - d;
    }
    Clinical {
        air,
        bone,
        notch,
        conductive: gap != Audiogram::NORMAL,
    }
}

/// What the chart shows in effect: the engine's audiograms now (severity or story applied,
/// and the temporary threshold shift).
#[derive(Clone, Debug, PartialEq)]
pub struct InEffect {
    pub left: Audiogram,
    pub right: Audiogram,
    pub label: String,
}

/// Draws the chart in `size` and handles drags. `enabled`: false in Story mode (the story's
/// audiogram is in effect; the drawn one waits).
pub fn show(
    ui: &mut Ui,
    size: Vec2,
    params: &EarshotParams,
    setter: &ParamSetter,
    in_effect: &InEffect,
    enabled: bool,
) -> egui::Response {
    let sense = if enabled {
        Sense::click_and_drag()
    } else {
        Sense::hover()
    };
    let (response, painter) = ui.allocate_painter(size, sense);
    let g = ChartGeometry::new(response.rect);
    let linked = params.loss.link_ears.value();
    let (clin_left, clin_right) = (clinical(params, Ear::Left), clinical(params, Ear::Right));
    // The draggable symbols sit at the bone thresholds (= the drawn ones but for a Carhart
    // notch, which a drag takes back off).
    let (left, right) = (clin_left.bone, clin_right.bone);

    // Drag: grab on press, move through the setter, release ends the gesture.
    let drag_id = response.id.with("drag");
    let mut dragging: Option<(Ear, usize)> =
        ui.data(|d| d.get_temp::<Option<(Ear, usize)>>(drag_id).flatten());
    if response.drag_started() {
        // Pick where the button went down: by the time egui calls it a drag, the pointer may
        // already be past the grab radius.
        let origin = ui.input(|i| i.pointer.press_origin());
        if let Some(p) = origin.or(response.interact_pointer_pos()) {
            dragging = pick(&g, p, &left, &right, linked);
            if let Some((ear, i)) = dragging {
                for p in targets(params, ear, i, linked) {
                    setter.begin_set_parameter(p);
                }
            }
        }
    }
    if let (Some((ear, i)), Some(p)) = (dragging, response.interact_pointer_pos()) {
        if response.dragged() {
            let notch = match ear {
                Ear::Left => clin_left.notch[i],
                Ear::Right => clin_right.notch[i],
            };
            let db = (g.db_at(p.y) - notch).clamp(RANGE_DB_HL.0, RANGE_DB_HL.1);
            for p in targets(params, ear, i, linked) {
                if p.unmodulated_plain_value() != db {
                    setter.set_parameter(p, db);
                }
            }
        }
    }
    if response.drag_stopped() {
        if let Some((ear, i)) = dragging.take() {
            for p in targets(params, ear, i, linked) {
                setter.end_set_parameter(p);
            }
        }
    }
    ui.data_mut(|d| d.insert_temp(drag_id, dragging));

    let visuals = ui.visuals();
    let text = visuals.text_color();
    let weak = visuals.weak_text_color();
    let grid = Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color);
    painter.rect_filled(g.plot, 2.0, visuals.extreme_bg_color);

    // WHO 2021 grade bands as faint tints (thresholds of the better ear's PTA, dB HL).
    for grade in WhoGrade::ALL.into_iter().skip(1) {
        let (lo, hi) = grade.range_db_hl();
        let (hi, name) = (hi.min(RANGE_DB_HL.1), grade.short_name());
        let band = Rect::from_x_y_ranges(g.plot.x_range(), g.y(lo)..=g.y(hi));
        let shade = (lo / RANGE_DB_HL.1 * 40.0) as u8;
        painter.rect_filled(band, 0.0, Color32::from_black_alpha(shade));
        painter.text(
            pos2(g.plot.right() - 4.0, g.y(lo) + 2.0),
            egui::Align2::RIGHT_TOP,
            name,
            FontId::proportional(10.0),
            weak,
        );
    }
    let mut db = RANGE_DB_HL.0;
    while db <= RANGE_DB_HL.1 {
        let y = g.y(db);
        painter.hline(g.plot.x_range(), y, grid);
        painter.text(
            pos2(g.plot.left() - 4.0, y),
            egui::Align2::RIGHT_CENTER,
            format!("{db:.0}"),
            FontId::proportional(11.0),
            text,
        );
        db += 10.0;
    }
    for &hz in &STANDARD_HZ {
        let x = g.x(hz);
        let inter_octave = hz == 3000.0 || hz == 6000.0;
        let stroke = if inter_octave {
            Stroke::new(0.5, grid.color)
        } else {
            grid
        };
        painter.vline(x, g.plot.y_range(), stroke);
        let label = super::hz_label(hz);
        painter.text(
            pos2(x, g.plot.top() - 3.0),
            egui::Align2::CENTER_BOTTOM,
            label,
            FontId::proportional(11.0),
            if inter_octave { weak } else { text },
        );
    }
    painter.text(
        pos2(response.rect.left() + 2.0, g.plot.top() - 3.0),
        egui::Align2::LEFT_BOTTOM,
        "dB HL",
        FontId::proportional(11.0),
        weak,
    );

    // The audiograms in effect, as wide faint bands under the symbols.
    let effect_pairs: &[(&Audiogram, Color32)] = if linked {
        &[(&in_effect.left, LEFT_COLOR)]
    } else {
        &[
            (&in_effect.right, RIGHT_COLOR),
            (&in_effect.left, LEFT_COLOR),
        ]
    };
    for &(a, c) in effect_pairs {
        let pts: Vec<Pos2> = (0..POINTS)
            .map(|i| g.point(i, a.thresholds_db_hl[i]))
            .collect();
        painter.add(Shape::line(pts, Stroke::new(6.0, c.gamma_multiply(0.3))));
    }
    painter.text(
        pos2(g.plot.left() + 4.0, g.plot.bottom() - 4.0),
        egui::Align2::LEFT_BOTTOM,
        &in_effect.label,
        FontId::proportional(11.0),
        weak,
    );

    // The drawn audiograms: O right, X left, joined by lines; with a gap, the drawn
    // thresholds as bone symbols (< right, > left) and O / X the gap below them.
    let alpha = if enabled { 1.0 } else { 0.45 };
    let draw_ear = |clin: &Clinical, ear: Ear| {
        let c = match ear {
            Ear::Right => RIGHT_COLOR,
            Ear::Left => LEFT_COLOR,
        }
        .gamma_multiply(alpha);
        let at = |a: &Audiogram| -> Vec<Pos2> {
            (0..POINTS)
                .map(|i| g.point(i, a.thresholds_db_hl[i]))
                .collect()
        };
        // Without a gap the air thresholds are the drawn ones.
        let pts = at(&clin.air);
        painter.add(Shape::line(pts.clone(), Stroke::new(1.5, c)));
        for (i, p) in pts.into_iter().enumerate() {
            let hot = !clin.conductive && dragging == Some((ear, i));
            let w = if hot { 3.0 } else { 2.0 };
            match ear {
                Ear::Right => {
                    painter.circle_stroke(p, 6.0, Stroke::new(w, c));
                }
                Ear::Left => {
                    let d = 5.5;
                    painter.line_segment([p + Vec2::new(-d, -d), p + Vec2::new(d, d)], (w, c));
                    painter.line_segment([p + Vec2::new(-d, d), p + Vec2::new(d, -d)], (w, c));
                }
            }
        }
        if clin.conductive {
            for (i, p) in at(&clin.bone).into_iter().enumerate() {
                let hot = dragging == Some((ear, i));
                let w = if hot { 3.0 } else { 2.0 };
                // ASHA 1990: unmasked bone conduction, right "<", left ">", beside the
                // frequency line on the ear's side.
                let (d, s) = (
                    5.5,
                    match ear {
                        Ear::Right => -1.0,
                        Ear::Left => 1.0,
                    },
                );
                let tip = p + Vec2::new(s * (d + 2.0), 0.0);
                let back = p + Vec2::new(s * 2.0, 0.0);
                painter.line_segment([back + Vec2::new(0.0, -d), tip], (w, c));
                painter.line_segment([back + Vec2::new(0.0, d), tip], (w, c));
            }
        }
    };
    // Linked, the right ear shows the left's (as the engine uses it).
    draw_ear(&clin_right, Ear::Right);
    draw_ear(&clin_left, Ear::Left);

    if let Some(p) = response.hover_pos() {
        if enabled && pick(&g, p, &left, &right, linked).is_some() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeVertical);
        }
    }
    response
}

/// Pure-tone average (0.5, 1, 2, 4 kHz), WHO grade and AMA impairment of one ear, as text.
pub fn ear_summary(a: &Audiogram) -> String {
    format!(
        "PTA {:.0} dB HL, {}, AMA {:.0} %",
        a.pta4(),
        a.who_grade().name(),
        a.ama_impairment_percent()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry() -> ChartGeometry {
        ChartGeometry::new(Rect::from_min_size(Pos2::ZERO, Vec2::new(500.0, 400.0)))
    }

    #[test]
    fn axes_run_the_standard_way() {
        let g = geometry();
        // Octaves are equally spaced; 3 kHz sits between 2 and 4 kHz.
        let octave = g.x(250.0) - g.x(125.0);
        assert!((g.x(8000.0) - g.x(4000.0) - octave).abs() < 1e-3);
        assert!(g.x(2000.0) < g.x(3000.0) && g.x(3000.0) < g.x(4000.0));
        // dB HL grows downwards; the whole range fits the plot.
        assert!(g.y(60.0) > g.y(20.0));
        assert!((g.y(RANGE_DB_HL.0) - g.plot.top()).abs() < 1e-3);
        assert!((g.y(RANGE_DB_HL.1) - g.plot.bottom()).abs() < 1e-3);
    }

    #[test]
    fn heights_map_back_to_levels_in_audiometer_steps() {
        let g = geometry();
        for db in [-10.0, 0.0, 35.0, 70.0, 120.0] {
            assert_eq!(g.db_at(g.y(db)), db);
        }
        assert_eq!(g.db_at(g.y(37.0)), 35.0);
        assert_eq!(g.db_at(g.y(38.0)), 40.0);
        assert_eq!(g.db_at(-1e6), RANGE_DB_HL.0);
        assert_eq!(g.db_at(1e6), RANGE_DB_HL.1);
    }

    #[test]
    fn picking_finds_the_nearest_symbol_of_the_right_ear() {
        let g = geometry();
        let left = Audiogram::new([10.0; POINTS]);
        let right = Audiogram::new([60.0; POINTS]);
        let at = g.point(3, 60.0) + Vec2::new(3.0, 2.0);
        assert_eq!(pick(&g, at, &left, &right, false), Some((Ear::Right, 3)));
        assert_eq!(
            pick(&g, g.point(8, 10.0), &left, &right, false),
            Some((Ear::Left, 8))
        );
        // Far from every symbol: nothing.
        assert_eq!(pick(&g, g.point(3, 35.0), &left, &right, false), None);
        // Linked: only the shared (left) symbols are there to grab.
        assert_eq!(pick(&g, at, &left, &right, true), None);
    }
}
