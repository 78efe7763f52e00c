//! The story strip: the film's scenes along the story fader, the current position, and which
//! mode drives the engine. Dragging on the strip moves the `story` parameter through the host's
//! setter (one gesture per drag).

use crate::dsp::story::{scene_at, SCENES};
use crate::params::{EarshotParams, Mode};
use egui::{pos2, Color32, FontId, Rect, Sense, Stroke, Ui, Vec2};
use nice_plug::prelude::*;

/// The story position under `x` in a strip spanning `track`.
pub fn position_at(track: Rect, x: f32) -> f32 {
    ((x - track.left()) / track.width()).clamp(0.0, 1.0)
}

pub fn show(
    ui: &mut Ui,
    size: Vec2,
    params: &EarshotParams,
    setter: &ParamSetter,
) -> egui::Response {
    let (response, painter) = ui.allocate_painter(size, Sense::click_and_drag());
    let story_on = params.story.mode.value() == Mode::Story;
    let pos = params.story.position.value();
    let track = Rect::from_min_max(
        response.rect.min + Vec2::new(8.0, 18.0),
        pos2(response.rect.right() - 8.0, response.rect.bottom() - 16.0),
    );

    let p = &params.story.position;
    if response.drag_started() || response.clicked() {
        setter.begin_set_parameter(p);
    }
    if let Some(at) = response.interact_pointer_pos() {
        if response.dragged() || response.clicked() {
            setter.set_parameter(p, position_at(track, at.x));
        }
    }
    if response.drag_stopped() || response.clicked() {
        setter.end_set_parameter(p);
    }

    let v = ui.visuals();
    let (fill, accent) = if story_on {
        (v.extreme_bg_color, Color32::from_rgb(250, 200, 40))
    } else {
        (v.faint_bg_color, Color32::from_gray(120))
    };
    painter.rect_filled(track, 3.0, fill);
    let x_of = |p: f32| track.left() + p * track.width();
    for (i, s) in SCENES.iter().enumerate() {
        let x = x_of(s.position);
        painter.vline(
            x,
            track.y_range(),
            Stroke::new(1.0, Color32::from_gray(100)),
        );
        let align = match i {
            0 => egui::Align2::LEFT_BOTTOM,
            i if i == SCENES.len() - 1 => egui::Align2::RIGHT_BOTTOM,
            _ => egui::Align2::CENTER_BOTTOM,
        };
        // Alternate rows: Warning and Sudden loss sit close together.
        let y = if i % 2 == 0 {
            track.top() - 2.0
        } else {
            track.bottom() + 14.0
        };
        painter.text(
            pos2(x, y),
            align,
            s.name,
            FontId::proportional(11.0),
            v.text_color(),
        );
    }
    let x = x_of(pos);
    painter.rect_filled(
        Rect::from_x_y_ranges(track.left()..=x, track.y_range()),
        3.0,
        accent.gamma_multiply(0.35),
    );
    painter.vline(x, track.y_range(), Stroke::new(3.0, accent));
    let mode = if story_on {
        format!("STORY · {} · {:.0} %", scene_at(pos), pos * 100.0)
    } else {
        format!("Manual (story fader idle at {:.0} %)", pos * 100.0)
    };
    painter.text(
        track.center(),
        egui::Align2::CENTER_CENTER,
        mode,
        FontId::proportional(12.0),
        v.strong_text_color(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_the_pointer_and_stay_on_the_fader() {
        let t = Rect::from_min_size(pos2(10.0, 0.0), Vec2::new(100.0, 10.0));
        assert_eq!(position_at(t, 10.0), 0.0);
        assert_eq!(position_at(t, 60.0), 0.5);
        assert_eq!(position_at(t, 500.0), 1.0);
        assert_eq!(position_at(t, -5.0), 0.0);
    }
}
