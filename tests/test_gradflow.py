"""The gradient-flow report: norms equal direct computations; the shipped scenarios read as meant."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace import engine
from bptt_trace.cli import main
from bptt_trace.gradflow import gradient_flow
from bptt_trace.loader import load_scenario
from bptt_trace.render.chart import svg_chart, text_chart
from tests.conftest import ROOT
from tests.reference import reference


@pytest.mark.parametrize("name,reading", [("vanishing", "vanishing"), ("exploding", "exploding"),
                                          ("sentiment", "stable"), ("time_series", "stable")])
def test_norms_equal_direct_computations(name, reading):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    flow = gradient_flow(engine.run(sc), 1)
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
