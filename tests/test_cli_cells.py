"""The command line on the other networks: every mode runs, and what is offered only for the
vanilla RNN is refused with a message and exit code 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from tests.conftest import ROOT

NETWORKS = ["xor", "regression", "lstm_sentiment", "gru_sentiment", "birnn_sentiment"]


@pytest.mark.parametrize("options", [[], ["--round", "3"], ["--round", "2", "--round-mode", "truncate"],
                                     ["--notation", "uvw"], ["--example", "2", "--full"]])
@pytest.mark.parametrize("name", NETWORKS)
def test_every_mode_runs(name, options):
    result = CliRunner().invoke(main, ["run", str(ROOT / "scenarios" / f"{name}.yaml"), *options])
    assert result.exit_code == 0, result.output
    assert "Update: W ← W − η·∂L/∂W" in result.stdout and "Traceback" not in result.output


@pytest.mark.parametrize("name", ["xor", "lstm_sentiment", "birnn_sentiment"])
def test_chain_rule_paths_are_for_the_vanilla_rnn(name):
    result = CliRunner().invoke(main, ["run", str(ROOT / "scenarios" / f"{name}.yaml"), "--paths", "W_hh"])
    assert result.exit_code == 2 and "one-directional vanilla RNN" in result.stderr and result.stdout == ""


def test_the_title_names_the_network():
    out = {n: CliRunner().invoke(main, ["run", str(ROOT / "scenarios" / f"{n}.yaml")]).stdout.splitlines()[0]
           for n in NETWORKS}
    assert "MLP 2-2-1 with sigmoid hidden layer, sigmoid output, bce loss" in out["xor"]
    assert "MLP 1-3-1 with tanh hidden layer, identity output, mse loss" in out["regression"]
    assert "LSTM with 2 units" in out["lstm_sentiment"] and "GRU with 2 units" in out["gru_sentiment"]
    assert "bidirectional RNN with tanh hidden layer" in out["birnn_sentiment"]
