//! Greenwood's place ↔ frequency map of the human cochlea and the implant's channel map.
//!
//! Greenwood (1990), "A cochlear frequency-position function for several species — 29 years
//! later", J. Acoust. Soc. Am. 87: f = A · (10^(a·x) − k) with x the distance from the apex.
//! Human constants: A = 165.4 Hz, a = 2.1 per unit cochlear length (0.06 per mm for a 35 mm
//! cochlea), k = 0.88.

/// Greenwood's A for the human cochlea, Hz.
pub const A_HZ: f64 = 165.4;
/// Greenwood's a per mm (2.1 per cochlear length over 35 mm).
pub const A_PER_MM: f64 = 0.06;
/// Greenwood's k (human).
pub const K: f64 = 0.88;
/// Length of the human basilar membrane, mm.
pub const COCHLEA_MM: f64 = 35.0;

/// Characteristic frequency (Hz) at `x_mm` from the apex.
pub fn frequency_hz(x_mm: f64) -> f64 {
    A_HZ * (10f64.powf(A_PER_MM * x_mm) - K)
}

/// Place (mm from the apex) whose characteristic frequency is `f_hz` (> 0).
pub fn place_mm(f_hz: f64) -> f64 {
    (f_hz.max(1e-3) / A_HZ + K).log10() / A_PER_MM
}

/// Default analysis range: Nucleus ACE's default 22-band map spans ≈ 188–7938 Hz
/// (docs/science.md, Cochlear implant).
pub const DEFAULT_LOW_HZ: f64 = 188.0;
pub const DEFAULT_HIGH_HZ: f64 = 7938.0;
/// The most channels (electrodes) of an array: Nucleus has 22.
pub const MAX_CHANNELS: usize = 22;

/// One analysis channel: band edges and centre, all in Hz, and the centre's place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Channel {
    pub low_hz: f64,
    pub high_hz: f64,
    /// Greenwood frequency at the middle of the band's place range.
    pub centre_hz: f64,
    /// Place of the centre, mm from the apex (where its electrode sits, unshifted).
    pub place_mm: f64,
}

/// A channel map: up to [`MAX_CHANNELS`] channels in a fixed array (rebuilt without
/// allocating when the channel count is automated).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelMap {
    channels: [Channel; MAX_CHANNELS],
    len: usize,
}

impl std::ops::Deref for ChannelMap {
    type Target = [Channel];
    fn deref(&self) -> &[Channel] {
        &self.channels[..self.len]
    }
}

/// `n` channels (1..=22) between `low_hz` and `high_hz`, equally spaced in cochlear place:
/// each covers the same length of basilar membrane, and neighbours share their edge, so the
/// bands tile the range with no gap. Channel 0 is the most apical (lowest).
///
/// `high_hz` is capped at 0.45 × the sample rate so every band stays below Nyquist.
pub fn channel_map(n: usize, low_hz: f64, high_hz: f64, sample_rate: f64) -> ChannelMap {
    let n = n.clamp(1, MAX_CHANNELS);
    let high = high_hz.min(0.45 * sample_rate);
    let low = low_hz.min(0.5 * high).max(20.0);
    let (x0, x1) = (place_mm(low), place_mm(high));
    // Shared edges, computed once each: neighbours meet exactly.
    let edge = |i: usize| match i {
        0 => low,
        i if i == n => high,
        i => frequency_hz(x0 + (x1 - x0) * i as f64 / n as f64),
    };
    let empty = Channel {
        low_hz: 0.0,
        high_hz: 0.0,
        centre_hz: 0.0,
        place_mm: 0.0,
    };
    let mut channels = [empty; MAX_CHANNELS];
    let mut low_edge = edge(0);
    for (i, c) in channels.iter_mut().enumerate().take(n) {
        let high_edge = edge(i + 1);
        let mid = x0 + (x1 - x0) * (i as f64 + 0.5) / n as f64;
        *c = Channel {
            low_hz: low_edge,
            high_hz: high_edge,
            centre_hz: frequency_hz(mid),
            place_mm: mid,
        };
        low_edge = high_edge;
    }
    ChannelMap { channels, len: n }
}

/// A channel map from a table of band edges (apical first, increasing; at most
/// [`MAX_CHANNELS`] bands): each band's centre is the Greenwood frequency at the middle of its
/// place range, as in [`channel_map`]. Edges above 0.45 × the sample rate are pulled below it
/// (keeping every band, each at least 1 % wide), so every band stays below Nyquist.
pub fn map_from_edges(edges: &[f64], sample_rate: f64) -> ChannelMap {
    let n = (edges.len().max(2) - 1).min(MAX_CHANNELS);
    let mut e = [0.0f64; MAX_CHANNELS + 1];
    e[..=n].copy_from_slice(&edges[..=n]);
    e[n] = e[n].min(0.45 * sample_rate);
    for i in (0..n).rev() {
        e[i] = e[i].min(e[i + 1] / 1.01);
    }
    let empty = Channel {
        low_hz: 0.0,
        high_hz: 0.0,
        centre_hz: 0.0,
        place_mm: 0.0,
    };
    let mut channels = [empty; MAX_CHANNELS];
    for (i, c) in channels.iter_mut().enumerate().take(n) {
        let mid = 0.5 * (place_mm(e[i]) + place_mm(e[i + 1]));
        *c = Channel {
            low_hz: e[i],
            high_hz: e[i + 1],
            centre_hz: frequency_hz(mid),
            place_mm: mid,
        };
    }
    ChannelMap { channels, len: n }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_keep_their_edges_and_stay_below_nyquist() {
        let edges = [250.0, 500.0, 1000.0, 8700.0];
        let m = map_from_edges(&edges, 48000.0);
        assert_eq!(m.len(), 3);
        for (k, c) in m.iter().enumerate() {
            assert_eq!((c.low_hz, c.high_hz), (edges[k], edges[k + 1]));
        }
        for fs in [8000.0, 16000.0] {
            let m = map_from_edges(&edges, fs);
            assert_eq!(m.len(), 3);
            assert!(m[2].high_hz <= 0.45 * fs);
            for c in m.iter() {
                assert!(c.high_hz >= 1.01 * c.low_hz * (1.0 - 1e-12));
                assert!(c.low_hz < c.centre_hz && c.centre_hz < c.high_hz);
            }
        }
    }

    #[test]
    fn map_and_inverse_agree_and_match_published_points() {
        for x in [0.0, 5.0, 17.5, 30.0, 35.0] {
            assert!((place_mm(frequency_hz(x)) - x).abs() < 1e-9);
        }
        // Apex ≈ 20 Hz, base ≈ 20.7 kHz: the human hearing range (Greenwood 1990).
        assert!((frequency_hz(0.0) - 19.8).abs() < 0.1);
        assert!((frequency_hz(COCHLEA_MM) / 1000.0 - 20.68).abs() < 0.01);
    }

    #[test]
    fn bands_tile_the_range_with_equal_place_widths() {
        for fs in [22050.0, 44100.0, 48000.0, 96000.0] {
            for n in [1, 4, 8, 12, 16, 22] {
                let m = channel_map(n, DEFAULT_LOW_HZ, DEFAULT_HIGH_HZ, fs);
                assert_eq!(m.len(), n);
                assert_eq!(m[0].low_hz, DEFAULT_LOW_HZ);
                assert_eq!(m[n - 1].high_hz, DEFAULT_HIGH_HZ);
                for w in m.windows(2) {
                    assert_eq!(w[0].high_hz, w[1].low_hz, "gap between bands");
                }
                let widths: Vec<f64> = m
                    .iter()
                    .map(|c| place_mm(c.high_hz) - place_mm(c.low_hz))
                    .collect();
                for w in &widths {
                    assert!((w - widths[0]).abs() < 1e-9);
                }
                for c in m.iter() {
                    assert!(c.low_hz < c.centre_hz && c.centre_hz < c.high_hz);
                }
            }
        }
    }

    #[test]
    fn low_sample_rates_keep_bands_below_nyquist() {
        let m = channel_map(22, DEFAULT_LOW_HZ, DEFAULT_HIGH_HZ, 8000.0);
        assert!(m[21].high_hz <= 3600.0 + 1e-9);
    }
}
