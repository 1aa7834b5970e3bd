"""Display labels for canonical names in a chosen notation, in the lecture's style.

`h[2]` -> `h_2`, `dL/dz[3]` -> `δz_3`, `W_hh^T dL/dz[4]` -> `W_hhᵀ·δz_4`; under the
wi-wh-wo notation `h[2]` -> `O_2` and `dL/dW_hh` -> `∂L/∂Wh`.
"""

from __future__ import annotations

import re

from bptt_trace.names import split
from bptt_trace.notation import symbols

_DELTA = ("h", "z", "o")
_NOTE = re.compile(r"^(?P<base>\S+) \((?P<note>chain|loss \d+(?:, cut)?|full BPTT|cut off|clipped)\)$")
_PARTIAL = re.compile(r"^d(\w+)\[(\d+)\]/d(\w+)(?:\[(\d+)\])?$")  # dh[6]/dh[5], dh[5]/dW_hh


class Labels:
    """Turns canonical names into display labels under one notation."""

    def __init__(self, notation: str | dict[str, str] | None = None) -> None:
        self.sym = symbols(notation)

    def __call__(self, name: str) -> str:
        """A display label for a canonical name or an expression of them."""
        partial = _PARTIAL.match(name)
        if partial:
            a, i, b, j = partial.groups()
            return f"∂{self.sym.get(a, a)}_{i}/∂{self.sym.get(b, b)}{'' if j is None else '_' + j}"
        note = _NOTE.match(name)
        if note:
            return f"{self(note['base'])} ({'chain rule' if note['note'] == 'chain' else note['note']})"
        if " " in name:
            return "·".join(self._factor(p) for p in name.split(" "))
        stem, index = split(name)
        if stem.endswith("_new"):
            return f"{self.sym.get(stem[:-4], stem[:-4])} (new)"
        if index is None:
            return self._stem(stem)
        if stem == "dL/de":
            return f"∂L/∂e({index})"
        if stem == "dh/dz":
            return f"f′({self.sym['z']}_{index})"
        if stem.startswith("dL/d") and stem[4:] in self.sym and stem[4:] not in _DELTA + ("y_hat", "x"):
            return f"{self._stem(stem)} (t={index.replace('..', '…')})"
        return f"{self._stem(stem)}_{index}"

    def _stem(self, stem: str) -> str:
        if stem in self.sym:
            return self.sym[stem]
        if stem == "learning_rate":
            return "η"
        if stem == "dy_hat/do":
            return f"∂ŷ/∂{self.sym['o']}"
        if stem.startswith("dL/d"):
            inner = stem[4:]
            return f"δ{self.sym[inner]}" if inner in _DELTA else f"∂L/∂{self.sym.get(inner, inner)}"
        return stem

    def _factor(self, part: str) -> str:
        if part.endswith("^T"):
            return self.sym.get(part[:-2], part[:-2]) + "ᵀ"
        return self(part)
