//! The demo material: a drum loop the project owns (synthesised, deterministic). The CLI's
//! `earshot demo` renders it through the story; the standalone app plays it with `--demo-input`.

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
