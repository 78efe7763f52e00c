//! The electrodogram (electrodes × time, brightness = current) and the electrode array drawn
//! along the cochlear spiral, with the insertion shift.
//!
//! Frames come from the engine's lock-free [`Electrodogram`] ring; [`History`] keeps the last
//! [`COLUMNS`] of them for drawing.

use crate::dsp::implant::device::Layout;
use crate::dsp::implant::electrodogram::{Electrodogram, Frame};
use crate::dsp::implant::greenwood::{self, COCHLEA_MM, MAX_CHANNELS};
use egui::{pos2, Color32, FontId, Pos2, Rect, Shape, Stroke, Ui, Vec2};

/// Stimulation frames kept for the picture (≈ 0.7 s at 900 pps).
pub const COLUMNS: usize = 600;

/// The newest stimulation frames, oldest first.
pub struct History {
    frames: Vec<[f32; MAX_CHANNELS]>,
    /// Ring position of the next frame.
    head: usize,
    /// Next frame index to read from the electrodogram.
    next: u64,
    pub channels: usize,
}

impl Default for History {
    fn default() -> Self {
        Self::new()
    }
}

impl History {
    pub fn new() -> Self {
        Self {
            frames: vec![[0.0; MAX_CHANNELS]; COLUMNS],
            head: 0,
            next: 0,
            channels: 0,
        }
    }

    pub fn push(&mut self, f: &Frame) {
        self.frames[self.head] = f.levels;
        self.head = (self.head + 1) % COLUMNS;
        self.channels = f.channels;
    }

    /// Reads every frame written since the last call (skipping what the ring already lost).
    /// Returns how many frames were new.
    pub fn pull(&mut self, e: &Electrodogram) -> usize {
        let written = e.written();
        if written < self.next {
            // A new writer started over.
            self.next = 0;
        }
        let from = self.next.max(written.saturating_sub(COLUMNS as u64));
        let mut n = 0;
        for i in from..written {
            if let Some(f) = e.read(i) {
                self.push(&f);
                n += 1;
            }
        }
        self.next = written;
        n
    }

    /// Frame `i` of the last [`COLUMNS`], 0 = oldest.
    pub fn column(&self, i: usize) -> &[f32; MAX_CHANNELS] {
        &self.frames[(self.head + i) % COLUMNS]
    }

    /// The newest frame.
    pub fn latest(&self) -> &[f32; MAX_CHANNELS] {
        self.column(COLUMNS - 1)
    }
}

fn heat(level: f32) -> Color32 {
    // Black → orange → white: current from threshold to comfort.
    let l = level.clamp(0.0, 1.0);
    let r = (l * 2.0).min(1.0);
    let g = (l * 1.6 - 0.3).clamp(0.0, 1.0);
    let b = (l * 2.0 - 1.0).clamp(0.0, 1.0);
    Color32::from_rgb((r * 255.0) as u8, (g * 220.0) as u8, (b * 255.0) as u8)
}

/// The electrodogram: electrode rows (basal, high frequencies, at the top), time to the right.
pub fn show_electrodogram(ui: &mut Ui, size: Vec2, h: &History) -> egui::Response {
    let (response, painter) = ui.allocate_painter(size, egui::Sense::hover());
    let plot = Rect::from_min_max(
        response.rect.min + Vec2::new(28.0, 4.0),
        response.rect.max - Vec2::new(4.0, 4.0),
    );
    painter.rect_filled(plot, 0.0, Color32::BLACK);
    let n = h.channels.clamp(1, MAX_CHANNELS);
    let row = plot.height() / n as f32;
    // One column per pixel: the brightest frame that falls in it.
    let cols = plot.width().max(1.0) as usize;
    let mut mesh = egui::Mesh::default();
    for c in 0..cols {
        let f0 = c * COLUMNS / cols;
        let f1 = ((c + 1) * COLUMNS / cols).max(f0 + 1);
        for e in 0..n {
            let level = (f0..f1).map(|f| h.column(f)[e]).fold(0.0f32, f32::max);
            if level > 0.0 {
                let x = plot.left() + c as f32;
                let y = plot.bottom() - (e + 1) as f32 * row;
                mesh.add_colored_rect(
                    Rect::from_min_size(pos2(x, y), Vec2::new(1.0, row.max(1.0))),
                    heat(level),
                );
            }
        }
    }
    painter.add(Shape::mesh(mesh));
    let text = ui.visuals().text_color();
    painter.text(
        pos2(plot.left() - 3.0, plot.top()),
        egui::Align2::RIGHT_TOP,
        format!("E{n}"),
        FontId::proportional(10.0),
        text,
    );
    painter.text(
        pos2(plot.left() - 3.0, plot.bottom()),
        egui::Align2::RIGHT_BOTTOM,
        "E1",
        FontId::proportional(10.0),
        text,
    );
    if h.channels == 0 {
        painter.text(
            plot.center(),
            egui::Align2::CENTER_CENTER,
            "implant off",
            FontId::proportional(12.0),
            Color32::GRAY,
        );
    }
    response
}

/// Where `x_mm` from the apex lies on a cochlea drawn as a 2.5-turn spiral in `r` (apex at the
/// centre, base outside).
fn spiral(r: Rect, x_mm: f64) -> Pos2 {
    let t = (x_mm / COCHLEA_MM).clamp(0.0, 1.0) as f32;
    let turns = 2.5;
    let angle = std::f32::consts::TAU * turns * (1.0 - t);
    let radius = (0.08 + 0.92 * t) * 0.5 * r.width().min(r.height());
    r.center() + radius * Vec2::new(angle.cos(), -angle.sin())
}

/// The array along the cochlea: each electrode where it sits (its band's place shifted
/// basally by `shift_mm`), brightness from the newest frame, with a faint mark at the place its
/// band belongs (the mismatch the brain has to learn).
pub fn show_array(
    ui: &mut Ui,
    size: Vec2,
    layout: Layout,
    shift_mm: f32,
    sample_rate: f32,
    latest: &[f32; MAX_CHANNELS],
) -> egui::Response {
    let (response, painter) = ui.allocate_painter(size, egui::Sense::hover());
    let r = response.rect.shrink(6.0);
    let duct: Vec<Pos2> = (0..=200)
        .map(|i| spiral(r, COCHLEA_MM * i as f64 / 200.0))
        .collect();
    painter.add(Shape::line(duct, Stroke::new(5.0, Color32::from_gray(70))));
    let weak = ui.visuals().weak_text_color();
    for hz in [250.0, 1000.0, 4000.0, 8000.0] {
        let p = spiral(r, greenwood::place_mm(hz));
        let label = super::hz_label(hz as f32);
        painter.text(
            p,
            egui::Align2::CENTER_CENTER,
            label,
            FontId::proportional(9.0),
            weak,
        );
    }
    let map = layout
        .device
        .channel_map(layout.channels, sample_rate as f64);
    for (i, ch) in map.iter().enumerate() {
        let home = spiral(r, ch.place_mm);
        let at = spiral(r, ch.place_mm + shift_mm as f64);
        painter.circle_stroke(home, 2.5, Stroke::new(1.0, Color32::from_gray(120)));
        painter.circle_filled(at, 3.5, heat(0.15 + 0.85 * latest[i]));
    }
    painter.text(
        response.rect.left_bottom(),
        egui::Align2::LEFT_BOTTOM,
        format!("{} electrodes · shift {shift_mm:.1} mm", map.len()),
        FontId::proportional(10.0),
        weak,
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_the_newest_frames_in_order_and_survives_a_new_writer() {
        let e = Electrodogram::new(64);
        let mut h = History::new();
        for k in 0..10 {
            e.push(&[k as f32, 1.0], k as u64);
        }
        assert_eq!(h.pull(&e), 10);
        assert_eq!(h.latest()[0], 9.0);
        assert_eq!(h.column(COLUMNS - 10)[0], 0.0);
        assert_eq!(h.channels, 2);
        assert_eq!(h.pull(&e), 0, "nothing new");
        // The writer laps the ring: only what is still there is read, newest last.
        for k in 10..200 {
            e.push(&[k as f32], k as u64);
        }
        assert_eq!(h.pull(&e), 64);
        assert_eq!(h.latest()[0], 199.0);
        assert_eq!(h.column(COLUMNS - 64)[0], 136.0);
        // A new electrodogram (engine rebuilt): starts over instead of waiting forever.
        let fresh = Electrodogram::new(64);
        fresh.push(&[5.0], 0);
        assert_eq!(h.pull(&fresh), 1);
        assert_eq!(h.latest()[0], 5.0);
    }

    #[test]
    fn the_spiral_runs_from_apex_inside_to_base_outside() {
        let r = Rect::from_min_size(Pos2::ZERO, Vec2::splat(100.0));
        let d = |x: f64| spiral(r, x).distance(r.center());
        assert!(d(0.0) < d(10.0) && d(10.0) < d(COCHLEA_MM));
        assert!((d(COCHLEA_MM) - 50.0).abs() < 1e-3);
    }
}
