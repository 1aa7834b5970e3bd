"""A fast reader for the plain YAML of scenario files, building the same located tree as `yaml_tree`.

It widens the answers-file subset of `yaml_fast` by what scenarios are written with: block lists
(`- text: ...` items that are mappings, scalars or flow lists), flow lists of numbers running over
several lines (`W_xh: [[0.2, 0.4],` then `[0.1, 0.3]]`), and folded or literal text (`>-`, `>`,
`|`, `|-`) of evenly indented lines. Anything else (tags, anchors, flow mappings, quoted text with
escapes, blank lines inside text, duplicate keys, odd characters, deep nesting ...) makes it answer
None, and `parse_scenario_text` falls back to the full located parser, so every error message stays
as it is. Nothing is evaluated; scalars keep their text as written.
"""

from __future__ import annotations

import re
from pathlib import Path

from bptt_trace.scenario.yaml_fast import _FLAT, _KEY, _ODD, _TOKENS, _VALUE, MAX_KEY, _blank_tail, _Outside
from bptt_trace.scenario.yaml_tree import MAX_FILE_BYTES, Map, Node, Scalar, Seq, parse_yaml, read_text

MAX_BLOCKS = 12  # nested block mappings and lists; deeper ones go to the full parser
MAX_FLOW = 4  # nested flow lists
_INDICATOR = re.compile(r"([>|])(-?)(?= |\Z)")
_FLAT_TEXT = _FLAT.pattern
_NESTED = re.compile(rf"\[ *(?:{_FLAT_TEXT} *, *)*{_FLAT_TEXT} *\]")  # a matrix of numbers on one line, read in one go
_ROW = re.compile(r"\[[^\[\]]*\]")
_FLOW_ITEM = re.compile(r" *(-?[A-Za-z0-9_][A-Za-z0-9_./+\-]*|~)? *")  # a number, a fraction, a plain word
_FLOW_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?= )")


def read_scenario_yaml(path: str | Path) -> Node:
    """`yaml_tree.read_yaml` for a scenario file, by the fast reader where the file lies in its subset."""
    return parse_scenario_text(read_text(path), str(path))


def parse_scenario_text(text: str, name: str) -> Node:
    """`yaml_tree.parse_yaml`, by the fast reader where the text lies in its subset: the same tree or error."""
    small = len(text) <= MAX_FILE_BYTES // 4 or len(text.encode("utf-8")) <= MAX_FILE_BYTES
    tree = parse_blocks(text) if small else None
    return tree if tree is not None else parse_yaml(text, name)


def parse_blocks(text: str) -> Map | None:
    """The located tree of `text` when it lies in the subset, else None."""
    if _ODD.search(text):
        return None
    try:
        return _Blocks(text.split("\n")).document()
    except (_Outside, RecursionError):
        return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _Blocks:
    """Recursive descent over the lines: a block node is a mapping or a list at one indentation."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.i = 0  # the next line to read
        self.depth = 0

    def next_content(self) -> int | None:
        """The index of the next line that is not blank or a comment (from `self.i`), or None at the end."""
        lines, i = self.lines, self.i
        while i < len(lines):
            body = lines[i].lstrip(" ")
            if body and body[0] != "#":
                self.i = i
                return i
            i += 1
        self.i = i
        return None

    def document(self) -> Map:
        i = self.next_content()
        if i is None or _indent(self.lines[i]) or self.lines[i].startswith("-"):
            raise _Outside
        root = self.mapping(0)
        if self.next_content() is not None:
            raise _Outside  # something less indented than the root: the full parser decides
        return root

    def block(self, parent: int) -> Node:
        """The block node starting at the next content line, indented more than `parent` (or a list at it)."""
        i = self.next_content()
        if i is None:
            raise _Outside  # an empty value
        line = self.lines[i]
        ind = _indent(line)
        if line.startswith("-", ind) and line[ind + 1:ind + 2] in (" ", ""):
            if ind < parent:
                raise _Outside
            return self.sequence(ind)
        if ind <= parent:
            raise _Outside
        return self.mapping(ind)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_BLOCKS:
            raise _Outside

    def mapping(self, ind: int, first_at: int | None = None) -> Map:
        """A block mapping whose keys stand at column `ind` (the first at `first_at` on a list item's line)."""
        self.enter()
        node: Map | None = None
        while True:
            i = self.next_content()
            if i is None:
                break
            line = self.lines[i]
            here = _indent(line) if first_at is None else ind
            if here < ind:
                break
            if here > ind:
                raise _Outside  # a plain scalar running on, or a stray indentation: the full parser
            if line.startswith("-", here) and line[here + 1:here + 2] in (" ", ""):
                if node is None:
                    raise _Outside
                break  # a list item: the end of this mapping (the parent decides)
            m = _KEY.match(line, here)
            first_at = None
            if m is None:
                raise _Outside
            key = next(g for g in m.groups()[1:] if g is not None)
            if len(key) > MAX_KEY:
                raise _Outside
            if node is None:
                node = Map({}, i + 1, ind + 1, {})
            elif key in node.items:
                raise _Outside  # the full parser names the duplicate
            node.key_lines[key] = (i + 1, ind + 1)
            node.items[key] = self.value(i, m.end(), ind)
        self.depth -= 1
        if node is None:
            raise _Outside
        return node

    def sequence(self, ind: int) -> Seq:
        """A block list whose dashes stand at column `ind`."""
        self.enter()
        node: Seq | None = None
        while True:
            i = self.next_content()
            if i is None:
                break
            line = self.lines[i]
            here = _indent(line)
            if here < ind or here == ind and not (line.startswith("-", here) and line[here + 1:here + 2] in (" ", "")):
                break
            if here > ind:
                raise _Outside
            if node is None:
                node = Seq([], i + 1, ind + 1)
            node.items.append(self.item(i, ind))
        self.depth -= 1
        assert node is not None
        return node

    def item(self, i: int, ind: int) -> Node:
        """One list item after its dash: a mapping begun on the dash's line, a flow list or a scalar."""
        line = self.lines[i]
        at = ind + 1
        while at < len(line) and line[at] == " ":
            at += 1
        if at == ind + 1 or at >= len(line) or line[at] == "#" or line.startswith("-", at) and line[at + 1:at + 2] in " ":
            raise _Outside  # `-x`, an empty item, a nested list on one line, a comment: the full parser
        m = _KEY.match(line, at)
        if m is not None and not m.group(1):
            return self.mapping(at, at)
        return self.value(i, at - 1, ind)

    def value(self, i: int, at: int, ind: int) -> Node:
        """The value after `key:` (or a dash) at line i, column `at`; `ind` is its key's indentation."""
        line = self.lines[i]
        if _blank_tail(line, at):
            self.i = i + 1
            return self.block(ind)
        if at < len(line) and line[at] != " ":
            raise _Outside
        at += 1
        while at < len(line) and line[at] == " ":
            at += 1
        indicator = _INDICATOR.match(line, at)
        if indicator is not None:
            if not _blank_tail(line, indicator.end()):
                raise _Outside
            return self.text_block(i, at, ind, indicator.group(1), indicator.group(2))
        if line.startswith("[", at):
            node, (i, end) = _Flow(self.lines, ind).read(i, at)
        elif line.startswith("{", at):
            node, (i, end) = _Flow(self.lines, ind).mapping(i, at)
        else:
            m = _VALUE.match(line, at)
            if m is None:
                raise _Outside
            quoted = m.group(1) is None
            node, end = Scalar(m.group(2) if quoted else m.group(1), quoted, i + 1, at + 1), m.end()
        line = self.lines[i]
        if end < len(line) and (line[end] != " " or not _blank_tail(line, end)):
            raise _Outside
        self.i = i + 1
        return node

    def text_block(self, i: int, at: int, ind: int, style: str, chomp: str) -> Scalar:
        """Folded (`>`) or literal (`|`) text of evenly indented lines, clipped or stripped (`-`) of its end."""
        lines, j, body = self.lines, i + 1, []
        width = None
        while j < len(lines) and lines[j].strip(" "):
            line = lines[j]
            here = _indent(line)
            if here <= ind:
                break
            if width is None:
                width = here
            if here != width or line.endswith(" ") or line[here] == "#":
                raise _Outside  # more-indented lines, trailing spaces, comment-like text: the full parser
            body.append(line[here:])
            j += 1
        k = j
        while k < len(lines) and not lines[k]:
            k += 1
        if not body or k < len(lines) and (not lines[k].strip(" ") or _indent(lines[k]) > ind):
            raise _Outside  # empty text, a blank line inside it, or spaces on a line of their own
        text = (" " if style == ">" else "\n").join(body)
        if not chomp and j - 1 < len(lines) - 1:
            text += "\n"
        self.i = j
        return Scalar(text, True, i + 1, at + 1)


class _Flow:
    """Flow lists of numbers (and `~`), over one line or several indented more than their key."""

    def __init__(self, lines: list[str], ind: int) -> None:
        self.lines = lines
        self.ind = ind

    def read(self, i: int, at: int, depth: int = 1) -> tuple[Seq, tuple[int, int]]:
        """The list opening at line i, column `at`, and the (line, column) just after its `]`."""
        if depth > MAX_FLOW:
            raise _Outside
        line = self.lines[i]
        flat = _FLAT.match(line, at)
        if flat is not None:
            items = [Scalar(m.group(), False, i + 1, m.start() + 1) for m in _TOKENS.finditer(line, at, flat.end())]
            return Seq(items, i + 1, at + 1), (i, flat.end())
        nested = _NESTED.match(line, at) if depth == 1 else None
        if nested is not None:
            return _matrix(line, at, nested.end(), i + 1), (i, nested.end())
        seq = Seq([], i + 1, at + 1)
        i, pos = self.skip(i, at + 1)
        while True:
            item, (i, pos) = self.item(i, pos, depth)
            if item is None:
                if not seq.items and self.lines[i].startswith("]", pos):
                    return seq, (i, pos + 1)  # []
                raise _Outside
            seq.items.append(item)
            i, pos = self.skip(i, pos)
            line = self.lines[i]
            if line.startswith("]", pos):
                return seq, (i, pos + 1)
            if not line.startswith(",", pos):
                raise _Outside
            i, pos = self.skip(i, pos + 1)
            if self.lines[i].startswith("]", pos):
                raise _Outside  # a trailing comma

    def item(self, i: int, pos: int, depth: int) -> tuple[Node | None, tuple[int, int]]:
        """A list's item at (line i, pos): a list, a mapping, a scalar, or None where there is none."""
        line = self.lines[i]
        if line.startswith("[", pos):
            return self.read(i, pos, depth + 1)
        if line.startswith("{", pos):
            return self.mapping(i, pos, depth + 1)
        m = _FLOW_ITEM.match(line, pos)
        if m.group(1) is None:
            return None, (i, m.end())
        return Scalar(m.group(1), False, i + 1, m.start(1) + 1), (i, m.end())

    def mapping(self, i: int, at: int, depth: int = 1) -> tuple[Map, tuple[int, int]]:
        """A flow mapping `{size: 3, activation: tanh}` of plain keys, and the (line, column) after its `}`."""
        if depth > MAX_FLOW:
            raise _Outside
        node = Map({}, i + 1, at + 1, {})
        i, pos = self.skip(i, at + 1)
        while True:
            line = self.lines[i]
            key = _FLOW_KEY.match(line, pos)
            if key is None or key.group(1) in node.items:
                raise _Outside
            node.key_lines[key.group(1)] = (i + 1, pos + 1)
            i, pos = self.skip(i, key.end())
            value, (i, pos) = self.item(i, pos, depth)
            if value is None:
                raise _Outside
            node.items[key.group(1)] = value
            i, pos = self.skip(i, pos)
            line = self.lines[i]
            if line.startswith("}", pos):
                return node, (i, pos + 1)
            if not line.startswith(",", pos):
                raise _Outside
            i, pos = self.skip(i, pos + 1)

    def skip(self, i: int, pos: int) -> tuple[int, int]:
        """Past spaces, and past the end of a line to the next one, which must be indented more than the key."""
        lines = self.lines
        while True:
            line = lines[i]
            while pos < len(line) and line[pos] == " ":
                pos += 1
            if pos < len(line):
                return i, pos
            i += 1
            if i >= len(lines):
                raise _Outside
            nxt = lines[i]
            pos = _indent(nxt)
            if pos <= self.ind or pos >= len(nxt) or nxt[pos] == "#":
                raise _Outside


def _matrix(line: str, at: int, end: int, number: int) -> Seq:
    """A list of flat lists of numbers on line `number`, between columns `at` and `end`, by one scan per row."""
    new = tuple.__new__  # the NamedTuples built directly: this is most of a long input's reading
    rows = [new(Seq, ([new(Scalar, (m.group(), False, number, m.start() + 1)) for m in _TOKENS.finditer(line, *r.span())],
                      number, r.start() + 1)) for r in _ROW.finditer(line, at + 1, end - 1)]
    return Seq(rows, number, at + 1)
