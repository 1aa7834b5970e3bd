"""Progress on stderr while long work runs: a bar on a terminal, a line now and then when stderr is
a file or a pipe, and nothing for work that ends quickly.

A background thread reads how far the work has got (a `probe`, or what the work reports with
`Watch.update`) a few times a second, so the work itself runs exactly as it would unwatched.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

# (done, total or None when unknown, what is being done)
Probe = Callable[[], "tuple[float, float | None, str]"]

SHOW_AFTER = 1.0   # seconds of work before a bar appears on a terminal
LINE_EVERY = 15.0  # seconds between progress lines when stderr is not a terminal
POLL = 0.2         # seconds between two looks at the work


class Watch:
    """Shows the progress of the work inside `with Watch(...)` on stderr, from a background thread.

    On a terminal a bar appears once the work has run `SHOW_AFTER` seconds; elsewhere, with `lines`
    (work announced as long), a line is written every `LINE_EVERY` seconds."""

    def __init__(self, what: str, total: float | None = None, probe: Probe | None = None, *, stream=None,
                 color: bool | None = None, lines: bool = False, quiet: bool = False, count: bool = True) -> None:
        self.state: tuple[float, float | None, str] = (0, total, what)
        self.probe, self.color, self.count = probe, color, count  # count: show "done/total", not only the share
        self.stream = stream or sys.stderr
        self.show_after, self.line_every, self.poll = SHOW_AFTER, LINE_EVERY, POLL
        self.mode = None if quiet else _mode(self.stream, lines)
        self._stop = threading.Event()
        self._lock = threading.Lock()  # held while drawing, and while the work writes to stderr
        self._thread: threading.Thread | None = None
        self._bar = None
        self._shown = 0.0  # the most shown so far: a bar never runs backwards

    def update(self, done: float, total: float | None = None, what: str | None = None) -> None:
        """Report how far the work has got (cheap: the thread reads it when it next looks)."""
        _, old_total, old_what = self.state
        self.state = (done, old_total if total is None else total, what or old_what)

    def advance(self, n: float = 1) -> None:
        """Report `n` more units done."""
        done, total, what = self.state
        self.state = (done + n, total, what)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Take the bar off the terminal while the work writes to stderr; it comes back at the next look."""
        with self._lock:
            if self._bar is not None and self._bar.live.is_started:
                self._bar.stop()
            yield

    def __enter__(self) -> "Watch":
        if self.mode is not None:
            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._watch, name="bptt-trace progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            if self._bar is not None:
                with contextlib.suppress(Exception):  # a terminal gone is no reason to fail the work
                    self._bar.stop()

    def _watch(self) -> None:
        """Look at the work every `poll` seconds until it ends. A display that fails (stderr closed, a
        terminal gone) stops quietly: progress must never be what breaks a run or prints a traceback."""
        try:
            self._look()
        except Exception:  # noqa: BLE001
            self.mode = None

    def _look(self) -> None:
        """Show the work once it has run long enough, until it ends."""
        first = self.show_after if self.mode == "bar" else self.line_every
        next_line = first
        while not self._stop.wait(self.poll):
            elapsed = time.monotonic() - self._started
            if elapsed < first:
                continue
            done, total, what = self.probe() if self.probe else self.state
            if total:
                done = self._shown = min(max(done, self._shown), total)
            with self._lock:
                if self.mode == "bar":
                    self._draw(done, total, what)
                elif elapsed >= next_line:
                    self.stream.write(f"bptt-trace: {progress_line(done, total, what, elapsed, self.count)}\n")
                    self.stream.flush()
                    next_line += self.line_every

    def _draw(self, done: float, total: float | None, what: str) -> None:
        """Update the bar on the terminal, making it on first use."""
        if self._bar is None:
            self._bar, self._task = _make_bar(self.stream, self.color, self.count)
        self._bar.update(self._task, completed=done, total=total, description=_visible(what))
        if not self._bar.live.is_started:
            self._bar.start()
        self._bar.refresh()


def progress_line(done: float, total: float | None, what: str, elapsed: float, count: bool = True) -> str:
    """`tracing: 4,500 of 10,000 (45%), 12 s so far, about 15 s left` for a log or a pipe."""
    so_far = f"{_duration(elapsed)} so far"
    if not total:
        return f"{_visible(what)}: {so_far}"
    left = f", about {_duration(elapsed * (total - done) / done)} left" if done else ""
    share = f"{100 * done / total:.0f}%"
    shown = f"{done:,.0f} of {total:,.0f} ({share})" if count else share
    return f"{_visible(what)}: {shown}, {so_far}{left}"


def _mode(stream, lines: bool) -> str | None:
    """`bar` on a terminal, `lines` when asked for elsewhere, None when nothing is to be shown."""
    if os.environ.get("BPTT_NO_PROGRESS"):
        return None
    tty = getattr(stream, "isatty", lambda: False)()
    if tty and os.environ.get("TERM") != "dumb" and not os.environ.get("CI"):
        return "bar"
    return "lines" if lines else None


def _make_bar(stream, color: bool | None, count: bool = True):
    """A rich progress bar on `stream` that leaves stdout alone and disappears when the work ends."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn
    plain = color is False or bool(os.environ.get("NO_COLOR"))
    console = Console(file=stream, force_terminal=True, no_color=plain, color_system=None if plain else "auto")
    counter = [_counter_column()] if count else []
    bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(), *counter, TaskProgressColumn(),
                   TimeElapsedColumn(),
                   TimeRemainingColumn(), console=console, transient=True, auto_refresh=False,
                   redirect_stdout=False, redirect_stderr=False)
    return bar, bar.add_task("", total=None)


def _counter_column():
    """`4500/10000`, or nothing while the total is unknown."""
    from rich.progress import MofNCompleteColumn
    from rich.text import Text

    class Count(MofNCompleteColumn):
        def render(self, task):
            return super().render(task) if task.total is not None else Text("")
    return Count()


def _visible(text: str) -> str:
    from bptt_trace.render.safe_text import visible
    return visible(text)


def _size(n: int) -> str:
    return f"{n / 2 ** 20:.1f} MB" if n >= 2 ** 20 else f"{n / 1024:.0f} KB"


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


class CountingStream:
    """A text stream that counts the characters written through it, for a Watch to report."""

    def __init__(self, out) -> None:
        self.out, self.written = out, 0

    def write(self, text: str) -> int:
        self.written += len(text)
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()

    def __getattr__(self, name: str):
        return getattr(self.out, name)


def watch_writing(out, what: str, lines: bool = False):
    """A Watch over text written to `out`, and the stream to write through; nothing is drawn when the
    text goes to the terminal the bar would be drawn on."""
    counted = CountingStream(out)
    probe = lambda: (0, None, f"{what}: {_size(counted.written)} written")  # noqa: E731
    to_terminal = getattr(out, "isatty", lambda: False)()
    return Watch(what, None, probe, lines=lines and not to_terminal, quiet=to_terminal), counted


class RunProgress:
    """How far a traced run has got, in time steps forward and back, read from its recorder."""

    def __init__(self, scenario, examples: list[int], what: str) -> None:
        self.recorder = None
        self.what = what
        self.length = {k: scenario.examples[k - 1].steps for k in examples}
        self.before, done = {}, 0
        for k in examples:
            self.before[k] = done
            done += 2 * self.length[k]
        self.total = done

    def attach(self, recorder) -> None:
        """Called by the run with its recorder, before the first example."""
        self.recorder = recorder

    def __call__(self) -> tuple[float, float, str]:
        rec = self.recorder
        if rec is None or rec.example not in self.before:
            done = self.total if rec is not None and rec.phase in ("gradients", "update") else 0
            return done, self.total, self.what
        k, phase, t = rec.example, rec.phase, rec.t
        n = self.length[k]
        if phase == "forward":
            part = min(t or 0, n)
        elif phase == "backward":
            part = n + n - min(t or n, n)
        else:  # the loss, between the two passes
            part = n
        return self.before[k] + part, self.total, f"{self.what}, example {k}"


def watch_run(scenario, examples: list[int], what: str = "tracing", lines: bool = False):
    """A Watch over one traced run and the progress object to hand the run (`run(..., watch=seen.attach)`)."""
    seen = RunProgress(scenario, examples, what)
    return Watch(what, seen.total, seen, lines=lines), seen
