"""Answers files read line by line, each distinct line worked out once for a class.

A class's sheets repeat most of their lines (the same names, the same right numbers, often at
the same line numbers, as `bptt-trace template` lays them out), so each distinct line's key and
entries are kept and shared (entries are never changed once made); `marking.answers` makes the
answers from them. The subset and its checks are those of `scenario.yaml_fast`, line for line;
anything else gives None and is read the full way, so every error message stays as it is.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from bptt_trace.scenario.yaml_fast import MAX_KEY, MAX_NEST, _KEY, _ODD, _Outside, _blank_tail, _value
from bptt_trace.scenario.yaml_tree import MAX_FILE_BYTES, Scalar

MAX_LINES = 50_000  # distinct lines kept


class _Line(NamedTuple):
    """One line worked out: indentation, key, and the value (None: a nested mapping follows)."""

    indent: int
    key: str
    node: Any  # the value's node, located at line 0 (only its kind, text and entries are read)
    entries: Any


class Block(NamedTuple):
    """An open mapping: its keys in file order, each key's line number, and each key's item."""

    items: dict  # key -> Block, or (line number, _Line, the line)
    number: int


_LINES: dict[str, _Line | None] = {}


def read_blocks(text: str, entries_of: Callable[[Any], Any]) -> Block | None:
    """The file's mappings, each value as `entries_of(its node)`, or None when the full way must read it."""
    if len(text) > MAX_FILE_BYTES // 4 or _ODD.search(text):
        return None
    try:
        return _read(text, entries_of)
    except _Outside:
        return None


def _line(line: str, entries_of: Callable[[Any], Any]) -> _Line | None:
    """A line's key and value, or None when it leaves the subset."""
    m = _KEY.match(line)
    if m is None:
        return None
    key = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
    if len(key) > MAX_KEY:
        return None
    rest = m.end()
    if _blank_tail(line, rest):
        return _Line(len(m.group(1)), key, None, None)
    try:
        node = _value(line, rest + 1, 0)
    except _Outside:
        return None
    return _Line(len(m.group(1)), key, node, entries_of(node))


def _read(text: str, entries_of: Callable[[Any], Any]) -> Block:
    """The file's mappings by indentation, as `yaml_fast._Reader` nests them (or _Outside)."""
    stack: list[tuple[int, Block]] = []
    opener: tuple | None = None  # (indent, parent block, key) waiting for its nested mapping
    lines = _LINES
    for number, line in enumerate(text.split("\n"), 1):
        body = line.lstrip(" ")
        if not body or body[0] == "#":
            continue
        try:
            parsed = lines[line]
        except KeyError:
            parsed = _line(line, entries_of)
            if len(lines) < MAX_LINES:
                lines[line] = parsed
        if parsed is None:
            raise _Outside
        indent = parsed.indent
        if opener is not None:
            parent_indent, parent, pkey = opener
            opener = None
            if indent <= parent_indent or len(stack) >= MAX_NEST:
                raise _Outside
            target = Block({}, number)
            parent.items[pkey] = target
            stack.append((indent, target))
        else:
            if not stack:
                if indent:
                    raise _Outside
                stack.append((0, Block({}, number)))
            while stack[-1][0] > indent:
                stack.pop()
            if stack[-1][0] != indent:
                raise _Outside
            target = stack[-1][1]
        if parsed.key in target.items:
            raise _Outside
        if parsed.node is None:
            opener = (indent, target, parsed.key)
            target.items[parsed.key] = None  # filled by the nested mapping
        else:
            target.items[parsed.key] = (number, parsed, line)
    if opener is not None or not stack:
        raise _Outside
    return stack[0][1]


