"""The parts every unrolled picture shares, filled from the trace: values through the one number
formatter (so they read as the worksheet's), the time steps drawn (the middle of a long sequence
elided), the inputs, the outputs and losses, each step's contribution to the recurrent weights'
gradients, clipping and the legend.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from bptt_trace.render.labels import Labels
from bptt_trace.render.numfmt import NumberFormat
from bptt_trace.render.unrolled import Item, Sketch, Text
from bptt_trace.record.steps import Trace

RECURRENT = {"rnn": ("W_hh",), "lstm": ("U_f", "U_i", "U_c", "U_o"), "gru": ("U_u", "U_r", "U_h"),
             "birnn": ("W_hh_fw", "W_hh_bw")}
_TERM = re.compile(r"^dL/dh\[(\d+)\] \(loss (\d+)(, cut)?\)$")


class Drawing:
    """Builds the sketch of one example; `phase` forward, backward or both; `hide(name)` blanks a value."""

    def __init__(self, trace: Trace, example: int, fmt: NumberFormat | None = None, labels: Labels | None = None,
                 phase: str = "both", hide: Callable[[str], bool] | None = None, full: bool = False,
                 compact: bool = False, max_items: int = 6) -> None:
        """`compact` keeps each box's main quantities only (a worksheet's figure): x, h, c, gates, ŷ, loss, δh, δc, δo."""
        self.trace, self.k, self.fmt, self.label = trace, example, fmt or NumberFormat(), labels or Labels()
        self.phase, self.hide, self.full, self.max_items = phase, hide or (lambda name: False), full, max_items
        self.compact = compact
        self._names: list[str] | None = None
        self.sc = trace.scenario
        self.ex = self.sc.examples[example - 1]
        self.kind = "birnn" if self.sc.model.bidirectional else self.sc.model.cell

    # --- values ---------------------------------------------------------------------------
    def entry(self, x: Any) -> str:
        """One number as the worksheet shows it (an exact value's decimal approximation)."""
        if hasattr(x, "expr") and not x.expr.is_Rational:
            return self.fmt.exact_value(x.approx)
        return self.fmt(x)

    def lines(self, value: Any) -> tuple[str, ...]:
        """A number, a vector as a column (an entry per line), or a matrix a row per line; long ones elided."""
        if np.ndim(value) == 0:
            return (self.entry(value),)
        if np.ndim(value) == 1:
            return (self.row(value),) if len(value) == 1 else \
                tuple("⋮" if i is None else self.entry(value[i]) for i in self.indices(len(value)))
        rows = self.indices(len(value))
        return tuple("…" if i is None else self.row(value[i]) for i in rows)

    def row(self, v: Any) -> str:
        return "[" + ", ".join("…" if i is None else self.entry(v[i]) for i in self.indices(len(v))) + "]"

    def indices(self, n: int) -> list[int | None]:
        if self.full or n <= self.max_items:
            return list(range(n))
        return list(range(self.max_items - 2)) + [None, n - 1]

    def items(self, kind: str, *names: str) -> list[Item]:
        """The named quantities this example recorded, as items of one kind (none if the phase omits it)."""
        if self.phase not in ("both", kind):
            return []
        return [Item(n, self.label(n), tuple("" for _ in self.lines(self.trace.value(n, self.k)))
                     if self.hide(n) else self.lines(self.trace.value(n, self.k)), kind)
                for n in names if self.trace.has(n, self.k) and not (self.compact and minor(n))]

    def both(self, forward: tuple[str, ...], backward: tuple[str, ...]) -> list[Item]:
        return self.items("forward", *forward) + self.items("backward", *backward)

    def names(self) -> list[str]:
        """Every name the example recorded (looked up once)."""
        if self._names is None:
            self._names = self.trace.names(self.k)
        return self._names

    def chains(self) -> dict[int, tuple[bool, list[str]]]:
        """Truncated BPTT: for each step, whether a loss's chain reaches it from the step after, and the
        losses whose chains are cut on the way to it (from the names `dL/dh[t] (loss s)`, `(loss s, cut)`)."""
        out: dict[int, tuple[bool, list[str]]] = {}
        for n in self.names():
            m = _TERM.match(n)
            if m:
                t, s, cut = int(m[1]), m[2], bool(m[3])
                kept, cuts = out.get(t, (False, []))
                out[t] = (kept or (not cut and int(s) > t), cuts + [s] * cut)
        return out

    # --- time steps -------------------------------------------------------------------------
    def steps(self) -> list[int | None]:
        """The time steps drawn: all, or t = 1, 2, 3, `…`, T−2, T−1, T for a long sequence."""
        T = self.ex.steps
        if self.full or T <= 7:
            return list(range(1, T + 1))
        return [1, 2, 3, None, T - 2, T - 1, T]

    def col(self, t: int) -> float:
        """A step's column; the elided steps share column 3.5."""
        return t if t in self.steps() or t in (0, self.ex.steps + 1) else 3.5

    def key(self, row: str, t: int) -> str:
        return f"{row}[{t}]" if self.col(t) != 3.5 else f"{row}[…]"

    def gap(self, sk: Sketch, row: str) -> None:
        """The `…` box standing for the elided steps in one row."""
        if None in self.steps():
            T = self.ex.steps
            sk.node(f"{row}[…]", 3.5, row, f"t = 4 … {T - 3}", [], "gap")

    def links(self, sk: Sketch, src: str, dst: str, weight: str = "", route: str = "straight", cut: str = "",
              back: bool = True, transpose: bool = True) -> None:
        """An arrow forward (labelled with the weight) and its way back (labelled with the weight transposed)."""
        if self.phase in ("both", "forward"):
            sk.link(src, dst, "forward", weight, route)
        if back and self.phase in ("both", "backward"):
            sk.link(dst, src, "backward", weight + "ᵀ" if weight and transpose else "", route, cut)

    # --- the parts every network shares -----------------------------------------------------------
    def title(self) -> str:
        what = " ".join(self.ex.tokens) if self.ex.tokens else f"{self.ex.steps} input vectors"
        return f"{self.sc.name}, example {self.k}: {what}"

    def inputs(self, sk: Sketch) -> None:
        for t in self.steps():
            if t is None:
                self.gap(sk, "x")
                continue
            node = sk.node(f"x[{t}]", t, "x", f"input t={t}", self.both((f"x[{t}]",), (f"dL/dx[{t}]",)), "input")
            if self.ex.tokens:
                node.title, node.title_value = f"t={t}", f' "{self.ex.tokens[t - 1]}"'

    def outputs(self, sk: Sketch, state: str, extra: tuple[str, ...] = ()) -> None:
        """o_s, ŷ_s and the loss above each output step's state; with losses at every step, their sum."""
        outs = self.sc.output_steps(self.ex)
        every = len(outs) > 1 or outs[0] != self.ex.steps
        for s in outs:
            if self.col(s) == 3.5:
                self.gap(sk, "out")
                self.gap(sk, "loss")
                continue
            fw = tuple(n.format(s) for n in extra) + (f"o[{s}]", f"y_hat[{s}]")
            bw = tuple(f"dL/d{n[:-4]}" + f"[{s}]" for n in extra) + (f"dL/do[{s}]",)
            sk.node(f"out[{s}]", s, "out", "output", self.both(fw, bw), "output")
            loss = f"loss[{s}]" if every else "loss"
            sk.node(f"loss[{s}]", s, "loss", "loss" if not every else f"loss at t={s}",
                    self.both((f"y[{s}]", loss), (f"dL/dy_hat[{s}]",)), "loss")
            self.links(sk, f"{state}[{s}]", f"out[{s}]", self.label("W_hy"))
            self.links(sk, f"out[{s}]", f"loss[{s}]")
        if every:
            last = self.ex.steps + 1
            sk.node("loss", last, "loss", "total", self.both(("loss",), ()), "loss")
            for s in outs:
                if self.col(s) != 3.5:
                    self.links(sk, f"loss[{s}]", "loss", "", "over")

    def contributions(self, sk: Sketch, t: int) -> None:
        """The step's contribution to each recurrent weight's gradient, under the step."""
        names = [f"dL/d{w}[{t}]" for w in RECURRENT.get(self.kind, ())]
        if self.phase != "forward" and not self.compact:
            sk.node(f"grad[{t}]", t, "grad", "contribution", self.items("backward", *names), "sum")

    def notes(self, sk: Sketch) -> None:
        """Clipping of the summed gradients, and the legend."""
        tr = self.trace
        if self.phase != "forward" and tr.has("clip_factor"):
            sk.notes.append(Text(0, 0, "", "gradient clipping by norm: ‖∇L‖ = " + self.entry(tr.value("‖∇L‖")) +
                                 ", c = " + self.entry(tr.value("clip_norm")) + ", clip factor = " +
                                 self.entry(tr.value("clip_factor")), "backward", "clip_factor"))
        elif self.phase != "forward" and tr.has("clip_value"):
            sk.notes.append(Text(0, 0, "", "gradient clipping by value: every entry clamped to ±" +
                                 self.entry(tr.value("clip_value")), "backward", "clip_value"))
        if self.phase == "both":
            sk.notes.append(Text(0, 0, "", "solid black: forward values;  dashed orange: backward δ's"))


def minor(name: str) -> bool:
    """A quantity a worksheet's compact figure leaves to the tables: pre-activations, slopes, δz's, δx, y, o."""
    stem = name.split("[")[0]
    return stem in ("o", "y", "dL/dx", "dL/dy_hat", "dh/dz", "tanh_c") or stem.startswith(("z", "dL/dz"))
