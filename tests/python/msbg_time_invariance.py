"""How time-invariant pyclarity's MSBG itself is on the material tests/time_invariance.rs uses.

MSBG's smearing is an STFT (hop 64 at 44.1 kHz), so MSBG's output also depends a little on
where its frames fall. This renders each material with 0, 1, 37 and 129 samples of silence
in front, lines the renders up and prints the worst energy of the difference re the render
(the figure tests/time_invariance.rs prints for Earshot), at Earshot's test level
(calibration 100 dB SPL for a full-scale sine = RMS 1.0 at 103 dB SPL; MSBG: RMS 1.0 =
120 dB SPL).

    cargo run --release --example write_material -- target/material441 44100 4
    python tests/python/msbg_time_invariance.py target/material441
"""

from __future__ import annotations

import logging
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy.io import wavfile

logging.disable(logging.WARNING)

FS = 44100
HZ = [125, 250, 500, 1000, 2000, 3000, 4000, 6000, 8000]
# Earshot's Severe and Moderate presets.
AUDIOGRAMS = {"severe": [40, 40, 50, 60, 70, 75, 80, 80, 80], "moderate": [20, 20, 30, 40, 40, 45, 50, 50, 50]}
MATERIALS = ["drums", "speech", "bursts"]
DELAYS = [0, 1, 37, 129]
SCALE = 10 ** ((103.01 - 120.0) / 20)


def run(args: tuple) -> np.ndarray:
    folder, gram, name, d = args
    from clarity.evaluator.msbg.msbg import Ear
    from clarity.utils.audiogram import Audiogram

    _, x = wavfile.read(f"{folder}/{name}.wav")
    x = x[:, 0].astype(np.float64) * SCALE
    ear = Ear(equiv_0db_spl=100, ahr=20, sample_rate=FS)
    ear.set_audiogram(Audiogram(levels=np.array(AUDIOGRAMS[gram], float), frequencies=np.array(HZ)))
    y = np.asarray(ear.process(np.concatenate([np.zeros(d), x]))[0])
    return y[d : d + len(x)]


def main() -> int:
    folder = sys.argv[1]
    jobs = [(folder, g, n, d) for g in AUDIOGRAMS for n in MATERIALS for d in DELAYS]
    with ProcessPoolExecutor(2) as pool:
        out = dict(zip(jobs, pool.map(run, jobs)))
    for g in AUDIOGRAMS:
        for n in MATERIALS:
            ref = out[(folder, g, n, 0)]
            worst = -np.inf
            for d in DELAYS[1:]:
                y = out[(folder, g, n, d)]
                m = min(len(y), len(ref))
                worst = max(worst, 10 * np.log10(np.sum((y[:m] - ref[:m]) ** 2) / np.sum(ref[:m] ** 2)))
            print(f"MSBG {g} {n}: worst {worst:.1f} dB (delays {DELAYS[1:]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
