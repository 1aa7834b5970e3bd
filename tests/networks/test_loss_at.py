"""`outputs_at: every` with `loss_at: last`: an output at every step, the loss at the last only."""

from __future__ import annotations

import numpy as np
import pytest

from bptt_trace.errors import InputError
from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT


def variant(write, name: str, every: bool) -> object:
    text = (ROOT / "scenarios" / f"{name}.yaml").read_text()
    text = text.replace("  outputs_at: every\n  loss_at: last\n", "  outputs_at: last\n")
    if every:
        text = text.replace("outputs_at: last", "outputs_at: every\n  loss_at: last") if "outputs_at" in text else \
            text.replace("  loss: ", "  outputs_at: every\n  loss_at: last\n  loss: ", 1)
    return load_scenario(write(text, f"{name}-{every}.yaml"))


@pytest.mark.parametrize("name", ["i_love_ai", "sentiment", "lstm_sentiment", "gru_sentiment"])
def test_outputs_at_every_step_with_the_loss_at_the_last_leave_the_gradients_of_the_last_loss(write, name):
    every, last = run(variant(write, name, True)), run(variant(write, name, False))
    T = every.scenario.examples[0].steps
    assert {f"y_hat[{t}]" for t in range(1, T + 1)} <= set(every.names(1))
    assert "y_hat[1]" not in last.names(1) and "loss[1]" not in every.names(1) and "dL/do[1]" not in every.names(1)
    assert every.value("loss", 1) == pytest.approx(last.value("loss", 1), abs=1e-15)
    for p in every.scenario.parameter_names:
        np.testing.assert_allclose(np.asarray(every.value(f"dL/d{p}"), dtype=float),
                                   np.asarray(last.value(f"dL/d{p}"), dtype=float), rtol=0, atol=1e-15)


def test_the_lecture_s_i_love_ai_has_its_outputs_at_every_step_and_one_loss():
    trace = run(load_scenario(ROOT / "scenarios" / "i_love_ai.yaml"))
    assert trace.scenario.model.outputs_at == "every" and trace.scenario.model.loss_at == "last"
    assert [n for n in trace.names(1) if n.startswith("y_hat")] == ["y_hat[1]", "y_hat[2]", "y_hat[3]"]
    assert trace.scenario.loss_steps(trace.scenario.examples[0]) == (3,)


def test_a_loss_at_every_step_needs_an_output_at_every_step(write):
    text = (ROOT / "scenarios" / "sentiment.yaml").read_text().replace("  loss: bce", "  loss: bce\n  loss_at: every")
    with pytest.raises(InputError, match="model.loss_at: a loss at every step needs an output at every step"):
        load_scenario(write(text))


def test_loss_at_is_refused_for_a_bidirectional_rnn(write):
    text = (ROOT / "scenarios" / "birnn_sentiment.yaml").read_text()
    text = text.replace("  bidirectional: true", "  bidirectional: true\n  outputs_at: every\n  loss_at: last")
    with pytest.raises(InputError, match="loss_at is for one-directional networks"):
        load_scenario(write(text))
