"""Terminal writer: worksheet blocks as plain, aligned lines with rich style names.

Never prints; the CLI prints the lines through rich on a terminal, or plainly when piped.
"""

from __future__ import annotations

import textwrap
from typing import Iterable, Iterator

from bptt_trace.render.blocks import Answers, Block, Cell, Heading, Matrix, Para, Pre, SideBySide, Table, Value
from bptt_trace.render.layout import Line, grid, rule, side_by_side, table

HEADING_STYLES = {2: "bold underline", 3: "bold cyan"}


class TerminalWriter:
    """Lays blocks out for a terminal `width` columns wide."""

    def __init__(self, width: int = 80, answers: Answers | None = None) -> None:
        self.width = width
        self.answers = answers or Answers()

    def write(self, blocks: Iterable[Block]) -> Iterator[Line]:
        """Every block as lines; an unknown kind of block is an error."""
        for block in blocks:
            if isinstance(block, Heading):
                text = self.text(block.text)
                yield rule(text, self.width) if block.level == 1 else Line(text, HEADING_STYLES[block.level])
            elif isinstance(block, Para):
                for s in textwrap.wrap(self.text(block.text), self.width, break_on_hyphens=False,
                                       initial_indent=" " * block.indent,
                                       subsequent_indent=" " * (block.indent + 4 if block.indent else 0)):
                    yield Line(s, "dim" if block.note else "")
            elif isinstance(block, Table):
                yield from self.table(block)
            elif isinstance(block, Matrix):
                if block.title:
                    yield Line(self.text(block.title), "bold")
                yield from (Line("  " + s) for s in grid([[self.text(c) for c in r] for r in block.rows]))
            elif isinstance(block, SideBySide):
                if block.title:
                    yield Line(self.text(block.title), "bold")
                grids = [grid([[self.text(c) for c in r] for r in m.rows]) for m in block.matrices]
                yield from (Line("  " + s) for s in side_by_side(grids, [self.text(h) for h in block.headers]))
            elif isinstance(block, Pre):
                yield from (Line(s) for s in block.lines)
            else:
                raise TypeError(f"the terminal writer cannot write {type(block).__name__}")

    def table(self, block: Table) -> list[Line]:
        title = self.text(block.title) if block.title else ""
        headers = [self.text(h) for h in block.headers]
        rows = [[self.text(c) for c in r] for r in block.rows]
        lines = table(title, headers, rows, left=block.left)
        s = block.stack
        if s is not None and s == len(headers) - 1 and max(len(line.text) for line in lines) > self.width:
            return self.notes_below(title, headers, rows, block.left)
        if s is not None and max(len(line.text) for line in lines) > self.width:  # move column s to a second line
            stacked = [r2 for r in rows for r2 in (r[:s] + r[s + 1:-1] + [""], [""] * (s - 1) + ["  " + r[s]] + r[s + 1:])]
            lines = table(title, headers[:s] + headers[s + 1:], stacked, left=tuple(i for i in block.left if i < s))
        return lines

    def notes_below(self, title: str, headers: list[str], rows: list[list[str]], left: tuple) -> list[Line]:
        """A table too wide for its last column: that column goes on indented lines under each row."""
        lines = table(title, headers[:-1], [r[:-1] for r in rows], left=left)
        head = len(lines) - len(rows)
        out = lines[:head]
        for line, row in zip(lines[head:], rows):
            out.append(line)
            out += [Line(s, "dim") for s in textwrap.wrap(row[-1], self.width, initial_indent="      ",
                                                          subsequent_indent="      ")]
        return out

    def text(self, spans: Cell) -> str:
        """A cell's spans as text: blanks as `____`, everything else as written."""
        return "".join(("____" if self.answers.hides(s) else s.text) if isinstance(s, Value) else str(s)
                       for s in spans)
