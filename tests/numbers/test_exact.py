"""Exact mode: exact linear steps, symbolic transcendental steps, values equal float64 to 1e-12."""

from __future__ import annotations


import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings

from bptt_trace.networks.run import run
from bptt_trace.numbers.exact import MAX_CHARS, Exact
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT
from tests.reference import overflows
from tests.strategies import scenarios


def as_float(v):
    return np.vectorize(float, otypes=[float])(np.asarray(v, dtype=object))


def assert_matches_float(sc):
    exact, full = run(sc, Exact()), run(sc)
    assert len(exact.steps) == len(full.steps)
    for s, f in zip(exact.steps, full.steps):
        assert (s.name, s.example) == (f.name, f.example)
        assert np.allclose(as_float(s.value), f.value, rtol=1e-12, atol=1e-14), s.name
    return exact


def test_sentiment_is_exact_where_it_can_be():
    exact = assert_matches_float(load_scenario(ROOT / "scenarios" / "sentiment.yaml"))
    z1 = exact.value("z[1]", 1)
    assert [v.expr for v in z1] == [sympy.Rational(23, 100), sympy.Rational(8, 25), sympy.Rational(27, 100)]
    assert exact.value("h[1]", 1)[0].expr == sympy.tanh(sympy.Rational(23, 100))
    for step in exact.steps:  # nothing written out is longer than a line
        for v in np.ravel(np.asarray(step.value, dtype=object)):
            assert v.expr.is_Rational or len(str(v.expr)) <= MAX_CHARS


@pytest.mark.parametrize("name", ["i_love_ai", "time_series"])
def test_shipped_scenarios_match_float(name):
    assert_matches_float(load_scenario(ROOT / "scenarios" / f"{name}.yaml"))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_scenarios_match_float(sc):
    assume(not overflows(sc))
    if sc.model.activation == "relu":  # at a kink float round-off can land either side of 0 (see below)
        full = run(sc)
        assume(all(np.all(np.abs(s.value) > 1e-9) for s in full.steps if s.name.startswith("z[")))
    assert_matches_float(sc)


def test_symbols_stand_for_their_definitions():
    numbers = Exact()
    run(load_scenario(ROOT / "scenarios" / "sentiment.yaml"), numbers)
    values = {sympy.Symbol(n): s.approx for n, s in numbers.symbols.items()}
    for s in list(numbers.symbols.values())[:40]:  # each definition evaluates to the symbol's value
        assert float(s.definition.evalf(30, subs=values)) == pytest.approx(float(s.approx), rel=1e-12)


def test_at_a_relu_kink_exact_arithmetic_knows_z_is_zero(write):
    """0.1 + 0.2 − 0.3 is 5.6e-17 in float64, so relu′ is 1 there; exactly it is 0, and so is relu′."""
    path = write("name: kink\nmodel: {hidden_size: 1, activation: relu, output: identity, loss: mse}\n"
                 "parameters: {W_xh: [[1, 1, -1]], W_hh: [[0.5]], b_h: [0], W_hy: [[1]], b_y: [0]}\n"
                 "examples:\n  - inputs: [[0.1, 0.2, 0.3]]\n    target: 1\n")
    sc = load_scenario(path)
    exact, full = run(sc, Exact()), run(sc)
    assert exact.value("z[1]", 1)[0].expr == 0 and float(exact.value("dh/dz[1]", 1)[0]) == 0.0
    assert 0 < full.value("z[1]", 1)[0] < 1e-16 and full.value("dh/dz[1]", 1)[0] == 1.0
