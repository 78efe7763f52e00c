"""Earshot against pyclarity's MSBG on running sound (speech, drums, music-like material).

Steady tones (msbg_reference.py) cannot show how a model follows syllables and drum hits, nor
how it treats several voice harmonics inside one analysis frame. This script runs the same
material through both models, each with MSBG's calibration (RMS 1.0 = 120 dB SPL; Earshot's
calibration parameter is the level of a full-scale sine, so 117 dB SPL), and compares:

- long-term 1/3-octave band attenuation, 250 Hz - 6.3 kHz, each model relative to its own
  normal-hearing output (MSBG with an all-zero audiogram is itself 0.7-2.4 dB below its
  input; Earshot at severity 0 is transparent), bands within 20 dB of the loudest;
- STOI of Earshot's output with MSBG's output as the reference (envelope agreement);
- STOI(clean, model) for both models (intelligibility removed).

Usage (needs pyclarity, pystoi, scipy, numpy; espeak-ng for speech):
    EARSHOT_CLI=target/release/earshot python tests/python/msbg_running.py [--quick]

It prints one line per case and a summary. It is a measuring instrument for the loss
stage's work, not yet a CI test (MSBG runs at about 0.5x real time; the full grid takes
about 10 minutes on two cores).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy.io import wavfile
from scipy.signal import correlate, resample_poly

logging.disable(logging.WARNING)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from msbg_reference import AUDIOGRAM_HZ, AUDIOGRAMS, FS, MSBG_0DB_RMS_SPL  # noqa: E402

# A full-scale sine in MSBG's convention: RMS 1/sqrt(2) = 120 - 3.01 dB SPL.
EARSHOT_CALIBRATION = MSBG_0DB_RMS_SPL - 10 * np.log10(2.0)
LEVELS_DB_SPL = [55.0, 65.0, 80.0]
BANDS_HZ = [250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000, 6300]
SENTENCES = [
    ("en-us", "The birch canoe slid on the smooth planks."),
    ("en+f3", "Glue the sheet to the dark blue background."),
    ("en-us+m3", "It's easy to tell the depth of a well."),
    ("en+f2", "These days a chicken leg is a rare dish."),
]


def speech(tmp: Path) -> np.ndarray:
    parts = []
    for i, (voice, text) in enumerate(SENTENCES):
        wav = tmp / f"s{i}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), text], check=True)
        rate, x = wavfile.read(wav)
        x = x.astype(np.float64) / 32768.0
        parts.append(resample_poly(x, FS, rate))
        parts.append(np.zeros(int(0.2 * FS)))
    return np.concatenate(parts)


def drums(seconds: float = 4.0) -> np.ndarray:
    n = int(seconds * FS)
    t = np.arange(n) / FS
    rng = np.random.default_rng(1)
    out = np.zeros(n)
    beat = int(0.25 * FS)
    for k, start in enumerate(range(0, n, beat)):
        m = min(n - start, beat)
        tt = np.arange(m) / FS
        if k % 4 == 0:
            f = 45 + 75 * np.exp(-tt * 30)
            out[start : start + m] += 0.6 * np.sin(2 * np.pi * np.cumsum(f) / FS) * np.exp(-tt * 8)
        if k % 4 == 2:
            out[start : start + m] += (0.25 * rng.standard_normal(m) + 0.2 * np.sin(2 * np.pi * 190 * tt)) * np.exp(-tt * 18)
        out[start : start + m] += 0.08 * rng.standard_normal(m) * np.exp(-tt * 60)
    del t
    return out


def music(seconds: float = 4.0) -> np.ndarray:
    """Chords of harmonic tones with vibrato, changing every half second."""
    n = int(seconds * FS)
    t = np.arange(n) / FS
    out = np.zeros(n)
    chords = [[220, 277, 330], [196, 247, 294], [175, 220, 262], [247, 311, 370]]
    seg = int(0.5 * FS)
    for k, start in enumerate(range(0, n, seg)):
        m = min(n - start, seg)
        tt = t[start : start + m]
        env = np.minimum(1, np.arange(m) / (0.02 * FS)) * np.exp(-np.arange(m) / FS * 2)
        for f0 in chords[k % len(chords)]:
            vib = 1 + 0.005 * np.sin(2 * np.pi * 5 * tt)
            for h in range(1, 12):
                if h * f0 * 1.01 < 10000:
                    out[start : start + m] += env * np.sin(2 * np.pi * h * f0 * vib * tt) / h
    return out


def noise(seconds: float = 3.0) -> np.ndarray:
    """Steady white noise: every band holds many components, so MSBG's rectified-and-smoothed
    envelope is the Rayleigh mean (0.886 of the RMS envelope), not a sinusoid's."""
    return np.random.default_rng(2).standard_normal(int(seconds * FS))


def at_level(x: np.ndarray, db_spl: float) -> np.ndarray:
    rms = np.sqrt(np.mean(x**2))
    return x * 10 ** ((db_spl - MSBG_0DB_RMS_SPL) / 20) / rms


def msbg(levels: list[float], x: np.ndarray) -> np.ndarray:
    from clarity.evaluator.msbg.msbg import Ear
    from clarity.utils.audiogram import Audiogram

    ear = Ear(equiv_0db_spl=100, ahr=20, sample_rate=FS)
    ear.set_audiogram(Audiogram(levels=np.array(levels, dtype=float), frequencies=np.array(AUDIOGRAM_HZ)))
    return np.asarray(ear.process(x)[0])


def earshot(cli: str, levels: list[float], x: np.ndarray, tmp: Path, tag: str) -> np.ndarray:
    src, dst = tmp / f"{tag}_in.wav", tmp / f"{tag}_out.wav"
    wavfile.write(src, FS, x.astype(np.float32))
    hl = ",".join(str(v) for v in levels)
    subprocess.run(
        [cli, "render", str(src), str(dst), "--left", hl,
         "--param", "severity=1", "--param", f"calibration={EARSHOT_CALIBRATION}"],
        check=True, capture_output=True,
    )
    return wavfile.read(dst)[1].astype(np.float64).reshape(len(x), -1)[:, 0]


def band_levels(x: np.ndarray) -> np.ndarray:
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / FS)
    return np.array([10 * np.log10(spec[(f >= b * 2 ** (-1 / 6)) & (f < b * 2 ** (1 / 6))].sum() + 1e-30) for b in BANDS_HZ])


def align(ref: np.ndarray, y: np.ndarray) -> np.ndarray:
    """y shifted to line up with ref (MSBG's output carries its ear filters' delay)."""
    n = min(len(ref), len(y))
    c = correlate(y[:n], ref[:n], mode="full", method="fft")
    lag = int(np.argmax(np.abs(c))) - (n - 1)
    lag = max(-2000, min(2000, lag))
    if lag > 0:
        y = np.concatenate([y[lag:], np.zeros(lag)])
    elif lag < 0:
        y = np.concatenate([np.zeros(-lag), y[:lag]])
    return y[:n]


def stoi(ref: np.ndarray, y: np.ndarray) -> float:
    from pystoi import stoi as _stoi

    n = min(len(ref), len(y))
    return float(_stoi(ref[:n], align(ref[:n], y[:n]), FS, extended=False))


def case(args: tuple) -> dict:
    cli, name, levels, material, x, level, tmpdir = args
    tmp = Path(tmpdir)
    x = at_level(x, level)
    tag = f"{name}_{material}_{int(level)}"
    m_imp, m_nh = msbg(levels, x), msbg([0.0] * len(AUDIOGRAM_HZ), x)
    e_imp = earshot(cli, levels, x, tmp, tag)
    ref_bands = band_levels(m_nh)
    keep = ref_bands > ref_bands.max() - 20
    att_m = band_levels(m_imp) - ref_bands
    att_e = band_levels(e_imp) - band_levels(x)
    diff = np.where(keep, att_e - att_m, np.nan)
    row = {
        "audiogram": name, "material": material, "level": level,
        "band_diff_db": [None if np.isnan(v) else round(float(v), 2) for v in diff],
        "worst_band_db": float(np.nanmax(np.abs(diff))),
    }
    if material == "speech":
        row["stoi_msbg_ref"] = stoi(m_imp, e_imp)
        row["stoi_clean_msbg"] = stoi(x, m_imp)
        row["stoi_clean_earshot"] = stoi(x, e_imp)
    return row


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="speech at 65 dB SPL, five audiograms")
    ap.add_argument("--material", action="append", help="only this material (repeatable): speech, drums, music, noise")
    ap.add_argument("--json", help="write the rows here")
    args = ap.parse_args()
    cli = os.environ.get("EARSHOT_CLI", "target/release/earshot")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        everything = {"speech": speech(tmp), "drums": drums(), "music": music(), "noise": noise()}
        materials = dict(everything)
        levels = LEVELS_DB_SPL
        grams = AUDIOGRAMS
        if args.quick:
            materials = {"speech": materials["speech"]}
            levels = [65.0]
            grams = {k: AUDIOGRAMS[k] for k in ["flat50", "reverse_slope", "cookie_bite", "steep_sloping", "severe_80_top"]}
        if args.material:
            materials = {k: v for k, v in everything.items() if k in args.material}
        jobs = [(cli, n, g, m, x, l, tmpdir) for n, g in grams.items() for m, x in materials.items() for l in levels]
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            rows = list(pool.map(case, jobs))
    print("band: " + " ".join(f"{b:>5}" for b in BANDS_HZ))
    for r in rows:
        d = " ".join("    -" if v is None else f"{v:5.1f}" for v in r["band_diff_db"])
        s = ""
        if "stoi_msbg_ref" in r:
            s = f"  STOI vs MSBG {r['stoi_msbg_ref']:.3f}, clean->MSBG {r['stoi_clean_msbg']:.3f}, clean->Earshot {r['stoi_clean_earshot']:.3f}"
        print(f"{r['audiogram']:>15} {r['material']:>6} {r['level']:.0f} dB: {d}  worst {r['worst_band_db']:.1f}{s}")
    worst = max(r["worst_band_db"] for r in rows)
    within = sum(r["worst_band_db"] <= 1.5 for r in rows)
    print(f"band attenuation vs MSBG: worst {worst:.1f} dB; {within} of {len(rows)} cases within 1.5 dB")
    sp = [r for r in rows if "stoi_msbg_ref" in r]
    if sp:
        print(f"STOI(MSBG, Earshot): min {min(r['stoi_msbg_ref'] for r in sp):.3f}; "
              f"|STOI(clean, Earshot) - STOI(clean, MSBG)|: max {max(abs(r['stoi_clean_earshot'] - r['stoi_clean_msbg']) for r in sp):.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
