"""Training the LSTM, GRU, MLP and bidirectional RNN: a plain numpy loop agrees, XOR is learned,
and a saved scenario reads back the same."""

from __future__ import annotations

import numpy as np
import pytest

from bptt_trace.scenario.loader import load_scenario
from bptt_trace.scenario.writer import dump_scenario
from bptt_trace.analysis.training import train
from tests.conftest import ROOT
from tests.reference_cells import reference

NEW = ["xor", "regression", "lstm_sentiment", "gru_sentiment", "birnn_sentiment"]


def numpy_training(sc, epochs: int, update: str):
    """Train with the separately written reference, one update per epoch or per example."""
    params = {k: np.array(v, dtype=float) for k, v in sc.parameters.items()}
    batches = [sc] if update == "batch" else [sc._replace(examples=(ex,)) for ex in sc.examples]
    losses = []
    for _ in range(epochs):
        epoch = []
        for part in batches:
            ref = reference(part, params)
            epoch += [ex["loss"] for ex in ref["examples"]]
            params = ref["updated"]
        losses.append(epoch)
    return losses, params


@pytest.mark.parametrize("scenario", NEW)
@pytest.mark.parametrize("update", ["batch", "example"])
def test_training_equals_a_plain_numpy_loop(scenario, update):
    sc = load_scenario(ROOT / "scenarios" / f"{scenario}.yaml")
    result = train(sc, 25, update)
    losses, params = numpy_training(sc, 25, update)
    np.testing.assert_allclose(result.losses, losses, rtol=1e-9, atol=1e-12)
    for p in sc.parameter_names:
        np.testing.assert_allclose(result.parameters[p], params[p], rtol=1e-9, atol=1e-12, err_msg=p)


def test_xor_is_learned_from_the_shipped_weights():
    sc = load_scenario(ROOT / "scenarios" / "xor.yaml")
    result = train(sc, sc.epochs)
    assert result.correct == [True, True, True, True]
    assert [p[0] for p in result.predictions] == pytest.approx([0, 1, 1, 0], abs=0.02)
    assert result.epoch_losses[-1] < 0.06 < 2.7 < result.epoch_losses[0]
    _, params = numpy_training(sc, sc.epochs, "batch")
    for p in sc.parameter_names:
        np.testing.assert_allclose(result.parameters[p], params[p], rtol=1e-9, atol=1e-12, err_msg=p)
    assert train(sc, 1).correct != [True] * 4  # the untrained network does not yet classify XOR
    P, first = {k: np.array(v, dtype=float) for k, v in sc.parameters.items()}, None
    for epoch in range(1, sc.epochs + 1):  # when numpy first gets all four right, at the start of an epoch
        ref = reference(sc, P)
        right = all((ex["y_hat"][0] > 0.5) == (e.targets[0][0] == 1) for ex, e in zip(ref["examples"], sc.examples))
        first = (first or epoch) if right else None
        P = ref["updated"]
    assert result.all_correct_from == first == 64
    assert result.accuracy[0] == 2 and result.accuracy[-1] == 4


def test_regression_fits_its_points():
    sc = load_scenario(ROOT / "scenarios" / "regression.yaml")
    result = train(sc, sc.epochs)
    assert result.correct is None and result.epoch_losses[-1] < 0.1 * result.epoch_losses[0]


@pytest.mark.parametrize("scenario", NEW + ["lstm_long"])
def test_a_saved_scenario_reads_back_the_same(tmp_path, scenario):
    sc = load_scenario(ROOT / "scenarios" / f"{scenario}.yaml")
    path = tmp_path / "s.yaml"
    path.write_text(dump_scenario(sc))
    again = load_scenario(path)
    assert again.model == sc.model and again.parameters == sc.parameters and again.examples == sc.examples
    assert (again.h0, again.c0, again.learning_rate, again.epochs) == (sc.h0, sc.c0, sc.learning_rate, sc.epochs)
