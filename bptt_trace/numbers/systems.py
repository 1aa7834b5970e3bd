"""The number systems a run computes in, chosen once; primitives call them and never branch on them.

- Float64: IEEE doubles with numpy, the default.
- HandDecimal: decimal arithmetic in which every written-down result is rounded (or truncated)
  to K places before later steps use it, as a student does by hand.
- Exact (in `exact.py`, sympy): rationals stay exact, transcendental steps stay symbolic.
"""

from __future__ import annotations

import contextlib
import decimal
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np


class Float64:
    """IEEE double precision with numpy: the default, full-precision number system."""

    name = "float64"
    keeps_results = True  # `result` returns its value unchanged, so the recorder need not call it

    def context(self) -> contextlib.AbstractContextManager:
        """The arithmetic context the engine runs in."""
        return np.errstate(all="ignore")

    def const(self, q: Fraction | int) -> float:
        """A scalar constant in this system."""
        return float(q)

    def array(self, values: Sequence[Any]) -> np.ndarray:
        """A vector or matrix (nested tuples of Fractions) as an array of this system."""
        return _fractions_to_float(values)

    def from_text(self, text: str) -> float:
        """A number checked by `numbers.check_number`, in this system."""
        return float(Fraction(text)) if "/" in text else float(text)

    def result(self, value: Any, name: str) -> Any:
        """What a student writes down for the computed result `name`; float64 keeps it as is."""
        return value

    def tanh(self, a: np.ndarray) -> np.ndarray:
        return np.tanh(a)

    def sigmoid(self, a: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-a))

    def exp(self, a: np.ndarray) -> np.ndarray:
        return np.exp(a)

    def sqrt(self, a: Any) -> Any:
        return np.sqrt(a)

    def log(self, a: np.ndarray) -> np.ndarray:
        return np.log(a)

    def finite(self, value: Any) -> bool:
        """False when a value overflowed or is NaN."""
        # An infinity or NaN anywhere makes the sum one, so a finite sum settles it at the cost of one
        # reduction; only a sum that overflowed from finite entries needs the entry-by-entry test.
        return math.isfinite(np.add.reduce(value, None)) or bool(np.isfinite(value).all())


def _fractions_to_float(values: Sequence[Any]) -> np.ndarray:
    """`np.array(values, dtype=float64)`, faster for Fractions and ints: `n / d` is the correctly
    rounded quotient, exactly what `float(Fraction)` returns, without its slow generic path."""
    try:
        quotients = _quotients(values)
    except (AttributeError, TypeError):  # floats, strings or anything else: numpy's own conversion
        return np.array(values, dtype=np.float64)
    return np.array(quotients, dtype=np.float64)


def _quotients(values: Any) -> Any:
    """Nested tuples of Fractions (or ints) as nested lists of their float quotients."""
    if isinstance(values, (tuple, list)):
        if values and isinstance(values[0], (tuple, list)):
            return [_quotients(v) for v in values]
        try:
            return [v._numerator / v._denominator for v in values]  # Fractions, without their properties
        except AttributeError:
            return [v.numerator / v.denominator for v in values]  # ints (and Fractions among them)
    return values.numerator / values.denominator


def elementwise(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Apply a scalar function to every entry of an object array (or to a scalar)."""
    ufunc = np.frompyfunc(fn, 1, 1)
    return lambda a: ufunc(a)


class HandDecimal:
    """Decimal arithmetic with each recorded result rounded half up (or truncated) to `places`."""

    def __init__(self, places: int, mode: str = "round") -> None:
        self.places, self.mode = places, mode
        self.name = f"hand-{'rounded' if mode == 'round' else 'truncated'} to {places} decimals"
        self._quantum = Decimal(1).scaleb(-places)
        self._rounding = decimal.ROUND_HALF_UP if mode == "round" else decimal.ROUND_DOWN
        self._context = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN, Emax=10**6, Emin=-10**6,
                                        traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
        self._round = elementwise(self._round_one)
        self.tanh = elementwise(self._tanh)
        self.sigmoid = elementwise(lambda d: 1 / (1 + (-d).exp()))
        self.exp = elementwise(lambda d: d.exp())
        self.log = elementwise(lambda d: d.ln())
        self.sqrt = elementwise(lambda d: Decimal(d).sqrt())

    def context(self) -> contextlib.AbstractContextManager:
        return decimal.localcontext(self._context)

    def const(self, q: Fraction | int) -> Decimal:
        q = Fraction(q)
        return Decimal(q.numerator) / Decimal(q.denominator)

    def array(self, values: Sequence[Any]) -> np.ndarray:
        return elementwise(self.const)(np.array(values, dtype=object))

    def from_text(self, text: str) -> Decimal:
        return self.const(Fraction(text)) if "/" in text else Decimal(text)

    def result(self, value: Any, name: str) -> Any:
        return self._round(value)

    def _round_one(self, d: Any) -> Decimal:
        return Decimal(d).quantize(self._quantum, rounding=self._rounding)

    @staticmethod
    def _tanh(d: Decimal) -> Decimal:
        if abs(d) > 100:  # tanh is ±1 to far beyond any precision used here
            return Decimal(1).copy_sign(d)
        e = (2 * d).exp()
        return (e - 1) / (e + 1)

    def finite(self, value: Any) -> bool:
        return all(Decimal(v).is_finite() for v in np.ravel(np.asarray(value, dtype=object)))
