"""How far a hand-rounded calculation drifted from full precision, on the final results."""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple

import numpy as np

from bptt_trace.record.steps import Trace
from bptt_trace.scenario.spec import Scenario

Key = tuple[str, "int | None"]  # a quantity's name and its example (None: over all examples)


class Drift(NamedTuple):
    """One final result in both calculations, the largest entrywise difference and where it is."""

    name: str
    example: int | None
    hand: Any
    full: Any
    max_abs: float
    at: tuple[int, ...]


def drift_keys(sc: Scenario, examples: list[int]) -> list[Key]:
    """What the drift compares: outputs and losses per example, then total loss, gradients and updated parameters."""
    keys: list[Key] = []
    for k in examples:
        keys += [(sc.prediction(sc.examples[k - 1]), k), ("loss", k)]
    params = sc.parameter_names
    return keys + [("loss", None)] + [(f"dL/d{p}", None) for p in params] + [(f"{p}_new", None) for p in params]


def final_values(trace: Trace, keys: list[Key]) -> dict[Key, Any]:
    """The values of `keys` in a trace, as recorded: final results, found by one scan back from the end
    (no index of every step); all the drift needs of a full-precision trace."""
    found = trace.latest(keys)
    return {key: (found[key] if key in found else trace.step(*key)).value for key in keys}


def drift(hand: Trace, full: Trace | Mapping[Key, Any], examples: list[int]) -> list[Drift]:
    """Each of `drift_keys` in the hand trace against the full-precision trace (or its `final_values`)."""
    rows, keys = [], drift_keys(hand.scenario, examples)
    hands = final_values(hand, keys)
    fulls = full if isinstance(full, Mapping) else final_values(full, keys)
    for key in keys:
        h, f = hands[key], fulls[key]
        diffs = np.abs(np.vectorize(float, otypes=[float])(np.asarray(h, dtype=object)) - np.asarray(f, dtype=float))
        at = tuple(int(i) for i in np.unravel_index(int(np.argmax(diffs)), diffs.shape)) if diffs.ndim else ()
        rows.append(Drift(key[0], key[1], h, f, float(np.max(diffs)), at))
    return rows
