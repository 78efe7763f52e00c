//! Vector kernels for the loss stage's hot loops (the smearing matrix product and the channel
//! recombination). Portable versions accumulate in eight independent lanes so the compiler
//! can vectorise them (one running sum forces strict left-to-right order); on x86-64 CPUs with
//! AVX2 + FMA a fused version is picked at run time (`best_dot`), as rustfft does for its FFTs.
//! Results differ between the two only by float rounding (≈ 1e-7 relative).

/// A dot product over the common length of two slices.
pub type DotFn = fn(&[f32], &[f32]) -> f32;
/// `(Σ g·re, Σ g·im)` over the common length.
pub type Dot2Fn = fn(&[f32], &[f32], &[f32]) -> (f32, f32);
/// `y += w · x` over the common length.
pub type AxpyFn = fn(f32, &[f32], &mut [f32]);

/// The kernels for this CPU, chosen once at set-up.
#[derive(Clone, Copy, Debug)]
pub struct Kernels {
    pub dot: DotFn,
    pub dot2: Dot2Fn,
    pub axpy: AxpyFn,
}

impl Kernels {
    /// Detects the CPU: AVX2 + FMA kernels where available, portable ones otherwise.
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if has_avx2_fma() {
                return Self {
                    dot: dot_fma,
                    dot2: dot2_fma,
                    axpy: axpy_fma,
                };
            }
        }
        Self::portable()
    }

    pub fn portable() -> Self {
        Self { dot, dot2, axpy }
    }
}

#[cfg(target_arch = "x86_64")]
fn has_avx2_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// The fastest dot product this CPU supports.
pub fn best_dot() -> DotFn {
    Kernels::detect().dot
}

/// Portable `y += w · x`.
#[inline]
pub fn axpy(w: f32, x: &[f32], y: &mut [f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += w * x;
    }
}

/// Portable eight-lane dot product.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0f32; 8];
    let mut xa = a.chunks_exact(8);
    let mut xb = b.chunks_exact(8);
    for (x, y) in (&mut xa).zip(&mut xb) {
        // Fixed-size views: no bounds checks in the lane loop, which LLVM then vectorises.
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

/// `(Σ g·re, Σ g·im)` in one pass (a complex response weighted by real gains).
#[inline]
pub fn dot2(g: &[f32], re: &[f32], im: &[f32]) -> (f32, f32) {
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

#[cfg(target_arch = "x86_64")]
fn dot_fma(a: &[f32], b: &[f32]) -> f32 {
    // SAFETY: `Kernels::detect` hands this out only after detecting AVX2 and FMA.
    unsafe { dot_fma_impl(a, b) }
}

#[cfg(target_arch = "x86_64")]
fn dot2_fma(g: &[f32], re: &[f32], im: &[f32]) -> (f32, f32) {
    // SAFETY: as `dot_fma`.
    unsafe { dot2_fma_impl(g, re, im) }
}

#[cfg(target_arch = "x86_64")]
fn axpy_fma(w: f32, x: &[f32], y: &mut [f32]) {
    // SAFETY: as `dot_fma`.
    unsafe { axpy_fma_impl(w, x, y) }
}

/// Horizontal sum of eight lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn hsum(v: std::arch::x86_64::__m256) -> f32 {
    let mut lanes = [0.0f32; 8];
    std::arch::x86_64::_mm256_storeu_ps(lanes.as_mut_ptr(), v);
    lanes.iter().sum()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_fma_impl(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    // Two 8-lane accumulators hide the FMA latency.
    let mut acc0 = _mm256_setzero_ps();
    let mut acc1 = _mm256_setzero_ps();
    let mut i = 0;
    // SAFETY (all loads): every 8-wide load starts at i with i + 8 ≤ n ≤ both lengths.
    while i + 16 <= n {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), acc0);
        acc1 = _mm256_fmadd_ps(
            _mm256_loadu_ps(pa.add(i + 8)),
            _mm256_loadu_ps(pb.add(i + 8)),
            acc1,
        );
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

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot2_fma_impl(g: &[f32], re: &[f32], im: &[f32]) -> (f32, f32) {
    use std::arch::x86_64::*;
    let n = g.len().min(re.len()).min(im.len());
    let (pg, pr, pi) = (g.as_ptr(), re.as_ptr(), im.as_ptr());
    let mut ar = _mm256_setzero_ps();
    let mut ai = _mm256_setzero_ps();
    let mut i = 0;
    // SAFETY (all loads): i + 8 ≤ n ≤ every length.
    while i + 8 <= n {
        let x = _mm256_loadu_ps(pg.add(i));
        ar = _mm256_fmadd_ps(x, _mm256_loadu_ps(pr.add(i)), ar);
        ai = _mm256_fmadd_ps(x, _mm256_loadu_ps(pi.add(i)), ai);
        i += 8;
    }
    let (mut sr, mut si) = (hsum(ar), hsum(ai));
    while i < n {
        sr += g[i] * re[i];
        si += g[i] * im[i];
        i += 1;
    }
    (sr, si)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn axpy_fma_impl(w: f32, x: &[f32], y: &mut [f32]) {
    use std::arch::x86_64::*;
    let n = x.len().min(y.len());
    let (px, py) = (x.as_ptr(), y.as_mut_ptr());
    let vw = _mm256_set1_ps(w);
    let mut i = 0;
    // SAFETY: i + 8 ≤ n ≤ both lengths; `y` is exclusively borrowed.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, f: f32) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * f).sin()).collect()
    }

    #[test]
    fn every_kernel_equals_the_plain_sum() {
        for n in [0usize, 1, 7, 8, 9, 15, 16, 17, 31, 179, 256] {
            let (a, b, c) = (data(n, 0.7), data(n, 0.3), data(n, 1.1));
            let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            let plain_c: f32 = a.iter().zip(&c).map(|(x, y)| x * y).sum();
            let tol = 1e-4 * (1.0 + plain.abs());
            let (r, i) = dot2(&a, &b, &c);
            assert!((r - plain).abs() < tol && (i - plain_c).abs() < 1e-4 * (1.0 + plain_c.abs()));
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                assert!((dot_fma(&a, &b) - plain).abs() < tol, "fma n={n}");
            }
        }
    }

    #[test]
    fn lengths_may_differ() {
        assert_eq!(dot(&[1.0, 2.0, 3.0], &[1.0, 1.0]), 3.0);
        assert_eq!(best_dot()(&[1.0, 2.0], &[1.0, 1.0, 5.0]), 3.0);
    }
}
