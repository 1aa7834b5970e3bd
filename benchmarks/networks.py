"""The LSTM and GRU engines at T = 500, hidden 32, input 16, and XOR training, each against a
plain numpy implementation measured in the same process.

Baselines: the same forward pass and full BPTT (for XOR, the same full-batch training) written
with bare float64 numpy, the LSTM's four gates stacked into one matrix, on parameter and input
arrays built before the clock starts. Each computes every gradient the engine records (every
parameter's, and each step's dL/dx; checked against the engine before timing) and nothing
more. That is the floor: the same arithmetic with nothing recorded and no Fraction converted,
as a numpy user holding float arrays would write it.
Engine and baseline are timed alternately in one run (best of several each).

Target: each engine at most 4x its baseline. XOR training has no target; its figure is printed.
"""

from __future__ import annotations

import sys
from fractions import Fraction

import numpy as np

from _common import ROOT, paired

from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.scenario.spec import GATES, Example, Model, Scenario
from bptt_trace.analysis.training import train

HIDDEN, INPUT, STEPS = 32, 16, 500
sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731


def scenario(cell: str, seed: int = 0) -> Scenario:
    rng = np.random.default_rng(seed)
    frac = lambda a: tuple(map(frac, a)) if np.ndim(a) else Fraction(float(a))  # noqa: E731
    s = 1 / np.sqrt(HIDDEN)
    params = {}
    for g in GATES[cell]:
        params |= {f"W_{g}": frac(rng.uniform(-s, s, (HIDDEN, INPUT))), f"U_{g}": frac(rng.uniform(-s, s, (HIDDEN, HIDDEN))),
                   f"b_{g}": frac(np.zeros(HIDDEN))}
    params |= {"W_hy": frac(rng.uniform(-s, s, (1, HIDDEN))), "b_y": frac(np.zeros(1))}
    ex = Example(inputs=frac(rng.uniform(-1, 1, (STEPS, INPUT))), tokens=None, targets=((Fraction(1),),), target=1)
    model = Model(cell, HIDDEN, INPUT, 1, "tanh", "sigmoid", "bce", "last")
    return Scenario(name="bench", description="", model=model, parameters=params, h0=(Fraction(0),) * HIDDEN,
                    embeddings={}, examples=(ex,), learning_rate=Fraction(1, 10), reduction="sum",
                    c0=(Fraction(0),) * HIDDEN)


def numpy_lstm(P: dict, xs: np.ndarray) -> dict:
    """Forward and BPTT of a many-to-one LSTM with bare numpy (stacked gates): the baseline.

    Returns every gradient the engine records: each parameter's, and each step's dL/dx.
    """
    H = len(P["b_f"])
    W, U = np.vstack([P[f"W_{k}"] for k in "fico"]), np.vstack([P[f"U_{k}"] for k in "fico"])
    b = np.concatenate([P[f"b_{k}"] for k in "fico"])
    hs, cs, acts = [np.zeros(H)], [np.zeros(H)], [None]
    for x in xs:
        a = W @ x + U @ hs[-1] + b
        f, i, g, o = sig(a[:H]), sig(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sig(a[3 * H:])
        cs.append(f * cs[-1] + i * g)
        hs.append(o * np.tanh(cs[-1]))
        acts.append((f, i, g, o))
    d_o = sig(P["W_hy"] @ hs[-1] + P["b_y"]) - 1
    dh, dc, dW, dU, db = P["W_hy"].T @ d_o, np.zeros(H), np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dx = [None] * len(xs)
    for t in range(len(xs), 0, -1):
        f, i, g, o = acts[t]
        tc = np.tanh(cs[t])
        dc = dc + dh * o * (1 - tc ** 2)
        da = np.concatenate([dc * cs[t - 1] * f * (1 - f), dc * g * i * (1 - i), dc * i * (1 - g ** 2), dh * tc * o * (1 - o)])
        dW += np.outer(da, xs[t - 1])
        dU += np.outer(da, hs[t - 1])
        db += da
        dx[t - 1] = W.T @ da
        dh, dc = U.T @ da, dc * f
    grads = {"W_hy": np.outer(d_o, hs[-1]), "b_y": d_o, "dx": dx}
    for n, k in enumerate("fico"):
        rows = slice(n * H, (n + 1) * H)
        grads |= {f"W_{k}": dW[rows], f"U_{k}": dU[rows], f"b_{k}": db[rows]}
    return grads


def numpy_gru(P: dict, xs: np.ndarray) -> dict:
    """Forward and BPTT of a many-to-one GRU with bare numpy: the baseline.

    Returns every gradient the engine records: each parameter's, and each step's dL/dx.
    """
    H = len(P["b_u"])
    hs, saved = [np.zeros(H)], [None]
    for x in xs:
        h = hs[-1]
        u, r = sig(P["W_u"] @ x + P["U_u"] @ h + P["b_u"]), sig(P["W_r"] @ x + P["U_r"] @ h + P["b_r"])
        c = np.tanh(P["W_h"] @ x + P["U_h"] @ (r * h) + P["b_h"])
        hs.append((1 - u) * h + u * c)
        saved.append((u, r, c))
    d_o = sig(P["W_hy"] @ hs[-1] + P["b_y"]) - 1
    dh = P["W_hy"].T @ d_o
    g = {k: np.zeros_like(P[k]) for k in P}
    g["W_hy"], g["b_y"], g["dx"] = np.outer(d_o, hs[-1]), d_o, [None] * len(xs)
    for t in range(len(xs), 0, -1):
        u, r, c = saved[t]
        h, x = hs[t - 1], xs[t - 1]
        dzh, dzu = dh * u * (1 - c ** 2), dh * (c - h) * u * (1 - u)
        drh = P["U_h"].T @ dzh
        dzr = drh * h * r * (1 - r)
        for k, dz, prev in (("u", dzu, h), ("r", dzr, h), ("h", dzh, r * h)):
            g[f"W_{k}"] += np.outer(dz, x)
            g[f"U_{k}"] += np.outer(dz, prev)
            g[f"b_{k}"] += dz
        g["dx"][t - 1] = P["W_u"].T @ dzu + P["W_r"].T @ dzr + P["W_h"].T @ dzh
        dh = dh * (1 - u) + drh * r + P["U_u"].T @ dzu + P["U_r"].T @ dzr
    return g


def agree(trace, ref: dict) -> bool:
    """Whether the engine's gradients (every parameter's, and each step's dL/dx) match the baseline's."""
    close = lambda a, b: np.allclose(a, b, rtol=1e-9, atol=1e-12)  # noqa: E731
    params = [k for k in ref if k != "dx"]
    return all(close(trace.value(f"dL/d{k}"), ref[k]) for k in params) and \
        all(close(trace.value(f"dL/dx[{t}]", 1), dx) for t, dx in enumerate(ref["dx"], 1))


def xor_arrays(sc: Scenario) -> tuple[dict, list, list, float]:
    """The XOR scenario's parameters, inputs, targets and rate as floats: built before any clock starts."""
    P = {k: np.array(v, dtype=float) for k, v in sc.parameters.items()}
    return (P, [np.array(ex.inputs[0], dtype=float) for ex in sc.examples],
            [float(ex.targets[0][0]) for ex in sc.examples], float(sc.learning_rate))


def numpy_xor(arrays: tuple[dict, list, list, float], epochs: int) -> None:
    """The XOR network's batch training with bare numpy on prebuilt arrays: the baseline."""
    P, X, Y, lr = arrays
    for _ in range(epochs):
        g = {k: np.zeros_like(v) for k, v in P.items()}
        for x, y in zip(X, Y):
            h = sig(P["W_1"] @ x + P["b_1"])
            d = sig(P["W_2"] @ h + P["b_2"]) - y
            g["W_2"] += np.outer(d, h)
            g["b_2"] += d
            dz = (P["W_2"].T @ d) * h * (1 - h)
            g["W_1"] += np.outer(dz, x)
            g["b_1"] += dz
        P = {k: P[k] - lr * g[k] for k in P}


def main() -> int:
    worst = 0.0
    for cell, baseline in (("lstm", numpy_lstm), ("gru", numpy_gru)):
        sc = scenario(cell)
        P = {k: np.array(v, dtype=float) for k, v in sc.parameters.items()}
        xs = np.array(sc.examples[0].inputs, dtype=float)
        ref = baseline(P, xs)
        assert agree(run(sc), ref), f"{cell}: engine and baseline disagree"
        t_engine, t_plain = paired(lambda: run(sc), lambda: baseline(P, xs), 5)
        worst = max(worst, t_engine / t_plain)
        print(f"{cell} T={STEPS}, hidden={HIDDEN}, input={INPUT}: engine {t_engine * 1000:.0f} ms, "
              f"plain numpy {t_plain * 1000:.0f} ms, ratio {t_engine / t_plain:.2f}x (target <= 4x)")
    sc = load_scenario(ROOT / "scenarios" / "xor.yaml")
    arrays = xor_arrays(sc)
    t_train, t_plain = paired(lambda: train(sc, sc.epochs), lambda: numpy_xor(arrays, sc.epochs), 3)
    print(f"xor {sc.epochs} epochs: train {t_train * 1000:.0f} ms, plain numpy {t_plain * 1000:.0f} ms, "
          f"ratio {t_train / t_plain:.2f}x")
    return 0 if worst <= 4 else 1

if __name__ == "__main__":
    sys.exit(main())
