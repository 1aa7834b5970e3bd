"""`run --format json` on T = 1000, hidden 64, input 32: the engine and the JSON writer together,
against a plain numpy BPTT that writes the same document, measured in the same run.

Baseline: `_common.numpy_bptt` on parameter and input arrays built before the clock starts,
then `json.dumps` (the C encoder, compact) of the same document, every array turned into a
list with `.tolist()` and the text written to the null device. That is the floor: the same
arithmetic with nothing recorded, and the same text made by the fastest encoder the standard
library has, from arrays as a numpy program holds them. (The arrays it encodes are the
engine's, taken before the clock starts, so both write identical text; the numpy BPTT computes
the same numbers but keeps only what it needs.)

Targets: at most 5x the baseline, the two timed alternately (best of several each); peak
memory while writing at most 2x the size of the text written.
"""

from __future__ import annotations

import json
import os
import sys
import tracemalloc

from _common import numpy_bptt, paired
from engine_speed import STEPS, float_arrays, scenario

import numpy as np

from bptt_trace.networks.run import run
from bptt_trace.render.json_out import document, write_json


def engine_json(sc, sink) -> None:
    """What `run --format json` does after loading: trace, then write the JSON."""
    trace = run(sc)
    write_json(sink, trace, [1])


def arrays_of(doc: dict) -> dict:
    """The document with each list of numbers back as a numpy array, as a numpy program would hold it."""
    if isinstance(doc, dict):
        return {k: arrays_of(v) for k, v in doc.items()}
    if isinstance(doc, list) and doc and isinstance(doc[0], (list, float)):
        return np.array(doc)
    if isinstance(doc, list):
        return [arrays_of(v) for v in doc]
    return doc


def plain(P: dict, xs: np.ndarray, doc: dict, sink) -> None:
    """The baseline: numpy BPTT, then the same document through the C encoder."""
    numpy_bptt(P, xs, 1.0, {k: np.zeros_like(v) for k, v in P.items()})
    sink.write(json.dumps(listed(doc), separators=(",", ":"), allow_nan=False) + "\n")


def listed(doc):
    if isinstance(doc, dict):
        return {k: listed(v) for k, v in doc.items()}
    if isinstance(doc, np.ndarray):
        return doc.tolist()
    if isinstance(doc, list):
        return [listed(v) for v in doc]
    return doc


def peak_while_writing(sc) -> tuple[int, int]:
    """The peak memory of tracing and writing, and the length of the text written."""
    class Counting:
        size = 0

        def write(self, text: str) -> None:
            Counting.size += len(text)
    tracemalloc.start()
    engine_json(sc, Counting())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, Counting.size


def main() -> int:
    sc = scenario(STEPS)
    P, xs = float_arrays(sc)
    doc = arrays_of(document(run(sc), [1]))
    with open(os.devnull, "w") as sink:
        t_engine, t_plain = paired(lambda: engine_json(sc, sink), lambda: plain(P, xs, doc, sink), 5)
    ratio = t_engine / t_plain
    peak, size = peak_while_writing(sc)
    print(f"T={STEPS}, hidden 64: run + JSON {t_engine * 1000:.0f} ms, numpy + json.dumps {t_plain * 1000:.0f} ms, "
          f"ratio {ratio:.2f}x (target <= 5x)")
    print(f"text {size / 2**20:.0f} MiB, peak memory {peak / 2**20:.0f} MiB, {peak / size:.2f}x the text (target <= 2x)")
    return 0 if ratio <= 5 and peak <= 2 * size else 1


if __name__ == "__main__":
    sys.exit(main())
