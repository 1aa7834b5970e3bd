"""Plain-text layout for the terminal renderer: styled lines, aligned tables, grids and rules.

The renderer lays text out itself so that piped output needs no rich at all and a
terminal needs only rich's colouring; both show the same characters.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence


class Line(NamedTuple):
    """One output line and its rich style name ("" for none)."""

    text: str
    style: str = ""


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
          left: Sequence[int] = ()) -> list[Line]:
    """A titled table: header row, a rule, the rows; columns right-aligned except those in `left`."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]

    def fmt(cells: Sequence[str]) -> str:
        return " " + "   ".join(c.ljust(w) if i in left else c.rjust(w)
                                for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    body = [fmt(r) for r in rows]
    head = fmt(headers)
    width = max(len(s) for s in [head, *body]) + 1
    return ([Line(title, "bold")] if title else []) + [Line(head, "dim"), Line("─" * width, "dim")] + \
        [Line(s) for s in body]


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


def rule(title: str, width: int) -> Line:
    """`──── title ────` across the width."""
    text = f" {title} "
    left = max(2, (width - len(text)) // 2)
    return Line("─" * left + text + "─" * max(2, width - left - len(text)), "bold")
