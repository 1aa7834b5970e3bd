"""JSON output: canonical names only, values straight from the trace in full precision."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.render.json_out import document, render_json
from tests.conftest import ROOT


def test_many_to_many_has_a_loss_per_step_and_values_equal_the_trace():
    trace = run(load_scenario(ROOT / "scenarios" / "time_series.yaml"))
    doc = json.loads(render_json(trace, [1, 2]))
    values = doc["examples"][0]["values"]
    assert doc["examples"][1]["target"] == [0.5, 0.25, 0.125]
    assert values["loss"] == sum(values[f"loss[{t}]"] for t in range(1, 5))
    for name, v in values.items():
        assert np.array_equal(np.asarray(v), np.asarray(trace.value(name, 1))), name
    assert doc["total"]["loss"] == (values["loss"] + doc["examples"][1]["values"]["loss"]) / 2


def test_softmax_example_reports_class_target_and_probabilities():
    trace = run(load_scenario(ROOT / "scenarios" / "i_love_ai.yaml"))
    doc = document(trace, [1])
    ex = doc["examples"][0]
    assert ex["target"] == 0 and ex["values"]["y[3]"] == [1.0, 0.0]
    assert sum(ex["values"]["y_hat[3]"]) == 1.0 or abs(sum(ex["values"]["y_hat[3]"]) - 1) < 1e-15
    assert "W_xh·x[1]" not in ex["values"] and "dL/do[3] (chain)" not in ex["values"]


@pytest.mark.parametrize("scenario", ["sentiment", "i_love_ai", "time_series"])
@pytest.mark.parametrize("mode", ["float", "round", "truncate", "exact"])
def test_every_mode_writes_json_equal_to_its_trace(scenario, mode):
    from bptt_trace.analysis.drift import drift
    from bptt_trace.numbers.exact import Exact
    from bptt_trace.numbers.systems import HandDecimal
    sc = load_scenario(ROOT / "scenarios" / f"{scenario}.yaml")
    numbers = {"float": None, "round": HandDecimal(3), "truncate": HandDecimal(2, "truncate"), "exact": Exact()}[mode]
    trace = run(sc, numbers)
    chosen = list(range(1, len(sc.examples) + 1))
    rows = drift(trace, run(sc), chosen) if mode in ("round", "truncate") else None
    doc = json.loads(render_json(trace, chosen, rows))
    as_float = np.vectorize(float, otypes=[float])
    for entry in doc["examples"]:
        for name, v in entry["values"].items():
            assert np.array_equal(np.asarray(v), as_float(np.asarray(trace.value(name, entry["example"]), dtype=object)))
    for name, v in doc["updated"].items():
        assert np.array_equal(np.asarray(v), as_float(np.asarray(trace.value(f"{name}_new"), dtype=object)))
    assert ("drift" in doc) == (rows is not None) and ("symbols" in doc) == (mode == "exact")


@pytest.mark.parametrize("name", ["xor", "lstm_sentiment", "gru_sentiment", "birnn_sentiment"])
def test_the_other_networks_report_their_own_parameters_and_equal_plain_numpy(name):
    from click.testing import CliRunner

    from bptt_trace.cli import main
    from tests.reference_cells import reference
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    result = CliRunner().invoke(main, ["run", str(ROOT / "scenarios" / f"{name}.yaml"), "--format", "json"])
    doc, ref = json.loads(result.stdout), reference(sc)
    assert list(doc["updated"]) == list(sc.parameter_names)
    assert list(doc["total"]) == ["loss"] + [f"dL/d{p}" for p in sc.parameter_names]
    for p in sc.parameter_names:
        assert np.allclose(doc["updated"][p], ref["updated"][p], rtol=1e-12, atol=1e-15), p
    for k, values in enumerate(ref["examples"]):
        for key, want in values.items():
            assert np.allclose(doc["examples"][k]["values"][key], want, rtol=1e-12, atol=1e-15), key
