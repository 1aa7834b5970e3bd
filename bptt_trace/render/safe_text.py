"""Text from a file made safe for where it lands: the terminal, an XML (SVG) file and a CSV file.

Each medium has one function, applied at its boundary (the printer, the SVG and CSV writers);
LaTeX and Markdown escaping live with their writers in `texmath`. Nothing here changes text
that is already safe, and applying a function twice gives the same result as once.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

# Characters a terminal acts on or hides: line and paragraph separators, bidirectional
# controls, invisible marks that can disguise text. C0, DEL and C1 controls are handled apart.
_INVISIBLE = frozenset("\u2028\u2029\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c"
                       "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


# Also surrogates (never valid text), the private-use planes and the two non-characters of each plane's end.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(_INVISIBLE)) +
                     "\ud800-\uf8ff\ufffe\uffff\U000f0000-\U0010ffff]")


def is_unsafe(ch: str) -> bool:
    """True for a control character (C0, DEL, C1), a separator, a bidirectional or invisible mark."""
    return _UNSAFE.match(ch) is not None


def code(ch: str) -> str:
    """A character's visible escape: `\\n`, `\\x1b`, `\\u2028`, `\\U000e0001`."""
    o = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"


def visible(s: str) -> str:
    """Text for a terminal (stdout or stderr): every control character shown as its escape."""
    return _UNSAFE.sub(lambda m: code(m.group()), s)


def visible_lines(s: str) -> str:
    """As `visible`, keeping the line breaks of multi-line text."""
    return "\n".join(visible(line) for line in s.split("\n"))


def json_text(s: str) -> str:
    """JSON text with DEL escaped too (json escapes every other control character and all non-ASCII)."""
    return s.replace("\x7f", "\\u007f")


def xml_text(s: str) -> str:
    """Text for XML character data or an attribute: escaped, and every character XML 1.0 forbids
    (or a reader could mistake) shown as its escape."""
    safe = visible(s)
    return safe.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet cannot run as a formula: text starting with = + - @ tab CR LF gets a `'`.

    Numbers pass unchanged, so a count stays a number."""
    if isinstance(value, str) and value.startswith(CSV_TRIGGERS):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose rows have every text cell neutralised by `csv_cell`."""

    def __init__(self, out, **options: Any) -> None:
        import csv  # only for a gradebook: not on every command's start-up
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row, each cell neutralised."""
        return self._writer.writerow([csv_cell(c) for c in row])


def csv_writer(out, **options: Any) -> SafeCsvWriter:
    """A CSV writer for a gradebook: as `csv.writer`, with formula cells neutralised."""
    return SafeCsvWriter(out, **options)
