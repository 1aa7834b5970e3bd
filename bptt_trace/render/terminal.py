"""Terminal rendering: the worked calculation as formula lines, substituted numbers and results.

Yields styled Lines and never prints; one handler per op, and an unknown op is an error.
"""

from __future__ import annotations

import textwrap
from typing import Any, Callable, Iterator

import numpy as np

from bptt_trace.names import split
from bptt_trace.render.labels import Labels
from bptt_trace.render.layout import Line, grid, rule, side_by_side, table
from bptt_trace.render.numfmt import NumberFormat
from bptt_trace.trace import Step, Trace, partial_sums, row_products

PHASE_TITLES = {"forward": "Forward pass", "loss": "Output and loss", "backward": "Backward pass (BPTT)",
                "gradients": "Gradients summed over time steps"}
DERIVATIVE_FORMULAS = {"tanh": "1 − {a}²", "sigmoid": "{a}·(1 − {a})", "relu": "1 if {a} > 0 else 0",
                       "identity": "1"}
LOSS_FORMULAS = {"bce": "−[y·ln ŷ + (1 − y)·ln(1 − ŷ)]", "ce": "−Σ y·ln ŷ", "mse": "½·Σ (ŷ − y)²"}
LOSS_GRADIENTS = {"bce": "−y/ŷ + (1 − y)/(1 − ŷ)", "ce": "−y/ŷ", "mse": "ŷ − y"}

Lines = Iterator[Line]


class TerminalRenderer:
    """Turns a trace into styled lines; `max_items` bounds the rows, columns and terms shown."""

    def __init__(self, fmt: NumberFormat | None = None, max_items: int = 8, width: int = 80,
                 labels: Labels | None = None) -> None:
        self.fmt = fmt or NumberFormat()
        self.label = labels or Labels()
        self.max_items, self.width = max_items, width
        self.elided = False
        self.handlers: dict[str, Callable[[Step], Lines]] = {
            "given": self.given, "matvec": self.matvec, "matvec_t": self.matvec, "add": self.add,
            "subtract": self.add, "sum": self.total, "mean": self.total, "activation": self.activation,
            "softmax": self.softmax, "derivative": self.derivative, "hadamard": self.hadamard,
            "outer": self.outer, "loss": self.loss, "loss_gradient": self.loss_gradient,
            "update": self.update,
        }

    # --- document structure ---------------------------------------------------------------
    def render(self, trace: Trace, examples: list[int], drift: list | None = None) -> Lines:
        """The whole worked calculation: setup, each example, totals, the update (and drift)."""
        m = trace.scenario.model
        yield rule(f"{trace.scenario.name}: {m.cell.upper()} with {m.activation} hidden layer, "
                   f"{m.output} output, {m.loss} loss", self.width)
        if trace.scenario.description:
            yield from (Line(s) for s in textwrap.wrap(trace.scenario.description, self.width))
        yield from self.setup(trace)
        for k in examples:
            yield from self.example(trace, k)
        yield rule("Over all examples", self.width)
        for step in trace.of_example(None):
            if step.phase in ("gradients", "update") and step.op != "given":
                yield from self.step(step)
        if trace.symbols:
            yield from self.symbols(trace)
        if drift:
            yield from self.drift(trace, drift)
        if self.elided:
            yield Line(f"Long vectors and matrices show {self.max_items} entries at most; "
                       "--full shows every entry, --format json gives every number.", "dim")

    def setup(self, trace: Trace) -> Lines:
        sc = trace.scenario
        yield Line("Parameters", "bold")
        steps = [s for s in trace.of_example(None) if s.phase == "setup"]
        blocks = [self.grid(_as_matrix(s.value)) for s in steps]
        yield from (Line("  " + text) for text in side_by_side(blocks, [self.label(s.name) for s in steps]))
        used = {w for ex in sc.examples for w in (ex.tokens or ())}
        if used:
            rows = [[word, self.fmt.vector(vec)] for word, vec in sc.embeddings.items() if word in used]
            yield from table("Embeddings", ["word", "embedding"], rows, left=(0, 1))
        yield Line(f"{self.label('h[0]')} = {self.fmt.vector(sc.h0)}   learning rate η = {self.fmt(sc.learning_rate)}"
                   f"   gradients: {sc.reduction} over examples")
        note = {"float64": f"Numbers are shown to {self.fmt.decimals} decimals; every step computes with the "
                           "full-precision (float64) values.",
                "exact": f"Exact arithmetic: rationals stay exact, other values are shown ≈ to {self.fmt.digits} "
                         "digits; long expressions are named s_1, s_2, … (defined at the end)."}
        text = note.get(trace.number_system, f"Hand calculation: every written result is {trace.number_system}, "
                                             "and later steps use the written value.")
        yield from (Line(s, "dim") for s in textwrap.wrap(text, self.width))

    def example(self, trace: Trace, k: int) -> Lines:
        ex = trace.scenario.examples[k - 1]
        what = f'"{" ".join(ex.tokens)}"' if ex.tokens else f"{ex.steps} input vectors"
        yield rule(f"Example {k}: {what} → target {ex.target}", self.width)
        phase, t = None, None
        for step in trace.of_example(k):
            if step.phase != phase:
                phase, t = step.phase, None
                yield Line(PHASE_TITLES[phase], "bold underline")
            if step.t != t and step.phase in ("forward", "backward") and step.t is not None:
                t = step.t
                yield self.timestep(ex, step)
            yield from self.step(step)

    def timestep(self, ex: Any, step: Step) -> Line:
        t = step.t
        if step.phase == "backward":
            return Line(f"Timestep {t} (backward)" if t else f"Into the initial state {self.label('h[0]')}",
                        "bold cyan")
        word = f"word = {ex.tokens[t - 1]}, " if ex.tokens and t else ""
        return Line(f"Timestep {t}: {word}{self.label(f'x[{t}]')} = {self.fmt.vector(ex.inputs[t - 1])}",
                    "bold cyan")

    def step(self, step: Step) -> Lines:
        """Dispatch on the op; an op with no handler is a bug, reported loudly."""
        handler = self.handlers.get(step.op)
        if handler is None:
            raise ValueError(f"the terminal renderer has no handler for op '{step.op}'")
        yield from handler(step)

    # --- one handler per op -----------------------------------------------------------------
    def given(self, step: Step) -> Lines:
        if step.name.startswith("y[") or step.name == "h[0]":
            prefix = "target " if step.name.startswith("y[") else ""
            yield Line(f"{prefix}{self.label(step.name)} = {self.value(step.value)}")

    def matvec(self, step: Step) -> Lines:
        m, v = step.inputs
        a, products = (m if step.op == "matvec" else m.T), row_products(step)
        expr = f"{self.label(step.operands[0])}{'ᵀ' if step.op == 'matvec_t' else ''}·{self.label(step.operands[1])}"
        default = f"{step.operands[0]}{'^T' if step.op == 'matvec_t' else ''} {step.operands[1]}"
        title = expr if step.name == default else f"{self.label(step.name)} = {expr}"
        rows, cols = [], self.indices(len(v))
        for i in self.indices(len(step.value)):
            if i is None:
                rows.append(["…", "", "", ""])
                continue
            written = " + ".join("…" if j is None else f"{self.paren(a[i, j]) if k else self.term(a[i, j])}×"
                                 f"{self.paren(v[j])}" for k, j in enumerate(cols))
            parts = _signed_sum(["…" if j is None else self.term(products[i, j], 1) for j in cols])
            rows.append([str(i + 1), written, f"= {parts}", f"= {self.fmt(step.value[i])}"])
        lines = table(title, ["i", "products", "", "sum"], rows, left=(1, 2))
        if max(len(line.text) for line in lines) > self.width:  # too wide: values on a second line
            stacked = [r2 for r in rows for r2 in ([r[0], r[1], ""], ["", "  " + r[2], r[3]])]
            lines = table(title, ["i", "products", "sum"], stacked, left=(1,))
        yield from lines

    def add(self, step: Step) -> Lines:
        if step.op == "subtract":
            yield from self.elementwise(step, " − ".join(self.label(n) for n in step.operands),
                                        lambda a, b: f"{self.term(a)} - {self.paren(b)}")
        else:
            yield from self.elementwise(step, " + ".join(self.label(n) for n in step.operands),
                                        lambda *xs: _signed_sum([self.term(x) for x in xs]))

    def total(self, step: Step) -> Lines:
        over = step.detail.startswith("examples")
        names = [f"example {k}" for k in step.detail.split()[1].split(",")] if over else \
            [self.label(n) for n in step.operands]
        mean = step.op == "mean"
        formula = f"(1/{len(names)})·({' + '.join(names)})" if mean else " + ".join(names)

        def written(*xs: Any) -> str:
            s = _signed_sum([self.term(x) for x in xs])
            return f"({s})/{len(xs)}" if mean else s
        if len(names) == 1 and not over:
            yield Line(f"{self.label(step.name)} = {names[0]} = {self.value(step.value)}")
        elif np.ndim(step.value) == 0:
            yield Line(f"{self.label(step.name)} = {formula} = {written(*step.inputs)} = {self.fmt(step.value)}")
        elif over or mean:
            yield from self.elementwise(step, formula, written)
        else:
            yield from self.running_total(step)

    def running_total(self, step: Step) -> Lines:
        """A sum over time steps, entry by entry, with the running totals a student carries."""
        running = partial_sums(step)
        value = np.asarray(step.value)
        entries = [(i,) for i in self.indices(value.shape[0])] if value.ndim == 1 else \
            [(i, j) for i in self.indices(value.shape[0]) for j in self.indices(value.shape[1])]
        ks = self.indices(len(running))
        steps = [split(n)[1] for n in step.operands]
        headers = ["entry"] + ["…" if k is None else f"{'+ ' if k else ''}t={steps[k]}" for k in ks]
        rows = [["…"] + [""] * len(ks) if None in e else
                [",".join(str(i + 1) for i in e)] + ["…" if k is None else self.fmt(running[k][e]) for k in ks]
                for e in entries]
        first = self.label(step.operands[0]).replace(f"(t={steps[0]})", "(t)").replace(f"_{steps[0]}", "_t")
        title = f"{self.label(step.name)} = Σ_t {first}: running totals from t={steps[0]} to t={steps[-1]}; " \
                "the last is the sum"
        yield from table(title, headers, rows)

    def activation(self, step: Step) -> Lines:
        fn = step.detail
        yield from self.elementwise(step, f"{fn}({self.label(step.operands[0])})", lambda z: f"{fn}({self.term(z)})")

    def softmax(self, step: Step) -> Lines:
        (o,) = step.inputs
        o_name = self.label(step.operands[0])
        rows = [["…"] * 4 if i is None else
                [str(i + 1), self.fmt(o[i]), self.fmt(step.terms[i]), self.fmt(step.value[i])]
                for i in self.indices(len(o))]
        yield from table(f"{self.label(step.name)} = softmax({o_name}) = exp({o_name}) / Σ exp({o_name}),  "
                         f"Σ = {self.fmt(step.terms.sum())}", ["i", o_name, f"exp({o_name})", self.label(step.name)], rows)

    def derivative(self, step: Step) -> Lines:
        if step.detail == "softmax":
            yield Line(f"{self.label(step.name)} = diag(ŷ) − ŷ·ŷᵀ", "bold")
            yield from (Line("  " + s) for s in self.grid(step.value))
            return
        arg = self.label(step.operands[0])
        pattern = DERIVATIVE_FORMULAS[step.detail]
        written = pattern.replace("−", "-")
        yield from self.elementwise(step, pattern.format(a=arg), lambda a: written.format(a=self.paren(a)))

    def hadamard(self, step: Step) -> Lines:
        yield from self.elementwise(step, " ⊙ ".join(self.label(n) for n in step.operands),
                                    lambda a, b: f"{self.paren(a)}×{self.paren(b)}")

    def outer(self, step: Step) -> Lines:
        a, b = step.inputs
        cols = self.indices(len(b))
        headers = ["×"] + ["…" if j is None else self.fmt(b[j]) for j in cols]
        rows = [["…"] * len(headers) if i is None else
                [self.fmt(a[i])] + ["…" if j is None else self.fmt(step.value[i, j], 1) for j in cols]
                for i in self.indices(len(a))]
        title = f"{self.label(step.name)} = {self.label(step.operands[0])}·{self.label(step.operands[1])}ᵀ"
        yield from table(title, headers, rows)

    def loss(self, step: Step) -> Lines:
        y_hat, y = step.inputs
        pieces = []
        for i in self.indices(len(y_hat)):
            if i is None:
                pieces.append("…")
            elif step.detail == "mse":
                pieces.append(f"½·({self.term(y_hat[i])} - {self.paren(y[i])})²")
            elif step.detail == "bce":
                pieces.append(f"-ln({self.term(y_hat[i]) if y[i] else f'1 - {self.paren(y_hat[i])}'})")
            elif y[i]:
                pieces.append(f"-ln({self.term(y_hat[i])})")
        yield Line(f"{self.label(step.name)} = {LOSS_FORMULAS[step.detail]} = {' + '.join(pieces)} = "
                   f"{self.fmt(step.value)}", "bold")

    def loss_gradient(self, step: Step) -> Lines:
        def one(p: Any, y: Any) -> str:
            if step.detail == "mse":
                return f"{self.term(p)} - {self.paren(y)}"
            if y:
                return f"-1/{self.paren(p)}"
            return "0" if step.detail == "ce" else f"1/(1 - {self.paren(p)})"
        yield from self.elementwise(step, LOSS_GRADIENTS[step.detail], one)

    def update(self, step: Step) -> Lines:
        old, grad, rate = step.inputs
        name, gname = self.label(step.operands[0]), self.label(step.operands[1])
        yield Line(f"{name} ← {name} − η·{gname},  η = {self.fmt(rate)}", "bold")
        blocks = [self.grid(_as_matrix(v)) for v in (old, grad, step.value)]
        yield from (Line("  " + s) for s in side_by_side(blocks, [f"{name} (old)", gname, f"{name} (new)"]))

    # --- closing sections -------------------------------------------------------------------
    def symbols(self, trace: Trace) -> Lines:
        rows = [[name, f"{self.label(s.quantity)}{_index(s.index)}",
                 str(s.definition).replace("**", "^").replace("*", "·"), self.fmt.exact_value(s.approx)]
                for name, s in trace.symbols.items()]
        yield from table("Named values (expressions too long to write out)", ["symbol", "entry", "definition", "value"],
                         rows, left=(0, 1, 2))

    def drift(self, trace: Trace, rows: list) -> Lines:
        """Each final result by hand and at full precision, at the entry where they differ most."""
        body = []
        for r in rows:
            hand, full = np.asarray(r.hand, dtype=object), np.asarray(r.full, dtype=float)
            diffs = np.abs(np.vectorize(float, otypes=[float])(hand) - full)
            at = np.unravel_index(int(np.argmax(diffs)), diffs.shape) if diffs.ndim else ()
            where = f"[{','.join(str(i + 1) for i in at)}]" if hand.size > 1 else ""
            body.append([self.label(r.name) + where + (f" (example {r.example})" if r.example else ""),
                         self.fmt(hand[at]), self.fmt(full[at], 3), self.fmt(r.max_abs, 3)])
        yield from table(f"Drift from full precision ({trace.number_system}; the entry that differs most)",
                         ["quantity", "by hand", "full precision", "difference"], body, left=(0,))

    # --- building blocks --------------------------------------------------------------------
    def elementwise(self, step: Step, formula: str, written: Callable[..., str]) -> Lines:
        """An entrywise op: its formula, then each component substituted and its result."""
        title = f"{self.label(step.name)} = {formula}"
        if np.ndim(step.value) == 2:
            yield Line(title, "bold")
            yield from (Line("  " + s) for s in self.grid(step.value))
            return
        shape = np.shape(step.value)
        inputs = [np.broadcast_to(np.asarray(v, dtype=object), shape) for v in step.inputs]
        rows = [["…", "", ""] if i is None else
                [str(i + 1), written(*(v[i] for v in inputs)), f"= {self.fmt(step.value[i])}"]
                for i in self.indices(shape[0])]
        yield from table(title, ["i", "substituted", self.label(step.name)], rows, left=(1,))

    def grid(self, matrix: Any) -> list[str]:
        """A matrix as aligned text rows, elided beyond `max_items`."""
        cols = self.indices(matrix.shape[1])
        return grid([["…" if i is None or j is None else self.fmt(matrix[i, j]) for j in cols]
                     for i in self.indices(matrix.shape[0])])

    def indices(self, n: int) -> list[int | None]:
        """Indices to show: all, or the first ones, a None for the gap, and the last."""
        if n <= self.max_items:
            return list(range(n))
        self.elided = True
        return list(range(self.max_items - 1)) + [None, n - 1]

    def value(self, v: Any, extra: int = 0) -> str:
        if np.ndim(v) == 0:
            return self.fmt(v, extra)
        if np.ndim(v) == 1:
            return "[" + ", ".join("…" if i is None else self.fmt(v[i], extra) for i in self.indices(len(v))) + "]"
        return "[" + ", ".join(self.value(row, extra) for row in v) + "]"

    def term(self, x: Any, extra: int = 0) -> str:
        """A number as written inside a substituted formula."""
        return self.fmt.term(x, extra)

    def paren(self, x: Any) -> str:
        """A factor, in parentheses when negative or a compound exact expression."""
        s = self.term(x)
        return f"({s})" if s.startswith("-") or (hasattr(x, "expr") and x.expr.is_Add) else s


def _as_matrix(v: Any) -> Any:
    """Matrices as they are, vectors as a column."""
    return v if np.ndim(v) == 2 else np.asarray(v)[:, None]


def _index(index: tuple[int, ...]) -> str:
    return f"[{','.join(map(str, index))}]" if index else ""


def _signed_sum(parts: list[str]) -> str:
    """`0.08 + -0.04` written as `0.08 - 0.04`."""
    out = parts[0]
    for p in parts[1:]:
        out += f" - {p[1:]}" if p.startswith("-") else f" + {p}"
    return out
