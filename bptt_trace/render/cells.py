"""Cells of a worksheet: numbers as Values tagged with the canonical names they reveal, and the
vectors, matrices and parenthesised factors built from them."""

from __future__ import annotations

from decimal import Decimal
from itertools import chain, repeat
from operator import methodcaller
from typing import Any

import numpy as np

from bptt_trace.record.names import is_reported
from bptt_trace.render.blocks import Math, Matrix, Value, cell
from bptt_trace.render.labels import Labels
from bptt_trace.render.numfmt import _PLAIN_TYPES, NumberFormat
from bptt_trace.record.steps import Step, Trace


class Cells:
    """Formats numbers of a trace into Values; `max_items` bounds the rows, columns and terms shown."""

    tagged = True  # False for a sheet that no writer blanks or marks (the terminal's): a cell may be its text alone

    def __init__(self, fmt: NumberFormat | None = None, max_items: int = 8, labels: Labels | None = None) -> None:
        self.fmt = fmt or NumberFormat()
        self.label = labels or Labels()
        self.max_items = max_items
        self.elided = False
        self.feeds: dict[tuple[str, int | None], tuple[str, ...]] = {}
        self._derived: dict[int, tuple[Step, tuple[str, ...]]] = {}
        self._named: dict[tuple[str, int | None], tuple[tuple[str, ...], str]] = {}
        self._shapes: dict[tuple[int, int], tuple[Step, tuple]] = {}
        self._texts: dict[int, dict[Any, str]] = {}
        self._texts_fmt: NumberFormat | None = None
        self._scaled: dict[int, dict[complex, str]] = {}
        self._held: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._signed: dict[str, str] = {}  # a term's text after the first: ` + 0.13`, ` - 0.13`

    def sources(self, name: str, example: int | None) -> tuple[str, ...]:
        """The names a value of `name` reveals: itself, and for an intermediate what it feeds."""
        return (name,) if is_reported(name) else (name,) + self.feeds.get((name, example), ())

    def value(self, x: Any, step: Step, operand: int | None = None, index: tuple = (), extra: int = 0,
              term: bool = False) -> Value:
        """A number of `step`: its result (operand None) or one of its operands."""
        name = step.name if operand is None else step.operands[operand]
        if type(x) is str:  # a text from `held`
            text = x
        elif type(x) in _PLAIN_TYPES:
            text = self.text(x, extra)
        else:
            text = self.fmt.term(x, extra) if term else self.fmt(x, extra)
        entry = ENTRIES.get(index) or _entry(index)
        named = self._named.get((name, step.example))
        if named is None:
            named = self._named[name, step.example] = self.sources(name, step.example), self.label(name)
        return _new(Value, (text, name + entry, named[0], operand is None, step.example, named[1] + entry))

    def value_row(self, xs: list, step: Step, indices: list[tuple], extra: int = 0, operand: int | None = None,
               term: bool = False) -> list[Value]:
        """`[self.value(x, step, operand, i, extra, term) for x, i in zip(xs, indices)]`, the names looked up once."""
        name, example = step.name if operand is None else step.operands[operand], step.example
        named = self._named.get((name, example))
        if named is None:
            named = self._named[name, example] = self.sources(name, example), self.label(name)
        sources, shown = named
        entries = list(map(ENTRIES.get, indices))
        if None in entries:
            entries = [_entry(i) if e is None else e for e, i in zip(entries, indices)]
        return list(map(_new, repeat(Value), zip(self.texts(xs, extra, term), map(name.__add__, entries), repeat(sources),
                                                 repeat(operand is None), repeat(example), map(shown.__add__, entries))))

    def operands(self, xs: list, step: Step, n: int, indices: list[tuple], term: bool = False) -> list[Value]:
        """`[self.operand(x, step, n, i, term) for x, i in zip(xs, indices)]`, the operand's shape looked up once."""
        shape = self.operand_shape(step, n)
        return self.value_row(xs, step, [i if len(shape) == len(i) and shape else () for i in indices], 0, n, term)

    def text(self, x: Any, extra: int = 0) -> str:
        """`self.fmt(x, extra)` of a plain number (no exact form), each distinct one formatted once; a str
        (a text from `held`) is itself."""
        if type(x) is str:
            return x
        texts = self.cache(extra)
        key = str(x) if type(x) is Decimal else x  # a Decimal by its text: 0.10 is not 0.1 here
        text = texts.get(key)
        if text is None:
            text = texts[key] = self.fmt.plain(x, extra)  # what fmt(x, extra) makes of a plain number
        return text

    def texts(self, xs: list, extra: int = 0, term: bool = False) -> list[str]:
        """The texts `value` gives numbers: `text` of plain ones (for a list of one plain type, looked up at
        once), `fmt.term` (or `fmt`) of exact ones."""
        kinds = set(map(type, xs))
        kind = kinds.pop() if len(kinds) == 1 else None
        if kind is str:  # texts from `held`
            return xs
        if kind not in _PLAIN_TYPES:
            return [self.text(x, extra) if type(x) in _PLAIN_TYPES else self.fmt.term(x, extra) if term else
                    self.fmt(x, extra) for x in xs]
        known = self.cache(extra)
        keys = list(map(str, xs)) if kind is Decimal else xs
        got = list(map(known.get, keys))
        if None in got:
            for n, text in enumerate(got):
                if text is None:
                    got[n] = known[keys[n]] = self.fmt.plain(xs[n], extra)
        return got

    def held(self, step: Step, n: int | None = None, extra: int = 0, keep: bool = False) -> Any:
        """Operand n of a step (None: its result) as an array of the texts its entries are shown as, made from
        the digits a hand-rounded step holds without making its Decimals; else the values themselves. `value`,
        `value_row`, `operands`, `derived` and `texts` take such a text where they take a number. `keep`: the
        same array while the operand is the same (a weight matrix, at every time step)."""
        got = _digits(step, n)
        if got is None:
            return step.value if n is None else step.inputs[n]
        m, e = got
        if keep:
            known = self._held.get((id(m), extra))
            if known is not None and known[0] is m:
                return known[1]
        out = self.text_array(m, e, extra)
        if keep:
            if len(self._held) > 64:
                self._held.clear()
            self._held[id(m), extra] = (m, out)
        return out

    def text_array(self, m: np.ndarray, e: Any, extra: int = 0) -> np.ndarray:
        """`scaled_texts` as an object array of m's shape."""
        out = np.empty(m.size, dtype=object)
        out[:] = self.scaled_texts(m, e, extra)
        return out.reshape(m.shape)

    def scaled_texts(self, m: np.ndarray, e: Any, extra: int = 0) -> list[str]:
        """`fmt.scaled` of the Decimals m·10^e (e one exponent, or one per entry), flat; each distinct one
        formatted once, known by (mantissa, exponent) as one complex number."""
        self._for_format()
        known = self._scaled.get(extra)
        if known is None or len(known) > _CACHE_SIZE:
            known = self._scaled[extra] = {}
        keys = (m + 1j * e).ravel().tolist()  # a zero's sign is lost here: a zero's text has none
        got = list(map(known.get, keys))
        if None in got:
            scaled = self.fmt.scaled
            for n, text in enumerate(got):
                if text is None:
                    key = keys[n]
                    got[n] = known[key] = scaled(key.real, key.imag, extra)
        return got

    def operand_shape(self, step: Step, n: int) -> tuple:
        """The shape of operand n, looked up once a step (without making a hand step's Decimals)."""
        known = self._shapes.get((id(step), n))
        if known is None or known[0] is not step:
            got = _digits(step, n)
            known = self._shapes[id(step), n] = step, (np.shape(step.inputs[n]) if got is None else got[0].shape)
        return known[1]

    def cache(self, extra: int = 0) -> dict[Any, str]:
        """The texts of plain numbers with `extra` decimals by number (a Decimal by its text), started again
        for a new format or when full."""
        self._for_format()
        known = self._texts.get(extra)
        if known is None or len(known) > _CACHE_SIZE:
            known = self._texts[extra] = {}
        return known

    def _for_format(self) -> None:
        """The text caches, started again when the format is not the one they were made for."""
        if self.fmt is not self._texts_fmt:
            self._texts, self._scaled, self._texts_fmt = {}, {}, self.fmt

    def derived(self, x: Any, step: Step, extra: int = 0) -> Value:
        """A number worked out inside a step (a product, a running total): it reveals the step and its inputs."""
        plain = type(x) in _PLAIN_TYPES or type(x) is str
        return _new(Value, (self.text(x, extra) if plain else self.fmt.term(x, extra), None,
                            self.step_sources(step), False, None, None))

    def step_sources(self, step: Step) -> tuple[str, ...]:
        """The names a number worked out inside `step` reveals: the step's and its inputs'."""
        known = self._derived.get(id(step))
        if known is None or known[0] is not step:  # the names are the step's: worked out once, not per number
            known = self._derived[id(step)] = step, self.sources(step.name, step.example) + (
                step.operands if all_reported(step.operands) else
                tuple(n for n in step.operands for n in self.sources(n, step.example)))
        return known[1]

    def derived_row(self, xs: list, step: Step, extra: int = 0) -> list[Value]:
        """`[self.derived(x, step, extra) for x in xs]`, the names and the cache looked up once for the row."""
        return list(map(_new, repeat(Value), zip(self.texts(xs, extra, True), repeat(None), repeat(self.step_sources(step)),
                                                 repeat(False), repeat(None), repeat(None))))

    def signed_row(self, xs: list, step: Step, extra: int = 0) -> list:
        """`signed_values(self.derived_row(xs, step, extra))`: the numbers joined by `+`, a negative one by `-`."""
        if not xs:
            return []
        texts, sources = self.texts(xs, extra, True), self.step_sources(step)
        rest = texts[1:]
        signs = list(map(_SIGNS.__getitem__, map(methodcaller("startswith", "-"), rest)))
        values = map(_new, repeat(Value), zip([t[1:] if t[:1] == "-" else t for t in rest], repeat(None), repeat(sources),
                                              repeat(False), repeat(None), repeat(None)))
        return [_new(Value, (texts[0], None, sources, False, None, None)), *chain.from_iterable(zip(signs, values))]

    def operand(self, x: Any, step: Step, n: int, index: tuple = (), term: bool = False) -> Value:
        """Operand n of a step, entry `index` (the index into the operand itself)."""
        shape = self.operand_shape(step, n)
        own = index if len(shape) == len(index) and shape else ()
        return self.value(x, step, n, own, term=term)

    def paren(self, x: Any, step: Step, n: int, index: tuple, wrap: bool = True) -> list:
        return self.wrap(self.operand(x, step, n, index, term=True)) if wrap else [self.operand(x, step, n, index, term=True)]

    @staticmethod
    def wrap(v: Value) -> list:
        """A factor in parentheses when negative or a compound expression."""
        return [_OPEN, v, _CLOSE] if compound(v.text) else [v]

    def signed_text(self, texts: list[str], cols: list[int | None]) -> str:
        """The text of `signed_values` of terms with these texts, one per shown column (an elided one `…`):
        joined by ` + `, a negative one by ` - ` without its own sign."""
        known = self._signed
        if None in cols:
            it = iter(texts)
            parts = [None if j is None else next(it) for j in cols]
            return parts[0] + "".join(" + …" if t is None else (" - " + t[1:]) if t[:1] == "-" else " + " + t
                                      for t in parts[1:])
        got = list(map(known.get, texts[1:]))
        if None in got:
            if len(known) > _CACHE_SIZE:
                known.clear()
            for n, t in enumerate(texts[1:]):
                if got[n] is None:
                    got[n] = known[t] = (" - " + t[1:]) if t[:1] == "-" else " + " + t
        return texts[0] + "".join(got)

    def vector(self, v: Any, step: Step) -> list:
        if np.ndim(v) == 0:
            return [self.value(v, step)]
        if np.ndim(v) == 1:
            out: list[Any] = ["["]
            for k, i in enumerate(self.indices(len(v))):
                out += [", "] * bool(k) + ["…" if i is None else self.value(v[i], step, index=(i,))]
            return out + ["]"]
        out = ["["]
        for r in range(len(v)):
            out += [", "] * bool(r) + ["["]
            for c in range(len(v[r])):
                out += [", "] * bool(c) + [self.value(v[r][c], step, index=(r, c))]
            out += ["]"]
        return out + ["]"]

    def matrix(self, v: Any, name: str, result: bool = False, example: int | None = None) -> Matrix:
        """A matrix, or a vector as a column, of values, elided beyond `max_items`."""
        column = np.ndim(v) == 1
        m = np.asarray(v, dtype=object)[:, None] if column else v
        cols = self.indices(m.shape[1])
        rows = []
        for i in self.indices(m.shape[0]):
            entries = {j: f" #{i + 1}" + ("" if column else f",{j + 1}") for j in cols if i is not None and j is not None}
            rows.append([cell("…") if j not in entries else
                         cell(Value(self.fmt(m[i, j]), name + entries[j], (name,), result, example,
                                    self.label(name) + entries[j])) for j in cols])
        return Matrix(rows)

    def indices(self, n: int) -> list[int | None]:
        """Indices to show: all, or the first ones, a None for the gap, and the last."""
        if n <= self.max_items:
            return list(range(n))
        self.elided = True
        return list(range(self.max_items - 1)) + [None, n - 1]


ENTRIES: dict[tuple, str] = {}
_CACHE_SIZE = 200_000  # distinct numbers formatted and kept by one Cells: beyond this the cache starts again
_new = tuple.__new__  # a Value made without NamedTuple's Python-level __new__ (the same tuple)
# the spans written most often, made Math once (as `cell` would make them)
_OPEN, _CLOSE, PLUS, MINUS, TIMES, ELIDED = Math("("), Math(")"), Math(" + "), Math(" - "), Math("×"), Math("…")
_SIGNS = (PLUS, MINUS)  # by whether the number after it is negative


def _digits(step: Step, n: int | None) -> Any:
    """`LazyStep.digits(n)` of a hand-rounded step; None for any other step."""
    digits = getattr(step, "digits", None)
    return None if digits is None else digits(n)


def compound(text: str) -> bool:
    """Whether a factor's text is written in parentheses: negative, or a compound expression."""
    return text.startswith("-") or " + " in text or " - " in text[1:]


def _entry(index: tuple) -> str:
    """An entry's suffix: ` #2` or ` #1,3` (from 1), '' for a scalar; kept for the next time."""
    text = ENTRIES[index] = f" #{','.join(str(i + 1) for i in index)}" if index else ""
    return text


def all_reported(names: tuple[str, ...]) -> bool:
    """Whether every name is a reported quantity (`names.is_reported`), for many names by one look at them all."""
    if len(names) < 16:
        return all(is_reported(n) for n in names)
    joined = "\x00" + "\x00".join(names) + "\x00"
    if " " in joined or "·" in joined or "_new\x00" in joined or "\x00learning_rate\x00" in joined:
        return all(is_reported(n) for n in names)
    return joined.count("\x00") == len(names) + 1 or all(is_reported(n) for n in names)


def feeds(trace: Trace) -> dict[tuple[str, int | None], tuple[str, ...]]:
    """For each intermediate (unreported) quantity, the reported quantities it is an operand of."""
    feeds: dict[tuple[str, int | None], list[str]] = {}
    for s in trace.steps:
        for o in s.operands:
            if not is_reported(o):
                feeds.setdefault((o, s.example), []).append(s.name)
    return {k: tuple(v) for k, v in feeds.items()}


def signed_values(values: list) -> list:
    """`signed` of Values and Math spans (no bare strings), the common case written faster."""
    out: list[Any] = [values[0]]
    add = out.append
    for p in values[1:]:
        if type(p) is Value and p[0].startswith("-"):
            add(MINUS)
            add(_new(Value, (p[0][1:], *p[1:])))
        else:
            add(PLUS)
            add(p)
    return out


def signed(parts: list) -> list:
    """Values joined by `+`, a negative one written as `- 0.04` rather than `+ -0.04`."""
    out: list[Any] = [parts[0]]
    for p in parts[1:]:
        text = p.text if isinstance(p, Value) else p
        if text.startswith("-") and isinstance(p, Value):
            out += [MINUS, _new(type(p), (text[1:], *p[1:]))]  # p._replace(text=text[1:]), without its cost
        else:
            out += [PLUS, p]
    return out
