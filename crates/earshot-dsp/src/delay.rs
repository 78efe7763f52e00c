//! Fixed delay line: aligns the dry ("world") path with the processed path so POV and bypass
//! crossfades are phase-coherent and the host's latency compensation lines both up.

#[derive(Clone, Debug)]
pub struct DelayLine {
    buf: Vec<f32>,
    pos: usize,
}

impl DelayLine {
    /// A delay of `samples` (0 = pass-through). Allocates; call from `activate()`.
    pub fn new(samples: usize) -> Self {
        Self {
            buf: vec![0.0; samples],
            pos: 0,
        }
    }

    pub fn reset(&mut self) {
        self.buf.fill(0.0);
        self.pos = 0;
    }

    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        if self.buf.is_empty() {
            return x;
        }
        let y = std::mem::replace(&mut self.buf[self.pos], x);
        self.pos += 1;
        if self.pos == self.buf.len() {
            self.pos = 0;
        }
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_by_exactly_n() {
        for n in [0, 1, 7, 256] {
            let mut d = DelayLine::new(n);
            let out: Vec<f32> = (0..300)
                .map(|i| d.process(if i == 0 { 1.0 } else { 0.0 }))
                .collect();
            assert_eq!(out.iter().position(|&v| v == 1.0), Some(n));
        }
    }
}
