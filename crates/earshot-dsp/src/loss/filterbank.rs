//! MSBG's broadened auditory filterbanks: 4th-order gammatone filters whose bandwidth and
//! spacing grow with the degree of loss (Moore, Glasberg, Baer & Stone; pyclarity
//! `msbg_hparams/GT4FBank_*`).
//!
//! The centre frequencies, alignment delays and low-frequency-tail high-pass corners below are
//! the design figures of those three banks (designed at 44.1 kHz). The filters themselves are
//! rebuilt here from the published recipe, verified against MSBG's coefficients to 1e-5:
//! each channel is four cascaded sections `b0 (1 − r cosθ z⁻¹) / (1 − 2r cosθ z⁻¹ + r² z⁻²)`
//! with `r = exp(−2π·B·ERBN(cf)/fs)`, `θ = 2π cf/fs`, `b0` making the section's gain 1 at cf;
//! channels from `start_hp` on add a 2-pole high-pass (matched-z poles at
//! `2π f_hp (−1.5 ± j√3/2)`, i.e. a delay-normalised Bessel pair; double zero at DC; unity gain
//! at cf). MSBG advances each channel by its delay (non-causal) before summing; Earshot uses the
//! channels only in the frequency domain, so the advance is a phase term `e^{+jωd}`.
//!
//! Earshot never runs these filters in the time domain: it needs their complex frequency
//! responses (to weight STFT power into band envelopes and to recombine band gains), tabulated
//! once on a fine frequency grid in [`BankGrid`].

use realfft::num_complex::Complex32;
use std::f64::consts::PI;

/// Sample rate the MSBG banks were designed at, Hz.
pub const DESIGN_FS: f64 = 44100.0;

/// Glasberg & Moore (1990) equivalent rectangular bandwidth of the normal auditory filter, Hz.
pub fn erbn(hz: f64) -> f64 {
    24.7 * (4.37 * hz / 1000.0 + 1.0)
}

/// One of MSBG's three filterbanks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BankKind {
    /// 1.5 ERB wide, spaced 1.1 ERB, 36 channels: mild loss (and normal hearing).
    Mild,
    /// 2 ERB wide, spaced 1.5 ERB, 28 channels.
    Moderate,
    /// 3 ERB wide, spaced 2.25 ERB, 19 channels.
    Severe,
}

struct BankDesign {
    broaden: f64,
    cf: &'static [f64],
    delay: &'static [u32],
    start_hp: usize,
    hp_corner: &'static [f64],
    recombination_db: f64,
}

// Design figures of pyclarity's GT4FBank_Brd1.5E_Spaced1.1E_44100Fs (channel centres in Hz,
// alignment delays in samples at 44.1 kHz, high-pass corners in Hz, recombination gain in dB).
const MILD: BankDesign = BankDesign {
    broaden: 1.5,
    cf: &[
        72.582, 97.8613, 129.449, 168.2019, 214.9568, 270.5209, 335.6709, 411.1602, 497.7322,
        596.1406, 707.1723, 831.6725, 970.5713, 1124.9083, 1299.1052, 1495.7173, 1717.6292,
        1968.0962, 2250.7928, 2569.8663, 2929.9976, 3336.4699, 3795.2462, 4313.057, 4897.4987,
        5557.1453, 6301.6739, 7142.007, 8090.4726, 9160.985, 10369.2488, 11732.9897, 13272.2141,
        15009.503, 16970.3429, 19183.5,
    ],
    delay: &[
        485, 442, 396, 349, 311, 272, 239, 210, 186, 162, 143, 126, 111, 98, 87, 77, 69, 61, 54,
        47, 42, 37, 33, 29, 26, 23, 20, 18, 16, 14, 12, 11, 10, 9, 8, 7,
    ],
    start_hp: 15,
    hp_corner: &[
        91.51611, 107.66602, 123.81592, 150.73242, 177.64893, 209.94873, 253.01514, 301.46484,
        366.06445, 436.04736, 527.56348, 635.22949, 769.81201, 925.92773, 1114.34326, 1335.05859,
        1598.84033, 1900.30518, 2239.45312, 2605.51758, 2976.96533, 3294.58008,
    ],
    recombination_db: 5.133590840990304,
};

// GT4FBank_Brd2.0E_Spaced1.5E_44100Fs.
const MODERATE: BankDesign = BankDesign {
    broaden: 2.0,
    cf: &[
        65.8269, 95.5546, 134.8831, 185.5702, 249.4093, 328.2319, 423.9401, 538.5654, 674.348,
        833.8299, 1019.9557, 1238.6816, 1495.7173, 1797.773, 2152.7339, 2569.8663, 3060.0597,
        3636.1106, 4313.057, 5108.5709, 6043.4194, 7142.007, 8433.0127, 9950.1386, 11732.9897,
        13828.1078, 16290.1868, 19183.5,
    ],
    delay: &[
        379, 339, 289, 253, 216, 184, 156, 132, 111, 95, 80, 68, 58, 49, 42, 36, 30, 26, 22, 19,
        16, 13, 11, 10, 8, 7, 6, 5,
    ],
    start_hp: 13,
    hp_corner: &[
        123.81592, 156.11572, 188.41553, 236.86523, 296.08154, 376.83105, 473.73047, 602.92969,
        764.42871, 968.99414, 1227.39258, 1550.39062, 1943.37158, 2411.71875, 2912.36572,
        3364.56299,
    ],
    recombination_db: 4.967792069637238,
};

// GT4FBank_Brd3.0E_Spaced2.3E_44100Fs.
const SEVERE: BankDesign = BankDesign {
    broaden: 3.0,
    cf: &[
        83.3177, 133.0674, 204.0976, 302.1647, 434.025, 607.852, 833.8299, 1124.9083, 1495.7173,
        1968.0962, 2569.8663, 3336.4699, 4313.057, 5557.1453, 7142.007, 9160.985, 11732.9897,
        15009.503, 19183.5,
    ],
    delay: &[
        229, 204, 166, 133, 106, 83, 65, 50, 39, 31, 24, 19, 15, 12, 9, 7, 5, 4, 4,
    ],
    start_hp: 10,
    hp_corner: &[
        215.33203, 290.69824, 398.36426, 549.09668, 764.42871, 1071.27686, 1496.55762, 2083.3374,
        2831.61621, 3574.51172,
    ],
    recombination_db: 4.240378918292534,
};

/// Second-order section, z⁻¹ polynomial coefficients.
#[derive(Clone, Copy, Debug)]
struct Biquad {
    b: [f64; 3],
    a: [f64; 3],
}

impl Biquad {
    fn response(&self, z1: (f64, f64)) -> (f64, f64) {
        // z1 = e^{-jω}; evaluate b(z1)/a(z1).
        let z2 = cmul(z1, z1);
        let num = (
            self.b[0] + self.b[1] * z1.0 + self.b[2] * z2.0,
            self.b[1] * z1.1 + self.b[2] * z2.1,
        );
        let den = (
            self.a[0] + self.a[1] * z1.0 + self.a[2] * z2.0,
            self.a[1] * z1.1 + self.a[2] * z2.1,
        );
        cdiv(num, den)
    }
}

fn cmul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

fn cdiv(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let d = b.0 * b.0 + b.1 * b.1;
    ((a.0 * b.0 + a.1 * b.1) / d, (a.1 * b.0 - a.0 * b.1) / d)
}

fn unit(omega: f64) -> (f64, f64) {
    (omega.cos(), -omega.sin())
}

/// One channel: gammatone section (applied 4×), optional high-pass, alignment delay.
#[derive(Clone, Debug)]
pub struct Channel {
    pub cf: f64,
    gammatone: Biquad,
    high_pass: Option<Biquad>,
    /// MSBG's time advance, samples at 44.1 kHz.
    delay: f64,
}

impl Channel {
    /// Complex response at `hz` (44.1 kHz design), including MSBG's time advance.
    pub fn response(&self, hz: f64) -> (f64, f64) {
        let omega = 2.0 * PI * hz / DESIGN_FS;
        let z1 = unit(omega);
        let g = self.gammatone.response(z1);
        let g2 = cmul(g, g);
        let mut h = cmul(g2, g2);
        if let Some(hp) = &self.high_pass {
            h = cmul(h, hp.response(z1));
        }
        let advance = (omega * self.delay).sin_cos();
        cmul(h, (advance.1, advance.0))
    }
}

/// A whole bank, with its channels designed.
#[derive(Clone, Debug)]
pub struct Bank {
    pub kind: BankKind,
    pub channels: Vec<Channel>,
    /// Linear gain MSBG applies to the channel sum.
    pub recombination: f64,
}

impl Bank {
    pub fn new(kind: BankKind) -> Self {
        let d = match kind {
            BankKind::Mild => &MILD,
            BankKind::Moderate => &MODERATE,
            BankKind::Severe => &SEVERE,
        };
        let channels =
            d.cf.iter()
                .enumerate()
                .map(|(i, &cf)| {
                    let bw = d.broaden * erbn(cf);
                    let r = (-2.0 * PI * bw / DESIGN_FS).exp();
                    let theta = 2.0 * PI * cf / DESIGN_FS;
                    let mut gammatone = Biquad {
                        b: [1.0, -r * theta.cos(), 0.0],
                        a: [1.0, -2.0 * r * theta.cos(), r * r],
                    };
                    let z1 = unit(theta);
                    let (re, im) = gammatone.response(z1);
                    let b0 = 1.0 / (re * re + im * im).sqrt();
                    gammatone.b = [b0, -b0 * r * theta.cos(), 0.0];
                    let high_pass = (i + 1 >= d.start_hp).then(|| {
                        let fc = d.hp_corner[i + 1 - d.start_hp];
                        // Delay-normalised 2nd-order Bessel poles, matched-z.
                        let (pr, pi) = (
                            -1.5 * 2.0 * PI * fc,
                            0.866_025_403_784_438_6 * 2.0 * PI * fc,
                        );
                        let rad = (pr / DESIGN_FS).exp();
                        let mut hp = Biquad {
                            b: [1.0, -2.0, 1.0],
                            a: [1.0, -2.0 * rad * (pi / DESIGN_FS).cos(), rad * rad],
                        };
                        let (re, im) = hp.response(z1);
                        let g = 1.0 / (re * re + im * im).sqrt();
                        hp.b = [g, -2.0 * g, g];
                        hp
                    });
                    Channel {
                        cf,
                        gammatone,
                        high_pass,
                        delay: d.delay[i] as f64,
                    }
                })
                .collect();
        Self {
            kind,
            channels,
            recombination: 10f64.powf(-d.recombination_db / 20.0),
        }
    }

    /// How many normal ERBs wide the channels are (1.5, 2 or 3).
    pub fn broadening(&self) -> f64 {
        match self.kind {
            BankKind::Mild => MILD.broaden,
            BankKind::Moderate => MODERATE.broaden,
            BankKind::Severe => SEVERE.broaden,
        }
    }

    /// Normal ERB at each channel centre (MSBG's envelope filters track it).
    pub fn erbn_at(&self, c: usize) -> f64 {
        erbn(self.channels[c].cf)
    }

    /// Complex sum of all channels at `hz`, times the recombination gain: MSBG's linear
    /// response when no channel is expanded.
    pub fn sum_response(&self, hz: f64) -> (f64, f64) {
        let mut s = (0.0, 0.0);
        for ch in &self.channels {
            let h = ch.response(hz);
            s.0 += h.0;
            s.1 += h.1;
        }
        (s.0 * self.recombination, s.1 * self.recombination)
    }
}

/// Channel responses of one bank tabulated on a fine, uniform frequency grid. For each grid
/// point only the consecutive channels within `SUPPORT_DB` of their peak are kept, rounded up
/// to a multiple of 8 and stored as structure-of-arrays, so that the per-bin loops of the loss
/// stage run over SIMD-friendly rows. A row may reach past the bank's last channel into zero
/// padding (`padded_channels`).
#[derive(Clone, Debug)]
pub struct BankGrid {
    /// Grid spacing, Hz.
    pub step_hz: f32,
    /// Widest row (a multiple of 8).
    pub width: usize,
    /// Per grid point: first channel of its row.
    pub first: Vec<u16>,
    /// Per grid point: start of its row in `re`/`im`/`power`; `offsets[j+1]` ends it.
    offsets: Vec<u32>,
    /// Real and imaginary parts and |·|² of the responses, rows concatenated.
    re: Vec<f32>,
    im: Vec<f32>,
    power: Vec<f32>,
    /// Per grid point: 1 / (complex sum of its row), the normaliser of the recombination, or
    /// NaN where the sum is too small to divide by (there the `fallback` channel's gain is used).
    pub inv_sum: Vec<Complex32>,
    /// Per grid point: |bank sum| / |mild-bank sum|, both with recombination gain: the linear
    /// colouring MSBG's broader banks add relative to the normal-hearing bank.
    pub ripple: Vec<f32>,
    /// Per grid point: channel whose gain stands in where the sum is too small to divide by.
    pub fallback: Vec<u16>,
    pub channels: usize,
}

/// Channel responses below this (dB re the channel's peak, 1.0) are dropped from the grid.
pub const SUPPORT_DB: f64 = -70.0;
/// The bank colouring (`ripple`) is applied up to MSBG's output low-pass corner (18 kHz)...
const RIPPLE_MAX_HZ: f64 = 18000.0;
/// ...and bounded to ±6 dB (within the audible range it stays inside ±3.5 dB).
const RIPPLE_LIMIT: f64 = 2.0;

impl BankGrid {
    /// Tabulate `bank` from 0 Hz to `max_hz` with spacing `step_hz`, each point's responses
    /// down to `support_db` (usually [`SUPPORT_DB`]). Above the design's Nyquist (22.05 kHz)
    /// all responses are zero: MSBG knows nothing there.
    pub fn new(bank: &Bank, mild: &Bank, step_hz: f64, max_hz: f64, support_db: f64) -> Self {
        let n = (max_hz / step_hz).ceil() as usize + 2;
        let floor = 10f64.powf(support_db / 20.0);
        let nyq = DESIGN_FS / 2.0;
        let channels = bank.channels.len();
        // Per grid point: frequency, every channel's response, kept channel range.
        type Row = (f64, Vec<(f64, f64)>, Option<(usize, usize)>);
        let rows: Vec<Row> = (0..n)
            .map(|j| {
                let hz = j as f64 * step_hz;
                if hz >= nyq {
                    return (hz, Vec::new(), None);
                }
                let resp: Vec<(f64, f64)> = bank.channels.iter().map(|c| c.response(hz)).collect();
                let kept = |c: &usize| resp[*c].0.hypot(resp[*c].1) > floor;
                let lo = (0..channels).find(kept);
                let hi = (0..channels).rev().find(kept);
                (hz, resp, lo.zip(hi))
            })
            .collect();
        let widest = rows
            .iter()
            .filter_map(|r| r.2.map(|(lo, hi)| hi + 1 - lo))
            .max()
            .unwrap_or(1);
        let width = widest.div_ceil(8) * 8;
        let mut grid = Self {
            step_hz: step_hz as f32,
            width,
            first: Vec::with_capacity(n),
            offsets: Vec::with_capacity(n + 1),
            re: Vec::new(),
            im: Vec::new(),
            power: Vec::new(),
            inv_sum: Vec::with_capacity(n),
            ripple: Vec::with_capacity(n),
            fallback: Vec::with_capacity(n),
            channels,
        };
        for (hz, resp, range) in &rows {
            let first = range.map(|r| r.0).unwrap_or(0);
            let len = range
                .map(|(lo, hi)| (hi + 1 - lo).div_ceil(8) * 8)
                .unwrap_or(0);
            grid.first.push(first as u16);
            grid.offsets.push(grid.re.len() as u32);
            let mut s = (0.0, 0.0);
            for i in 0..len {
                let h = resp.get(first + i).copied().unwrap_or((0.0, 0.0));
                grid.re.push(h.0 as f32);
                grid.im.push(h.1 as f32);
                grid.power.push((h.0 * h.0 + h.1 * h.1) as f32);
                s.0 += h.0;
                s.1 += h.1;
            }
            let sum = Complex32::new(s.0 as f32, s.1 as f32);
            grid.inv_sum.push(if sum.norm_sqr() > 1e-8 {
                sum.inv()
            } else {
                Complex32::new(f32::NAN, f32::NAN)
            });
            let log_hz = hz.max(1.0).ln();
            let nearest = (0..channels)
                .min_by(|&a, &b| {
                    let d = |c: usize| (bank.channels[c].cf.ln() - log_hz).abs();
                    d(a).total_cmp(&d(b))
                })
                .unwrap_or(channels - 1);
            grid.fallback.push(nearest as u16);
            // Only where both banks really cover the frequency (MSBG low-passes its output at
            // 18 kHz): outside, the ratio of two vanishing sums is meaningless and would
            // amplify whatever is there.
            let r = if *hz < RIPPLE_MAX_HZ && bank.kind != BankKind::Mild {
                let a = bank.sum_response(*hz);
                let m = mild.sum_response(*hz);
                let (ma, mm) = (a.0.hypot(a.1), m.0.hypot(m.1));
                if mm > 0.1 && ma > 0.1 {
                    (ma / mm).clamp(1.0 / RIPPLE_LIMIT, RIPPLE_LIMIT) as f32
                } else {
                    1.0
                }
            } else {
                1.0
            };
            grid.ripple.push(r);
        }
        grid.offsets.push(grid.re.len() as u32);
        grid
    }

    pub fn len(&self) -> usize {
        self.first.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// Channel count including the zero padding a window may reach into.
    pub fn padded_channels(&self) -> usize {
        self.channels + self.width
    }

    /// Grid point `j`: (first channel, |responses|²).
    #[inline]
    pub fn power_row(&self, j: usize) -> (usize, &[f32]) {
        let (a, b) = (self.offsets[j] as usize, self.offsets[j + 1] as usize);
        (self.first[j] as usize, &self.power[a..b])
    }

    /// Grid point `j`: (first channel, real parts, imaginary parts).
    #[inline]
    pub fn row(&self, j: usize) -> (usize, &[f32], &[f32]) {
        let (a, b) = (self.offsets[j] as usize, self.offsets[j + 1] as usize);
        (self.first[j] as usize, &self.re[a..b], &self.im[a..b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_channel_peaks_with_unity_gain_at_its_centre() {
        for kind in [BankKind::Mild, BankKind::Moderate, BankKind::Severe] {
            let bank = Bank::new(kind);
            for ch in &bank.channels {
                let (re, im) = ch.response(ch.cf);
                assert!((re.hypot(im) - 1.0).abs() < 1e-6, "{kind:?} {}", ch.cf);
                let (re, im) = ch.response(ch.cf * 1.5);
                assert!(re.hypot(im) < 0.9);
            }
        }
    }

    #[test]
    fn gammatone_matches_msbg_coefficients() {
        // First channel of MSBG's mild bank, coefficients from GT4FBank_Brd1.5E_Spaced1.1E.
        let bank = Bank::new(BankKind::Mild);
        let g = bank.channels[0].gammatone;
        // Centre frequencies are tabulated to 0.1 mHz, hence the 1e-7 tolerance.
        assert!((g.b[0] - 0.012103694520719806).abs() < 1e-7 * 0.0121);
        assert!((g.a[1] + 1.9860359223591928).abs() < 1e-7);
        assert!((g.a[2] - 0.986190130748368).abs() < 1e-7);
        // First high-pass of the mild bank (channel 15).
        let hp = bank.channels[14].high_pass.unwrap();
        assert!((hp.a[1] + 1.96114).abs() < 1e-4 && (hp.a[2] - 0.96164).abs() < 1e-4);
        assert!((hp.b[0] - 0.988032708771445).abs() < 1e-5);
        assert!(bank.channels[13].high_pass.is_none());
    }

    #[test]
    fn broader_banks_have_fewer_channels() {
        let n: Vec<usize> = [BankKind::Mild, BankKind::Moderate, BankKind::Severe]
            .iter()
            .map(|&k| Bank::new(k).channels.len())
            .collect();
        assert_eq!(n, vec![36, 28, 19]);
    }

    #[test]
    fn grid_keeps_the_peak_channel_and_the_mild_ripple_is_unity() {
        let mild = Bank::new(BankKind::Mild);
        let grid = BankGrid::new(&mild, &mild, 20.0, 24000.0, SUPPORT_DB);
        let j = (1000.0 / 20.0) as usize;
        let (first, re, im) = grid.row(j);
        assert!(first <= 12 && first + re.len() > 12); // 970 Hz channel kept
        let i = 12 - first;
        assert!(
            re[i].hypot(im[i]) > 0.9,
            "970 Hz channel near its peak at 1 kHz"
        );
        assert!(grid.ripple.iter().all(|&r| r == 1.0));
        let severe = Bank::new(BankKind::Severe);
        let grid = BankGrid::new(&severe, &mild, 20.0, 24000.0, SUPPORT_DB);
        assert!(grid.ripple.iter().all(|&r| (0.5..=2.0).contains(&r)));
        let top = grid.len() - 1;
        assert!(
            grid.row(top).1.iter().all(|&v| v == 0.0),
            "nothing above the design Nyquist"
        );
    }
}
