"""JSON rendering: every reported quantity under its canonical name, in full precision.

Hand-rounded runs hold the rounded values (and the drift from full precision); exact runs
add the exact form of every value as a string, and the named symbols' definitions.

The text is written compact by the C encoder, one quantity at a time, so a long sequence is
never held as one string nor as lists of Python floats; `indent` gives what
`json.dumps(document(...), indent=indent)` would, and `only` keeps a subset of the quantities.
"""

from __future__ import annotations

import io
import json
from typing import Any, Callable, Iterator, TextIO

import numpy as np

from bptt_trace.record.names import is_reported
from bptt_trace.record.steps import Trace
from bptt_trace.render.json_stream import Lazy, NameFilter, stream


def to_jsonable(value: Any) -> Any:
    """Arrays to (nested) lists of floats, scalars to float."""
    if isinstance(value, np.ndarray):
        if value.dtype == np.float64:
            return value.tolist()  # the same floats as float() of each entry, made in C
        if value.ndim:
            return [to_jsonable(v) for v in value]
    return float(value)


def to_exact(value: Any) -> Any:
    """Arrays of exact values to (nested) lists of their exact forms as strings."""
    if isinstance(value, np.ndarray) and value.ndim:
        return [to_exact(v) for v in value]
    return str(value.expr)


def skeleton(trace: Trace, examples: list[int], drift: list | None = None, only: NameFilter | None = None) -> dict:
    """The document with its long members left lazy: each is read one quantity at a time when written."""
    sc, keep = trace.scenario, only or NameFilter(None)
    exact = trace.number_system == "exact"
    out: dict[str, Any] = {"scenario": sc.name, "number_system": trace.number_system, "examples": []}
    for k in examples:
        ex = sc.examples[k - 1]
        names = [n for n in trace.names(k) if is_reported(n) and keep(n)]
        entry = {"example": k, "tokens": list(ex.tokens) if ex.tokens else None, "target": ex.target,
                 "values": _lazy(names, lambda n, k=k: trace.value(n, k), to_jsonable)}
        if exact:
            entry["exact"] = _lazy(names, lambda n, k=k: trace.value(n, k), to_exact)
        out["examples"].append(entry)
    names = sc.parameter_names
    totals = [n for n in ("loss",) + tuple(f"dL/d{p}" for p in names) if keep(n)]
    updated = [p for p in names if keep(f"{p}_new") or keep(p)]
    out["total"] = _lazy(totals, trace.value, to_jsonable)
    out["updated"] = _lazy(updated, lambda p: trace.value(f"{p}_new"), to_jsonable)
    if trace.has(f"dL/d{names[0]} (clipped)"):
        clipped = [p for p in names if keep(f"dL/d{p}")]
        out["clipped"] = {f"dL/d{p}": to_jsonable(trace.value(f"dL/d{p} (clipped)")) for p in clipped}
        if trace.has("‖∇L‖"):
            out["clipped"]["norm_before"] = float(trace.value("‖∇L‖"))
            out["clipped"]["norm_after"] = float(trace.value("‖∇L‖ (clipped)"))
    if exact:
        out["total_exact"] = _lazy(totals, trace.value, to_exact)
        out["updated_exact"] = _lazy(updated, lambda p: trace.value(f"{p}_new"), to_exact)
        out["symbols"] = {name: {"quantity": s.quantity, "entry": list(s.index), "definition": str(s.definition),
                                 "value": float(s.approx)} for name, s in trace.symbols.items()}
    rows = [r for r in drift or () if keep(r.name)]
    if rows:
        out["drift"] = [{"name": r.name, "example": r.example, "max_abs_difference": r.max_abs,
                         "full_precision": to_jsonable(np.asarray(r.full))} for r in rows]
    return out


def _lazy(keys: list[str], read: Callable[[str], Any], convert: Callable[[Any], Any]) -> Lazy:
    """A member whose items `key: convert(read(key))` are made only as they are written."""
    def items() -> Iterator[tuple[str, Any]]:
        return ((key, convert(read(key))) for key in keys)
    return Lazy(items)


def document(trace: Trace, examples: list[int], drift: list | None = None, only: NameFilter | None = None) -> dict:
    """The JSON document for a trace: scenario, examples with their values, total, updated."""
    return _materialise(skeleton(trace, examples, drift, only))


def _materialise(obj: Any) -> Any:
    if isinstance(obj, Lazy):
        return {k: v for k, v in obj.items()}
    if isinstance(obj, dict):
        return {k: _materialise(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_materialise(v) for v in obj]
    return obj


def write_json(out: TextIO, trace: Trace, examples: list[int], drift: list | None = None, indent: int | None = None,
               only: NameFilter | None = None) -> None:
    """Write the JSON text to `out` as it is made, ending in a newline; compact unless `indent` is given."""
    stream(out, skeleton(trace, examples, drift, only), indent)


def render_json(trace: Trace, examples: list[int], drift: list | None = None, indent: int | None = None,
                only: NameFilter | None = None) -> str:
    """The JSON text, compact unless `indent` is given, ending in a newline."""
    buffer = io.StringIO()
    write_json(buffer, trace, examples, drift, indent, only)
    return buffer.getvalue()


def render_paths_json(report, indent: int | None = None) -> str:
    """The chain-rule paths as JSON: each path's factors and value, the sum, BPTT's value, the check."""
    doc = {"param": report.param, "entry": None if report.entry is None else [i + 1 for i in report.entry],
           "examples": [{"example": ex.example,
                         "paths": [{"output_step": p.output_step, "use_step": p.use_step, "factors": list(p.factors),
                                    "value": to_jsonable(np.asarray(p.value))} for p in ex.paths],
                         "jacobians": {f"dh[{t}]/dh[{t - 1}]": to_jsonable(j) for t, j in sorted(ex.jacobians.items())},
                         "sum": to_jsonable(np.asarray(ex.total)), "bptt": to_jsonable(np.asarray(ex.bptt)),
                         "max_abs_difference": ex.max_abs_difference, "agrees": ex.agrees}
                        for ex in report.examples]}
    buffer = io.StringIO()
    stream(buffer, doc, indent)
    return buffer.getvalue()

