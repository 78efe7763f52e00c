"""Speed of the VST3 as a host runs it: pedalboard, 128-sample buffers, on the same program
material the criterion benches use, so the two figures can be compared (they must agree
within 20 %).

    cargo run --release --example write_material -- target/material 48000 30
    python tests/python/host_speed.py target/bundled/Earshot.vst3 target/material

Prints × real time (audio seconds per wall-clock second, one core) at severity 100 % with
Ruben's audiogram (as `engine_severe_loss` in benches/engine.rs), the same with the threshold
shift on (`engine_severe_loss_tts`), with the jitter on as well
(`engine_severe_loss_tts_jitter`), at severity 0, and with the
whole chain on (as `engine_whole_chain`: a 22-channel implant with the acoustic crossover at
500 Hz, a tonal ringing with masking, the felt thump with octave-down, over the severe loss).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pedalboard
from scipy.io import wavfile

FREQS = ["125", "250", "500", "1k", "2k", "3k", "4k", "6k", "8k"]
RUBEN = [55, 60, 65, 70, 70, 75, 80, 80, 80]


def main() -> int:
    vst, folder = sys.argv[1], Path(sys.argv[2])
    whole_chain = {
        "implant": 100,
        "channels": 22,
        "acoustic_crossover": "499 Hz",  # pedalboard lists the values it accepts; 500 is not one
        "tinnitus": 100,
        "tinnitus_kind": "Tone",
        "masking": 50,
        "body": 100,
        "body_octave_down": 100,
    }
    for label, severity, extra in [
        ("severity 100 %", 100, {}),
        # The threshold shift on (as `engine_severe_loss_tts`: an hour of exposure per 10 s).
        ("severity 100 % + threshold shift", 100, {"tts_amount_x": 1.0, "tts_time_scale_x": 360.0}),
        # And the jitter on top (as `engine_severe_loss_tts_jitter`: 0.25 ms).
        ("severity 100 % + threshold shift + jitter", 100,
         {"tts_amount_x": 1.0, "tts_time_scale_x": 360.0, "jitter_ms": 0.25}),
        ("severity 0 %", 0, {}),
        ("whole chain", 100, whole_chain),
    ]:
        for name in ["drums", "speech", "noise"]:
            rate, x = wavfile.read(folder / f"{name}.wav")
            x = np.ascontiguousarray(x.T.astype(np.float32))
            p = pedalboard.load_plugin(vst)
            p.severity = severity
            for f, v in zip(FREQS, RUBEN):
                setattr(p, f"left_{f}_db_hl", v)
            for k, v in extra.items():
                setattr(p, k, v)
            best = 0.0
            for _ in range(2):  # the better of two passes: the first also pages the tables in
                t = time.perf_counter()
                p.process(x, float(rate), buffer_size=128, reset=False)
                best = max(best, x.shape[1] / rate / (time.perf_counter() - t))
            print(
                f"{label}: {name}: {best:.0f}x real time "
                f"(VST3 in pedalboard, {rate} Hz stereo, 128-sample buffers, {x.shape[1] / rate:.0f} s)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
