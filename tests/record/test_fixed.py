"""The scaled-integer machinery of the fast hand engine, against `decimal` itself: rounding half up
(away from zero) and toward zero, signs of zero, Decimal conversion both ways, and tanh/sigmoid results
next to rounding boundaries recomputed exactly."""

from __future__ import annotations

import decimal
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bptt_trace.numbers.systems import HandDecimal
from bptt_trace.record.fixed import (LIMIT, Fixed, RunningTotals, fraction_mantissas, mantissas, quantize_float,
                                     round_scaled, to_decimals)
from bptt_trace.record.hand_recorder import HandRecorder
from bptt_trace.record.recorder import Recorder
from bptt_trace.record.steps import Trace
from tests.record.hand_twins import written

RULE = {"round": decimal.ROUND_HALF_UP, "truncate": decimal.ROUND_DOWN}


def quantized(x: float, shift: int, places: int, mode: str) -> Decimal:
    """x·10^-(places+shift), quantized to `places` by decimal itself."""
    d = Decimal(f"{x:.0f}E-{places + shift}")
    return d.quantize(Decimal(1).scaleb(-places), rounding=RULE[mode])


@settings(max_examples=400, deadline=None)
@given(st.integers(-(2 ** 51), 2 ** 51), st.integers(1, 12), st.sampled_from(["round", "truncate"]))
def test_rounding_scaled_integers_matches_decimal(i, shift, mode):
    x = np.array([float(i)])
    got = round_scaled(x, shift, mode)
    want = quantized(float(i), shift, 3, mode)
    assert str(to_decimals(got, 3)[0]) == str(want)


@pytest.mark.parametrize("mode", ["round", "truncate"])
def test_ties_round_away_from_zero_truncation_goes_toward_zero_and_zero_keeps_its_sign(mode):
    # at 10^-6 from 10^-3: ±0.0005 is a tie, ±0.0004 rounds to a signed zero, ±0 stays as it is
    x = np.array([500.0, -500.0, 1500.0, -1500.0, 499.0, -499.0, 400.0, -400.0, 0.0, -0.0, 999.0, -999.0])
    got = [str(d) for d in to_decimals(round_scaled(x, 3, mode), 3)]
    want = [str(quantized(v, 3, 3, mode)) for v in x]
    assert got == want
    assert got[7] == "-0.000" and got[9] == "-0.000" and got[8] == "0.000"
    if mode == "round":
        assert got[:4] == ["0.001", "-0.001", "0.002", "-0.002"]
    else:
        assert got[:4] == ["0.000", "-0.000", "0.001", "-0.001"]


def test_decimals_round_trip_through_mantissas_with_their_signs_and_exponents():
    ds = np.array([Decimal("-0.000"), Decimal("0.100"), Decimal("12.5"), Decimal("-7"), Decimal("0E+2")], dtype=object)
    m = mantissas(ds, 3)
    assert m.tolist() == [0.0, 100.0, 12500.0, -7000.0, 0.0] and math.copysign(1, m[0]) == -1
    assert [str(d) for d in to_decimals(m, 3)] == ["-0.000", "0.100", "12.500", "-7.000", "0.000"]
    assert [str(d) for d in to_decimals(np.array([-0.0, 5.0]), 0)] == ["-0", "5"]


def test_values_off_the_grid_or_too_large_are_not_fixed():
    assert mantissas(np.array([Decimal("0.0005")], dtype=object), 3) is None
    assert mantissas(np.array([Decimal("1E+20")], dtype=object), 3) is None
    assert mantissas(np.array([Decimal("NaN")], dtype=object), 3) is None
    assert mantissas(np.array([1.5]), 3) is None  # floats are not this system's values
    assert fraction_mantissas((Fraction(1, 3),), 3) is None
    m, top = fraction_mantissas((Fraction(1, 8), -2), 3)
    assert m.tolist() == [125.0, -2000.0] and top == 2000
    m, top = fraction_mantissas(((Fraction(1, 4),), (Fraction(-1, 2),)), 2)
    assert m.tolist() == [[25.0], [-50.0]] and top == 50
    assert fraction_mantissas(((1, 2), (3,)), 2) is None and fraction_mantissas((), 2) is None
    assert fraction_mantissas((10 ** 17,), 0) is None


def test_quantize_float_marks_values_near_a_boundary():
    y = np.array([2.4999999999, 2.5000000001, 2.3, -2.5, 3.0000000001, 7.6])
    q, near = quantize_float(y, "round", 1e-6)
    assert near.tolist() == [True, True, False, True, False, False] and q[2] == 2 and q[5] == 8
    q, near = quantize_float(y, "truncate", 1e-6)
    assert near.tolist() == [False, False, False, False, True, False] and q[5] == 7


def _activations(places: int, mode: str, fn: str, zs: list[Decimal]) -> list:
    """f(zs) and f′ from it, recorded by the fast recorder and by the Decimal one, as written strings."""
    num = HandDecimal(places, mode)
    out = []
    for rec in (HandRecorder(Trace(None, num.name), num), Recorder(Trace(None, num.name), num)):
        with num.context():
            a = rec.activation("a", fn, rec.given("z", np.array(zs, dtype=object)))
            rec.derivative("d", fn, a)
        out.append([written(s.value) for s in rec.trace.steps])
    return out


@pytest.mark.parametrize("places", [0, 1, 2, 3])
@pytest.mark.parametrize("mode", ["round", "truncate"])
@pytest.mark.parametrize("fn", ["tanh", "sigmoid"])
def test_every_grid_point_of_tanh_and_sigmoid_rounds_as_decimal(places, mode, fn):
    # every K-place z in [−6, 6] (and some far out): values near each boundary are among them
    step = Decimal(1).scaleb(-places)
    n = int(6 / step)
    zs = [step * k for k in range(-n, n + 1, max(1, n // 3000))] + [Decimal(v) for v in ("-0", "150", "-150", "700",
                                                                                          "-700", "35", "-35")]
    fast, slow = _activations(places, mode, fn, zs)
    assert fast == slow


@pytest.mark.parametrize("mode", ["round", "truncate"])
def test_inputs_whose_tanh_or_sigmoid_sit_on_a_boundary(mode):
    # z chosen so that tanh(z) and sigmoid(z) fall within 1e-7 of x.xxx5 or of x.xxx at K = 3 and 4
    zs = []
    for places in (3, 4):
        for target in (0.1235, 0.5, 0.7615, 0.25, 0.9, 0.99995):
            for f in (math.atanh, lambda y: math.log(y / (1 - y))):
                zs.append(Decimal(repr(round(f(target), 7))))
    for places in (3, 4, 7):
        for fn in ("tanh", "sigmoid"):
            fast, slow = _activations(places, mode, fn, zs)
            assert fast == slow


def test_limit_leaves_room_for_rounding():
    assert LIMIT + 10 ** 12 < 2 ** 53


def test_the_boundary_cases_are_recomputed_by_decimal(monkeypatch):
    seen = []
    original = HandRecorder._exactly

    def counting(self, fn, name, z, q, near):
        seen.append((fn, int(near.sum())))
        return original(self, fn, name, z, q, near)
    monkeypatch.setattr(HandRecorder, "_exactly", counting)
    _activations(0, "round", "sigmoid", [Decimal(0), Decimal(3)])  # sigmoid(0) = 0.5: a tie at K = 0
    _activations(3, "truncate", "tanh", [Decimal(150), Decimal("0.5")])  # tanh(150) is just below 1
    _activations(3, "round", "tanh", [Decimal("-0.000"), Decimal("0.5")])  # tanh(−0): +0 in HandDecimal
    assert seen == [("sigmoid", 1), ("tanh", 1), ("tanh", 1)]


_zeros_and_small = st.sampled_from([0.0, -0.0, 0.0, -0.0, 1.0, -1.0, 2.0, -3.0, 7.0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_zeros_and_small, min_size=3, max_size=3), min_size=2, max_size=12), st.booleans())
def test_running_totals_from_either_end_are_the_left_to_right_sums_with_their_signs_of_zero(rows, with_total):
    parts = [Fixed(np.array(r), 3) for r in rows]
    sums, acc = [], None
    for p in parts:
        acc = p.m if acc is None else acc + p.m
        sums.append(acc)
    totals = RunningTotals(parts, Fixed(sums[-1], 3) if with_total else None, 3)
    assert len(totals) == len(parts)
    for k in [*range(len(parts)), *reversed(range(len(parts)))]:
        assert [str(d) for d in totals[k]] == [str(d) for d in to_decimals(sums[k], 3)], k


def test_given_mantissas_kept_by_entry_are_the_ones_worked_out_afresh():
    known: dict = {}
    third, half = Fraction(1, 3), Fraction(-1, 2)
    rows = [(half, Fraction(3, 10), 2), (Fraction(3, 10), half, -7), (half, third)]
    for row in rows * 2:
        again, fresh = fraction_mantissas(row, 3, known), fraction_mantissas(row, 3)
        assert (again is None and fresh is None) or (again[0].tobytes() == fresh[0].tobytes() and again[1] == fresh[1])
    assert known[id(third)] == (third, None) and known[id(half)] == (half, -500)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(-(2 ** 52) + 1, 2 ** 52 - 1), st.integers(-999, 999), st.just("-0")),
                min_size=1, max_size=40),
       st.integers(0, 24))
def test_mantissas_become_the_decimals_with_exactly_their_digits_and_signs_of_zero(entries, places):
    """`to_decimals` (a float division and a K-place format below 2^52, else Decimal's own text) gives each
    mantissa's Decimal m·10^-K: the same digits, exponent and sign as Decimal builds from the integer."""
    m = np.array([-0.0 if e == "-0" else float(e) for e in entries])
    want = [Decimal((1 if (math.copysign(1, v) < 0) else 0, tuple(map(int, str(abs(int(v))))), -places))
            for v in m.tolist()]
    got = to_decimals(m, places).tolist()
    assert [(str(d), d.as_tuple()) for d in got] == [(str(d), d.as_tuple()) for d in want]


def _digits_of(d: Decimal) -> tuple[float, int]:
    """A Decimal's own mantissa (as a float) and exponent."""
    t = d.as_tuple()
    return float(int(d.scaleb(-t.exponent))), t.exponent


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-99999, 99999), st.integers(0, 4)), min_size=1, max_size=30), st.integers(0, 6))
def test_a_givens_digits_are_the_ones_handdecimal_writes_it_with(entries, places):
    """`Fixed.digits` of a given (`shortest_digits`) is each entry's mantissa and exponent as `HandDecimal.const`
    makes its Decimal (0.130 → 13, −2; 2 → 2, 0; 0 → 0, 0), without making it."""
    values = tuple(Fraction(n, 10 ** min(k, places)) for n, k in entries)
    m, top = fraction_mantissas(values, places)
    numbers = HandDecimal(places)
    given = Fixed(m, places, top, src=lambda: numbers.array(values))
    own, exponent = given.digits()
    want = [_digits_of(d) for d in numbers.array(values).tolist()]
    assert list(zip(own.tolist(), exponent.tolist())) == want
    assert given.digits() is given.digits()  # worked out once


def test_digits_of_a_result_are_its_mantissas_and_of_decimals_given_as_such_are_not_known():
    result = Fixed(np.array([130.0, -0.0, 5.0]), 3)
    m, e = result.digits()
    assert m is result.m and e == -3
    decimals = np.array([Decimal("0.10"), Decimal("2")], dtype=object)
    assert Fixed(mantissas(decimals, 3), 3, dec=decimals).digits() is None  # its own exponents: read from it


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_zeros_and_small, min_size=3, max_size=3), min_size=2, max_size=12), st.booleans())
def test_running_totals_digits_are_those_of_their_decimals(rows, with_total):
    parts = [Fixed(np.array(r), 3) for r in rows]
    total = np.sum([p.m for p in parts], axis=0)
    totals = RunningTotals(parts, Fixed(total, 3) if with_total else None, 3)
    for k in range(len(parts)):
        m, e = totals.digits(k)
        assert [str(Decimal(int(v)).scaleb(e)) for v in m.tolist()] == \
            [str(d.copy_abs()) if d.is_zero() else str(d) for d in totals[k]], k


@pytest.mark.parametrize("name", ["sentiment", "lstm_sentiment", "birnn_sentiment"])
def test_a_matvecs_product_digits_are_those_of_its_decimal_products(name):
    """`LazyStep.product_digits` of every matvec is `row_products` of its Decimals: each product's mantissa and
    exponent (the sum of its factors', a given's own digits kept)."""
    from bptt_trace.networks.run import run
    from bptt_trace.record.fixed import LazyStep
    from bptt_trace.record.steps import row_products
    from bptt_trace.scenario.loader import load_scenario
    from tests.conftest import ROOT
    trace = run(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), HandDecimal(3))
    seen = 0
    for step in trace.steps:
        if step.op in ("matvec", "matvec_t") and type(step) is LazyStep:
            got = step.product_digits()
            if got is None:  # an operand given as Decimals (their own exponents): read from them
                continue
            m, e = got[0], np.broadcast_to(got[1], got[0].shape)
            assert list(zip(m.ravel().tolist(), e.ravel().tolist())) == [_digits_of(d) for d in row_products(step).ravel()]
            seen += 1
    assert seen > 10
