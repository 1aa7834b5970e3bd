"""A worksheet that makes each step's blocks once and gives the same blocks to a second build of the same
trace: a class's blank sheet and answer key differ in their header, notes and drift table, not in their
steps, so the second of them costs little."""

from __future__ import annotations

from bptt_trace.record.steps import Step
from bptt_trace.render.op_blocks import Blocks
from bptt_trace.render.worksheet import Worksheet


class ReusingWorksheet(Worksheet):
    """A Worksheet whose `step` blocks, once made for a step of the trace, are reused."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._made: dict[int, tuple[Step, list]] = {}

    def step(self, step: Step) -> Blocks:
        """The step's blocks: made the first time, the same ones after."""
        made = self._made.get(id(step))
        if made is None or made[0] is not step:
            made = self._made[id(step)] = (step, list(super().step(step)))
        yield from made[1]
