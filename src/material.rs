//! Program material the project owns, for tests and benchmarks: drums, speech-like sound and
//! noise bursts, deterministic from a seed, at any sample rate.
//!
//! Steady tones and one repeated block hide what running sound shows (a loss stage whose
//! output depends on where its frames fall, a bench that is twice as fast as the plugin in a
//! host), so every speed and time-invariance figure is taken on this material. Real speech
//! (espeak-ng) is used where the test can run it (the Python tests); here a source–filter
//! imitation of it: a glottal pulse train with a gliding pitch through three formant
//! resonators, in syllables of 80–250 ms with pauses, and fricative noise between them.

use crate::demo::drum_loop;
use std::f32::consts::{PI, TAU};

/// xorshift32 (Marsaglia 2003) as a uniform −1…1 source.
struct Rng(u32);

impl Rng {
    fn new(seed: u32) -> Self {
        Self(seed.max(1))
    }
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0 as f32 / u32::MAX as f32 * 2.0 - 1.0
    }
    /// Uniform in `lo..hi`.
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * 0.5 * (self.next() + 1.0)
    }
}

/// A two-pole resonator at `f` Hz with bandwidth `bw` Hz, unity gain at its peak.
struct Resonator {
    a1: f32,
    a2: f32,
    g: f32,
    y1: f32,
    y2: f32,
}

impl Resonator {
    fn new() -> Self {
        Self {
            a1: 0.0,
            a2: 0.0,
            g: 0.0,
            y1: 0.0,
            y2: 0.0,
        }
    }
    fn tune(&mut self, f: f32, bw: f32, rate: f32) {
        let r = (-PI * bw / rate).exp();
        self.a1 = 2.0 * r * (TAU * f / rate).cos();
        self.a2 = -r * r;
        self.g = 1.0 - r;
    }
    fn tick(&mut self, x: f32) -> f32 {
        let y = self.g * x + self.a1 * self.y1 + self.a2 * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// Formant frequencies (F1, F2, F3, Hz) of five vowels, adult male (Peterson & Barney 1952,
/// rounded): /a/, /i/, /u/, /e/, /o/.
const VOWELS: [[f32; 3]; 5] = [
    [730.0, 1090.0, 2440.0],
    [270.0, 2290.0, 3010.0],
    [300.0, 870.0, 2240.0],
    [530.0, 1840.0, 2480.0],
    [570.0, 840.0, 2410.0],
];

/// Speech-like sound, mono, RMS about −20 dBFS while voiced.
pub fn speech_like(rate: f32, seconds: f32, seed: u32) -> Vec<f32> {
    let n = (rate * seconds).max(0.0) as usize;
    let mut rng = Rng::new(seed);
    let mut out = vec![0.0f32; n];
    let mut formants = [Resonator::new(), Resonator::new(), Resonator::new()];
    let mut fric = Resonator::new();
    fric.tune(5000.0, 3000.0, rate);
    let mut i = 0;
    let mut phase = 0.0f32;
    while i < n {
        // One syllable: a voiced nucleus with a pitch glide, a fricative onset half the time,
        // then a pause (longer ones between "phrases").
        let len = (rng.range(0.08, 0.25) * rate) as usize;
        let onset = if rng.next() > 0.0 {
            (rng.range(0.03, 0.08) * rate) as usize
        } else {
            0
        };
        let pause = if rng.next() > 0.7 {
            rng.range(0.15, 0.4)
        } else {
            rng.range(0.02, 0.08)
        };
        let pause = (pause * rate) as usize;
        let f0_start = rng.range(95.0, 180.0);
        let f0_end = f0_start * rng.range(0.75, 1.25);
        let vowel = VOWELS[((rng.next() + 1.0) * 2.5).min(4.0) as usize];
        for (r, (f, bw)) in formants
            .iter_mut()
            .zip(vowel.iter().zip([80.0, 100.0, 150.0]))
        {
            r.tune(*f, bw, rate);
        }
        let loud = rng.range(0.5, 1.0);
        for k in 0..onset {
            if i >= n {
                break;
            }
            let e = (PI * k as f32 / onset as f32).sin();
            out[i] = 0.05 * loud * e * fric.tick(rng.next()) * 4.0;
            i += 1;
        }
        for k in 0..len {
            if i >= n {
                break;
            }
            let u = k as f32 / len as f32;
            let f0 = f0_start + (f0_end - f0_start) * u;
            phase += f0 / rate;
            let pulse = if phase >= 1.0 {
                phase -= 1.0;
                1.0
            } else {
                0.0
            };
            // Glottal source: the pulse train plus a little aspiration noise.
            let src = pulse + 0.02 * rng.next();
            let v =
                formants[0].tick(src) + 0.6 * formants[1].tick(src) + 0.3 * formants[2].tick(src);
            let env = (PI * u).sin().powf(0.5);
            out[i] = 1.2 * loud * env * v;
            i += 1;
        }
        for _ in 0..pause {
            if i >= n {
                break;
            }
            for r in &mut formants {
                r.tick(0.0);
            }
            out[i] = 0.0;
            i += 1;
        }
    }
    out
}

/// Bursts of white noise, 20–300 ms long with 5 ms ramps, at levels 30 dB apart, with gaps:
/// the material that shows how a stage follows onsets and offsets.
pub fn noise_bursts(rate: f32, seconds: f32, seed: u32) -> Vec<f32> {
    let n = (rate * seconds).max(0.0) as usize;
    let mut rng = Rng::new(seed);
    let mut out = vec![0.0f32; n];
    let ramp = (0.005 * rate).max(1.0) as usize;
    let mut i = 0;
    while i < n {
        let len = (rng.range(0.02, 0.3) * rate) as usize + 2 * ramp;
        let gap = (rng.range(0.01, 0.2) * rate) as usize;
        let amp = 0.3 * 10f32.powf(rng.range(-1.5, 0.0));
        for k in 0..len {
            if i >= n {
                break;
            }
            let e = if k < ramp {
                k as f32 / ramp as f32
            } else if k + ramp > len {
                (len - k) as f32 / ramp as f32
            } else {
                1.0
            };
            out[i] = amp * e * rng.next();
            i += 1;
        }
        i += gap;
    }
    out
}

/// Steady white noise, RMS −20 dBFS (uniform, so peak ±0.17).
pub fn white_noise(rate: f32, seconds: f32, seed: u32) -> Vec<f32> {
    let n = (rate * seconds).max(0.0) as usize;
    let mut rng = Rng::new(seed);
    (0..n).map(|_| 0.1 * 3f32.sqrt() * rng.next()).collect()
}

/// The demo's drum loop (kick, snare, hats, bass, melody), both channels, at −6 dB so the
/// loudest kicks stay clear of full scale.
pub fn drums(rate: f32, seconds: f32) -> [Vec<f32>; 2] {
    let mut d = drum_loop(rate, seconds);
    for ch in &mut d {
        for x in ch.iter_mut() {
            *x *= 0.5;
        }
    }
    let r = d.pop().unwrap_or_default();
    let l = d.pop().unwrap_or_default();
    [l, r]
}

/// The three kinds of material the benches and time-invariance tests use, by name.
pub fn by_name(name: &str, rate: f32, seconds: f32) -> Option<[Vec<f32>; 2]> {
    match name {
        "drums" => Some(drums(rate, seconds)),
        "speech" => Some([speech_like(rate, seconds, 7), speech_like(rate, seconds, 8)]),
        "noise" => Some([white_noise(rate, seconds, 3), white_noise(rate, seconds, 4)]),
        "bursts" => Some([
            noise_bursts(rate, seconds, 5),
            noise_bursts(rate, seconds, 6),
        ]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn material_is_deterministic_finite_and_in_range() {
        for name in ["drums", "speech", "noise", "bursts"] {
            for rate in [44100.0, 48000.0] {
                let a = by_name(name, rate, 3.0).unwrap();
                let b = by_name(name, rate, 3.0).unwrap();
                assert_eq!(a, b, "{name}");
                for ch in &a {
                    assert_eq!(ch.len(), (3.0 * rate) as usize);
                    let peak = ch.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                    assert!(peak.is_finite() && peak < 1.0, "{name}: peak {peak}");
                    let db = 20.0 * rms(ch).log10();
                    assert!((-40.0..-6.0).contains(&db), "{name}: {db:.1} dBFS");
                }
            }
        }
    }

    #[test]
    fn speech_has_syllables_and_pauses() {
        let x = speech_like(16000.0, 5.0, 1);
        // 10 ms frames: some silent (pauses), most voiced frames within 20 dB of the loudest.
        let frames: Vec<f32> = x.chunks(160).map(rms).collect();
        let silent = frames.iter().filter(|&&r| r < 1e-4).count();
        assert!(silent > frames.len() / 10, "{silent} silent frames");
        let loud = frames.iter().filter(|&&r| r > 0.01).count();
        assert!(loud > frames.len() / 3, "{loud} loud frames");
    }
}
