"""Sums over time steps as a worksheet shows them, at a cost that does not grow with what is not shown.

A gradient summed over 10,000 time steps shows its first few running totals and the last; these
are worked out here without keeping the other 9,990, and the test of whether a sum's operands are
time-step contributions (`dL/dW_hh[7]`) reads all their names in one regular-expression pass.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from bptt_trace.record.names import split
from bptt_trace.record.steps import Step

# `stem[digits]` names joined by NUL: a sure yes for `by_time_step` (anything else asks `split` name by name)
_TIME_NAMES = re.compile(r"(?:[^\[\]\x00\n]+\[[0-9]+\]\x00)*")


def by_time_step(names: Sequence[str]) -> bool:
    """Whether every name is a time step's (`dL/dW_hh[7]`: a stem and a numeric index), as `split` reads them."""
    joined = "\x00".join(names) + "\x00" if names else ""
    if joined.count("\x00") == len(names) and _TIME_NAMES.fullmatch(joined) is not None:
        return True
    return all((split(n)[1] or "").isdigit() for n in names)


def running_totals(step: Step, wanted: Sequence[int]) -> dict[int, Any]:
    """The running totals of a sum step numbered `wanted` (from 0), adding its operands in their order.

    The same additions as `steps.partial_sums`, so the same values; only the asked ones are kept (a
    hand-rounded step held as integers makes only those Decimals)."""
    lazy = getattr(step, "partial_sums", None)
    if lazy is not None:
        totals = lazy()
        if len(wanted) > _FEW:
            from bptt_trace.record.fixed import RunningTotals
            if type(totals) is RunningTotals:
                return _walked(totals, wanted)
        return {k: totals[k] for k in wanted}
    keep = set(wanted)
    last = max(keep, default=-1)
    out: dict[int, Any] = {}
    acc = None
    for k, v in enumerate(step.inputs):
        if k > last:
            break
        acc = v if acc is None else acc + v
        if k in keep:
            out[k] = acc
    return out


def running_digits(step: Step, wanted: Sequence[int]) -> dict[int, tuple[Any, Any]] | None:
    """`running_totals` as digits (`Fixed.digits`: mantissas and exponent) when a hand step holds its parts
    so, found by the same routes; else None."""
    lazy = getattr(step, "partial_sums", None)
    if lazy is None or not wanted:
        return None
    from bptt_trace.record.fixed import RunningTotals
    totals = lazy()
    if type(totals) is not RunningTotals:
        return None
    out = {k: totals.digits(k) for k in wanted} if len(wanted) <= _FEW else _walked(totals, wanted, digits=True)
    return None if any(d is None for d in out.values()) else out


_FEW = 16  # running totals asked of a hand step beyond this are added up in one walk (`_walked`)


def _walked(totals: Any, wanted: Sequence[int], digits: bool = False) -> dict[int, Any]:
    """`{k: totals[k] for k in wanted}` of a `fixed.RunningTotals` (`totals.digits(k)` with `digits`), every
    middle total found by one walk from the first part up (the route `RunningTotals` takes from the front, so
    the same exact sums): linear in the number of parts, where each total found on its own costs up to half of them."""
    from bptt_trace.record.fixed import to_decimals
    keep, last, parts = set(wanted), len(totals) - 1, totals.parts
    out: dict[int, Any] = {}
    acc = None
    for k in range(max(keep) + 1):
        acc = parts[0].m if k == 0 else acc + parts[k].m  # left to right, as Decimal: the same signs of zero
        if k in keep:
            if k in (0, last):
                out[k] = totals.digits(k) if digits else totals[k]
            else:
                out[k] = (acc, -totals.places) if digits else to_decimals(acc, totals.places)
    return {k: out[k] for k in wanted}
