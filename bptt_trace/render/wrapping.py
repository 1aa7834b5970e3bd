"""`textwrap.wrap` of the terminal writer's long lines, the same lines found a line at a time.

textwrap splits a text into word and space chunks and fills lines chunk by chunk in Python; a long
`--full` trace wraps tens of thousands of lines of products that way. For the common text (words
separated by plain spaces, every word and run of spaces shorter than a line) the greedy fill of
chunks ends each line at the last word or space boundary that fits, which string searches find.
Anything else (a word longer than its line, found when a line would start with it) goes to textwrap itself.
"""

from __future__ import annotations

import re

_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace but the plain space: tabs, newlines, no-break spaces …


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """`textwrap.wrap(text, width, initial_indent=…, subsequent_indent=…, break_on_hyphens=False)`."""
    fast = _fast(text, width, initial_indent, subsequent_indent)
    if fast is not None:
        return fast
    import textwrap
    return textwrap.wrap(text, width, initial_indent=initial_indent, subsequent_indent=subsequent_indent,
                         break_on_hyphens=False)


def _fast(text: str, width: int, first: str, later: str) -> list[str] | None:
    """The lines textwrap makes, or None for a text outside the common case."""
    room = width - max(len(first), len(later))
    if not text or room < 1 or text[0] == " " or _OTHER_SPACE.search(text) or " " * (room + 1) in text:
        return None
    lines: list[str] = []
    pos, n = 0, len(text)
    while pos < n:
        if lines and text[pos] == " ":  # the spaces a line would start with are dropped
            while pos < n and text[pos] == " ":
                pos += 1
            if pos == n:
                break
        indent = later if lines else first
        end = _end(text, pos, pos + width - len(indent), n)
        if end <= pos:  # a word longer than its line: textwrap breaks it
            return None
        lines.append(indent + text[pos:end].rstrip(" "))
        pos = end
    return lines


def _end(text: str, pos: int, q: int, n: int) -> int:
    """Where the line from `pos` ends: at the last boundary of a word or a run of spaces at most `q`."""
    if q >= n:
        return n
    if (text[q] == " ") != (text[q - 1] == " "):
        return q
    if text[q] != " ":  # inside a word: it starts the next line
        return text.rfind(" ", pos, q) + 1
    while text[q - 1] == " ":  # inside a run of spaces: the line ends before it
        q -= 1
    return q
