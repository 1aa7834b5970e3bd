"""A gated layer's gradient contributions summed over time with the gates stacked: one add per kind a step.

An LSTM step appends twelve contributions: each of its four gates' δz xᵀ, δz hᵀ and δz. Kept one
`RunningSum` each, that is twelve small additions (and twelve Python calls) a step. `gate_deltas`
makes each kind for every gate at once, as the rows of one stacked array; here each kind's running
total is that stack's running total, one addition a step, and each gate's sum is its row. Adding
stacked arrays adds each entry to the same entry, in the same order (the first two summed, then a
running total kept in place, as `ops` does), so every gate's total is bit for bit its own sum.
The lists themselves stay plain lists of the named contributions, which `total` records as a sum's
operands.
"""

from __future__ import annotations

from typing import Any, Iterator

KINDS = 3  # per gate: δz xᵀ (W), δz hᵀ (U), δz (b)


class StackedPart(list):
    """One gate's contributions of one kind: a list of named quantities whose sum a `GateSums` keeps."""

    __slots__ = ("_stacks", "_kind", "_gate")

    def __init__(self, stacks: "Stacks", kind: int, gate: int) -> None:
        super().__init__()
        self._stacks, self._kind, self._gate = stacks, kind, gate  # no reference back to the lists: no cycle

    def total(self) -> Any:
        """The sum of the values, added left to right; None unless the stacks hold every one of two or more."""
        return self._stacks.total_of(self._kind, self._gate, len(self))


class Stacks:
    """Each kind's running total over time, all gates stacked by row."""

    __slots__ = ("rows", "first", "totals", "count")

    def __init__(self) -> None:
        self.rows: tuple[int, ...] | None = None  # each gate's row in the stacks
        self.first: tuple | None = None
        self.totals: list | None = None
        self.count = 0  # how many steps the totals hold; -1 once a step could not be added

    def add(self, rows: tuple[int, ...], stacks: tuple) -> None:
        """Add one step's stacked contributions, the first two summed, then a running total kept in place."""
        n = self.count
        if n < 0:
            return
        if n == 0:
            self.rows, self.first = rows, stacks
        elif rows != self.rows or any(s.shape != f.shape for s, f in zip(stacks, self.first)):
            self.count = -1
            return
        elif n == 1:
            self.totals = [f + s for f, s in zip(self.first, stacks)]
        else:
            for acc, s in zip(self.totals, stacks):
                acc += s
        self.count = n + 1

    def total_of(self, kind: int, gate: int, length: int) -> Any:
        """A gate's sum of one kind (its row), when the totals hold each of its `length` values; else None."""
        n = self.count
        return self.totals[kind][self.rows[gate]] if n > 1 and n == length else None


class GateSums:
    """Per gate, its three lists of contributions (W, U, b); each kind's sum over time kept stacked.

    `gate_deltas` appends each gate's named contributions to its lists and adds the step's stacks
    (δz xᵀ, δz hᵀ, δz by row) to `stacks` once; the stacks are not written to.
    """

    __slots__ = ("parts", "stacks")

    def __init__(self, gates: int) -> None:
        self.stacks = Stacks()
        self.parts = tuple(tuple(StackedPart(self.stacks, kind, j) for kind in range(KINDS)) for j in range(gates))

    def __iter__(self) -> Iterator[tuple[StackedPart, StackedPart, StackedPart]]:
        return iter(self.parts)

    def __len__(self) -> int:
        return len(self.parts)

    def __getitem__(self, j: int) -> tuple[StackedPart, StackedPart, StackedPart]:
        return self.parts[j]
