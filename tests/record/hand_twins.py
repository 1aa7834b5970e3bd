"""Helpers for comparing the fast hand-rounded engine with HandDecimal's Decimal recorder, step by step."""

from __future__ import annotations

from typing import Any

import numpy as np

from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import HandDecimal

ENGINE = "BPTT_TRACE_HAND_ENGINE"


def written(v: Any) -> Any:
    """A value as its type, shape and the `str` of every entry: exponents and signs of zero included."""
    if v is None:
        return None
    if isinstance(v, (tuple, list)):
        return tuple(written(x) for x in v)
    if isinstance(v, np.ndarray):
        return v.shape, str(v.dtype), tuple(f"{type(x).__name__}:{x}" for x in v.ravel())
    return type(v).__name__, str(v)


def both(sc, places: int, mode: str, monkeypatch, **kw) -> tuple[Any, Any]:
    """The trace (or the fault's text) of the Decimal recorder and of the fast one."""
    def one(engine: str):
        monkeypatch.setenv(ENGINE, engine)
        try:
            return run(sc, HandDecimal(places, mode), **kw)
        except Exception as exc:  # noqa: BLE001 - a fault must be the same fault
            return f"{type(exc).__name__}: {exc}"
    return one("decimal"), one("")


def differences(slow, fast) -> list[str]:
    """Where two traces differ: a step's fields, inputs, value or terms (empty when they are the same)."""
    if isinstance(slow, str) or isinstance(fast, str):
        return [] if slow == fast else [f"{slow!r} != {fast!r}"]
    if len(slow.steps) != len(fast.steps):
        return [f"{len(slow.steps)} steps != {len(fast.steps)}"]
    out = []
    for a, b in zip(slow.steps, fast.steps):
        for f in ("op", "phase", "example", "t", "name", "operands", "detail", "inputs", "value", "terms"):
            if written(getattr(a, f)) != written(getattr(b, f)):
                out.append(f"{a.name} (example {a.example}, t {a.t}) {f}: {written(getattr(a, f))} != "
                           f"{written(getattr(b, f))}")
    return out
