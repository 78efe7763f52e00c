//! The live view: the world's spectrum against what the ears receive (after the loss and
//! implant stages), in one-third-octave bands in dB SPL, with the impaired threshold curve
//! (normal threshold + the audiogram in effect) drawn on it: whatever falls below the curve is
//! not heard. The tinnitus's ringing and the felt drums show as markers.
//!
//! The spectra are computed here, on the editor's thread, from the snapshot's samples; the
//! audio thread only copies samples.

use crate::dsp::audiogram::Audiogram;
use crate::dsp::calibration::Calibration;
use crate::dsp::hearing_threshold::normal_threshold_db_spl;
use egui::{pos2, Color32, FontId, Rect, Shape, Stroke, Ui, Vec2};
use realfft::{RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// One-third-octave bands, nominal centres 31.5 Hz … 16 kHz (IEC 61260-1: base-2 centres
/// 1000 · 2^(k/3)).
pub const BANDS: usize = 28;
const FIRST_BAND_K: i32 = -15;
/// Levels shown, dB SPL.
pub const FLOOR_DB_SPL: f32 = -10.0;
pub const TOP_DB_SPL: f32 = 120.0;

pub fn band_centre_hz(b: usize) -> f32 {
    1000.0 * 2f32.powf((FIRST_BAND_K + b as i32) as f32 / 3.0)
}

/// Hann-windowed FFT summed into one-third-octave bands, calibrated so that a sine with peak
/// amplitude A reads `calibration + 20·log10(A)` dB SPL in its band.
pub struct BandAnalyzer {
    fft: Arc<dyn RealToComplex<f32>>,
    windowed: Vec<f32>,
    spectrum: Vec<realfft::num_complex::Complex<f32>>,
    window: Vec<f32>,
    /// Σ w²: the window's power, to turn bin power into mean square.
    window_power: f32,
}

impl BandAnalyzer {
    pub fn new(len: usize) -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(len);
        let window: Vec<f32> = (0..len)
            .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / len as f32).cos())
            .collect();
        let window_power = window.iter().map(|w| w * w).sum();
        Self {
            windowed: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            fft,
            window,
            window_power,
        }
    }

    /// Band levels (dB SPL, floored at [`FLOOR_DB_SPL`]) of `samples` (the analyzer's length).
    pub fn bands(&mut self, samples: &[f32], sample_rate: f32, cal: Calibration) -> [f32; BANDS] {
        for ((d, s), w) in self.windowed.iter_mut().zip(samples).zip(&self.window) {
            *d = if s.is_finite() { s * w } else { 0.0 };
        }
        let mut out = [FLOOR_DB_SPL; BANDS];
        if self
            .fft
            .process(&mut self.windowed, &mut self.spectrum)
            .is_err()
        {
            return out;
        }
        let n = self.windowed.len() as f32;
        let bin_hz = sample_rate / n;
        let mut power = [0.0f32; BANDS];
        for (k, c) in self.spectrum.iter().enumerate().skip(1) {
            let hz = k as f32 * bin_hz;
            // Band b spans centre · 2^(±1/6).
            let b = (3.0 * (hz / 1000.0).log2() - FIRST_BAND_K as f32).round();
            if b >= 0.0 && (b as usize) < BANDS {
                // Parseval: mean square = 2·|X|² / (N·Σw²) for a one-sided bin.
                power[b as usize] += 2.0 * c.norm_sqr() / (n * self.window_power);
            }
        }
        for (o, p) in out.iter_mut().zip(power) {
            if p > 0.0 {
                *o = cal.rms_to_db_spl(p.sqrt()).max(FLOOR_DB_SPL);
            }
        }
        out
    }
}

/// The impaired threshold at `hz`, dB SPL: the normal threshold raised by the audiogram.
pub fn impaired_threshold_db_spl(a: &Audiogram, hz: f32) -> f32 {
    normal_threshold_db_spl(hz) + a.threshold_at(hz)
}

/// What one frame of the live view shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveFrame {
    pub world: [f32; BANDS],
    pub ear: [f32; BANDS],
    /// The ringing's level at the louder ear, dB SPL, and its pitch (None when silent).
    pub tinnitus: Option<(f32, f32)>,
    /// The ringing's clinical match at that ear, dB SPL: the external tone the patient
    /// matches it with (louder than what is rendered, when recruitment applies).
    pub tinnitus_matched: Option<f32>,
    /// The felt drums: body amount (0…1) and the world's level under the body band, dB SPL.
    pub body: Option<(f32, f32)>,
}

struct Axes {
    plot: Rect,
}

impl Axes {
    fn x(&self, hz: f32) -> f32 {
        let lo = band_centre_hz(0).log2() - 0.5;
        let hi = band_centre_hz(BANDS - 1).log2() + 0.5;
        self.plot.left() + (hz.log2() - lo) / (hi - lo) * self.plot.width()
    }
    fn y(&self, db: f32) -> f32 {
        let t = (db.clamp(FLOOR_DB_SPL, TOP_DB_SPL) - FLOOR_DB_SPL) / (TOP_DB_SPL - FLOOR_DB_SPL);
        self.plot.bottom() - t * self.plot.height()
    }
}

/// Draws `frame` and the threshold curve of `threshold` in `size`.
pub fn show(ui: &mut Ui, size: Vec2, frame: &LiveFrame, threshold: &Audiogram) -> egui::Response {
    let (response, painter) = ui.allocate_painter(size, egui::Sense::hover());
    let outer = response.rect;
    let a = Axes {
        plot: Rect::from_min_max(
            outer.min + Vec2::new(40.0, 8.0),
            outer.max - Vec2::new(8.0, 18.0),
        ),
    };
    let v = ui.visuals();
    let grid = Stroke::new(1.0, v.widgets.noninteractive.bg_stroke.color);
    painter.rect_filled(a.plot, 2.0, v.extreme_bg_color);
    for db in (0..=120).step_by(20) {
        let y = a.y(db as f32);
        painter.hline(a.plot.x_range(), y, grid);
        painter.text(
            pos2(a.plot.left() - 4.0, y),
            egui::Align2::RIGHT_CENTER,
            format!("{db}"),
            FontId::proportional(10.0),
            v.text_color(),
        );
    }
    for hz in [
        63.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0,
    ] {
        let x = a.x(hz);
        painter.vline(x, a.plot.y_range(), Stroke::new(0.5, grid.color));
        let label = super::hz_label(hz);
        painter.text(
            pos2(x, a.plot.bottom() + 2.0),
            egui::Align2::CENTER_TOP,
            label,
            FontId::proportional(10.0),
            v.text_color(),
        );
    }
    painter.text(
        a.plot.left_top() + Vec2::new(4.0, 2.0),
        egui::Align2::LEFT_TOP,
        "dB SPL · grey: world · green: what the ears receive · red: threshold",
        FontId::proportional(10.0),
        v.weak_text_color(),
    );

    // Bars: the world behind, the ears in front, one-third octave wide each.
    let width = a.x(band_centre_hz(1)) - a.x(band_centre_hz(0));
    for b in 0..BANDS {
        let x = a.x(band_centre_hz(b));
        for (level, color, inset) in [
            (frame.world[b], Color32::from_gray(110), 1.0),
            (frame.ear[b], Color32::from_rgb(60, 190, 110), 0.3 * width),
        ] {
            if level > FLOOR_DB_SPL {
                let r = Rect::from_x_y_ranges(
                    x - 0.5 * width + inset..=x + 0.5 * width - inset,
                    a.y(level)..=a.plot.bottom(),
                );
                painter.rect_filled(r, 0.0, color);
            }
        }
    }

    // The impaired threshold, sampled finely along the axis.
    let pts: Vec<_> = (0..=120)
        .map(|i| {
            let hz = band_centre_hz(0) * 2f32.powf(i as f32 / 120.0 * (BANDS - 1) as f32 / 3.0);
            pos2(a.x(hz), a.y(impaired_threshold_db_spl(threshold, hz)))
        })
        .collect();
    painter.add(Shape::line(
        pts,
        Stroke::new(2.0, Color32::from_rgb(230, 70, 70)),
    ));

    if let Some((db, hz)) = frame.tinnitus {
        let yellow = Color32::from_rgb(250, 200, 40);
        let p = pos2(a.x(hz), a.y(db));
        painter.circle_filled(p, 4.0, yellow);
        let text = match frame.tinnitus_matched {
            // The clinical match as a hollow ring: the patient's ringing is that loud to
            // them; what is rendered is as loud to a normal listener.
            Some(m) if (m - db).abs() >= 0.5 => {
                painter.circle_stroke(pos2(p.x, a.y(m)), 4.0, Stroke::new(1.5, yellow));
                format!("ringing {db:.0} dB SPL (patient's match {m:.0})")
            }
            _ => format!("ringing {db:.0} dB SPL"),
        };
        painter.text(
            p + Vec2::new(6.0, -6.0),
            egui::Align2::LEFT_BOTTOM,
            text,
            FontId::proportional(10.0),
            yellow,
        );
    }
    if let Some((amount, db)) = frame.body {
        painter.text(
            pos2(a.x(40.0), a.plot.top() + 16.0),
            egui::Align2::LEFT_TOP,
            format!("felt: {:.0} % of {db:.0} dB SPL", amount * 100.0),
            FontId::proportional(10.0),
            Color32::from_rgb(200, 140, 255),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sine_reads_its_calibrated_level_in_its_band() {
        let (len, fs) = (4096, 48000.0);
        let mut an = BandAnalyzer::new(len);
        let cal = Calibration::new(100.0);
        for (hz, amp) in [(1000.0f32, 0.1f32), (250.0, 0.5), (4000.0, 0.01)] {
            let x: Vec<f32> = (0..len)
                .map(|i| amp * (std::f32::consts::TAU * hz * i as f32 / fs).sin())
                .collect();
            let bands = an.bands(&x, fs, cal);
            let b = (0..BANDS)
                .min_by(|&i, &j| {
                    let d = |k: usize| (band_centre_hz(k) / hz).log2().abs();
                    d(i).total_cmp(&d(j))
                })
                .unwrap();
            let want = 100.0 + 20.0 * amp.log10();
            assert!(
                (bands[b] - want).abs() < 0.5,
                "{hz} Hz: {} dB SPL, want {want}",
                bands[b]
            );
            // Two bands away, the Hann sidelobes are far down.
            assert!(bands[b + 2] < want - 40.0, "{hz} Hz leaks: {:?}", bands);
        }
    }

    #[test]
    fn silence_and_garbage_read_the_floor() {
        let mut an = BandAnalyzer::new(1024);
        let mut x = vec![0.0f32; 1024];
        assert_eq!(
            an.bands(&x, 48000.0, Calibration::default()),
            [FLOOR_DB_SPL; BANDS]
        );
        x[3] = f32::NAN;
        x[4] = f32::INFINITY;
        assert!(an
            .bands(&x, 48000.0, Calibration::default())
            .iter()
            .all(|b| b.is_finite()));
    }

    #[test]
    fn the_threshold_curve_is_the_normal_one_raised_by_the_audiogram() {
        let a = Audiogram::new([40.0; 9]);
        for hz in [250.0, 1000.0, 4000.0] {
            let d = impaired_threshold_db_spl(&a, hz) - normal_threshold_db_spl(hz);
            assert!((d - 40.0).abs() < 1e-4);
        }
    }
}
