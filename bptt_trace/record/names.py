"""Canonical quantity names (listed in the README): how to split one, and which are reported."""

from __future__ import annotations

import re

_INDEXED = re.compile(r"^(?P<stem>[^\[\]]+)\[(?P<index>[^\[\]]+)\]$")


def split(name: str) -> tuple[str, str | None]:
    """`h[2]` -> (`h`, `2`); `loss` -> (`loss`, None)."""
    m = _INDEXED.match(name)
    return (m["stem"], m["index"]) if m else (name, None)


def is_reported(name: str) -> bool:
    """Whether a recorded name is a quantity for JSON and answers (not a bare intermediate product, nor a
    partial result such as `W_hh·h[1]`, which answers may give but the JSON does not list)."""
    return " " not in name and "·" not in name and not name.endswith("_new") and name != "learning_rate"


def is_partial(name: str) -> bool:
    """A partial result a student writes down and may answer: a matrix-vector product `W_hh·h[1]`."""
    return "·" in name and " " not in name
