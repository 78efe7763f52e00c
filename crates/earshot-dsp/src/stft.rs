//! Causal STFT framing with overlap-add resynthesis (analysis frame `n`, hop `n/4`).
//!
//! Every `hop` input samples a frame of the last `n` samples is handed out; the processed,
//! synthesis-windowed frame is overlap-added back. With MSBG's window (periodic Hann / √1.5,
//! used for analysis and synthesis) the squared windows sum to exactly 1 at hop `n/4`, so an
//! unmodified frame reconstructs the input perfectly. Latency is exactly `n` samples.

/// MSBG `smear3` window: Hann with half-sample offset, scaled by 1/√1.5 so that analysis ×
/// synthesis windows overlap-add to 1 at a quarter-frame hop.
pub fn msbg_window(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let h = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * (i as f64 + 0.5) / n as f64).cos();
            (h / 1.5f64.sqrt()) as f32
        })
        .collect()
}

#[derive(Clone, Debug)]
pub struct StftFramer {
    n: usize,
    hop: usize,
    input: Vec<f32>,
    in_pos: usize,
    ola: Vec<f32>,
    out: Vec<f32>,
    count: usize,
}

impl StftFramer {
    /// `n` must be a multiple of 4.
    pub fn new(n: usize) -> Self {
        assert!(n >= 4 && n.is_multiple_of(4));
        Self {
            n,
            hop: n / 4,
            input: vec![0.0; n],
            in_pos: 0,
            ola: vec![0.0; n],
            out: vec![0.0; n / 4],
            count: 0,
        }
    }

    pub fn reset(&mut self) {
        self.input.fill(0.0);
        self.ola.fill(0.0);
        self.out.fill(0.0);
        self.in_pos = 0;
        self.count = 0;
    }

    /// Clears all state, as [`Self::reset`], with the next frame due after `hop − offset`
    /// samples: where it would be due had the framer started `offset` samples earlier.
    pub fn reset_at(&mut self, offset: usize) {
        self.reset();
        self.count = offset % self.hop;
    }

    pub fn frame_len(&self) -> usize {
        self.n
    }

    pub fn hop(&self) -> usize {
        self.hop
    }

    /// Samples left before the next frame is due.
    pub fn until_frame(&self) -> usize {
        self.hop - self.count
    }

    /// Push a chunk (at most [`Self::until_frame`] samples) in place: the samples go in, the
    /// same number of output samples come back. Returns true when a frame is due: the caller
    /// must then process [`Self::frame_into`] and call [`Self::overlap_add`].
    pub fn push_block(&mut self, io: &mut [f32]) -> bool {
        let len = io.len();
        assert!(len <= self.until_frame());
        let first = len.min(self.n - self.in_pos);
        self.input[self.in_pos..self.in_pos + first].copy_from_slice(&io[..first]);
        self.input[..len - first].copy_from_slice(&io[first..]);
        self.in_pos = (self.in_pos + len) % self.n;
        io.copy_from_slice(&self.out[self.count..self.count + len]);
        self.count += len;
        self.count == self.hop
    }

    /// The last `n` input samples, oldest first, multiplied by `window`.
    pub fn frame_into(&self, window: &[f32], dst: &mut [f32]) {
        let (newer, older) = self.input.split_at(self.in_pos);
        for ((d, s), w) in dst.iter_mut().zip(older.iter().chain(newer)).zip(window) {
            *d = s * w;
        }
    }

    /// Overlap-add a processed frame (already synthesis-windowed) and queue the next hop.
    pub fn overlap_add(&mut self, frame: &[f32]) {
        for (o, f) in self.ola.iter_mut().zip(frame) {
            *o += f;
        }
        self.out.copy_from_slice(&self.ola[..self.hop]);
        self.ola.copy_within(self.hop.., 0);
        let n = self.n;
        self.ola[n - self.hop..].fill(0.0);
        self.count = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_squares_sum_to_one_at_quarter_hop() {
        for n in [16, 256, 280, 2160] {
            let w = msbg_window(n);
            for t in 0..n / 4 {
                let s: f32 = (0..4).map(|q| w[t + q * n / 4].powi(2)).sum();
                assert!((s - 1.0).abs() < 1e-5, "n={n} t={t}: {s}");
            }
        }
    }

    /// Runs `input` through identity processing in chunks of the sizes `sizes` yields
    /// (each cut at the next frame).
    fn identity(input: &[f32], n: usize, mut sizes: impl FnMut() -> usize) -> Vec<f32> {
        let w = msbg_window(n);
        let mut f = StftFramer::new(n);
        let mut buf = vec![0.0; n];
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < input.len() {
            let len = sizes().min(f.until_frame()).min(input.len() - pos);
            let mut io = input[pos..pos + len].to_vec();
            if f.push_block(&mut io) {
                f.frame_into(&w, &mut buf);
                for (b, w) in buf.iter_mut().zip(&w) {
                    *b *= w;
                }
                f.overlap_add(&buf);
            }
            out.extend_from_slice(&io);
            pos += len;
        }
        out
    }

    #[test]
    fn identity_processing_reconstructs_with_latency_n() {
        let n = 64;
        let input: Vec<f32> = (0..1000)
            .map(|i| ((i * 7919) % 97) as f32 / 97.0 - 0.5)
            .collect();
        let out = identity(&input, n, || 1);
        for i in n..1000 {
            assert!((out[i] - input[i - n]).abs() < 1e-5, "sample {i}");
        }
        // The same through chunks of every size up to a hop: bit-identical.
        let mut size = 0;
        let chunked = identity(&input, n, || {
            size = size % (n / 4) + 1;
            size
        });
        assert_eq!(chunked, out);
    }
}
