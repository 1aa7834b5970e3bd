"""JSON rendering: every reported quantity under its canonical name, in full float precision."""

from __future__ import annotations

import json
from typing import Any

from bptt_trace.names import is_reported
from bptt_trace.scenario import PARAMETER_NAMES
from bptt_trace.trace import Trace


def to_jsonable(value: Any) -> Any:
    """numpy arrays to (nested) lists of floats, scalars to float."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    return float(value)


def document(trace: Trace, examples: list[int]) -> dict:
    """The JSON document for a trace: scenario, examples with their values, total, updated."""
    sc = trace.scenario
    out = {"scenario": sc.name, "number_system": trace.number_system, "examples": []}
    for k in examples:
        ex = sc.examples[k - 1]
        values = {n: to_jsonable(trace.value(n, k)) for n in trace.names(k) if is_reported(n)}
        out["examples"].append({"example": k, "tokens": list(ex.tokens) if ex.tokens else None,
                                "target": ex.target, "values": values})
    out["total"] = {n: to_jsonable(trace.value(n)) for n in ("loss",) + tuple(f"dL/d{p}" for p in PARAMETER_NAMES)}
    out["updated"] = {p: to_jsonable(trace.value(f"{p}_new")) for p in PARAMETER_NAMES}
    return out


def render_json(trace: Trace, examples: list[int]) -> str:
    """The JSON text, indented, ending in a newline."""
    return json.dumps(document(trace, examples), indent=2, allow_nan=False) + "\n"
