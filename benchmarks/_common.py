"""Helpers shared by the benchmark scripts: timing a command or a function."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def tool() -> list[str]:
    """The installed `bptt-trace` command, or `python -m bptt_trace`."""
    exe = shutil.which("bptt-trace")
    return [exe] if exe else [sys.executable, "-m", "bptt_trace"]


def wall(cmd: list[str]) -> float:
    """Seconds one run of a command takes, its output discarded."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of several runs of a function, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def paired(engine: Callable[[], object], baseline: Callable[[], object], repeat: int = 7) -> tuple[float, float]:
    """The fastest of several runs of each of two functions, run alternately in one process.

    Alternating them makes a busy spell on a shared machine slow both rather than one, so the
    ratio of the two figures is steadier than either figure alone.
    """
    engine(), baseline()  # warm caches and lazy imports
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((engine, times[0]), (baseline, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def numpy_bptt(P: dict, xs, y: float, g: dict) -> float:
    """One many-to-one tanh/sigmoid/bce example with bare numpy, nothing recorded: the baseline.

    Adds the example's gradients into `g` and returns its loss.
    """
    hs = [np.zeros(len(P["b_h"]))]
    for x in xs:
        hs.append(np.tanh(P["W_xh"] @ x + P["W_hh"] @ hs[-1] + P["b_h"]))
    p = 1 / (1 + np.exp(-(P["W_hy"] @ hs[-1] + P["b_y"])))
    d_o = p - y
    g["W_hy"] += np.outer(d_o, hs[-1])
    g["b_y"] += d_o
    dh = P["W_hy"].T @ d_o
    for t in range(len(xs), 0, -1):
        dz = dh * (1 - hs[t] ** 2)
        g["W_xh"] += np.outer(dz, xs[t - 1])
        g["W_hh"] += np.outer(dz, hs[t - 1])
        g["b_h"] += dz
        _dx = P["W_xh"].T @ dz  # the embedding gradient the engine also records
        dh = P["W_hh"].T @ dz
    return float(-np.log(p[0]) if y else -np.log(1 - p[0]))
