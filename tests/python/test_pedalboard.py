"""Earshot's VST3 in a real host: Spotify's pedalboard (JUCE's VST3 hosting).

Run by `cargo xtask test` with EARSHOT_VST3 (the bundle) and EARSHOT_CLI (the `earshot`
binary, the engine's own offline path) set. Checks that the host sees every parameter with its
name and unit, that the reported latency is what lines the output up, that severity 0 is
transparent through the host, and that severity 1 with the Ruben audiogram lowers a 4 kHz
tone by exactly what the engine computes offline (and prints MSBG's figure beside it).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pedalboard
from scipy.io import wavfile

from checks import check, finish

ROOT = Path(__file__).resolve().parents[2]
VST3 = os.environ.get("EARSHOT_VST3", str(ROOT / "target/bundled/Earshot.vst3"))
CLI = os.environ.get("EARSHOT_CLI", str(ROOT / "target/release/earshot"))
RUBEN = [55, 60, 65, 70, 70, 75, 80, 85, 90]  # dB HL at 125..8k Hz, Preset::Ruben
FREQS = ["125_hz", "250_hz", "500_hz", "1_khz", "2_khz", "3_khz", "4_khz", "6_khz", "8_khz"]


def tone(freq: float, amp: float, seconds: float, fs: int) -> np.ndarray:
    t = np.arange(int(seconds * fs)) / fs
    x = amp * np.sin(2 * np.pi * freq * t)
    ramp = int(0.01 * fs)
    x[:ramp] *= 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
    return x.astype(np.float32)


def level_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-30))


def fresh() -> pedalboard.Plugin:
    return pedalboard.load_plugin(VST3)


def set_thresholds(p: pedalboard.Plugin, ear: str, hl: list[float]) -> None:
    """Sets an ear's nine thresholds exactly: normalised as the plugin does it,
    (v + 10) / 130 in f32. (An attribute would be rounded to pedalboard's grid of 1000 steps:
    60 dB HL became 59.94, and the render then differed from the CLI's by about -97 dB.)"""
    for f, v in zip(FREQS, hl):
        norm = np.float32(np.float32(v) + np.float32(10.0)) / np.float32(130.0)
        p.parameters[f"{ear}_{f}_db_hl"].raw_value = float(np.float32(norm))


def ruben() -> pedalboard.Plugin:
    """A fresh instance at severity 100 % with Ruben's audiogram (exactly), calibration
    100 dB SPL."""
    p = fresh()
    p.severity = 100
    p.calibration_db_spl = 100
    set_thresholds(p, "left", RUBEN)
    return p


def test_parameters() -> None:
    p = fresh()
    params = p.parameters
    check(len(params) == 76, f"76 parameters listed (got {len(params)})")
    expect_units = {
        "severity": "%",
        "calibration_db_spl": "dB SPL",
        "smearing_amount": "%",
        "pov": "%",
        "output_gain_db": "dB",
    }
    for ear in ["left", "right"]:
        for f in FREQS:
            expect_units[f"{ear}_{f}_db_hl"] = "dB HL"
        expect_units[f"{ear}_air_bone_gap_db"] = "dB"
    for name, unit in expect_units.items():
        ok = name in params and (params[name].units or "").strip() == unit
        check(ok, f"parameter {name} shown in {unit}")
    for name in ["link_ears", "recruitment", "smearing_mode", "bypass"]:
        check(name in params, f"parameter {name} listed")
    check(params["calibration_db_spl"].range[:2] == (70.0, 130.0), "calibration range 70..130 dB SPL")
    check(params["left_4_khz_db_hl"].range[:2] == (-10.0, 120.0), "threshold range -10..120 dB HL")


def test_latency_and_transparency() -> None:
    for fs in [44100, 48000, 96000]:
        p = fresh()
        rng = np.random.default_rng(1)
        # Gaussian noise at −20 dBFS RMS: peaks stay under the 0 dBFS safety limiter.
        x = np.clip(0.1 * rng.standard_normal((2, fs)), -0.9, 0.9).astype(np.float32)
        y = p.process(x, float(fs))
        lat = p.reported_latency_samples
        # pedalboard compensates the reported latency: a correct report lines the output up.
        null = level_db(y[:, 2000:] - x[:, 2000:]) - level_db(x[:, 2000:])
        check(null <= -90.0, f"{fs} Hz: latency {lat} samples reported, severity 0 nulls at {null:.1f} dB")
        imp = np.zeros((2, fs // 2), np.float32)
        imp[:, 1000] = 0.8
        p.severity = 100
        for ear in ["left", "right"]:
            for f, v in zip(FREQS, RUBEN):
                setattr(p, f"{ear}_{f}_db_hl", v)
        z = p.process(imp, float(fs))
        # The latency itself is exact (the severity-0 null above). At severity 1 the complex
        # channel recombination (MSBG's channel sum has phase) may move the peak of an impulse
        # by a sample: at 96 kHz that is 10 µs, well below anything a latency error would be.
        peak = int(np.argmax(np.abs(z[0])))
        check(abs(peak - 1000) <= 1, f"{fs} Hz: impulse aligned at severity 1 (peak {peak}, within a sample of 1000)")


def engine_offline(x: np.ndarray, fs: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        a, b = Path(d) / "in.wav", Path(d) / "out.wav"
        wavfile.write(a, fs, x)
        subprocess.run(
            [CLI, "render", str(a), str(b), "--preset", "ruben", "--param", "calibration=100"],
            check=True,
        )
        return wavfile.read(b)[1].astype(np.float32)


def msbg_attenuation(freq: float, level: float) -> float | None:
    try:
        logging.disable(logging.WARNING)
        from clarity.evaluator.msbg.msbg import Ear
        from clarity.utils.audiogram import Audiogram
    except ImportError:
        return None
    hz = np.array([125, 250, 500, 1000, 2000, 3000, 4000, 6000, 8000])
    x = tone(freq, np.sqrt(2) * 10 ** ((level - 120) / 20), 0.6, 44100).astype(np.float64)
    out = []
    for levels in [np.zeros(9), np.array(RUBEN, float)]:
        ear = Ear(equiv_0db_spl=100, ahr=20, sample_rate=44100)
        ear.set_audiogram(Audiogram(levels=levels, frequencies=hz))
        out.append(level_db(np.asarray(ear.process(x)[0])[11025:24255]))
    return out[1] - out[0]


def test_ruben_lowers_4k_tone() -> None:
    fs = 48000
    level = 80.0  # dB SPL; calibration 100 dB SPL → amplitude 0.1
    x = tone(4000.0, 10 ** ((level - 100) / 20), 1.0, fs)
    p = ruben()
    y = p.process(np.stack([x, x]), float(fs))
    seg = slice(int(0.3 * fs), int(0.9 * fs))
    host = level_db(y[0, seg]) - level_db(x[seg])
    engine = level_db(engine_offline(x, fs)[seg]) - level_db(x[seg])
    msbg = msbg_attenuation(4000.0, level)
    print(f"4 kHz at {level} dB SPL, Ruben, severity 1: VST3 in pedalboard {host:.2f} dB, "
          f"engine offline {engine:.2f} dB, MSBG (44.1 kHz) {msbg if msbg is None else round(msbg, 2)} dB")
    check(abs(host - engine) < 0.1, "VST3 attenuation equals the engine's offline render")
    check(host < -20.0, "the severe 80 dB HL loss at 4 kHz lowers an 80 dB SPL tone by > 20 dB")
    if msbg is not None:
        check(abs(host - msbg) < 3.0, "and agrees with MSBG within 3 dB")


def test_implant_in_the_host() -> None:
    """The implant parameters are reachable from a host, and the implant brings back a tone the
    loss removed, the same in the VST3 as in the CLI."""
    fs = 48000
    level = 70.0
    x = tone(1000.0, 10 ** ((level - 100) / 20), 1.0, fs)
    p = ruben()
    seg = slice(int(0.5 * fs), int(0.9 * fs))
    deaf = level_db(p.process(np.stack([x, x]), float(fs))[0, seg])
    p = ruben()
    p.implant = 100
    p.channels = 8
    p.insertion_shift_mm = 4.0
    p.carrier = "Metallic"
    y = p.process(np.stack([x, x]), float(fs))
    heard = level_db(y[0, seg])
    with tempfile.TemporaryDirectory() as d:
        a, b = Path(d) / "in.wav", Path(d) / "out.wav"
        wavfile.write(a, fs, np.stack([x, x], axis=1))
        subprocess.run(
            [CLI, "render", str(a), str(b), "--preset", "ruben", "--param", "calibration=100",
             "--param", "ci_amount=1", "--param", "ci_channels=8", "--param", "ci_shift=4",
             "--param", "ci_carrier=metallic"],
            check=True,
        )
        _, z = wavfile.read(b)
    cli = level_db(z[seg, 0])
    print(f"1 kHz at {level} dB SPL, Ruben: loss only {deaf - level_db(x[seg]):.1f} dB, "
          f"implant (8 ch, 4 mm, metallic) {heard - level_db(x[seg]):.1f} dB in the VST3, "
          f"{cli - level_db(x[seg]):.1f} dB from the CLI")
    check(np.all(np.isfinite(y)), "implant output finite")
    check(heard > deaf + 20.0, "the implant brings back the tone the loss removed")
    check(abs(heard - cli) < 0.1, "VST3 and CLI agree with the implant on")


def cli_render(x: np.ndarray, fs: int, args: list[str]) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        a, b = Path(d) / "in.wav", Path(d) / "out.wav"
        wavfile.write(a, fs, x.T.copy())
        subprocess.run([CLI, "render", str(a), str(b), "--block", "512"] + args, check=True)
        return wavfile.read(b)[1].T.astype(np.float32)


def drum_like(n: int, fs: int) -> np.ndarray:
    """A 1 kHz tone, a little noise (seeded) and a 60 Hz kick every 0.5 s; stereo, the right
    channel 0.8 of the left."""
    rng = np.random.default_rng(7)
    t = np.arange(n) / fs
    kick = 0.4 * np.exp(-(t % 0.5) / 0.08) * np.sin(2 * np.pi * 60 * (t % 0.5))
    mono = 0.05 * np.sin(2 * np.pi * 1000 * t) + 0.02 * rng.standard_normal(n) + kick
    return np.stack([mono, 0.8 * mono]).astype(np.float32)


def test_cli_nulls_against_the_vst3() -> None:
    """`earshot render` equals the VST3 in a host, sample for sample: loss, tinnitus and
    body at once (the random parts seeded), and the story swept across the file."""
    fs = 48000
    n = 2 * fs
    x = drum_like(n, fs)
    # Static: Ruben's ears, ringing (noise band, seeded) and the felt drums.
    p = ruben()
    p.tinnitus = 100
    p.tinnitus_kind = "Noise band"
    p.tinnitus_pitch_mode = "Free"
    p.parameters["random_seed"].raw_value = 5 / 65535
    p.body = 100
    y = p.process(x, float(fs), buffer_size=512)
    z = cli_render(x, fs, ["--preset", "ruben", "--param", "calibration=100",
                           "--param", "tin_amount=1", "--param", "tin_kind=Noise band",
                           "--param", "tin_pitch_mode=Free",
                           "--seed", "5", "--param", "body_amount=1"])
    # A VST3 host hands parameter values set before playback to the processor with the
    # first block, as changes; the engine is at rest then, so they land at once instead of
    # gliding, and the render matches from the first sample. (The pitch is free: a pitch
    # matched to an audiogram takes another path; and it stays at its default, 4000 Hz:
    # pedalboard rounds values set by attribute to a grid of 1000 steps.)
    null = level_db(y - z) - level_db(y)
    check(null <= -120.0, f"CLI render nulls against the VST3 (loss, tinnitus, body): {null:.1f} dB")
    # The story swept across the file: the host sets the position before each block.
    p = fresh()
    p.calibration_db_spl = 100
    p.mode = "Story"
    block = 512
    blocks = []
    for i in range(0, n, block):
        # Set normalised, exactly (an attribute would be rounded to pedalboard's grid).
        p.parameters["story"].raw_value = i / n
        # No reset: the instance is fresh. (pedalboard's reset on the first call also makes
        # it process its own lead-in, and the plugin's frames then no longer start with the
        # file's first sample as the CLI's do.)
        blocks.append(p.process(x[:, i:i + block], float(fs), buffer_size=block, reset=False))
    y = np.concatenate(blocks, axis=1)
    lat = p.reported_latency_samples
    z = cli_render(x, fs, ["--story", "0:1", "--param", "calibration=100"])
    # Chunked host calls are not latency-compensated: line the output up by the report.
    # Compared from the first sample: values set before playback are in place at rest.
    null = level_db(y[:, lat:] - z[:, : n - lat]) - level_db(y[:, lat:])
    check(null <= -120.0, f"CLI --story 0:1 nulls against the VST3 with the story automated: {null:.1f} dB")


def test_generated_audiogram_in_the_host() -> None:
    """An audiogram generated from age (ISO 7029) loads through the host like a preset: the
    thresholds `earshot presets` lists for the 70-year-old woman, set on the VST3's 18
    parameters, render what `earshot render --age 70 --sex female` renders."""
    listing = subprocess.run([CLI, "presets"], check=True, capture_output=True, text=True).stdout
    lines = listing.splitlines()
    at = next(i for i, l in enumerate(lines) if l.strip().startswith("70-year-old woman, median"))
    hl = [float(v) for v in lines[at + 1].split()[0].split(",")]
    check(len(hl) == 9 and hl[-1] > hl[3] > 0,
          f"`earshot presets` lists the 70-year-old woman's audiogram: {hl}")
    fs = 48000
    rng = np.random.default_rng(3)
    n = fs
    t = np.arange(n) / fs
    mono = 0.05 * np.sin(2 * np.pi * 4000 * t) + 0.02 * rng.standard_normal(n)
    x = np.stack([mono, 0.8 * mono]).astype(np.float32)
    p = fresh()
    p.severity = 100
    p.calibration_db_spl = 100
    for ear in ("left", "right"):
        set_thresholds(p, ear, hl)
    y = p.process(x, float(fs), buffer_size=512)
    z = cli_render(x, fs, ["--age", "70", "--sex", "female", "--param", "calibration=100"])
    null = level_db(y - z) - level_db(y)
    check(null <= -120.0, f"--age 70 --sex female nulls against the VST3 set to its thresholds: {null:.1f} dB")


def test_threshold_shift_in_the_host() -> None:
    """The temporary threshold shift through the VST3: the drum-like input of the null test
    above, with the shift's onset at 60 dB SPL and the fastest time scale, shifts the hearing
    (the render differs from one without it) exactly as `earshot render` with the same
    parameters does."""
    fs = 48000
    x = drum_like(3 * fs, fs)

    def vst(on: bool) -> np.ndarray:
        p = ruben()
        if on:
            # Exact normalised values (attributes would be rounded to pedalboard's grid):
            # amount 1 of 0-2, onset 60 dB SPL and time scale 3600 (the ends of their ranges).
            p.parameters["tts_amount_x"].raw_value = 0.5
            p.parameters["tts_onset_db_spl"].raw_value = 0.0
            p.parameters["tts_time_scale_x"].raw_value = 1.0
        return p.process(x, float(fs), buffer_size=512)

    y, plain = vst(True), vst(False)
    z = cli_render(x, fs, ["--preset", "ruben", "--param", "calibration=100",
                           "--param", "tts_amount=1", "--param", "tts_onset=60",
                           "--param", "tts_time_scale=3600"])
    moved = level_db(y - plain) - level_db(plain)
    check(moved > -40.0, f"the threshold shift changes the render in the host: {moved:.1f} dB")
    null = level_db(y - z) - level_db(y)
    check(null <= -120.0, f"CLI render nulls against the VST3 with the threshold shift: {null:.1f} dB")


def test_jitter_in_the_host() -> None:
    """The temporal distortion through the VST3: Ruben's ears with 0.25 ms of jitter (seeded)
    render what `earshot render` renders with the same parameters (as closely as without the
    jitter), and differ from the render without it."""
    fs = 48000
    x = drum_like(2 * fs, fs)

    def vst(on: bool) -> np.ndarray:
        p = ruben()
        p.parameters["random_seed"].raw_value = 5 / 65535
        if on:
            # 0.25 ms exactly: the middle of 0-0.5 ms (an attribute would be rounded).
            p.parameters["jitter_ms"].raw_value = 0.5
        return p.process(x, float(fs), buffer_size=512)

    y, plain = vst(True), vst(False)
    base = ["--preset", "ruben", "--param", "calibration=100", "--seed", "5"]
    z = cli_render(x, fs, base + ["--param", "jitter_amount=0.25"])
    z_plain = cli_render(x, fs, base)
    moved = level_db(y - plain) - level_db(plain)
    check(moved > -30.0, f"the jitter changes the render in the host: {moved:.1f} dB")
    null = level_db(y - z) - level_db(y)
    null_plain = level_db(plain - z_plain) - level_db(plain)
    check(null <= -120.0 and null_plain <= -120.0,
          f"CLI render nulls against the VST3 with the jitter: {null:.1f} dB "
          f"(without it: {null_plain:.1f} dB)")


def test_implant_setups_in_the_host() -> None:
    """Single-sided deafness with a Nucleus implant, bimodal (MED-EL + Ruben's loss on the
    other ear) and bilateral AB implants, set through the VST3's parameters: each renders
    what `earshot render` renders, and the ear without the implant is bit for bit the
    implant-off render."""
    fs = 48000
    x = drum_like(fs, fs)
    maps = {"nucleus": 1 / 3, "advanced_bionics": 2 / 3, "medel": 1.0}
    sides = {"both": 0.0, "left": 0.5, "right": 1.0}
    setups = [  # name, map, side, the other ear's thresholds (None: linked, Ruben's)
        ("single-sided deafness", "nucleus", "left", [0.0] * 9),
        ("bimodal", "medel", "right", None),
        ("bilateral", "advanced_bionics", "both", None),
    ]
    for name, m, side, other in setups:
        def vst(implant: bool) -> np.ndarray:
            p = ruben()
            if other is not None:
                p.link_ears = False
                set_thresholds(p, "right", other)
            if implant:
                p.implant = 100
                p.parameters["implant_map"].raw_value = maps[m]
                p.parameters["implanted_ear"].raw_value = sides[side]
            return p.process(x, float(fs), buffer_size=512)

        y, off = vst(True), vst(False)
        args = ["--preset", "ruben", "--param", "calibration=100", "--param", "ci_amount=1",
                "--param", f"ci_map={m}", "--param", f"ci_side={side}"]
        if other is not None:
            args += ["--right", ",".join(str(v) for v in other)]
        z = cli_render(x, fs, args)
        null = level_db(y - z) - level_db(y)
        check(null <= -120.0, f"{name}: the CLI render nulls against the VST3 ({null:.1f} dB)")
        if side != "both":
            acoustic = 1 if side == "left" else 0
            check(np.array_equal(y[acoustic], off[acoustic]),
                  f"{name}: the ear without the implant is the implant-off render")
            moved = level_db(y[1 - acoustic] - off[1 - acoustic]) - level_db(off[1 - acoustic])
            check(moved > -10.0, f"{name}: the implanted ear changed ({moved:.1f} dB)")


def main() -> int:
    test_parameters()
    test_latency_and_transparency()
    test_ruben_lowers_4k_tone()
    test_implant_in_the_host()
    test_cli_nulls_against_the_vst3()
    test_generated_audiogram_in_the_host()
    test_threshold_shift_in_the_host()
    test_jitter_in_the_host()
    test_implant_setups_in_the_host()
    return finish("pedalboard")


if __name__ == "__main__":
    sys.exit(main())
