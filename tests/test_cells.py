"""The LSTM, GRU, MLP and bidirectional RNN against plain numpy and 50-digit finite differences."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from bptt_trace import engine
from bptt_trace.loader import load_scenario
from tests.conftest import ROOT
from tests.highprec_cells import mpf, total_loss
from tests.reference_cells import reference
from tests.strategies import cell_scenarios

CELLS = ("lstm", "gru", "mlp", "birnn")
SHIPPED = ("lstm_sentiment", "gru_sentiment", "birnn_sentiment", "xor", "regression", "lstm_long")


def _assert_matches(trace, ref) -> None:
    for k, values in enumerate(ref["examples"], start=1):
        for name, want in values.items():
            np.testing.assert_allclose(np.asarray(trace.value(name, k), dtype=float), want, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{name} (example {k})")
    for name, want in ref["total"].items():
        np.testing.assert_allclose(np.asarray(trace.value(name), dtype=float), want, rtol=1e-9, atol=1e-12, err_msg=name)
    for name, want in ref["updated"].items():
        np.testing.assert_allclose(np.asarray(trace.value(f"{name}_new"), dtype=float), want, rtol=1e-9, atol=1e-12,
                                   err_msg=name)


@pytest.mark.parametrize("cell", CELLS)
def test_engine_equals_plain_numpy_on_random_scenarios(cell):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cell_scenarios(cell))
    def check(sc):
        with np.errstate(all="ignore"):
            ref = reference(sc)
        _assert_matches(engine.run(sc), ref)
    check()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_equal_plain_numpy(name):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    _assert_matches(engine.run(sc), reference(sc))


@pytest.mark.parametrize("cell", CELLS)
def test_every_gradient_equals_finite_differences(cell):
    """Each entry of every parameter's gradient against a central difference in 50-digit arithmetic."""
    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cell_scenarios(cell))
    def check(sc):
        trace = engine.run(sc)
        P = {k: [[mpf(c) for c in row] if isinstance(row, tuple) else mpf(row) for row in v]
             for k, v in sc.parameters.items()}
        eps = mp.mpf(10) ** -20
        for name, value in P.items():
            grad = np.asarray(trace.value(f"dL/d{name}"), dtype=float)
            for index in np.ndindex(grad.shape):
                bumped = {k: [list(r) if isinstance(r, list) else r for r in v] for k, v in P.items()}

                def at(delta):
                    row = bumped[name]
                    if len(index) == 2:
                        row[index[0]][index[1]] = P[name][index[0]][index[1]] + delta
                    else:
                        row[index[0]] = P[name][index[0]] + delta
                    return total_loss(sc, bumped)
                fd = float((at(eps) - at(-eps)) / (2 * eps))
                assert abs(grad[index] - fd) <= 1e-9 * max(1.0, abs(fd)), (name, index, grad[index], fd)
    check()
