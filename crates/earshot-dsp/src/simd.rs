//! Vector primitives for the loss stage's hot loops (the smearing matrix product, band powers,
//! channel recombination), each in two implementations behind the [`Vector`] trait:
//! [`Portable`] (eight independent lanes, which the compiler vectorises; a single running sum
//! would force strict left-to-right order) and, on x86-64, [`Avx2`] (AVX2 + FMA intrinsics).
//!
//! Loops are written once, generic over `V: Vector`, and instantiated twice: plainly, and
//! inside a `#[target_feature(enable = "avx2,fma")]` wrapper so the AVX2 primitives inline into
//! them. [`has_avx2_fma`] picks one at set-up, as rustfft does for its FFTs. The two differ only
//! by float rounding (≈ 1e-7 relative).

/// The primitives. `Avx2`'s may only be called where AVX2 and FMA are present.
pub trait Vector {
    /// Σ a·b over the common length.
    fn dot(a: &[f32], b: &[f32]) -> f32;
    /// (Σ g·re, Σ g·im) over the common length.
    fn dot2(g: &[f32], re: &[f32], im: &[f32]) -> (f32, f32);
    /// y += w·x over the common length.
    fn axpy(w: f32, x: &[f32], y: &mut [f32]);
    /// Four dot products against one vector: `rows` holds four rows of `x.len()` each
    /// (row-major), `x.len()` a multiple of 8. Sharing the loads of `x` and one horizontal
    /// reduction for all four is what makes the smearing product fast.
    fn dot4(rows: &[f32], x: &[f32]) -> [f32; 4];
    /// [`Vector::dot4`] against two vectors at once (both ears: each row loaded once).
    fn dot4x2(rows: &[f32], x: &[f32], y: &[f32]) -> ([f32; 4], [f32; 4]);
}

/// Whether this CPU can run [`Avx2`]. Setting the environment variable
/// `EARSHOT_PORTABLE_SIMD` forces the portable kernels (the test suite runs both).
pub fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::env::var_os("EARSHOT_PORTABLE_SIMD").is_none()
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Any CPU.
pub struct Portable;

impl Vector for Portable {
    #[inline(always)]
    fn dot(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        let mut lanes = [0.0f32; 8];
        let mut xa = a.chunks_exact(8);
        let mut xb = b.chunks_exact(8);
        for (x, y) in (&mut xa).zip(&mut xb) {
            // Fixed-size views: no bounds checks in the lane loop, which LLVM vectorises.
            let x: &[f32; 8] = x.try_into().expect("chunk of 8");
            let y: &[f32; 8] = y.try_into().expect("chunk of 8");
            for l in 0..8 {
                lanes[l] += x[l] * y[l];
            }
        }
        let tail: f32 = xa
            .remainder()
            .iter()
            .zip(xb.remainder())
            .map(|(x, y)| x * y)
            .sum();
        lanes.iter().sum::<f32>() + tail
    }

    #[inline(always)]
    fn dot2(g: &[f32], re: &[f32], im: &[f32]) -> (f32, f32) {
        let n = g.len().min(re.len()).min(im.len());
        let (g, re, im) = (&g[..n], &re[..n], &im[..n]);
        let (mut lr, mut li) = ([0.0f32; 8], [0.0f32; 8]);
        let mut cg = g.chunks_exact(8);
        let mut cr = re.chunks_exact(8);
        let mut ci = im.chunks_exact(8);
        for ((x, r), i) in (&mut cg).zip(&mut cr).zip(&mut ci) {
            let x: &[f32; 8] = x.try_into().expect("chunk of 8");
            let r: &[f32; 8] = r.try_into().expect("chunk of 8");
            let i: &[f32; 8] = i.try_into().expect("chunk of 8");
            for l in 0..8 {
                lr[l] += x[l] * r[l];
                li[l] += x[l] * i[l];
            }
        }
        let (mut sr, mut si) = (lr.iter().sum::<f32>(), li.iter().sum::<f32>());
        for ((x, r), i) in cg
            .remainder()
            .iter()
            .zip(cr.remainder())
            .zip(ci.remainder())
        {
            sr += x * r;
            si += x * i;
        }
        (sr, si)
    }

    #[inline(always)]
    fn axpy(w: f32, x: &[f32], y: &mut [f32]) {
        for (y, x) in y.iter_mut().zip(x) {
            *y += w * x;
        }
    }

    #[inline(always)]
    fn dot4(rows: &[f32], x: &[f32]) -> [f32; 4] {
        let n = x.len();
        assert!(rows.len() >= 4 * n);
        [0, 1, 2, 3].map(|r| Self::dot(&rows[r * n..(r + 1) * n], x))
    }

    #[inline(always)]
    fn dot4x2(rows: &[f32], x: &[f32], y: &[f32]) -> ([f32; 4], [f32; 4]) {
        (Self::dot4(rows, x), Self::dot4(rows, y))
    }
}

/// x86-64 with AVX2 and FMA. Only inside `#[target_feature(enable = "avx2,fma")]` callers,
/// after [`has_avx2_fma`] said yes.
#[cfg(target_arch = "x86_64")]
pub struct Avx2;

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// Horizontal sum of eight lanes (shuffles, no round trip through memory).
    #[inline(always)]
    pub unsafe fn hsum(v: __m256) -> f32 {
        let q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let d = _mm_add_ps(q, _mm_movehl_ps(q, q));
        _mm_cvtss_f32(_mm_add_ss(d, _mm_shuffle_ps::<0b01>(d, d)))
    }

    // SAFETY (all loads and stores below): every 8-wide access starts at i with i + 8 ≤ n,
    // and n is at most every slice's length.

    #[inline(always)]
    pub unsafe fn dot(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len().min(b.len());
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        // Two accumulators hide the FMA latency.
        let (mut acc0, mut acc1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
        let mut i = 0;
        while i + 16 <= n {
            acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), acc0);
            let (x, y) = (
                _mm256_loadu_ps(pa.add(i + 8)),
                _mm256_loadu_ps(pb.add(i + 8)),
            );
            acc1 = _mm256_fmadd_ps(x, y, acc1);
            i += 16;
        }
        if i + 8 <= n {
            acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), acc0);
            i += 8;
        }
        let mut s = hsum(_mm256_add_ps(acc0, acc1));
        while i < n {
            s += a[i] * b[i];
            i += 1;
        }
        s
    }

    #[inline(always)]
    pub unsafe fn dot2(g: &[f32], re: &[f32], im: &[f32]) -> (f32, f32) {
        let n = g.len().min(re.len()).min(im.len());
        let (pg, pr, pi) = (g.as_ptr(), re.as_ptr(), im.as_ptr());
        let (mut ar, mut ai) = (_mm256_setzero_ps(), _mm256_setzero_ps());
        let mut i = 0;
        while i + 8 <= n {
            let x = _mm256_loadu_ps(pg.add(i));
            ar = _mm256_fmadd_ps(x, _mm256_loadu_ps(pr.add(i)), ar);
            ai = _mm256_fmadd_ps(x, _mm256_loadu_ps(pi.add(i)), ai);
            i += 8;
        }
        // Both sums reduced together: [r, i, r, i] after two pairwise adds.
        let h = _mm256_hadd_ps(ar, ai);
        let q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps::<1>(h));
        let q = _mm_hadd_ps(q, q);
        let (mut sr, mut si) = (_mm_cvtss_f32(q), _mm_cvtss_f32(_mm_movehdup_ps(q)));
        while i < n {
            sr += g[i] * re[i];
            si += g[i] * im[i];
            i += 1;
        }
        (sr, si)
    }

    #[inline(always)]
    pub unsafe fn axpy(w: f32, x: &[f32], y: &mut [f32]) {
        let n = x.len().min(y.len());
        let (px, py) = (x.as_ptr(), y.as_mut_ptr());
        let vw = _mm256_set1_ps(w);
        let mut i = 0;
        while i + 8 <= n {
            let v = _mm256_fmadd_ps(vw, _mm256_loadu_ps(px.add(i)), _mm256_loadu_ps(py.add(i)));
            _mm256_storeu_ps(py.add(i), v);
            i += 8;
        }
        while i < n {
            y[i] += w * x[i];
            i += 1;
        }
    }

    #[inline(always)]
    pub unsafe fn dot4(rows: &[f32], x: &[f32]) -> [f32; 4] {
        let n = x.len();
        assert!(n.is_multiple_of(8) && rows.len() >= 4 * n);
        let (pr, px) = (rows.as_ptr(), x.as_ptr());
        let mut acc = [_mm256_setzero_ps(); 4];
        let mut i = 0;
        while i < n {
            let v = _mm256_loadu_ps(px.add(i));
            for (r, a) in acc.iter_mut().enumerate() {
                *a = _mm256_fmadd_ps(_mm256_loadu_ps(pr.add(r * n + i)), v, *a);
            }
            i += 8;
        }
        reduce4(&acc)
    }

    /// Lane r of each 128-bit half of the result holds half of `acc[r]`'s sum; the halves
    /// added give the four sums.
    #[inline(always)]
    unsafe fn reduce4(acc: &[__m256; 4]) -> [f32; 4] {
        let h = _mm256_hadd_ps(
            _mm256_hadd_ps(acc[0], acc[1]),
            _mm256_hadd_ps(acc[2], acc[3]),
        );
        let s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps::<1>(h));
        let mut out = [0.0f32; 4];
        _mm_storeu_ps(out.as_mut_ptr(), s);
        out
    }

    #[inline(always)]
    pub unsafe fn dot4x2(rows: &[f32], x: &[f32], y: &[f32]) -> ([f32; 4], [f32; 4]) {
        let n = x.len();
        assert!(n.is_multiple_of(8) && y.len() == n && rows.len() >= 4 * n);
        let (pr, px, py) = (rows.as_ptr(), x.as_ptr(), y.as_ptr());
        let mut ax = [_mm256_setzero_ps(); 4];
        let mut ay = [_mm256_setzero_ps(); 4];
        let mut i = 0;
        while i < n {
            let (vx, vy) = (_mm256_loadu_ps(px.add(i)), _mm256_loadu_ps(py.add(i)));
            for r in 0..4 {
                let c = _mm256_loadu_ps(pr.add(r * n + i));
                ax[r] = _mm256_fmadd_ps(c, vx, ax[r]);
                ay[r] = _mm256_fmadd_ps(c, vy, ay[r]);
            }
            i += 8;
        }
        (reduce4(&ax), reduce4(&ay))
    }
}

#[cfg(target_arch = "x86_64")]
impl Vector for Avx2 {
    #[inline(always)]
    fn dot(a: &[f32], b: &[f32]) -> f32 {
        // SAFETY: `Avx2` is only used after `has_avx2_fma()` (module docs).
        unsafe { avx2::dot(a, b) }
    }

    #[inline(always)]
    fn dot2(g: &[f32], re: &[f32], im: &[f32]) -> (f32, f32) {
        // SAFETY: as `dot`.
        unsafe { avx2::dot2(g, re, im) }
    }

    #[inline(always)]
    fn axpy(w: f32, x: &[f32], y: &mut [f32]) {
        // SAFETY: as `dot`.
        unsafe { avx2::axpy(w, x, y) }
    }

    #[inline(always)]
    fn dot4(rows: &[f32], x: &[f32]) -> [f32; 4] {
        // SAFETY: as `dot`.
        unsafe { avx2::dot4(rows, x) }
    }

    #[inline(always)]
    fn dot4x2(rows: &[f32], x: &[f32], y: &[f32]) -> ([f32; 4], [f32; 4]) {
        // SAFETY: as `dot`.
        unsafe { avx2::dot4x2(rows, x, y) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, f: f32) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * f).sin()).collect()
    }

    fn check<V: Vector>() {
        for n in [0usize, 1, 7, 8, 9, 15, 16, 17, 31, 179, 256] {
            let (a, b, c) = (data(n, 0.7), data(n, 0.3), data(n, 1.1));
            let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            let plain_c: f32 = a.iter().zip(&c).map(|(x, y)| x * y).sum();
            let (tol, tol_c) = (1e-4 * (1.0 + plain.abs()), 1e-4 * (1.0 + plain_c.abs()));
            assert!((V::dot(&a, &b) - plain).abs() < tol, "dot n={n}");
            let (r, i) = V::dot2(&a, &b, &c);
            assert!(
                (r - plain).abs() < tol && (i - plain_c).abs() < tol_c,
                "dot2 n={n}"
            );
            let mut y = c.clone();
            V::axpy(0.5, &a, &mut y);
            for j in 0..n {
                assert!((y[j] - (c[j] + 0.5 * a[j])).abs() < 1e-6, "axpy n={n}");
            }
        }
        assert_eq!(V::dot(&[1.0, 2.0, 3.0], &[1.0, 1.0]), 3.0);
        for n in [8usize, 16, 24, 176] {
            let rows = data(4 * n, 0.9);
            let x = data(n, 0.2);
            let got = V::dot4(&rows, &x);
            for r in 0..4 {
                let want: f32 = rows[r * n..(r + 1) * n]
                    .iter()
                    .zip(&x)
                    .map(|(a, b)| a * b)
                    .sum();
                assert!(
                    (got[r] - want).abs() < 1e-4 * (1.0 + want.abs()),
                    "dot4 n={n} r={r}"
                );
            }
            // The paired form is the single form twice, bit for bit (the stereo pass must
            // equal processing the ears apart).
            let y = data(n, 0.45);
            assert_eq!(V::dot4x2(&rows, &x, &y), (got, V::dot4(&rows, &y)));
        }
    }

    #[test]
    fn portable_primitives_are_right() {
        check::<Portable>();
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_primitives_are_right() {
        if has_avx2_fma() {
            check::<Avx2>();
        } else {
            eprintln!("no AVX2+FMA on this CPU: the portable kernels are the ones in use");
        }
    }
}
