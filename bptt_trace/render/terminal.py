"""Terminal writer: worksheet blocks as plain, aligned lines with rich style names.

Never prints; the CLI prints the lines through rich on a terminal, or plainly when piped.
"""

from __future__ import annotations

import textwrap
from typing import Iterable, Iterator

from bptt_trace.render.blocks import Answers, Block, Cell, Form, Heading, Matrix, Para, Pre, SideBySide, Table, Value
from bptt_trace.render.layout import (Line, grid, groups, para, plain_lines, rule, side_by_side, table, table_parts,
                                     too_wide, wrap)

HEADING_STYLES = {2: "bold underline", 3: "bold cyan"}
_new = tuple.__new__  # a Line made without NamedTuple's Python-level __new__ (the same tuple)


class TerminalWriter:
    """Lays blocks out for a terminal `width` columns wide."""

    def __init__(self, width: int = 80, answers: Answers | None = None) -> None:
        self.width = width
        self.answers = answers or Answers()

    def write(self, blocks: Iterable[Block]) -> Iterator[Line]:
        """Every block as lines no wider than the terminal; an unknown kind of block is an error."""
        width = self.width
        for line in self.lines(blocks):
            if len(line[0]) <= width:
                yield line
            else:  # the last resort: a line that no layout made narrow enough is broken at spaces
                yield from (Line(s, line.style) for s in wrap(line.text, self.width))

    def lines(self, blocks: Iterable[Block]) -> Iterator[Line]:
        """Every block laid out for the width."""
        for block in blocks:
            if isinstance(block, Heading):
                text = self.text(block.text)
                if block.level == 1:
                    yield from rule(text, self.width)
                else:
                    yield from (Line(s, HEADING_STYLES[block.level]) for s in wrap(text, self.width))
            elif isinstance(block, Para):
                for s in para(self.text(block.text), self.width, block.indent):
                    yield Line(s, "dim" if block.note else "")
            elif isinstance(block, Table):
                yield from self.table(block)
            elif isinstance(block, Matrix):
                yield from self.title(block.title)
                yield from self.side_by_side([block], [""])
            elif isinstance(block, SideBySide):
                yield from self.title(block.title)
                yield from self.side_by_side(block.matrices, [self.text(h) for h in block.headers])
            elif isinstance(block, Pre):
                yield from (Line(s) for s in block.lines)
            elif isinstance(block, Form):
                yield from (Line(s) for s in wrap("   ".join(f"{f}: ____________" for f in block.fields), self.width))
                yield from (Line(s, "dim") for s in wrap("Instructions: " + self.text(block.instructions), self.width))
            else:
                raise TypeError(f"the terminal writer cannot write {type(block).__name__}")

    def title(self, title: Cell | None) -> Iterator[Line]:
        """A block's title, wrapped to the width."""
        if title:
            yield from (Line(s, "bold") for s in wrap(self.text(title), self.width))

    def side_by_side(self, matrices: list[Matrix], headers: list[str]) -> Iterator[Line]:
        """Matrices next to each other, as many to a row as fit; a matrix too wide alone is split by columns."""
        parts: list[tuple[list[str], str]] = []
        for m, h in zip(matrices, headers):
            cells = [[self.text(c) for c in r] for r in m.rows]
            widths = [max(len(c) for c in col) for col in zip(*cells)] if cells else []
            chunks = groups(widths, self.width - 2, 1)
            for k, cols in enumerate(chunks):
                label = h if len(chunks) == 1 else f"{h} (columns {cols[0] + 1}–{cols[-1] + 1})".lstrip()
                parts.append((grid([[r[j] for j in cols] for r in cells]), label))
        widths = [max([len(h)] + [len(s) for s in g]) for g, h in parts]
        for group in groups(widths, self.width - 2, 4):
            lines = side_by_side([parts[i][0] for i in group], [parts[i][1] for i in group])
            yield from (Line("  " + s) for s in (lines if any(parts[i][1] for i in group) else lines[1:]))

    def table(self, block: Table) -> list[Line]:
        title = self.text(block.title) if block.title else ""
        headers = [self.text(h) for h in block.headers]
        rows = self.rows(block.rows)
        if (block.stack is None or 2 <= block.stack < len(headers) - 1) and too_wide(headers, rows, self.width):
            # every layout below would end in records: straight there
            return ([Line(x, "bold") for x in wrap(title, self.width)] if title else []) + self.records(headers, rows)
        plain = table("", headers, rows, block.left, self.width)  # laid out once: `fit` takes it as it is
        s = block.stack
        if max(len(title), max(len(line.text) for line in plain)) <= self.width or s is None:  # title too
            return self.fit(title, headers, rows, block.left, plain)
        if s == len(headers) - 1:
            return self.notes_below(title, headers, rows, block.left)
        stacked = [r2 for r in rows for r2 in (r[:s] + r[s + 1:-1] + [""], [""] * (s - 1) + ["  " + r[s]] + r[s + 1:])]
        lines = table(title, headers[:s] + headers[s + 1:], stacked, tuple(i for i in block.left if i < s), self.width)
        if max(len(line.text) for line in lines) <= self.width:  # column s moved to a second line
            return [Line(x, "bold") for x in wrap(title, self.width)] + lines[1:] if title else lines
        return self.fit(title, headers, rows, block.left, plain)

    def fit(self, title: str, headers: list[str], rows: list[list[str]], left: tuple,
            lines: list[Line] | None = None) -> list[Line]:
        """A table, split by columns into parts that fit the width (each repeats the first column), or
        when a part is still too wide, one record of lines per row; `lines` is the table laid out untitled."""
        lines = table("", headers, rows, left, self.width) if lines is None else lines
        out = [Line(s, "bold") for s in wrap(title, self.width)] if title else []
        if max(len(line.text) for line in lines) <= self.width:
            return out + lines
        parts: list[Line] = []
        for cols in table_parts(headers, rows, self.width) if len(headers) > 2 else []:
            parts += table("", [headers[j] for j in cols], [[r[j] for j in cols] for r in rows],
                           tuple(cols.index(i) for i in left if i in cols), self.width)
        if parts and max(len(line.text) for line in parts) <= self.width:
            return out + parts
        return out + self.records(headers, rows)

    def records(self, headers: list[str], rows: list[list[str]]) -> list[Line]:
        """Each row as its first cell, then one indented `header  value` line per other cell."""
        named = [h.strip() for h in headers[1:]]
        pad = max((len(h) for h in named), default=0)
        out = [Line(" " + "   ".join(h for h in named if h), "dim"), Line("─" * min(self.width, 40), "dim")]
        heads = [f"     {h.ljust(pad)}  " if pad else "     " for h in named]
        width, add = self.width, out.append
        for row in rows:
            first = row[0].strip()
            if first:
                add(Line(" " + first))
            for h, c in zip(heads, row[1:]):
                c = c.strip()
                if c:
                    text = h + c
                    if len(text) <= width:  # `wrap`'s one line, the common case, without its call
                        add(_new(Line, (text, "")))
                    else:
                        out += plain_lines(wrap(text, width, pad + 2))
        return out

    def notes_below(self, title: str, headers: list[str], rows: list[list[str]], left: tuple) -> list[Line]:
        """A table too wide for its last column: that column goes on indented lines under each row."""
        lines = self.fit(title, headers[:-1], [r[:-1] for r in rows], left)
        head = len(lines) - len(rows)
        if head != 2 + (len(wrap(title, self.width)) if title else 0):
            return self.fit(title, headers, rows, left)  # not one plain table: lay the notes out with the rest
        out = lines[:head]
        for line, row in zip(lines[head:], rows):
            out.append(line)
            out += [Line(s, "dim") for s in textwrap.wrap(row[-1], self.width, initial_indent="      ",
                                                          subsequent_indent="      ")]
        return out

    def rows(self, rows: list[list[Cell]]) -> list[list[str]]:
        """`[[self.text(c) for c in r] for r in rows]`, a cell of one Value (most of a long table) taken as it is."""
        if self.answers.mode == "blank":
            return [[self.text(c) for c in r] for r in rows]
        try:
            return [[c[0][0] if len(c) == 1 and type(c[0]) is Value else
                     "".join([s[0] if type(s) is Value else s for s in c]) for c in r] for r in rows]
        except TypeError:  # a span neither Value nor str: as `text` writes it
            return [[self.text(c) for c in r] for r in rows]

    def text(self, spans: Cell) -> str:
        """A cell's spans as text: blanks as `____`, everything else as written."""
        if self.answers.mode != "blank":  # nothing hidden: each Value's text (Math and Prose are text)
            try:  # Math and Prose are str: joined as they are
                return "".join([s[0] if type(s) is Value else s for s in spans])
            except TypeError:
                return "".join([s[0] if type(s) is Value else str(s) for s in spans])
        return "".join(("____" if self.answers.hides(s) else s.text) if isinstance(s, Value) else str(s)
                       for s in spans)
