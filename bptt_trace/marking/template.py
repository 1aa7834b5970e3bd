"""A blank answers file: every chosen quantity under its canonical name, for the student to fill in."""

from __future__ import annotations

from typing import Any

import numpy as np

from bptt_trace.scenario.notation import notation_name
from bptt_trace.version import __version__
from bptt_trace.record.steps import Trace
from bptt_trace.scenario.writer import yaml_comment, yaml_string


def answers_template(trace: Trace, examples: list[int], names: frozenset[str], scenario_file: str,
                     notation=None, student: str | None = None, variant: str | None = None) -> str:
    """YAML with `~` where each number goes, grouped as the homework checker reads them; names in the
    notation's symbols when one is given (`O[2]` for `h[2]` under wi-wh-wo); a per-student variant's
    template names the student and the variant id it is marked against."""
    def shown(n: str) -> str:
        return _quote(notation_name(n, notation) if notation else n)
    lines = [yaml_comment(f"Answers for the scenario '{trace.scenario.name}' ({scenario_file}); bptt-trace {__version__}."),
             "# Replace every ~ with your number. Vectors are lists, matrices lists of rows.",
             f"scenario: {_quote(scenario_file)}"]
    lines += [f"student: {_quote(student)}"] if student is not None else []
    lines += [f"variant: {_quote(variant)}"] if variant is not None else []
    lines.append("examples:")
    for k in examples:
        lines.append(f"  {k}:")
        wanted = [n for n in trace.names(k) if n in names]
        lines += [f"    {shown(n)}: {_blank(trace.value(n, k))}" for n in wanted] or ["    {}"]
    totals = [n for n in ("loss",) + tuple(f"dL/d{p}" for p in trace.scenario.parameter_names) if n in names]
    if totals:
        lines.append("total:")
        lines += [f"  {shown(n)}: {_blank(trace.value(n))}" for n in totals]
    updated = [p for p in trace.scenario.parameter_names if f"{p}_new" in names]
    if updated:
        lines.append("updated:")
        lines += [f"  {shown(p)[1:-1]}: {_blank(trace.value(f'{p}_new'))}" for p in updated]
    return "\n".join(lines) + "\n"


def _blank(value: Any) -> str:
    shape = np.shape(value)
    if not shape:
        return "~"
    if len(shape) == 1:
        return "[" + ", ".join(["~"] * shape[0]) + "]"
    return "[" + ", ".join("[" + ", ".join(["~"] * shape[1]) + "]" for _ in range(shape[0])) + "]"


_quote = yaml_string
