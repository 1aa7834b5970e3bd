"""Printing for the commands: colour on a terminal and plain text when piped, and a progress bar.

Part of the command line, the only layer that prints.
"""

from __future__ import annotations

import sys
from itertools import islice
from typing import Iterator

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
    """Styled through rich on a terminal; plain text, without loading rich, when piped or NO_COLOR. Written
    `CHUNK` lines at a time as they are laid out, so a long `--full` trace is never held as text whole."""
    import os

    from bptt_trace.networks.run import collector_paused
    from bptt_trace.render.terminal import TerminalWriter

    color = wants_color(color, sys.stdout.isatty(), os.environ)
    width = width or terminal_width(os.environ)  # $COLUMNS is respected when piped, too
    codes: dict[str, str | None] = {}
    written = False
    with collector_paused():  # the blocks and lines hold no cycles; passes over a long trace would cost time in T
        for chunk in _chunks(TerminalWriter(width).write(blocks)):
            written = True
            if color:
                _print_styled(chunk, codes, width)
            else:
                click.echo("\n".join([t for t, _ in chunk]))
    if not written and not color:  # no lines: one empty line, as plain output always ends
        click.echo("")


CHUNK = 8192  # lines laid out before they are written


def _chunks(lines: Iterator) -> Iterator[list[tuple[str, str]]]:
    """The lines as (text, style), `CHUNK` at a time; a line not all printable as `visible` shows it."""
    from bptt_trace.render.safe_text import visible
    while True:
        chunk = list(islice(lines, CHUNK))
        if not chunk:
            return
        if not "".join([t for t, _ in chunk]).isprintable():  # one look at the chunk: most are printable
            chunk = [line if line[0].isprintable() else (visible(line[0]), line[1]) for line in chunk]
        yield chunk


def _print_styled(lines: list[tuple[str, str]], codes: dict[str, str | None], width: int) -> None:
    """Lines in colour: as SGR codes when every style is plain SGR, without loading rich's console; else through rich."""
    styles = {s for _, s in lines}
    for style in styles.difference(codes):
        codes[style] = sgr_codes(style)
    if all(codes[s] is not None for s in styles):
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
