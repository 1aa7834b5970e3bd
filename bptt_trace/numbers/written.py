"""Exact parsing of the numbers written in scenario and answer files: integers, decimals, fractions.

Never eval: a regular expression picks the form, and length and exponent are bounded first,
since `Fraction("1e10000000")` alone takes seconds.
"""

from __future__ import annotations

import re
from fractions import Fraction

MAX_NUMBER_CHARS = 60
MAX_EXPONENT = 300

_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
DECIMAL_RE = re.compile(rf"^{_DECIMAL}$", re.ASCII)  # ASCII: `\d` would also take `٣`, which Fraction reads as 3
FRACTION_RE = re.compile(rf"^({_DECIMAL})\s*/\s*({_DECIMAL})$", re.ASCII)
_PLAIN = re.compile(r"(-?)([0-9]{1,29})(?:\.([0-9]{1,29}))?", re.ASCII)  # 0.25, -3: read without Fraction's parser
_KNOWN: dict[str, Fraction] = {}  # numbers read, by their text: a long input repeats its few values
_KNOWN_MAX = 100_000


def parse_number(text: str) -> Fraction:
    """Parse `3`, `-0.25`, `1e-3` or `1/3` exactly; raise ValueError saying what was expected."""
    known = _KNOWN.get(text)
    if known is not None:
        return known
    plain = _PLAIN.fullmatch(text)
    if plain is not None:
        sign, whole, part = plain.groups()
        value = Fraction(int(sign + whole + (part or "")), 10 ** len(part or ""))
    else:
        value = _parse_number(text)
    if len(_KNOWN) >= _KNOWN_MAX:
        _KNOWN.clear()
    _KNOWN[text] = value
    return value


def _parse_number(text: str) -> Fraction:
    """`parse_number` by the general forms."""
    s = text.strip()
    if len(s) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of at most {MAX_NUMBER_CHARS} characters, got {len(s)}")
    match = FRACTION_RE.match(s)
    if match:
        numerator, denominator = (_decimal(part) for part in match.groups())
        if denominator == 0:
            raise ValueError("a fraction with a non-zero denominator")
        return numerator / denominator
    if DECIMAL_RE.match(s):
        return _decimal(s)
    raise ValueError(f"a number (such as 0.25, -3, 1e-3 or 1/3), got '{text}'")


def _decimal(s: str) -> Fraction:
    exponent = re.search(r"[eE]([+-]?\d+)$", s)
    if exponent and abs(int(exponent.group(1))) > MAX_EXPONENT:
        raise ValueError(f"an exponent between -{MAX_EXPONENT} and {MAX_EXPONENT}, got '{s}'")
    return Fraction(s)


def check_number(text: str) -> str:
    """The number's text if it is one of the accepted forms (bounded as parse_number), else ValueError.

    Cheaper than parse_number when the value is converted later (`Float64.from_text`).
    """
    s = text.strip()
    if len(s) > MAX_NUMBER_CHARS or "/" in s:
        parse_number(s)
        return s
    if not DECIMAL_RE.match(s):
        raise ValueError(f"a number (such as 0.25, -3, 1e-3 or 1/3), got '{text}'")
    exponent = re.search(r"[eE]([+-]?\d+)$", s)
    if exponent and abs(int(exponent.group(1))) > MAX_EXPONENT:
        raise ValueError(f"an exponent between -{MAX_EXPONENT} and {MAX_EXPONENT}, got '{s}'")
    return s
