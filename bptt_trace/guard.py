"""The command group's guards: broken output streams and non-ASCII digits become clear errors; and
garbage collection, seldom while a command runs.

Part of the command line. A closed or full standard output, or one whose encoding cannot show
the output, gives one message and exit code 2 (a reader that closes the pipe early, as `head`
does, exit code 0); a number option written with other digits than 0-9 (`²`, `٣`) is refused.
"""

from __future__ import annotations

import atexit
import errno
import gc
import os
import sys

import click

EXIT_BAD_INPUT = 2
# While a command runs: Python's default (700, 10, 10) collects after every 700 new objects, a few
# milliseconds of each start-up spent finding no cycles; the little cyclic garbage waits longer.
GC_THRESHOLDS = (50_000, 20, 20)


def _ascii(value, param, ctx, fail) -> None:
    if isinstance(value, str) and not value.strip().isascii():
        fail(f"{value!r} is not a whole number written with the digits 0-9", param, ctx)


class AsciiInt(click.types.IntParamType):
    """click.INT that refuses non-ASCII digits (int() would read `٣` as 3)."""

    def convert(self, value, param, ctx):
        _ascii(value, param, ctx, self.fail)
        return super().convert(value, param, ctx)


class AsciiIntRange(click.IntRange):
    """click.IntRange that refuses non-ASCII digits."""

    def convert(self, value, param, ctx):
        _ascii(value, param, ctx, self.fail)
        return super().convert(value, param, ctx)


class Command(click.Command):
    """A command whose whole-number options accept only the digits 0-9."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for p in self.params:
            if type(p.type) is click.types.IntParamType:
                p.type = AsciiInt()
            elif type(p.type) is click.IntRange:
                t = p.type
                p.type = AsciiIntRange(t.min, t.max, t.min_open, t.max_open, t.clamp)


class Group(click.Group):
    """The command group: its commands are `Command`s, and output failures are reported, not raised."""

    command_class = Command

    def main(self, *args, **kwargs):
        """Run the command line; a closed standard output ends it with a message."""
        _harden(sys.stderr)
        if sys.stdout is None:
            return _fail("standard output is closed; nothing can be shown")
        _skip_collection_at_exit()
        thresholds = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)  # a command makes little cyclic garbage: collect it seldom
        try:
            return super().main(*args, **kwargs)
        finally:
            gc.set_threshold(*thresholds)


    def invoke(self, ctx):
        """Run the command; writing to a broken standard output ends it with a message."""
        try:
            return super().invoke(ctx)
        except UnicodeEncodeError as exc:
            encoding = getattr(sys.stdout, "encoding", None) or exc.encoding
            return _fail(f"the output cannot be written in the encoding {encoding} (it cannot show "
                         f"{exc.object[exc.start:exc.end][:1]!r}); set PYTHONIOENCODING=utf-8 or use a UTF-8 locale")
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                return _quiet_exit()
            return _fail(f"the output cannot be written ({exc.strerror or exc})")


def _skip_collection_at_exit() -> None:
    """At exit, freeze what is left (once registered) instead of letting the interpreter's last collections
    walk it: a long trace is half a million objects, and those passes took about a second after the
    output was done. Memory goes back to the system with the process; files are closed as before."""
    global _EXIT_FREEZE
    if not _EXIT_FREEZE:
        atexit.register(gc.freeze)
        _EXIT_FREEZE = True


_EXIT_FREEZE = False


def _harden(stream) -> None:
    """Let stderr show any message, whatever its encoding (as escapes where it cannot)."""
    try:
        stream.reconfigure(errors="backslashreplace")
    except (AttributeError, ValueError, OSError):
        pass


def _fail(message: str):
    from bptt_trace.render.safe_text import visible
    try:
        click.echo(f"bptt-trace: error: {visible(message)}", err=True)
    except (OSError, ValueError):
        pass
    _quiet_exit(EXIT_BAD_INPUT)


def _quiet_exit(code: int = 0):
    """Exit without Python's complaint about flushing a broken stdout at shutdown."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    sys.exit(code)
