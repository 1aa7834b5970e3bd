"""The float64 twin of a hand calculation, whose final results the drift table compares: run in this
process, or, for long work on a machine with a second core, in a forked process beside the hand trace.

Only the twin's final results (`drift.final_values`, a few small arrays) come back through a pipe; its
trace stays in the child. The values are the same either way: the same float64 engine on the same
arrays. Should the child fail for any reason but an arithmetic fault (which is reported as in this
process), the twin is computed here instead, so a failure surfaces as it would have without the fork.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from bptt_trace.analysis.drift import Key, drift_keys, final_values
from bptt_trace.cores import can_fork, usable_cores
from bptt_trace.errors import ArithmeticFault

APART_SECONDS = 0.25  # estimated work beyond start-up above which the twin runs beside the hand trace
FORCE = "BPTT_TRACE_TWIN"  # "here" or "apart" in the environment overrides the choice (for tests)


def apart_wanted(work_seconds: float) -> bool:
    """Whether to run the twin in a forked process: long work, a second core, and fork (Linux)."""
    forced = os.environ.get(FORCE, "")
    if forced in ("here", "apart"):
        return forced == "apart" and can_fork()
    return work_seconds > APART_SECONDS and usable_cores() > 1 and can_fork()


@contextmanager
def twin_values(sc, chosen: list[int], apart: bool, run_here: Callable[[], Any]) -> Iterator[Callable[[], dict]]:
    """A function giving the twin's final results; with `apart`, it is computed meanwhile in a child
    process, killed if the body fails. `run_here()` traces the twin in this process."""
    keys = drift_keys(sc, chosen)
    if not apart:
        yield lambda: final_values(run_here(), keys)
        return
    child = _Child(lambda: final_values(_quiet_run(sc, chosen), keys))
    try:
        yield lambda: _or_here(child.result(), run_here, keys)
    finally:
        child.stop()


def _or_here(values: dict | None, run_here: Callable[[], Any], keys: list[Key]) -> dict:
    """The child's values, or (when it failed) the twin traced here."""
    return values if values is not None else final_values(run_here(), keys)


def _quiet_run(sc, chosen: list[int]):
    """The float64 trace, with no progress shown (the child's stderr is the parent's)."""
    from bptt_trace.networks.run import run
    return run(sc, None, chosen)


class _Child:
    """A forked process computing `work()`; its result (pickled) read back once."""

    def __init__(self, work: Callable[[], dict[Key, Any]]) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            os.close(read)
            _serve(write, work)
        os.close(write)
        self.fd: int | None = read

    def result(self) -> dict[Key, Any] | None:
        """The child's result; ArithmeticFault as raised there; None if it failed otherwise."""
        chunks = []
        while self.fd is not None:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        self.stop()
        try:
            kind, payload = pickle.loads(b"".join(chunks))
        except Exception:  # the child died before it wrote (killed, out of memory): compute here
            return None
        if kind == "fault":
            raise ArithmeticFault(payload)
        return payload if kind == "ok" else None

    def stop(self) -> None:
        """End the child (if still running) and reap it; close the pipe."""
        if self.fd is None:
            return
        os.close(self.fd)
        self.fd = None
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):  # already reaped
            pass


def _serve(fd: int, work: Callable[[], dict[Key, Any]]) -> None:
    """In the child: do the work, write ("ok", values), ("fault", message) or ("failed", None), and exit
    at once (no atexit handlers, no flushing of buffers inherited from the parent)."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the parent's to handle: it kills us
        try:
            message = ("ok", work())
        except ArithmeticFault as exc:
            message = ("fault", str(exc))
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        data, code = pickle.dumps(("failed", None)), 1
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os._exit(code)
