"""The hand-rounded engine (`run` with HandDecimal(3), the default of `bptt-trace run`) on the vanilla RNN
of `terminal_output.py` (hidden 16, input 4, T = 10000; 2-decimal weights, 1-decimal inputs), against the
float64 engine on the same scenario, timed alternately in one run.

Baseline: the float64 engine (`run(sc, Float64())`, the FloatRecorder) on the same loaded scenario. That
is the plainest fast way to do the same work, every op recorded as a Step, with the rounding left out:
what the hand engine adds is the rounding (exact integer arithmetic), the tanh/sigmoid boundary checks and
its bookkeeping, so the ratio to it is the cost of the hand calculation itself. Plain numpy
(`_common.numpy_bptt` on prebuilt float arrays, nothing recorded) is shown as the floor, and the Decimal
recorder (HandDecimal's generic path, forced by BPTT_TRACE_HAND_ENGINE=decimal: the engine before issue 18)
as the before, once each. Scenario loading is outside every clock.

Target: the hand engine at most 3x the float64 engine. Reading the trace (Decimals made on demand) is not
timed here: `terminal_output.py` times the whole command.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from _common import best_of, numpy_bptt, paired
from terminal_output import scenario_text

from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import Float64, HandDecimal
from bptt_trace.scenario.loader import load_scenario

STEPS = 10000


def loaded(steps: int):
    """The benchmark scenario, written and loaded before any clock starts."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rnn.yaml"
        path.write_text(scenario_text(steps))
        return load_scenario(path)


def decimal_engine(sc) -> float:
    """One run with the Decimal recorder forced, in seconds."""
    os.environ["BPTT_TRACE_HAND_ENGINE"] = "decimal"
    try:
        return best_of(lambda: run(sc, HandDecimal(3)), 1)
    finally:
        del os.environ["BPTT_TRACE_HAND_ENGINE"]


def hand_and_float(sc, repeat: int = 5) -> tuple[float, float]:
    """The best times of the hand engine and of the float64 engine on one scenario, run alternately."""
    return paired(lambda: run(sc, HandDecimal(3)), lambda: run(sc, Float64()), repeat)


def main() -> int:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    sc = loaded(STEPS)
    hand, flt = hand_and_float(sc, repeat)
    P = {k: np.array(v, dtype=float) for k, v in sc.parameters.items()}
    xs = np.array(sc.examples[0].inputs, dtype=float)
    plain = best_of(lambda: numpy_bptt(P, xs, 1.0, {k: np.zeros_like(v) for k, v in P.items()}), 3)
    before = decimal_engine(sc)
    print(f"hand-rounded engine, hidden 16, T={STEPS}: {hand:.2f} s, {hand / flt:.2f}x the float64 engine's "
          f"{flt:.2f} s (target <= 3x), {hand / plain:.1f}x plain numpy's {plain * 1000:.0f} ms; "
          f"the Decimal recorder (before): {before:.2f} s, {before / flt:.1f}x")
    return 0 if hand / flt <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
