"""The gradient-flow report: norms equal direct computations; the shipped scenarios read as meant."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace.networks.run import run
from bptt_trace.cli import main
from bptt_trace.analysis.gradient_flow import gradient_flow
from bptt_trace.render.gradflow_view import kept_share
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.render.chart import svg_chart, text_chart
from tests.conftest import ROOT
from tests.reference import reference
from tests.reference_cells import reference as reference_cells


@pytest.mark.parametrize("name,reading", [("vanishing", "vanishing"), ("exploding", "exploding"),
                                          ("sentiment", "stable"), ("time_series", "stable")])
def test_norms_equal_direct_computations(name, reading):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    flow = gradient_flow(run(sc), 1)
    ref = reference(sc)["examples"][0]
    T = sc.examples[0].steps
    assert np.allclose(flow.dh_norms, [np.linalg.norm(ref[f"dL/dh[{t}]"]) for t in range(1, T + 1)], rtol=1e-9, atol=0)
    W = np.array(sc.parameters["W_hh"], dtype=float)
    act = sc.model.activation
    slope = {t: (1 - ref[f"h[{t}]"] ** 2) if act == "tanh" else (ref[f"z[{t}]"] > 0).astype(float) if act == "relu"
             else ref[f"h[{t}]"] * (1 - ref[f"h[{t}]"]) for t in range(1, T + 1)}
    for t in (1, T // 2, T - 1, T):
        jacobians = [np.diag(slope[k]) @ W for k in range(T, t, -1)]
        direct = np.linalg.multi_dot(jacobians) if len(jacobians) > 1 else jacobians[0] if jacobians else np.eye(len(W))
        assert flow.jacobian_norms[t - 1] == pytest.approx(np.linalg.norm(direct, 2), rel=1e-9)
    assert np.allclose(flow.singular_values, np.linalg.svd(W, compute_uv=False))
    assert flow.spectral_radius == pytest.approx(max(abs(np.linalg.eigvals(W))))
    assert flow.reading == reading


def test_charts():
    lines = text_chart([1, 2, 3, 4], [1e-3, 1e-2, 1e-1, 1.0], width=20, height=4)
    assert lines[0] == " 1e0 |   *" and lines[3] == "1e-3 |*   "
    svg = svg_chart("a <b> & c", list(range(1, 51)), {"one": [10.0 ** -k for k in range(50)], "two": [1.0] * 50})
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    polylines = root.findall(f"{ns}polyline")
    assert len(polylines) == 2 and len(polylines[0].get("points").split()) == 50
    assert root.find(f"{ns}text").text == "a <b> & c"


def test_gradients_command(tmp_path):
    out = tmp_path / "flow.svg"
    scenario = str(ROOT / "scenarios" / "vanishing.yaml")
    result = CliRunner().invoke(main, ["gradients", scenario, "-o", str(out)])
    assert result.exit_code == 0 and "Reading: vanishing" in result.stdout
    ET.fromstring(out.read_text())
    again = CliRunner().invoke(main, ["gradients", scenario, "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr
    doc = json.loads(CliRunner().invoke(main, ["gradients", scenario, "--format", "json"]).stdout)
    assert doc["reading"] == "vanishing" and len(doc["dh_norms"]) == 50 and doc["jacobian_norms"][-1] == 1.0
    assert CliRunner().invoke(main, ["gradients", "--help"]).exit_code == 0


def _numeric_jacobian(step, s: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    return np.stack([(step(s + eps * e) - step(s - eps * e)) / (2 * eps) for e in np.eye(len(s))], axis=1)


@pytest.mark.parametrize("name", ["lstm_sentiment", "gru_sentiment", "lstm_long"])
def test_gated_jacobian_products_equal_numeric_jacobians_of_a_plain_step(name):
    """Each J_t against central differences of a numpy step; their product's norm is the report's."""
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    trace, ref = run(sc), reference_cells(sc)["examples"][0]
    P = {k: np.array(v, dtype=float) for k, v in sc.parameters.items()}
    xs = [None] + [np.array(x, dtype=float) for x in sc.examples[0].inputs]
    H, T = sc.model.hidden_size, sc.examples[0].steps
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731

    def step(t):
        def lstm(s):
            h, c = s[:H], s[H:]
            gate = {k: P[f"W_{k}"] @ xs[t] + P[f"U_{k}"] @ h + P[f"b_{k}"] for k in "fico"}
            c = sig(gate["f"]) * c + sig(gate["i"]) * np.tanh(gate["c"])
            return np.concatenate([sig(gate["o"]) * np.tanh(c), c])

        def gru(h):
            u = sig(P["W_u"] @ xs[t] + P["U_u"] @ h + P["b_u"])
            r = sig(P["W_r"] @ xs[t] + P["U_r"] @ h + P["b_r"])
            return (1 - u) * h + u * np.tanh(P["W_h"] @ xs[t] + P["U_h"] @ (r * h) + P["b_h"])
        return lstm if sc.model.cell == "lstm" else gru
    state = {t: np.concatenate([ref[f"h[{t}]"], ref[f"c[{t}]"]]) if sc.model.cell == "lstm" else ref[f"h[{t}]"]
             for t in range(1, T + 1)}
    state[0] = np.zeros(2 * H if sc.model.cell == "lstm" else H)
    flow = gradient_flow(trace, 1)
    product = np.eye(len(state[0]))
    for t in range(T, 1, -1):
        product = product @ _numeric_jacobian(step(t), state[t - 1])
        assert flow.jacobian_norms[t - 2] == pytest.approx(np.linalg.norm(product, 2), rel=1e-6)
    assert flow.dh_norms == pytest.approx([np.linalg.norm(ref[f"dL/dh[{t}]"]) for t in range(1, T + 1)], rel=1e-9)
    if sc.model.cell == "lstm":
        assert flow.dc_norms == pytest.approx([np.linalg.norm(ref[f"dL/dc[{t}]"]) for t in range(1, T + 1)], rel=1e-9)


def test_the_cell_state_keeps_the_gradient_that_the_vanilla_rnn_loses():
    """The same fifty inputs: the vanilla RNN's δh vanishes; the LSTM's δc keeps its size."""
    rnn = gradient_flow(run(load_scenario(ROOT / "scenarios" / "vanishing.yaml")), 1)
    lstm = gradient_flow(run(load_scenario(ROOT / "scenarios" / "lstm_long.yaml")), 1)
    assert rnn.steps == lstm.steps == list(range(1, 51))
    assert kept_share(rnn, rnn.dh_norms) < 1e-20 and rnn.reading == "vanishing"
    assert kept_share(lstm, lstm.dc_norms) > 0.5 and lstm.reading == "stable"
    assert kept_share(lstm, lstm.dc_norms) > 10 * kept_share(lstm, lstm.dh_norms)
    result = CliRunner().invoke(main, ["gradients", str(ROOT / "scenarios" / "lstm_long.yaml")])
    assert result.exit_code == 0
    assert "cell state ‖δc_1‖/‖δc_50‖ = 1.278" in " ".join(result.stdout.split())
    assert "‖∂[h_50; c_50]/∂[h_t; c_t]‖" in result.stdout


def test_the_report_refuses_a_network_without_a_recurrent_state():
    result = CliRunner().invoke(main, ["gradients", str(ROOT / "scenarios" / "xor.yaml")])
    assert result.exit_code == 2 and "rnn, lstm and gru" in result.stderr and "Traceback" not in result.output


def test_a_bidirectional_rnn_gets_one_report_per_direction(tmp_path):
    """Left to right from T back to 1, right to left from 1 back to T; norms against plain numpy."""
    from bptt_trace.analysis.gradient_flow import gradient_flows
    sc = load_scenario(ROOT / "scenarios" / "birnn_sentiment.yaml")
    fw, bw = gradient_flows(run(sc), 1)
    ref = reference_cells(sc)["examples"][0]
    T = sc.examples[0].steps
    for flow, d in ((fw, "fw"), (bw, "bw")):
        assert flow.direction == d
        assert flow.dh_norms == pytest.approx([np.linalg.norm(ref[f"dL/dh_{d}[{t}]"]) for t in range(1, T + 1)], rel=1e-9)
        W = np.array(sc.parameters[f"W_hh_{d}"], dtype=float)
        J = {t: np.diag(1 - ref[f"h_{d}[{t}]"] ** 2) @ W for t in range(1, T + 1)}
        for t in range(1, T + 1):
            chain = [J[k] for k in (range(T, t, -1) if d == "fw" else range(1, t))]
            direct = np.linalg.multi_dot(chain) if len(chain) > 1 else chain[0] if chain else np.eye(len(W))
            assert flow.jacobian_norms[t - 1] == pytest.approx(np.linalg.norm(direct, 2), rel=1e-9), (d, t)
        assert flow.singular_values == pytest.approx(np.linalg.svd(W, compute_uv=False).tolist())
    assert bw.path == list(range(1, T + 1)) and fw.path == list(range(T, 0, -1))
    result = CliRunner().invoke(main, ["gradients", str(ROOT / "scenarios" / "birnn_sentiment.yaml"),
                                       "-o", str(tmp_path / "f.svg"), "--format", "json"])
    doc = json.loads(result.stdout)
    assert [d["direction"] for d in doc] == ["fw", "bw"] and doc[1]["jacobian_norms"][0] == 1.0
    assert len(ET.fromstring((tmp_path / "f.svg").read_text()).findall("{http://www.w3.org/2000/svg}polyline")) == 4
    text = CliRunner().invoke(main, ["gradients", str(ROOT / "scenarios" / "birnn_sentiment.yaml")]).stdout
    assert "(right to left), example 1" in text and "‖∂h_bw,1/∂h_bw,t‖" in text


@pytest.mark.parametrize("name", ["lstm_long", "gru_sentiment"])
def test_each_gated_jacobian_carries_bptt_back_one_step(name):
    """δs_(t−1) = J_tᵀ·δs_t to 1e-12, with the engine's own BPTT (checked elsewhere against finite
    differences): for an LSTM s = [h; c], and the δ of c held apart from h's is δc_(t+1) ⊙ f_(t+1)."""
    from bptt_trace.analysis.gradient_flow import _gru_jacobian, _lstm_jacobian
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    trace, T = run(sc), sc.examples[0].steps

    def v(n, k=1):
        return np.asarray(trace.value(n, k), dtype=float)
    lstm = sc.model.cell == "lstm"

    def state_delta(t):
        if not lstm:
            return v(f"dL/dh[{t}]")
        later = v(f"dL/dc[{t + 1}]") * v(f"f[{t + 1}]") if t < T else np.zeros(sc.model.hidden_size)
        return np.concatenate([v(f"dL/dh[{t}]"), later])
    for t in range(T, 1, -1):
        J = (_lstm_jacobian if lstm else _gru_jacobian)(v, t)
        assert np.allclose(J.T @ state_delta(t), state_delta(t - 1), rtol=1e-12, atol=1e-15), t
