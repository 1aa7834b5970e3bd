"""The run: parameters, each example through its network, then totals over examples and the update.

The vanilla RNN's forward pass and full BPTT live here, written out in the lecture's equations;
the other networks (lstm, gru, mlp, bidirectional) have a module each with the same shape.

Every operation goes through a recorded primitive, so the trace holds each number a
student would write down, in the order they would write it.
"""

from __future__ import annotations

from bptt_trace import heads
from bptt_trace.cell_parts import sum_over_time
from bptt_trace.numsys import Float64
from bptt_trace.record import Q, Recorder
from bptt_trace.scenario import PARAMETER_NAMES, Example, Scenario
from bptt_trace.trace import Trace


def run(scenario: Scenario, numbers=None, examples: list[int] | None = None, parameters: dict | None = None) -> Trace:
    """Trace the forward pass, BPTT and one update; `examples` limits which (from 1) are traced.

    `parameters` (arrays in the number system) replace the scenario's, as training does each step.
    """
    numbers = numbers or Float64()
    trace = Trace(scenario, numbers.name)
    rec = Recorder(trace, numbers)
    params = {n: rec.given(n, parameters[n] if parameters else numbers.array(scenario.parameters[n]))
              for n in scenario.parameter_names}
    chosen = examples or list(range(1, len(scenario.examples) + 1))
    network = _network(scenario)
    with numbers.context():
        for k in chosen:
            rec.example = k
            network(rec, scenario, scenario.examples[k - 1], params)
        _totals_and_update(rec, scenario, chosen, params)
    trace.symbols = getattr(numbers, "symbols", {})
    return trace


def _network(scenario: Scenario):
    """The function that traces one example through the scenario's network."""
    model = scenario.model
    if model.cell == "lstm":
        from bptt_trace.lstm import example
    elif model.cell == "gru":
        from bptt_trace.gru import example
    elif model.cell == "mlp":
        from bptt_trace.mlp import example
    elif model.bidirectional:
        from bptt_trace.birnn import example
    else:
        example = _example
    return example


def _example(rec: Recorder, scenario: Scenario, ex: Example, P: dict[str, Q]) -> None:
    num, model = rec.num, scenario.model
    outputs = scenario.output_steps(ex)
    rec.phase, rec.t = "forward", None
    h = [rec.given("h[0]", num.array(scenario.h0))]
    x, z = [None], [None]
    for t in range(1, ex.steps + 1):
        rec.t = t
        x.append(rec.given(f"x[{t}]", num.array(ex.inputs[t - 1])))
        z.append(rec.add(f"z[{t}]", rec.matvec(P["W_xh"], x[t]), rec.matvec(P["W_hh"], h[t - 1]), P["b_h"]))
        h.append(rec.activation(f"h[{t}]", model.activation, z[t]))
        if t in outputs:
            heads.output(rec, model.output, t, h[t], P["W_hy"], P["b_y"])
    delta_o = heads.losses(rec, scenario, ex, outputs)
    _backward(rec, scenario, ex, P, x, z, h, delta_o)


class _FullBPTT:
    """δh_t = W_hyᵀ δo_t + W_hhᵀ δz_(t+1): every loss reaches every earlier step."""

    def __init__(self, rec: Recorder, P: dict[str, Q], slope, delta_o: dict[int, Q]) -> None:
        self.rec, self.P, self.slope, self.delta_o = rec, P, slope, delta_o
        self.dz_next: Q | None = None

    def delta(self, t: int) -> Q:
        rec, P, parts = self.rec, self.P, []
        if t in self.delta_o:
            parts.append(rec.matvec_t(P["W_hy"], self.delta_o[t]) if self.dz_next else
                         rec.matvec_t(P["W_hy"], self.delta_o[t], f"dL/dh[{t}]"))
        if self.dz_next is not None:
            parts.append(rec.matvec_t(P["W_hh"], self.dz_next) if t in self.delta_o else
                         rec.matvec_t(P["W_hh"], self.dz_next, f"dL/dh[{t}]"))
        dh = parts[0] if len(parts) == 1 else rec.add(f"dL/dh[{t}]", *parts)
        self.dz_next = rec.hadamard(f"dL/dz[{t}]", dh, self.slope(t))
        return self.dz_next

    def into_h0(self) -> None:
        self.rec.matvec_t(self.P["W_hh"], self.dz_next, "dL/dh[0]")


def _backward(rec: Recorder, scenario: Scenario, ex: Example, P: dict[str, Q], x: list, z: list,
              h: list, delta_o: dict[int, Q]) -> None:
    """δz_t for t = T…1 (full or truncated BPTT); per-step contributions, then their sums."""
    act = scenario.model.activation
    rec.phase = "backward"
    contributions: dict[str, list[Q]] = {g: [] for g in PARAMETER_NAMES}
    dx: dict[int, Q] = {}
    T = ex.steps

    def slope(t: int) -> Q:
        return rec.derivative(f"dh/dz[{t}]", act, z[t] if act == "relu" else h[t])
    k = scenario.truncate
    if k is not None and k < T:
        from bptt_trace.truncation import TruncatedBPTT
        chain = TruncatedBPTT(rec, P, slope, delta_o, k)
    else:
        chain = _FullBPTT(rec, P, slope, delta_o)
    for t in range(T, 0, -1):
        rec.t = t
        if t in delta_o:
            heads.output_contributions(rec, contributions, t, delta_o[t], h[t])
        dz = chain.delta(t)
        contributions["W_xh"].append(rec.outer(f"dL/dW_xh[{t}]", dz, x[t]))
        contributions["W_hh"].append(rec.outer(f"dL/dW_hh[{t}]", dz, h[t - 1]))
        contributions["b_h"].append(dz)
        dx[t] = rec.matvec_t(P["W_xh"], dz, f"dL/dx[{t}]")
    rec.t = 0
    chain.into_h0()
    sum_over_time(rec, ex, contributions, dx)
    if not isinstance(chain, _FullBPTT):
        chain.worth(scenario, ex)


def _totals_and_update(rec: Recorder, scenario: Scenario, chosen: list[int], P: dict[str, Q]) -> None:
    """Loss and gradients over the examples (sum or mean), clipped if asked, then W ← W − η ∇W."""
    trace, mean = rec.trace, scenario.reduction == "mean"
    rec.example, rec.t, rec.phase = None, None, "gradients"
    names = scenario.parameter_names
    for name in ("loss",) + tuple(f"dL/d{g}" for g in names):
        rec.total(name, [Q(name, trace.value(name, k)) for k in chosen], mean=mean,
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
