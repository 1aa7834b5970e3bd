"""The recording engine on T = 1000, hidden 64, input 32 against a plain numpy BPTT of the same scenario.

Baseline: `_common.numpy_bptt`, the same forward pass and full BPTT (every per-step gradient,
and the embedding gradient the engine also records) in float64 numpy, on parameter and input
arrays built before the clock starts. That is the floor: the same arithmetic with nothing
recorded and nothing converted, as someone who already holds float arrays would write it. The
engine's time includes turning the scenario's Fractions into floats; the baseline's does not.

Targets: at most 3x the baseline, the two timed alternately in one run (best of several each);
engine time linear in T (exponent at most 1.05 from T = 1000 to T = 10000, at hidden 16 as the
issue measured, both in one process and with each run in a new one); trace memory linear in T
(bytes per step roughly constant across T).
The hand-rounded line (`hand_engine.py`) is measured against the float64 engine on its own scenario.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
import tracemalloc
from fractions import Fraction
from pathlib import Path

import numpy as np

from _common import best_of, numpy_bptt, paired

from bptt_trace.networks.run import run
from bptt_trace.scenario.spec import Example, Model, Scenario

HIDDEN, INPUT, STEPS = 64, 32, 1000


def scenario(steps: int, seed: int = 0, hidden: int = HIDDEN) -> Scenario:
    rng = np.random.default_rng(seed)
    frac = lambda a: tuple(map(frac, a)) if np.ndim(a) else Fraction(float(a))  # noqa: E731
    s = 1 / np.sqrt(hidden)
    params = {"W_xh": frac(rng.uniform(-s, s, (hidden, INPUT))), "W_hh": frac(rng.uniform(-s, s, (hidden, hidden))),
              "b_h": frac(np.zeros(hidden)), "W_hy": frac(rng.uniform(-s, s, (1, hidden))), "b_y": frac(np.zeros(1))}
    ex = Example(inputs=frac(rng.uniform(-1, 1, (steps, INPUT))), tokens=None, targets=((Fraction(1),),), target=1)
    model = Model("rnn", hidden, INPUT, 1, "tanh", "sigmoid", "bce", "last")
    return Scenario(name="bench", description="", model=model, parameters=params, h0=(Fraction(0),) * hidden,
                    embeddings={}, examples=(ex,), learning_rate=Fraction(1, 10), reduction="sum")


def float_arrays(sc: Scenario) -> tuple[dict, np.ndarray]:
    """The scenario's parameters and inputs as float64 arrays: built before any clock starts."""
    return {k: np.array(v, dtype=float) for k, v in sc.parameters.items()}, np.array(sc.examples[0].inputs, dtype=float)


def plain_numpy(P: dict, xs: np.ndarray) -> dict:
    """Forward and full BPTT with bare numpy on prebuilt arrays, no recording: the baseline."""
    g = {k: np.zeros_like(v) for k, v in P.items()}
    numpy_bptt(P, xs, 1.0, g)
    return g


def exponent(hidden: int = 16, short: int = 1000, long: int = 10000, rounds: int = 5,
             fresh: bool = False) -> tuple[float, float, float]:
    """How engine time grows with T: the slope of log time against log T, and the two times.

    The two sizes are timed alternately, round after round, and each keeps its best time: a busy
    spell on the shared machine then slows both sizes rather than one. Each time is a whole run,
    freeing its trace included, as `best_of` times it. In one process (`fresh=False`) a later run
    reuses memory an earlier one freed, but the allocator gives a long run's memory back to the
    system and faults it in again each time, a short run's not; with `fresh=True` each run is
    timed in a new process (imports warmed by a run of T = 10), where both sizes start from an
    empty heap, as a command run from the shell does.
    """
    scs = {steps: scenario(steps, hidden=hidden) for steps in (short, long)}
    best = {steps: math.inf for steps in scs}
    run(scs[short])  # warm caches and lazy imports
    for _ in range(rounds):
        for steps, sc in scs.items():
            t = fresh_run(steps, hidden) if fresh else best_of(lambda: run(sc), 3 if steps == short else 1)
            best[steps] = min(best[steps], t)
    return math.log(best[long] / best[short]) / math.log(long / short), best[short], best[long]


def fresh_run(steps: int, hidden: int) -> float:
    """Seconds one run of T steps takes in a new process, freeing its trace included."""
    out = subprocess.run([sys.executable, __file__, "--one", str(steps), str(hidden)], check=True,
                         capture_output=True, text=True, cwd=Path(__file__).parent)
    return float(out.stdout)


def one_run(steps: int, hidden: int) -> float:
    """The time of one run in this process, after a run of T = 10 has loaded what it imports."""
    sc = scenario(steps, hidden=hidden)
    run(scenario(10, hidden=hidden))
    start = time.perf_counter()
    trace = run(sc)
    del trace
    return time.perf_counter() - start


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
    P, xs = float_arrays(sc)
    ref = plain_numpy(P, xs)
    assert np.allclose(run(sc).value("dL/dW_hh"), ref["W_hh"], rtol=1e-9, atol=1e-12), "engine and baseline disagree"
    t_engine, t_plain = paired(lambda: run(sc), lambda: plain_numpy(P, xs))
    ratio = t_engine / t_plain
    print(f"T={STEPS}, hidden={HIDDEN}, input={INPUT}: engine {t_engine * 1000:.1f} ms, "
          f"plain numpy {t_plain * 1000:.1f} ms, ratio {ratio:.2f}x (target <= 3x)")
    slopes = []
    for fresh, where in ((False, "one process"), (True, "a new process per run")):
        slope, t_short, t_long = exponent(fresh=fresh)
        slopes.append(slope)
        print(f"hidden 16, {where}: T=1000 {t_short * 1000:.0f} ms, T=10000 {t_long * 1000:.0f} ms, "
              f"time grows as T^{slope:.3f} (target <= 1.05)")
    slope = max(slopes)
    per_step = {}
    for steps in (250, 500, 1000):
        per_step[steps] = memory(steps) / steps
        print(f"T={steps}: trace peak {memory(steps) / 2**20:.1f} MiB, {per_step[steps] / 1024:.1f} KiB per step")
    spread = max(per_step.values()) / min(per_step.values())
    print(f"memory per step varies by {spread:.2f}x across T (linear in T when close to 1)")
    from hand_engine import hand_and_float, loaded  # baseline: the float64 engine, same scenario (its docstring)
    hand, flt = hand_and_float(loaded(10000), 3)
    print(f"hand-rounded (K=3), hidden 16, T=10000: {hand * 1000:.0f} ms, {hand / flt:.2f}x the float64 engine "
          f"(target <= 3x)")
    return 0 if ratio <= 3 and slope <= 1.05 and spread < 1.2 and hand / flt <= 3 else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(one_run(int(sys.argv[2]), int(sys.argv[3])))
        sys.exit(0)
    sys.exit(main())
