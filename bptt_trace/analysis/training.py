"""Training: repeated forward passes, BPTT and updates over epochs, one update per epoch (batch)
or per example, keeping the full trace of one chosen epoch and the losses of all."""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from bptt_trace.errors import ArithmeticFault
from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import Float64
from bptt_trace.scenario.spec import Scenario
from bptt_trace.record.steps import Trace

class Diverged(ArithmeticFault):
    """Training met an overflow or NaN in `epoch`; `epoch_losses` holds the epochs completed before it."""

    def __init__(self, epoch: int, epoch_losses: list[float], cause: ArithmeticFault) -> None:
        self.epoch, self.epoch_losses = epoch, epoch_losses
        super().__init__(f"training diverged in epoch {epoch} (after {epoch - 1} complete epochs): {cause}")


class Training(NamedTuple):
    """Losses[epoch][example], the outputs after training, the final parameters, and the traced epoch:
    one trace per update made in it (one for batch updates, one per example otherwise)."""

    losses: list[list[float]]
    epoch_losses: list[float]
    predictions: list[list[float]]
    parameters: dict[str, np.ndarray]
    traces: list[Trace]
    traced_epoch: int
    correct: list[bool] | None = None  # classification: whether each example's prediction is its target class
    accuracy: list[int] | None = None  # classification: examples right as met (each just before its own update)

    @property
    def all_correct_from(self) -> int | None:
        """The first epoch from which every example stays classified correctly, counted as `accuracy` is."""
        if not self.accuracy:
            return None
        n, since = len(self.losses[0]), None
        for epoch, right in enumerate(self.accuracy, start=1):
            since = (since or epoch) if right == n else None
        return since


def train(scenario: Scenario, epochs: int, update: str = "batch", trace_epoch: int = 1,
          progress: Callable[[int], None] | None = None) -> Training:
    """Train for `epochs`; with `update="example"` each example's gradient is applied in turn."""
    numbers = Float64()
    names = scenario.parameter_names
    params = {p: numbers.array(scenario.parameters[p]) for p in names}
    everyone = list(range(1, len(scenario.examples) + 1))
    batches = [everyone] if update == "batch" else [[k] for k in everyone]
    losses, epoch_losses, traced, accuracy = [], [], [], []
    for epoch in range(1, epochs + 1):
        per_example, outputs = {}, {}
        for batch in batches:
            try:
                trace = run(scenario, numbers, batch, params)
            except ArithmeticFault as exc:
                raise Diverged(epoch, epoch_losses, exc) from None
            per_example.update({k: float(trace.value("loss", k)) for k in batch})
            outputs.update({k: _prediction(trace, k) for k in batch})
            params = {p: trace.value(f"{p}_new") for p in names}
            if epoch == trace_epoch:
                traced.append(trace)
        losses.append([per_example[k] for k in everyone])
        epoch_losses.append(sum(losses[-1]) / (len(everyone) if scenario.reduction == "mean" else 1))
        right = classified(scenario, [outputs[k] for k in everyone])
        accuracy.append(sum(right) if right is not None else None)
        if progress:
            progress(epoch)
    try:
        final = run(scenario, numbers, everyone, params)
    except ArithmeticFault as exc:
        raise Diverged(epochs + 1, epoch_losses, exc) from None
    predictions = [_prediction(final, k) for k in everyone]
    correct = classified(scenario, predictions)
    return Training(losses, epoch_losses, predictions, params, traced, trace_epoch, correct,
                    accuracy if correct is not None else None)


def _prediction(trace: Trace, k: int) -> list[float]:
    """Example k's final output ŷ as a list."""
    return np.ravel(trace.value(trace.scenario.prediction(trace.scenario.examples[k - 1]), k)).tolist()


def classified(scenario: Scenario, predictions: list[list[float]]) -> list[bool] | None:
    """Per example, whether ŷ picks the target: each sigmoid unit on the target's side of 0.5 (bce),
    or the largest softmax output at the target class (ce); None for regression (mse)."""
    loss = scenario.model.loss
    if loss == "mse":
        return None
    out = []
    for ex, p in zip(scenario.examples, predictions):
        y = [float(v) for v in ex.targets[-1]]
        out.append(bool(np.argmax(p) == np.argmax(y)) if loss == "ce" else all((pi > 0.5) == (yi == 1) for pi, yi in zip(p, y)))
    return out
