//! n-of-m channel selection (ACE's "maxima"): in each stimulation frame only the `n` bands
//! with the largest envelopes are stimulated (Nucleus ACE: 8–12 of 22). Off = all channels.

/// Keeps the `n` largest of `levels` (ties: the more apical channel first) and zeroes the
/// rest in place. `n >= levels.len()` keeps all. Allocation-free (n ≤ 22: a selection by
/// repeated maximum is cheaper than sorting).
pub fn keep_largest(levels: &mut [f32], n: usize) {
    let m = levels.len();
    if n >= m {
        return;
    }
    let mut keep = [false; 64];
    for _ in 0..n {
        let mut best: Option<usize> = None;
        for (i, &v) in levels.iter().enumerate() {
            if !keep[i] && v > 0.0 && best.is_none_or(|b| v > levels[b]) {
                best = Some(i);
            }
        }
        match best {
            Some(b) => keep[b] = true,
            None => break,
        }
    }
    for (i, v) in levels.iter_mut().enumerate() {
        if !keep[i] {
            *v = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_exactly_the_n_largest() {
        let mut v = [0.3, 0.9, 0.1, 0.5, 0.7, 0.2];
        keep_largest(&mut v, 3);
        assert_eq!(v, [0.0, 0.9, 0.0, 0.5, 0.7, 0.0]);
        let mut all = [0.3, 0.9];
        keep_largest(&mut all, 8);
        assert_eq!(all, [0.3, 0.9]);
        // Silent channels are never picked.
        let mut quiet = [0.0, 0.4, 0.0];
        keep_largest(&mut quiet, 2);
        assert_eq!(quiet, [0.0, 0.4, 0.0]);
    }
}
