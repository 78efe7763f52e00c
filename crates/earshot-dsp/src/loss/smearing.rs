//! Spectral smearing (Baer & Moore 1993, as implemented in MSBG's `smear3`): the short-time
//! power spectrum is convolved with auditory filters broadened by (lower, upper) factors, after
//! dividing out the normal filters, so the result is "what a normal ear would need to see to
//! get the impaired excitation pattern". Phase is kept.
//!
//! MSBG builds the matrix by a least-squares solve against the normal filters extended past
//! Nyquist; Earshot does the same (SVD pseudo-inverse, min-norm like `numpy.linalg.lstsq`) once
//! per sample rate, then keeps each row's significant band only.

use crate::simd::{has_avx2_fma, Portable, Vector};
use nalgebra::DMatrix;

/// MSBG's smearing broadening factors (lower, upper) for its three degrees of loss.
pub const MILD: (f64, f64) = (1.6, 1.1);
pub const MODERATE: (f64, f64) = (2.4, 1.6);
pub const SEVERE: (f64, f64) = (4.0, 2.0);

/// Row entries smaller than this fraction of the row's largest are dropped.
const PRUNE: f64 = 1e-5;

/// MSBG `audfilt`: rows of rounded-exponential auditory filters on the bin grid.
fn audfilt(rl: f64, ru: f64, sample_rate: f64, size: usize) -> DMatrix<f64> {
    let mut a = DMatrix::<f64>::zeros(size, size);
    a[(0, 0)] = 1.0 / ((rl + ru) / 2.0);
    for i in 1..size {
        let f_hz = i as f64 * sample_rate / (2.0 * size as f64);
        let f_erb = 24.7 * (f_hz * 0.00437 + 1.0);
        let norm = f_erb * (rl + ru) / (2.0 * 24.7);
        for j in 0..size {
            let r = if j < i { rl } else { ru };
            let g = ((i as f64 - j as f64) / i as f64).abs() * (4.0 * f_hz / (f_erb * r));
            a[(i, j)] = (1.0 + g) * (-g).exp() / norm;
        }
    }
    a
}

/// Rows are stored in groups of this many, over their union band (see [`SmearMatrix`]).
const GROUP: usize = 4;

/// A sparse smearing matrix over `size` bins (all bins below Nyquist).
///
/// Neighbouring rows have nearly the same significant band, so rows are stored in groups of
/// four over the union of their bands, padded to a multiple of 8 columns: one pass over the
/// group's columns then computes four outputs from each load of the power spectrum, with no
/// scalar tail (the product was a third of the loss stage's time with one row at a time).
#[derive(Clone, Debug)]
pub struct SmearMatrix {
    size: usize,
    /// Per group: first input bin of its band.
    start: Vec<u32>,
    /// Per group: band width (multiple of 8).
    width: Vec<u32>,
    /// Per group: offset of its four rows (each `width` long) in `coef`.
    offsets: Vec<u32>,
    coef: Vec<f32>,
    /// Significant coefficients before grouping and padding.
    nonzeros: usize,
    /// Whether to run the AVX2 + FMA kernel.
    avx2: bool,
}

impl SmearMatrix {
    /// Smearing over the first `size` bins of spacing `bin_hz` (`size` even). MSBG smears
    /// everything below its 22.05 kHz Nyquist; Earshot does the same at every sample rate and
    /// leaves ultrasonic bins unsmeared (which also keeps the solve small: ≤ 256 bins).
    pub fn new(lower: f64, upper: f64, bin_hz: f64, size: usize) -> Self {
        assert!(size.is_multiple_of(2) && size >= 8);
        let nyq = size;
        let half = size / 2;
        // MSBG's filters are laid out on a grid whose last bin is its Nyquist.
        let sample_rate = 2.0 * size as f64 * bin_hz;
        let normal = audfilt(1.0, 1.0, sample_rate, nyq);
        let wide = audfilt(lower, upper, sample_rate, nyq);
        // Normal filters extended past Nyquist by reflection, so the division works near the top.
        let mut next = DMatrix::<f64>::zeros(nyq, nyq + half);
        next.view_mut((0, 0), (nyq, nyq)).copy_from(&normal);
        for i in half..nyq {
            let end = (2 * i - 1).min(3 * half);
            for (m, col) in (nyq..end).enumerate() {
                next[(i, col)] = normal[(i, 2 * i - nyq - m)];
            }
        }
        let svd = next.svd(true, true);
        let eps = svd.singular_values.max() * f64::EPSILON * (nyq + half) as f64;
        Self::from_dense(&svd.solve(&wide, eps).expect("SVD with vectors"))
    }

    /// The stored form of the top square of a dense smearing matrix (rows pruned, grouped
    /// and padded). The least-squares solution has `size + size/2` rows, one per column of
    /// the extended normal filters; MSBG uses the first `size`.
    fn from_dense(x: &DMatrix<f64>) -> Self {
        let nyq = x.ncols();
        assert!(x.nrows() >= nyq);
        // Each row's significant band [a, b].
        let bands: Vec<(usize, usize)> = (0..nyq)
            .map(|i| {
                let row = x.row(i);
                let big = row.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let keep = |v: &f64| v.abs() > PRUNE * big;
                let a = row.iter().position(keep).unwrap_or(i);
                let b = row.iter().rposition(keep).unwrap_or(i);
                (a, b)
            })
            .collect();
        let nonzeros = bands.iter().map(|(a, b)| b + 1 - a).sum();
        let mut start = Vec::new();
        let mut width = Vec::new();
        let mut offsets = Vec::new();
        let mut coef = Vec::new();
        for g in (0..nyq).step_by(GROUP) {
            let rows = g..(g + GROUP).min(nyq);
            let a = rows.clone().map(|i| bands[i].0).min().unwrap_or(0);
            let b = rows.clone().map(|i| bands[i].1).max().unwrap_or(0);
            let w = (b + 1 - a).next_multiple_of(8);
            // Keep the padded band inside the smeared bins where it fits.
            let a = a.min(nyq.saturating_sub(w));
            start.push(a as u32);
            width.push(w as u32);
            offsets.push(coef.len() as u32);
            for i in g..g + GROUP {
                for col in a..a + w {
                    let inside = i < nyq && col >= bands[i].0 && col <= bands[i].1;
                    coef.push(if inside { x[(i, col)] as f32 } else { 0.0 });
                }
            }
        }
        Self {
            size: nyq,
            start,
            width,
            offsets,
            coef,
            nonzeros,
            avx2: has_avx2_fma(),
        }
    }

    /// Number of bins it smears.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Significant coefficients (a measure of its cost per frame).
    pub fn nonzeros(&self) -> usize {
        self.nonzeros
    }

    /// Stored coefficients, padding included (what a frame actually multiplies).
    pub fn stored(&self) -> usize {
        self.coef.len()
    }

    /// Length `power` must have: [`Self::size`], or up to 7 more for tiny sizes whose padded
    /// band reaches past the last bin (those entries meet zero coefficients; keep them finite).
    pub fn input_len(&self) -> usize {
        (0..self.start.len())
            .map(|g| (self.start[g] + self.width[g]) as usize)
            .max()
            .unwrap_or(0)
            .max(self.size)
    }

    /// `out[i] += weight · Σ_j S[i,j] · power[j]` for `i < size`.
    pub fn apply_add(&self, power: &[f32], weight: f32, out: &mut [f32]) {
        assert!(power.len() >= self.input_len() && out.len() >= self.size);
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is set only where the CPU has AVX2 and FMA.
            unsafe { self.apply_add_avx2(power, weight, out) };
            return;
        }
        self.apply_add_with::<Portable>(power, weight, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn apply_add_avx2(&self, power: &[f32], weight: f32, out: &mut [f32]) {
        self.apply_add_with::<crate::simd::Avx2>(power, weight, out);
    }

    /// [`Self::apply_add`] for two power spectra (both ears) in one pass over the matrix.
    pub fn apply_add_pair(&self, power: [&[f32]; 2], weight: f32, out: [&mut [f32]; 2]) {
        for p in power {
            assert!(p.len() >= self.input_len());
        }
        let [oa, ob] = out;
        assert!(oa.len() >= self.size && ob.len() >= self.size);
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is set only where the CPU has AVX2 and FMA.
            unsafe { self.apply_add_pair_avx2(power, weight, [oa, ob]) };
            return;
        }
        self.apply_add_pair_with::<Portable>(power, weight, [oa, ob]);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn apply_add_pair_avx2(&self, power: [&[f32]; 2], weight: f32, out: [&mut [f32]; 2]) {
        self.apply_add_pair_with::<crate::simd::Avx2>(power, weight, out);
    }

    #[inline(always)]
    fn apply_add_pair_with<V: Vector>(
        &self,
        power: [&[f32]; 2],
        weight: f32,
        out: [&mut [f32]; 2],
    ) {
        let [oa, ob] = out;
        let groups = oa[..self.size]
            .chunks_mut(GROUP)
            .zip(ob[..self.size].chunks_mut(GROUP));
        for (g, (ya, yb)) in groups.enumerate() {
            let (s, w) = (self.start[g] as usize, self.width[g] as usize);
            let o = self.offsets[g] as usize;
            let (sa, sb) = V::dot4x2(
                &self.coef[o..o + GROUP * w],
                &power[0][s..s + w],
                &power[1][s..s + w],
            );
            for (y, v) in ya.iter_mut().zip(sa) {
                *y += weight * v;
            }
            for (y, v) in yb.iter_mut().zip(sb) {
                *y += weight * v;
            }
        }
    }

    #[inline(always)]
    fn apply_add_with<V: Vector>(&self, power: &[f32], weight: f32, out: &mut [f32]) {
        for (g, out) in out[..self.size].chunks_mut(GROUP).enumerate() {
            let (s, w) = (self.start[g] as usize, self.width[g] as usize);
            let o = self.offsets[g] as usize;
            let sums = V::dot4(&self.coef[o..o + GROUP * w], &power[s..s + w]);
            for (y, v) in out.iter_mut().zip(sums) {
                *y += weight * v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smearing_spreads_a_line_and_roughly_keeps_its_power() {
        let m = SmearMatrix::new(SEVERE.0, SEVERE.1, 44100.0 / 512.0, 256);
        let mut p = vec![0.0f32; 256];
        p[46] = 1.0; // ≈ 4 kHz
        let mut out = vec![0.0f32; 256];
        m.apply_add(&p, 1.0, &mut out);
        let spread = out
            .iter()
            .filter(|v| v.abs() > 0.01 * out[46].abs())
            .count();
        assert!(
            spread > 10,
            "severe smearing must spread a line over many bins ({spread})"
        );
        let total: f32 = out.iter().sum();
        assert!(total > 0.5 && total < 2.0, "power roughly kept: {total}");
        // Filters broadened more on their lower side (4.0 vs 2.0) reach further down, so a line
        // excites filters centred above it: the upward spread of masking.
        let below: f32 = out[..46].iter().sum();
        let above: f32 = out[47..].iter().sum();
        assert!(above > below, "above {above} below {below}");
    }

    #[test]
    fn grouped_product_equals_the_dense_product() {
        // Sizes that fill the last group of four and ones that do not, a tiny one whose padded
        // band reaches past the last bin, and the real 48 kHz size.
        for size in [10usize, 14, 256, 264] {
            let mut dense = DMatrix::<f64>::zeros(size, size);
            for i in 0..size {
                for j in 0..size {
                    // A band around the diagonal whose width varies, like MSBG's rows.
                    let w = 2.0 + (i % 7) as f64;
                    let d = (i as f64 - j as f64) / w;
                    dense[(i, j)] = (-d * d).exp() * if (i + j) % 3 == 0 { -0.5 } else { 1.0 };
                }
            }
            let m = SmearMatrix::from_dense(&dense);
            assert!(m.stored() >= m.nonzeros());
            let mut p: Vec<f32> = (0..size).map(|i| 1.0 + (i as f32 * 0.61).cos()).collect();
            p.resize(m.input_len(), 3.0);
            let mut fast = vec![0.5f32; size];
            m.apply_add(&p, 2.0, &mut fast);
            for (i, got) in fast.iter().enumerate() {
                let want: f64 = (0..size).map(|j| dense[(i, j)] * p[j] as f64).sum();
                let want = 0.5 + 2.0 * want as f32;
                assert!(
                    (got - want).abs() < 1e-4 * want.abs().max(1.0),
                    "size {size} row {i}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn unit_broadening_is_identity() {
        let m = SmearMatrix::new(1.0, 1.0, 44100.0 / 512.0, 256);
        let p: Vec<f32> = (0..256).map(|i| 1.0 + (i as f32 * 0.37).sin()).collect();
        let mut out = vec![0.0f32; 256];
        m.apply_add(&p, 1.0, &mut out);
        for (a, b) in p.iter().zip(&out).take(200) {
            assert!((a - b).abs() < 1e-3 * a.abs().max(1.0), "{a} vs {b}");
        }
    }
}
