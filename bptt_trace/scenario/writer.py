"""Writing a scenario back out as YAML (with new parameters), so a student can continue training.

Numbers are written so that reading them back gives the same values exactly: floats as their
shortest round-trip decimal, exact rationals as `n/d` when no short decimal is exact.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from bptt_trace.scenario.spec import GATES, Scenario


def dump_scenario(sc: Scenario, parameters: dict[str, Any] | None = None, note: str = "") -> str:
    """The scenario as YAML, with `parameters` (arrays or nested lists) in place of its own."""
    m = sc.model
    params = {p: _tolist(parameters[p]) if parameters else sc.parameters[p] for p in sc.parameter_names}
    lines = [yaml_comment(note)] if note else []
    lines += [f"name: {_text(sc.name)}"] + ([f"description: {_text(sc.description)}"] if sc.description else [])
    lines += ["model:", f"  cell: {m.cell}"] + ([] if m.cell in GATES else [f"  activation: {m.activation}"])
    lines += [f"  output: {m.output}", f"  loss: {m.loss}"]
    if m.cell == "mlp":
        lines += ["  layers:"] + [f"    - {{size: {n}, activation: {fn}}}" for n, fn in m.layers]
    else:
        lines += [f"  hidden_size: {m.hidden_size}", f"  outputs_at: {m.outputs_at}"]
        lines += [f"  loss_at: {m.loss_at}"] if m.loss_at else []
    if m.bidirectional:
        lines.append("  bidirectional: true")
    if sc.embeddings:
        lines.append("embeddings:")
        lines += [f"  {_text(w)}: {_number(v)}" for w, v in sc.embeddings.items()]
    lines.append("parameters:")
    lines += [f"  {p}: {_number(v)}" for p, v in params.items()]
    if any(sc.h0):
        lines.append(f"  h0: {_number(sc.h0)}")
    if sc.c0 and any(sc.c0):
        lines.append(f"  c0: {_number(sc.c0)}")
    lines.append("examples:")
    for ex in sc.examples:
        inputs = ex.inputs[0] if m.cell == "mlp" else ex.inputs
        first = f"text: {_text(' '.join(ex.tokens))}" if ex.tokens else f"inputs: {_number(inputs)}"
        lines += [f"  - {first}", f"    target: {_number(ex.target)}"]
    lines += ["training:", f"  learning_rate: {_number(sc.learning_rate)}", f"  reduction: {sc.reduction}",
              f"  epochs: {sc.epochs}", f"  update: {sc.update}"]
    if sc.truncate is not None:
        lines.append(f"  truncate: {sc.truncate}")
    if sc.clip is not None:
        lines.append(f"  clip: {{{sc.clip[0]}: {_number(sc.clip[1])}}}")
    if isinstance(sc.display.notation, str):
        lines.append(f"notation: {sc.display.notation}")
    lines += _display(sc)
    return "\n".join(lines) + "\n"


def _display(sc: Scenario) -> list[str]:
    """The `display:` and `check:` settings that differ from the defaults."""
    d, out = sc.display, []
    shown = {"round": d.round, "decimals": d.decimals, "digits": d.digits,
             "round_mode": d.round_mode if d.round_mode != "round" else None}
    if any(v is not None for v in shown.values()):
        out.append("display:")
        out += [f"  {k}: {v}" for k, v in shown.items() if v is not None]
    if d.tolerance:
        out += ["check:", f"  tolerance: {_text(d.tolerance)}"]
    return out


def _tolist(v: Any) -> Any:
    return v.tolist() if hasattr(v, "tolist") else v


def _number(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_number(x) for x in v) + "]"
    if isinstance(v, Fraction):
        short = repr(float(v))
        return short if Fraction(short) == v else f"{v.numerator}/{v.denominator}"
    return repr(float(v)) if isinstance(v, float) else str(v)


def yaml_string(s: str) -> str:
    """A double-quoted YAML scalar that reads back as exactly `s`: printable text as it is, every
    other character (controls, DEL, C1, line separators, BOM, non-characters) as an escape."""
    return '"' + "".join(ch if _printable(ch) else _escape(ch) for ch in s) + '"'


def yaml_comment(s: str) -> str:
    """`# s` on one line: line breaks and controls shown as escapes, so no text can end the comment."""
    return "# " + "".join(ch if ch in '"\\' or _printable(ch) else _escape(ch) for ch in s)


_text = yaml_string


def _printable(ch: str) -> bool:
    """Characters that YAML 1.1 and 1.2 both read back as themselves inside double quotes."""
    o = ord(ch)
    return (0x20 <= o <= 0x7E and ch not in '"\\') or (0xA0 <= o <= 0xD7FF and o not in (0x2028, 0x2029)) or (
        0xE000 <= o <= 0xFFFD and o != 0xFEFF) or 0x10000 <= o <= 0x10FFFF


def _escape(ch: str) -> str:
    o = ord(ch)
    if ch in '"\\':
        return "\\" + ch
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"
