"""The format-neutral worksheet: blocks of cells, each cell a run of spans.

A `Math` span is written in the project's own notation (`δz_6 = δh_6 ⊙ f′(z_6)`) and each
writer translates it; `Prose` is text (ours or the scenario's) that writers escape; a
`Value` is a number with the canonical names it reveals, so a writer can show it, leave a
labelled blank in its place, or highlight it as an answer.
"""

from __future__ import annotations

from typing import NamedTuple, Union


class Math(str):
    """Mathematics in the project's notation."""


class Prose(str):
    """Plain text, escaped by each writer."""


class Value(NamedTuple):
    """A number as shown, the quantity and entry it belongs to (`label`), and every name it reveals.

    `result` marks the number a step computes (an answer), as opposed to an operand.
    """

    text: str
    label: str | None = None
    sources: tuple[str, ...] = ()
    result: bool = False
    example: int | None = None
    shown: str | None = None  # the label in the notation shown (`O_2 #1` for `h[2] #1` under wi-wh-wo)

    @property
    def name(self) -> str | None:
        """The canonical name of the quantity (the label without its entry)."""
        return self.label.split(" #")[0] if self.label else None


Span = Union[Math, Prose, Value]
_SPANS = frozenset((Math, Prose, Value))
Cell = tuple[Span, ...]


def cell(*spans: Span | str) -> Cell:
    """A cell from spans; bare strings are Math (the same short ones made once: `"= "`, `" + "`, `"×"`)."""
    return tuple([s if type(s) in _SPANS else _math(s) for s in spans])


_MATH: dict[str, Math] = {}


def _math(s: Span | str) -> Span:
    """A span as it is, or a bare string as Math; a short one kept for the next time."""
    if type(s) is str:
        m = _MATH.get(s)
        if m is not None:
            return m
    elif isinstance(s, (Math, Prose, Value)):
        return s
    m = Math(s)
    if type(s) is str and len(s) <= 12 and len(_MATH) < 10_000:
        _MATH[s] = m
    return m


class Heading(NamedTuple):
    """A heading: level 1 a section, 2 a phase, 3 a time step."""

    level: int
    text: Cell


class Para(NamedTuple):
    """A line of text or a formula; `note` marks a remark rather than a step; `indent` in spaces."""

    text: Cell
    note: bool = False
    indent: int = 0


class Table(NamedTuple):
    """A titled table; columns in `left` are left-aligned; `stack` is a column that may move to a
    second line when the table is too wide for a terminal."""

    title: Cell | None
    headers: list[Cell]
    rows: list[list[Cell]]
    left: tuple[int, ...] = ()
    stack: int | None = None


class Matrix(NamedTuple):
    """A matrix (or column vector) of values under an optional title."""

    rows: list[list[Cell]]
    title: Cell | None = None


class SideBySide(NamedTuple):
    """Several matrices next to each other under their headers (parameters, an update)."""

    headers: list[Cell]
    matrices: list[Matrix]
    title: Cell | None = None


class Pre(NamedTuple):
    """Lines to print as they are (a chart)."""

    lines: list[str]


class Figure(NamedTuple):
    """The unrolled picture of one example, which a document writer is given ready-made (or leaves out)."""

    example: int


class Form(NamedTuple):
    """Fields a student fills in at the top of a worksheet (name, ID), and the instructions."""

    fields: tuple[str, ...]
    instructions: Cell


Block = Union[Heading, Para, Table, Matrix, SideBySide, Pre, Figure, Form]


class Answers(NamedTuple):
    """What a writer blanks or highlights: the canonical names chosen, and the mode."""

    names: frozenset[str] = frozenset()
    mode: str = "show"  # show | blank | key

    def hides(self, value: Value) -> bool:
        """Whether this value would give away a blanked answer."""
        return self.mode == "blank" and any(s in self.names for s in value.sources)

    def marks(self, value: Value) -> bool:
        """Whether this value is a blank of the student's sheet, to highlight in an answer key."""
        return self.mode == "key" and any(s in self.names for s in value.sources)
