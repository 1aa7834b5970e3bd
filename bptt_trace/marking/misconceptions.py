"""Known misconceptions: for a step redone from a student's numbers, the value each slip would give.

A wrong answer that matches one of these values is named by it. Each rule reads the recorded
step (its op and operand names), so one rule serves every network that records that op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bptt_trace.record.ops import compute
from bptt_trace.record.steps import Step, summed_examples

MISCONCEPTIONS = {
    "derivative_from_pre_activation": "the slope taken from the pre-activation (1 − z² for tanh(z), z(1 − z) for "
                                      "σ(z); 1 − c² for an LSTM's tanh(c)) instead of from the activation",
    "future_term_dropped": "the term from the next step, W_hhᵀ·δz_(t+1) (in a gated cell the Uᵀ·δz terms), left out",
    "cell_path_dropped": "the cell state's own path, δc_(t+1) ⊙ f_(t+1), left out of δc_t",
    "direct_path_dropped": "the GRU's direct path, (1 − u_(t+1)) ⊙ δh_(t+1), left out of δh_t",
    "not_transposed": "W used where Wᵀ belongs in the backward product",
    "transposed": "the matrix written transposed (its rows as columns)",
    "update_sign": "the wrong sign in the update (W + η·∇W)",
    "updated_twice": "the update applied to already-updated weights",
    "learning_rate": "a learning rate other than the scenario's",
    "not_updated": "the old weights copied as the update",
    "mean_sum_swapped": "the mean over examples where the sum belongs, or the reverse",
}


def slips(world, step: Step) -> list[tuple[str, Any]]:
    """(misconception, the value it gives) for a step redone in the student's `world`."""
    out: list[tuple[str, Any]] = []
    trace, num = world.trace, world.num
    out += _pre_activation(world, step)
    if step.name.startswith("dL/dh[") and not step.name.endswith("[0]"):
        out += _gated(step) if trace.scenario.model.cell in ("lstm", "gru") else _backward(world, step)
    if step.name.startswith("dL/dc[") and step.op == "add":
        out.append(("cell_path_dropped", step.inputs[0]))
    if step.op == "matvec_t" and np.ndim(step.inputs[0]) == 2 and np.shape(step.inputs[0])[0] == np.shape(step.inputs[0])[1]:
        out.append(("not_transposed", step.inputs[0] @ step.inputs[1]))
    if step.op == "update":
        out += _update(world, step)
    if step.example is None and summed_examples(step):
        out.append(("mean_sum_swapped", compute("sum" if step.op == "mean" else "mean", "", step.inputs, num)[0]))
    return out


def _pre_activation(world, step: Step) -> list[tuple[str, Any]]:
    """A slope from the pre-activation: alone, inside the δ it multiplies, or inside a sum of such δ's."""
    if step.op == "derivative":
        alt = _wrong_slope(world, step.name, step.example)
        return [] if alt is None else [("derivative_from_pre_activation", alt)]
    if step.op == "hadamard":
        alt = _wrong_product(world, step)
        return [] if alt is None else [("derivative_from_pre_activation", alt)]
    if step.op == "add":  # an LSTM's δc_t = δh_t ⊙ o_t ⊙ tanh′(c_t) + δc_(t+1) ⊙ f_(t+1)
        for i, k in enumerate(world.operand_keys(step)):
            if world.computed(k) and world.trace.step(*k).op == "hadamard" and " " in k[0]:
                alt = _wrong_product(world, world.redo(world.trace.step(*k))[1])
                if alt is not None:
                    return [("derivative_from_pre_activation", step.value - step.inputs[i] + alt)]
    return []


def _wrong_product(world, step: Step) -> Any:
    """A product of a δ and a slope, with the slope taken from the pre-activation."""
    for i, o in enumerate(step.operands):
        alt = _wrong_slope(world, o, step.example)
        if alt is not None:
            return step.inputs[1 - i] * alt
    return None


def _wrong_slope(world, name: str, example: int | None) -> Any:
    """The slope σ′ or tanh′ applied to the pre-activation instead of to the activation."""
    key = (name, example)
    if not world.computed(key) or world.trace.step(*key).op != "derivative":
        return None
    d = world.trace.step(*key)
    a = (d.operands[0], example)
    if d.detail not in ("tanh", "sigmoid") or not world.computed(a) or world.trace.step(*a).op != "activation":
        return None
    pre = world.value((world.trace.step(*a).operands[0], example))
    return compute("derivative", d.detail, (pre,), world.num)[0]


def _backward(world, step: Step) -> list[tuple[str, Any]]:
    """δh_t of the vanilla RNN without its future term, or with W_hh instead of W_hhᵀ in it."""
    if step.op == "matvec_t" and step.operands[0] == "W_hh":
        W, dz = step.inputs
        return [("future_term_dropped", np.asarray(W @ dz) * 0), ("not_transposed", W @ dz)]
    if step.op != "add":
        return []
    parts = list(zip(step.operands, step.inputs))
    future = [i for i, (o, _) in enumerate(parts) if o.startswith("W_hh^T")]
    if not future:
        return []
    f = world.trace.step(parts[future[0]][0], step.example)
    W, dz = f.inputs[0], world.value((f.operands[1], step.example), f.inputs[1])
    rest = [v for j, (_, v) in enumerate(parts) if j != future[0]]
    dropped = rest[0] if len(rest) == 1 else compute("add", "", tuple(rest), world.num)[0]
    return [("future_term_dropped", dropped), ("not_transposed", dropped + W @ dz)]


def _gated(step: Step) -> list[tuple[str, Any]]:
    """δh_t of an LSTM or GRU with only its output term (0 where it has none), or without the direct path."""
    if step.op != "add":
        return []
    parts = list(zip(step.operands, step.inputs))
    output = [v for o, v in parts if o.startswith("W_hy^T")]
    out = [("future_term_dropped", output[0] if output else step.value * 0)]
    direct = [i for i, (o, _) in enumerate(parts) if o.startswith("1-u[")]
    if direct:
        out.append(("direct_path_dropped", step.value - parts[direct[0]][1]))
    return out


def _update(world, step: Step) -> list[tuple[str, Any]]:
    """The update's slips; a learning rate before the mean/sum swap when the student wrote the gradient."""
    old, grad, rate = step.inputs
    out = [("not_updated", old), ("update_sign", old + rate * grad), ("updated_twice", old - rate * grad - rate * grad)]
    total = world.trace.step(step.operands[1], None)
    other = compute("sum" if total.op == "mean" else "mean", "", world.inputs(total), world.num)[0] \
        if summed_examples(total) else None
    swap = [] if other is None else [("mean_sum_swapped", old - rate * other)]
    rate_slip = [("learning_rate", _other_rate(world, step))]
    written = (step.operands[1], None) in world.written
    return out + (rate_slip + swap if written else swap + rate_slip)


def _other_rate(world, step: Step) -> Any:
    """The update with the one learning rate that best explains the student's values, if any."""
    given = world.written.get((step.name, None), (None, None))[0]
    old, grad, rate = step.inputs
    if given is None:
        return None
    g, o, d = (np.asarray(x, dtype=float).ravel() for x in (given, old, grad))
    usable = np.abs(d) > 1e-9
    if usable.sum() < 2:  # one entry is explained by any rate: that proves nothing
        return None
    eta = float(np.median((o[usable] - g[usable]) / d[usable]))
    if not np.isfinite(eta) or abs(eta) < 1e-9 or abs(eta - float(rate)) <= 1e-9 * max(1.0, abs(eta)):
        return None
    return old - world.num.const(_fraction(eta)) * grad


def _fraction(x: float):
    from fractions import Fraction
    return Fraction(x).limit_denominator(10**6)
