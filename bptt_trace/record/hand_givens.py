"""The fast hand engine's givens: the run's HandDecimal handing out K-place arrays as Fixed (`LazyGivens`),
and a sequence's inputs as one array of mantissas, each matrix's products with every step's input worked
out at once (`InputRows`).

Every input of a sequence is known before its first step, so W·x_t for all t is one matrix product and
one rounding instead of one of each per step. Each result is the same exact product of the same K-place
mantissas, rounded the same way (`deferred.exact_products`), so every step gets the bits it would alone.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Sequence

import numpy as np

from bptt_trace.numbers.systems import HandDecimal
from bptt_trace.record.deferred import exact_products
from bptt_trace.record.fixed import Fixed, fraction_mantissas


class LazyGivens:
    """The run's HandDecimal, whose `array` (the networks' given vectors and matrices) returns K-place
    values as Fixed, their Decimals made by HandDecimal itself only when a reader asks."""

    def __init__(self, base: HandDecimal) -> None:
        self.base = base
        self._known: dict = {}  # each given entry's mantissa, by the entry object

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.base, attr)

    def array(self, values: Any) -> Any:
        """A given array: Fixed when every entry is a K-place value, else HandDecimal's Decimals."""
        base = self.base
        found = fraction_mantissas(values, base.places, self._known)
        if found is None:
            return base.array(values)
        return Fixed(found[0], base.places, found[1], src=lambda: decimal_array(base, values))


def decimal_array(numbers: HandDecimal, values: Any) -> np.ndarray:
    """HandDecimal's own array of the values (a given's Decimals, with its digits)."""
    with numbers.context():
        return numbers.array(values)


class InputRows:
    """The K-place inputs of a sequence as the rows of one mantissa array, and their products so far."""

    __slots__ = ("m", "top", "_products")

    def __init__(self, m: np.ndarray, top: float) -> None:
        self.m, self.top = m, top  # top: the largest |mantissa| of any row
        self._products: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def product(self, matrix: np.ndarray, i: int, round_: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Row i's M·x rounded to K places; every row's is worked out on the first ask for this matrix."""
        hit = self._products.get(id(matrix))
        if hit is None or hit[0] is not matrix:
            hit = self._products[id(matrix)] = (matrix, round_(exact_products(matrix, self.m, 1)))
        return hit[1][i]


def input_rows(rows: Sequence[Any], places: int, known: dict, decimals: Callable[[Any], np.ndarray]
               ) -> tuple[list[Fixed], InputRows] | None:
    """Each row (a tuple of Fractions or ints) as Fixed, a row of one InputRows; None unless every row is a
    K-place vector of one length. `decimals(row)` makes a row's Decimals when a reader asks."""
    found = fraction_mantissas(tuple(rows), places, known)
    if found is None or found[0].ndim != 2:
        return None
    stack = InputRows(*found)
    top = stack.top
    return [Fixed(m, places, top, src=partial(decimals, row)) for m, row in zip(stack.m, rows)], stack
