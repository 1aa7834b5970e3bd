"""Marking a class: 500 full answer sheets of the sentiment example in one `bptt-trace check` call.

Each sheet answers every quantity (about 150 answers) to 3 decimals, with a slip planted at a
random step in most of them. Baseline: one plain `bptt-trace run` of the same scenario,
measured in the same run (median of three). It is not a floor for marking (that would be
reading 500 files and comparing their numbers with numpy) but a yardstick that moves with the
machine: an absolute number alone says little on a shared, noisy one. Target: at most 30
times one run (about 5 s on a quiet machine). `python check_batch.py 5000` marks 5000 sheets
instead, against the issue's absolute target of 20 s on a 2-core machine. `check` marks a class
of 200 files or more on every core by default; `--jobs 1` as a further argument passes
`--jobs 1` to `check` (one process, `marking/pool.py`). Also shown: the peak resident memory of
the largest process `check` ran (the main one or a worker), from the operating system, and the
CPU time of its processes (steadier than wall time on a shared machine).
"""

from __future__ import annotations

import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import ROOT, tool, wall

from bptt_trace.networks.run import run
from bptt_trace.marking.blanks import answerable
from bptt_trace.scenario.loader import load_scenario

SHEETS = int(sys.argv[1]) if len(sys.argv) > 1 else 500
EXTRA = sys.argv[2:]  # e.g. --jobs 2


def written(v) -> str:
    return f"{float(v):.3f}" if np.ndim(v) == 0 else "[" + ", ".join(written(x) for x in v) + "]"


def sheets(folder: Path) -> list[str]:
    trace = run(load_scenario(ROOT / "scenarios" / "sentiment.yaml"))
    names = answerable(trace)
    per_example = {k: [n for n in trace.names(k) if n in names] for k in (1, 2)}
    rng = random.Random(0)
    paths = []
    for i in range(SHEETS):
        slip = (rng.choice((1, 2)), None)
        slip = (slip[0], rng.choice(per_example[slip[0]])) if i % 5 else None
        lines = ["examples:"]
        for k, ns in per_example.items():
            lines.append(f"  {k}:")
            for n in ns:
                v = np.asarray(trace.value(n, k), dtype=float)
                if slip == (k, n):
                    v = v + 0.05
                lines.append(f'    "{n}": {written(v)}')
        path = folder / f"student{i:05d}.yaml"
        path.write_text("\n".join(lines) + "\n")
        paths.append(str(path))
    return paths


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        files = sheets(Path(tmp))
        csv = str(Path(tmp) / "grades.csv")
        run = tool() + ["run", "scenarios/sentiment.yaml"]
        wall(run)
        base = statistics.median(wall(run) for _ in range(3))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_before = before.ru_utime + before.ru_stime
        start = time.perf_counter()
        proc = subprocess.run(tool() + ["check", "scenarios/sentiment.yaml", *files, "--csv", csv, *EXTRA],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        rows = Path(csv).read_text().count("\n") - 1
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = usage.ru_maxrss / 1024  # MB (ru_maxrss is in kB on Linux)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before  # the check's processes, workers included
    print(f"check {SHEETS} sheets ({rows} graded, exit {proc.returncode}): {elapsed:.2f} s; one plain run "
          f"{base * 1000:.0f} ms; ratio {elapsed / base:.1f}x; {elapsed / SHEETS * 1000:.1f} ms per sheet; "
          f"CPU {cpu:.1f} s ({cpu / SHEETS * 1000:.1f} ms a sheet); peak memory {peak:.0f} MB (target: {'at most 30x one run' if SHEETS == 500 else 'under 20 s'})")
    fast = elapsed / base <= 30 if SHEETS == 500 else elapsed <= 20
    return 0 if fast and rows == SHEETS and proc.returncode == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
