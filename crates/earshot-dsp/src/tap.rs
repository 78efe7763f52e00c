//! The live view's tap: the last few thousand samples of the world (the latency-aligned dry
//! input) and of what the ears receive (after the loss and implant stages, before tinnitus,
//! the body layer and the POV mix), each summed to mono.
//!
//! Two fixed rings written by the audio thread (a mean and two stores per sample); whoever owns
//! the engine copies them out in time order ([`Tap::copy_latest`]) to hand to the editor.
//! Allocates once in [`Tap::new`].

/// Samples each ring keeps: 85 ms at 48 kHz, enough for a 4096-point spectrum.
pub const TAP_LEN: usize = 4096;

pub struct Tap {
    world: Box<[f32; TAP_LEN]>,
    ear: Box<[f32; TAP_LEN]>,
    /// Next write position.
    pos: usize,
}

impl Default for Tap {
    fn default() -> Self {
        Self::new()
    }
}

impl Tap {
    pub fn new() -> Self {
        Self {
            world: Box::new([0.0; TAP_LEN]),
            ear: Box::new([0.0; TAP_LEN]),
            pos: 0,
        }
    }

    pub fn reset(&mut self) {
        self.world.fill(0.0);
        self.ear.fill(0.0);
        self.pos = 0;
    }

    /// Append one chunk: `world[ch]` and `ear[ch]` per channel (1 or 2, equal lengths).
    pub fn push(&mut self, world: &[&[f32]], ear: &[&[f32]]) {
        let n = world.iter().chain(ear).map(|c| c.len()).min().unwrap_or(0);
        let mut done = 0;
        while done < n {
            let run = (n - done).min(TAP_LEN - self.pos);
            let dst = self.pos..self.pos + run;
            mono_into(&mut self.world[dst.clone()], world, done);
            mono_into(&mut self.ear[dst], ear, done);
            done += run;
            self.pos = (self.pos + run) % TAP_LEN;
        }
    }

    /// The last `world_out.len()` (≤ [`TAP_LEN`]) samples of each ring, oldest first.
    pub fn copy_latest(&self, world_out: &mut [f32], ear_out: &mut [f32]) {
        unroll(&self.world[..], self.pos, world_out);
        unroll(&self.ear[..], self.pos, ear_out);
    }
}

fn mono_into(dst: &mut [f32], src: &[&[f32]], offset: usize) {
    match src {
        [l, r, ..] => {
            for ((d, a), b) in dst.iter_mut().zip(&l[offset..]).zip(&r[offset..]) {
                *d = 0.5 * (a + b);
            }
        }
        [m] => dst.copy_from_slice(&m[offset..offset + dst.len()]),
        [] => dst.fill(0.0),
    }
}

/// `out` = the `out.len()` samples of `ring` before `pos`, in time order.
fn unroll(ring: &[f32], pos: usize, out: &mut [f32]) {
    let n = out.len().min(ring.len());
    let out = &mut out[..n];
    let start = (pos + ring.len() - n) % ring.len();
    let first = (ring.len() - start).min(n);
    out[..first].copy_from_slice(&ring[start..start + first]);
    out[first..].copy_from_slice(&ring[..n - first]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_samples_come_out_in_time_order_across_the_wrap() {
        let mut t = Tap::new();
        // Odd chunk sizes that wrap the ring several times; the world counts up, the ear down.
        let mut next = 0.0f32;
        for chunk in [1usize, 37, 4096, 1000, 3001, 5] {
            let w: Vec<f32> = (0..chunk).map(|i| next + i as f32).collect();
            let e: Vec<f32> = w.iter().map(|x| -x).collect();
            t.push(&[&w], &[&e]);
            next += chunk as f32;
        }
        for n in [1usize, 100, TAP_LEN] {
            let (mut w, mut e) = (vec![0.0; n], vec![0.0; n]);
            t.copy_latest(&mut w, &mut e);
            for (i, (a, b)) in w.iter().zip(&e).enumerate() {
                let want = next - n as f32 + i as f32;
                assert_eq!(*a, want, "n {n} i {i}");
                assert_eq!(*b, -want);
            }
        }
    }

    #[test]
    fn stereo_is_summed_to_mono_and_reset_clears() {
        let mut t = Tap::new();
        t.push(&[&[1.0, 2.0], &[3.0, 4.0]], &[&[0.0, 1.0], &[0.0, -1.0]]);
        let (mut w, mut e) = ([0.0; 2], [9.0; 2]);
        t.copy_latest(&mut w, &mut e);
        assert_eq!(w, [2.0, 3.0]);
        assert_eq!(e, [0.0, 0.0]);
        t.reset();
        t.copy_latest(&mut w, &mut e);
        assert_eq!(w, [0.0, 0.0]);
    }
}
