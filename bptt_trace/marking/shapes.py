"""The shape of an answer as written, and whether it fits the quantity's shape.

A vector may be written as a list, a column `[[0.23], [0.32]]` or a single row `[[0.23, 0.32]]`;
a 1×n or n×1 matrix as a plain list; a number as a one-entry list. Any other shape is malformed,
with the shape expected; a matrix written transposed is said to be so.
"""

from __future__ import annotations

from typing import Any

from bptt_trace.marking.answers import Entry

MAX_DEPTH = 2


def written_shape(entries: Any) -> tuple[tuple[int, ...] | None, list[Entry], str]:
    """(shape, the entries in row order, problem): shape None with a problem when it has none."""
    if isinstance(entries, str):
        return None, [], f"expected a number, got {entries}"
    if isinstance(entries, Entry):
        return (), [entries], ""
    if not entries:
        return None, [], "an empty list"
    if all(isinstance(e, Entry) for e in entries):
        return (len(entries),), list(entries), ""
    if not all(isinstance(e, list) for e in entries):
        bad = next((e for e in entries if isinstance(e, str)), None)
        return None, [], f"expected a number, got {bad}" if bad else "numbers and lists mixed in one list"
    rows = [written_shape(e) for e in entries]
    problem = next((p for _, _, p in rows if p), "")
    if problem:
        return None, [], problem
    if any(len(shape) != 1 for shape, _, _ in rows):
        return None, [], f"lists nested more than {MAX_DEPTH} deep"
    if len({shape for shape, _, _ in rows}) > 1:
        return None, [], "rows of different lengths"
    return (len(rows), rows[0][0][0]), [e for _, flat, _ in rows for e in flat], ""


def fits(written: tuple[int, ...], expected: tuple[int, ...]) -> bool:
    """Whether entries written in shape `written` can stand for a quantity of shape `expected`."""
    if written == expected:
        return True
    size = 1
    for n in expected:
        size *= n
    squeezed = tuple(n for n in written if n != 1)
    return squeezed == tuple(n for n in expected if n != 1) and (len(expected) < 2 or 1 in expected or size == 1)


def describe(shape: tuple[int, ...]) -> str:
    """`a single number`, `a list of 3 numbers`, `3×2 (3 rows of 2 numbers)`."""
    if not shape:
        return "a single number"
    if len(shape) == 1:
        return f"a list of {shape[0]} number{'s' if shape[0] != 1 else ''}"
    return f"{shape[0]}×{shape[1]} ({shape[0]} row{'s' if shape[0] != 1 else ''} of {shape[1]} " \
           f"number{'s' if shape[1] != 1 else ''})"


def shape_problem(written: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """The malformed note for a shape that does not fit."""
    got = describe(written).replace("a list of", "").strip() if len(written) == 1 else describe(written)
    return f"expected {describe(expected)}, got {got}"
