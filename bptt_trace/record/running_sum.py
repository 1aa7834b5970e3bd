"""A gradient's contributions, kept with their float64 sum as they arrive.

The sum of a gradient over time adds one contribution per step. Added when the backward pass
is done, every contribution is read a second time, long after it was computed: on a long
sequence the trace has left the cache by then, and that re-read grows faster than T. A
`RunningSum` adds each contribution as it is appended, while it is still in the cache, the
same additions in the same order as `ops` (the first two summed, then a running total kept in
place), so the total `FloatRecorder.total` records is bit for bit the one `ops.compute` gives.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_F64 = np.dtype(np.float64)


class RunningSum(list):
    """A list of named quantities that keeps the sum of their values while they are float64 arrays of one shape."""

    __slots__ = ("_total", "_first", "_count")

    def __init__(self) -> None:
        super().__init__()
        self._total: Any = None
        self._first: Any = None
        self._count = 0  # how many appended values the sum holds; -1 once one could not be added

    def append(self, q: Any) -> None:
        """Append a quantity (name, value) and add its value to the sum."""
        v, n = q[1], self._count
        if n >= 0:
            if type(v) is not np.ndarray or v.dtype is not _F64 or (n and v.shape != self._first.shape):
                n = -1
            elif n == 0:
                self._first = v
            elif n == 1:
                self._total = self._first + v
            else:
                self._total += v
            self._count = n + 1 if n >= 0 else -1
        list.append(self, q)

    def total(self) -> Any:
        """The sum of the values, added left to right; None unless it holds every one of two or more."""
        return self._total if self._count == len(self) and self._count > 1 else None
