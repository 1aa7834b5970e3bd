"""The run: parameters, each example through its network, then totals over examples and the update.

Which network traces an example is one table, `NETWORKS`, from the scenario's network kind to
its module; each module's `example(rec, scenario, ex, params)` writes one example's forward pass
and backward pass with the recorded primitives, in the lecture's equations.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from importlib import import_module
from typing import Callable, Iterator

from bptt_trace.numbers.systems import Float64
from bptt_trace.record.float_recorder import recorder_for
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.record.steps import Trace
from bptt_trace.scenario.spec import Model, Scenario

# Imported on first use, so a run loads only its own network's module.
NETWORKS = {
    "rnn": "bptt_trace.networks.rnn",
    "birnn": "bptt_trace.networks.birnn",
    "lstm": "bptt_trace.networks.lstm",
    "gru": "bptt_trace.networks.gru",
    "mlp": "bptt_trace.networks.mlp",
}


def network_kind(model: Model) -> str:
    """The key of `NETWORKS` for a model: its cell, or `birnn` for a bidirectional RNN."""
    return "birnn" if model.bidirectional else model.cell


def run(scenario: Scenario, numbers=None, examples: list[int] | None = None, parameters: dict | None = None,
        watch: Callable[[Recorder], None] | None = None) -> Trace:
    """Trace the forward pass, BPTT and one update; `examples` limits which (from 1) are traced.

    `parameters` (arrays in the number system) replace the scenario's, as training does each step.
    `watch` is handed the recorder before the first example, to follow the run's progress.
    """
    with collector_paused():
        return _run(scenario, numbers or Float64(), examples, parameters, watch)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off while a trace is built: its steps hold no cycles, and each pass over
    the growing trace would cost time proportional to it, making a run superlinear in T."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            to_oldest_generation()
            gc.enable()


def to_oldest_generation() -> None:
    """Move every object the collector tracks into its oldest generation, without a pass over them.

    Everything allocated while the collector was off sits in its youngest generation, so the first
    collection after it is back on would walk the whole trace (about a tenth of a long run). Freezing
    and at once unfreezing moves them to the oldest generation instead: still collected, at the next
    full collection, like any other long-lived data. Skipped when the program has frozen objects of
    its own, which unfreezing would release."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def _run(scenario: Scenario, numbers, examples: list[int] | None, parameters: dict | None, watch=None) -> Trace:
    """The body of `run`, with the number system chosen."""
    trace = Trace(scenario, numbers.name)
    rec = recorder_for(trace, numbers)
    if watch is not None:
        watch(rec)
    params = {n: rec.given(n, parameters[n] if parameters else _converted(rec, n, scenario.parameters[n]))
              for n in scenario.parameter_names}
    chosen = examples or list(range(1, len(scenario.examples) + 1))
    example = import_module(NETWORKS[network_kind(scenario.model)]).example
    with numbers.context():
        try:
            for k in chosen:
                rec.example = k
                example(rec, scenario, scenario.examples[k - 1], params)
            _totals_and_update(rec, scenario, chosen, params)
        except ArithmeticError as exc:  # converting a given value; a computed one is named by the recorder
            raise rec.fault(f"the value after {trace.steps[-1].name}", exc) from None
    trace.symbols = getattr(numbers, "symbols", {})
    return trace


def _converted(rec: Recorder, name: str, value):
    """A parameter in the run's number system, or the fault naming it."""
    try:
        with rec.num.context():
            return rec.num.array(value)
    except ArithmeticError as exc:
        raise rec.fault(name, exc) from None


def _totals_and_update(rec: Recorder, scenario: Scenario, chosen: list[int], P: dict[str, Q]) -> None:
    """Loss and gradients over the examples (sum or mean), clipped if asked, then W ← W − η ∇W."""
    trace, mean = rec.trace, scenario.reduction == "mean"
    rec.example, rec.t, rec.phase = None, None, "gradients"
    names = scenario.parameter_names
    totals = ("loss",) + tuple(f"dL/d{g}" for g in names)
    found = trace.latest([(name, k) for name in totals for k in chosen])  # one scan back, no index built
    for name in totals:
        rec.total(name, [Q(name, found[(name, k)].value if (name, k) in found else trace.value(name, k))
                         for k in chosen], mean=mean,
                  detail="examples " + ",".join(map(str, chosen)))  # read back by trace.summed_examples
    grads = {g: Q(f"dL/d{g}", trace.value(f"dL/d{g}")) for g in names}
    if scenario.clip is not None:
        grads = _clip(rec, scenario.clip, grads)
    rec.phase = "update"
    rate = rec.given("learning_rate", rec.num.const(scenario.learning_rate))
    for g in names:
        rec.update(f"{g}_new", P[g], grads[g], rate)


def _clip(rec: Recorder, clip: tuple[str, object], grads: dict[str, Q]) -> dict[str, Q]:
    """Norm clipping scales every gradient by one factor (the direction is kept); value clipping
    holds each entry within [−c, c]."""
    kind, c = clip
    limit = rec.given(f"clip_{kind}", rec.num.const(c))
    if kind == "value":
        return {g: rec.clamp(f"dL/d{g} (clipped)", q, limit) for g, q in grads.items()}
    norm = rec.norm("‖∇L‖", list(grads.values()))
    factor = rec.clip_factor("clip_factor", norm, limit)
    clipped = {g: rec.scale(f"dL/d{g} (clipped)", q, factor) for g, q in grads.items()}
    rec.norm("‖∇L‖ (clipped)", list(clipped.values()))
    return clipped
