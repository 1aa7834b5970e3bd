"""The values a student's own numbers give: what they wrote, the given data, and every step between redone.

Where a student leaves steps blank, each is redone from the nearest answers they did write (and
the given data), never taken from the answer key. A partly blank vector keeps its written
entries; only the blank ones are redone. Redoing is lazy (only what a marking needs) and
iterative (a long chain of blanks does not recurse).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bptt_trace.record.ops import compute
from bptt_trace.record.steps import Step, Trace, summed_examples

Key = tuple[str, "int | None"]


class World:
    """One submission's values, step by step, in one number system."""

    def __init__(self, trace: Trace, num) -> None:
        self.trace, self.num = trace, num
        self.written: dict[Key, tuple[Any, Any]] = {}  # key -> (values, mask of written entries or None)
        self.memo: dict[Key, Any] = {}

    def write(self, key: Key, values: Any, mask: Any = None) -> None:
        """Record a student's answer; `mask` marks the written entries of a partly blank one."""
        self.written[key] = (values, mask)
        if mask is None:
            self.memo[key] = values

    def operand_keys(self, step: Step) -> list[Key]:
        """The (name, example) of each operand of a step."""
        over = summed_examples(step)
        return [(o, over[i] if over else step.example) for i, o in enumerate(step.operands)]

    def computed(self, key: Key) -> bool:
        """Whether a key names a step of the trace that is computed (not given data)."""
        return self.trace.has(*key) and self.trace.step(*key).op != "given"

    def value(self, key: Key, true: Any = None) -> Any:
        """The student's value of `key`: written, else redone from their numbers, else the given data."""
        if key in self.memo:
            return self.memo[key]
        if not self.computed(key):
            return self.trace.value(*key) if self.trace.has(*key) else true
        stack, busy = [key], set()
        while stack:
            k = stack[-1]
            if k in self.memo:
                stack.pop()
                continue
            busy.add(k)
            deps = [d for d in self.operand_keys(self.trace.step(*k))
                    if d not in self.memo and d not in busy and self.computed(d)]
            if deps:
                stack.extend(deps)
                continue
            self.memo[k] = self._overlay(k, self.redo(self.trace.step(*k))[0])
            stack.pop()
        return self.memo[key]

    def inputs(self, step: Step) -> tuple:
        """A step's inputs in the student's world (each operand's recorded value where none is known)."""
        return tuple(self.memo.get(k, step.inputs[i]) if self.computed(k) else step.inputs[i]
                     for i, k in enumerate(self.operand_keys(step)))

    def redo(self, step: Step) -> tuple[Any, Step]:
        """A step computed from the student's values of its operands (which must be known or given)."""
        for k in self.operand_keys(step):
            if self.computed(k) and k not in self.memo:
                self.value(k)
        inputs = self.inputs(step)
        try:
            with self.num.context():
                value, terms = compute(step.op, step.detail, inputs, self.num)
                value = self.num.result(value, step.name)
        except (ArithmeticError, ValueError, TypeError):  # ln of a student's negative ŷ, say: nothing matches it
            value, terms = np.full(np.shape(step.value), np.nan) if np.ndim(step.value) else np.nan, None
        return value, step._replace(inputs=inputs, value=value, terms=terms)

    def _overlay(self, key: Key, value: Any) -> Any:
        """A partly written answer: the written entries over the redone ones."""
        if key not in self.written:
            return value
        written, mask = self.written[key]
        out = np.array(value, dtype=object if self.num.name != "float64" else float, copy=True)
        out[mask] = np.asarray(written, dtype=object)[mask]
        return out
