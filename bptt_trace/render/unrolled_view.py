"""The unrolled picture of one example (`picture`, `unrolled_svg`), with the chain-rule paths of a
`PathReport` highlighted: each path from the loss back to a step where the parameter is used,
numbered where it ends, and listed under the picture with its value and the sum that equals the
BPTT gradient.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from bptt_trace.analysis.paths import PathReport
from bptt_trace.render.labels import Labels
from bptt_trace.render.numfmt import NumberFormat
from bptt_trace.render.unrolled import Picture, Sketch, Text, place
from bptt_trace.render.unrolled_nets import sketch
from bptt_trace.render.unrolled_parts import Drawing
from bptt_trace.record.steps import Trace

PHASES = ("forward", "backward", "both")


def picture(trace: Trace, example: int, fmt: NumberFormat | None = None, labels: Labels | None = None,
            phase: str = "both", hide: Callable[[str], bool] | None = None, full: bool = False,
            report: PathReport | None = None, compact: bool = False) -> Picture:
    """The placed picture of one traced example (and its paths, if a report is given)."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}, got '{phase}'")
    d = Drawing(trace, example, fmt, labels, phase, hide, full, compact)
    sk = sketch(d)
    if report is not None:
        add_paths(d, sk, report)
    return place(sk)


def unrolled_svg(trace: Trace, example: int = 1, **options: Any) -> str:
    """The picture as SVG text (for files and notebooks); options as for `picture`."""
    from bptt_trace.render.unrolled_svg import svg
    return svg(picture(trace, example, **options))


def add_paths(d: Drawing, sk: Sketch, report: PathReport) -> None:
    """Each path as a line through the boxes it passes, its number where it ends, its value listed."""
    ex = next(e for e in report.examples if e.example == d.k)
    target = d.label(report.param) + ("" if report.entry is None else
                                      f"[{','.join(str(i + 1) for i in report.entry)}]")
    every = len({p.output_step for p in ex.paths}) > 1
    hidden = 0
    for n, p in enumerate(ex.paths, 1):
        keys = _passes(d, sk, p.output_step, p.use_step, report.param)
        sk.paths.append(keys)
        if d.col(p.use_step) == 3.5:
            hidden += 1
            continue
        end = keys[-1]
        sk.marks[end] = (sk.marks[end] + f", {n}") if end in sk.marks else f"path {n}"
        chain = "·".join(d.label(f) for f in p.factors)
        sk.notes.append(Text(0, 0, f"path {n} ({_where(p, every)}): {chain} = ", _flat(d, p.value), "path",
                             f"path[{n}]"))
    if hidden:
        sk.notes.append(Text(0, 0, "", f"… {hidden} more paths end in the elided steps (--full shows them)", "path"))
    agree = "agree" if ex.agrees else "DO NOT AGREE"
    sk.notes.append(Text(0, 0, "", f"Σ paths = {_flat(d, ex.total)};  BPTT ∂L/∂{target} = {_flat(d, ex.bptt)};  "
                         f"largest difference {d.fmt(ex.max_abs_difference, 3)}: they {agree}", "path", "paths"))


def _where(p: Any, every: bool) -> str:
    return f"loss_{p.output_step} → t={p.use_step}" if every else f"t={p.use_step}"


def _passes(d: Drawing, sk: Sketch, s: int, j: int, param: str) -> list[str]:
    """The boxes a path passes: the loss, the output, the states from s back to j, and the input for W_xh."""
    keys = [f"loss[{s}]", f"out[{s}]"] + [d.key("h", t) for t in range(s, j - 1, -1)]
    if param == "W_xh":
        keys.append(d.key("x", j))
    return [k for i, k in enumerate(keys) if (i == 0 or k != keys[i - 1]) and k in sk.nodes]


def _flat(d: Drawing, value: Any) -> str:
    """A path's value on one line, one decimal more than the results, as the paths table shows it."""
    v = np.asarray(value, dtype=float)
    if v.ndim == 0:
        return d.fmt(float(v), 1)
    if v.ndim == 1:
        return "[" + ", ".join("…" if i is None else d.fmt(v[i], 1) for i in d.indices(len(v))) + "]"
    return "[" + ", ".join("…" if i is None else _flat(d, v[i]) for i in d.indices(len(v))) + "]"
