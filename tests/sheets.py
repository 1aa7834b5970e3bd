"""Realistic student sheets, worked by hand independently of the engine, with known verdicts.

A `Pen` works one network through forward pass, loss, backward pass, totals and update at a
chosen precision (3, 4 or 6 decimals) and policy (round or truncate each written result), as a
student does: what they write is rounded and used onward; what they skip they carry in full.
Mistakes are planted where asked: an arithmetic slip, or a named misconception worked out the
way the student would. Each planted answer deserves `wrong` (with its misconception), every
other written answer deserves `correct` or `carried_forward`.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

SLIP = 0.05


def sig(a):
    return 1 / (1 + np.exp(-a))


class Pen:
    """One student's sheet: `plants` maps (name, example) to a slip or a misconception key."""

    def __init__(self, places: int, mode: str, plants: dict, skip: float, rng: random.Random) -> None:
        self.places, self.mode, self.plants, self.skip, self.rng = places, mode, plants, skip, rng
        self.sheet: dict = {}
        self.slots: dict = {}  # (name, example) -> the plants that apply there
        self.example: int | None = None
        self.truth: dict = {}  # the honest values (an unplanted run), to keep plants away from them too
        self.products = False  # round (or truncate) each product of a dot product before adding them up

    def mv(self, M: Any, v: Any) -> np.ndarray:
        """M·v, with each product cut to the student's decimals first when that is their habit."""
        M, v = np.asarray(M, dtype=float), np.asarray(v, dtype=float)
        return self.cut(self.cut(M * v[None, :]).sum(axis=1)) if self.products else M @ v

    def cut(self, a: Any) -> np.ndarray:
        s = 10.0 ** self.places
        a = np.asarray(a, dtype=float)
        if self.mode == "round":
            return np.sign(a) * np.floor(np.abs(a) * s + 0.5 + 1e-9) / s
        return np.trunc(a * s + np.sign(a) * 1e-9) / s

    def w(self, name: str, value: Any, **alts) -> np.ndarray:
        """Write one quantity (or skip it and carry it in full); a planted mistake replaces it."""
        key = (name, self.example)
        value = np.asarray(value, dtype=float)
        near = [self.cut(value)] + ([self.truth[key]] if key in self.truth else [])
        given = {k: np.asarray(v, dtype=float) for k, v in alts.items() if v is not None}
        usable = {k: v for k, v in given.items()  # far enough from the honest values and the other slips to tell
                  if all(np.abs(self.cut(v) - n).max() > 5e-3 for n in near + [u for j, u in given.items() if j != k])}
        self.slots[key] = ["slip"] + sorted(usable)
        kind = self.plants.get(key)
        if kind is not None and kind != "slip" and kind not in usable:  # an earlier plant made it too close
            kind = self.plants[key] = "slip"
        if kind == "slip":
            value = value + SLIP * (np.arange(value.size).reshape(value.shape) == 0)
        elif kind is not None:
            value = usable[kind]
        if kind is None and self.rng.random() < self.skip and not (self.products and name.startswith(("z[", "dL/dh["))):
            return value  # skipped (never a sum of rounded products: those the student writes down)
        self.sheet[key] = self.cut(value)
        return self.sheet[key]

    def yaml(self, params: tuple[str, ...]) -> str:
        """The answers file, numbers written to the student's decimals."""
        def text(v):
            return f"{float(v):.{self.places}f}" if np.ndim(v) == 0 else "[" + ", ".join(text(x) for x in v) + "]"
        lines = ["examples:"]
        for k in sorted({e for _, e in self.sheet if e is not None}):
            lines.append(f"  {k}:")
            lines += [f'    "{n}": {text(v)}' for (n, e), v in self.sheet.items() if e == k]
        totals = [(n, v) for (n, e), v in self.sheet.items() if e is None and not n.endswith("_new")]
        lines += ["total:"] + [f'  "{n}": {text(v)}' for n, v in totals] if totals else []
        updated = [(n, v) for (n, e), v in self.sheet.items() if e is None and n.endswith("_new")]
        lines += ["updated:"] + [f'  "{n[:-4]}": {text(v)}' for n, v in updated] if updated else []
        return "\n".join(lines) + "\n"


def head(pen: Pen, sc, P, t: int, h, y) -> tuple[Any, Any]:
    """The output layer at step t: o, ŷ, the loss term and δo."""
    name = (lambda n: n) if sc.model.cell == "mlp" else (lambda n: f"{n}[{t}]")
    o = pen.w(name("o"), P["W_hy" if "W_hy" in P else _last(P)] @ h + P["b_y" if "b_y" in P else _last(P, "b")])
    if sc.model.output == "softmax":
        e = np.exp(o - o.max())
        y_hat = pen.w(name("y_hat"), e / e.sum())
        loss = -float(np.sum(y * np.log(y_hat)))
    elif sc.model.output == "sigmoid":
        y_hat = pen.w(name("y_hat"), sig(o))
        loss = -float(np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
    else:
        y_hat = pen.w(name("y_hat"), o + 0)
        loss = float(np.sum((y_hat - y) ** 2) / 2)
    return loss, pen.w(name("dL/do"), y_hat - y)


def _last(P: dict, kind: str = "W") -> str:
    return max((k for k in P if k.startswith(f"{kind}_") and k[2:].isdigit()), key=lambda k: int(k[2:]))


def rnn(pen: Pen, sc, P: dict, ex) -> dict:
    """A vanilla RNN (tanh), many-to-one or many-to-many."""
    T, xs, hs, zs = ex.steps, [None] + [np.array(x, float) for x in ex.inputs], {0: np.array(sc.h0, float)}, {}
    for t in range(1, T + 1):
        zs[t] = pen.w(f"z[{t}]", pen.mv(P["W_xh"], xs[t]) + pen.mv(P["W_hh"], hs[t - 1]) + P["b_h"])
        hs[t] = pen.w(f"h[{t}]", np.tanh(zs[t]))
    steps = list(range(1, T + 1)) if sc.model.outputs_at == "every" else [T]
    losses = [T] if sc.model.loss_at == "last" else steps  # "I love AI": outputs at every step, loss at the last
    loss, d_o = 0.0, {}
    for t in steps:
        if t not in losses:  # an output with no target: o and ŷ only
            pen.w(f"o[{t}]", P["W_hy"] @ hs[t] + P["b_y"])
            continue
        term, d_o[t] = head(pen, sc, P, t, hs[t], np.array(ex.targets[losses.index(t)], float))
        loss += term
    loss = pen.w("loss", loss)
    g = {k: np.zeros_like(v) for k, v in P.items()}
    dz = None
    for t in range(T, 0, -1):
        out = pen.mv(P["W_hy"].T, d_o[t]) if t in d_o else 0 * hs[t]
        future = 0 if dz is None else pen.mv(P["W_hh"].T, dz)
        dh = pen.w(f"dL/dh[{t}]", out + future, future_term_dropped=None if dz is None else out,
                   not_transposed=None if dz is None else out + P["W_hh"] @ dz)
        dz = pen.w(f"dL/dz[{t}]", dh * (1 - hs[t] ** 2), derivative_from_pre_activation=dh * (1 - zs[t] ** 2))
        g["W_xh"] += pen.w(f"dL/dW_xh[{t}]", np.outer(dz, xs[t]))
        g["W_hh"] += pen.w(f"dL/dW_hh[{t}]", np.outer(dz, hs[t - 1]))
        g["b_h"] += dz
    for t in d_o:
        g["W_hy"] += np.outer(d_o[t], hs[t])
        g["b_y"] += d_o[t]
    return {k: pen.w(f"dL/d{k}", v) for k, v in g.items()} | {"loss": loss}


def lstm(pen: Pen, sc, P: dict, ex) -> dict:
    """An LSTM, many-to-one."""
    T, H = ex.steps, sc.model.hidden_size
    xs, hs, cs = [None] + [np.array(x, float) for x in ex.inputs], {0: np.array(sc.h0, float)}, \
        {0: np.array(sc.c0 or [0] * H, float)}
    a, z = {}, {}
    for t in range(1, T + 1):
        gates = {}
        for k, name, fn in (("f", "f", sig), ("i", "i", sig), ("c", "c_tilde", np.tanh), ("o", "o_gate", sig)):
            z[(k, t)] = pen.w(f"z_{k}[{t}]", P[f"W_{k}"] @ xs[t] + P[f"U_{k}"] @ hs[t - 1] + P[f"b_{k}"])
            gates[k] = pen.w(f"{name}[{t}]", fn(z[(k, t)]))
        cs[t] = pen.w(f"c[{t}]", gates["f"] * cs[t - 1] + gates["i"] * gates["c"])
        tc = pen.w(f"tanh_c[{t}]", np.tanh(cs[t]))
        hs[t] = pen.w(f"h[{t}]", gates["o"] * tc)
        a[t] = gates
    loss, d_o = head(pen, sc, P, T, hs[T], np.array(ex.targets[0], float))
    loss = pen.w("loss", loss)
    g = {k: np.zeros_like(v) for k, v in P.items()}
    dh_next, dc_next = 0 * hs[T], 0 * hs[T]
    for t in range(T, 0, -1):
        f, i, cc, o = (a[t][k] for k in "fico")
        out = P["W_hy"].T @ d_o if t == T else 0 * hs[t]
        dh = pen.w(f"dL/dh[{t}]", out + dh_next, future_term_dropped=None if t == T else out)
        tc = np.tanh(cs[t])
        through = dh * o * (1 - tc ** 2)
        dc = pen.w(f"dL/dc[{t}]", through + dc_next, cell_path_dropped=None if t == T else through,
                   derivative_from_pre_activation=dh * o * (1 - cs[t] ** 2) + dc_next)
        df, di, dcc = dc * cs[t - 1], dc * cc, dc * i
        dz = {"f": pen.w(f"dL/dz_f[{t}]", df * f * (1 - f), derivative_from_pre_activation=df * z[("f", t)] * (1 - z[("f", t)])),
              "i": pen.w(f"dL/dz_i[{t}]", di * i * (1 - i)),
              "c": pen.w(f"dL/dz_c[{t}]", dcc * (1 - cc ** 2), derivative_from_pre_activation=dcc * (1 - z[("c", t)] ** 2)),
              "o": pen.w(f"dL/dz_o[{t}]", dh * tc * o * (1 - o))}
        for k in "fico":
            g[f"W_{k}"] += np.outer(dz[k], xs[t])
            g[f"U_{k}"] += np.outer(dz[k], hs[t - 1])
            g[f"b_{k}"] += dz[k]
        dh_next, dc_next = sum(P[f"U_{k}"].T @ dz[k] for k in "fico"), dc * f
    g["W_hy"] += np.outer(d_o, hs[T])
    g["b_y"] += d_o
    return {k: pen.w(f"dL/d{k}", v) for k, v in g.items()} | {"loss": loss}


def gru(pen: Pen, sc, P: dict, ex) -> dict:
    """A GRU, many-to-one: h = (1 − u)·h_prev + u·h̃."""
    T = ex.steps
    xs, hs, s = [None] + [np.array(x, float) for x in ex.inputs], {0: np.array(sc.h0, float)}, {}
    for t in range(1, T + 1):
        x, hp = xs[t], hs[t - 1]
        zu = pen.w(f"z_u[{t}]", P["W_u"] @ x + P["U_u"] @ hp + P["b_u"])
        u = pen.w(f"u[{t}]", sig(zu))
        zr = pen.w(f"z_r[{t}]", P["W_r"] @ x + P["U_r"] @ hp + P["b_r"])
        r = pen.w(f"r[{t}]", sig(zr))
        rh = pen.w(f"rh[{t}]", r * hp)
        zh = pen.w(f"z_h[{t}]", P["W_h"] @ x + P["U_h"] @ rh + P["b_h"])
        cand = pen.w(f"h_tilde[{t}]", np.tanh(zh))
        hs[t] = pen.w(f"h[{t}]", (1 - u) * hp + u * cand)
        s[t] = (zu, u, zr, r, rh, zh, cand)
    loss, d_o = head(pen, sc, P, T, hs[T], np.array(ex.targets[0], float))
    loss = pen.w("loss", loss)
    g = {k: np.zeros_like(v) for k, v in P.items()}
    parts = None
    for t in range(T, 0, -1):
        zu, u, zr, r, rh, zh, cand = s[t]
        hp = hs[t - 1]
        out = P["W_hy"].T @ d_o if t == T else 0 * hp
        total = out if parts is None else out + sum(parts.values())
        dh = pen.w(f"dL/dh[{t}]", total, future_term_dropped=None if parts is None else out,
                   direct_path_dropped=None if parts is None else total - parts["direct"])
        dzh = pen.w(f"dL/dz_h[{t}]", dh * u * (1 - cand ** 2), derivative_from_pre_activation=dh * u * (1 - zh ** 2))
        dzu = pen.w(f"dL/dz_u[{t}]", dh * (cand - hp) * u * (1 - u),
                    derivative_from_pre_activation=dh * (cand - hp) * zu * (1 - zu))
        drh = P["U_h"].T @ dzh
        dzr = pen.w(f"dL/dz_r[{t}]", drh * hp * r * (1 - r))
        for k, dz, prev in (("u", dzu, hp), ("r", dzr, hp), ("h", dzh, rh)):
            g[f"W_{k}"] += np.outer(dz, xs[t])
            g[f"U_{k}"] += np.outer(dz, prev)
            g[f"b_{k}"] += dz
        parts = {"u": P["U_u"].T @ dzu, "r": P["U_r"].T @ dzr, "direct": (1 - u) * dh, "rh": r * drh}
    g["W_hy"] += np.outer(d_o, hs[T])
    g["b_y"] += d_o
    return {k: pen.w(f"dL/d{k}", v) for k, v in g.items()} | {"loss": loss}


def mlp(pen: Pen, sc, P: dict, ex) -> dict:
    """A one-hidden-layer MLP (tanh or sigmoid)."""
    fn = sc.model.layers[0][1]
    act = np.tanh if fn == "tanh" else sig
    x = np.array(ex.inputs[0], float)
    z = pen.w("z[1]", P["W_1"] @ x + P["b_1"])
    h = pen.w("h[1]", act(z))
    loss, d_o = head(pen, sc, P, 1, h, np.array(ex.targets[0], float))
    loss = pen.w("loss", loss)
    g = {"W_2": pen.w("dL/dW_2", np.outer(d_o, h)), "b_2": pen.w("dL/db_2", d_o)}
    dh = pen.w("dL/dh[1]", P["W_2"].T @ d_o)
    slope, wrong = ((1 - h ** 2), (1 - z ** 2)) if fn == "tanh" else (h * (1 - h), z * (1 - z))
    dz = pen.w("dL/dz[1]", dh * slope, derivative_from_pre_activation=dh * wrong)
    g["W_1"], g["b_1"] = pen.w("dL/dW_1", np.outer(dz, x)), pen.w("dL/db_1", dz)
    return g | {"loss": loss}


NETWORKS = {"rnn": rnn, "lstm": lstm, "gru": gru, "mlp": mlp}


def work(sc, places: int, mode: str, plants: dict, skip: float, seed: int, truth: dict | None = None,
         products: bool = False) -> Pen:
    """The whole sheet: every example, the totals over examples, the update."""
    P = {k: np.array(v, dtype=float) for k, v in sc.parameters.items()}
    if sc.model.cell == "mlp":
        P["W_hy"], P["b_y"] = P[_last(P)], P[_last(P, "b")]
    pen = Pen(places, mode, dict(plants), skip, random.Random(seed))
    pen.truth = truth if truth is not None else work(sc, 6, "round", {}, 0.0, 0, {}).sheet
    pen.products = products
    grads = []
    for k, ex in enumerate(sc.examples, start=1):
        pen.example = k
        grads.append(NETWORKS[sc.model.cell](pen, sc, {k2: v for k2, v in P.items()}, ex))
    pen.example = None
    n = len(grads) if sc.reduction == "mean" else 1
    lr = float(sc.learning_rate)
    pen.w("loss", sum(g["loss"] for g in grads) / n)
    for p in sc.parameter_names:
        total = sum(g[p] for g in grads)
        other = total / len(grads) if sc.reduction == "sum" else total
        total = pen.w(f"dL/d{p}", total / n, mean_sum_swapped=other if len(grads) > 1 else None)
        pen.w(f"{p}_new", P[p] - lr * total, update_sign=P[p] + lr * total, updated_twice=P[p] - 2 * lr * total)
    return pen


def plan(sc, rng: random.Random, places: int, mode: str, count: int) -> dict:
    """Up to `count` plants at random places where they apply (a survey run finds the places)."""
    survey = work(sc, places, mode, {}, 0.0, 0, {})
    named = [k for k, kinds in survey.slots.items() if len(kinds) > 1]
    out = {}
    for _ in range(count):
        if named and rng.random() < 0.6:
            key = rng.choice(named)
            out[key] = rng.choice(survey.slots[key][1:])
        else:
            out[rng.choice(list(survey.slots))] = "slip"
    return out
