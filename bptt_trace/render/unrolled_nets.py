"""What each network's unrolled picture holds, filled from the trace: a box per time step (or layer)
for the input, the state (and an LSTM's cell and gates, a GRU's gates, both directions of a
bidirectional RNN), the output and the loss; arrows labelled with the weights; δ's on the way back.

Values are the trace's, through the one number formatter, so they read as the worksheet's.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from bptt_trace.render.labels import Labels
from bptt_trace.render.numfmt import NumberFormat
from bptt_trace.render.unrolled import Item, Sketch, Text
from bptt_trace.record.steps import Trace

RECURRENT = {"rnn": ("W_hh",), "lstm": ("U_f", "U_i", "U_c", "U_o"), "gru": ("U_u", "U_r", "U_h"),
             "birnn": ("W_hh_fw", "W_hh_bw")}
GATES = {"lstm": (("f", "i", "c_tilde", "o_gate"), ("z_f", "z_i", "z_c", "z_o")),
         "gru": (("u", "r", "h_tilde"), ("z_u", "z_r", "z_h"))}


class Drawing:
    """Builds the sketch of one example; `phase` forward, backward or both; `hide(name)` blanks a value."""

    def __init__(self, trace: Trace, example: int, fmt: NumberFormat | None = None, labels: Labels | None = None,
                 phase: str = "both", hide: Callable[[str], bool] | None = None, full: bool = False,
                 compact: bool = False, max_items: int = 6) -> None:
        """`compact` keeps each box's main quantities only (a worksheet's figure): x, h, c, gates, ŷ, loss, δh, δc, δo."""
        self.trace, self.k, self.fmt, self.label = trace, example, fmt or NumberFormat(), labels or Labels()
        self.phase, self.hide, self.full, self.max_items = phase, hide or (lambda name: False), full, max_items
        self.compact = compact
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


def _grid_rows(kind: str) -> list[str]:
    return {"rnn": ["loss", "out", "h", "x", "grad"], "lstm": ["loss", "out", "h", "c", "gates", "x", "grad"],
            "gru": ["loss", "out", "h", "gates", "x", "grad"],
            "birnn": ["loss", "out", "hfw", "x", "hbw", "grad"], "mlp": ["loss", "layer", "grad"]}[kind]


def sketch(d: Drawing) -> Sketch:
    """The sketch of a drawing's network."""
    sk = Sketch(d.title(), _grid_rows(d.kind))
    {"rnn": _rnn, "lstm": _lstm, "gru": _gru, "birnn": _birnn, "mlp": _mlp}[d.kind](d, sk)
    d.notes(sk)
    return sk


def _cut(d: Drawing, t: int) -> tuple[bool, str]:
    """Whether δ flows back from step t to t−1, and which losses' chains truncation cuts there."""
    names = d.trace.names(d.k)
    cut = [n.split("loss ")[1].split(",")[0] for n in names if n.startswith(f"dL/dh[{t - 1}] (loss ") and "cut" in n]
    if d.sc.truncate is None or d.sc.truncate >= d.ex.steps:
        return True, ""
    kept = any(n.startswith(f"dL/dh[{t - 1}] (loss ") and "cut" not in n and
               int(n.split("loss ")[1].rstrip(")")) > t - 1 for n in names)
    return kept or bool(cut), ("(loss " + ", ".join(cut) + ")") if cut else ""


def _chain(d: Drawing, sk: Sketch, row: str, weight: str, reverse: bool = False, into: str = "",
           cuts: bool = False, transpose: bool = True) -> None:
    """The recurrent arrows of one row: h_(t−1) → h_t (h_(t+1) → h_t when `reverse`), or into the
    step's `into` row (an LSTM's gates) through the gap before it; the elided steps share one `…` box."""
    for t in range(1, d.ex.steps + 2 if reverse else d.ex.steps + 1):
        a, b = (d.key(row, t - 1), d.key(into or row, t)) if not reverse else (d.key(row, t), d.key(row, t - 1))
        if a.replace(row, "") == b.replace(into or row, ""):
            continue
        flows, cut = _cut(d, t) if cuts else (True, "")
        d.links(sk, a, b, weight, "elbow" if into else "straight", cut, back=flows, transpose=transpose)


def _states(d: Drawing, sk: Sketch, row: str, fw: tuple[str, ...], bw: tuple[str, ...], title: str = "t={t}") -> None:
    """A state box per shown step, the `…` box, and the inputs' arrows into it."""
    for t in d.steps():
        if t is None:
            d.gap(sk, row)
            continue
        sk.node(f"{row}[{t}]", t, row, title.format(t=t),
                d.both(tuple(n.format(t=t) for n in fw), tuple(n.format(t=t) for n in bw)))
        d.contributions(sk, t)


def _rnn(d: Drawing, sk: Sketch) -> None:
    d.inputs(sk)
    sk.node("h[0]", 0, "h", "initial state", d.both(("h[0]",), ("dL/dh[0]",)))
    _states(d, sk, "h", ("z[{t}]", "h[{t}]"), ("dL/dh[{t}]", "dh/dz[{t}]", "dL/dz[{t}]"))
    for t in d.steps():
        if t is not None:
            d.links(sk, f"x[{t}]", f"h[{t}]", d.label("W_xh"))
    _chain(d, sk, "h", d.label("W_hh"), cuts=True)
    d.outputs(sk, "h")


def _gated(d: Drawing, sk: Sketch) -> None:
    """Inputs, gates and states shared by the LSTM and the GRU."""
    gates, pre = GATES[d.kind]
    d.inputs(sk)
    sk.node("h[0]", 0, "h", "initial state", d.both(("h[0]",), ("dL/dh[0]",)))
    _states(d, sk, "gates", tuple(g + "[{t}]" for g in gates), tuple(f"dL/d{z}" + "[{t}]" for z in pre), "gates t={t}")
    _states(d, sk, "h", ("h[{t}]",), ("dL/dh[{t}]",))
    letters = ",".join(z[2:] for z in pre)
    for t in d.steps():
        if t is not None:
            d.links(sk, f"x[{t}]", f"gates[{t}]", f"W_{letters}")
    _chain(d, sk, "h", f"U_{letters}", into="gates")


def _lstm(d: Drawing, sk: Sketch) -> None:
    _gated(d, sk)
    sk.node("c[0]", 0, "c", "initial cell", d.both(("c[0]",), ("dL/dc[0]",)))
    _states(d, sk, "c", ("c[{t}]", "tanh_c[{t}]"), ("dL/dc[{t}]",), "cell t={t}")
    for t in d.steps():
        if t is not None:
            d.links(sk, f"gates[{t}]", f"c[{t}]", "i⊙c̃", transpose=False)
            d.links(sk, f"c[{t}]", f"h[{t}]", "o⊙tanh", transpose=False)
    _chain(d, sk, "c", "f⊙", transpose=False)
    d.outputs(sk, "h")


def _gru(d: Drawing, sk: Sketch) -> None:
    _gated(d, sk)
    for t in d.steps():
        if t is not None:
            d.links(sk, f"gates[{t}]", f"h[{t}]", "u⊙h̃", transpose=False)
    _chain(d, sk, "h", "(1−u)⊙", transpose=False)
    d.outputs(sk, "h")


def _birnn(d: Drawing, sk: Sketch) -> None:
    T = d.ex.steps
    d.inputs(sk)
    sk.node("hfw[0]", 0, "hfw", "initial state", d.both(("h_fw[0]",), ("dL/dh_fw[0]",)))
    sk.node(f"hbw[{T + 1}]", T + 1, "hbw", "initial state", d.both((f"h_bw[{T + 1}]",), (f"dL/dh_bw[{T + 1}]",)))
    _states(d, sk, "hfw", ("z_fw[{t}]", "h_fw[{t}]"), ("dL/dh_fw[{t}]", "dL/dz_fw[{t}]"), "left to right t={t}")
    _states(d, sk, "hbw", ("z_bw[{t}]", "h_bw[{t}]"), ("dL/dh_bw[{t}]", "dL/dz_bw[{t}]"), "right to left t={t}")
    for t in d.steps():
        if t is not None:
            d.links(sk, f"x[{t}]", f"hfw[{t}]", d.label("W_xh_fw"))
            d.links(sk, f"x[{t}]", f"hbw[{t}]", d.label("W_xh_bw"))
    _chain(d, sk, "hfw", d.label("W_hh_fw"))
    _chain(d, sk, "hbw", d.label("W_hh_bw"), reverse=True)
    d.outputs(sk, "hfw", ("h[{}]",))
    for s in d.sc.output_steps(d.ex):
        src = 1 if s == T and len(d.sc.output_steps(d.ex)) == 1 else s
        if d.col(s) != 3.5 and d.col(src) != 3.5:
            d.links(sk, f"hbw[{src}]", f"out[{s}]", d.label("W_hy"), "back")


def _mlp(d: Drawing, sk: Sketch) -> None:
    layers = len(d.sc.model.layers)
    sk.node("x", 0, "layer", "input", d.both(("x",), ("dL/dx",)), "input")
    prev = "x"
    for n in range(1, layers + 1):
        sk.node(f"h[{n}]", n, "layer", f"layer {n}", d.both((f"z[{n}]", f"h[{n}]"), (f"dL/dh[{n}]", f"dL/dz[{n}]")))
        d.links(sk, prev, f"h[{n}]", d.label(f"W_{n}"))
        prev = f"h[{n}]"
    sk.node("out", layers + 1, "layer", "output", d.both(("o", "y_hat"), ("dL/do",)), "output")
    sk.node("loss", layers + 1, "loss", "loss", d.both(("y", "loss"), ("dL/dy_hat",)), "loss")
    d.links(sk, prev, "out", d.label(f"W_{layers + 1}"))
    d.links(sk, "out", "loss")
    if d.phase != "forward" and not d.compact:
        for n in range(1, layers + 2):
            sk.node(f"grad[{n}]", n, "grad", "gradient", d.items("backward", f"dL/dW_{n}"), "sum")
