"""Terminal rendering with rich: the worked calculation as headings, formula lines and tables.

Yields renderables and never prints; one handler per op, and an unknown op is an error.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np
from rich import box
from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bptt_trace.render.labels import label
from bptt_trace.render.numfmt import NumberFormat
from bptt_trace.trace import Step, Trace

PHASE_TITLES = {"forward": "Forward pass", "loss": "Output and loss", "backward": "Backward pass (BPTT)",
                "gradients": "Gradients summed over time steps"}
DERIVATIVE_FORMULAS = {"tanh": "1 − {a}²", "sigmoid": "{a}·(1 − {a})", "relu": "1 if {a} > 0 else 0",
                       "identity": "1"}
LOSS_FORMULAS = {"bce": "−[y·ln ŷ + (1 − y)·ln(1 − ŷ)]", "ce": "−Σ y·ln ŷ", "mse": "½·Σ (ŷ − y)²"}
LOSS_GRADIENTS = {"bce": "−y/ŷ + (1 − y)/(1 − ŷ)", "ce": "−y/ŷ", "mse": "ŷ − y"}


class TerminalRenderer:
    """Turns a trace into rich renderables; `max_items` bounds rows, columns and terms shown."""

    def __init__(self, fmt: NumberFormat | None = None, max_items: int = 8) -> None:
        self.fmt = fmt or NumberFormat()
        self.max_items = max_items
        self.elided = False
        self.handlers: dict[str, Callable[[Step], Iterator[RenderableType]]] = {
            "given": self.given, "matvec": self.matvec, "matvec_t": self.matvec, "add": self.add,
            "subtract": self.add, "sum": self.total, "mean": self.total, "activation": self.activation,
            "softmax": self.softmax, "derivative": self.derivative, "hadamard": self.hadamard,
            "outer": self.outer, "loss": self.loss, "loss_gradient": self.loss_gradient,
            "update": self.update,
        }

    # --- document structure ---------------------------------------------------------------
    def render(self, trace: Trace, examples: list[int]) -> Iterator[RenderableType]:
        """The whole worked calculation: setup, each example, totals and the update."""
        sc = trace.scenario
        yield Rule(f"[bold]{_escape(sc.name)}[/bold]: {sc.model.cell.upper()} with {sc.model.activation} hidden "
                   f"layer, {sc.model.output} output, {sc.model.loss} loss")
        if sc.description:
            yield Text(sc.description)
        yield from self.setup(trace)
        for k in examples:
            yield from self.example(trace, k)
        yield Rule("[bold]Over all examples[/bold]")
        for step in trace.of_example(None):
            if step.phase in ("gradients", "update") and step.op != "given":
                yield from self.step(step)
        if self.elided:
            yield Text(f"Long vectors and matrices show {self.max_items} entries at most; "
                       "--full shows every entry, --format json gives every number.", style="dim")

    def setup(self, trace: Trace) -> Iterator[RenderableType]:
        sc = trace.scenario
        yield Text("Parameters", style="bold")
        grids = Table(box=None, show_header=True, padding=(0, 2))
        steps = [s for s in trace.of_example(None) if s.phase == "setup"]
        for s in steps:
            grids.add_column(label(s.name))
        grids.add_row(*(self.grid(np.atleast_2d(s.value) if np.ndim(s.value) == 2 else s.value[:, None])
                        for s in steps))
        yield grids
        used = {w for ex in sc.examples for w in (ex.tokens or ())}
        if used:
            table = Table("word", "embedding", title="Embeddings", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
            for word, vec in sc.embeddings.items():
                if word in used:
                    table.add_row(_escape(word), self.fmt.vector(vec))
            yield table
        yield Text(f"h_0 = {self.fmt.vector(sc.h0)}   learning rate η = {self.fmt(sc.learning_rate)}   "
                   f"gradients: {sc.reduction} over examples")
        yield Text(f"Numbers are shown to {self.fmt.decimals} decimals; every step computes with the "
                   f"full-precision ({trace.number_system}) values.", style="dim")

    def example(self, trace: Trace, k: int) -> Iterator[RenderableType]:
        ex = trace.scenario.examples[k - 1]
        what = f'"{" ".join(ex.tokens)}"' if ex.tokens else f"{ex.steps} input vectors"
        yield Rule(f"[bold]Example {k}[/bold]: {_escape(what)} → target {ex.target}")
        phase, t = None, None
        for step in trace.of_example(k):
            if step.phase != phase:
                phase, t = step.phase, None
                yield Text(PHASE_TITLES[phase], style="bold underline")
            if step.t != t and step.phase in ("forward", "backward") and step.t is not None:
                t = step.t
                yield self.timestep(trace, k, step)
            yield from self.step(step)

    def timestep(self, trace: Trace, k: int, step: Step) -> Text:
        ex, t = trace.scenario.examples[k - 1], step.t
        if step.phase == "backward":
            return Text(f"Timestep {t} (backward)" if t else "Into the initial state h_0", style="bold cyan")
        word = f"word = {ex.tokens[t - 1]}, " if ex.tokens and t else ""
        return Text(f"Timestep {t}: {word}x_{t} = {self.fmt.vector(ex.inputs[t - 1])}", style="bold cyan")

    def step(self, step: Step) -> Iterator[RenderableType]:
        """Dispatch on the op; an op with no handler is a bug, reported loudly."""
        handler = self.handlers.get(step.op)
        if handler is None:
            raise ValueError(f"the terminal renderer has no handler for op '{step.op}'")
        yield from handler(step)

    # --- one handler per op -----------------------------------------------------------------
    def given(self, step: Step) -> Iterator[RenderableType]:
        if step.name.startswith("y["):
            yield Text(f"target {label(step.name)} = {self.value(step.value)}")
        elif step.name == "h[0]":
            yield Text(f"h_0 = {self.value(step.value)}")

    def matvec(self, step: Step) -> Iterator[RenderableType]:
        m, v = step.inputs
        a = m if step.op == "matvec" else m.T
        expr = f"{label(step.operands[0])}{'ᵀ' if step.op == 'matvec_t' else ''}·{label(step.operands[1])}"
        default = f"{step.operands[0]}{'^T' if step.op == 'matvec_t' else ''} {step.operands[1]}"
        title = expr if step.name == default else f"{label(step.name)} = {expr}"
        table = self.table(step, "i", "products", "", "sum", title=title)
        for i in self.indices(len(step.value)):
            if i is None:
                table.add_row("…", "", "", "")
                continue
            cols = self.indices(len(v))
            written = " + ".join("…" if j is None else f"{self.paren(a[i, j]) if k else self.fmt(a[i, j])}×"
                                 f"{self.paren(v[j])}" for k, j in enumerate(cols))
            parts = _signed_sum(["…" if j is None else self.fmt(step.terms[i, j], 1) for j in cols])
            table.add_row(str(i + 1), written, f"= {parts}", f"= {self.fmt(step.value[i])}")
        yield table

    def add(self, step: Step) -> Iterator[RenderableType]:
        sign = " − " if step.op == "subtract" else " + "
        yield from self.elementwise(step, sign.join(label(n) for n in step.operands))

    def total(self, step: Step) -> Iterator[RenderableType]:
        over = step.detail.startswith("examples")
        names = [f"example {k}" for k in step.detail.split()[1].split(",")] if over else \
            [label(n) for n in step.operands]
        mean = f"(1/{len(names)})·" if step.op == "mean" else ""
        if len(names) == 1 and not over:
            yield Text(f"{label(step.name)} = {names[0]} = {self.value(step.value)}")
            return
        if np.ndim(step.value) == 0:
            shown = " + ".join(self.fmt(v) for v in step.inputs)
            if mean:
                names_text, shown = f"{mean}({' + '.join(names)})", f"{mean}({shown})"
            else:
                names_text = " + ".join(names)
            yield Text(f"{label(step.name)} = {names_text} = {shown} = {self.fmt(step.value)}")
            return
        yield from self.elementwise(step, f"{mean}({' + '.join(names)})" if mean else " + ".join(names), names)

    def activation(self, step: Step) -> Iterator[RenderableType]:
        fn = step.detail
        yield from self.elementwise(step, f"{fn}({label(step.operands[0])})",
                                    [label(step.operands[0])], result=f"{fn}(·)")

    def softmax(self, step: Step) -> Iterator[RenderableType]:
        (o,) = step.inputs
        table = self.table(step, "i", label(step.operands[0]), "e^o", "ŷ = e^o / Σ e^o",
                           title=f"{label(step.name)} = softmax({label(step.operands[0])}),  "
                                 f"Σ e^o = {self.fmt(step.terms.sum())}")
        for i in self.indices(len(o)):
            table.add_row(*(["…"] * 4 if i is None else
                            [str(i + 1), self.fmt(o[i]), self.fmt(step.terms[i]), self.fmt(step.value[i])]))
        yield table

    def derivative(self, step: Step) -> Iterator[RenderableType]:
        if step.detail == "softmax":
            yield Text(f"{label(step.name)} = diag(ŷ) − ŷ·ŷᵀ")
            yield self.grid(step.value)
            return
        arg = label(step.operands[0])
        formula = DERIVATIVE_FORMULAS[step.detail].format(a=arg)
        yield from self.elementwise(step, formula, [arg], result=formula)

    def hadamard(self, step: Step) -> Iterator[RenderableType]:
        yield from self.elementwise(step, " ⊙ ".join(label(n) for n in step.operands))

    def outer(self, step: Step) -> Iterator[RenderableType]:
        a, b = step.inputs
        title = f"{label(step.name)} = {label(step.operands[0])}·{label(step.operands[1])}ᵀ"
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
        cols = self.indices(len(b))
        table.add_column("×", justify="right", style="dim")
        for j in cols:
            table.add_column("…" if j is None else self.fmt(b[j]), justify="right")
        for i in self.indices(len(a)):
            if i is None:
                table.add_row(*(["…"] * (len(cols) + 1)))
                continue
            table.add_row(self.fmt(a[i]), *("…" if j is None else self.fmt(step.value[i, j], 1) for j in cols))
        yield table

    def loss(self, step: Step) -> Iterator[RenderableType]:
        y_hat, y = step.inputs
        pieces = []
        for i in self.indices(len(y_hat)):
            if i is None:
                pieces.append("…")
            elif step.detail == "mse":
                pieces.append(f"½·({self.fmt(y_hat[i])} − {self.fmt(y[i])})²")
            elif step.detail == "bce":
                arg = self.fmt(y_hat[i]) if y[i] else f"1 − {self.fmt(y_hat[i])}"
                pieces.append(f"−ln({arg})")
            elif y[i]:
                pieces.append(f"−ln({self.fmt(y_hat[i])})")
        yield Text(f"{label(step.name)} = {LOSS_FORMULAS[step.detail]} = {' + '.join(pieces)} = "
                   f"{self.fmt(step.value)}", style="bold")

    def loss_gradient(self, step: Step) -> Iterator[RenderableType]:
        yield Text(f"{label(step.name)} = {LOSS_GRADIENTS[step.detail]} = {self.value(step.value)}")

    def update(self, step: Step) -> Iterator[RenderableType]:
        old, grad, rate = step.inputs
        name = label(step.operands[0])
        table = Table(title=f"{name} ← {name} − η·{label(step.operands[1])},  η = {self.fmt(rate)}",
                      title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
        for header in (f"{name} (old)", label(step.operands[1]), f"{name} (new)"):
            table.add_column(header)
        table.add_row(*(self.grid(v if np.ndim(v) == 2 else v[:, None]) for v in (old, grad, step.value)))
        yield table

    # --- building blocks --------------------------------------------------------------------
    def elementwise(self, step: Step, formula: str, headers: list[str] | None = None,
                    result: str | None = None) -> Iterator[RenderableType]:
        """A vector op as a table of components; a matrix result as a grid under its formula."""
        if np.ndim(step.value) == 2:
            yield Text(f"{label(step.name)} = {formula}")
            yield self.grid(step.value)
            return
        headers = headers or [label(n) for n in step.operands]
        table = self.table(step, "i", *headers, result or label(step.name),
                           title=f"{label(step.name)} = {formula}")
        for i in self.indices(len(step.value)):
            if i is None:
                table.add_row(*(["…"] * (len(headers) + 2)))
                continue
            cells = [self.fmt(np.broadcast_to(v, np.shape(step.value))[i]) for v in step.inputs]
            table.add_row(str(i + 1), *cells, self.fmt(step.value[i]))
        yield table

    def table(self, step: Step, *headers: str, title: str | None = None) -> Table:
        table = Table(title=title or f"{label(step.name)}", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
        for h in headers:
            table.add_column(h, justify="right" if h not in ("products", "") else "left")
        return table

    def grid(self, matrix: Any) -> Table:
        """A matrix (or column vector) as a borderless grid of numbers."""
        grid = Table.grid(padding=(0, 1))
        cols = self.indices(matrix.shape[1])
        for _ in cols:
            grid.add_column(justify="right")
        for i in self.indices(matrix.shape[0]):
            grid.add_row(*("…" if i is None or j is None else self.fmt(matrix[i, j]) for j in cols))
        return grid

    def indices(self, n: int) -> list[int | None]:
        """Indices to show: all, or the first ones, a None for the gap, and the last."""
        if n <= self.max_items:
            return list(range(n))
        self.elided = True
        return list(range(self.max_items - 1)) + [None, n - 1]

    def value(self, v: Any) -> str:
        if np.ndim(v) == 0:
            return self.fmt(v)
        if np.ndim(v) == 1:
            return "[" + ", ".join("…" if i is None else self.fmt(v[i]) for i in self.indices(len(v))) + "]"
        return "[" + ", ".join(self.fmt.vector(row) for row in v) + "]"

    def paren(self, x: float) -> str:
        s = self.fmt(x)
        return f"({s})" if s.startswith("−") else s


def _signed_sum(parts: list[str]) -> str:
    """`0.08 + −0.04` written as `0.08 − 0.04`."""
    out = parts[0]
    for p in parts[1:]:
        out += f" − {p[1:]}" if p.startswith("−") else f" + {p}"
    return out


def _escape(text: str) -> str:
    """Escape rich markup in text that came from a scenario."""
    from rich.markup import escape
    return escape(text)
