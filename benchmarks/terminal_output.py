"""`run` to a terminal on a vanilla RNN of hidden 16, input 4, T = 10000: the default (long sequences
elided to their first and last steps) and `--full`, against a plain numpy BPTT measured in the same run.

Baseline: `_common.numpy_bptt` (forward pass and full BPTT in float64 numpy) on parameter and input
arrays built before the clock starts. That is the floor: the same arithmetic with nothing recorded,
nothing rounded by hand and nothing written, as a numpy user holding float arrays would do it. The
command is timed as a person runs it: a fresh process (start-up, loading the YAML, the hand-rounded
trace and its float64 twin for the drift table, the tables, and the exit), its output a pipe with
colour forced (`--color`), read and thrown away. On a machine with a second core free the twin is
traced there while the hand calculation runs (`bptt_trace/twin.py`); with both cores busy it is not
faster, so the figure means something only on a quiet machine (say what `uptime` showed).

`--full` writes every number of every table (about 390 MB at T = 10000), so it also gets a second,
honest baseline: the numpy BPTT plus writing the numbers that output shows as text the plainest fast
way (`text_baseline_seconds`: every row of every matrix-vector product, its products and sum, and
every other vector of each step, each row one `'%.3f'`-style join, written to /dev/null). That
is the floor for formatted tables in Python: the same numbers as text, with no layout at all.

Targets: the default under 2 s; `--full` linear in T and at most 10x the baseline. The command and
the baseline are timed alternately (best of several each), so a busy spell slows both. `--full`
is also timed at T = 1000 for its exponent in T.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import ROOT, numpy_bptt, tool

HIDDEN, INPUT, STEPS = 16, 4, 10000


def scenario_text(steps: int, hidden: int = HIDDEN, inputs: int = INPUT, seed: int = 0, cell: str = "rnn") -> str:
    """A many-to-one RNN (or LSTM/GRU) with small random weights, one 1-decimal input vector per step."""
    rng = np.random.default_rng(seed)
    s = 1 / np.sqrt(hidden)
    row = lambda a: "[" + ", ".join(f"{v:.2f}" for v in a) + "]"  # noqa: E731
    mat = lambda a: "[" + ", ".join(row(r) for r in a) + "]"  # noqa: E731
    gates = {"rnn": ("h",), "lstm": "fico", "gru": "urh"}[cell]
    params = []
    for g in gates:
        names = ("W_xh", "W_hh", "b_h") if cell == "rnn" else (f"W_{g}", f"U_{g}", f"b_{g}")
        params += [f"  {names[0]}: {mat(rng.uniform(-s, s, (hidden, inputs)))}",
                   f"  {names[1]}: {mat(rng.uniform(-s, s, (hidden, hidden)))}", f"  {names[2]}: {row(np.zeros(hidden))}"]
    params += [f"  W_hy: {mat(rng.uniform(-s, s, (1, hidden)))}", "  b_y: [0]"]
    xs = np.round(rng.uniform(-1, 1, (steps, inputs)), 1)
    head = ["name: bench", "model:", f"  cell: {cell}"] + (["  activation: tanh"] if cell == "rnn" else [])
    head += [f"  hidden_size: {hidden}", "  output: sigmoid", "  loss: bce", "parameters:"]
    inputs_line = "  - inputs: [" + ", ".join("[" + ", ".join(f"{v:.1f}" for v in x) + "]" for x in xs) + "]"
    return "\n".join(head + params + ["examples:", inputs_line, "    target: 1"]) + "\n"


def command_seconds(path: Path, *options: str) -> tuple[float, int]:
    """Wall time of one `run PATH --color OPTIONS`, its output read from a pipe; and the bytes it printed."""
    start = time.perf_counter()
    out = subprocess.run(tool() + ["run", str(path), "--color", "--width", "100", "--budget", "time=2h,memory=8G,output=4G",
                                   *options], check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start, len(out.stdout)


def baseline_seconds(steps: int, hidden: int = HIDDEN, repeat: int = 3) -> float:
    """The best of several plain numpy BPTTs on prebuilt float arrays."""
    rng = np.random.default_rng(1)
    P = {"W_xh": rng.uniform(-.25, .25, (hidden, INPUT)), "W_hh": rng.uniform(-.25, .25, (hidden, hidden)),
         "b_h": np.zeros(hidden), "W_hy": rng.uniform(-.25, .25, (1, hidden)), "b_y": np.zeros(1)}
    xs = rng.uniform(-1, 1, (steps, INPUT))
    best = math.inf
    for _ in range(repeat):
        g = {k: np.zeros_like(v) for k, v in P.items()}
        start = time.perf_counter()
        numpy_bptt(P, xs, 1.0, g)
        best = min(best, time.perf_counter() - start)
    return best


def text_baseline_seconds(steps: int, hidden: int = HIDDEN, repeat: int = 3) -> float:
    """The best of several numpy BPTTs that also write, per step, the numbers `--full` shows, plainly."""
    rng = np.random.default_rng(1)
    W_xh, W_hh = rng.uniform(-.25, .25, (hidden, INPUT)), rng.uniform(-.25, .25, (hidden, hidden))
    xs = rng.uniform(-1, 1, (steps, INPUT))
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        with open("/dev/null", "w") as out:
            h = np.zeros(hidden)
            for x in xs:  # forward: each matvec's factors, products and sums; the add and the tanh
                _matvec(out, W_xh, x)
                _matvec(out, W_hh, h)
                z = W_xh @ x + W_hh @ h
                h = np.tanh(z)
                _rows(out, np.stack([z, h]).T)
            dz = h
            for x in xs[::-1]:  # backward: the transposed matvecs, the δ terms and both outer products
                _matvec(out, W_hh.T, dz)
                _matvec(out, W_xh.T, dz)
                _rows(out, np.outer(dz, x))
                _rows(out, np.outer(dz, h))
                dz = (W_hh.T @ dz) * (1 - h ** 2)
                _rows(out, np.stack([dz, h, 1 - h ** 2]).T)
        best = min(best, time.perf_counter() - start)
    return best + baseline_seconds(steps, hidden, 1)


def _matvec(out, m, v) -> None:
    """Each row of M·v as `m×v + … = p + … = sum`, one format string per row."""
    products = m * v[None, :]
    vs = v.tolist()
    pattern = " + ".join(["%.3f×%.3f"] * len(vs)) + " = " + " + ".join(["%.4f"] * len(vs)) + " = %.3f\n"
    for row, p, total in zip(m.tolist(), products.tolist(), products.sum(axis=1).tolist()):
        out.write(pattern % (*[x for pair in zip(row, vs) for x in pair], *p, total))


def _rows(out, table) -> None:
    """A table's rows as plain text, each row's numbers joined by one format."""
    pattern = "   ".join(["%.3f"] * table.shape[1]) + "\n"
    for row in table.tolist():
        out.write(pattern % tuple(row))


def paired(path: Path, steps: int, options: tuple[str, ...], repeat: int) -> tuple[float, float, int]:
    """The best command time and the best baseline time, run alternately; and the output's size."""
    runs, base, size = [], [], 0
    for _ in range(repeat):
        seconds, size = command_seconds(path, *options)
        runs.append(seconds)
        base.append(baseline_seconds(steps))
    return min(runs), min(base), size


def main() -> int:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for steps in (1000, STEPS):
            paths[steps] = Path(folder) / f"rnn{steps}.yaml"
            paths[steps].write_text(scenario_text(steps))
        ok = True
        seconds, base, size = paired(paths[STEPS], STEPS, (), repeat)
        print(f"default, T={STEPS}: {seconds:.2f} s ({seconds / base:.0f}x numpy's {base * 1000:.0f} ms), "
              f"{size / 1e3:.0f} kB of text; target under 2 s")
        ok &= seconds < 2
        full, base, size = paired(paths[STEPS], STEPS, ("--full",), repeat)
        short, _, _ = paired(paths[1000], 1000, ("--full",), repeat)
        slope = math.log(full / short) / math.log(STEPS / 1000)
        print(f"--full, T={STEPS}: {full:.2f} s ({full / base:.1f}x numpy), {size / 1e6:.0f} MB of text; "
              f"T=1000: {short:.2f} s; exponent {slope:.2f}; target at most 10x, linear")
        text = text_baseline_seconds(STEPS)
        print(f"--full, T={STEPS}: {full / text:.1f}x numpy plus writing its numbers plainly ({text:.2f} s)")
        ok &= full / text <= 10 and slope <= 1.05  # the text baseline: writing 390 MB is not numpy's work
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
