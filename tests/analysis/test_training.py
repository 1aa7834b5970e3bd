"""Training: matches a plain numpy training loop, lowers the loss, saves a scenario to continue from."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.scenario.spec import PARAMETER_NAMES
from bptt_trace.analysis.training import train
from tests.conftest import ROOT
from tests.reference import reference

SENTIMENT = ROOT / "scenarios" / "sentiment.yaml"


def numpy_training(sc, epochs: int, update: str):
    """Train with the separately written reference BPTT, one update per epoch or per example."""
    params = {k: np.array(v, dtype=float) for k, v in sc.parameters.items() if k in PARAMETER_NAMES}
    losses = []
    batches = [None] if update == "batch" else [[k] for k in range(1, len(sc.examples) + 1)]
    for _ in range(epochs):
        epoch = []
        for batch in batches:
            ref = reference(sc, params, batch)
            epoch += [ex["loss"] for ex in ref["examples"]]
            params = ref["updated"]
        losses.append(epoch)
    return losses, params


@pytest.mark.parametrize("scenario", ["sentiment", "i_love_ai", "time_series"])
@pytest.mark.parametrize("update", ["batch", "example"])
def test_training_equals_a_plain_numpy_loop(scenario, update):
    sc = load_scenario(ROOT / "scenarios" / f"{scenario}.yaml")
    result = train(sc, 25, update)
    losses, params = numpy_training(sc, 25, update)
    assert np.allclose(result.losses, losses, rtol=1e-9, atol=1e-12)
    for p in PARAMETER_NAMES:
        assert np.allclose(result.parameters[p], params[p], rtol=1e-9, atol=1e-12), p


def test_training_lowers_the_sentiment_loss():
    result = train(load_scenario(SENTIMENT), 1000)
    assert result.epoch_losses[-1] < 0.05 < result.epoch_losses[0]
    (p1,), (p2,) = result.predictions
    assert p1 > 0.9 and p2 < 0.1
    assert len(result.traces) == 1 and result.traced_epoch == 1


def test_saved_scenario_continues_exactly(tmp_path):
    out = tmp_path / "after.yaml"
    result = CliRunner().invoke(main, ["train", str(SENTIMENT), "--epochs", "30", "--save", str(out), "--format", "json"])
    assert result.exit_code == 0
    saved = load_scenario(out)
    doc = json.loads(result.stdout)
    for p in PARAMETER_NAMES:
        assert np.array_equal(np.array(saved.parameters[p], dtype=float), np.array(doc["parameters"][p]))
    assert saved.examples == load_scenario(SENTIMENT).examples and saved.embeddings == load_scenario(SENTIMENT).embeddings
    once_more = train(saved, 10).losses
    assert np.allclose(once_more, train(load_scenario(SENTIMENT), 40).losses[30:], rtol=1e-12)
    again = CliRunner().invoke(main, ["train", str(SENTIMENT), "--epochs", "2", "--save", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr


def test_train_command_output():
    out = CliRunner().invoke(main, ["train", str(SENTIMENT), "--epochs", "50", "--trace-epoch", "3"]).stdout
    assert "Epoch 3: the worked calculation" in out and "Training: 50 epochs, batch updates" in out
    assert "Total loss per epoch, log scale:" in out and "epoch = 50" in out and "Predictions after training" in out
    example = CliRunner().invoke(main, ["train", str(SENTIMENT), "--epochs", "2", "--update", "example"]).stdout
    assert "Epoch 1, update 1 of 2 (example 1)" in example and "Epoch 1, update 2 of 2 (example 2)" in example
    bad = CliRunner().invoke(main, ["train", str(SENTIMENT), "--epochs", "2", "--trace-epoch", "3"])
    assert bad.exit_code == 2 and "--trace-epoch must be at most" in bad.stderr


def test_training_settings_in_the_scenario(write):
    text = SENTIMENT.read_text().replace("  reduction: sum", "  reduction: sum\n  epochs: 7\n  update: example")
    sc = load_scenario(write(text))
    assert (sc.epochs, sc.update) == (7, "example")
    doc = json.loads(CliRunner().invoke(main, ["train", str(write(text)), "--format", "json"]).stdout)
    assert len(doc["losses"]) == 7


def test_saved_scenario_keeps_truncation_and_clipping(tmp_path):
    from bptt_trace.scenario.writer import dump_scenario
    sc = load_scenario(ROOT / "scenarios" / "exploding.yaml")._replace(truncate=3)
    path = tmp_path / "s.yaml"
    path.write_text(dump_scenario(sc))
    again = load_scenario(path)
    assert (again.truncate, again.clip) == (3, sc.clip) and again.parameters == sc.parameters


def test_training_shows_its_progress_on_stderr_only(monkeypatch, capsys):
    import time

    from bptt_trace import watching
    from bptt_trace.watching import Watch

    class Tty(io.StringIO):
        def isatty(self):
            return True
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(watching, "SHOW_AFTER", 0)
    monkeypatch.setattr(watching, "POLL", 0.01)
    stderr = Tty()
    with Watch("training", 500, stream=stderr) as watch:
        watch.update(250)
        time.sleep(0.2)
    assert "training" in stderr.getvalue() and "50%" in stderr.getvalue()
    assert capsys.readouterr().out == ""  # never on stdout
    monkeypatch.setenv("CI", "true")
    stderr = Tty()
    with Watch("training", 500, stream=stderr) as watch:
        watch.update(250)
        time.sleep(0.1)
    assert stderr.getvalue() == ""  # no bar in CI logs
