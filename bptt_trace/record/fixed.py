"""K-place decimals as scaled integers: the values of the fast hand-rounded engine (`hand_recorder`).

A `Fixed` holds a K-place decimal array as float64 integer mantissas m (the value is m·10^-K). Every
mantissa, and every product or sum the engine forms from them, stays below 2^53, so float64 computes
them exactly; and IEEE arithmetic keeps the sign of zero by the same rules as `decimal` (x − x = +0,
−0 + −0 = −0, a product's sign is the XOR of its factors'), so −0.000 survives where HandDecimal keeps it.
The Decimal object array a reader sees is made only when asked (`decimals`), then kept: a long run's
renderers show a few of its steps, and millions of Decimals cost seconds to make.

`LazyStep` is a Step whose `inputs` and `value` turn Fixed values into those Decimal arrays on access,
so every consumer of a trace sees exactly what HandDecimal's recorder records.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np

from bptt_trace.record.steps import Step

try:  # np.count_nonzero's C core, without its dispatch wrapper (a fifth of the call on a short vector)
    from numpy._core.multiarray import count_nonzero
except ImportError:  # pragma: no cover - another numpy layout
    count_nonzero = np.count_nonzero
LIMIT = float(2 ** 52)  # every mantissa, product and sum stays below this: exact in float64, with room to round
_TIGHT = decimal.Context(prec=60, Emax=10 ** 6, Emin=-10 ** 6)  # scaling by 10^K is exact in it
_getitem = tuple.__getitem__
_EXACT_POWERS = 22  # 10.0**k is exact up to here


class Fixed:
    """A K-place decimal array as float64 integer mantissas; its Decimal form is made on first request."""

    __slots__ = ("m", "places", "bound", "_dec", "_src", "plain", "_batch", "shortest", "_own")

    def __init__(self, m: np.ndarray, places: int, bound: float | None = None, dec: np.ndarray | None = None,
                 src: Callable[[], np.ndarray] | None = None) -> None:
        """`dec` is the Decimal form when known; else `src()` makes it (a given's own digits) or, without
        `src`, the mantissas do (a computed result: exponent −K)."""
        self.m, self.places, self._dec, self._src = m, places, dec, src
        self.plain = dec is None and src is None  # its Decimals are `to_decimals(m)`: exponent −K
        self.shortest = src is not None  # its Decimals (a given's) are each entry's shortest exact decimal
        self._own = None
        self.bound = float(np.abs(m).max(initial=0.0)) if bound is None else bound  # ≥ every |mantissa|

    @classmethod
    def deferred(cls, places: int, bound: float, batch: Any) -> "Fixed":
        """A computed result whose mantissas its batch works out on the first read of `m` (`batch`: the batch
        and the result's place in it)."""
        f = cls.__new__(cls)
        f.places, f.bound, f._dec, f._src, f.plain, f._batch = places, bound, None, None, True, batch
        f.shortest, f._own = False, None
        return f

    def __getattr__(self, name: str) -> Any:
        """Only for `m` unset (a deferred result): settle its batch, which sets it."""
        if name != "m":
            raise AttributeError(name)
        batch, i = self._batch
        batch.read(i)
        return self.m

    def decimals(self) -> np.ndarray:
        """The values as an object array of Decimals: exponent −K, or the given's own Decimals."""
        if self._dec is None:
            self._dec = to_decimals(self.m, self.places) if self._src is None else self._src()
            self._src = None
        return self._dec

    def digits(self) -> tuple[np.ndarray, Any] | None:
        """The Decimals a reader sees, without making them: integer mantissas (float64) and the exponent, one
        int (−K for a computed result) or one per entry (a given's own digits); None when not known so."""
        if self.plain:
            return self.m, -self.places
        if not self.shortest:
            return None
        if self._own is None:
            self._own = shortest_digits(self.m, self.places)
        return self._own

    def shape(self) -> tuple[int, ...]:
        """The values' shape, without working out a deferred result to tell."""
        try:
            batch, i = _BATCH_SLOT.__get__(self)
        except AttributeError:  # not deferred
            return self.m.shape
        return batch.shape_of(i) if batch.open or batch.summed else self.m.shape

    def tight(self) -> float:
        """The exact largest |mantissa|, kept as the bound from now on."""
        self.bound = float(np.abs(self.m).max(initial=0.0))
        return self.bound

    def __reduce__(self):  # pickled (to worker processes) as the Decimals a reader sees
        return _identity, (self.decimals(),)


_BATCH_SLOT = Fixed.__dict__["_batch"]  # reads `_batch` when set, else raises AttributeError (not `__getattr__`)


def _identity(value: Any) -> Any:
    return value


def to_decimals(m: np.ndarray, places: int) -> np.ndarray:
    """Float64 integer mantissas as Decimals m·10^-places, exponent −places, the sign of zero kept."""
    if places <= _EXACT_POWERS and float(np.abs(m).max(initial=0.0)) < LIMIT:
        # m/10^K rounded to a float is within half an ulp (< 10^-K/2 below 2^52·10^-K) of m·10^-K, so
        # writing it to K places gives m·10^-K's own digits: one float division and format a number
        spec = f".{places}f"
        flat = list(map(Decimal, [format(v, spec) for v in (m.ravel() / 10.0 ** places).tolist()]))
    else:
        text = f"E-{places}"
        flat = [Decimal(f"{v:.0f}{text}") for v in m.ravel().tolist()]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(m.shape)


def shortest_digits(m: np.ndarray, places: int) -> tuple[np.ndarray, np.ndarray]:
    """K-place mantissas as the shortest exact decimals, as `HandDecimal.const` writes a given (0.130 as 0.13,
    2.000 as 2, 0 as 0): each mantissa without its trailing zeros, and its exponent (−K up to 0)."""
    own, exponent = m.copy(), np.full(m.shape, -places, dtype=np.int64)
    for _ in range(places):
        whole = np.fmod(own, 10.0) == 0  # exact: integers below 2^53
        whole &= exponent < 0
        if not whole.any():
            break
        own[whole] /= 10.0
        exponent[whole] += 1
    return own, exponent


def mantissas(values: Any, places: int) -> np.ndarray | None:
    """An object array of Decimals as float64 mantissas at 10^-places; None unless every entry is a
    finite multiple of 10^-places below the limit."""
    if type(values) is not np.ndarray or values.dtype != object or values.size == 0:
        return None
    out = []
    for d in values.ravel().tolist():
        if type(d) is not Decimal or not d.is_finite():
            return None
        s = d.scaleb(places, _TIGHT)
        i = int(s)
        if i != s or abs(i) >= LIMIT:
            return None
        out.append(-0.0 if i == 0 and d.is_signed() else float(i))
    return np.array(out, dtype=np.float64).reshape(values.shape)


def fraction_mantissas(values: Any, places: int, known: dict | None = None) -> tuple[np.ndarray, float] | None:
    """A vector or matrix (nested tuples of Fractions or ints) as float64 mantissas at 10^-places and the
    largest |mantissa|; None unless each entry is a multiple of 10^-places below the limit. `known` keeps
    each entry's mantissa by the entry object (a scenario's inputs share a few Fractions, read once each)."""
    if type(values) is not tuple or not values:
        return None
    rows = values if type(values[0]) is tuple else (values,)
    known = {} if known is None else known
    scale, out, top = 10 ** places, [], 0
    for row in rows:
        if type(row) is not tuple or len(row) != len(rows[0]) or not row:
            return None
        for q in row:
            hit = known.get(id(q))
            if hit is None or hit[0] is not q:
                hit = known[id(q)] = (q, _mantissa(q, scale))
            i = hit[1]
            if i is None:
                return None
            if i > top or -i > top:
                top = abs(i)
            out.append(i)
    if top >= LIMIT:
        return None
    m = np.array(out, dtype=np.float64)
    return (m.reshape(len(rows), -1) if rows is values else m), float(top)


def _mantissa(q: Any, scale: int) -> int | None:
    """A Fraction or int times `scale`, when that is whole; else None."""
    if type(q) is Fraction:
        n, d = q.numerator, q.denominator
    elif type(q) is int:
        n, d = q, 1
    else:
        return None
    return None if scale % d else n * (scale // d)


def round_scaled(x: np.ndarray, shift: int, mode: str) -> np.ndarray:
    """Integer-valued x at 10^-(K+shift) rounded to 10^-K: half up (away from zero) or toward zero."""
    return rounder(shift, mode)(x)


def rounder(shift: int, mode: str) -> Callable[[np.ndarray], np.ndarray]:
    """The function rounding integer-valued x at 10^-(K+shift) to 10^-K, half up (away from zero) or down.

    Exact for |x| + 10^shift/2 < 2^53: the quotient by 10^shift is then within half an ulp of a value
    at least 10^-shift from the next integer, so `trunc` of it is the exact integer part. The sign of x
    is kept on a zero result (−0.0004 → −0.000), as `Decimal.quantize` keeps it.
    """
    if shift == 0:
        return lambda x: x
    d = np.array(float(10 ** shift))  # 0-d arrays: a ufunc takes them more quickly than Python floats
    half = np.array(float(10 ** shift) / 2)
    copysign, trunc, add, divide = np.copysign, np.trunc, np.add, np.divide

    def down(x: np.ndarray) -> np.ndarray:
        y = divide(x, d)
        return trunc(y, out=y)

    def half_up(x: np.ndarray) -> np.ndarray:
        y = copysign(half, x)
        add(y, x, out=y)
        divide(y, d, out=y)
        return trunc(y, out=y)
    return half_up if mode == "round" else down


def quantize_float(y: np.ndarray, mode: str, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Approximate scaled values y (error below `margin`) rounded to integers, and where they are too close
    to a rounding boundary (a half for rounding, an integer for truncation) to trust."""
    if mode == "round":
        q = np.rint(y)  # half to even, which differs from half up only at a tie: near a boundary, so marked
        r = np.subtract(y, q)  # in [−0.5, 0.5] (exact): a tie at ±0.5
        np.abs(r, out=r)
        return q, np.greater_equal(r, np.array(0.5 - margin))
    q = np.trunc(y)
    r = y - q  # in (−1, 1): the boundaries at 0 and ±1
    np.abs(r, out=r)
    r -= 0.5
    np.abs(r, out=r)
    return q, r >= 0.5 - margin


class RunningTotals(Sequence):
    """The running totals of a sum of K-place values, each made into Decimals when read: the same values
    and signs of zero as Decimal's, added left to right. Each is found from the nearer end, exactly: from
    the first part up, or back from the total (the step's value) by subtracting the parts after it."""

    def __init__(self, parts: Sequence[Fixed], total: Fixed | None, places: int) -> None:
        """`total` is the step's value when held as Fixed (the exact sum of every part), else None."""
        self.parts, self.total, self.places = parts, total, places
        self._made: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.parts)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        k = range(len(self))[k]
        if k == 0:
            return self.parts[0].decimals()
        if k == len(self) - 1 and self.total is not None:
            return self.total.decimals()
        if k not in self._made:
            self._made[k] = to_decimals(self._sum(k), self.places)
        return self._made[k]

    def digits(self, k: int) -> tuple[np.ndarray, Any] | None:
        """Running total k as `Fixed.digits` gives a value: the first part's own, later ones at exponent −K."""
        k = range(len(self))[k]
        if k == 0:
            return self.parts[0].digits()
        if k == len(self) - 1 and self.total is not None:
            return self.total.digits()
        return self._sum(k), -self.places

    def _sum(self, k: int) -> np.ndarray:
        """parts[0] + … + parts[k], exact: every mantissa and partial sum is an integer below 2^52."""
        parts, last = self.parts, len(self.parts) - 1
        if k <= last - k or self.total is None:
            acc = parts[0].m
            for i in range(1, k + 1):
                acc = acc + parts[i].m  # left to right, as Decimal: the same signs of zero
            return acc
        acc = self.total.m
        for i in range(last, k, -1):
            acc = acc - parts[i].m
        zero = acc == 0
        return _signed_zeros(acc, zero, parts, k) if zero.any() else acc


def _signed_zeros(acc: np.ndarray, zero: np.ndarray, parts: Sequence[Fixed], k: int) -> np.ndarray:
    """`acc` with the sign its zeros get from a left-to-right sum of parts[0..k]: −0 where every part is
    −0 (IEEE's rule, and Decimal's), else +0. Stops once every zero is known to be +0."""
    at = np.flatnonzero(zero)
    negative = np.ones(len(at), dtype=bool)
    for i in range(k + 1):
        seen = parts[i].m.reshape(-1)[at]
        negative &= (seen == 0) & np.signbit(seen)
        if not negative.any():
            break
    out = acc + 0.0  # every zero +0 (a subtraction's zero may be either)
    out.reshape(-1)[at[negative]] = -0.0
    return out


def _dec(v: Any) -> Any:
    return v.decimals() if type(v) is Fixed else v


class LazyStep(Step):
    """A Step whose Fixed inputs and value read as the Decimal arrays HandDecimal records."""

    __slots__ = ()

    @property
    def inputs(self) -> tuple:
        """The operands' values, as Decimals."""
        return tuple([_dec(v) for v in _getitem(self, 6)])

    @property
    def value(self) -> Any:
        """The result, as Decimals."""
        return _dec(_getitem(self, 7))

    def digits(self, n: int | None = None) -> tuple[np.ndarray, Any] | None:
        """`Fixed.digits` of operand n, or of the result (None); None for a value not held as Fixed."""
        v = _getitem(self, 7) if n is None else _getitem(self, 6)[n]
        return v.digits() if type(v) is Fixed else None

    def product_digits(self) -> tuple[np.ndarray, Any] | None:
        """`steps.row_products` of a matvec as digits: M[i, j]·v[j] (or M[j, i]·v[j] for Mᵀ·v), each
        product's mantissa and exponent the Decimal product's, exact (the engine formed them below 2^52)."""
        a, v = self.digits(0), self.digits(1)
        if a is None or v is None:
            return None
        (ma, ea), (mv, ev) = a, v
        if self[0] == "matvec_t":
            ma, ea = ma.T, (ea.T if type(ea) is np.ndarray else ea)
        return ma * mv[None, :], ea + (ev[None, :] if type(ev) is np.ndarray else ev)

    def partial_sums(self) -> Sequence:
        """`steps.partial_sums` of this step: running totals made as Decimals only where read."""
        parts = _getitem(self, 6)
        if len(parts) > 1 and all(type(p) is Fixed and (p.plain or i == 0) for i, p in enumerate(parts)):
            shape = parts[0].shape()
            if all(p.shape() == shape for p in parts):
                total = _getitem(self, 7)
                return RunningTotals(parts, total if type(total) is Fixed else None, parts[0].places)
        totals, acc = [], None
        for v in self.inputs:
            acc = v if acc is None else acc + v
            totals.append(acc)
        return totals

    def __reduce__(self):  # pickled as a plain Step of Decimals
        return Step, (self[0], self[1], self[2], self[3], self[4], self[5], self.inputs, self.value, self[8], self[9])
