"""Writing a JSON document piece by piece: members made on demand, each leaf by the C encoder.

`stream(out, doc, indent)` writes what `json.dumps(doc, indent=indent, allow_nan=False)` would
(compact, `(",", ":")`, when `indent` is None), where `doc` may hold `Lazy` members whose items
are made only as they are written, so that a document far larger than memory can be written.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterator, TextIO

from bptt_trace.render.safe_text import json_text

_COMPACT = json.JSONEncoder(separators=(",", ":"), allow_nan=False)  # indent None: the C encoder
_FLUSH = 1 << 20  # characters gathered before each write


class Lazy:
    """A JSON object whose (key, value) items are made by `items()` when it is written."""

    def __init__(self, items: Callable[[], Iterator[tuple[str, Any]]]) -> None:
        self.items = items


class NameFilter:
    """`--only`: comma-separated canonical names in which `*` stands for any characters (`h[*],dL/dW_*`)."""

    def __init__(self, patterns: str | None) -> None:
        self.patterns = [p.strip() for p in patterns.split(",") if p.strip()] if patterns else []
        self._regex = re.compile("|".join(f"(?:{re.escape(p).replace(chr(92) + '*', '.*')})" for p in self.patterns))

    def __call__(self, name: str) -> bool:
        """Whether `name` is kept: every name when no pattern was given."""
        return not self.patterns or self._regex.fullmatch(name) is not None

    def unmatched(self, names: list[str]) -> list[str]:
        """The patterns that keep none of `names`."""
        return [p for p in self.patterns if not any(NameFilter(p)(n) for n in names)]


def stream(out: TextIO, doc: Any, indent: int | None = None) -> None:
    """Write `doc` as JSON text to `out`, ending in a newline."""
    writer = _Writer(out)
    _emit(writer, doc, indent, 0)
    writer.write("\n")
    writer.flush()


class _Writer:
    """Gathers small strings and writes them in large pieces."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.parts, self.size = out, [], 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= _FLUSH:
            self.flush()

    def flush(self) -> None:
        self.out.write(json_text("".join(self.parts)))
        self.parts, self.size = [], 0


def _emit(w: _Writer, obj: Any, indent: int | None, level: int) -> None:
    """One value at nesting `level`: objects and lists of objects member by member, anything else at once."""
    if isinstance(obj, (dict, Lazy)):
        _members(w, ((json.dumps(k), v) for k, v in obj.items()), "{", "}", indent, level, ":" if indent is None else ": ")
    elif isinstance(obj, list) and any(isinstance(v, (dict, Lazy)) for v in obj):
        _members(w, (("", v) for v in obj), "[", "]", indent, level, "")
    elif indent is None:
        w.write(_COMPACT.encode(obj))
    else:
        w.write(json.dumps(obj, indent=indent, allow_nan=False).replace("\n", "\n" + " " * (indent * level)))


def _members(w: _Writer, items: Iterator[tuple[str, Any]], opening: str, closing: str, indent: int | None,
             level: int, colon: str) -> None:
    """The members of an object (`"key": value`) or list (`value`), laid out as json.dumps lays them out."""
    inner = "" if indent is None else "\n" + " " * (indent * (level + 1))
    first = True
    for key, value in items:
        w.write((opening if first else ",") + inner + (key + colon if key else ""))
        _emit(w, value, indent, level + 1)
        first = False
    if first:
        w.write(opening + closing)
    else:
        w.write(("" if indent is None else "\n" + " " * (indent * level)) + closing)
