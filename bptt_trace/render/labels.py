"""Display labels for canonical names in a chosen notation, in the lecture's style.

`h[2]` -> `h_2`, `dL/dz[3]` -> `δz_3`, `W_hh^T dL/dz[4]` -> `W_hhᵀ·δz_4`; under the
wi-wh-wo notation `h[2]` -> `O_2` and `dL/dW_hh` -> `∂L/∂Wh`. A name that already carries a
subscript joins the index to it: `z_f[3]` -> `z_f,3`, `W_xh_fw` -> `W_xh,fw`.
"""

from __future__ import annotations

import re

from bptt_trace.record.names import split
from bptt_trace.scenario.notation import symbols

_DELTA = ("h", "z", "o")
_NOTE = re.compile(r"^(?P<base>\S+) \((?P<note>chain|loss \d+(?:, cut)?|full BPTT|cut off|clipped|output)\)$")
_SLOPE = re.compile(r"^d(?P<a>(?!L/|y_hat/)\w+)/d(?P<b>\w+)\[(?P<t>\d+)\]$")  # a gate's slope: df/dz_f[3]
_PARAMETER = re.compile(r"^(?:[WU]_\w+|b_\w+)$")
_SHOWN = {"c_tilde": "c̃", "h_tilde": "h̃"}
_PARTIAL = re.compile(r"^d(\w+)\[(\d+)\]/d(\w+)(?:\[(\d+)\])?$")  # dh[6]/dh[5], dh[5]/dW_hh


class Labels:
    """Turns canonical names into display labels under one notation."""

    def __init__(self, notation: str | dict[str, str] | None = None) -> None:
        self.sym = symbols(notation)
        self._known: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        """A display label for a canonical name or an expression of them."""
        label = self._known.get(name)
        if label is None:
            label = self._known[name] = self._label(name)
        return label

    def _label(self, name: str) -> str:
        partial = _PARTIAL.match(name)
        if partial:
            a, i, b, j = partial.groups()
            return f"∂{self.sym.get(a, a)}_{i}/∂{self.sym.get(b, b)}{'' if j is None else '_' + j}"
        note = _NOTE.match(name)
        if note:
            return f"{self(note['base'])} ({'chain rule' if note['note'] == 'chain' else note['note']})"
        if " " in name or "·" in name:  # a product named by its factors: `W_hh h[1]`, `W_hh·h[1]`
            return "·".join(self._factor(p) for p in name.replace("·", " ").split(" "))
        stem, index = split(name)
        if stem.endswith("_new"):
            return f"{self._stem(stem[:-4])} (new)"
        if index is None:
            return self._stem(stem)
        if stem == "dL/de":
            return f"∂L/∂e({index})"
        if stem == "dh/dz":
            return f"f′({self.sym['z']}_{index})"
        if stem == "tanh_c":
            return f"tanh(c_{index})"
        if stem == "1-u":
            return f"(1 − u_{index})"
        if stem == "rh":
            return f"r_{index}⊙{self.sym['h']}_{int(index) - 1}"
        if stem.startswith("dL/d") and _PARAMETER.match(stem[4:]):
            return f"{self._stem(stem)} (t={index.replace('..', '…')})"
        if stem.startswith("dL/d") and stem[4:] not in ("x", "y_hat"):
            inner = self(f"{stem[4:]}[{index}]")
            return f"δ({inner})" if "⊙" in inner else f"δ{inner}"
        slope = _SLOPE.match(name)
        if slope:
            a, b, t = slope.groups()
            return f"∂{self(f'{a}[{t}]')}/∂{self(f'{b}[{t}]')}"
        return _subscript(self._stem(stem), index)

    def _stem(self, stem: str) -> str:
        if stem in self.sym:
            return self.sym[stem]
        if stem in _SHOWN:
            return _SHOWN[stem]
        if stem == "learning_rate":
            return "η"
        if stem == "dy_hat/do":
            return f"∂ŷ/∂{self.sym['o']}"
        if stem.startswith("dL/d"):
            inner = stem[4:]
            if inner in _DELTA:
                return f"δ{self.sym[inner]}"
            if _PARAMETER.match(inner) or inner in ("x", "y_hat"):
                return f"∂L/∂{self._stem(inner)}"
            return f"δ{self._stem(inner)}"
        return _subscript(*stem.rsplit("_", 1)) if stem.count("_") > 1 else stem

    def _factor(self, part: str) -> str:
        if part.endswith("^T"):
            return self._stem(part[:-2]) + "ᵀ"
        return self(part)


def _subscript(base: str, index: str) -> str:
    """`h` and `3` -> `h_3`; `z_f` and `3` -> `z_f,3`: one subscript, indices joined by a comma."""
    return f"{base},{index}" if "_" in base else f"{base}_{index}"
