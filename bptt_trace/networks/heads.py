"""The output layer and the loss, shared by every network: ŷ from o, the loss, and δ_o = dL/do."""

from __future__ import annotations

from typing import Callable

from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.scenario.spec import Example, Scenario


def at_step(t: int) -> str:
    """The index a recurrent network's output quantities carry: `o[3]`."""
    return f"[{t}]"


def output(rec: Recorder, kind: str, t: int, h: Q, W: Q, b: Q, at: Callable[[int], str] = at_step) -> Q:
    """o = W·h + b, then ŷ = the output activation of o."""
    o = rec.add(f"o{at(t)}", rec.matvec(W, h), b)
    if kind == "softmax":
        return rec.softmax(f"y_hat{at(t)}", o)
    return rec.activation(f"y_hat{at(t)}", kind, o)


def output_contributions(rec: Recorder, contributions: dict[str, list[Q]], t: int, delta_o: Q, h: Q) -> None:
    """Step t's share of the output layer's gradients: δo_t·h_tᵀ for W_hy and δo_t for b_y."""
    contributions["W_hy"].append(rec.outer(f"dL/dW_hy[{t}]", delta_o, h))
    contributions["b_y"].append(delta_o)


def losses(rec: Recorder, scenario: Scenario, ex: Example, outputs: tuple[int, ...],
           at: Callable[[int], str] = at_step) -> dict[int, Q]:
    """Loss per output step, and δ_o = dL/do both in chain form and simplified."""
    num, model, trace = rec.num, scenario.model, rec.trace
    rec.phase = "loss"
    deltas, losses = {}, []
    for t, target in zip(outputs, ex.targets):
        rec.t = t if at(t) else None
        y_hat = Q(f"y_hat{at(t)}", trace.value(f"y_hat{at(t)}", rec.example))
        y = rec.given(f"y{at(t)}", num.array(target))
        per_step = model.outputs_at == "every"  # many-to-many: loss[t] at every step, even for T = 1
        losses.append(rec.loss(f"loss[{t}]" if per_step else "loss", model.loss, y_hat, y))
        d_loss = rec.loss_gradient(f"dL/dy_hat{at(t)}", model.loss, y_hat, y)
        # sigmoid+bce, softmax+ce and identity+mse simplify to ŷ − y; sigmoid+mse does not,
        # and there the chain product is δ_o itself.
        simplifies = not (model.output == "sigmoid" and model.loss == "mse")
        chain_name = f"dL/do{at(t)} (chain)" if simplifies else f"dL/do{at(t)}"
        if model.output == "softmax":
            jac = rec.softmax_jacobian(f"dy_hat/do{at(t)}", y_hat)
            deltas[t] = rec.matvec_t(jac, d_loss, chain_name)
        else:
            jac = rec.derivative(f"dy_hat/do{at(t)}", model.output, y_hat)
            deltas[t] = rec.hadamard(chain_name, d_loss, jac)
        if simplifies:
            deltas[t] = rec.subtract(f"dL/do{at(t)}", y_hat, y)
    if model.outputs_at == "every":
        rec.t = None
        rec.total("loss", losses)
    return deltas
