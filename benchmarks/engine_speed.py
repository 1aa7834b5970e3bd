"""The recording engine on T = 1000, hidden 64, input 32 against a plain numpy BPTT of the same scenario.

Target: at most 3x the plain numpy time, measured in the same process (best of several runs),
and trace memory linear in T (bytes per step roughly constant across T).
"""

from __future__ import annotations

import sys
import tracemalloc
from fractions import Fraction

import numpy as np

from _common import best_of, numpy_bptt

from bptt_trace.networks.run import run
from bptt_trace.scenario.spec import Example, Model, Scenario

HIDDEN, INPUT, STEPS = 64, 32, 1000


def scenario(steps: int, seed: int = 0) -> Scenario:
    rng = np.random.default_rng(seed)
    frac = lambda a: tuple(map(frac, a)) if np.ndim(a) else Fraction(float(a))  # noqa: E731
    s = 1 / np.sqrt(HIDDEN)
    params = {"W_xh": frac(rng.uniform(-s, s, (HIDDEN, INPUT))), "W_hh": frac(rng.uniform(-s, s, (HIDDEN, HIDDEN))),
              "b_h": frac(np.zeros(HIDDEN)), "W_hy": frac(rng.uniform(-s, s, (1, HIDDEN))), "b_y": frac(np.zeros(1))}
    ex = Example(inputs=frac(rng.uniform(-1, 1, (steps, INPUT))), tokens=None, targets=((Fraction(1),),), target=1)
    model = Model("rnn", HIDDEN, INPUT, 1, "tanh", "sigmoid", "bce", "last")
    return Scenario(name="bench", description="", model=model, parameters=params, h0=(Fraction(0),) * HIDDEN,
                    embeddings={}, examples=(ex,), learning_rate=Fraction(1, 10), reduction="sum")


def plain_numpy(sc: Scenario) -> dict:
    """Forward and full BPTT with bare numpy, no recording: the baseline."""
    P = {k: np.array(v, dtype=float) for k, v in sc.parameters.items()}
    g = {k: np.zeros_like(v) for k, v in P.items()}
    numpy_bptt(P, np.array(sc.examples[0].inputs, dtype=float), 1.0, g)
    return g


def memory(steps: int) -> int:
    sc = scenario(steps)
    tracemalloc.start()
    trace = run(sc)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del trace
    return peak


def main() -> int:
    sc = scenario(STEPS)
    trace = run(sc)
    ref = plain_numpy(sc)
    assert np.allclose(trace.value("dL/dW_hh"), ref["W_hh"], rtol=1e-9, atol=1e-12), "engine and baseline disagree"
    t_engine, t_plain = best_of(lambda: run(sc)), best_of(lambda: plain_numpy(sc))
    ratio = t_engine / t_plain
    print(f"T={STEPS}, hidden={HIDDEN}, input={INPUT}: engine {t_engine * 1000:.1f} ms, "
          f"plain numpy {t_plain * 1000:.1f} ms, ratio {ratio:.2f}x (target <= 3x)")
    per_step = {}
    for steps in (250, 500, 1000):
        per_step[steps] = memory(steps) / steps
        print(f"T={steps}: trace peak {memory(steps) / 2**20:.1f} MiB, {per_step[steps] / 1024:.1f} KiB per step")
    spread = max(per_step.values()) / min(per_step.values())
    print(f"memory per step varies by {spread:.2f}x across T (linear in T when close to 1)")
    return 0 if ratio <= 3 and spread < 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
