//! `--plot PNG`: what a render did, on one page. Spectrograms of the input and the output
//! (time × log frequency, dB re full scale), the ears' audiograms as rendered (standard
//! chart: dB HL downwards, O right, X left), and the story's timeline with its scene names.

use crate::automation::Lane;
use crate::wav::Audio;
use earshot::dsp::audiogram::{Audiogram, STANDARD_HZ};
use earshot::dsp::story::SCENES;
use plotters::prelude::*;
use plotters::style::FontStyle;
use realfft::RealFftPlanner;

const FFT: usize = 2048;
/// Frequency rows of the spectrograms (log-spaced, 50 Hz … 16 kHz or Nyquist).
const ROWS: usize = 96;
const COLUMNS: usize = 480;
/// Colour range, dB re a full-scale sine.
const FLOOR_DB: f64 = -100.0;

/// What the timeline strip shows: the story position over the render, if the story ran.
pub struct Timeline {
    pub story: Option<Lane>,
    /// The story position when it was not automated (Story mode), else `None`.
    pub fixed_position: Option<f32>,
}

/// Spectrogram of the channels' mean: `COLUMNS` × `ROWS` levels in dB, and the row edges.
fn spectrogram(audio: &Audio) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = audio.frames();
    let rate = audio.rate as f64;
    let top = (rate / 2.0).min(16000.0);
    let edges: Vec<f64> = (0..=ROWS)
        .map(|i| 50.0 * (top / 50.0).powf(i as f64 / ROWS as f64))
        .collect();
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(FFT);
    let window: Vec<f64> = (0..FFT)
        .map(|i| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / FFT as f64).cos())
        .collect();
    // A full-scale sine through this window peaks at (Σw / 2)².
    let full_scale = (window.iter().sum::<f64>() / 2.0).powi(2);
    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let mut columns = Vec::with_capacity(COLUMNS);
    for c in 0..COLUMNS {
        let start = (c * n.saturating_sub(FFT)) / COLUMNS.max(1);
        for (i, v) in input.iter_mut().enumerate() {
            let s = audio
                .channels
                .iter()
                .map(|ch| *ch.get(start + i).unwrap_or(&0.0) as f64)
                .sum::<f64>()
                / audio.channels.len() as f64;
            *v = s * window[i];
        }
        let _ = fft.process(&mut input, &mut spectrum);
        let bin_hz = rate / FFT as f64;
        let rows = (0..ROWS)
            .map(|r| {
                let (lo, hi) = (
                    (edges[r] / bin_hz) as usize,
                    (edges[r + 1] / bin_hz) as usize,
                );
                let peak = spectrum[lo.min(FFT / 2)..=hi.clamp(lo, FFT / 2)]
                    .iter()
                    .map(|z| z.norm_sqr())
                    .fold(0.0, f64::max);
                10.0 * (peak / full_scale + 1e-30).log10()
            })
            .collect();
        columns.push(rows);
    }
    (columns, edges)
}

fn hz_label(f: f64) -> String {
    earshot::dsp::audiogram::axis_label(f as f32)
}

/// Dark blue → yellow ("viridis"-like) for 0…1.
fn colour(v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0);
    let stops = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let x = v * (stops.len() - 1) as f64;
    let i = (x as usize).min(stops.len() - 2);
    let t = x - i as f64;
    let mix = |a: f64, b: f64| (a + (b - a) * t) as u8;
    let (a, b) = (stops[i], stops[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

fn draw_spectrogram(area: &Area, audio: &Audio, title: &str) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| format!("plot: {e}");
    let (columns, edges) = spectrogram(audio);
    let seconds = audio.frames() as f64 / audio.rate as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..seconds, (edges[0]..edges[ROWS]).log_scale())
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("time, s")
        .y_desc("Hz")
        .y_label_formatter(&|f| hz_label(*f))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(e)?;
    let dt = seconds / COLUMNS as f64;
    chart
        .draw_series(columns.iter().enumerate().flat_map(|(c, rows)| {
            let edges = &edges;
            rows.iter().enumerate().map(move |(r, db)| {
                let v = (db - FLOOR_DB) / -FLOOR_DB;
                Rectangle::new(
                    [
                        (c as f64 * dt, edges[r]),
                        ((c + 1) as f64 * dt, edges[r + 1]),
                    ],
                    colour(v).filled(),
                )
            })
        }))
        .map_err(e)?;
    Ok(())
}

fn draw_audiogram(area: &Area, ears: [Audiogram; 2], note: &str) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| format!("plot: {e}");
    let mut chart = ChartBuilder::on(area)
        .caption(format!("Audiogram {note}"), ("sans-serif", 20))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d((100.0f64..10000.0).log_scale(), 120.0f64..-10.0)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("Hz")
        .x_label_formatter(&|f| hz_label(*f))
        .y_desc("dB HL")
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(e)?;
    // Right ear red O, left ear blue X (ASHA 1990 audiogram symbols).
    for (ear, colour, mark) in [(1, RED, "O"), (0, BLUE, "X")] {
        let points: Vec<(f64, f64)> = STANDARD_HZ
            .iter()
            .zip(ears[ear].thresholds_db_hl)
            .map(|(f, t)| (*f as f64, t as f64))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(e)?;
        chart
            .draw_series(points.iter().map(|p| {
                Text::new(
                    mark,
                    *p,
                    ("sans-serif", 16).into_font().color(&colour).pos(
                        plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Center,
                            plotters::style::text_anchor::VPos::Center,
                        ),
                    ),
                )
            }))
            .map_err(e)?;
    }
    Ok(())
}

fn draw_timeline(area: &Area, seconds: f64, timeline: &Timeline) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| format!("plot: {e}");
    let mut chart = ChartBuilder::on(area)
        .caption("Story", ("sans-serif", 20))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..seconds, 0.0f64..1.0)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("time, s")
        .y_desc("position")
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(e)?;
    let position = |t: f64| -> Option<f64> {
        match (&timeline.story, timeline.fixed_position) {
            (Some(l), _) => Some(l.value_at(t) as f64),
            (None, Some(p)) => Some(p as f64),
            _ => None,
        }
    };
    if position(0.0).is_none() {
        chart
            .draw_series(std::iter::once(Text::new(
                "Manual mode (no story)",
                (0.02 * seconds, 0.5),
                ("sans-serif", 16),
            )))
            .map_err(e)?;
        return Ok(());
    }
    let steps = 400;
    let curve: Vec<(f64, f64)> = (0..=steps)
        .filter_map(|i| {
            let t = seconds * i as f64 / steps as f64;
            position(t).map(|p| (t, p))
        })
        .collect();
    chart
        .draw_series(LineSeries::new(curve.clone(), BLACK.stroke_width(2)))
        .map_err(e)?;
    // Each scene: a mark and its name where the story reaches it.
    for s in SCENES {
        let p = s.position as f64;
        let hit = curve
            .windows(2)
            .find(|w| (w[0].1 - p) * (w[1].1 - p) <= 0.0 && w[0].1 != w[1].1)
            .map(|w| w[0].0)
            .or_else(|| curve.iter().find(|c| (c.1 - p).abs() < 1e-6).map(|c| c.0));
        if let Some(t) = hit {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(t, 0.0), (t, 1.0)],
                    RGBColor(150, 150, 150),
                )))
                .map_err(e)?;
            // Names near the right edge end at their mark instead of starting there.
            let h = if t > 0.9 * seconds {
                plotters::style::text_anchor::HPos::Right
            } else {
                plotters::style::text_anchor::HPos::Left
            };
            let style = ("sans-serif", 13).into_font().color(&BLACK).pos(
                plotters::style::text_anchor::Pos::new(
                    h,
                    plotters::style::text_anchor::VPos::Center,
                ),
            );
            chart
                .draw_series(std::iter::once(Text::new(
                    s.name,
                    (t, if p > 0.5 { 0.15 } else { 0.85 }),
                    style,
                )))
                .map_err(e)?;
        }
    }
    Ok(())
}

/// Write the page to `path` (PNG, 1400 × 1000).
pub fn write(
    path: &std::path::Path,
    before: &Audio,
    after: &Audio,
    ears: [Audiogram; 2],
    note: &str,
    timeline: &Timeline,
) -> Result<(), String> {
    plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "plot: the embedded font did not load".to_string())?;
    let e = |e: DrawingAreaErrorKind<_>| format!("{}: {e}", path.display());
    let root = BitMapBackend::new(path, (1400, 1000)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let (top, bottom) = root.split_vertically(800);
    let (spectra, side) = top.split_horizontally(1000);
    let (a, b) = spectra.split_vertically(400);
    draw_spectrogram(&a, before, "Input (before)")?;
    draw_spectrogram(&b, after, "Output (after Earshot)")?;
    let (gram, legend) = side.split_vertically(500);
    draw_audiogram(&gram, ears, note)?;
    legend
        .draw(&Text::new(
            format!("colour: {FLOOR_DB:.0} … 0 dB re full scale"),
            (10, 20),
            ("sans-serif", 14),
        ))
        .map_err(e)?;
    for i in 0..200 {
        legend
            .draw(&Rectangle::new(
                [(10 + i, 40), (11 + i, 60)],
                colour(i as f64 / 199.0).filled(),
            ))
            .map_err(e)?;
    }
    let seconds = before.frames() as f64 / before.rate as f64;
    draw_timeline(&bottom, seconds, timeline)?;
    root.present().map_err(e)?;
    Ok(())
}
