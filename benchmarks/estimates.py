"""Stress test of the work estimates: the biggest scenario a budget accepts must run within it.

For each kind of work (a float64 trace, a hand-rounded one, an exact one, `--full`, the
chain-rule paths with an output at every step, training), the size is grown until the estimate
(`analysis/budget.py`) refuses it; the biggest accepted scenario is then run in a child process,
and its peak memory (RSS), wall time and output size are compared with the budget.

By default a small budget keeps this to a few minutes: `memory=400M,output=20M,time=40s`.
`--budget memory=2G,output=200M,time=10m` checks the defaults themselves (slow). Exits 1 when a
run exceeds its budget, or when a run the estimate accepted is refused or fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import tool

from bptt_trace.analysis.budget import Budget, OverBudget, check, paths_cost, trace_cost, training_cost
from bptt_trace.scenario.loader import load_scenario

# (label, options, whether `size` is the hidden size (else the number of steps), fixed other size)
KINDS = [
    ("float64 trace", ["--round", "off"], True, 40),
    ("hand-rounded trace", ["--round", "3"], True, 40),
    ("exact trace", ["--exact"], True, 5),
    ("--full listing", ["--full"], True, 20),
    ("--paths W_hh[1,1], outputs at every step", ["--paths", "W_hh[1,1]"], False, 4),
    ("training, 200 epochs", None, True, 10),
]


def scenario(hidden: int, steps: int, every: bool) -> str:
    """A vanilla RNN with small weights (so nothing overflows), one input per step."""
    w = f"{0.5 / hidden:.2g}"  # W_hh's rows sum to 0.5: no step explodes, nor does training
    row = "[" + ", ".join([w] * hidden) + "]"
    target = "[" + ", ".join(["0.5"] * steps) + "]" if every else "0.5"
    return (f"name: stress\nmodel:\n  cell: rnn\n  hidden_size: {hidden}\n  output: identity\n  loss: mse\n"
            f"  outputs_at: {'every' if every else 'last'}\nparameters:\n  W_xh: [{', '.join(['[0.1]'] * hidden)}]\n"
            f"  W_hh: [{', '.join([row] * hidden)}]\n  b_h: {row}\n  W_hy: [{row}]\n  b_y: [0]\nexamples:\n"
            f"  - inputs: [{', '.join(['[0.1]'] * steps)}]\n    target: {target}\n")


def estimate(path: Path, options: list[str] | None):
    sc = load_scenario(path)
    if options is None:
        return training_cost(sc, 200)
    if options and options[0] == "--paths":
        return paths_cost(sc, [1], "W_hh", (0, 0), False)
    # as `run` chooses: a hand calculation to 3 decimals unless --round says otherwise (or --exact)
    rounding = options[options.index("--round") + 1] if "--round" in options else "3"
    system = "exact" if "--exact" in options else "float" if rounding == "off" else "hand"
    return trace_cost(sc, [1], system, "--full" in options, int(rounding) if system == "hand" else None)


def accepted(size: int, kind, budget: Budget, folder: Path) -> Path | None:
    label, options, by_hidden, other = kind
    hidden, steps = (size, other) if by_hidden else (other, size)
    path = folder / f"s{size}.yaml"
    text = scenario(hidden, steps, not by_hidden)
    if len(text) > 1_000_000:
        return None
    path.write_text(text)
    try:
        check(estimate(path, options), budget)
    except (OverBudget, Exception):
        return None
    return path


def biggest(kind, budget: Budget, folder: Path) -> tuple[int, Path]:
    """The largest size the estimate accepts (doubling, then bisection)."""
    low, high = 1, 2
    while accepted(high, kind, budget, folder) and high < 1 << 16:
        low, high = high, high * 2
    while high - low > max(1, low // 50):
        mid = (low + high) // 2
        low, high = (mid, high) if accepted(mid, kind, budget, folder) else (low, mid)
    return low, accepted(low, kind, budget, folder)


def measure(path: Path, options: list[str] | None, budget_text: str) -> tuple[int, float, int, int]:
    """(exit code, seconds, peak RSS bytes, output bytes) of one run in a child process."""
    args = ["train", str(path), "--epochs", "200"] if options is None else ["run", str(path), *options]
    out = path.with_suffix(".out")
    start = time.perf_counter()
    with open(out, "wb") as f:
        proc = subprocess.Popen(tool() + args + ["--budget", budget_text], stdout=f, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    return proc.returncode, seconds, usage.ru_maxrss * 1024, out.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="memory=400M,output=20M,time=40s")
    parser.add_argument("--only", default=None, help="run only the kinds whose label contains this")
    args = parser.parse_args()
    budget, failed = Budget.parse(args.budget), False
    for kind in KINDS:
        if args.only and args.only not in kind[0]:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            size, path = biggest(kind, budget, Path(tmp))
            est = estimate(path, kind[1])
            code, seconds, rss, output = measure(path, kind[1], args.budget)
        within = code == 0 and seconds <= budget.seconds and rss <= budget.memory and output <= budget.output
        failed |= not within
        what = "hidden" if kind[2] else "steps"
        print(f"{kind[0]:45s} {what} {size:6d}: estimated {est.seconds:7.1f} s {est.memory / 2**20:7.0f} MB "
              f"{est.output / 2**20:6.1f} MB out | measured {seconds:7.1f} s {rss / 2**20:7.0f} MB "
              f"{output / 2**20:6.1f} MB out, exit {code} {'ok' if within else 'OVER BUDGET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
