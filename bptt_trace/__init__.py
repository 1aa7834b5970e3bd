"""bptt-trace: the hand calculation of RNN training, recorded step by step and rendered as worked tables.

The Python API (`load`, `trace`, `check`, `train`, `gradients`, `scenarios`, `ScenarioError`) lives in
`bptt_trace.api` and is imported on first use, so that `bptt-trace run` does not load it.
"""

from __future__ import annotations

from typing import Any

from bptt_trace.version import __version__

_API = ("load", "trace", "check", "train", "gradients", "scenarios", "ScenarioError", "Scenario", "Trace",
        "Marking", "TrainingReport", "GradientReport")

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    """The API's names, imported lazily from bptt_trace.api."""
    if name in _API:
        from bptt_trace import api
        return getattr(api, name)
    raise AttributeError(f"module 'bptt_trace' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
