"""What the training numbers mean, as the README words it: per-example counts and losses are taken just
before each example's own update; `reduction: mean` does not change a per-example step but averages
the epoch's loss."""

from __future__ import annotations

import numpy as np

from bptt_trace.analysis.training import _prediction, classified, train
from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import Float64
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT

XOR = ROOT / "scenarios" / "xor.yaml"


def _as_met(sc, epochs: int) -> tuple[list[int], list[int]]:
    """Recomputed apart: per epoch, the examples right just before their own update, and the examples
    right with the parameters at the start of the epoch."""
    num = Float64()
    params = {p: num.array(sc.parameters[p]) for p in sc.parameter_names}
    everyone = list(range(1, len(sc.examples) + 1))
    met, at_start = [], []
    for _ in range(epochs):
        start = run(sc, num, everyone, params)
        at_start.append(sum(classified(sc, [_prediction(start, k) for k in everyone])))
        right = 0
        for k in everyone:
            trace = run(sc, num, [k], params)
            right += classified(sc._replace(examples=(sc.examples[k - 1],)), [_prediction(trace, k)])[0]
            params = {p: trace.value(f"{p}_new") for p in sc.parameter_names}
        met.append(right)
    return met, at_start


def test_per_example_accuracy_counts_each_example_just_before_its_own_update():
    sc = load_scenario(XOR)
    result = train(sc, 30, "example")
    met, at_start = _as_met(sc, 30)
    assert result.accuracy == met == [2] * 30
    assert at_start == [2] * 26 + [3] * 4  # the other reading, which the README names and the tool does not use
    assert result.all_correct_from is None


def test_batch_accuracy_is_the_count_at_the_start_of_each_epoch():
    sc = load_scenario(XOR)
    result = train(sc, 70, "batch")
    assert result.accuracy[:2] == [2, 3] and result.all_correct_from == 64


def test_mean_reduction_leaves_a_per_example_step_alone_but_averages_the_epoch_loss():
    sc = load_scenario(XOR)
    summed = train(sc._replace(reduction="sum"), 5, "example")
    mean = train(sc._replace(reduction="mean"), 5, "example")
    for p in summed.parameters:
        assert np.array_equal(summed.parameters[p], mean.parameters[p])
    assert summed.losses == mean.losses
    assert np.allclose(np.array(mean.epoch_losses) * 4, summed.epoch_losses, rtol=1e-15)


def test_the_training_view_says_when_per_example_losses_are_measured():
    from bptt_trace.render.terminal import TerminalWriter
    from bptt_trace.render.training_view import TrainingSheet
    sc = load_scenario(XOR)
    for update, phrase in (("batch", "measured before each epoch's updates"),
                           ("example", "each example's loss and prediction just before its own update")):
        lines = [line.text for line in TerminalWriter(120).write(TrainingSheet().build_training(train(sc, 2, update), update, 120))]
        assert any(phrase in line for line in lines), update
