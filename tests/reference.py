"""A plain numpy forward pass and BPTT, written separately from the engine, to check it against."""

from __future__ import annotations

import numpy as np

from bptt_trace.scenario.spec import Scenario

ACT = {"tanh": np.tanh, "sigmoid": lambda a: 1 / (1 + np.exp(-a)), "relu": lambda a: np.maximum(a, 0),
       "identity": lambda a: a}


def _act_grad(fn: str, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    return {"tanh": 1 - h ** 2, "sigmoid": h * (1 - h), "relu": (z > 0).astype(float),
            "identity": np.ones_like(z)}[fn]


def _output(kind: str, o: np.ndarray) -> np.ndarray:
    if kind == "softmax":
        e = np.exp(o - o.max())
        return e / e.sum()
    return ACT[kind](o)


def _loss_and_delta(sc: Scenario, o: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    m = sc.model
    p = _output(m.output, o)
    if m.loss == "mse":
        loss = 0.5 * np.sum((p - y) ** 2)
        delta = (p - y) * (p * (1 - p) if m.output == "sigmoid" else 1.0)
    elif m.loss == "ce":
        loss = -np.log(p[np.argmax(y)])
        delta = p - y
    else:
        loss = -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))
        delta = p - y
    return float(loss), delta


def reference(sc: Scenario, params: dict | None = None, only: list[int] | None = None) -> dict:
    """Canonical values per example (`examples[k][name]`), `total` and `updated`, in float64.

    `params` replace the scenario's parameters; `only` keeps those examples (from 1).
    """
    P = {k: np.array(v, dtype=float) for k, v in (params or sc.parameters).items()}
    if only is not None:
        sc = sc._replace(examples=tuple(sc.examples[k - 1] for k in only))
    Wxh, Whh, bh, Why, by = (P[k] for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"))
    out = {"examples": []}
    grads_all, losses = [], []
    for ex in sc.examples:
        T, v = ex.steps, {}
        xs = [None] + [np.array(x, dtype=float) for x in ex.inputs]
        hs, zs = [np.array(sc.h0, dtype=float)], [None]
        out_steps = list(range(1, T + 1)) if sc.model.outputs_at == "every" and sc.model.loss_at != "last" else [T]
        targets = dict(zip(out_steps, (np.array(y, dtype=float) for y in ex.targets)))
        total_loss, d_o = 0.0, {}
        for t in range(1, T + 1):
            zs.append(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
            hs.append(ACT[sc.model.activation](zs[t]))
            v[f"x[{t}]"], v[f"z[{t}]"], v[f"h[{t}]"] = xs[t], zs[t], hs[t]
            if t in targets:
                o = Why @ hs[t] + by
                v[f"o[{t}]"], v[f"y_hat[{t}]"] = o, _output(sc.model.output, o)
                loss_t, d_o[t] = _loss_and_delta(sc, o, targets[t])
                v[f"dL/do[{t}]"] = d_o[t]
                total_loss += loss_t
        v["h[0]"], v["loss"] = hs[0], total_loss
        g = {k: np.zeros_like(P[k]) for k in P}
        dz_next = None
        for t in range(T, 0, -1):
            dh = np.zeros_like(bh)
            if t in d_o:
                dh = dh + Why.T @ d_o[t]
                g["W_hy"] += np.outer(d_o[t], hs[t])
                g["b_y"] += d_o[t]
            if dz_next is not None:
                dh = dh + Whh.T @ dz_next
            dz = dh * _act_grad(sc.model.activation, zs[t], hs[t])
            v[f"dL/dh[{t}]"], v[f"dL/dz[{t}]"] = dh, dz
            v[f"dL/dW_xh[{t}]"], v[f"dL/dW_hh[{t}]"] = np.outer(dz, xs[t]), np.outer(dz, hs[t - 1])
            v[f"dL/dx[{t}]"] = Wxh.T @ dz
            g["W_xh"] += np.outer(dz, xs[t])
            g["W_hh"] += np.outer(dz, hs[t - 1])
            g["b_h"] += dz
            dz_next = dz
        v["dL/dh[0]"] = Whh.T @ dz_next
        for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"):
            v[f"dL/d{k}"] = g[k]
        if ex.tokens:
            for word in set(ex.tokens):
                v[f"dL/de[{word}]"] = sum(v[f"dL/dx[{t}]"] for t in range(1, T + 1) if ex.tokens[t - 1] == word)
        out["examples"].append(v)
        grads_all.append(g)
        losses.append(total_loss)
    n = len(sc.examples) if sc.reduction == "mean" else 1
    total = {"loss": sum(losses) / n}
    for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"):
        total[f"dL/d{k}"] = sum(gr[k] for gr in grads_all) / n
    out["total"] = total
    lr = float(sc.learning_rate)
    out["updated"] = {k: P[k] - lr * total[f"dL/d{k}"] for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")}
    return out


def overflows(sc: Scenario) -> bool:
    """Whether float64 leaves the finite range somewhere in this scenario (a saturated σ, an overflow)."""
    with np.errstate(all="ignore"):
        ref = reference(sc)
    values = [v for ex in ref["examples"] for v in ex.values()] + list(ref["total"].values())
    if sc.model.output == "softmax":  # the worked calculation writes exp(o) itself, not exp(o − max o)
        with np.errstate(all="ignore"):
            values += [np.exp(v) for ex in ref["examples"] for k, v in ex.items() if k.startswith("o[")]
    return not all(np.all(np.isfinite(v)) for v in values)
