"""How much latency a causal, time-domain copy of MSBG's gammatone bank would need.

MSBG sums its gammatone channels after advancing each by its own delay (up to 485 samples,
11 ms, at 44.1 kHz), which no causal filter can do. A causal bank can only delay the other
channels to line up with a common delay D; channels whose own delay exceeds D stay
misaligned. This prints the magnitude of the channel sum (with MSBG's recombination gain)
for several D, over 100 Hz / 250 Hz / 500 Hz / 1 kHz up to 10 kHz: anything below about
-3 dB is a notch MSBG does not have.

Usage: python tests/python/msbg_bank_alignment.py   (needs pyclarity, scipy, numpy)
"""

from __future__ import annotations

import json
from pathlib import Path

import clarity.evaluator.msbg as msbg_pkg
import numpy as np
from scipy import signal

FS = 44100
DELAYS = [0, 64, 128, 200, 256, 400, 500]


def main() -> None:
    folder = Path(msbg_pkg.__file__).parent / "msbg_hparams"
    w = np.linspace(20, 16000, 3000)
    for f in sorted(folder.glob("GT4FBank_*.json")):
        d = json.loads(f.read_text())
        nums, dens = np.array(d["GTn_nums"]), np.array(d["GTn_denoms"])
        own = np.array(d["GTnDelays"]).ravel()
        start = d["Start2PoleHP"]
        chans = []
        for c in range(dens.shape[0]):
            _, h = signal.freqz(nums[c], dens[c], worN=w, fs=FS)
            h = h**4
            if c >= start - 1:
                k = c - start + 1
                _, hp = signal.freqz(np.array(d["HP_nums"])[k], np.array(d["HP_denoms"])[k], worN=w, fs=FS)
                h = h * hp
            chans.append(h)
        gain = 10 ** (-d["Recombination_dB"] / 20)
        print(f.stem)
        for D in DELAYS:
            s = sum(h * np.exp(-2j * np.pi * w / FS * max(D - own[c], 0)) for c, h in enumerate(chans))
            db = 20 * np.log10(np.abs(s) * gain)
            cols = []
            for lo in [100, 250, 500, 1000]:
                sel = (w > lo) & (w < 10000)
                cols.append(f">{lo} Hz {db[sel].min():6.1f}..{db[sel].max():4.1f}")
            print(f"  D = {D:3d} samples ({1000 * D / FS:4.1f} ms): " + "  ".join(cols))
        print(f"  MSBG's own advance (non-causal): up to {own.max()} samples ({1000 * own.max() / FS:.1f} ms)")


if __name__ == "__main__":
    main()
