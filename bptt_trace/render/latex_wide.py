"""Exact mode's wide values on a LaTeX page: long digit strings that may break (with a continuation
mark), the widest piece of a cell that cannot break, and matrices too wide for the page written row
by row with each entry labelled by its index."""

from __future__ import annotations

import re
from typing import Any

from bptt_trace.render.blocks import Value

LONG_DIGITS = 16  # a run of this many digits or more may break (no float64 shows one by default)
GROUP = 5  # digits between break points
CONTINUATION = r"\newcommand{\digitbreak}{\discretionary{\hbox{$\hookleftarrow$}}{}{}}"  # ↩ where a number breaks
_RUN = re.compile(r"\d{%d,}" % LONG_DIGITS)
_SPACES = re.compile(r"\s+")  # where text may break
_OPERATORS = re.compile(r"(?<=[+=≈<>−-]) |·|×|, ")  # where a formula may break: after its operators, commas
SMALLEST = 0.78  # \scriptsize against \small, the smallest font a table is set in
TITLE_SCALE = 0.85  # a display title is math at full size, narrower per character than the generous estimate
MATRIX_GAP_PT = 10.0  # 2\arraycolsep between a matrix's columns
_ENTRY = re.compile(r"#(\d+(?:,\d+)*)$")


def break_digits(tex: str) -> str:
    """TeX with every long run of digits breakable after each group of digits, marked `↩` at a break."""
    return _RUN.sub(lambda m: r"\digitbreak ".join(_groups(m.group())), tex)


def _groups(digits: str) -> list[str]:
    return [digits[i:i + GROUP] for i in range(0, len(digits), GROUP)]


def long_digits(written: str) -> bool:
    """Whether a written value holds a run of digits long enough to break."""
    return bool(_RUN.search(written))


def widest_piece(written: str, prose: bool = False) -> int:
    """The characters of the longest piece of `written` (a formula, or `prose`) that no line break can split."""
    pieces = (_RUN.sub("0" * GROUP, p) for p in (_SPACES if prose else _OPERATORS).split(written))
    return max((len(p) for p in pieces), default=0)


def entry_label(name: str | None, row: int, col: int, single: bool) -> str:
    """A matrix entry's index as the worksheet names it (`1,2`), from its value's name or its position."""
    found = _ENTRY.search(name or "")
    if found:
        return found.group(1)
    return f"{row}" if single else f"{row},{col}"


class WideMatrices:
    """For a LaTeX writer (`cell`, `estimate`, `display`, `bmatrix`, `width`): a matrix too wide for the
    page is written row by row, its entries labelled with their indices, breaking between and inside them."""

    width: float

    def fits(self, m: Any, room: float) -> bool:
        """Whether a matrix's estimated width (its columns and their gaps) fits in `room` points."""
        columns = list(zip(*m.rows))
        return sum(max(self.estimate(c) for c in col) + MATRIX_GAP_PT for col in columns) + 12 <= room

    def matrix(self, m: Any) -> str:
        """A matrix block: displayed under its title, or row by row when too wide for the page."""
        title = TITLE_SCALE * self.estimate(m.title) + 12 if m.title else 0.0
        if self.fits(m, self.width - title):
            return self.display(m.title, [self.bmatrix(m)])
        head = (r"{\raggedright\hangindent=2em\hangafter=1 " + self.cell(m.title) + r"\par}" + "\n") if m.title else ""
        return head + self.by_rows(m)

    def by_rows(self, m: Any) -> str:
        """Each row of a matrix as a paragraph of `[i,j] = entry` items, which breaks between and inside entries."""
        single = all(len(r) == 1 for r in m.rows)
        lines = []
        for i, row in enumerate(m.rows, 1):
            items = [self.entry(c, i, j, single) for j, c in enumerate(row, 1)]
            lines.append(r"{\raggedright\leftskip=1em\hangindent=2em\hangafter=1 " + "; ".join(items) + r"\par}")
        return "\n".join(lines)

    def entry(self, c: Any, i: int, j: int, single: bool) -> str:
        """One entry with its index; an elided gap as `…`."""
        value = next((s for s in c if isinstance(s, Value)), None)
        if value is None:
            return self.cell(c)
        return f"$[{entry_label(value.label, i, j, single)}] =$ " + self.cell(c)

    def table_fits(self, widths: list[float], least: list[float], breakable: list[bool]) -> bool:
        """Whether a table can fit in its smallest font, its breakable columns at their widest unbreakable piece."""
        room = self.width - 15.0 * len(widths) - 4  # the gaps between columns and the slack of `column_spec`
        return sum(max(s * SMALLEST, 30.0) if b else w * SMALLEST for w, s, b in zip(widths, least, breakable)) <= room

    def table_rows(self, t: Any) -> str:
        """A table too wide for the page in any font, row by row: the row's first cell, then `header: cell` items."""
        title = (r"{\raggedright " + self.cell(t.title) + r"\par}" + "\n") if t.title else ""
        lines = []
        for row in t.rows:
            items = [self.cell(h) + ": " + self.cell(c) for h, c in zip(t.headers[1:], row[1:])]
            lines.append(r"{\raggedright\hangindent=2em\hangafter=1 " + self.cell(row[0]) + r"\quad " +
                         "; ".join(items) + r"\par}")
        return title + "\n".join(lines) + r"\smallskip"
