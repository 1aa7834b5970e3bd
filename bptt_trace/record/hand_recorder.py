"""The hand-rounded engine, fast: HandDecimal's calculation in scaled integers, the same Decimals recorded.

`HandDecimal(K)` computes with object arrays of Decimals and rounds every recorded result to K places.
`HandRecorder` computes its hot primitives (products, sums, tanh and sigmoid and their slopes) on K-place
values held as float64 integer mantissas (`fixed.Fixed`): products are exact at 10^-2K, sums exact, and
rounding back to K places is exact integer arithmetic. tanh and sigmoid are computed in float64, and the
entries within a wide margin of a rounding boundary are recomputed by HandDecimal itself, so every result
equals HandDecimal's bit for bit. An op whose operands are not K-place values (a given with more decimals,
a scalar) or whose products could exceed 2^52 goes through the Decimal path (`Recorder._record`), as does
every op not written here. Steps hold Fixed values and read as Decimals (`fixed.LazyStep`).

`BPTT_TRACE_HAND_ENGINE=decimal` in the environment forces the Decimal recorder (for tests and comparisons).
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import partial
from typing import Any, Sequence

import numpy as np

from bptt_trace.numbers.systems import HandDecimal
from bptt_trace.record.deferred import OuterBatch, ProductBatch, deferred_sum, signed_sum
from bptt_trace.record.fixed import LIMIT, Fixed, LazyStep, count_nonzero as _nonzero, mantissas, quantize_float, rounder
from bptt_trace.record.hand_givens import InputRows, LazyGivens, decimal_array, input_rows
from bptt_trace.record.hand_steps import SIGMOID_SPAN as _SIGMOID_SPAN, FusedSteps, StateSlopes, slope_mantissas
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.record.steps import Trace

_new = tuple.__new__
_reduce = np.add.reduce
_divide, _multiply, _tanh = np.divide, np.multiply, np.tanh
MAX_PLACES = 9  # beyond this tanh's float margin nears a whole quantum: the Decimal path is as quick
_MARGIN = 1e-11  # of a quantum: float64 tanh/sigmoid err below ~1e-15 of 1, so a factor of 10^4 spare


def hand_recorder(trace: Trace, numbers) -> Recorder | None:
    """The fast recorder for a HandDecimal run of up to MAX_PLACES decimals, unless the Decimal one is asked for."""
    numbers = getattr(numbers, "base", numbers)  # a sub-run's recorder is handed `LazyGivens`
    if type(numbers) is not HandDecimal or not 0 <= numbers.places <= MAX_PLACES:
        return None
    if os.environ.get("BPTT_TRACE_HAND_ENGINE", "") == "decimal":
        return None
    return HandRecorder(trace, numbers)


def _dec(v: Any) -> Any:
    return v.decimals() if type(v) is Fixed else v


class HandRecorder(FusedSteps, Recorder):
    """A Recorder for HandDecimal whose hot primitives compute on scaled integers (see the module notes)."""

    def __init__(self, trace: Trace, numbers: HandDecimal) -> None:
        super().__init__(trace, numbers)
        self.num = LazyGivens(numbers)
        self.places, self.mode = numbers.places, numbers.mode
        self._one = float(10 ** numbers.places)  # 1 as a mantissa
        self._one_0d = np.array(self._one)  # the same, as a 0-d array (ufuncs take it faster)
        self._room = LIMIT - self._one  # products below this round exactly
        self._round = rounder(numbers.places, numbers.mode)  # 10^-2K to 10^-K
        self._known: dict[int, tuple[np.ndarray, Fixed]] = {}  # Decimal arrays already turned into Fixed
        self._outers: dict[tuple[int, int], OuterBatch] = {}  # the open batch of outer products of each shape
        # per (op, matrix): the open batch of its products, or None once one was read as soon as made
        self._products: dict[tuple[str, int], tuple[Fixed, ProductBatch | None]] = {}
        self._rows: dict[int, tuple[Fixed, InputRows, int]] = {}  # each input given by `given_inputs`: its place
        self._slopes = StateSlopes(self._one, self._round)

    # ---- operands and steps -------------------------------------------------------------------------
    def _fx(self, v: Any) -> Fixed | None:
        """A value as Fixed: itself, or a Decimal array of K-place values (converted once); else None."""
        if type(v) is Fixed:
            return v
        if type(v) is not np.ndarray or v.dtype != object:
            return None
        hit = self._known.get(id(v))
        if hit is not None and hit[0] is v:
            return hit[1]
        m = mantissas(v, self.places)
        f = None if m is None else Fixed(m, self.places, dec=v)
        self._known[id(v)] = (v, f)
        return f

    def _put(self, op: str, name: str, names: tuple, inputs: tuple, value: Fixed, detail: str = "") -> Q:
        """Append one step holding Fixed values; the named result."""
        self._append(_new(LazyStep, (op, self.phase, self.example, self.t, name, names, inputs, value, None, detail)))
        return _new(Q, (name, value))

    def _record(self, op: str, name: str, names: tuple, values: tuple, detail: str) -> Q:
        """The Decimal path: Fixed operands as the Decimals HandDecimal would hold."""
        return super()._record(op, name, names, tuple([_dec(v) for v in values]), detail)

    def _finite_step(self, step) -> bool:
        """Whether a step's value is finite: a Fixed one always is (and is not made into Decimals to tell)."""
        return type(tuple.__getitem__(step, 7)) is Fixed or self.num.finite(step.value)

    def given(self, name: str, value: Any, example: Any = ...) -> Q:
        """A value from the scenario, unrounded; held as Fixed when it is a K-place array."""
        f = value if type(value) is Fixed else self._fx(value)
        if f is None:
            return super().given(name, value, example)
        ex = self.example if example is ... else example
        self._append(_new(LazyStep, ("given", self.phase, ex, self.t, name, (), (), f, None, "")))
        return _new(Q, (name, f))

    def given_inputs(self, rows: Sequence[Any]) -> list:
        """A sequence's inputs as Fixed rows of one array (`input_rows`), when every one is a K-place vector."""
        made = input_rows(rows, self.places, self.num._known, partial(decimal_array, self.num.base))
        if made is None:
            return super().given_inputs(rows)
        for i, f in enumerate(made[0]):
            self._rows[id(f)] = (f, made[1], i)
        return made[0]

    def _fits(self, a: Fixed, b: Fixed, n: int = 1) -> bool:
        """Whether n products of entries of a and b, and their rounding, stay below 2^52."""
        room = self._room
        return a.bound * b.bound * n < room or a.tight() * b.tight() * n < room

    def _rounded(self, x: np.ndarray, bound: float) -> Fixed:
        """A product-scale (10^-2K) exact result rounded to K places."""
        return Fixed(self._round(x), self.places, bound / self._one + 1)

    def _pair(self, a: Any, b: Any) -> tuple[Fixed | None, Fixed | None]:
        """Two operands as Fixed (None for one that is not a K-place array)."""
        return (a if type(a) is Fixed else self._fx(a)), (b if type(b) is Fixed else self._fx(b))

    # ---- products -----------------------------------------------------------------------------------
    def matvec(self, m: Q, v: Q, name: str = "") -> Q:
        """M·v on mantissas, each row rounded once."""
        return self._product("matvec", name or f"{m[0]} {v[0]}", m, v, 1)

    def matvec_t(self, m: Q, v: Q, name: str = "") -> Q:
        """Mᵀ·v on mantissas, each column rounded once."""
        return self._product("matvec_t", name or f"{m[0]}^T {v[0]}", m, v, 0)

    def _product(self, op: str, name: str, m: Q, v: Q, axis: int) -> Q:
        """M·v (`axis` 1, M's rows summed) or Mᵀ·v (`axis` 0, its columns), the same BLAS products as `ops`."""
        M, V = m[1], v[1]
        if type(M) is not Fixed:
            M = self._fx(M)
        if type(V) is not Fixed:
            V = self._fx(V)
        value = None if M is None or V is None or M.m.ndim != 2 or V.m.ndim != 1 else self._made(op, M, V, axis)
        if value is None:
            return self._record(op, name, (m[0], v[0]), (m[1], v[1]), "")
        self._append(_new(LazyStep, (op, self.phase, self.example, self.t, name, (m[0], v[0]), (m[1], v[1]),
                                     value, None, "")))
        return _new(Q, (name, value))

    def _made(self, op: str, M: Fixed, V: Fixed, axis: int) -> Fixed | None:
        """The rounded product of a matrix and a vector (both Fixed): worked out with a sequence's other inputs,
        deferred, or now; None when its products could exceed 2^52."""
        a, b = M.m, V.m
        n = a.shape[axis]
        if M.bound * V.bound * n >= self._room and not self._fits(M, V, n):
            return None
        bound = M.bound * V.bound * n / self._one + 1
        if axis:
            row = self._rows.get(id(V))
            if row is not None and row[0] is V:
                return Fixed(row[1].product(a, row[2], self._round), self.places, bound)
        held = self._products.get((op, id(M)))
        batch = held[1] if held is not None and held[0] is M and (held[1] is None or held[1].open) else \
            self._batch_for(op, M, axis)
        if batch is not None:
            return batch.add(b, bound)
        x = a.dot(b) if axis else b.dot(a)
        if _nonzero(x) != x.size:
            x = signed_sum(a * (b if axis else b[:, None]), axis)
        return Fixed(self._round(x), self.places, bound)

    def _batch_for(self, op: str, M: Fixed, axis: int) -> ProductBatch | None:
        """A new batch to defer M's products (`_product` takes the open one, or None once M's products are made
        at once: a product read as soon as it is made, a step of the recurrence, gains nothing by waiting)."""
        key = (op, id(M))

        def settled(size: int) -> None:
            if size == 1:
                self._products[key] = (M, None)
        batch = ProductBatch(self._round, self.places, M.m, axis, settled)
        self._products[key] = (M, batch)
        return batch

    def hadamard(self, name: str, a: Q, b: Q) -> Q:
        """a ⊙ b, each product rounded."""
        name = name or f"{a[0]} {b[0]}"
        A, B = a[1], b[1]
        if type(A) is not Fixed or type(B) is not Fixed:
            A, B = self._pair(A, B)
        if A is None or B is None or (A.bound * B.bound >= self._room and not self._fits(A, B)):
            return self._record("hadamard", name, (a[0], b[0]), (a[1], b[1]), "")
        value = Fixed(self._round(A.m * B.m), self.places, A.bound * B.bound / self._one + 1)
        self._append(_new(LazyStep, ("hadamard", self.phase, self.example, self.t, name, (a[0], b[0]), (a[1], b[1]),
                                     value, None, "")))
        return _new(Q, (name, value))

    def outer(self, name: str, a: Q, b: Q) -> Q:
        """a bᵀ, each product rounded: deferred, and worked out with the others of its shape when one is read."""
        A, B = self._pair(a[1], b[1])
        if A is None or B is None or A.m.ndim != 1 or B.m.ndim != 1 or not self._fits(A, B):
            return self._record("outer", name, (a[0], b[0]), (a[1], b[1]), "")
        value = self._outer_batch(A.m.shape[0], B.m.shape[0]).add(A.m, B.m, A.bound * B.bound / self._one + 1)
        self._append(_new(LazyStep, ("outer", self.phase, self.example, self.t, name, (a[0], b[0]), (a[1], b[1]),
                                     value, None, "")))
        return _new(Q, (name, value))

    def _outer_batch(self, rows: int, columns: int) -> OuterBatch:
        """The open batch of outer products of this shape (a new one once the last was settled)."""
        batch = self._outers.get((rows, columns))
        if batch is None or not batch.open:
            batch = self._outers[rows, columns] = OuterBatch(self._round, self.places)
        return batch

    # ---- sums -----------------------------------------------------------------------------------------
    def _summed(self, parts: tuple) -> Fixed | None:
        """The exact left-to-right sum of K-place values, or None when one is not Fixed or it could overflow."""
        fs, bound = [], 0.0
        for v in parts:
            f = v if type(v) is Fixed else self._fx(v)
            if f is None:
                return None
            fs.append(f)
            bound += f.bound
        if not fs or (bound >= LIMIT and sum(f.tight() for f in fs) >= LIMIT):
            return None
        if len(fs) > 16:  # a gradient's contributions, deferred: summed without keeping them
            lazy = deferred_sum(fs)
            if lazy is not None:
                return Fixed(lazy, self.places, bound)
        ms = [f.m for f in fs]
        if len(ms) > 16 and len({m.shape for m in ms}) == 1:
            # exact integers, so any order gives the same sum; a zero is −0 only where every part is −0, in
            # any order (IEEE), so the reduction from −0 gives each sign a left-to-right sum gives
            return Fixed(_reduce(np.stack(ms), axis=0, initial=-0.0), self.places, bound)
        x = ms[0]
        for m in ms[1:]:
            x = x + m
        return Fixed(x, self.places, bound)

    def add(self, name: str, *parts: Q) -> Q:
        """The elementwise sum, exact (and so already at K places)."""
        values = tuple([q[1] for q in parts])
        value = self._summed(values)
        if value is None:
            return self._record("add", name, tuple([q[0] for q in parts]), values, "")
        return self._put("add", name, tuple([q[0] for q in parts]), values, value)

    def subtract(self, name: str, a: Q, b: Q) -> Q:
        """a − b, exact."""
        A, B = self._fx(a[1]), self._fx(b[1])
        if A is None or B is None or A.bound + B.bound >= LIMIT:
            return self._record("subtract", name, (a[0], b[0]), (a[1], b[1]), "")
        return self._put("subtract", name, (a[0], b[0]), (a[1], b[1]),
                         Fixed(A.m - B.m, self.places, A.bound + B.bound))

    def complement(self, name: str, a: Q) -> Q:
        """1 − a, exact."""
        A = self._fx(a[1])
        if A is None or A.bound + self._one >= LIMIT:
            return self._record("complement", name, (a[0],), (a[1],), "")
        return self._put("complement", name, (a[0],), (a[1],), Fixed(self._one - A.m, self.places, A.bound + self._one))

    def total(self, name: str, parts: list[Q], mean: bool = False, detail: str = "") -> Q:
        """Σ of quantities, exact; a mean (a division) by the Decimal path."""
        values = tuple([q[1] for q in parts])
        value = None if mean else self._summed(values)
        if value is None:
            return super().total(name, parts, mean, detail)
        return self._put("sum", name, tuple([q[0] for q in parts]), values, value, detail)

    # ---- activations and their slopes -----------------------------------------------------------------
    def activation(self, name: str, fn: str, z: Q) -> Q:
        """tanh or sigmoid in float64, the entries near a rounding boundary recomputed by HandDecimal."""
        Z = self._fx(z[1]) if fn in ("tanh", "sigmoid") else None
        if Z is None or (fn == "sigmoid" and Z.bound > _SIGMOID_SPAN * self._one and Z.tight() > _SIGMOID_SPAN * self._one):
            return self._record("activation", name, (z[0],), (z[1],), fn)
        return self._put("activation", name, (z[0],), (z[1],), Fixed(self._squashed(fn, name, Z.m), self.places,
                                                                     self._one), fn)

    def _squashed(self, fn: str, name: str, z: np.ndarray) -> np.ndarray:
        """tanh or sigmoid of the mantissas z, rounded to K places as HandDecimal rounds them."""
        one = self._one_0d
        u = _divide(z, one)
        t = _tanh(u, out=u) if fn == "tanh" else 1.0 / (1.0 + np.exp(-u))
        q, near = quantize_float(_multiply(t, one, out=t), self.mode, _MARGIN * self._one)
        if fn == "tanh" and _nonzero(z) != z.size:
            near |= z == 0  # HandDecimal's tanh(−0) is +0
        if _nonzero(near):
            self._exactly(fn, name, z, q, near)
        return q

    def _exactly(self, fn: str, name: str, z: np.ndarray, q: np.ndarray, near: np.ndarray) -> None:
        """Recompute the `near` entries of q as HandDecimal does (its own tanh or sigmoid, then its rounding)."""
        idx = np.flatnonzero(near)
        tail = f"E-{self.places}"
        args = np.empty(len(idx), dtype=object)
        args[:] = [Decimal(f"{v:.0f}{tail}") for v in z.ravel()[idx].tolist()]
        num = self.num
        with num.context():
            exact = num.result(getattr(num, fn)(args), name)
        q.reshape(-1)[idx] = mantissas(exact, self.places)

    def derivative(self, name: str, fn: str, a: Q) -> Q:
        """1 − v² (tanh) or v(1 − v) (sigmoid) from the activation's output, exact, then rounded."""
        V = self._fx(a[1]) if fn in ("tanh", "sigmoid") else None
        one = self._one
        if V is None or (V.bound + one) * max(V.bound, one) >= LIMIT - one:
            return self._record("derivative", name, (a[0],), (a[1],), fn)
        v = V.m
        x = slope_mantissas(fn, v, one)
        return self._put("derivative", name, (a[0],), (a[1],),
                         self._rounded(x, (V.bound + one) * max(V.bound, one)), fn)

