"""The total loss of an LSTM, GRU, MLP or bidirectional-RNN scenario in 50-digit arithmetic (mpmath),
for finite differences far below 1e-9."""

from __future__ import annotations

import mpmath as mp

from tests.highprec import _act, _loss, _matvec
from bptt_trace.scenario.spec import Scenario

mp.mp.dps = 50


def mpf(c) -> mp.mpf:
    """An exact Fraction as a 50-digit number."""
    return mp.mpf(c.numerator) / c.denominator


def _affine(P: dict, k: str, x: list, h: list) -> list:
    a, b = _matvec(P[f"W_{k}"], x), _matvec(P[f"U_{k}"], h)
    return [a[i] + b[i] + P[f"b_{k}"][i] for i in range(len(a))]


def _lstm_step(P, x, h, c):
    sig = lambda v: _act("sigmoid", v)  # noqa: E731
    f, i = [sig(a) for a in _affine(P, "f", x, h)], [sig(a) for a in _affine(P, "i", x, h)]
    g, o = [mp.tanh(a) for a in _affine(P, "c", x, h)], [sig(a) for a in _affine(P, "o", x, h)]
    c = [f[n] * c[n] + i[n] * g[n] for n in range(len(c))]
    return [o[n] * mp.tanh(c[n]) for n in range(len(c))], c


def _gru_step(P, x, h):
    u = [_act("sigmoid", a) for a in _affine(P, "u", x, h)]
    r = [_act("sigmoid", a) for a in _affine(P, "r", x, h)]
    cand = [mp.tanh(a) for a in _affine(P, "h", x, [r[n] * h[n] for n in range(len(h))])]
    return [(1 - u[n]) * h[n] + u[n] * cand[n] for n in range(len(h))]


def total_loss(sc: Scenario, P: dict, inputs: list | None = None, start: dict | None = None):
    """Σ (or mean) over examples of the loss, with the parameters given as mpf lists; `inputs` (per
    example) and `start` (h0, c0) replace the scenario's."""
    m, total = sc.model, mp.mpf(0)
    for k, ex in enumerate(sc.examples):
        xs = inputs[k] if inputs is not None else [[mpf(c) for c in x] for x in ex.inputs]
        targets = dict(zip(sc.loss_steps(ex), ([mpf(c) for c in y] for y in ex.targets)))
        if m.cell == "mlp":
            h = xs[0]
            for n, (_, fn) in enumerate(m.layers, start=1):
                h = [_act(fn, a + b) for a, b in zip(_matvec(P[f"W_{n}"], h), P[f"b_{n}"])]
            L = len(m.layers) + 1
            total += _loss(m, [a + b for a, b in zip(_matvec(P[f"W_{L}"], h), P[f"b_{L}"])], targets[1])
            continue
        for t, h in _states(sc, P, xs, start or {}).items():
            if t in targets:
                total += _loss(m, [a + b for a, b in zip(_matvec(P["W_hy"], h), P["b_y"])], targets[t])
    return total / len(sc.examples) if sc.reduction == "mean" else total


def _states(sc: Scenario, P: dict, xs: list, start: dict) -> dict[int, list]:
    """The state the output reads at each step t (from 1)."""
    m, T = sc.model, len(xs)
    h0 = start.get("h0") or [mpf(c) for c in sc.h0]
    out, h = {}, h0
    if m.cell == "lstm":
        c = start.get("c0") or [mpf(v) for v in (sc.c0 or [0] * len(h0))]
        for t in range(1, T + 1):
            h, c = _lstm_step(P, xs[t - 1], h, c)
            out[t] = h
        return out
    if m.cell == "gru":
        for t in range(1, T + 1):
            out[t] = h = _gru_step(P, xs[t - 1], h)
        return out
    fw, bw = {0: h0}, {T + 1: h0}
    for t in range(1, T + 1):
        fw[t] = [_act(m.activation, a + b + c) for a, b, c in
                 zip(_matvec(P["W_xh_fw"], xs[t - 1]), _matvec(P["W_hh_fw"], fw[t - 1]), P["b_h_fw"])]
    for t in range(T, 0, -1):
        bw[t] = [_act(m.activation, a + b + c) for a, b, c in
                 zip(_matvec(P["W_xh_bw"], xs[t - 1]), _matvec(P["W_hh_bw"], bw[t + 1]), P["b_h_bw"])]
    every = m.outputs_at == "every"
    return {t: fw[t] + bw[t if every else 1] for t in range(1, T + 1)}
