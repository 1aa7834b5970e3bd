"""Catching copied homework: how well a submission's numbers fit each variant of the class.

Every variant shares the scenario's structure, so each quantity is one row per variant. A
submission's fit to a variant is the share of its written numbers that agree with that
variant's true values to within one unit of the last decimal written. A submission that fits
another variant (another student's, or the original scenario's answer key) much better than its
own is flagged.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Callable, NamedTuple

import numpy as np

from bptt_trace.marking.answers import Answer, Entry, Submission
from bptt_trace.record.steps import Trace

MIN_FIT = 0.6  # a copy fits the other variant at least this well
MARGIN = 0.25  # … and this much better than its own


class Fit(NamedTuple):
    """A submission's fit to its own variant and to the best other one (`other` names it)."""

    own: float
    best: float
    other: str | None
    numbers: int

    @property
    def copied(self) -> bool:
        """Whether the answers fit another variant much better than their own."""
        return self.other is not None and self.best >= MIN_FIT and self.best >= self.own + MARGIN


class Class:
    """The true values of every variant, one row a variant per quantity, to fit submissions against."""

    def __init__(self, labels: list[str], traces: list[Trace]) -> None:
        self.labels = labels
        self.traces = traces
        self.rows: dict[tuple[str, int | None], np.ndarray | None] = {}

    def values(self, name: str, example: int | None) -> np.ndarray | None:
        """(variants × entries) true values of one quantity, or None when a variant lacks it."""
        key = (name, example)
        if key not in self.rows:
            try:
                rows = [np.asarray(t.value(name, example), dtype=float).ravel() for t in self.traces]
                self.rows[key] = np.stack(rows) if len({r.size for r in rows}) == 1 else None
            except (KeyError, ValueError, TypeError):
                self.rows[key] = None
        return self.rows[key]

    def fit(self, submission: Submission, own: str, resolve: Callable[[Answer], str | None]) -> Fit:
        """The submission's fit to its own variant (`own` is its label) and to the best other one."""
        hits, count = np.zeros(len(self.labels)), 0
        for a in submission.answers:
            name = resolve(a)
            written = _numbers(a.entries)
            if name is None or written is None:
                continue
            truth = self.values(name, a.example)
            if truth is None or truth.shape[1] != len(written):
                continue
            given = np.array([w if w is not None else np.nan for w, _ in written])
            tol = np.array([t for _, t in written])
            hits += np.sum(np.abs(truth - given) <= tol, axis=1)
            count += int(np.sum(~np.isnan(given)))
        if count == 0:
            return Fit(0.0, 0.0, None, 0)
        share = hits / count
        mine = self.labels.index(own)
        others = [i for i in range(len(self.labels)) if i != mine]
        best = max(others, key=lambda i: share[i]) if others else None
        return Fit(float(share[mine]), float(share[best]) if best is not None else 0.0,
                   self.labels[best] if best is not None else None, count)


def _numbers(entries) -> list[tuple[float | None, float]] | None:
    """Each written number with its tolerance (one unit of its last decimal), None for a blank; None
    when the answer is not numbers."""
    if isinstance(entries, str):
        return None
    if isinstance(entries, Entry):
        entries = [entries]
    out: list[tuple[float | None, float]] = []
    for e in entries:
        if isinstance(e, list):
            inner = _numbers(e)
            if inner is None:
                return None
            out += inner
        elif isinstance(e, Entry):
            out.append((None, 0.0) if e.blank else _number(e.text))
        else:
            return None
    return out


def _number(text: str) -> tuple[float | None, float]:
    try:
        if "/" in text:
            return float(Fraction(text)), 5e-4
        d = Decimal(text)
        exponent = d.as_tuple().exponent
        return float(d), float(Decimal(1).scaleb(min(int(exponent), 0))) if isinstance(exponent, int) else 5e-4
    except (ArithmeticError, ValueError, ZeroDivisionError, OverflowError):
        return None, 0.0
