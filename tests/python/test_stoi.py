"""Intelligibility through the implant stage and through the temporal distortion, measured
with STOI (Taal et al. 2011, `pystoi`).

Speech is synthesised with Debian's espeak-ng (five Harvard sentences, IEEE 1969), set to
65 dB SPL (calibration: a full-scale sine is 100 dB SPL) and rendered by the `earshot` CLI with
the implant only (implant 1, severity 0, all channels stimulated, noise carriers, no spread),
as in the vocoder studies (Shannon et al. 1995; Friesen et al. 2001; Rosen et al. 1999).

Checks: STOI rises with channel count (4 < 8 < 16) and falls with insertion shift
(0 < 3 < 6 mm at 8 channels); with normal hearing and the temporal distortion alone (jitter
below 1.2 kHz, 500 Hz bandwidth, Pichora-Fuller et al. 2007), STOI falls strictly with the
jitter's amount (0, 0.1, 0.25, 0.5 ms RMS) in quiet and with babble-like noise at 0 dB SNR
(the condition of the jitter studies: speech in babble). Prints the tables.

Needs EARSHOT_CLI (the built `earshot` binary) and espeak-ng on PATH.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy.io.wavfile as wavfile
from pystoi import stoi

CLI = os.environ["EARSHOT_CLI"]
SENTENCES = (
    "The birch canoe slid on the smooth planks. "
    "Glue the sheet to the dark blue background. "
    "It is easy to tell the depth of a well. "
    "These days a chicken leg is a rare dish. "
    "Rice is often served in round bowls."
)
CAL_DB_SPL = 100.0
SPEECH_DB_SPL = 65.0


def speech(path: str) -> tuple[int, np.ndarray]:
    raw = path + ".espeak.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", raw, SENTENCES], check=True)
    fs, x = wavfile.read(raw)
    x = x.astype(np.float64) / 32768.0
    # RMS of a sine at SPEECH_DB_SPL under the calibration.
    target = 10 ** ((SPEECH_DB_SPL - CAL_DB_SPL) / 20) / np.sqrt(2)
    x *= target / np.sqrt(np.mean(x**2))
    wavfile.write(path, fs, x.astype(np.float32))
    return fs, x


def render_plain(src: str, dst: str, args: list[str]) -> np.ndarray:
    subprocess.run([CLI, "render", src, dst, "--param", f"calibration={CAL_DB_SPL}",
                    "--param", "severity=0"] + args, check=True)
    _, y = wavfile.read(dst)
    return y.astype(np.float64)


def babble_like(n: int, fs: int, seed: int) -> np.ndarray:
    """Speech-shaped noise with a syllable-rate envelope: white noise through a −6 dB/octave
    slope above 500 Hz, amplitude-modulated at 4 Hz (a stand-in for multi-talker babble)."""
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / fs)
    spec /= np.maximum(f, 500.0) / 500.0
    x = np.fft.irfft(spec, n)
    x *= 1.0 + 0.5 * np.sin(2 * np.pi * 4.0 * np.arange(n) / fs)
    return x


def jitter_table(tmp: str, fs: int, x: np.ndarray) -> tuple[list, bool]:
    """STOI against the amount of jitter, in quiet and in noise at 0 dB SNR (the clean speech
    as STOI's reference; the noisy input rendered)."""
    table, ok = [], True
    noise = babble_like(len(x), fs, 3)
    noise *= np.sqrt(np.mean(x**2) / np.mean(noise**2))
    for label, inp in (("quiet", x), ("0 dB SNR", x + noise)):
        src, dst = os.path.join(tmp, f"j_{len(table)}.wav"), os.path.join(tmp, "j_out.wav")
        wavfile.write(src, fs, inp.astype(np.float32))
        scores = []
        for ms in [0.0, 0.1, 0.25, 0.5]:
            y = render_plain(src, dst, ["--param", f"jitter_amount={ms}"])
            s = stoi(x, y, fs)
            scores.append(s)
            table.append((f"jitter {ms:.2f} ms, {label}", s))
        if not all(a > b for a, b in zip(scores, scores[1:])):
            print(f"FAIL: STOI must fall strictly with the jitter ({label}): {scores}")
            ok = False
    return table, ok


def render(src: str, dst: str, args: list[str]) -> np.ndarray:
    base = [CLI, "render", src, dst] + [
        a for kv in [("severity", 0), ("calibration", CAL_DB_SPL), ("ci_amount", 1),
                     ("ci_maxima", 0), ("ci_spread", 0), ("ci_carrier", "noise")]
        for a in ("--param", f"{kv[0]}={kv[1]}")]
    subprocess.run(base + args, check=True)
    _, y = wavfile.read(dst)
    return y.astype(np.float64)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "speech.wav"), os.path.join(tmp, "out.wav")
        fs, x = speech(src)
        table = []
        by_channels = {}
        for n in [4, 8, 16]:
            s = stoi(x, render(src, dst, ["--param", f"ci_channels={n}", "--param", "ci_shift=0"]), fs)
            by_channels[n] = s
            table.append((f"{n} channels, shift 0 mm", s))
        by_shift = {}
        for mm in [0, 3, 6]:
            s = stoi(x, render(src, dst, ["--param", "ci_channels=8", "--param", f"ci_shift={mm}"]), fs)
            by_shift[mm] = s
            table.append((f"8 channels, shift {mm} mm", s))
        # The manufacturers' default maps (each with its own electrodes and maxima).
        by_map = {}
        for m in ["nucleus", "advanced_bionics", "medel"]:
            s = stoi(x, render(src, dst, ["--param", f"ci_map={m}", "--param", "ci_shift=0"]), fs)
            by_map[m] = s
            table.append((f"map {m}, shift 0 mm", s))
        jitter, jitter_ok = jitter_table(tmp, fs, x)
    print("STOI, implant only (noise carriers, all channels but for a map's own maxima, "
          "65 dB SPL speech):")
    for name, s in table:
        print(f"  {name:<24} {s:.3f}")
    print("STOI, normal hearing with the temporal distortion only (edge 1.2 kHz, 500 Hz bandwidth):")
    for name, s in jitter:
        print(f"  {name:<28} {s:.3f}")
    ok = jitter_ok
    if not by_channels[4] < by_channels[8] < by_channels[16]:
        print("FAIL: STOI must rise with channels (4 < 8 < 16)")
        ok = False
    if not by_shift[0] > by_shift[3] > by_shift[6]:
        print("FAIL: STOI must fall with shift (0 > 3 > 6 mm)")
        ok = False
    for m, s in by_map.items():
        # A 12–22 electrode map carries more of the speech than 4 generic channels do.
        if not s > by_channels[4]:
            print(f"FAIL: map {m} STOI {s:.3f} not above 4 channels' {by_channels[4]:.3f}")
            ok = False
    print("STOI: all checks passed" if ok else "STOI: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
