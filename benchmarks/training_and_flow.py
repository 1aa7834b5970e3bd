"""Training and the gradient-flow report at scale, each against a baseline measured alternately in the same run.

(a) 1000 epochs of the sentiment scenario with `train` against a plain numpy training loop:
    the same forward pass, BPTT and update in bare float64 numpy (`_common.numpy_bptt`), on
    parameter and input arrays built before the clock starts, nothing recorded. That is the
    floor: the same arithmetic without the trace. Target set here: at most 10x (each epoch
    records a full trace of about 200 steps), and under 5 s.
(b) The gradient-flow report on T = 1000, hidden 64, input 32, against the engine's run that
    produced the trace it reads. Not a floor but a budget: the report reads every step's δ and
    multiplies T Jacobians, so it should cost no more than making the trace. Target: at most 2x.
"""

from __future__ import annotations

import sys

import numpy as np

from _common import ROOT, numpy_bptt, paired
from engine_speed import scenario as long_scenario

from bptt_trace.networks.run import run
from bptt_trace.analysis.gradient_flow import gradient_flow
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.analysis.training import train


def training_arrays(sc) -> tuple[dict, list, list, float]:
    """The scenario's parameters, inputs, targets and rate as floats: built before any clock starts."""
    P = {k: np.array(v, dtype=float) for k, v in sc.parameters.items()}
    return (P, [np.array(ex.inputs, dtype=float) for ex in sc.examples], [float(ex.targets[0][0]) for ex in sc.examples],
            float(sc.learning_rate))


def numpy_training(arrays: tuple[dict, list, list, float], epochs: int) -> float:
    """Full-batch training with bare numpy on prebuilt arrays; returns the last epoch's loss, measured before its update."""
    P, xs, ys, lr = arrays
    for _ in range(epochs):
        g = {k: np.zeros_like(v) for k, v in P.items()}
        total = sum(numpy_bptt(P, x, y, g) for x, y in zip(xs, ys))
        P = {k: P[k] - lr * g[k] for k in g}
    return total


def main() -> int:
    sc = load_scenario(ROOT / "scenarios" / "sentiment.yaml")
    # Compared over 50 epochs: around epoch 80 this run is so sensitive that a change of 1e-15 in one
    # weight grows to 1e-7 by epoch 100 in the numpy loop alone, so summation order decides later digits.
    assert abs(sum(train(sc, 50).losses[-1]) - numpy_training(training_arrays(sc), 50)) < 1e-9, "training and numpy disagree"
    arrays = training_arrays(sc)
    t_train, t_numpy = paired(lambda: train(sc, 1000), lambda: numpy_training(arrays, 1000), 3)
    print(f"1000 epochs of sentiment: train {t_train:.2f} s, plain numpy {t_numpy:.2f} s, ratio {t_train / t_numpy:.1f}x "
          "(target <= 10x and < 5 s)")
    long = long_scenario(1000)
    trace = run(long)
    t_flow, t_engine = paired(lambda: gradient_flow(trace, 1), lambda: run(long), 3)
    print(f"gradient-flow report, T=1000, hidden 64: {t_flow * 1000:.0f} ms, engine {t_engine * 1000:.0f} ms, "
          f"ratio {t_flow / t_engine:.2f}x (target <= 2x)")
    return 0 if t_train / t_numpy <= 10 and t_train < 5 and t_flow / t_engine <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
