"""A scenario's `check:` section: decimals asked, tolerance, points, shares of credit."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bptt_trace.errors import InputError
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import SENTIMENT


def test_check_settings(write):
    sc = load_scenario(write(SENTIMENT + "check:\n  decimals: 4\n  tolerance: abs=0.01\n"
                             "  points: {default: 2, h: 3, dL/dW_hh: 1/2}\n  carried_forward: 0.5\n  imprecise: 1/4\n"))
    c = sc.check
    assert (c.decimals, c.tolerance, c.points) == (4, "abs=0.01", 2)
    assert dict(c.per_quantity) == {"h": 3, "dL/dW_hh": Fraction(1, 2)}
    assert (c.carried_forward, c.imprecise) == (Fraction(1, 2), Fraction(1, 4))
    assert sc.display.tolerance == "abs=0.01"
    assert load_scenario(write(SENTIMENT + "check:\n  points: 5\n")).check.points == 5
    default = load_scenario(write(SENTIMENT)).check
    assert (default.decimals, default.points, default.carried_forward, default.imprecise) == (None, 1, 1, 0)


@pytest.mark.parametrize("body,message", [
    ("decimals: 30", "check.decimals"), ("decimals: x", "check.decimals"), ("points: -1", "check.points"),
    ("points: {h: many}", "check.points.h"), ("carried_forward: 3/2", "share of the points"),
    ("imprecise: x", "check.imprecise"), ("decimal: 3", "did you mean 'decimals'"), ("tolerance: close", "check.tolerance"),
])
def test_bad_check_settings(write, body, message):
    with pytest.raises(InputError) as info:
        load_scenario(write(SENTIMENT + f"check:\n  {body}\n"))
    assert message in info.value.describe()
