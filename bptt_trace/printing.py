"""Printing for the commands: colour on a terminal and plain text when piped, and a progress bar.

Part of the command line, the only layer that prints.
"""

from __future__ import annotations

import sys

import click


def wants_color(flag: bool | None, isatty: bool, environ) -> bool:
    """--color/--no-color win; otherwise colour only on a terminal without NO_COLOR or TERM=dumb."""
    if flag is not None:
        return flag
    return isatty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def terminal_width(environ) -> int:
    """$COLUMNS, else the terminal's width, else 80 (as shutil.get_terminal_size, without importing shutil:
    it costs a few milliseconds of start-up)."""
    import os
    columns = environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns or 80
    except (OSError, ValueError):
        return 80


def chosen_width(width: int | None) -> int:
    """--width, else $COLUMNS, else the terminal's width, else 80."""
    import os
    return width or terminal_width(os.environ)


def print_lines(blocks, color: bool | None, width: int | None) -> None:
    """Styled through rich on a terminal; plain text, without loading rich, when piped or NO_COLOR."""
    import os

    from bptt_trace.render.terminal import TerminalWriter

    color = wants_color(color, sys.stdout.isatty(), os.environ)
    width = width or terminal_width(os.environ)  # $COLUMNS is respected when piped, too
    lines = TerminalWriter(width).write(blocks)
    if not color:
        click.echo("\n".join(line.text for line in lines))
        return
    from rich.console import Console
    from rich.text import Text

    text = Text(no_wrap=True, overflow="ignore")
    for line in lines:
        text.append(line.text + "\n", style=line.style or None)
    Console(width=width, force_terminal=True, highlight=False).print(text, end="", soft_wrap=True)


def progress(epochs: int, stderr=None):
    """A progress bar on stderr for long runs on a terminal; nothing otherwise."""
    import contextlib
    import os
    if epochs < 200 or not (stderr or sys.stderr).isatty() or os.environ.get("NO_COLOR") or os.environ.get("CI"):
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        from rich.console import Console
        from rich.progress import Progress
        with Progress(transient=True, console=Console(stderr=True)) as progress:
            task = progress.add_task("training", total=epochs)
            yield lambda epoch: progress.update(task, completed=epoch)
    return bar()
