"""The decimals asked (issue 12): more digits never loosen or tighten; fewer are imprecise unless right."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bptt_trace.numbers.tolerance import Tolerance

ASKED = Tolerance(asked=3)


@pytest.mark.parametrize("text,expected,verdict", [
    ("0.5", 0.5002, "correct"), ("0.3", 0.281, "imprecise"), ("0.2", 0.281, "imprecise"),  # rounded, truncated
    ("0.4", 0.281, "off"), ("1", 0.378, "off"), ("0", -0.031, "off"), ("0", 0.0004, "correct"),
    ("0.28123456789012345", 0.2812345678901234, "correct"), ("0.2814", 0.2809, "correct"),
    ("0.282", 0.2809, "off"), ("-1/0.685", -1 / 0.685 + 4e-4, "correct"), ("1/3", 0.3345, "off"),
])
def test_judge(text, expected, verdict):
    from bptt_trace.numbers.written import parse_number
    assert ASKED.judge(float(parse_number(text)), expected, text) == verdict


@given(st.floats(-100, 100), st.integers(3, 17), st.integers(3, 17))
def test_more_digits_never_loosen(x, d1, d2):
    lo, hi = sorted((d1, d2))
    t_lo, t_hi = f"{x:.{lo}f}", f"{x:.{hi}f}"
    for expected in (x, x + 0.0009, x - 0.0011, x + 0.5):
        if ASKED.close(float(t_hi), expected, t_hi):  # a value written to more digits is closer to x
            assert abs(float(t_hi) - expected) <= 1e-3 + 1e-9 * max(1, abs(x)) + 1e-12


def test_a_hand_rounded_key_widens_to_its_own_unit_and_non_finite_values():
    t = Tolerance(asked=3, key_unit=1e-3)
    assert t.close(0.4255, 0.424, "0.4255") and not Tolerance(asked=3).close(0.4255, 0.424, "0.4255")
    assert ASKED.judge(float("inf"), float("inf"), "1e999") == "correct"
    assert ASKED.judge(float("nan"), 0.5, "nan") == "off" and ASKED.judge(0.5, float("nan"), "0.5") == "off"


def test_explicit_tolerances_ignore_the_decimals_asked():
    assert Tolerance.parse("abs=0.01").close(0.3, 0.309, "0.3")
    assert Tolerance("decimals", 2).close(0.3, 0.309, "0.3") and Tolerance().describe()
    assert "3 decimals asked" in ASKED.describe()
