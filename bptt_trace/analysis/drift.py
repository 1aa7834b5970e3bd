"""How far a hand-rounded calculation drifted from full precision, on the final results."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from bptt_trace.record.steps import Trace


class Drift(NamedTuple):
    """One final result in both calculations, the largest entrywise difference and where it is."""

    name: str
    example: int | None
    hand: Any
    full: Any
    max_abs: float
    at: tuple[int, ...]


def drift(hand: Trace, full: Trace, examples: list[int]) -> list[Drift]:
    """Outputs and losses per example, then total loss, gradients and updated parameters."""
    sc = hand.scenario
    names: list[tuple[str, int | None]] = []
    for k in examples:
        names += [(sc.prediction(sc.examples[k - 1]), k), ("loss", k)]
    params = sc.parameter_names
    names += [("loss", None)] + [(f"dL/d{p}", None) for p in params] + [(f"{p}_new", None) for p in params]
    rows = []
    for name, k in names:
        h, f = hand.value(name, k), full.value(name, k)
        diffs = np.abs(np.vectorize(float, otypes=[float])(np.asarray(h, dtype=object)) - np.asarray(f, dtype=float))
        at = tuple(int(i) for i in np.unravel_index(int(np.argmax(diffs)), diffs.shape)) if diffs.ndim else ()
        rows.append(Drift(name, k, h, f, float(np.max(diffs)), at))
    return rows
