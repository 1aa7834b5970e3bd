"""A sheet's score: points per answer (the scenario's `check.points`), shares for partial credit.

Each answer naming a quantity of the scenario counts towards the maximum (an `unknown` name does
not). A correct answer earns its points, a carried-forward one `check.carried_forward` of them
(all, by default), an imprecise one `check.imprecise` (none, by default); a partly blank answer
earns the share of its entries written.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

import numpy as np

from bptt_trace.marking.checker import Report, Verdict
from bptt_trace.record.names import split
from bptt_trace.scenario.spec import CheckSpec


class Score(NamedTuple):
    """Points earned, the maximum, and the percent."""

    points: Fraction
    maximum: Fraction

    @property
    def percent(self) -> float:
        """The score in percent of the maximum (0 when nothing was counted)."""
        return float(100 * self.points / self.maximum) if self.maximum else 0.0


def points_for(name: str, spec: CheckSpec) -> Fraction:
    """The points of one quantity: by its canonical name, else by its stem, else the default."""
    table = dict(spec.per_quantity)
    stem = split(name)[0]
    for key in (name, stem, name.removesuffix("_new")):
        if key in table:
            return table[key]
    return spec.points


class Scorer:
    """Scores sheets under one scenario's settings, remembering each quantity's points."""

    def __init__(self, spec: CheckSpec) -> None:
        self.spec = spec
        self.points: dict[str, Fraction] = {}
        self.share = {"correct": Fraction(1), "carried_forward": spec.carried_forward, "imprecise": spec.imprecise}
        self._earned: dict[tuple, Fraction] = {}  # (verdict, name) -> points earned by a fully written answer

    def of(self, name: str) -> Fraction:
        """The points of one quantity."""
        if name not in self.points:
            self.points[name] = points_for(name, self.spec)
        return self.points[name]

    def earned(self, v: Verdict) -> Fraction:
        """The share of its points one answer earns."""
        if not v.blank:  # the common case: a share of the quantity's points, the same on every sheet
            key = (v.verdict, v.name)
            if key not in self._earned:
                self._earned[key] = self._earned_points(v)
            return self._earned[key]
        return self._earned_points(v)

    def _earned_points(self, v: Verdict) -> Fraction:
        credit = self.share.get(v.verdict, 0)
        if credit and v.blank:
            size = int(np.size(v.given)) or 1
            credit = credit * Fraction(size - len(v.blank), size)
        return credit * self.of(v.name) if credit else Fraction(0)

    def score(self, report: Report) -> Score:
        """The sheet's score and maximum."""
        counted = [v for v in report.verdicts if v.name is not None]
        return Score(exact_sum([self.earned(v) for v in counted]), exact_sum([self.of(v.name) for v in counted]))


def exact_sum(values: list[Fraction]) -> Fraction:
    """The exact sum of fractions; quickly when they are whole numbers, as points usually are."""
    if all(v.denominator == 1 for v in values):
        return Fraction(sum(v.numerator for v in values))
    return sum(values, Fraction(0))


def score(report: Report, spec: CheckSpec) -> Score:
    """The sheet's score and maximum (one sheet; a class uses one Scorer)."""
    return Scorer(spec).score(report)


def plain(x: Fraction) -> int | float:
    """A score as a JSON or CSV number: `3`, `2.5`."""
    return int(x) if x.denominator == 1 else round(float(x), 4)
