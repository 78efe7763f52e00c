//! Current spread: the current of one electrode excites the neighbouring places too, falling
//! off exponentially with distance along the cochlea — a slope in dB/mm (≈ 1–8 dB/mm in
//! the literature, docs/science.md; low slopes smear channels into each other).
//!
//! The parameter is an amount 0…1: 0 = no spread (each place hears only its own electrode),
//! else slope = 1 dB/mm ÷ amount (amount 1 = 1 dB/mm, 0.125 = 8 dB/mm), so automating it is
//! continuous: as the amount falls the neighbours' share falls smoothly to nothing.

/// Slope in dB/mm for a spread amount (∞ at 0).
pub fn slope_db_per_mm(amount: f32) -> f32 {
    if amount <= 0.0 {
        f32::INFINITY
    } else {
        1.0 / amount.min(1.0)
    }
}

/// Excitation at each electrode's place: `out[k] = Σ_j current[j] · 10^(−slope·|x_j − x_k|/20)`.
pub fn spread(current: &[f32], place_mm: &[f32], amount: f32, out: &mut [f32]) {
    let slope = slope_db_per_mm(amount);
    if !slope.is_finite() {
        out[..current.len()].copy_from_slice(current);
        return;
    }
    // 10^(−slope·d/20) = exp(−k·d)
    let k = slope * std::f32::consts::LN_10 / 20.0;
    for (o, &xk) in out.iter_mut().zip(place_mm) {
        *o = current
            .iter()
            .zip(place_mm)
            .filter(|(c, _)| **c > 0.0)
            .map(|(c, xj)| c * (-k * (xj - xk).abs()).exp())
            .sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_spread_is_identity_and_lower_slopes_spread_more() {
        let x = [10.0, 11.0, 12.0, 13.0];
        let i = [0.0, 2.0, 0.0, 0.0];
        let mut out = [0.0; 4];
        spread(&i, &x, 0.0, &mut out);
        assert_eq!(out, i);
        let neighbour = |amount: f32| {
            let mut o = [0.0; 4];
            spread(&i, &x, amount, &mut o);
            assert_eq!(o[1], 2.0);
            o[2]
        };
        // 8 dB/mm: the neighbour 1 mm away gets −8 dB.
        assert!((20.0 * (neighbour(0.125) / 2.0).log10() + 8.0).abs() < 1e-3);
        assert!(neighbour(0.5) > neighbour(0.125));
        assert!(neighbour(1.0) > neighbour(0.5));
    }
}
