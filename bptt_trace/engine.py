"""Forward pass and full BPTT of a vanilla RNN, written out in the lecture's equations.

Every operation goes through a recorded primitive, so the trace holds each number a
student would write down, in the order they would write it.
"""

from __future__ import annotations

from bptt_trace.numsys import Float64
from bptt_trace.record import Q, Recorder
from bptt_trace.scenario import PARAMETER_NAMES, Example, Scenario
from bptt_trace.trace import Trace

GRADIENTS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


def run(scenario: Scenario, numbers=None, examples: list[int] | None = None, parameters: dict | None = None) -> Trace:
    """Trace the forward pass, BPTT and one update; `examples` limits which (from 1) are traced.

    `parameters` (arrays in the number system) replace the scenario's, as training does each step.
    """
    numbers = numbers or Float64()
    trace = Trace(scenario, numbers.name)
    rec = Recorder(trace, numbers)
    params = {n: rec.given(n, parameters[n] if parameters else numbers.array(scenario.parameters[n]))
              for n in PARAMETER_NAMES}
    chosen = examples or list(range(1, len(scenario.examples) + 1))
    with numbers.context():
        for k in chosen:
            rec.example = k
            _example(rec, scenario, scenario.examples[k - 1], params)
        _totals_and_update(rec, scenario, chosen, params)
    trace.symbols = getattr(numbers, "symbols", {})
    return trace


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
            o = rec.add(f"o[{t}]", rec.matvec(P["W_hy"], h[t]), P["b_y"])
            _output(rec, model.output, t, o)
    delta_o = _losses(rec, scenario, ex, outputs)
    _backward(rec, scenario, ex, P, x, z, h, delta_o)


def _output(rec: Recorder, kind: str, t: int, o: Q) -> Q:
    if kind == "softmax":
        return rec.softmax(f"y_hat[{t}]", o)
    return rec.activation(f"y_hat[{t}]", kind, o)


def _losses(rec: Recorder, scenario: Scenario, ex: Example, outputs: tuple[int, ...]) -> dict[int, Q]:
    """Loss per output step, and δ_o = dL/do both in chain form and simplified."""
    num, model, trace = rec.num, scenario.model, rec.trace
    rec.phase = "loss"
    deltas, losses = {}, []
    for t, target in zip(outputs, ex.targets):
        rec.t = t
        y_hat = Q(f"y_hat[{t}]", trace.value(f"y_hat[{t}]", rec.example))
        y = rec.given(f"y[{t}]", num.array(target))
        single = len(outputs) == 1
        losses.append(rec.loss("loss" if single else f"loss[{t}]", model.loss, y_hat, y))
        d_loss = rec.loss_gradient(f"dL/dy_hat[{t}]", model.loss, y_hat, y)
        # sigmoid+bce, softmax+ce and identity+mse simplify to ŷ − y; sigmoid+mse does not,
        # and there the chain product is δ_o itself.
        simplifies = not (model.output == "sigmoid" and model.loss == "mse")
        chain_name = f"dL/do[{t}] (chain)" if simplifies else f"dL/do[{t}]"
        if model.output == "softmax":
            jac = rec.softmax_jacobian(f"dy_hat/do[{t}]", y_hat)
            deltas[t] = rec.matvec_t(jac, d_loss, chain_name)
        else:
            jac = rec.derivative(f"dy_hat/do[{t}]", model.output, y_hat)
            deltas[t] = rec.hadamard(chain_name, d_loss, jac)
        if simplifies:
            deltas[t] = rec.subtract(f"dL/do[{t}]", y_hat, y)
    if len(outputs) > 1:
        rec.t = None
        rec.total("loss", losses)
    return deltas


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
    contributions: dict[str, list[Q]] = {g: [] for g in GRADIENTS}
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
            contributions["W_hy"].append(rec.outer(f"dL/dW_hy[{t}]", delta_o[t], h[t]))
            contributions["b_y"].append(delta_o[t])
        dz = chain.delta(t)
        contributions["W_xh"].append(rec.outer(f"dL/dW_xh[{t}]", dz, x[t]))
        contributions["W_hh"].append(rec.outer(f"dL/dW_hh[{t}]", dz, h[t - 1]))
        contributions["b_h"].append(dz)
        dx[t] = rec.matvec_t(P["W_xh"], dz, f"dL/dx[{t}]")
    rec.t = 0
    chain.into_h0()
    rec.phase, rec.t = "gradients", None
    for g in GRADIENTS:  # summed in BPTT order, t = T down to 1; trace.partial_sums gives the running sums
        rec.total(f"dL/d{g}", contributions[g])
    if ex.tokens:
        for word in dict.fromkeys(ex.tokens):
            rec.total(f"dL/de[{word}]", [dx[t] for t in range(1, T + 1) if ex.tokens[t - 1] == word])
    if not isinstance(chain, _FullBPTT):
        chain.worth(scenario, ex)


def _totals_and_update(rec: Recorder, scenario: Scenario, chosen: list[int], P: dict[str, Q]) -> None:
    """Loss and gradients over the examples (sum or mean), clipped if asked, then W ← W − η ∇W."""
    trace, mean = rec.trace, scenario.reduction == "mean"
    rec.example, rec.t, rec.phase = None, None, "gradients"
    for name in ("loss",) + tuple(f"dL/d{g}" for g in GRADIENTS):
        rec.total(name, [Q(name, trace.value(name, k)) for k in chosen], mean=mean,
                  detail="examples " + ",".join(map(str, chosen)))  # read back by trace.summed_examples
    grads = {g: Q(f"dL/d{g}", trace.value(f"dL/d{g}")) for g in GRADIENTS}
    if scenario.clip is not None:
        grads = _clip(rec, scenario.clip, grads)
    rec.phase = "update"
    rate = rec.given("learning_rate", rec.num.const(scenario.learning_rate))
    for g in GRADIENTS:
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
