"""One handler per recorded op: its formula, the numbers substituted, and the result, as blocks.

An unknown op is an error. Every number is a `Value` tagged with the canonical names it reveals,
so that writers can blank or highlight answers without leaks; a sheet no writer blanks or marks (the
terminal's, `tagged` off) may write a long row of numbers as one text instead.
"""

from __future__ import annotations

from itertools import chain
from typing import Any, Callable, Iterator

import numpy as np

from bptt_trace.record.names import split
from bptt_trace.render.blocks import Block, Matrix, Para, Prose, SideBySide, Table, Value, cell
from bptt_trace.render.cells import ELIDED, PLUS, TIMES, Cells, compound, signed, signed_values
from bptt_trace.render.labels import Labels
from bptt_trace.render.numfmt import NumberFormat
from bptt_trace.record.steps import Step, row_products, summed_examples
from bptt_trace.render.sums import by_time_step, running_digits, running_totals

DERIVATIVE_FORMULAS = {"tanh": "1 − {a}²", "sigmoid": "{a}·(1 − {a})", "relu": "1 if {a} > 0 else 0",
                       "identity": "1"}
LOSS_FORMULAS = {"bce": "−[y·ln ŷ + (1 − y)·ln(1 − ŷ)]", "ce": "−Σ y·ln ŷ", "mse": "½·Σ (ŷ − y)²"}
LOSS_GRADIENTS = {"bce": "−y/ŷ + (1 − y)/(1 − ŷ)", "ce": "−y/ŷ", "mse": "ŷ − y"}

Blocks = Iterator[Block]


class OpBlocks(Cells):
    """The blocks of single steps; `max_items` bounds the rows, columns and terms shown."""

    def __init__(self, fmt: NumberFormat | None = None, max_items: int = 8, labels: Labels | None = None) -> None:
        super().__init__(fmt, max_items, labels)
        self._weights: dict[tuple, tuple[Any, dict]] = {}
        self.handlers: dict[str, Callable[[Step], Blocks]] = {
            "given": self.given, "matvec": self.matvec, "matvec_t": self.matvec, "add": self.add,
            "subtract": self.add, "sum": self.total, "mean": self.total, "activation": self.activation,
            "softmax": self.softmax, "derivative": self.derivative, "hadamard": self.hadamard,
            "outer": self.outer, "loss": self.loss, "loss_gradient": self.loss_gradient,
            "update": self.update, "norm": self.norm, "clip_factor": self.clip_factor, "scale": self.scale,
            "clamp": self.clamp, "zero": self.zero, "complement": self.complement, "concat": self.concat,
            "slice": self.slice,
        }

    def step(self, step: Step) -> Blocks:
        """Dispatch on the op; an op with no handler is a bug, reported loudly."""
        handler = self.handlers.get(step.op)
        if handler is None:
            raise ValueError(f"the worksheet has no handler for op '{step.op}'")
        yield from handler(step)

    # --- one handler per op -----------------------------------------------------------------
    def given(self, step: Step) -> Blocks:
        if step.name.startswith("clip_"):
            yield Para(cell(Prose(f"gradient clipping by {step.name[5:]}: "), "c = ", self.value(step.value, step)))
        elif step.name.startswith("y[") or step.name == "h[0]":
            prefix = (Prose("target "),) if step.name.startswith("y[") else ()
            yield Para(cell(*prefix, f"{self.label(step.name)} = ", *self.vector(step.value, step)))

    def matvec(self, step: Step) -> Blocks:
        m, v = self.held(step, 0, keep=True), self.held(step, 1)  # kept: `weights` knows it by its id
        a, products = (m if step.op == "matvec" else m.T), self.products(step)
        expr = f"{self.label(step.operands[0])}{'ᵀ' if step.op == 'matvec_t' else ''}·{self.label(step.operands[1])}"
        default = f"{step.operands[0]}{'^T' if step.op == 'matvec_t' else ''} {step.operands[1]}"
        title = expr if step.name in (default, default.replace(" ", "·")) else f"{self.label(step.name)} = {expr}"
        cols = self.indices(len(v))
        every = None not in cols  # no column elided: a row of products is shown whole
        shown = [(j,) for j in cols if j is not None]  # the factors, the same in every row
        weights = self.weights(step, m)  # and the matrix's entries the same at every time step
        rows, value, equals = [], self.held(step), cell("= ")[0]
        products = products.tolist()
        lines = self.indices(len(value))
        sums = iter(self.value_row([value[i] for i in lines if i is not None], step, [(i,) for i in lines if i is not None]))
        headers = [cell("i"), cell(Prose("products")), cell(""), cell(Prose("sum"))]
        if not self.tagged:
            yield Table(cell(title), headers, self.text_rows(step, a, v, products, cols, lines, sums, weights),
                        left=(1, 2), stack=2)
            return
        known = iter(self.wrap(f) for f in self.operands([v[j] for (j,) in shown], step, 1, shown, term=True))
        factors = [[] if j is None else [TIMES, *next(known)] for j in cols]
        for i in lines:
            if i is None:
                rows.append([cell("…"), (), (), ()])
                continue
            written = weights.get(("row", i))
            if written is None:  # row i's entries, each after its `+` (`M[i,j]` or `…`), kept for the next time
                written = weights["row", i] = [([PLUS] if k else []) + ([ELIDED] if j is None else self.paren(
                    a[i, j], step, 0, (j, i) if step.op == "matvec_t" else (i, j), k > 0)) for k, j in enumerate(cols)]
            row = products[i]
            parts = self.signed_row(row, step, 1) if every else \
                signed_values([ELIDED if j is None else self.derived(row[j], step, 1) for j in cols])
            rows.append([row_number(i), tuple(chain.from_iterable(chain.from_iterable(zip(written, factors)))),
                         (equals, *parts), (equals, next(sums))])
        yield Table(cell(title), headers, rows, left=(1, 2), stack=2)

    def text_rows(self, step: Step, a: Any, v: Any, products: list, cols: list, lines: list, sums: Any,
                  weights: dict) -> list[list]:
        """`matvec`'s rows for a sheet no writer blanks or marks (`tagged` off): the products and their terms
        each one text, as the spans of a tagged row are written."""
        shown = [j for j in cols if j is not None]
        given = iter(self.texts([v[j] for j in shown], 0, True))
        factors = ["" if j is None else "×" + wrapped(next(given)) for j in cols]
        rows = []
        for i in lines:
            if i is None:
                rows.append([cell("…"), (), (), ()])
                continue
            written = weights.get(("text", i))
            if written is None:  # row i's entries as `paren` writes them, each after its ` + `
                entries = iter(self.texts([a[i, j] for j in shown], 0, True))
                written = weights["text", i] = [(" + " if k else "") + ("…" if j is None else wrapped(next(entries)) if k
                                                                       else next(entries)) for k, j in enumerate(cols)]
            row = products[i]
            terms = self.texts(row if len(shown) == len(cols) else [row[j] for j in shown], 1, True)
            rows.append([row_number(i), ("".join(map(str.__add__, written, factors)),),
                         ("= " + self.signed_text(terms, cols),), ("= ", next(sums))])
        return rows

    def products(self, step: Step) -> Any:
        """`row_products` of a matvec, as texts (`held`) when the step holds its operands' digits."""
        digits = getattr(step, "product_digits", None)
        got = None if digits is None else digits()
        if got is None:
            return row_products(step)
        return self.text_array(*got, 1)

    def weights(self, step: Step, m: Any) -> dict:
        """The written entries (`paren`) of a matvec's matrix `m` by (row, column, wrapped), kept while
        the same matrix object is the same operand of steps of the same example (W_hh at every time step)."""
        key = (id(m), step.op, step.operands[0], step.example)
        known = self._weights.get(key)
        if known is None or known[0] is not m:
            if len(self._weights) > 64:
                self._weights.clear()
            known = self._weights[key] = m, {}
        return known[1]

    def add(self, step: Step) -> Blocks:
        if step.op == "subtract":
            yield from self.elementwise(step, " − ".join(self.label(n) for n in step.operands),
                                        lambda a, b: [a, " - ", *self.wrap(b)])
        else:
            yield from self.elementwise(step, " + ".join(self.label(n) for n in step.operands),
                                        lambda *xs: signed(list(xs)))

    def total(self, step: Step) -> Blocks:
        examples = summed_examples(step)
        over = examples is not None
        mean = step.op == "mean"

        def formula() -> str:  # written out only where shown: a sum over 10,000 steps is a table instead
            names = [f"example {k}" for k in examples] if over else [self.label(n) for n in step.operands]
            return f"(1/{len(names)})·({' + '.join(names)})" if mean else " + ".join(names)

        def written(*xs: Value) -> list:
            s = signed(list(xs))
            return ["(", *s, f")/{len(xs)}"] if mean else s
        if len(step.operands) == 1 and not over:
            yield Para(cell(f"{self.label(step.name)} = {self.label(step.operands[0])} = ", *self.vector(step.value, step)))
        elif np.ndim(step.value) == 0:
            xs = [self.operand(x, step, i) for i, x in enumerate(step.inputs)]
            yield Para(cell(f"{self.label(step.name)} = {formula()} = ", *written(*xs), " = ", self.value(step.value, step)))
        elif over or mean or not by_time_step(step.operands):
            yield from self.elementwise(step, formula(), written)
        else:  # contributions of time steps
            yield from self.running_total(step)

    def running_total(self, step: Step) -> Blocks:
        """A sum over time steps, entry by entry, with the running totals a student carries."""
        value = np.asarray(step.value)
        entries = [(i,) for i in self.indices(value.shape[0])] if value.ndim == 1 else \
            [(i, j) for i in self.indices(value.shape[0]) for j in self.indices(value.shape[1])]
        last = len(step.operands) - 1  # the operands' names, not their values: a hand step makes those when read
        ks = self.indices(last + 1)
        running = self.running(step, [k for k in ks if k is not None])  # only the totals shown, by k
        steps = {k: split(step.operands[k])[1] for k in (0, *ks, last) if k is not None}
        headers = [cell(Prose("entry"))] + [cell("…" if k is None else f"{'+ ' if k else ''}t={steps[k]}") for k in ks]
        rows = [] if None in ks or any(None in e for e in entries) else self.total_rows(step, running, ks, entries)
        for e in entries if not rows else ():
            if None in e:
                rows.append([cell("…")] + [()] * len(ks))
                continue
            rows.append([cell(",".join(str(i + 1) for i in e))] + [
                cell("…") if k is None else
                cell(self.value(running[k][e], step, index=e) if k == last else self.derived(running[k][e], step))
                for k in ks])
        first = self.label(step.operands[0]).replace(f"(t={steps[0]})", "(t)").replace(f"_{steps[0]}", "_t")
        yield Table(cell(f"{self.label(step.name)} = Σ_t {first}", Prose(f": running totals from t={steps[0]} to "
                                                                        f"t={steps[last]}; the last is the sum")),
                    headers, rows)

    def running(self, step: Step, wanted: list[int]) -> dict[int, Any]:
        """`running_totals`, as texts (`held`) when the step holds its parts' digits."""
        digits = running_digits(step, wanted)
        if digits is None:
            return running_totals(step, wanted)
        return {k: self.text_array(m, e) for k, (m, e) in digits.items()}

    def total_rows(self, step: Step, running: dict, ks: list[int], entries: list[tuple]) -> list[list]:
        """`running_total`'s rows when every entry and time step is shown: one row of totals per entry (in
        the entries' order), the last total its value; [] for totals not held as arrays."""
        if not entries or not all(type(running[k]) is np.ndarray for k in ks):
            return []
        by_entry = zip(*[running[k].ravel().tolist() for k in ks])  # each entry's totals, from t = first to last
        rows = []
        for e, totals, end in zip(entries, by_entry, self.value_row([running[ks[-1]][e] for e in entries], step, entries)):
            rows.append([cell(",".join(str(i + 1) for i in e))] + [(v,) for v in self.derived_row(list(totals[:-1]), step)]
                        + [(end,)])
        return rows

    def activation(self, step: Step) -> Blocks:
        fn = step.detail
        yield from self.elementwise(step, f"{fn}({self.label(step.operands[0])})", lambda z: [f"{fn}(", z, ")"])

    def softmax(self, step: Step) -> Blocks:
        (o,) = step.inputs
        o_name = self.label(step.operands[0])
        rows = [[cell("…")] * 4 if i is None else
                [cell(str(i + 1)), cell(self.operand(o[i], step, 0, (i,))), cell(self.derived(step.terms[i], step)),
                 cell(self.value(step.value[i], step, index=(i,)))] for i in self.indices(len(o))]
        yield Table(cell(f"{self.label(step.name)} = softmax({o_name}) = exp({o_name}) / Σ exp({o_name}),  Σ = ",
                         self.derived(step.terms.sum(), step)),
                    [cell("i"), cell(o_name), cell(f"exp({o_name})"), cell(self.label(step.name))], rows)

    def derivative(self, step: Step) -> Blocks:
        if step.detail == "softmax":
            yield Matrix(self.matrix(step.value, step.name, True, step.example).rows,
                         cell(f"{self.label(step.name)} = diag(ŷ) − ŷ·ŷᵀ"))
            return
        arg = self.label(step.operands[0])
        pattern = DERIVATIVE_FORMULAS[step.detail]
        before, _, after = pattern.replace("−", "-").partition("{a}")
        if step.detail == "sigmoid":
            yield from self.elementwise(step, pattern.format(a=arg), lambda a: [*self.wrap(a), "·(1 - ", *self.wrap(a), ")"])
        elif "{a}" in pattern:
            yield from self.elementwise(step, pattern.format(a=arg), lambda a: [before, *self.wrap(a), after])
        else:
            yield from self.elementwise(step, pattern, lambda a: [pattern])

    def hadamard(self, step: Step) -> Blocks:
        yield from self.elementwise(step, " ⊙ ".join(self.label(n) for n in step.operands),
                                    lambda a, b: [*self.wrap(a), "×", *self.wrap(b)],
                                    named=step.name != " ".join(step.operands))

    def outer(self, step: Step) -> Blocks:
        a, b = self.held(step, 0), self.held(step, 1)
        cols = self.indices(len(b))
        headers = [cell("×")] + [cell("…" if j is None else self.operand(b[j], step, 1, (j,))) for j in cols]
        rows, value, shown = [], self.held(step, None, 1), [j for j in cols if j is not None]
        lines = self.indices(len(a))
        firsts = iter(self.operands([a[i] for i in lines if i is not None], step, 0, [(i,) for i in lines if i is not None]))
        for i in lines:
            if i is None:
                rows.append([cell("…")] * len(headers))
                continue
            entries = value[i].tolist() if type(value) is np.ndarray else [value[i, j] for j in range(len(b))]
            if None not in cols:  # every entry: the row's cells, each one Value, made at once
                rows.append([(next(firsts),), *zip(self.value_row(entries, step, entry_pairs(i, len(b)), 1))])
                continue
            known = iter(self.value_row([entries[j] for j in shown], step, [(i, j) for j in shown], 1))
            rows.append([(next(firsts),)] + [cell("…") if j is None else (next(known),) for j in cols])
        right = self.label(step.operands[1])
        title = f"{self.label(step.name)} = {self.label(step.operands[0])}·{f'({right})' if '⊙' in right else right}ᵀ"
        yield Table(cell(title), headers, rows)

    def loss(self, step: Step) -> Blocks:
        y_hat, y = step.inputs
        pieces: list[Any] = []
        for i in self.indices(len(y_hat)):
            p = self.operand(y_hat[i], step, 0, (i,), term=True)
            if i is None:
                pieces += ["…"]
            elif step.detail == "mse":
                pieces += [" + "] * bool(pieces) + ["½·(", p, " - ", *self.paren(y[i], step, 1, (i,)), ")²"]
            elif step.detail == "bce":
                pieces += [" + "] * bool(pieces) + (["-ln(", p, ")"] if y[i] else ["-ln(1 - ", *self.wrap(p), ")"])
            elif y[i]:
                pieces += [" + "] * bool(pieces) + ["-ln(", p, ")"]
        yield Para(cell(f"{self.label(step.name)} = {LOSS_FORMULAS[step.detail]} = ", *pieces, " = ",
                        self.value(step.value, step)))

    def loss_gradient(self, step: Step) -> Blocks:
        def one(p: Value, y: Value) -> list:
            if step.detail == "mse":
                return [p, " - ", *self.wrap(y)]
            if y.text != "0":
                return ["-1/", *self.wrap(p)]
            return ["0"] if step.detail == "ce" else ["1/(1 - ", *self.wrap(p), ")"]
        yield from self.elementwise(step, LOSS_GRADIENTS[step.detail], one)

    def update(self, step: Step) -> Blocks:
        old, grad, rate = step.inputs
        name, gname = self.label(step.operands[0]), self.label(step.operands[1])
        matrices = [self.matrix(v, n, result=n == step.name)
                    for v, n in ((old, step.operands[0]), (grad, step.operands[1]), (step.value, step.name))]
        yield SideBySide([cell(f"{name} (old)"), cell(gname), cell(f"{name} (new)")], matrices,
                         cell(f"{name} ← {name} − η·{gname},  η = {self.fmt(rate)}"))

    def zero(self, step: Step) -> Blocks:
        yield Para(cell(f"{self.label(step.name)} = ", *self.vector(step.value, step), Prose(f"  ({step.detail})")))

    def norm(self, step: Step) -> Blocks:
        squares = " + ".join(f"‖{self.label(n)}‖²" for n in step.operands)
        written = signed([self.derived(t, step) for t in step.terms])
        yield Para(cell(f"{self.label(step.name)} = √({squares}) = √(", *written, ") = ", self.value(step.value, step)))

    def clip_factor(self, step: Step) -> Blocks:
        norm, limit = step.inputs
        yield Para(cell(Prose("clip factor = "), f"min(1, c/{self.label(step.operands[0])}) = min(1, ",
                        self.operand(limit, step, 1), "/", self.operand(norm, step, 0), ") = ", self.value(step.value, step)))

    def scale(self, step: Step) -> Blocks:
        yield from self.elementwise(step, f"clip factor·{self.label(step.operands[0])}",
                                    lambda g, f: [*self.wrap(f), "×", *self.wrap(g)])

    def clamp(self, step: Step) -> Blocks:
        yield from self.elementwise(step, f"clip({self.label(step.operands[0])}, −c, c)",
                                    lambda g, c: ["clip(", g, ", ±", c, ")"])

    def complement(self, step: Step) -> Blocks:
        yield from self.elementwise(step, f"1 − {self.label(step.operands[0])}", lambda a: ["1 - ", *self.wrap(a)])

    def concat(self, step: Step) -> Blocks:
        parts = [self.label(n) for n in step.operands]
        yield Para(cell(f"{self.label(step.name)} = [{'; '.join(parts)}] = ", *self.vector(step.value, step)))

    def slice(self, step: Step) -> Blocks:
        start, stop = (int(i) for i in step.detail.split(":"))
        yield Para(cell(f"{self.label(step.name)} = {self.label(step.operands[0])}[{start + 1}…{stop}] = ",
                        *self.vector(step.value, step)))

    # --- building blocks --------------------------------------------------------------------
    def elementwise(self, step: Step, formula: str, written: Callable[..., list], named: bool = True) -> Blocks:
        """An entrywise op: its formula, then each component substituted and its result; a product
        named only by its factors is titled by its formula alone."""
        title = cell(f"{self.label(step.name)} = {formula}" if named else formula)
        value = self.held(step)
        if np.ndim(value) == 2:
            yield Matrix(self.matrix(step.value, step.name, True, step.example).rows, title)
            return
        shape = np.shape(value)
        inputs = [np.broadcast_to(np.asarray(self.held(step, n), dtype=object), shape) for n in range(len(step.operands))]
        entries = self.indices(shape[0])
        shown = [(i,) for i in entries if i is not None]
        columns = [iter(self.operands([v[i] for (i,) in shown], step, n, shown, term=True)) for n, v in enumerate(inputs)]
        results = iter(self.value_row([value[i] for (i,) in shown], step, shown))
        equals = cell("= ")[0]
        rows = [[cell("…"), (), ()] if i is None else
                [row_number(i), cell(*written(*[next(c) for c in columns])), (equals, next(results))]
                for i in entries]
        yield Table(title, [cell("i"), cell(Prose("substituted")), cell(self.label(step.name))], rows, left=(1,))


def wrapped(text: str) -> str:
    """A factor's text as `Cells.wrap` writes it: in parentheses when negative or compound."""
    return f"({text})" if compound(text) else text


_PAIRS: dict[tuple[int, int], list[tuple[int, int]]] = {}


def entry_pairs(i: int, n: int) -> list[tuple[int, int]]:
    """`[(i, j) for j in range(n)]`, the indices of row i of a matrix n wide, made once."""
    got = _PAIRS.get((i, n))
    if got is None:
        if len(_PAIRS) > 4096:
            _PAIRS.clear()
        got = _PAIRS[i, n] = [(i, j) for j in range(n)]
    return got


_ROW_NUMBERS: list[tuple] = []


def row_number(i: int) -> tuple:
    """`cell(str(i + 1))`, the cells of the first row numbers made once."""
    if i < len(_ROW_NUMBERS):
        return _ROW_NUMBERS[i]
    if i > 4096:
        return cell(str(i + 1))
    _ROW_NUMBERS.extend(cell(str(k + 1)) for k in range(len(_ROW_NUMBERS), i + 1))
    return _ROW_NUMBERS[i]
