"""The LSTM, GRU, MLP and bidirectional RNN against plain numpy and 50-digit finite differences."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from bptt_trace.networks.run import run
from bptt_trace.errors import ArithmeticFault
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT
from tests.highprec_cells import mpf, total_loss
from tests.reference_cells import reference
from tests.strategies import cell_scenarios

CELLS = ("lstm", "gru", "mlp", "birnn")
SHIPPED = ("lstm_sentiment", "gru_sentiment", "birnn_sentiment", "xor", "regression", "lstm_long")


def _overflows(ref: dict) -> bool:
    values = [v for ex in ref["examples"] for v in ex.values()] + list(ref["total"].values())
    return not all(np.all(np.isfinite(v)) for v in values)


def _fd(f, base: list, eps=mp.mpf(10) ** -20) -> list:
    """Central difference of f over every entry of a nested list of mpf."""
    out = []
    for i, v in enumerate(base):
        if isinstance(v, list):
            out.append(_fd(lambda inner, i=i: f(base[:i] + [inner] + base[i + 1:]), v, eps))
        else:
            out.append(float((f(base[:i] + [v + eps] + base[i + 1:]) - f(base[:i] + [v - eps] + base[i + 1:])) / (2 * eps)))
    return out


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
        try:
            trace = run(sc)
        except ArithmeticFault:  # reported, never printed; only where float64 really leaves the finite range
            assert _overflows(ref)
            return
        _assert_matches(trace, ref)
    check()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_equal_plain_numpy(name):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    _assert_matches(run(sc), reference(sc))


@pytest.mark.parametrize("cell", CELLS)
def test_every_gradient_equals_finite_differences(cell):
    """Every parameter's gradient, the inputs' and the initial state's, against central differences
    in 50-digit arithmetic."""
    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cell_scenarios(cell))
    def check(sc):
        with np.errstate(all="ignore"):
            assume(not _overflows(reference(sc)))
        trace = run(sc)
        # finite differences are undefined at a relu kink
        assume(all(np.all(np.abs(s.value) > 1e-9) for s in trace.steps if s.op == "add" and s.name.startswith("z")))
        P = {k: [[mpf(c) for c in row] if isinstance(row, tuple) else mpf(row) for row in v]
             for k, v in sc.parameters.items()}
        for name in P:
            grad = _fd(lambda p, name=name: total_loss(sc, {**P, name: p}), P[name])
            np.testing.assert_allclose(trace.value(f"dL/d{name}"), grad, rtol=1e-9, atol=1e-11, err_msg=name)
        n = len(sc.examples) if sc.reduction == "mean" else 1
        inputs = [[[mpf(c) for c in x] for x in ex.inputs] for ex in sc.examples]
        grad_x = _fd(lambda xs: total_loss(sc, P, inputs=[xs] + inputs[1:]), inputs[0])
        names = ["dL/dx"] if cell == "mlp" else [f"dL/dx[{t}]" for t in range(1, len(grad_x) + 1)]
        for name, g in zip(names, grad_x):
            np.testing.assert_allclose(trace.value(name, 1) / n, g, rtol=1e-9, atol=1e-11, err_msg=name)
        if len(sc.examples) == 1 and cell == "birnn":  # h0 starts both directions
            grad = _fd(lambda v: total_loss(sc, P, start={"h0": v}), [mpf(c) for c in sc.h0])
            both = trace.value("dL/dh_fw[0]", 1) + trace.value(f"dL/dh_bw[{sc.examples[0].steps + 1}]", 1)
            np.testing.assert_allclose(both, grad, rtol=1e-9, atol=1e-11)
        if len(sc.examples) == 1 and cell in ("lstm", "gru"):
            for state in ("h0", "c0") if cell == "lstm" else ("h0",):
                base = [mpf(c) for c in (getattr(sc, state) or [0] * sc.model.hidden_size)]
                grad = _fd(lambda v, state=state: total_loss(sc, P, start={state: v}), base)
                np.testing.assert_allclose(trace.value(f"dL/d{state[0]}[0]", 1), grad, rtol=1e-9, atol=1e-11)
    check()


@pytest.mark.parametrize("cell", CELLS)
def test_random_scenarios_of_every_network_render_in_every_format(cell):
    """Every op of a random network renders in the terminal, Markdown and LaTeX, and as JSON."""
    import json

    from bptt_trace.render.blocks import Answers
    from bptt_trace.render.documents import LatexWriter, MarkdownWriter
    from bptt_trace.render.json_out import render_json
    from bptt_trace.render.terminal import TerminalWriter
    from bptt_trace.render.worksheet import Worksheet

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cell_scenarios(cell))
    def check(sc):
        try:
            trace = run(sc)
        except ArithmeticFault:
            return
        examples = list(range(1, len(sc.examples) + 1))
        blocks = list(Worksheet().build(trace, examples))
        assert sum(1 for line in TerminalWriter(100).write(blocks)) > 20
        assert "Update" in MarkdownWriter(Answers()).write(blocks, sc.name)
        assert r"\begin{document}" in LatexWriter(Answers()).write(blocks, sc.name)
        doc = json.loads(render_json(trace, examples))
        assert list(doc["updated"]) == list(sc.parameter_names)
    check()
