"""Plain-text layout for the terminal renderer: styled lines, aligned tables, grids and rules.

The renderer lays text out itself so that piped output needs no rich at all and a
terminal needs only rich's colouring; both show the same characters.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import NamedTuple, Sequence

from bptt_trace.render import wrapping


class Line(NamedTuple):
    """One output line and its rich style name ("" for none)."""

    text: str
    style: str = ""


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
          left: Sequence[int] = (), limit: int = 10**6) -> list[Line]:
    """A titled table: header row, a rule (at most `limit` wide), the rows; columns right-aligned except
    those in `left`."""
    widths = [max(map(len, col)) for col in zip(headers, *rows)]  # every cell is a str
    pattern = "   ".join(f"%{'-' if i in left else ''}{w}s" for i, w in enumerate(widths))  # ljust or rjust
    pads = [(str.ljust if i in left else str.rjust, w) for i, w in enumerate(widths)]

    def fmt(cells: Sequence[str]) -> str:
        if len(cells) == len(widths):
            return " " + (pattern % tuple(cells)).rstrip()
        return " " + "   ".join([j(c, w) for (j, w), c in zip(pads, cells)]).rstrip()

    body = [fmt(r) for r in rows]
    head = fmt(headers)
    width = min(max(len(head), max(map(len, body), default=0)) + 1, limit)
    return ([Line(title, "bold")] if title else []) + [Line(head, "dim"), Line("─" * width, "dim")] + \
        plain_lines(body)


def plain_lines(texts: Sequence[str]) -> list[Line]:
    """`[Line(s) for s in texts]`, each Line made without NamedTuple's Python-level `__new__` (the same tuple)."""
    return list(map(_new, repeat(Line), zip(texts, repeat(""))))


_new = tuple.__new__


def too_wide(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> bool:
    """Whether a column but the first has a cell too wide for any table `width` wide that has it after the
    first column (`table`, each part of `table_parts`): the line of that cell is at least that long."""
    cols = list(zip(headers, *rows))
    if len(cols) < 2:
        return False
    room = width - 4 - max(map(len, cols[0]))  # " " + the first column + "   " before the cell
    for col in cols[1:]:
        if max(map(len, col)) > room and len(max(col, key=len).rstrip()) > room:
            return True
    return False


def grid(rows: Sequence[Sequence[str]]) -> list[str]:
    """A matrix as right-aligned columns, no borders."""
    if not rows:
        return []
    widths = [max(len(c) for c in col) for col in zip(*rows)]
    return [" ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]


def side_by_side(blocks: Sequence[list[str]], headers: Sequence[str], gap: int = 4) -> list[str]:
    """Several blocks of lines next to each other under their headers."""
    widths = [max([len(h)] + [len(s) for s in b]) for b, h in zip(blocks, headers)]
    height = max(len(b) for b in blocks)
    pad = [b + [""] * (height - len(b)) for b in blocks]
    sep = " " * gap
    out = [sep.join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    out += [sep.join(b[i].ljust(w) for b, w in zip(pad, widths)).rstrip() for i in range(height)]
    return out


def rule(title: str, width: int) -> list[Line]:
    """`──── title ────` across the width; a title too long for it goes on its own lines above a plain rule."""
    text = f" {title} "
    if len(text) + 4 > width:
        return [Line(s, "bold") for s in wrap(title, width)] + [Line("─" * width, "bold")]
    left = max(2, (width - len(text)) // 2)
    return [Line("─" * left + text + "─" * max(2, width - left - len(text)), "bold")]


def wrap(text: str, width: int, indent: int = 4) -> list[str]:
    """A line broken at spaces to fit `width`, continuation lines indented; a word too long is cut."""
    if len(text) <= width:
        return [text]
    lead = len(text) - len(text.lstrip(" "))  # textwrap.wrap's lines, found faster (`wrapping`)
    return wrapping.wrap(text.lstrip(" "), width, " " * lead, " " * min(lead + indent, width // 2)) or [text[:width]]


def para(text: str, width: int, indent: int = 0) -> list[str]:
    """`textwrap.wrap` of a paragraph as the terminal writer wraps it (continuation lines 4 further in when
    indented); a line that fits as it is, the common case, is returned without textwrap's work."""
    if text and len(text) + indent <= width and not text[-1].isspace() and not _MUNGED.search(text):
        return [" " * indent + text]
    return wrapping.wrap(text, width, " " * indent, " " * (indent + 4 if indent else 0))


_MUNGED = re.compile("[\t\n\x0b\x0c\r]")  # what textwrap turns into spaces


def groups(widths: Sequence[int], width: int, gap: int, fixed: int = 0) -> list[list[int]]:
    """Consecutive indices whose widths (joined by `gap`, after `fixed` columns) fit `width`; at least one each."""
    out: list[list[int]] = [[]]
    used = fixed
    for i, w in enumerate(widths):
        if out[-1] and used + gap + w > width:
            out.append([])
            used = fixed
        used += (gap if out[-1] or fixed else 0) + w
        out[-1].append(i)
    return out


def table_parts(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[list[int]]:
    """A wide table's columns in parts that fit `width`, each part after the first column, which every
    part repeats."""
    widths = [max(map(len, col)) for col in zip(headers, *rows)]  # every cell is a str
    return [[0] + [i + 1 for i in g] for g in groups(widths[1:], width - 1, 3, widths[0])]
