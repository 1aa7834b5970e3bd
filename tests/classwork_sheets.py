"""Answers files for per-student variants: a student's true answers, or a copy of someone else's."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bptt_trace.marking.blanks import answerable
from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario


def written(v, places: int = 4) -> str:
    """A value as a student writes it: rounded to `places` decimals, lists for vectors and matrices."""
    if np.ndim(v) == 0:
        return f"{float(v):.{places}f}"
    return "[" + ", ".join(written(x, places) for x in v) + "]"


def key_sheet(scenario: Path, path: Path, student: str | None = None, variant: str | None = None) -> Path:
    """An answers file holding every answerable quantity of `scenario`, rounded to 4 decimals."""
    trace = run(load_scenario(scenario))
    names = answerable(trace)
    lines = [f'student: "{student}"'] if student else []
    lines += [f'variant: "{variant}"'] if variant else []
    lines.append("examples:")
    for k in range(1, len(trace.scenario.examples) + 1):
        lines.append(f"  {k}:")
        lines += [f'    "{n}": {written(np.asarray(trace.value(n, k), dtype=float))}'
                  for n in trace.names(k) if n in names]
    path.write_text("\n".join(lines) + "\n")
    return path
