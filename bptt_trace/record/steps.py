"""The recorded trace: a flat list of Steps, the single source of truth for renderers and the checker."""

from __future__ import annotations

from operator import indexOf, itemgetter
from typing import Any, Iterator, NamedTuple

from bptt_trace.scenario.spec import Scenario

# Every op the recorder emits; each renderer handles each one.
OPS = ("given", "matvec", "matvec_t", "add", "subtract", "sum", "mean", "activation", "softmax",
       "derivative", "hadamard", "outer", "loss", "loss_gradient", "update", "norm", "clip_factor", "scale", "clamp",
       "zero", "complement", "concat", "slice")


class Step(NamedTuple):
    """One recorded operation: what was done, to which named operands, and its result.

    `example` counts from 1 (None for parameters, totals and updates); `t` counts from 1.
    `terms` holds an op's written-out parts (e.g. each row's products of a matvec).
    """

    op: str
    phase: str
    example: int | None
    t: int | None
    name: str
    operands: tuple[str, ...]
    inputs: tuple[Any, ...]
    value: Any
    terms: Any = None
    detail: str = ""


def row_products(step: Step) -> Any:
    """The products `M[i, j]·v[j]` behind each row sum of a matvec (or `M[j, i]·v[j]` for Mᵀ·v).

    Derived from the step's recorded operands rather than stored: for long sequences they
    would be most of the trace's memory.
    """
    m, v = step.inputs
    return (m if step.op == "matvec" else m.T) * v[None, :]


def partial_sums(step: Step) -> list[Any]:
    """The running totals of a sum step, adding its operands in their order; the last is its value.

    For a gradient summed over time these are the sums a student carries from t = T down to 1.
    """
    lazy = getattr(step, "partial_sums", None)  # a hand-rounded step held as integers makes only those read
    if lazy is not None:
        return lazy()
    totals, acc = [], None
    for v in step.inputs:
        acc = v if acc is None else acc + v
        totals.append(acc)
    return totals


def summed_examples(step: Step) -> list[int] | None:
    """The examples (from 1) a sum or mean over examples adds up, one per operand; None for other steps."""
    if step.op in ("sum", "mean") and step.detail.startswith("examples "):
        return [int(k) for k in step.detail.split()[1].split(",")]
    return None


_NAME_AND_EXAMPLE = itemgetter(4, 2)  # a step's key in the index: (name, example), built in C
_RECENT = 64  # how many of the latest steps a lookup scans before it brings the index up to date
_NAME = itemgetter(4)
_FEW = 16  # up to this many keys, `latest` searches for each in C; more, and one Python scan back finds them all


class Trace:
    """The steps of one run, in computation order, with lookup by (name, example)."""

    def __init__(self, scenario: Scenario, number_system: str) -> None:
        self.scenario = scenario
        self.number_system = number_system
        self.steps: list[Step] = []  # the recorder appends here directly; len() of it is the progress so far
        self.symbols: dict = {}  # exact mode: names standing for long expressions
        self._index: dict[tuple[str, int | None], Step] = {}
        self._indexed = 0  # how many of `steps` the index has taken in

    def append(self, step: Step) -> None:
        """Add a step; a later step of the same name and example replaces it in lookups."""
        self.steps.append(step)

    def _lookup(self) -> dict[tuple[str, int | None], Step]:
        """The index by (name, example), brought up to date with the steps appended since it was last read."""
        steps, index = self.steps, self._index
        if self._indexed < len(steps):
            new = steps[self._indexed:]
            index.update(zip(map(_NAME_AND_EXAMPLE, new), new))  # in order: a later step replaces an earlier one
            self._indexed = len(steps)
        return index

    def _find(self, name: str, example: int | None) -> Step | None:
        """The latest step of a name: among the last few steps (what a run reads back), else from the index."""
        steps = self.steps
        for i in range(len(steps) - 1, max(self._indexed, len(steps) - _RECENT) - 1, -1):
            s = steps[i]
            if s[4] == name and s[2] == example:
                return s
        return self._lookup().get((name, example))

    def latest(self, keys: list[tuple[str, int | None]]) -> dict[tuple[str, int | None], Step]:
        """The latest step of each (name, example) in `keys` that was recorded, by one scan back from the
        last step that stops once all are found: for a few keys near the end of a long trace, cheaper
        than indexing every step (the engine's totals over examples read theirs so)."""
        wanted, found = set(keys), {}
        if self._indexed == len(self.steps):  # the index is up to date: it answers at once
            return {k: self._index[k] for k in wanted if k in self._index}
        if len(wanted) <= _FEW:
            return self._latest_of_few(wanted)
        for s in reversed(self.steps):
            key = (s[4], s[2])
            if key in wanted:
                found[key] = s
                wanted.discard(key)
                if not wanted:
                    break
        return found

    def _latest_of_few(self, wanted: set[tuple[str, int | None]]) -> dict[tuple[str, int | None], Step]:
        """`latest` for a few keys: each name searched for in C (`operator.indexOf` over the names, newest
        first), so a key far back (a run's loss, before its whole backward pass) costs no Python loop."""
        steps, found, last = self.steps, {}, len(self.steps) - 1
        for name, example in wanted:
            names, seen = map(_NAME, reversed(steps)), 0
            while True:
                try:
                    at = seen + indexOf(names, name)  # `names` goes on after the match
                except ValueError:
                    break
                seen = at + 1
                if steps[last - at][2] == example:
                    found[(name, example)] = steps[last - at]
                    break
        return found

    def step(self, name: str, example: int | None = None) -> Step:
        """The step that produced `name` (in `example`, or global when None)."""
        found = self._find(name, example)
        if found is None:
            raise KeyError((name, example))
        return found

    def value(self, name: str, example: int | None = None) -> Any:
        """The recorded value of `name`."""
        return self.step(name, example).value

    def has(self, name: str, example: int | None = None) -> bool:
        """Whether `name` was recorded."""
        return self._find(name, example) is not None

    def of_example(self, example: int | None) -> Iterator[Step]:
        """The steps of one example, or the global ones for None, in order."""
        return (s for s in self.steps if s.example == example)

    def names(self, example: int | None) -> list[str]:
        """Every name recorded for an example (or globally), in computation order, once each."""
        return list(dict.fromkeys(s.name for s in self.of_example(example)))
