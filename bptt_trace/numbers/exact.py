"""Exact arithmetic with sympy: rationals stay exact, tanh/exp/ln stay symbolic, each with a value.

Each number is an `Ex`: a sympy expression paired with its value to 30 digits (mpmath), so
values never need a symbolic evaluation. An expression that grows past a few terms is
replaced by a named symbol (`s_1`, …) whose definition and value the trace keeps.
Imported only in exact mode.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import mpmath
import numpy as np
import sympy

from bptt_trace.numbers.systems import elementwise

MAX_SIZE = 8        # leaves in an expression before it becomes a symbol
MAX_CHARS = 48      # characters in its written form before it becomes a symbol
_MP = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp


class Ex:
    """An exact value: `expr` (sympy), `approx` (mpmath, 30 digits) and its size in leaves."""

    __slots__ = ("expr", "approx", "size")

    def __init__(self, expr: sympy.Expr, approx: Any, size: int = 1) -> None:
        self.expr, self.approx, self.size = expr, approx, size

    @classmethod
    def of(cls, q: Any) -> "Ex":
        """A rational constant (int, bool, Fraction) as an Ex."""
        if isinstance(q, Ex):
            return q
        q = Fraction(q)
        return cls(sympy.Rational(q.numerator, q.denominator), mpmath.mpf(q.numerator) / q.denominator)

    def _combine(self, other: Any, op, approx: Any) -> "Ex":
        expr = op(self.expr, other.expr)
        return Ex(expr, approx, 1 if expr.is_Rational else self.size + other.size)

    def __add__(self, other: Any) -> "Ex":
        if isinstance(other, np.ndarray):
            return NotImplemented
        o = Ex.of(other)
        return self._combine(o, lambda a, b: a + b, self.approx + o.approx)

    def __sub__(self, other: Any) -> "Ex":
        if isinstance(other, np.ndarray):
            return NotImplemented
        o = Ex.of(other)
        return self._combine(o, lambda a, b: a - b, self.approx - o.approx)

    def __mul__(self, other: Any) -> "Ex":
        if isinstance(other, np.ndarray):
            return NotImplemented
        o = Ex.of(other)
        return self._combine(o, lambda a, b: a * b, self.approx * o.approx)

    def __truediv__(self, other: Any) -> "Ex":
        if isinstance(other, np.ndarray):
            return NotImplemented
        o = Ex.of(other)
        return self._combine(o, lambda a, b: a / b, self.approx / o.approx)

    def __radd__(self, other: Any) -> "Ex":
        return Ex.of(other) + self

    def __rsub__(self, other: Any) -> "Ex":
        return Ex.of(other) - self

    def __rmul__(self, other: Any) -> "Ex":
        return Ex.of(other) * self

    def __rtruediv__(self, other: Any) -> "Ex":
        return Ex.of(other) / self

    def __neg__(self) -> "Ex":
        return Ex(-self.expr, -self.approx, self.size)

    def __float__(self) -> float:
        return float(self.approx)

    def _cmp(self, other: Any) -> int:
        o = Ex.of(other)
        return (self.approx > o.approx) - (self.approx < o.approx)

    def __gt__(self, other: Any) -> bool:
        return self._cmp(other) > 0

    def __lt__(self, other: Any) -> bool:
        return self._cmp(other) < 0

    def __eq__(self, other: Any) -> bool:  # type: ignore[override]
        return self._cmp(other) == 0

    def __ne__(self, other: Any) -> bool:  # type: ignore[override]
        return self._cmp(other) != 0

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Ex({self.expr}, {mpmath.nstr(self.approx, 8)})"


def _apply(fn_sym, fn_mp):
    def f(x: Ex) -> Ex:
        expr = fn_sym(x.expr)
        return Ex(expr, fn_mp(x.approx), 1 if expr.is_Rational else x.size + 1)
    return elementwise(f)


@dataclass(frozen=True)
class Symbol:
    """A name standing for a result too long to write: which quantity and entry, its definition, its value."""

    name: str
    quantity: str
    index: tuple[int, ...]
    definition: sympy.Expr
    approx: Any


class Exact:
    """The exact number system; `digits` is how many digits values are shown to, `prefix` the letter of
    the named symbols (`s_1`, …; another when a notation uses `s` itself)."""

    def __init__(self, digits: int = 6, prefix: str = "s") -> None:
        self.digits, self.prefix = digits, prefix
        self.name = "exact"
        self.symbols: dict[str, Symbol] = {}
        self.tanh = _apply(sympy.tanh, mpmath.tanh)
        self.exp = _apply(sympy.exp, mpmath.exp)
        self.log = _apply(sympy.log, mpmath.log)
        self.sqrt = _apply(sympy.sqrt, mpmath.sqrt)
        self.sigmoid = _apply(lambda e: 1 / (1 + sympy.exp(-e)), lambda a: 1 / (1 + mpmath.exp(-a)))

    def context(self) -> contextlib.AbstractContextManager:
        return mpmath.workdps(30)

    def const(self, q: Fraction | int) -> Ex:
        return Ex.of(q)

    def array(self, values: Sequence[Any]) -> np.ndarray:
        return elementwise(Ex.of)(np.array(values, dtype=object))

    def result(self, value: Any, name: str) -> Any:
        """Keep small expressions; replace a long one by a named symbol with the same value."""
        if isinstance(value, Ex):
            return self._name(value, name, ())
        out = np.empty(np.shape(value), dtype=object)
        for index, v in np.ndenumerate(value):
            out[index] = self._name(Ex.of(v), name, tuple(i + 1 for i in index))
        return out

    def _name(self, v: Ex, quantity: str, index: tuple[int, ...]) -> Ex:
        if v.size <= MAX_SIZE and (v.expr.is_Rational or len(str(v.expr)) <= MAX_CHARS):
            return v
        name = f"{self.prefix}_{len(self.symbols) + 1}"
        self.symbols[name] = Symbol(name, quantity, index, v.expr, v.approx)
        return Ex(sympy.Symbol(name), v.approx, 1)

    def finite(self, value: Any) -> bool:
        return all(mpmath.isfinite(Ex.of(v).approx) for v in np.ravel(np.asarray(value, dtype=object)))
