"""Hand-rounded arithmetic: against an independent Decimal hand calculation, and the issue's numbers."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from bptt_trace.networks.run import run
from bptt_trace.analysis.drift import drift
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.numbers.systems import HandDecimal
from tests.conftest import ROOT
from tests.hand_reference import hand_reference

SENTIMENT = ROOT / "scenarios" / "sentiment.yaml"


def D(*xs):
    return [Decimal(x) for x in xs]


def test_round_3_gives_the_students_numbers():
    trace = run(load_scenario(SENTIMENT), HandDecimal(3))
    assert list(trace.value("h[1]", 1)) == D("0.226", "0.310", "0.264")
    assert list(trace.value("h[2]", 1)) == D("0.402", "0.611", "0.572")
    assert list(trace.value("y_hat[6]", 1)) == D("0.685")
    assert trace.value("loss", 1) == Decimal("0.378")


def test_truncation_chops_digits():
    trace = run(load_scenario(SENTIMENT), HandDecimal(3, "truncate"))
    assert list(trace.value("h[1]", 1)) == D("0.226", "0.309", "0.263")
    assert list(trace.value("dL/do[6]", 1)) == D("-0.316")  # 0.684 - 1, and -0.316 chops to itself


@pytest.mark.parametrize("places", [2, 3, 4])
@pytest.mark.parametrize("mode", ["round", "truncate"])
def test_hand_mode_equals_an_independent_decimal_hand_calculation(places, mode):
    sc = load_scenario(SENTIMENT)
    trace = run(sc, HandDecimal(places, mode))
    ref = hand_reference(sc, places, mode)
    for k, values in enumerate(ref["examples"], start=1):
        for name, want in values.items():
            got = trace.value(name, k)
            assert np.array_equal(np.asarray(got, dtype=object), np.asarray(want, dtype=object)), (k, name)
    for name, want in ref["total"].items():
        assert np.array_equal(np.asarray(trace.value(name), dtype=object), np.asarray(want, dtype=object)), name
    for name, want in ref["updated"].items():
        assert np.array_equal(np.asarray(trace.value(f"{name}_new"), dtype=object), np.asarray(want, dtype=object))


def test_given_data_are_never_rounded(write):
    path = write(SENTIMENT.read_text().replace("b_h:  [0.1, 0.1, 0.1]", "b_h:  [0.12345, 0.1, 0.1]"))
    trace = run(load_scenario(path), HandDecimal(2))
    assert trace.value("b_h")[0] == Decimal("0.12345")
    assert trace.value("z[1]", 1)[0] == Decimal("0.13") + Decimal("0.12")  # the sum is written to 2 places


def test_drift_is_the_difference_from_full_precision():
    sc = load_scenario(SENTIMENT)
    hand, full = run(sc, HandDecimal(3)), run(sc)
    rows = drift(hand, full, [1, 2])
    by_name = {(r.name, r.example): r for r in rows}
    assert by_name[("loss", 1)].max_abs == pytest.approx(abs(0.378 - full.value("loss", 1)), abs=1e-15)
    grad = np.abs(np.asarray(hand.value("dL/dW_hh"), dtype=float) - full.value("dL/dW_hh")).max()
    assert by_name[("dL/dW_hh", None)].max_abs == pytest.approx(grad, abs=1e-15)
    assert all(r.max_abs < 0.01 for r in rows)


@pytest.mark.parametrize("values", [
    ((Fraction(1, 3), Fraction(2)), (Fraction(-7, 10), 1)), (Fraction(1, 10),), Fraction(5, 7), (), ((), ()),
    (1.5, 2), ("1.5",), [[1, 2], [3, 4]], (True, False), (Fraction(10**30, 3), Fraction(1, 10**30)),
    (2, Fraction(1, 3)), (Fraction(1, 3), 2),
])
def test_float64_arrays_are_what_numpy_makes_of_the_same_values(values):
    from bptt_trace.numbers.systems import Float64
    got, want = Float64().array(values), np.array(values, dtype=np.float64)
    assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want)


@pytest.mark.parametrize("value, finite", [
    (np.array([1.0, 2.0]), True), (np.array([np.inf]), False), (np.array([np.nan, 1.0]), False),
    (np.array([1e308, 1e308]), True), (np.array([-np.inf, np.inf]), False), (np.array([]), True),
    (1.5, True), (float("nan"), False), (np.float64("inf"), False), (np.array([[1e308], [1e308]]), True),
])
def test_float64_finite_is_every_entry_finite(value, finite):
    from bptt_trace.numbers.systems import Float64
    with np.errstate(all="ignore"):
        assert Float64().finite(value) is finite
