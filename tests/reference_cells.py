"""Plain numpy forward passes and backpropagation of the LSTM, GRU, MLP and bidirectional RNN,
written separately from the engine (stacked gate matrices, no recorder) to check it against."""

from __future__ import annotations

import numpy as np

from tests.reference import ACT, _act_grad, _loss_and_delta, _output
from bptt_trace.scenario.spec import Scenario

sig = ACT["sigmoid"]


def reference(sc: Scenario, params: dict | None = None) -> dict:
    """Canonical values per example (`examples[k][name]`), `total` and `updated`, in float64."""
    P = {k: np.array(v, dtype=float) for k, v in (params or sc.parameters).items()}
    one = {"lstm": _lstm, "gru": _gru, "mlp": _mlp, "rnn": _birnn}[sc.model.cell]
    out, grads, losses = {"examples": []}, [], []
    for ex in sc.examples:
        v, g = one(sc, P, ex)
        out["examples"].append(v)
        grads.append(g)
        losses.append(v["loss"])
    n = len(sc.examples) if sc.reduction == "mean" else 1
    out["total"] = {"loss": sum(losses) / n} | {f"dL/d{k}": sum(g[k] for g in grads) / n for k in P}
    lr = float(sc.learning_rate)
    out["updated"] = {k: P[k] - lr * out["total"][f"dL/d{k}"] for k in P}
    return out


def _targets(sc: Scenario, ex) -> dict[int, np.ndarray]:
    steps = list(range(1, ex.steps + 1)) if sc.model.outputs_at == "every" and sc.model.loss_at != "last" else [ex.steps]
    return {t: np.array(y, dtype=float) for t, y in zip(steps, ex.targets)}


def _head(sc, P, v, g, t, h, y, d_o):
    """The output layer at step t: values, loss, δo, and its parameters' gradients."""
    o = P["W_hy"] @ h + P["b_y"]
    v[f"o[{t}]"], v[f"y_hat[{t}]"] = o, _output(sc.model.output, o)
    loss, d_o[t] = _loss_and_delta(sc, o, y)
    v[f"dL/do[{t}]"] = d_o[t]
    g["W_hy"] += np.outer(d_o[t], h)
    g["b_y"] += d_o[t]
    return loss


def _lstm(sc: Scenario, P: dict, ex) -> tuple[dict, dict]:
    H = sc.model.hidden_size
    W = np.vstack([P[f"W_{k}"] for k in "fico"])  # the four gates stacked: 4H × input
    U = np.vstack([P[f"U_{k}"] for k in "fico"])
    b = np.concatenate([P[f"b_{k}"] for k in "fico"])
    xs = [None] + [np.array(x, dtype=float) for x in ex.inputs]
    hs, cs = [np.array(sc.h0, dtype=float)], [np.array(sc.c0 or [0] * H, dtype=float)]
    acts, v, g, d_o, loss = [None], {}, {k: np.zeros_like(P[k]) for k in P}, {}, 0.0
    targets = _targets(sc, ex)
    for t in range(1, ex.steps + 1):
        a = W @ xs[t] + U @ hs[-1] + b
        f, i, cc, o = sig(a[:H]), sig(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sig(a[3 * H:])
        acts.append((f, i, cc, o))
        cs.append(f * cs[-1] + i * cc)
        hs.append(o * np.tanh(cs[-1]))
        v.update({f"f[{t}]": f, f"i[{t}]": i, f"c_tilde[{t}]": cc, f"o_gate[{t}]": o, f"c[{t}]": cs[t],
                  f"h[{t}]": hs[t], f"z_f[{t}]": a[:H], f"z_o[{t}]": a[3 * H:]})
        if t in targets:
            loss += _head(sc, P, v, g, t, hs[t], targets[t], d_o)
    v["loss"] = loss
    dh_next, dc_next = np.zeros(H), np.zeros(H)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    for t in range(ex.steps, 0, -1):
        f, i, cc, o = acts[t]
        dh = dh_next + (P["W_hy"].T @ d_o[t] if t in d_o else 0)
        tc = np.tanh(cs[t])
        dc = dc_next + dh * o * (1 - tc ** 2)
        da = np.concatenate([dc * cs[t - 1] * f * (1 - f), dc * cc * i * (1 - i), dc * i * (1 - cc ** 2),
                             dh * tc * o * (1 - o)])
        dW += np.outer(da, xs[t])
        dU += np.outer(da, hs[t - 1])
        db += da
        v.update({f"dL/dh[{t}]": dh, f"dL/dc[{t}]": dc, f"dL/dz_f[{t}]": da[:H], f"dL/dz_i[{t}]": da[H:2 * H],
                  f"dL/dz_c[{t}]": da[2 * H:3 * H], f"dL/dz_o[{t}]": da[3 * H:], f"dL/dx[{t}]": W.T @ da})
        dh_next, dc_next = U.T @ da, dc * f
    v["dL/dh[0]"], v["dL/dc[0]"] = dh_next, dc_next
    for n, k in enumerate("fico"):
        rows = slice(n * H, (n + 1) * H)
        g[f"W_{k}"], g[f"U_{k}"], g[f"b_{k}"] = dW[rows], dU[rows], db[rows]
    v.update({f"dL/d{k}": g[k] for k in g})
    return v, g


def _gru(sc: Scenario, P: dict, ex) -> tuple[dict, dict]:
    H = sc.model.hidden_size
    xs = [None] + [np.array(x, dtype=float) for x in ex.inputs]
    hs = [np.array(sc.h0, dtype=float)]
    saved, v, g, d_o, loss = [None], {}, {k: np.zeros_like(P[k]) for k in P}, {}, 0.0
    targets = _targets(sc, ex)
    for t in range(1, ex.steps + 1):
        x, hp = xs[t], hs[-1]
        u = sig(P["W_u"] @ x + P["U_u"] @ hp + P["b_u"])
        r = sig(P["W_r"] @ x + P["U_r"] @ hp + P["b_r"])
        cand = np.tanh(P["W_h"] @ x + P["U_h"] @ (r * hp) + P["b_h"])
        hs.append(hp + u * (cand - hp))  # the same as (1 − u)·h + u·h̃, written differently
        saved.append((u, r, cand))
        v.update({f"u[{t}]": u, f"r[{t}]": r, f"h_tilde[{t}]": cand, f"h[{t}]": hs[t], f"rh[{t}]": r * hp})
        if t in targets:
            loss += _head(sc, P, v, g, t, hs[t], targets[t], d_o)
    v["loss"] = loss
    dh_next = np.zeros(H)
    for t in range(ex.steps, 0, -1):
        u, r, cand = saved[t]
        x, hp = xs[t], hs[t - 1]
        dh = dh_next + (P["W_hy"].T @ d_o[t] if t in d_o else 0)
        dzh = dh * u * (1 - cand ** 2)
        dzu = dh * (cand - hp) * u * (1 - u)
        drh = P["U_h"].T @ dzh
        dzr = drh * hp * r * (1 - r)
        for k, dz, prev in (("u", dzu, hp), ("r", dzr, hp), ("h", dzh, r * hp)):
            g[f"W_{k}"] += np.outer(dz, x)
            g[f"U_{k}"] += np.outer(dz, prev)
            g[f"b_{k}"] += dz
        v.update({f"dL/dh[{t}]": dh, f"dL/dz_u[{t}]": dzu, f"dL/dz_r[{t}]": dzr, f"dL/dz_h[{t}]": dzh,
                  f"dL/dx[{t}]": P["W_u"].T @ dzu + P["W_r"].T @ dzr + P["W_h"].T @ dzh})
        dh_next = dh * (1 - u) + drh * r + P["U_u"].T @ dzu + P["U_r"].T @ dzr
    v["dL/dh[0]"] = dh_next
    v.update({f"dL/d{k}": g[k] for k in g})
    return v, g


def _mlp(sc: Scenario, P: dict, ex) -> tuple[dict, dict]:
    layers = sc.model.layers
    L = len(layers) + 1
    hs, zs, v = [np.array(ex.inputs[0], dtype=float)], [None], {}
    for n, (_, fn) in enumerate(layers, start=1):
        zs.append(P[f"W_{n}"] @ hs[-1] + P[f"b_{n}"])
        hs.append(ACT[fn](zs[-1]))
        v[f"z[{n}]"], v[f"h[{n}]"] = zs[-1], hs[-1]
    o = P[f"W_{L}"] @ hs[-1] + P[f"b_{L}"]
    v["o"], v["y_hat"] = o, _output(sc.model.output, o)
    v["loss"], delta = _loss_and_delta(sc, o, np.array(ex.targets[0], dtype=float))
    v["dL/do"], g = delta, {}
    for n in range(L, 0, -1):
        g[f"W_{n}"], g[f"b_{n}"] = np.outer(delta, hs[n - 1]), delta
        back = P[f"W_{n}"].T @ delta
        if n > 1:
            v[f"dL/dh[{n - 1}]"] = back
            delta = back * _act_grad(layers[n - 2][1], zs[n - 1], hs[n - 1])
            v[f"dL/dz[{n - 1}]"] = delta
    v["dL/dx"] = back
    v.update({f"dL/d{k}": g[k] for k in g})
    return v, g


def _birnn(sc: Scenario, P: dict, ex) -> tuple[dict, dict]:
    T, H, fn = ex.steps, sc.model.hidden_size, sc.model.activation
    xs = [None] + [np.array(x, dtype=float) for x in ex.inputs]
    h, z = {"fw": {0: np.array(sc.h0, dtype=float)}, "bw": {T + 1: np.array(sc.h0, dtype=float)}}, {"fw": {}, "bw": {}}
    v, g, d_o, loss = {}, {k: np.zeros_like(P[k]) for k in P}, {}, 0.0
    for d, order, back in (("fw", range(1, T + 1), -1), ("bw", range(T, 0, -1), 1)):
        for t in order:
            z[d][t] = P[f"W_xh_{d}"] @ xs[t] + P[f"W_hh_{d}"] @ h[d][t + back] + P[f"b_h_{d}"]
            h[d][t] = ACT[fn](z[d][t])
            v[f"h_{d}[{t}]"], v[f"z_{d}[{t}]"] = h[d][t], z[d][t]
    targets = _targets(sc, ex)
    grad_h = {"fw": {}, "bw": {}}
    for s, y in targets.items():
        bw_step = s if sc.model.outputs_at == "every" else 1
        joined = np.concatenate([h["fw"][s], h["bw"][bw_step]])
        v[f"h[{s}]"] = joined
        loss += _head(sc, P, v, g, s, joined, y, d_o)
        dj = P["W_hy"].T @ d_o[s]
        grad_h["fw"][s] = grad_h["fw"].get(s, 0) + dj[:H]
        grad_h["bw"][bw_step] = grad_h["bw"].get(bw_step, 0) + dj[H:]
    v["loss"] = loss
    dx = {t: np.zeros(len(xs[1])) for t in range(1, T + 1)}
    for d, order, back in (("fw", range(T, 0, -1), -1), ("bw", range(1, T + 1), 1)):
        carry = np.zeros(H)
        for t in order:
            dh = carry + grad_h[d].get(t, 0)
            dz = dh * _act_grad(fn, z[d][t], h[d][t])
            g[f"W_xh_{d}"] += np.outer(dz, xs[t])
            g[f"W_hh_{d}"] += np.outer(dz, h[d][t + back])
            g[f"b_h_{d}"] += dz
            dx[t] = dx[t] + P[f"W_xh_{d}"].T @ dz
            v[f"dL/dh_{d}[{t}]"], v[f"dL/dz_{d}[{t}]"] = dh, dz
            carry = P[f"W_hh_{d}"].T @ dz
        v[f"dL/dh_{d}[{0 if d == 'fw' else T + 1}]"] = carry
    v.update({f"dL/dx[{t}]": dx[t] for t in dx})
    v.update({f"dL/d{k}": g[k] for k in g})
    return v, g
