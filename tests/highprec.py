"""The total loss of a scenario in 50-digit arithmetic (mpmath), for finite differences far below 1e-9."""

from __future__ import annotations

import mpmath as mp

from bptt_trace.scenario.spec import Scenario

mp.mp.dps = 50


def _act(fn: str, a):
    return {"tanh": mp.tanh, "sigmoid": lambda v: 1 / (1 + mp.exp(-v)),
            "relu": lambda v: v if v > 0 else mp.mpf(0), "identity": lambda v: v}[fn](a)


def _matvec(M, v):
    return [mp.fsum(M[i][j] * v[j] for j in range(len(v))) for i in range(len(M))]


def total_loss(sc: Scenario, params: dict, inputs: list | None = None, h0: list | None = None):
    """Σ (or mean) over examples of the loss, with parameters, inputs and h0 given as mpf lists."""
    m, total = sc.model, mp.mpf(0)
    for k, ex in enumerate(sc.examples):
        xs = inputs[k] if inputs is not None else [[mp.mpf(c.numerator) / c.denominator for c in x] for x in ex.inputs]
        h = h0 if h0 is not None else [mp.mpf(0) + mp.mpf(c.numerator) / c.denominator for c in sc.h0]
        steps = range(1, ex.steps + 1) if m.outputs_at == "every" and m.loss_at != "last" else [ex.steps]
        targets = dict(zip(steps, ex.targets))
        for t in range(1, ex.steps + 1):
            a, b = _matvec(params["W_xh"], xs[t - 1]), _matvec(params["W_hh"], h)
            h = [_act(m.activation, a[i] + b[i] + params["b_h"][i]) for i in range(len(h))]
            if t in targets:
                o = [oi + bi for oi, bi in zip(_matvec(params["W_hy"], h), params["b_y"])]
                y = [mp.mpf(c.numerator) / c.denominator for c in targets[t]]
                total += _loss(m, o, y)
    return total / len(sc.examples) if sc.reduction == "mean" else total


def _loss(m, o, y):
    if m.output == "softmax":
        e = [mp.exp(v) for v in o]
        p = [v / mp.fsum(e) for v in e]
    else:
        p = [_act(m.output, v) for v in o]
    if m.loss == "mse":
        return mp.fsum((pi - yi) ** 2 for pi, yi in zip(p, y)) / 2
    if m.loss == "ce":
        return -mp.fsum(yi * mp.log(pi) for pi, yi in zip(p, y) if yi)
    return -mp.fsum(mp.log(pi) if yi else mp.log(1 - pi) for pi, yi in zip(p, y))


def truncated_loss(sc: Scenario, params: dict, base: dict, k: int, h0: list | None = None):
    """The truncated objective: each loss at step s unrolls only steps s−k+1…s from h_(s−k), which is
    held at its value under the `base` parameters and the scenario's h_0 (no gradient flows into it);
    a window that starts at step 0 starts from `h0` if given."""
    m, total = sc.model, mp.mpf(0)
    for ex in sc.examples:
        xs = [[mp.mpf(c.numerator) / c.denominator for c in x] for x in ex.inputs]
        held = [[mp.mpf(c.numerator) / c.denominator for c in sc.h0]]
        for t in range(1, ex.steps + 1):
            held.append(_step(m, base, xs[t - 1], held[-1]))
        steps = range(1, ex.steps + 1) if m.outputs_at == "every" and m.loss_at != "last" else [ex.steps]
        for s, target in zip(steps, ex.targets):
            h = h0 if h0 is not None and s <= k else held[max(0, s - k)]
            for t in range(max(0, s - k) + 1, s + 1):
                h = _step(m, params, xs[t - 1], h)
            o = [oi + bi for oi, bi in zip(_matvec(params["W_hy"], h), params["b_y"])]
            total += _loss(m, o, [mp.mpf(c.numerator) / c.denominator for c in target])
    return total / len(sc.examples) if sc.reduction == "mean" else total


def _step(m, params: dict, x: list, h: list) -> list:
    a, b = _matvec(params["W_xh"], x), _matvec(params["W_hh"], h)
    return [_act(m.activation, a[i] + b[i] + params["b_h"][i]) for i in range(len(h))]
