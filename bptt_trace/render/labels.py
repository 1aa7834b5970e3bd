"""Display labels for canonical names, in the lecture's style (`h[2]` -> `h_2`, `dL/dz[3]` -> `δz_3`)."""

from __future__ import annotations

import re

from bptt_trace.names import split

_DELTAS = {"dL/dh": "δh", "dL/dz": "δz", "dL/do": "δo"}
_STEMS = {"y_hat": "ŷ", "dL/dy_hat": "∂L/∂ŷ", "dy_hat/do": "∂ŷ/∂o", "dh/dz": "f′(z)",
          "learning_rate": "η"}


def label(name: str) -> str:
    """A display label for a canonical name or an expression of them."""
    if " " in name:
        return _expression(name)
    stem, index = split(name)
    if stem.endswith("_new"):
        return f"{stem[:-4]} (new)"
    if stem in _DELTAS:
        return f"{_DELTAS[stem]}_{index}" if index is not None else _DELTAS[stem]
    if stem == "dh/dz" and index is not None:
        return f"f′(z_{index})"
    shown = _STEMS.get(stem, stem.replace("dL/d", "∂L/∂"))
    if index is None:
        return shown
    if stem == "dL/de":
        return f"∂L/∂e({index})"
    if ".." in index or stem.startswith("dL/dW") or stem.startswith("dL/db"):
        return f"{shown} (t={index.replace('..', '…')})"
    if stem == "loss":
        return f"loss_{index}"
    return f"{shown}_{index}"


def _expression(name: str) -> str:
    if name.endswith(" (chain)"):
        return label(name[: -len(" (chain)")]) + " (chain rule)"
    parts = name.split(" ")
    return "·".join(re.sub(r"\^T$", "ᵀ", p) if p.startswith("W_") else label(p) for p in parts)
