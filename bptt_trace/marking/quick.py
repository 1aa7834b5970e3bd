"""What repeats from sheet to sheet in a class, worked out once: bounded caches and the quick check.

A class's sheets name the same quantities and write many of the same numbers, so the checker
keeps each quantity's expected values (as the quick check wants them) and each text's unit.
The caches stop growing at MAX_CACHED entries, whatever names and numbers a class writes.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from bptt_trace.numbers.tolerance import FLOOR_REL

MAX_CACHED = 100_000


def cached(table: dict, key: Any, make: Callable[[], Any]) -> Any:
    """`table[key]`, made (and kept while the table is under MAX_CACHED entries) when missing."""
    try:
        return table[key]
    except KeyError:
        value = make()
        if len(table) < MAX_CACHED:
            table[key] = value
        return value


def flat_floats(value: Any, shape: tuple | None = None) -> list[float] | None:
    """A value's entries as Python floats in row order, or None when they are not numbers (or not of `shape`)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None
    return array.ravel().tolist() if shape is None or array.shape == shape else None


def within(given: list[float], target: list[float], units: list[float]) -> bool:
    """Every entry within its unit of the target (plus the relative floor): `_surely_correct` entry by entry.

    The same IEEE float64 arithmetic as the vectorised check; a NaN anywhere fails the comparison
    as it does there.
    """
    if len(given) != len(target):
        return False
    for g, t, u in zip(given, target, units):
        a, b = abs(g), abs(t)
        if not abs(g - t) <= u + FLOOR_REL * (a if a > b else b):
            return False
    return True


def surely_correct(units: Any, given: Any, target: Any) -> bool:
    """The quick, vectorised check that every entry is within its unit of the target."""
    if units is None:
        return False
    try:
        g, t = np.asarray(given, dtype=float), np.asarray(target, dtype=float)
    except (TypeError, ValueError):
        return False
    if g.shape != t.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.all(np.abs(g - t) <= units + FLOOR_REL * np.maximum(np.abs(g), np.abs(t))))


class Pinned:
    """A memo by object identity, for objects a class's sheets share (answers, entries): each is kept
    alive with its entry, so its id stays its own. Stops growing at `limit` entries."""

    def __init__(self, limit: int = 20_000) -> None:
        self.table: dict[int, tuple[Any, Any]] = {}
        self.limit = limit

    def get(self, obj: Any) -> Any:
        """What was kept for `obj`, or None."""
        hit = self.table.get(id(obj))
        return hit[1] if hit is not None and hit[0] is obj else None

    def put(self, obj: Any, value: Any) -> None:
        """Keep `value` for `obj` (while there is room)."""
        if len(self.table) < self.limit:
            self.table[id(obj)] = (obj, value)
