"""What each network's unrolled picture holds: a box per time step (or layer) for the input, the
state (and an LSTM's cell and gates, a GRU's gates, both directions of a bidirectional RNN), the
output and the loss; arrows labelled with the weights, their way back with the δ's; where
truncated BPTT cuts a chain, the arrow drawn cut.
"""

from __future__ import annotations

from bptt_trace.render.unrolled import Sketch
from bptt_trace.render.unrolled_parts import Drawing

GATES = {"lstm": (("f", "i", "c_tilde", "o_gate"), ("z_f", "z_i", "z_c", "z_o")),
         "gru": (("u", "r", "h_tilde"), ("z_u", "z_r", "z_h"))}


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
    if d.sc.truncate is None or d.sc.truncate >= d.ex.steps:
        return True, ""
    kept, cut = d.chains().get(t - 1, (False, []))
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
