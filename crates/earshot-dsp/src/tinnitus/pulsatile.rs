//! Pulsatile tinnitus: a "whoosh" in time with the heartbeat (docs/science.md, Tinnitus:
//! 50–100 bpm).
//!
//! A noise band (as [`NoiseBand`]) swells once per beat: a quick rise over the first 15 % of
//! the beat (systole) and a slower fall over the next 35 %, then quiet. The swell's peak is
//! the set level, so "dB SL" means the loudest moment of each whoosh.

use super::noise_band::NoiseBand;

/// Heart rate range, beats per minute.
pub const BPM: (f32, f32) = (30.0, 200.0);
/// Rise and fall of the swell, as fractions of a beat.
const RISE: f64 = 0.15;
const FALL: f64 = 0.35;

/// The heartbeat envelope: 0…1, peak 1 once per beat.
#[derive(Clone, Debug)]
pub struct Heartbeat {
    sample_rate: f64,
    phase: f64,
    step: f64,
}

impl Heartbeat {
    pub fn new(sample_rate: f32, bpm: f32) -> Self {
        let mut h = Self {
            sample_rate: sample_rate as f64,
            phase: 0.0,
            step: 0.0,
        };
        h.set(bpm);
        h
    }

    pub fn set(&mut self, bpm: f32) {
        let b = if bpm.is_finite() { bpm } else { 70.0 };
        self.step = b.clamp(BPM.0, BPM.1) as f64 / 60.0 / self.sample_rate;
    }

    pub fn reset(&mut self) {
        self.phase = 0.0;
    }

    /// The shape at beat phase `p` (0…1).
    pub fn shape(p: f64) -> f64 {
        if p < RISE {
            (std::f64::consts::FRAC_PI_2 * p / RISE).sin().powi(2)
        } else if p < RISE + FALL {
            (std::f64::consts::FRAC_PI_2 * (p - RISE) / FALL)
                .cos()
                .powi(2)
        } else {
            0.0
        }
    }

    #[inline(always)]
    pub fn sample(&mut self) -> f32 {
        let v = Self::shape(self.phase) as f32;
        self.phase += self.step;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
        }
        v
    }
}

#[derive(Clone, Debug)]
pub struct Pulsatile {
    pub band: NoiseBand,
    pub beat: Heartbeat,
}

impl Pulsatile {
    pub fn new(sample_rate: f32, centre_hz: f32, bpm: f32, seed: u64, stream: u32) -> Self {
        Self {
            band: NoiseBand::new(sample_rate, centre_hz, seed, stream),
            beat: Heartbeat::new(sample_rate, bpm),
        }
    }

    pub fn reset(&mut self, seed: u64) {
        self.band.reset(seed);
        self.beat.reset();
    }

    /// Adds the whoosh to `out`, the swell's peak ramping from `from` to `to`.
    pub fn add_to(&mut self, out: &mut [f32], from: f32, to: f32) {
        let step = (to - from) / out.len().max(1) as f32;
        let mut amp = from;
        for y in out.iter_mut() {
            amp += step;
            *y += amp * self.beat.sample() * self.band.sample();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_peaks_once_per_beat_and_is_continuous() {
        assert_eq!(Heartbeat::shape(0.0), 0.0);
        assert!((Heartbeat::shape(RISE) - 1.0).abs() < 1e-12);
        assert!(Heartbeat::shape(RISE + FALL) < 1e-12);
        let mut prev = 0.0;
        for i in 1..=10_000 {
            let v = Heartbeat::shape(i as f64 / 10_000.0);
            assert!((v - prev).abs() < 0.01, "step at {i}");
            prev = v;
        }
    }
}

#[cfg(test)]
mod rate_tests {
    use super::*;

    #[test]
    fn beats_are_exactly_one_period_apart() {
        let fs = 48000.0;
        for bpm in [50.0f32, 72.0, 100.0] {
            let mut h = Heartbeat::new(fs, bpm);
            let x: Vec<f32> = (0..(10.0 * fs) as usize).map(|_| h.sample()).collect();
            let peaks: Vec<usize> = (1..x.len() - 1)
                .filter(|&i| x[i] > 0.999 && x[i] >= x[i - 1] && x[i] > x[i + 1])
                .collect();
            let period = (peaks[peaks.len() - 1] - peaks[0]) as f64 / (peaks.len() - 1) as f64;
            let want = 60.0 * fs as f64 / bpm as f64;
            assert!((period - want).abs() < 1.0, "{bpm}: {period} vs {want}");
        }
    }
}
