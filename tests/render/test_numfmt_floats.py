"""The float fast path of `NumberFormat.plain` writes what the general steps write, for every kind of float."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from bptt_trace.render.numfmt import HUGE, NumberFormat, _minus


def general(x: float, d: int) -> str:
    """`plain`'s steps for a number, as written before the fast path (the reference)."""
    if abs(x) >= HUGE:
        return _minus(f"{float(x):.{max(d, 1)}e}".replace("e+0", "e+"))
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    r = round(x, d)
    if r == 0 and x != 0:
        return _minus(f"{x:.{max(d - 1, 1)}e}".replace("e-0", "e-").replace("e+0", "e+"))
    if abs(x - r) <= 1e-12 * max(1.0, abs(x)):
        return _minus(f"{r:.{d}f}".rstrip("0").rstrip("."))
    return _minus(f"{x:.{d}f}")


def floats() -> list[float]:
    rng = random.Random(7)
    special = [0.0, -0.0, 1.0, -1.0, 0.5, 0.0005, -0.0005, 0.00049, 1e-9, -1e-9, 2.675, 1.0005, 0.1 + 0.2,
               HUGE, -HUGE, HUGE * 0.999, 1e300, math.inf, -math.inf, math.nan, 123456.789, -0.0004999]
    return special + [rng.uniform(-2, 2) for _ in range(3000)] + [rng.choice([-1, 1]) * 10 ** rng.uniform(-8, 16)
                                                                   for _ in range(3000)] + \
        [round(rng.uniform(-1, 1), rng.randint(0, 5)) for _ in range(2000)]


@pytest.mark.parametrize("decimals,extra", [(3, 0), (3, 1), (0, 0), (1, 0), (6, 0), (15, 1)])
def test_the_float_path_writes_what_the_general_steps_write(decimals: int, extra: int) -> None:
    fmt = NumberFormat(decimals)
    for x in floats():
        assert fmt.plain(x, extra) == general(x, decimals + extra), x
        assert fmt.plain(np.float64(x), extra) == general(x, decimals + extra), x
