//! Reproducible white noise: xorshift32 (Marsaglia 2003, "Xorshift RNGs", J. Stat. Softw.
//! 8(14)), shifts (13, 17, 5). Fast, no dependency, and the same seed gives the same render
//! on every machine — what a researcher re-rendering a file needs.

/// Uniform in [−1, 1) (variance 1/3), advancing `state` (never 0).
#[inline(always)]
pub fn white(state: &mut u32) -> f32 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    // Through i32 (exact: 24 bits): x86 converts signed integers to float in one
    // instruction, and only emulates the unsigned conversion.
    ((x >> 8) as i32) as f32 * (2.0 / 16_777_216.0) - 1.0
}

/// Uniform in [0, 1), advancing `state`.
#[inline(always)]
pub fn uniform(state: &mut u32) -> f32 {
    0.5 * (white(state) + 1.0)
}

/// A non-zero xorshift state for `stream` of `seed` (SplitMix64's finaliser, Steele et al.
/// 2014, so neighbouring seeds and streams give unrelated sequences).
pub fn state(seed: u64, stream: u32) -> u32 {
    let mut z = seed
        .wrapping_add(0x9E37_79B9_7F4A_7C15u64.wrapping_mul(stream as u64 + 1))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z ^ (z >> 32)) as u32) | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_is_uniform_with_variance_one_third() {
        let mut s = state(7, 0);
        let n = 200_000;
        let (mut sum, mut sq, mut lo, mut hi) = (0.0f64, 0.0f64, 0.0f32, 0.0f32);
        for _ in 0..n {
            let x = white(&mut s);
            sum += x as f64;
            sq += (x as f64).powi(2);
            lo = lo.min(x);
            hi = hi.max(x);
        }
        assert!((sum / n as f64).abs() < 0.01);
        assert!((sq / n as f64 - 1.0 / 3.0).abs() < 0.005);
        assert!(lo >= -1.0 && hi < 1.0 && lo < -0.99 && hi > 0.99);
    }

    #[test]
    fn seeds_and_streams_differ_and_repeat() {
        assert_ne!(state(1, 0), state(2, 0));
        assert_ne!(state(1, 0), state(1, 1));
        assert_eq!(state(1, 0), state(1, 0));
        assert_ne!(state(0, 0), 0);
    }
}
