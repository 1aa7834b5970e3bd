"""A fast reader for the plain subset of YAML that answers files use, building the same located tree.

The subset: block mappings (keys plain words or simply quoted, nested by indentation) whose values
are numbers, `~`, plain words, simply quoted text, or one-line flow lists of numbers and lists;
whole-line and trailing comments. Anything else (tags, anchors, flow mappings, block lists,
escapes, tabs, duplicate keys, odd characters, deep nesting, a second document ...) makes it
answer None, and the caller falls back to the full located parser, so every error message stays
as it is. Nothing is evaluated; the tree holds the text as written, as `yaml_tree` builds it.
"""

from __future__ import annotations

import re

from pathlib import Path

from bptt_trace.scenario.yaml_tree import MAX_FILE_BYTES, Map, Node, Scalar, Seq, parse_yaml, read_text

MAX_NEST = 8  # block mappings; deeper ones go to the full parser
MAX_FLOW = 4  # nested flow lists
MAX_KEY = 500  # characters in a key (YAML's simple keys stop at 1024)

# Anything outside printable ASCII and the plain BMP (no NEL, line/paragraph separators, BOM,
# surrogates, astral characters, tabs or carriage returns): the full parser decides.
# Written as the complement of the printable set, [^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]
# (the same characters, checked over every code point): the negated class takes ~17 ms to compile.
_ODD = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]")
_CH = r"[A-Za-z0-9_\[\]()/.+\-\u00b7\u0370-\u03ff]"
_WORD = rf"[A-Za-z0-9_]{_CH}*(?: {_CH}+)*"
_KEY = re.compile(rf'( *)(?:({_WORD})|"([^"\\]*)"|\'([^\']*)\'):(?= |\Z)')
_VALUE = re.compile(rf'({_WORD}|-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|~)|"([^"\\]*)"')
_FLOW_ITEM = re.compile(r" *(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|~)? *")
_TOKEN = r"(?:-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|~)"
_FLAT = re.compile(rf"\[ *(?:{_TOKEN} *, *)*{_TOKEN} *\]")  # a list of numbers, read in one go
_TOKENS = re.compile(_TOKEN)


class _Outside(Exception):
    """The text leaves the subset: the full parser reads it."""


def read_fast(path: str | Path) -> Node:
    """`yaml_tree.read_yaml`, by the fast reader where the file lies in its subset."""
    return parse_fast(read_text(path), str(path))


def parse_fast(text: str, name: str) -> Node:
    """`yaml_tree.parse_yaml`, by the fast reader where the text lies in its subset: the same tree or error."""
    tree = parse_simple(text) if len(text) <= MAX_FILE_BYTES // 4 or len(text.encode("utf-8")) <= MAX_FILE_BYTES \
        else None
    return tree if tree is not None else parse_yaml(text, name)


def parse_simple(text: str) -> Map | None:
    """The located tree of `text` when it lies in the subset, else None."""
    if _ODD.search(text):
        return None
    try:
        return _Reader().read(text)
    except _Outside:
        return None


class _Reader:
    """One pass over the lines, a stack of open mappings by indentation."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, Map]] = []
        self.opener: tuple[int, Map, str, int, int] | None = None  # a key waiting for its nested mapping

    def read(self, text: str) -> Map:
        for number, line in enumerate(text.split("\n"), 1):
            body = line.lstrip(" ")
            if not body or body[0] == "#":
                continue
            self.line(line, number)
        if self.opener is not None or not self.stack:
            raise _Outside
        return self.stack[0][1]

    def line(self, line: str, number: int) -> None:
        m = _KEY.match(line)
        if m is None:
            raise _Outside
        indent = len(m.group(1))
        key = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
        if len(key) > MAX_KEY:
            raise _Outside
        target = self.mapping(indent, number)
        if key in target.items:
            raise _Outside  # the full parser names the duplicate
        rest = m.end()
        if _blank_tail(line, rest):
            self.opener = (indent, target, key, number, indent + 1)
            return
        target.items[key] = _value(line, rest + 1, number)
        target.key_lines[key] = (number, indent + 1)

    def mapping(self, indent: int, number: int) -> Map:
        """The mapping a key at this indentation belongs to (opening a nested one when due)."""
        if self.opener is not None:
            parent_indent, parent, key, kline, kcol = self.opener
            self.opener = None
            if indent <= parent_indent or len(self.stack) >= MAX_NEST:
                raise _Outside  # an empty value, or too deep
            child = Map({}, number, indent + 1, {})
            parent.items[key] = child
            parent.key_lines[key] = (kline, kcol)
            self.stack.append((indent, child))
            return child
        if not self.stack:
            if indent:
                raise _Outside
            self.stack.append((0, Map({}, number, 1, {})))
        while self.stack[-1][0] > indent:
            self.stack.pop()
        if self.stack[-1][0] != indent:
            raise _Outside
        return self.stack[-1][1]


def _blank_tail(line: str, at: int) -> bool:
    """Whether only spaces, or spaces and a comment, follow position `at`."""
    tail = line[at:]
    stripped = tail.lstrip(" ")
    return not stripped or (stripped[0] == "#" and len(stripped) < len(tail))


def _value(line: str, at: int, number: int) -> Node:
    """The value after `key: `: a scalar or a one-line flow list, with nothing after it but a comment."""
    while at < len(line) and line[at] == " ":
        at += 1
    if at < len(line) and line[at] == "[":
        node, end = _flow(line, at, number, 1)
    else:
        m = _VALUE.match(line, at)
        if m is None:
            raise _Outside
        quoted = m.group(1) is None
        node, end = Scalar(m.group(2) if quoted else m.group(1), quoted, number, at + 1), m.end()
    if end < len(line) and not _blank_tail(line, end) or (end < len(line) and line[end] != " "):
        raise _Outside
    return node


def _flow(line: str, at: int, number: int, depth: int) -> tuple[Seq, int]:
    """A flow list starting at `line[at] == '['`, and the position after its `]`."""
    if depth > MAX_FLOW:
        raise _Outside
    flat = _FLAT.match(line, at)
    if flat is not None:
        items = [Scalar(m.group(), False, number, m.start() + 1) for m in _TOKENS.finditer(line, at, flat.end())]
        return Seq(items, number, at + 1), flat.end()
    seq = Seq([], number, at + 1)
    pos = at + 1
    while True:
        while pos < len(line) and line[pos] == " ":
            pos += 1
        if pos < len(line) and line[pos] == "[":
            item, pos = _flow(line, pos, number, depth + 1)
            seq.items.append(item)
        else:
            m = _FLOW_ITEM.match(line, pos)
            if m.group(1) is None:
                if not seq.items and line.startswith("]", m.end()):
                    return seq, m.end() + 1  # []
                raise _Outside
            seq.items.append(Scalar(m.group(1), False, number, m.start(1) + 1))
            pos = m.end()
        while pos < len(line) and line[pos] == " ":
            pos += 1
        if line.startswith("]", pos):
            return seq, pos + 1
        if not line.startswith(",", pos):
            raise _Outside
        pos += 1
