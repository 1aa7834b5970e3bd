"""The engine against the lecture's numbers, a plain numpy BPTT, and 50-digit finite differences."""

from __future__ import annotations


import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from bptt_trace.networks.run import run
from bptt_trace.errors import ArithmeticFault
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.record.names import is_reported
from bptt_trace.record.steps import partial_sums, row_products
from tests.conftest import ROOT
from tests.highprec import total_loss
from tests.reference import overflows, reference
from tests.strategies import scenarios


TOL = dict(rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def sentiment():
    return run(load_scenario(ROOT / "scenarios" / "sentiment.yaml"))


def test_sentiment_forward_matches_the_lecture(sentiment):
    assert np.allclose(sentiment.value("h[1]", 1), [0.2260, 0.3095, 0.2636], atol=5e-5)
    assert np.allclose(sentiment.value("h[2]", 1), [0.4020, 0.6104, 0.5723], atol=5e-5)
    assert sentiment.value("y_hat[6]", 1)[0] == pytest.approx(0.6852, abs=5e-5)
    assert sentiment.value("loss", 1) == pytest.approx(-np.log(sentiment.value("y_hat[6]", 1)[0]), rel=1e-15)
    assert sentiment.value("loss", 1) == pytest.approx(0.3780, abs=5e-5)
    assert sentiment.value("dL/do[6]", 1)[0] == pytest.approx(0.6852 - 1, abs=5e-5)


def test_sentiment_matvec_rows_keep_their_products(sentiment):
    step = sentiment.step("W_xh·x[1]", 1)
    assert np.allclose(row_products(step)[0], [0.02, 0.08, 0.03], **TOL)
    assert np.allclose(row_products(step).sum(axis=1), step.value, **TOL)
    back = sentiment.step("dL/dh[5]", 1)
    assert np.allclose(row_products(back).sum(axis=1), back.value, **TOL)
    assert np.allclose(step.value, [0.13, 0.22, 0.17], **TOL)


def test_chain_rule_form_equals_simplified_delta(sentiment):
    for k, t in ((1, 6), (2, 4)):
        assert np.allclose(sentiment.value(f"dL/do[{t}] (chain)", k), sentiment.value(f"dL/do[{t}]", k), **TOL)


def test_running_sums_accumulate_from_the_last_step(sentiment):
    step = sentiment.step("dL/dW_xh", 1)
    assert step.operands == tuple(f"dL/dW_xh[{t}]" for t in range(6, 0, -1))
    running = partial_sums(step)
    assert np.allclose(running[1], sentiment.value("dL/dW_xh[6]", 1) + sentiment.value("dL/dW_xh[5]", 1), **TOL)
    assert np.allclose(running[-1], sentiment.value("dL/dW_xh", 1), **TOL)
    assert np.allclose(partial_sums(sentiment.step("dL/db_h", 2))[-1], sentiment.value("dL/db_h", 2), **TOL)


def test_repeated_word_gradient_is_summed():
    sc = load_scenario(ROOT / "scenarios" / "sentiment.yaml")
    trace = run(sc)
    ex = sc.examples[0]
    for word in set(ex.tokens):
        want = sum(trace.value(f"dL/dx[{t}]", 1) for t in range(1, ex.steps + 1) if ex.tokens[t - 1] == word)
        assert np.allclose(trace.value(f"dL/de[{word}]", 1), want, **TOL)


def _compare(trace, sc):
    ref = reference(sc)
    for k, values in enumerate(ref["examples"], start=1):
        for name, want in values.items():
            assert np.allclose(trace.value(name, k), want, **TOL), (k, name)
        reported = {n for n in trace.names(k) if is_reported(n)}
        assert set(values) <= reported
    for name, want in ref["total"].items():
        assert np.allclose(trace.value(name), want, **TOL), name
    for name, want in ref["updated"].items():
        assert np.allclose(trace.value(f"{name}_new"), want, **TOL), name


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_engine_equals_plain_numpy_on_random_scenarios(sc):
    try:
        trace = run(sc)
    except ArithmeticFault:  # reported, never printed; only where float64 really leaves the finite range
        assert overflows(sc)
        return
    assert not overflows(sc)
    _compare(trace, sc)


@pytest.mark.parametrize("name", ["sentiment", "i_love_ai", "time_series"])
def test_shipped_scenarios_equal_plain_numpy(name):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    _compare(run(sc), sc)


def _mp(q):
    return mp.mpf(q.numerator) / q.denominator


def _fd(f, base, eps=mp.mpf("1e-20")):
    """Central difference of f over every entry of a nested list of mpf."""
    out = []
    for i, v in enumerate(base):
        if isinstance(v, list):
            out.append(_fd(lambda inner, i=i: f(base[:i] + [inner] + base[i + 1:]), v, eps))
        else:
            up = f(base[:i] + [v + eps] + base[i + 1:])
            down = f(base[:i] + [v - eps] + base[i + 1:])
            out.append(float((up - down) / (2 * eps)))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_gradient_equals_finite_differences(sc):
    assume(not overflows(sc))
    trace = run(sc)
    if sc.model.activation == "relu":  # finite differences are undefined at the kink
        assume(all(np.all(np.abs(s.value) > 1e-9) for s in trace.steps if s.name.startswith("z[")))
    params = {k: [[_mp(c) for c in row] for row in v] if isinstance(v[0], tuple) else [_mp(c) for c in v]
              for k, v in sc.parameters.items()}
    for name in params:
        grad = _fd(lambda p, name=name: total_loss(sc, {**params, name: p}), params[name])
        assert np.allclose(trace.value(f"dL/d{name}"), grad, rtol=1e-9, atol=1e-11), name
    n = len(sc.examples) if sc.reduction == "mean" else 1
    inputs = [[[_mp(c) for c in x] for x in ex.inputs] for ex in sc.examples]
    grad_x = _fd(lambda xs: total_loss(sc, params, inputs=[xs] + inputs[1:]), inputs[0])
    for t, g in enumerate(grad_x, start=1):
        assert np.allclose(trace.value(f"dL/dx[{t}]", 1) / n, g, rtol=1e-9, atol=1e-11), t
    if len(sc.examples) == 1:
        grad_h0 = _fd(lambda h: total_loss(sc, params, h0=h), [_mp(c) for c in sc.h0])
        assert np.allclose(trace.value("dL/dh[0]", 1), grad_h0, rtol=1e-9, atol=1e-11)


def test_overflow_is_reported_not_printed_as_nan(tmp_path):
    text = (ROOT / "scenarios" / "sentiment.yaml").read_text().replace("W_hy: [[0.3, 0.2, 0.4]]",
                                                                      "W_hy: [[900, 900, 900]]")
    path = tmp_path / "big.yaml"
    path.write_text(text)
    with pytest.raises(ArithmeticFault, match="overflowed or is not a number"):
        run(load_scenario(path))


def test_example_subset_totals_use_only_that_example():
    sc = load_scenario(ROOT / "scenarios" / "sentiment.yaml")
    trace = run(sc, examples=[2])
    assert trace.value("loss") == pytest.approx(trace.value("loss", 2), rel=1e-15)
    assert not trace.has("loss", 1)


def test_a_saturated_sigmoid_is_reported_like_theoverflows(write):
    """relu doubles h at each step, ŷ = σ(40) rounds to 1, and -ln(1 - ŷ) is infinite in float64."""
    path = write("name: saturated\nmodel: {hidden_size: 2, activation: relu, output: sigmoid, loss: bce, outputs_at: every}\n"
                 "parameters: {W_xh: [[0, -2, 0], [0, 0, 0]], W_hh: [[2, 0], [0, 0]], b_h: [0, 0], W_hy: [[0, 0], [1, 0]],"
                 " b_y: [0, 0]}\nexamples:\n  - inputs: [[0, -5, 0], [0, 0, 0], [0, 0, 0]]\n    target: [[0, 0], [0, 0], [0, 0]]\n")
    sc = load_scenario(path)
    assert overflows(sc)
    with pytest.raises(ArithmeticFault, match=r"loss\[3\] \(example 1, step 3\) overflowed"):
        run(sc)
