"""Chain-rule paths: their sum equals the BPTT gradient, each path is the product of its factors."""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.analysis.paths import OUTPUT_PARAMS, PARAMS, chain_paths, parse_target
from tests.conftest import ROOT
from tests.reference import overflows
from tests.strategies import scenarios


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_paths_add_up_to_bptt_on_random_scenarios(sc):
    assume(not overflows(sc))
    trace = run(sc)
    chosen = list(range(1, len(sc.examples) + 1))
    for param in PARAMS:
        report = chain_paths(trace, param, None, chosen)
        for ex in report.examples:
            assert ex.agrees and np.allclose(ex.total, trace.value(f"dL/d{param}", ex.example), rtol=1e-9, atol=1e-12)
            steps = sc.examples[ex.example - 1].steps
            n_out = len(sc.loss_steps(sc.examples[ex.example - 1]))
            if param in OUTPUT_PARAMS:  # one path per loss: the output weights are used at the output only
                assert len(ex.paths) == n_out
            else:
                assert len(ex.paths) == (steps * (steps + 1) // 2 if n_out > 1 else steps)


def test_every_paths_factors_are_named_from_its_loss_down_to_its_use():
    """With an output at every step, the path from the loss at s to the use at j names dL/dy_hat[s],
    dy_hat/do[s], do[s]/dh[s], each dh[t]/dh[t-1] for t = s down to j + 1, then dh[j]/dPARAM."""
    sc = load_scenario(ROOT / "scenarios" / "time_series.yaml")
    assert len(sc.loss_steps(sc.examples[0])) > 2
    for param in ("W_hh", "W_xh", "b_h"):
        paths = chain_paths(run(sc), param, None, [1]).examples[0].paths
        assert {(p.output_step, p.use_step) for p in paths} == \
            {(s, j) for s in sc.loss_steps(sc.examples[0]) for j in range(1, s + 1)}
        for path in paths:
            s, j = path.output_step, path.use_step
            assert path.factors == (f"dL/dy_hat[{s}]", f"dy_hat/do[{s}]", f"do[{s}]/dh[{s}]",
                                    *[f"dh[{t}]/dh[{t - 1}]" for t in range(s, j, -1)], f"dh[{j}]/d{param}")


def test_a_path_is_the_product_of_its_written_factors():
    trace = run(load_scenario(ROOT / "scenarios" / "sentiment.yaml"))
    report = chain_paths(trace, "W_hh", (0, 1), [1])
    path = next(p for p in report.examples[0].paths if p.use_step == 4)
    assert path.factors == ("dL/dy_hat[6]", "dy_hat/do[6]", "do[6]/dh[6]", "dh[6]/dh[5]", "dh[5]/dh[4]", "dh[4]/dW_hh")
    v = lambda n: np.asarray(trace.value(n, 1), dtype=float)  # noqa: E731
    W_hh, W_hy = trace.value("W_hh"), trace.value("W_hy")
    J = lambda t: np.diag(v(f"dh/dz[{t}]")) @ W_hh  # noqa: E731
    row = v("dL/dy_hat[6]") @ np.diag(v("dy_hat/do[6]")) @ W_hy @ J(6) @ J(5)
    dh4_dWhh_12 = np.zeros(3)
    dh4_dWhh_12[0] = v("dh/dz[4]")[0] * v("h[3]")[1]
    assert path.value == pytest.approx(float(row @ dh4_dWhh_12), rel=1e-12)
    # many-to-one: the paths through step j are exactly BPTT's contribution of step j
    assert path.value == pytest.approx(trace.value("dL/dW_hh[4]", 1)[0, 1], rel=1e-12)


@pytest.mark.parametrize("text,message", [("W_yy", "expected one of"), ("W_hh[0,1]", "entries count from 1"),
                                          ("b_h[1,2]", "entries count from 1"), ("W_xh[1]", "entries count from 1")])
def test_bad_targets(text, message):
    with pytest.raises(ValueError, match=message):
        parse_target(text, {"W_hh": (3, 3), "W_xh": (3, 3), "b_h": (3,)})
