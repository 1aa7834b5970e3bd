"""What this machine offers for work in parallel: the cores this process may use, and fork."""

from __future__ import annotations

import os
import sys


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a child process can be forked safely with numpy loaded (Linux)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")
