"""The one number formatter, used by every renderer and message, so all show the same digits."""

from __future__ import annotations

import decimal
import math
from decimal import Decimal
from typing import Any, NamedTuple


HUGE = 1e15  # from here on a number is written in scientific notation
_CACHE_SIZE = 200_000  # numbers formatted and kept, by format: beyond this the cache starts again
_FORMATTED: dict[tuple, str] = {}
_WIDE = decimal.Context(prec=60, Emax=10 ** 6, Emin=-10 ** 6)  # scaleb by it is exact


class NumberFormat(NamedTuple):
    """Shows results to `decimals` places; numbers with no more decimals than that are shown exactly.

    `0.13` stays `0.13`, `0.22602835` becomes `0.226`, a non-zero value too small to show
    becomes `1.23e-5` rather than a misleading `0.000`. Hand-rounded decimals keep the digits
    they were written with (`0.310`); exact values show their exact form, and `≈ value`
    to `digits` significant digits when that form is not a rational number.
    """

    decimals: int = 3
    digits: int = 6

    def __call__(self, x: Any, extra: int = 0) -> str:
        """Format one number; `extra` adds decimals (products inside a dot product use 1)."""
        if type(x) not in _PLAIN_TYPES and _exact(x):
            return self.exact(x)
        # a long trace repeats its numbers (weights at every step): each is formatted once. A Decimal is
        # known by its text, which keeps the digits it was written with (0.10 is not 0.1 here)
        key = (self, extra, str(x) if type(x) is Decimal else x)
        text = _FORMATTED.get(key)
        if text is None:
            if len(_FORMATTED) > _CACHE_SIZE:
                _FORMATTED.clear()
            text = _FORMATTED[key] = self.plain(x, extra)
        return text

    def plain(self, x: Any, extra: int = 0) -> str:
        """Format one number, not exact, without the cache."""
        d = self.decimals + extra
        if isinstance(x, float):  # float and numpy's float64, the same steps below, faster
            return _float_text(float(x), d)
        if abs(x) >= HUGE and (not isinstance(x, Decimal) or x.is_finite()):  # not hundreds of digits: 2.580e+306
            return _minus(f"{float(x):.{max(d, 1)}e}".replace("e+0", "e+"))
        if isinstance(x, Decimal) and x.is_finite() and -x.as_tuple().exponent <= d:
            return _minus(format(x, "f"))
        x = float(x)
        if math.isnan(x) or math.isinf(x):
            return str(x)
        r = round(x, d)
        if r == 0 and x != 0:
            return _minus(f"{x:.{max(d - 1, 1)}e}".replace("e-0", "e-").replace("e+0", "e+"))
        if abs(x - r) <= 1e-12 * max(1.0, abs(x)):
            s = f"{r:.{d}f}".rstrip("0").rstrip(".")
        else:
            s = f"{x:.{d}f}"
        return _minus(s)

    def scaled(self, m: float, e: int, extra: int = 0) -> str:
        """`plain` of the Decimal m·10^e (m an integer-valued float below 2^53), without making it."""
        k, d = -int(e), self.decimals + extra
        if k < 0 or k >= len(_POWERS) or abs(m) >= _EXACT:
            return self.plain(_decimal(m, e), extra)
        i = int(m)
        if abs(i) >= 10 ** (15 + k):  # at least HUGE: scientific notation, as `plain` writes it
            return self.plain(_decimal(m, e), extra)
        if k == 0:
            return str(i)
        if k > d:  # more decimals than shown: `plain`'s float steps on float(m·10^e), which m/10^k is
            return _float_text(m / _POWERS[k], d)
        text = str(abs(i)).rjust(k + 1, "0")
        text = f"{text[:-k]}.{text[-k:]}"
        return "-" + text if i < 0 else text  # a zero's sign is not written

    def term(self, x: Any, extra: int = 0) -> str:
        """A number inside a substituted formula: exact values as their exact form only, no `≈`."""
        if type(x) not in _PLAIN_TYPES and _exact(x):
            return str(x.expr).replace("**", "^").replace("*", "·")
        return self(x, extra)

    def exact(self, x: Any) -> str:
        """An exact value: `23/100`, or `tanh(23/100) ≈ 0.226028`."""
        written = str(x.expr).replace("**", "^").replace("*", "·")
        if x.expr.is_Rational:
            return written
        return f"{written} ≈ {self.exact_value(x.approx)}"

    def exact_value(self, approx: Any) -> str:
        """An exact value's decimal approximation, to `digits` significant digits."""
        import mpmath
        return _minus(mpmath.nstr(approx, self.digits))

    def vector(self, values: Any, extra: int = 0) -> str:
        """`[0.1, 0.2, 0.3]`."""
        return "[" + ", ".join(self(v, extra) for v in values) + "]"


_PLAIN_TYPES: set[type] = set()  # types seen without an exact form (float, numpy's float64, Decimal): no test again


def _exact(x: Any) -> bool:
    """Whether x is an exact value (it has an `expr`); a type found without one is remembered."""
    if hasattr(x, "expr"):
        return True
    if type(x).__dict__.get("expr") is None and not hasattr(type(x), "__getattr__"):
        _PLAIN_TYPES.add(type(x))
    return False


_FIXED = [f".{d}f" for d in range(40)]
_POWERS = [10.0 ** k for k in range(23)]  # exact powers of ten
_EXACT = 2.0 ** 53  # integers below this are exact in float64


def _decimal(m: float, e: int) -> Decimal:
    """The Decimal m·10^e (the rare digits `NumberFormat.scaled` leaves to `plain`)."""
    return Decimal(int(m)).scaleb(int(e), _WIDE)


def _float_text(x: float, d: int) -> str:
    """`NumberFormat.plain` of a float: the same branches in the same order, with the format specs made once."""
    ax = abs(x)
    if ax >= HUGE or x != x or ax == math.inf or d >= len(_FIXED):
        return _float_slow(x, d)
    r = round(x, d)
    if r == 0 and x != 0:
        return _minus(f"{x:.{max(d - 1, 1)}e}".replace("e-0", "e-").replace("e+0", "e+"))
    if abs(x - r) <= 1e-12 * max(1.0, ax):
        s = format(r, _FIXED[d]).rstrip("0").rstrip(".")
    else:
        s = format(x, _FIXED[d])
    return s[1:] if s.startswith("-") and s.strip("-0.") == "" else s


def _float_slow(x: float, d: int) -> str:
    """The rare floats: huge, infinite or not a number, or with very many decimals (as `plain` writes them)."""
    if abs(x) >= HUGE:
        return _minus(f"{x:.{max(d, 1)}e}".replace("e+0", "e+"))
    if math.isnan(x) or math.isinf(x):
        return str(x)
    r = round(x, d)
    if r == 0 and x != 0:
        return _minus(f"{x:.{max(d - 1, 1)}e}".replace("e-0", "e-").replace("e+0", "e+"))
    s = f"{r:.{d}f}".rstrip("0").rstrip(".") if abs(x - r) <= 1e-12 * max(1.0, abs(x)) else f"{x:.{d}f}"
    return _minus(s)


def _minus(s: str) -> str:
    """Negative zero is written without its sign (`-0` as `0`, a hand-rounded `-0.000` as `0.000`).

    The sign stays an ASCII hyphen so that numbers copied from the screen parse again.
    """
    return s[1:] if s.startswith("-") and s.strip("-0.") == "" else s
