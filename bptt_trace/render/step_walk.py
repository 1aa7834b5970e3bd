"""One pass over a trace for a worksheet: the global steps, and each example's steps as shown or elided.

A long sequence shows a few time steps in full; the rest are one line each run. Walking the
trace once, with only cheap tests per step, keeps what the worksheet does per hidden step to
nothing, so laying out the shown steps costs the same at T = 10 and T = 10,000. It also finds
what the shown intermediates feed (the names a shown number reveals) for the shown ones only.
"""

from __future__ import annotations

from itertools import compress
from operator import itemgetter, not_
from typing import Callable, NamedTuple

from bptt_trace.record.names import is_reported
from bptt_trace.record.steps import Step, Trace
from bptt_trace.render.cells import all_reported
from bptt_trace.render.step_choice import hidden_run

# What stands for a step of an example: None, shown; (a, b), hidden and the first of the hidden run a to b
# (its elision line); False, hidden, kept only because its phase differs from the step before it.
Mark = tuple[int, int] | bool | None


class Plan(NamedTuple):
    """How one example is shown: its time steps in full (None: all), the phases chosen by step, its length."""

    shown: frozenset[int] | None
    phases: tuple[str, ...]
    steps: int


class Walk(NamedTuple):
    """The global steps (parameters, totals, the update) and each chosen example's marked steps, in order."""

    globals: list[Step]
    examples: dict[int, list[tuple[Step, Mark]]]


def walk(trace: Trace, plans: dict[int, Plan], part: Callable[[Step], str] | None = None) -> Walk:
    """Each step of the trace sorted into the global ones and the chosen examples' (shown or elided);
    `part` tells apart runs of hidden steps in different parts of the network (None: one part)."""
    glob: list[Step] = []
    walks = {k: _Example(plan) for k, plan in plans.items()}
    here, k_here = None, object()
    for s in trace.steps:
        k = s[2]
        if k is None:
            glob.append(s)
            continue
        if k != k_here:
            here, k_here = walks.get(k), k
        if here is None:
            continue
        t = s[3]
        if part is None and t is not None and here.lo <= t <= here.hi and s[1] == here.last == here.run_phase:
            continue  # the common case, kept to a few tests: inside the run already told for this phase
        here.take(s, part)
    return Walk(glob, {k: w.out for k, w in walks.items()})


class _Example:
    """One example's walk: its marked steps so far, and the hidden run each part of a phase is in."""

    def __init__(self, plan: Plan) -> None:
        self.shown, self.phases, self.n = plan
        self.out: list[tuple[Step, Mark]] = []
        self.told: dict[tuple[str, str], tuple[int, int]] = {}
        self.last: str | None = None  # the phase of the step before
        self.lo, self.hi, self.run_phase = 0, -1, ""  # the run of the last hidden step, and its phase

    def take(self, s: Step, part: Callable[[Step], str] | None) -> None:
        t, phase, shown = s[3], s[1], self.shown
        if shown is None or t is None or t in shown or not 0 < t <= self.n or phase not in self.phases:
            self.out.append((s, None))
        else:
            key = (phase, part(s) if part is not None else "")
            run = self.told.get(key)
            if run is None or not run[0] <= t <= run[1]:
                self.told[key] = run = hidden_run(t, shown, self.n)
                self.out.append((s, run))
            elif phase != self.last:
                self.out.append((s, False))
            (self.lo, self.hi), self.run_phase = run, phase
        self.last = phase


def shown_feeds(trace: Trace, walk: Walk) -> dict[tuple[str, int | None], tuple[str, ...]]:
    """`cells.feeds` for the intermediates the shown steps name: the reported quantities each is an operand of.

    The consumers are looked for in every step of the example, shown or not, so the result equals
    `cells.feeds` on every key a shown step can ask for."""
    wanted: set[str] = set()
    for s in _shown(walk):
        if not is_reported(s[4]):
            wanted.add(s[4])
        if not all_reported(s[5]):
            wanted.update(n for n in s[5] if not is_reported(n))
    feeds: dict[tuple[str, int | None], list[str]] = {}
    if wanted:
        # the steps using a wanted name, picked at C speed (no Python code runs for the others)
        using = compress(trace.steps, map(not_, map(wanted.isdisjoint, map(itemgetter(5), trace.steps))))
        for s in using:
            for o in s[5]:
                if o in wanted:
                    feeds.setdefault((o, s[2]), []).append(s[4])
    return {k: tuple(v) for k, v in feeds.items()}


def _shown(walk: Walk):
    yield from walk.globals
    for events in walk.examples.values():
        yield from (s for s, mark in events if mark is None)
