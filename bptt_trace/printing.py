"""Printing for the commands: colour on a terminal and plain text when piped, and a progress bar.

Part of the command line, the only layer that prints.
"""

from __future__ import annotations

import sys

import click

MAX_WIDTH = 1000  # columns: a larger $COLUMNS or terminal is taken as this (as --width's upper bound)


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
    if columns.isascii() and columns.isdigit() and columns.strip("0"):
        return MAX_WIDTH if len(columns.lstrip("0")) > 6 else min(int(columns), MAX_WIDTH)
    try:
        return min(os.get_terminal_size(sys.stdout.fileno()).columns, MAX_WIDTH) or 80
    except (OSError, ValueError):
        return 80


def chosen_width(width: int | None) -> int:
    """--width, else $COLUMNS, else the terminal's width, else 80."""
    import os
    return width or terminal_width(os.environ)


def print_lines(blocks, color: bool | None, width: int | None) -> None:
    """Styled through rich on a terminal; plain text, without loading rich, when piped or NO_COLOR."""
    import os

    from bptt_trace.render.safe_text import visible
    from bptt_trace.render.terminal import TerminalWriter

    color = wants_color(color, sys.stdout.isatty(), os.environ)
    width = width or terminal_width(os.environ)  # $COLUMNS is respected when piped, too
    if not color:  # a printable line, the common case, is as `visible` would make it
        click.echo("\n".join([t if t.isprintable() else visible(t) for t, _ in TerminalWriter(width).write(blocks)]))
        return
    lines = [(t if t.isprintable() else visible(t), s) for t, s in TerminalWriter(width).write(blocks)]  # (text, style)
    codes = {style: sgr_codes(style) for style in {s for _, s in lines}}
    if None not in codes.values():  # every style is plain SGR: written directly, without loading rich's console
        click.echo("".join([f"\x1b[{codes[s]}m{t}\x1b[0m\n" if s else t + "\n" for t, s in lines]), nl=False, color=True)
        return
    from rich.console import Console
    from rich.text import Text

    text = Text(no_wrap=True, overflow="ignore")
    for t, s in lines:
        text.append(t + "\n", style=s or None)
    Console(width=width, force_terminal=True, highlight=False).print(text, end="", soft_wrap=True)


_ATTRIBUTES = {"bold": "1", "dim": "2", "italic": "3", "underline": "4", "blink": "5", "reverse": "7", "strike": "9"}
_COLOURS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")


def sgr_codes(style: str) -> str | None:
    """A rich style name made of attributes and the 16 basic colours ("bold cyan", "dim", "red on white")
    as ANSI SGR parameters ("1;36"); None for a style beyond those, which rich then writes."""
    codes, ground = [], 30
    for word in style.split():
        colour = word.removeprefix("bright_")
        if word == "on":
            ground = 40
        elif word in _ATTRIBUTES:
            codes.append(_ATTRIBUTES[word])
        elif colour in _COLOURS:
            codes.append(str(ground + _COLOURS.index(colour) + (60 if colour != word else 0)))
            ground = 30
        else:
            return None
    return ";".join(codes)
