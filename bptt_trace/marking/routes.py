"""The valid ways to work one step from a student's numbers, each a value the answer may match.

- the step as recorded, redone from the student's values of its operands;
- another formula the engine records for the same quantity (δo by the chain rule, dL/dŷ · dŷ/do,
  beside ŷ − y);
- the step with every product and intermediate rounded, or truncated, at the student's own
  precision before they are added up, as an honest hand calculation does.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from bptt_trace.record.names import is_reported
from bptt_trace.record.ops import compute
from bptt_trace.record.steps import Step

ALTERNATIVE = " (chain)"  # the suffix of another recorded formula for the same quantity
ROUNDED_OPS = ("matvec", "matvec_t", "add", "subtract", "hadamard", "outer", "sum", "mean")


def routes(world, step: Step, decimals: int | None) -> Iterator[tuple[str, Any, tuple[Step, ...]]]:
    """(route, value, the steps worked for it) for each valid route, the recorded one first.

    `route` is "recorded", "formula" (another recorded formula) or "rounded"."""
    value, redone = world.redo(step)
    yield "recorded", value, chain(world, redone)
    other = (step.name + ALTERNATIVE, step.example)
    if world.trace.has(*other):
        value, redone = world.redo(world.trace.step(*other))
        yield "formula", value, chain(world, redone)
    if decimals is None or world.num.name != "float64" or step.op not in ROUNDED_OPS:
        return
    for mode in ("round", "truncate"):
        value = rounded(world, step, decimals, mode)
        if value is not None:
            yield "rounded", value, chain(world, world.redo(step)[1])


def chain(world, step: Step) -> tuple[Step, ...]:
    """A redone step after the intermediates it uses, each redone from the student's values too."""
    before = tuple(world.redo(world.trace.step(*k))[1] for k in world.operand_keys(step)
                   if not is_reported(k[0]) and world.computed(k))
    return before + (step,)


def rounded(world, step: Step, places: int, mode: str, depth: int = 0) -> Any:
    """The step with its products and intermediates rounded (or truncated) to `places` decimals."""
    if step.op not in ROUNDED_OPS or depth > 2:
        return None
    cut = _cutter(places, mode)
    inputs = []
    for k, true in zip(world.operand_keys(step), step.inputs):
        if not is_reported(k[0]) and world.computed(k):
            inner = rounded(world, world.trace.step(*k), places, mode, depth + 1)
            inputs.append(inner if inner is not None else cut(np.asarray(world.value(k, true), dtype=float)))
        else:
            inputs.append(np.asarray(world.value(k, true), dtype=float))
    if step.op in ("matvec", "matvec_t"):
        m, v = inputs
        m = m if step.op == "matvec" else m.T
        return cut(cut(m * v[None, :]).sum(axis=1))
    with np.errstate(all="ignore"):
        return cut(np.asarray(compute(step.op, step.detail, tuple(inputs), world.num)[0], dtype=float))


def _cutter(places: int, mode: str):
    scale = 10.0 ** places

    def cut(a: Any) -> Any:
        """Round half up, or truncate, to `places` decimals."""
        a = np.asarray(a, dtype=float)
        with np.errstate(all="ignore"):
            if mode == "round":
                return np.sign(a) * np.floor(np.abs(a) * scale + 0.5 + 1e-9) / scale
            return np.trunc(a * scale + np.sign(a) * 1e-9) / scale
    return cut
