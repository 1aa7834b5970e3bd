"""Answers given from Python (a dict shaped as an answers file) written as the YAML text the answers
reader parses, so that a dict and a file are checked by the same code with the same messages."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

from bptt_trace.numbers.written import check_number


def answers_yaml(answers: dict) -> str:
    """YAML flow text for a dict of answers: numbers written as Python shows them (`0.31`), strings that
    are numbers as written (`"0.310"` keeps its three decimals), None as a blank `~`."""
    if not isinstance(answers, dict):
        raise TypeError(f"answers: expected a dict, got {type(answers).__name__}")
    return _flow(answers) + "\n"


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()  # numpy arrays and numpy scalars
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None:
        return "~"
    if isinstance(value, bool):
        return json.dumps(str(value).lower())  # quoted: the reader reports it as text, not a number
    if isinstance(value, (int, float, Fraction, Decimal)):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    if text.strip() in ("~", ""):
        return "~"
    try:
        return check_number(text)
    except ValueError:
        return json.dumps(text)
