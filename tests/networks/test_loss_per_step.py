"""`loss[t]` at every step of a many-to-many example, however short, with `loss` their sum."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT

TIME_SERIES = ROOT / "scenarios" / "time_series.yaml"


SHORT = TIME_SERIES.read_text().replace("  - inputs: [[0.2], [0.4], [0.6], [0.8]]\n    target: [0.4, 0.6, 0.8, 1.0]",
                                         "  - inputs: [[0.2]]\n    target: [0.4]")


def _short(tmp_path):
    """time_series with its first example cut to one step."""
    path = tmp_path / "short.yaml"
    path.write_text(SHORT)
    return load_scenario(path)


def test_a_many_to_many_example_of_length_one_records_loss_1(tmp_path):
    sc = _short(tmp_path)
    assert sc.examples[0].steps == 1 and sc.model.outputs_at == "every"
    trace = run(sc)
    assert trace.has("loss[1]", 1) and trace.has("loss", 1)
    assert np.array_equal(trace.value("loss", 1), trace.value("loss[1]", 1))
    longer = sc.examples[1].steps
    parts = [trace.value(f"loss[{t}]", 2) for t in range(1, longer + 1)]
    assert np.isclose(trace.value("loss", 2), sum(parts), rtol=1e-15)


def test_a_many_to_one_example_still_has_only_loss():
    trace = run(load_scenario(ROOT / "scenarios" / "sentiment.yaml"))
    assert trace.has("loss", 1) and not any(n.startswith("loss[") for n in trace.names(1))


@pytest.mark.parametrize("args", [["run", "{f}", "--format", "json"], ["run", "{f}"], ["export", "{f}", "-o", "-"],
                                  ["template", "{f}", "-o", "-"]])
def test_every_command_shows_loss_1_for_the_short_example(args, tmp_path):
    _short(tmp_path)
    result = CliRunner().invoke(main, [a.format(f=tmp_path / "short.yaml") for a in args])
    assert result.exit_code == 0, result.output
    if args[-1] == "json":
        values = json.loads(result.stdout)["examples"][0]["values"]
        assert values["loss[1]"] == values["loss"]
    elif args[0] == "template":
        assert '"loss[1]": ~' in result.stdout
    else:
        assert "loss_1 = " in result.stdout or "\\text{loss}_{1} = " in result.stdout, result.stdout[:3000]
