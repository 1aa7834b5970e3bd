"""Truncated BPTT: k ≥ T is full BPTT; truncated gradients equal finite differences of the truncated
objective; the trace shows where chains are cut and what the cut was worth."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.record.names import is_reported
from tests.conftest import ROOT
from tests.highprec import truncated_loss
from tests.reference import overflows
from tests.strategies import scenarios
from tests.networks.test_rnn import _fd, _mp

TIME_SERIES = ROOT / "scenarios" / "time_series.yaml"


def test_k_at_least_T_is_full_bptt():
    sc = load_scenario(TIME_SERIES)
    full = run(sc)
    for k in (4, 5, 100):
        trace = run(sc._replace(truncate=k))
        for s in full.steps:
            if is_reported(s.name) or s.example is None:
                assert np.array_equal(np.asarray(trace.value(s.name, s.example)), np.asarray(s.value)), s.name


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(1, 4))
def test_truncated_gradients_equal_finite_differences_of_the_truncated_objective(sc, k):
    assume(not overflows(sc))
    sc = sc._replace(truncate=k)
    trace = run(sc)
    if sc.model.activation == "relu":
        assume(all(np.all(np.abs(s.value) > 1e-9) for s in trace.steps if s.name.startswith("z[")))
    params = {n: [[_mp(c) for c in row] for row in v] if isinstance(v[0], tuple) else [_mp(c) for c in v]
              for n, v in sc.parameters.items()}
    for name in params:
        grad = _fd(lambda p, name=name: truncated_loss(sc, {**params, name: p}, params, k), params[name])
        total = trace.value(f"dL/d{name}")
        assert np.allclose(total, grad, rtol=1e-9, atol=1e-11), name


def test_the_trace_shows_the_cuts_and_their_worth():
    sc = load_scenario(TIME_SERIES)._replace(truncate=2)
    trace = run(sc, examples=[1])
    cuts = [s.name for s in trace.steps if s.name.endswith(", cut)")]
    # loss 2's window (k = 2) is steps 1-2 from h[0]: it reaches dL/dh[0], as it does when T ≤ k (issue 15)
    assert cuts == ["dL/dh[2] (loss 4, cut)", "dL/dh[1] (loss 3, cut)"]
    assert [s.name for s in trace.steps if s.name.startswith("dL/dh[0] (")] == ["dL/dh[0] (loss 2)", "dL/dh[0] (loss 1)"]
    full = run(sc._replace(truncate=None), examples=[1])
    for g in ("W_xh", "W_hh", "b_h"):
        assert np.allclose(trace.value(f"dL/d{g} (cut off)", 1), full.value(f"dL/d{g}", 1) - trace.value(f"dL/d{g}", 1))
    assert not np.allclose(trace.value("dL/dW_hh (cut off)", 1), 0)


def test_answers_for_a_truncated_scenario_are_marked(tmp_path):
    from bptt_trace.marking.answers import load_answers
    from bptt_trace.marking.checker import Checker
    from bptt_trace.numbers.systems import Float64
    from bptt_trace.numbers.tolerance import Tolerance
    sc = load_scenario(ROOT / "scenarios" / "sentiment.yaml")._replace(truncate=2)
    trace = run(sc)
    path = tmp_path / "a.yaml"
    path.write_text("answers:\n  dL/dh[3]: [0.050, 0.000, 0.000]\n  dL/dh[5]: [0.000, 0.000, 0.000]\n")
    verdicts = {v.name: v.verdict for v in Checker(trace, Float64(), Tolerance()).check(load_answers(path)).verdicts}
    assert verdicts == {"dL/dh[3]": "wrong", "dL/dh[5]": "wrong"}  # δh_3 is 0 here; δh_5 is not


def test_dL_dh0_follows_one_rule_whether_T_is_above_k_or_not():
    """Two examples whose first two steps are the same, of lengths 2 (≤ k, full BPTT) and 3 (> k): with
    k = 2 the losses at steps 1-2 send the same gradient into h[0], and loss 3 sends none."""
    sc = load_scenario(TIME_SERIES)._replace(truncate=2)
    first = sc.examples[0]
    short = first._replace(inputs=first.inputs[:2], targets=first.targets[:2])
    longer = first._replace(inputs=first.inputs[:3], targets=first.targets[:3])
    trace = run(sc._replace(examples=(short, longer)))
    assert short.steps == 2 <= sc.truncate < longer.steps == 3
    assert np.allclose(trace.value("dL/dh[0]", 1), trace.value("dL/dh[0]", 2), rtol=0, atol=1e-15)
    assert not trace.has("dL/dh[0] (loss 3)", 2) and trace.has("dL/dh[1] (loss 3, cut)", 2)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(1, 4))
def test_dL_dh0_equals_finite_differences_of_the_truncated_objective_in_h0(sc, k):
    assume(not overflows(sc))
    sc = sc._replace(truncate=k, examples=sc.examples[:1])
    trace = run(sc)
    if sc.model.activation == "relu":
        assume(all(np.all(np.abs(s.value) > 1e-9) for s in trace.steps if s.name.startswith("z[")))
    params = {n: [[_mp(c) for c in row] for row in v] if isinstance(v[0], tuple) else [_mp(c) for c in v]
              for n, v in sc.parameters.items()}
    grad = _fd(lambda h0: truncated_loss(sc, params, params, k, h0), [_mp(c) for c in sc.h0])
    assert np.allclose(trace.value("dL/dh[0]", 1), grad, rtol=1e-9, atol=1e-11)
