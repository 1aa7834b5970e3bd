"""Helpers shared by the benchmark scripts: timing a command or a function."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

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
