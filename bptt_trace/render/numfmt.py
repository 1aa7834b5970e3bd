"""The one number formatter, used by every renderer and message, so all show the same digits."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class NumberFormat:
    """Shows results to `decimals` places; numbers with no more decimals than that are shown exactly.

    `0.13` stays `0.13`, `0.22602835` becomes `0.226`, a non-zero value too small to show
    becomes `1.23e-05` rather than a misleading `0.000`.
    """

    decimals: int = 3

    def __call__(self, x: float, extra: int = 0) -> str:
        """Format one number; `extra` adds decimals (products inside a dot product use 1)."""
        d = self.decimals + extra
        x = float(x)
        if math.isnan(x) or math.isinf(x):
            return str(x)
        r = round(x, d)
        if r == 0 and x != 0:
            return f"{x:.{max(d - 1, 1)}e}".replace("e-0", "e-").replace("e+0", "e+")
        if abs(x - r) <= 1e-12 * max(1.0, abs(x)):
            s = f"{r:.{d}f}".rstrip("0").rstrip(".")
        else:
            s = f"{x:.{d}f}"
        return "0" if s in ("-0", "") else s.replace("-", "−")

    def vector(self, values, extra: int = 0) -> str:
        """`[0.1, 0.2, 0.3]`."""
        return "[" + ", ".join(self(v, extra) for v in values) + "]"
