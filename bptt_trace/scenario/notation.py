"""The notations courses write an RNN in: which display symbol stands for each canonical one.

Canonical names stay the same everywhere (JSON, answers); a notation only changes what is shown.
"""

from __future__ import annotations

SYMBOLS = ("W_xh", "W_hh", "W_hy", "b_h", "b_y", "x", "h", "z", "o", "y_hat", "y")
PARAMETERS = ("W_xh", "W_hh", "W_hy", "b_h", "b_y")
RNN_ONLY = ("W_xh", "W_hh", "b_h", "z")  # other networks have parameters and pre-activations of their own
PRESETS: dict[str, dict[str, str]] = {
    "default": {},
    # The lecture's Wi/Wh/Wo, with O_t for the hidden state.
    "wi-wh-wo": {"W_xh": "Wi", "W_hh": "Wh", "W_hy": "Wo", "b_h": "b", "b_y": "b_o", "h": "O", "z": "s", "o": "v"},
    # Goodfellow et al.: a = b + W h + U x, h = tanh(a), o = c + V h.
    "uvw": {"W_xh": "U", "W_hh": "W", "W_hy": "V", "b_h": "b", "b_y": "c", "z": "a"},
}
_BASE = {"y_hat": "ŷ"}


def symbols(spec: str | dict[str, str] | None) -> dict[str, str]:
    """The display symbol of every canonical symbol under a preset name or a mapping."""
    chosen = PRESETS[spec] if isinstance(spec, str) else (spec or {})
    return {s: chosen.get(s, _BASE.get(s, s)) for s in SYMBOLS}


def parameter_aliases(spec: str | dict[str, str] | None) -> dict[str, str]:
    """Display name -> canonical name for the parameters, so a scenario may use its notation's names."""
    shown = symbols(spec)
    return {shown[p]: p for p in PARAMETERS if shown[p] != p}


SYMBOL_PREFIXES = ("s", "q", "w", "k")  # for exact mode's named sub-expressions


def free_prefix(spec: str | dict[str, str] | None) -> str:
    """A letter for exact mode's named symbols that the notation does not show for a quantity."""
    taken = {v.split("_")[0] for v in symbols(spec).values()}
    return next(p for p in SYMBOL_PREFIXES if p not in taken)


def notation_name(name: str, spec: str | dict[str, str] | None) -> str:
    """A canonical quantity name in the notation's symbols, as an answers file may write it:
    `h[2]` -> `O[2]`, `dL/dW_hh` -> `dL/dWh`, `W_hh_new` -> `Wh_new`, `dh/dz[3]` -> `dO/ds[3]`."""
    shown = {k: v for k, v in symbols(spec).items() if k not in _BASE}
    stem, bracket, index = name.partition("[")
    if stem.endswith("_new") and stem[:-4] in shown:
        stem = shown[stem[:-4]] + "_new"
    elif stem.startswith("dL/d") and stem[4:] in shown:
        stem = "dL/d" + shown[stem[4:]]
    elif stem == "dh/dz":
        stem = f"d{shown['h']}/d{shown['z']}"
    elif stem == "dy_hat/do":
        stem = f"dy_hat/d{shown['o']}"
    else:
        stem = shown.get(stem, stem)
    return stem + bracket + index
