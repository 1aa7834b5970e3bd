"""JSON rendering: every reported quantity under its canonical name, in full precision.

Hand-rounded runs hold the rounded values (and the drift from full precision); exact runs
add the exact form of every value as a string, and the named symbols' definitions.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from bptt_trace.record.names import is_reported
from bptt_trace.record.steps import Trace


def to_jsonable(value: Any) -> Any:
    """Arrays to (nested) lists of floats, scalars to float."""
    if isinstance(value, np.ndarray) and value.ndim:
        return [to_jsonable(v) for v in value]
    return float(value)


def to_exact(value: Any) -> Any:
    """Arrays of exact values to (nested) lists of their exact forms as strings."""
    if isinstance(value, np.ndarray) and value.ndim:
        return [to_exact(v) for v in value]
    return str(value.expr)


def document(trace: Trace, examples: list[int], drift: list | None = None) -> dict:
    """The JSON document for a trace: scenario, examples with their values, total, updated."""
    sc = trace.scenario
    exact = trace.number_system == "exact"
    out: dict[str, Any] = {"scenario": sc.name, "number_system": trace.number_system, "examples": []}
    for k in examples:
        ex = sc.examples[k - 1]
        names = [n for n in trace.names(k) if is_reported(n)]
        entry = {"example": k, "tokens": list(ex.tokens) if ex.tokens else None, "target": ex.target,
                 "values": {n: to_jsonable(trace.value(n, k)) for n in names}}
        if exact:
            entry["exact"] = {n: to_exact(trace.value(n, k)) for n in names}
        out["examples"].append(entry)
    names = sc.parameter_names
    totals = ("loss",) + tuple(f"dL/d{p}" for p in names)
    out["total"] = {n: to_jsonable(trace.value(n)) for n in totals}
    out["updated"] = {p: to_jsonable(trace.value(f"{p}_new")) for p in names}
    if trace.has(f"dL/d{names[0]} (clipped)"):
        out["clipped"] = {f"dL/d{p}": to_jsonable(trace.value(f"dL/d{p} (clipped)")) for p in names}
        if trace.has("‖∇L‖"):
            out["clipped"]["norm_before"] = float(trace.value("‖∇L‖"))
            out["clipped"]["norm_after"] = float(trace.value("‖∇L‖ (clipped)"))
    if exact:
        out["total_exact"] = {n: to_exact(trace.value(n)) for n in totals}
        out["updated_exact"] = {p: to_exact(trace.value(f"{p}_new")) for p in names}
        out["symbols"] = {name: {"quantity": s.quantity, "entry": list(s.index), "definition": str(s.definition),
                                 "value": float(s.approx)} for name, s in trace.symbols.items()}
    if drift:
        out["drift"] = [{"name": r.name, "example": r.example, "max_abs_difference": r.max_abs,
                         "full_precision": to_jsonable(np.asarray(r.full))} for r in drift]
    return out


def render_json(trace: Trace, examples: list[int], drift: list | None = None) -> str:
    """The JSON text, indented, ending in a newline."""
    return json.dumps(document(trace, examples, drift), indent=2, allow_nan=False) + "\n"


def render_paths_json(report) -> str:
    """The chain-rule paths as JSON: each path's factors and value, the sum, BPTT's value, the check."""
    doc = {"param": report.param, "entry": None if report.entry is None else [i + 1 for i in report.entry],
           "examples": [{"example": ex.example,
                         "paths": [{"output_step": p.output_step, "use_step": p.use_step, "factors": list(p.factors),
                                    "value": to_jsonable(np.asarray(p.value))} for p in ex.paths],
                         "jacobians": {f"dh[{t}]/dh[{t - 1}]": to_jsonable(j) for t, j in sorted(ex.jacobians.items())},
                         "sum": to_jsonable(np.asarray(ex.total)), "bptt": to_jsonable(np.asarray(ex.bptt)),
                         "max_abs_difference": ex.max_abs_difference, "agrees": ex.agrees}
                        for ex in report.examples]}
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"
