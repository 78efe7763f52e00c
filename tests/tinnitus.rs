//! The tinnitus generator, measured from its output: pitch by FFT peak, glide, wobble.

mod common;
use common::peak_hz;
use earshot::dsp::tinnitus::tone::{Tone, WOBBLE_HZ};

fn cents(a: f64, b: f64) -> f64 {
    1200.0 * (a / b).log2()
}

#[test]
fn pitch_is_within_one_cent_at_every_rate() {
    for fs in [44100.0f32, 48000.0, 96000.0] {
        for hz in [250.0f32, 1000.0, 3700.0, 4000.0, 6000.0, 12000.0] {
            let mut t = Tone::new(fs, hz);
            t.set(hz, 0.0);
            let mut x = vec![0.0f32; (2.0 * fs) as usize];
            t.add_to(&mut x, 0.1, 0.1);
            let got = peak_hz(&x, fs);
            let err = cents(got, hz as f64);
            assert!(
                err.abs() < 1.0,
                "{fs} Hz, {hz} Hz: {got:.3} Hz ({err:.3} cents)"
            );
        }
    }
}

#[test]
fn a_new_pitch_glides_there_and_wobble_swings_by_its_depth() {
    let fs = 48000.0;
    let mut t = Tone::new(fs, 4000.0);
    t.set(6000.0, 0.0);
    let mut x = vec![0.0f32; fs as usize];
    t.add_to(&mut x, 0.1, 0.1);
    assert!(cents(t.pitch_hz(), 6000.0).abs() < 0.01);
    // Wobble of 30 cents: the pitch over 1/4 of the wobble period (near its top) sits
    // clearly above the centre, and over the next half clearly below.
    t.set(6000.0, 30.0);
    t.reset();
    let quarter = (fs as f64 / WOBBLE_HZ / 4.0) as usize;
    let mut y = vec![0.0f32; 4 * quarter];
    t.add_to(&mut y, 0.1, 0.1);
    let up = peak_hz(&y[quarter / 2..quarter * 3 / 2], fs);
    let down = peak_hz(&y[quarter * 5 / 2..quarter * 7 / 2], fs);
    assert!(
        cents(up, 6000.0) > 15.0,
        "up {:.1} cents",
        cents(up, 6000.0)
    );
    assert!(
        cents(down, 6000.0) < -15.0,
        "down {:.1} cents",
        cents(down, 6000.0)
    );
}
