"""Safe YAML reading into a located tree: every node keeps its line:column; nothing is constructed.

The tree is built from ruamel.yaml's parse events, so anchors, aliases, tags, duplicate keys
and runaway nesting are refused before any data exists, and scalars keep the text as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Union

from bptt_trace.errors import InputError

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32


class Scalar(NamedTuple):
    """A scalar as written: its text, whether it was quoted, and where it stands (1-based)."""

    text: str
    quoted: bool
    line: int
    column: int


class Seq(NamedTuple):
    """A YAML sequence with its position."""

    items: list["Node"]
    line: int
    column: int


class Map(NamedTuple):
    """A YAML mapping with string keys, in file order, with the position of each key."""

    items: dict[str, "Node"]
    line: int
    column: int
    key_lines: dict[str, tuple[int, int]]


Node = Union[Scalar, Seq, Map]


def read_yaml(path: str | Path) -> Node:
    """Read and parse a YAML file into a located tree, or raise InputError naming the file."""
    return parse_yaml(read_text(path), str(path))


def read_text(path: str | Path) -> str:
    """A YAML file's text (bounded, UTF-8), or InputError naming the file."""
    name = str(path)
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(name, f"file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes")
        text = read_bounded(p, name).decode("utf-8")
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except IsADirectoryError:
        raise InputError(name, "is a directory, expected a YAML file") from None
    except UnicodeDecodeError:
        raise InputError(name, "is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror})") from None
    return text


def read_bounded(path: Path, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, reading no more than `limit` + 1 whatever its size claims (/dev/zero, a pipe)."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise InputError(name, f"file is over the limit of {limit} bytes (reading stopped there)")
    return data


def parse_yaml(text: str, name: str, pure: bool = False) -> Node:
    """Parse YAML text into a located tree; `name` is used in error messages.

    ruamel.yaml.clib's C parser is used when installed (15x faster); `pure` forces the Python one.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise InputError(name, f"text is over the limit of {MAX_FILE_BYTES} bytes")
    builder = _Builder(name)
    try:
        for event in YAML(typ="safe", pure=pure).parse(text):
            builder.feed(event)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(name, f"invalid YAML: {problem}",
                         line=mark.line + 1 if mark else None,
                         column=mark.column + 1 if mark else None) from None
    except YAMLError as exc:
        raise InputError(name, f"invalid YAML: {exc}") from None
    if builder.root is None:
        raise InputError(name, "the file is empty; expected a YAML mapping")
    return builder.root


class _Builder:
    """Turns parse events into Scalar/Seq/Map nodes, refusing what a scenario never needs."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.root: Node | None = None
        self.documents = 0
        self.stack: list[list] = []  # frames: [node, pending_key or None, key path]

    def _fail(self, event, message: str, path: str = "") -> None:
        raise InputError(self.name, message, path, line=event.start_mark.line + 1,
                         column=event.start_mark.column + 1)

    def _child_path(self) -> str:
        """The key path of the node about to be added (`parameters.W_hh[2]`)."""
        if not self.stack:
            return ""
        parent, key, path = self.stack[-1]
        if isinstance(parent, Seq):
            return f"{path}[{len(parent.items)}]"
        if key is None:  # a container used as a key; _add refuses it
            return path
        return f"{path}.{key.text}" if path else key.text

    def feed(self, event) -> None:
        from ruamel.yaml.events import ScalarEvent
        if type(event) is ScalarEvent and not event.anchor and event.tag is None:  # the common case, quickly
            mark = event.start_mark
            # Plain scalars have style None (pure parser) or "" (C parser); anything else was quoted or a block.
            self._add(event, Scalar(event.value, bool(event.style), mark.line + 1, mark.column + 1))
            return
        kind = type(event).__name__
        if kind == "DocumentStartEvent":
            self.documents += 1
            if self.documents > 1:
                self._fail(event, "a second YAML document ('---'); expected exactly one")
            return
        if kind in ("StreamStartEvent", "StreamEndEvent", "DocumentEndEvent"):
            return
        if kind == "AliasEvent" or getattr(event, "anchor", None):
            self._fail(event, "YAML anchors and aliases (&, *) are not allowed in bptt-trace files")
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in ("!", "None"):
            self._fail(event, f"YAML tag {tag} is not allowed; write plain values")
        line, col = event.start_mark.line + 1, event.start_mark.column + 1
        if kind == "ScalarEvent":
            self._add(event, Scalar(event.value, bool(event.style), line, col))
        elif kind in ("SequenceStartEvent", "MappingStartEvent"):
            if len(self.stack) >= MAX_DEPTH:
                self._fail(event, f"nesting deeper than {MAX_DEPTH} levels")
            node = Seq([], line, col) if kind == "SequenceStartEvent" else Map({}, line, col, {})
            path = self._child_path()
            self._add(event, node)
            self.stack.append([node, None, path])
        elif kind in ("SequenceEndEvent", "MappingEndEvent"):
            self.stack.pop()

    def _add(self, event, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        parent = frame[0]
        if isinstance(parent, Seq):
            parent.items.append(node)
        elif frame[1] is None:
            if not isinstance(node, Scalar):
                self._fail(event, "a mapping key must be a plain word, not a list or mapping")
            if node.text in parent.items:
                first = parent.key_lines[node.text][0]
                where = f"{frame[2]}.{node.text}" if frame[2] else node.text
                self._fail(event, f"duplicate key '{node.text}' (first given on line {first})", where)
            frame[1] = node
        else:
            key = frame[1]
            parent.items[key.text] = node
            parent.key_lines[key.text] = (key.line, key.column)
            frame[1] = None
