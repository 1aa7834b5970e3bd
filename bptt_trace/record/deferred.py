"""Results of the fast hand engine worked out in batches: products whose values nothing reads until the
backward pass is done (a gradient's per-step contributions, δx_t) are deferred, then computed together,
one numpy product and one rounding for the lot, when any one of them is first read.

Each entry is the same exact product of the same K-place mantissas, rounded the same way, so a batch
gives every result the mantissas it would have had alone. A deferred result is a `Fixed` whose `m` is
set by its batch (`Fixed.deferred`); a batch is closed once settled, and new results open another.
A gradient's sum over its per-step contributions takes them from their batch chunk by chunk and keeps
none (`deferred_sum`); the few a reader then shows are each worked out alone.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from bptt_trace.record.fixed import Fixed

Rounding = Callable[[np.ndarray], np.ndarray]
_reduce = np.add.reduce
CHUNK = 1024  # rows of a deferred sum worked out at a time: a few MB at most for hidden sizes of tens


class _Batch:
    """Deferred results of one kind. The first read of one settles them all (rows of one array); a sum
    over them (`deferred_sum`) works them out in chunks and keeps none, and after it a result read is
    worked out alone. A kind gives `_exact(rows)`: those results unrounded, as the rows of one array."""

    _exact: Callable[[Sequence[int]], np.ndarray]
    shape_of: Callable[[int], tuple[int, ...]]  # result i's shape, without working it out

    def __init__(self, round_: Rounding, places: int) -> None:
        self.round, self.places, self.open = round_, places, True
        self.summed = False  # taken by a sum, none kept: each result is made when it is read
        self.operands: list[np.ndarray] = []
        self.results: list[Fixed] = []

    def _defer(self, operand: np.ndarray, bound: float) -> Fixed:
        """A result waiting on this batch, worked out from `operand` when settled."""
        f = Fixed.deferred(self.places, bound, (self, len(self.results)))
        self.operands.append(operand)
        self.results.append(f)
        return f

    def read(self, i: int) -> None:
        """Result i is read: settle the batch, or once a sum has taken it, work out result i alone."""
        if self.summed:
            self.results[i].m = self.round(self._exact((i,)))[0]
        else:
            self.settle()

    def settle(self) -> None:
        """Work out every result of the batch (rows of one array), and close it to new ones."""
        if not self.open:
            return
        self.open = False
        for f, m in zip(self.results, self.round(self._exact(range(len(self.results))))):
            f.m = m
        self._drop()

    def _drop(self) -> None:
        self.operands, self.results = [], []

    def sum_of(self, rows: Sequence[int]) -> np.ndarray:
        """Σ of results `rows`, each rounded, exact: worked out CHUNK rows at a time, none kept. Closes the batch."""
        self.open, self.summed = False, True
        total = None
        for k in range(0, len(rows), CHUNK):
            part = _reduce(self.round(self._exact(rows[k:k + CHUNK])), axis=0, initial=-0.0)
            total = part if total is None else total + part  # exact; −0 only where both are (IEEE, as Decimal)
        return total


def deferred_sum(parts: Sequence[Fixed]) -> np.ndarray | None:
    """The exact sum of deferred results (of one shape), each rounded, without keeping them: the sum of a
    gradient's per-step contributions. None unless every part waits on a batch that still holds its
    operands. A zero is −0 only where every part is −0, in any order (IEEE), as a left-to-right sum gives."""
    groups: dict[int, tuple[_Batch, list[int]]] = {}
    for f in parts:
        held = getattr(f, "_batch", None)
        if held is None or not (held[0].open or held[0].summed):
            return None
        group = groups.get(id(held[0]))
        if group is None:
            group = groups[id(held[0])] = (held[0], [])
        group[1].append(held[1])
    sums = [batch.sum_of(rows) for batch, rows in groups.values()]
    if not sums or len({s.shape for s in sums}) != 1:
        return None
    total = sums[0]
    for s in sums[1:]:
        total = total + s
    return total


class OuterBatch(_Batch):
    """Outer products a bᵀ of K-place vectors of one shape (at 10^-2K until rounded)."""

    def __init__(self, round_: Rounding, places: int) -> None:
        super().__init__(round_, places)
        self.right: list[np.ndarray] = []

    def add(self, a: np.ndarray, b: np.ndarray, bound: float) -> Fixed:
        """The deferred a bᵀ, its rounded entries below `bound`."""
        self.right.append(b)
        return self._defer(a, bound)

    def _exact(self, rows: Sequence[int]) -> np.ndarray:
        left, right = self.operands, self.right
        return np.stack([left[i] for i in rows])[:, :, None] * np.stack([right[i] for i in rows])[:, None, :]

    def shape_of(self, i: int) -> tuple[int, int]:
        """Result i's shape, without working it out."""
        return self.operands[i].shape[0], self.right[i].shape[0]

    def _drop(self) -> None:
        super()._drop()
        self.right = []


class ProductBatch(_Batch):
    """M·v (`axis` 1) or Mᵀ·v (`axis` 0) of one matrix M and many vectors v, as `exact_products` gives
    them. `on_settle(size)` is told how many results the batch held when it was settled."""

    def __init__(self, round_: Rounding, places: int, matrix: np.ndarray, axis: int,
                 on_settle: Callable[[int], None]) -> None:
        super().__init__(round_, places)
        self.matrix, self.axis, self.on_settle = matrix, axis, on_settle

    def add(self, v: np.ndarray, bound: float) -> Fixed:
        """The deferred product of the matrix with v, its rounded entries below `bound`."""
        return self._defer(v, bound)

    def settle(self) -> None:
        if self.open:
            self.on_settle(len(self.results))
        super().settle()

    def shape_of(self, i: int) -> tuple[int]:
        """Result i's shape, without working it out."""
        return (self.matrix.shape[0 if self.axis else 1],)

    def _exact(self, rows: Sequence[int]) -> np.ndarray:
        vs = self.operands
        return exact_products(self.matrix, np.stack([vs[i] for i in rows]), self.axis)


def exact_products(a: np.ndarray, vs: np.ndarray, axis: int) -> np.ndarray:
    """M·v (`axis` 1) or Mᵀ·v (`axis` 0) of K-place mantissas for each row v of `vs`, unrounded: one matrix
    product, exact since every product and partial sum is an integer below 2^52 (so in any order), with
    the sign of zero Decimal gives a sum: −0 only where every product summed is −0."""
    x = vs @ (a.T if axis else a)
    zeros = np.flatnonzero((x == 0).any(axis=1))  # rows with a zero: its sign, as Decimal's sum gives it
    for k in range(0, len(zeros), CHUNK):
        rows = zeros[k:k + CHUNK]
        products = a[None] * vs[rows][:, None, :] if axis else vs[rows][:, :, None] * a[None]
        x[rows] = signed_sum(products, 2 if axis else 1)
    return x


def signed_sum(products: np.ndarray, axis: int) -> np.ndarray:
    """The exact sums of products along `axis`, with Decimal's sign of zero: −0 only where every product
    summed is −0, as in Decimal's sum from the first. For where a BLAS sum gave a zero: it may start from
    +0, while numpy's reduction from −0 (IEEE addition's identity, which keeps every sign) gives the rule."""
    return _reduce(products, axis=axis, initial=-0.0)
