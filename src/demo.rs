//! The demo material: a drum loop the project owns (synthesised, deterministic). The CLI's
//! `earshot demo` renders it through the story; the standalone app plays it with `--demo-input`.

use std::sync::OnceLock;

/// Length of the demo, s: long enough for every scene of the story to be heard (the
/// shortest, the sudden loss, lasts 5 % of it: 2.4 s).
pub const SECONDS: f32 = 48.0;

/// A deterministic drum loop (kick, snare, hats) with a bass line, 120 bpm, stereo.
pub fn drum_loop(rate: f32, seconds: f32) -> Vec<Vec<f32>> {
    let n = (rate * seconds) as usize;
    let beat = (rate * 0.5) as usize;
    let mut seed: u32 = 0x1234_5678;
    let mut noise = move || {
        // xorshift32 (Marsaglia 2003): reproducible noise without a dependency.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as f32 / u32::MAX as f32 * 2.0 - 1.0
    };
    let mut l = vec![0.0f32; n];
    let mut r = vec![0.0f32; n];
    let tau = std::f32::consts::TAU;
    for i in 0..n {
        let pos = i % (2 * beat);
        let t = pos as f32 / rate;
        let ti = i as f32 / rate;
        // Kick on 1 and 3 (every beat pair start), pitch sweep 120 → 45 Hz.
        let kick = if pos < beat {
            let f = 45.0 + 75.0 * (-t * 30.0).exp();
            0.6 * (tau * f * t).sin() * (-t * 8.0).exp()
        } else {
            0.0
        };
        // Snare on 2 and 4.
        let ts = (pos as f32 - beat as f32) / rate;
        let nz = noise();
        let snare = if pos >= beat {
            (0.25 * nz + 0.2 * (tau * 190.0 * ts).sin()) * (-ts * 18.0).exp()
        } else {
            0.0
        };
        // Hats every eighth note.
        let th = (i % (beat / 2)) as f32 / rate;
        let hat = 0.08 * (noise() - 0.7 * nz) * (-th * 60.0).exp();
        // Bass: root notes A1/E2 alternating each bar.
        let bar = (i / (4 * beat)) % 2;
        let f0 = if bar == 0 { 55.0 } else { 82.4 };
        let bass = 0.12 * ((tau * f0 * ti).sin() + 0.3 * (tau * 2.0 * f0 * ti).sin());
        // A high melody (1–4 kHz) so the loss is audible on headphones.
        let step = (i / beat) % 4;
        let fm = [1320.0, 1760.0, 2640.0, 3520.0][step];
        let env = (-((i % beat) as f32 / rate) * 6.0).exp();
        let mel = 0.06 * (tau * fm * ti).sin() * env;
        l[i] = kick + snare + hat * 0.8 + bass + mel;
        r[i] = kick + snare * 0.9 + hat * 1.2 + bass + mel * 0.7;
    }
    vec![l, r]
}

/// How the standalone app starts (set by `earshot-standalone` before the plugin exists; a
/// plugin in a host never sets it).
#[derive(Clone, Debug, Default)]
pub struct StandaloneDemo {
    /// A factory preset to start with (checked by the caller).
    pub preset: Option<String>,
    /// Play the demo drum loop instead of the audio input (for a machine without one).
    pub demo_input: bool,
}

static STANDALONE: OnceLock<StandaloneDemo> = OnceLock::new();

/// Configure the standalone app; call once, before the plugin is created.
pub fn set_standalone_demo(d: StandaloneDemo) {
    let _ = STANDALONE.set(d);
}

/// The standalone app's configuration, if it set one.
#[cfg_attr(not(feature = "plugin"), allow(dead_code))]
pub(crate) fn standalone() -> Option<&'static StandaloneDemo> {
    STANDALONE.get()
}

/// The demo loop, played in a circle over the input.
#[cfg_attr(not(feature = "plugin"), allow(dead_code))]
pub(crate) struct DemoInput {
    channels: Vec<Vec<f32>>,
    pos: usize,
}

#[cfg_attr(not(feature = "plugin"), allow(dead_code))]
impl DemoInput {
    /// Allocates the loop (call from `activate()`).
    pub(crate) fn new(sample_rate: f32) -> Self {
        Self {
            channels: drum_loop(sample_rate, SECONDS),
            pos: 0,
        }
    }

    /// Replace the input with the next stretch of the loop. Real-time safe.
    pub(crate) fn fill(&mut self, out: &mut [&mut [f32]]) {
        let len = self.channels[0].len();
        let n = out.first().map_or(0, |c| c.len());
        for (ch, chan) in out.iter_mut().enumerate() {
            let src = &self.channels[ch % self.channels.len()];
            for (i, x) in chan.iter_mut().enumerate() {
                *x = src[(self.pos + i) % len];
            }
        }
        self.pos = (self.pos + n) % len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standalone_input_plays_the_loop_in_a_circle() {
        let mut d = DemoInput::new(8000.0);
        let len = d.channels[0].len();
        let want = |ch: usize, i: usize| d.channels[ch][i % len];
        let expected: Vec<[f32; 2]> = (len - 100..len + 150)
            .map(|i| [want(0, i), want(1, i)])
            .collect();
        d.pos = len - 100;
        let (mut l, mut r) = (vec![0.0; 250], vec![0.0; 250]);
        d.fill(&mut [&mut l[..130], &mut r[..130]]);
        d.fill(&mut [&mut l[130..], &mut r[130..]]);
        for (i, e) in expected.iter().enumerate() {
            assert_eq!([l[i], r[i]], *e, "sample {i}");
        }
        assert_eq!(d.pos, 150);
    }
}
