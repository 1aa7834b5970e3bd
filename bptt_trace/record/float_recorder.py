"""The recorder's hot primitives for float64, each in one Python frame: the same arithmetic as `ops`,
the same Steps, less overhead per op.

A long LSTM records tens of thousands of small ops, and at hidden sizes of tens the bookkeeping
around each (dispatch, operand tuples, `result`, the finiteness check) costs more than its numpy
call. Float64 keeps every result as computed and raises nothing under the run's `errstate`, so
these methods skip `result` and the fault handling and compute inline. Each computes exactly what
`ops.compute` does for its op (tests recompute every recorded step with `ops.compute` and compare
the bits); every other op, and every other number system, goes through `Recorder._record`.
"""

from __future__ import annotations

import math

import numpy as np

from bptt_trace.numbers.systems import Float64
from bptt_trace.record import gate_stacks
from bptt_trace.record.gate_sums import GateSums, StackedPart
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.record.running_sum import RunningSum
from bptt_trace.record.steps import Step, Trace

_new = tuple.__new__
_F64 = np.dtype(np.float64)
_reduce = np.add.reduce
_isfinite = math.isfinite
_exp = np.exp
_tanh = np.tanh


def recorder_for(trace: Trace, numbers) -> Recorder:
    """The recorder for a number system: the fast path for float64 itself, whose arithmetic it inlines, and
    for hand-rounded decimals (`hand_recorder`), which computes them in scaled integers."""
    if type(numbers) is Float64:
        return FloatRecorder(trace, numbers)
    from bptt_trace.record.hand_recorder import hand_recorder
    return hand_recorder(trace, numbers) or Recorder(trace, numbers)


class FloatRecorder(Recorder):
    """A Recorder whose most frequent primitives compute inline (float64 only)."""

    def __init__(self, trace: Trace, numbers) -> None:
        super().__init__(trace, numbers)
        self._layer_plan = None  # how the last gate layer's gates are stacked (`gate_stacks.plan`)
        self._stacks: dict[int, tuple] = {}  # id of a stacked gate array -> (it, each gate's row, its plan)

    # A gated cell's gates from W·x + U·h + b, and their δz and weight gradients, each elementwise op once
    # over the stacked gates: the functions themselves are the methods (one call fewer a step).
    gate_layer = gate_stacks.gate_layer
    gate_deltas = gate_stacks.gate_deltas

    def gate_sums(self, gates: int) -> GateSums:
        """Per gate, its three lists of contributions, each kind's sum kept over the gates stacked."""
        return GateSums(gates)

    def hadamards(self, products) -> list[Q]:
        """Several a ⊙ b in one frame, each as `hadamard` makes it."""
        out, append, phase, ex, t = [], self._append, self.phase, self.example, self.t
        for name, a, b in products:
            A, B = a[1], b[1]
            value = A * B
            name = name or f"{a[0]} {b[0]}"
            append(_new(Step, ("hadamard", phase, ex, t, name, (a[0], b[0]), (A, B), value, None, "")))
            out.append(_new(Q, (name, value)))
        return out

    def sum_of_products(self, name: str, pairs) -> Q:
        """Σ a ⊙ b of two pairs in one frame: each product as `hadamard` makes it, their sum as `add`."""
        if len(pairs) != 2:
            return super().sum_of_products(name, pairs)
        (a, b), (c, d) = pairs
        A, B, C, D = a[1], b[1], c[1], d[1]
        left, right = A * B, C * D
        value = left + right
        first, second = f"{a[0]} {b[0]}", f"{c[0]} {d[0]}"
        append, phase, ex, t = self._append, self.phase, self.example, self.t
        append(_new(Step, ("hadamard", phase, ex, t, first, (a[0], b[0]), (A, B), left, None, "")))
        append(_new(Step, ("hadamard", phase, ex, t, second, (c[0], d[0]), (C, D), right, None, "")))
        append(_new(Step, ("add", phase, ex, t, name, (first, second), (left, right), value, None, "")))
        return _new(Q, (name, value))

    def transposed_sum(self, name: str, pairs) -> Q:
        """Σ Mᵀ·v in one frame: each product `matvec_t`'s (`v.dot(M)`), summed left to right as `add` does."""
        cols = None
        for m, v in pairs:  # float64 matrices and vectors, the products all of one length (summed in place)
            M, V = m[1], v[1]
            if type(M) is not np.ndarray or type(V) is not np.ndarray or M.dtype is not _F64 or \
                    V.dtype is not _F64 or V.ndim != 1 or M.ndim != 2 or (cols is not None and M.shape[1] != cols):
                cols = -1
                break
            cols = M.shape[1]
        if len(pairs) < 2 or cols == -1:
            return super().transposed_sum(name, pairs)
        append, phase, ex, t = self._append, self.phase, self.example, self.t
        names, values = [], []
        for m, v in pairs:
            M, V = m[1], v[1]
            value = V.dot(M)
            product = f"{m[0]}^T {v[0]}"
            append(_new(Step, ("matvec_t", phase, ex, t, product, (m[0], v[0]), (M, V), value, None, "")))
            names.append(product)
            values.append(value)
        total = values[0] + values[1]
        for v in values[2:]:
            total += v
        append(_new(Step, ("add", phase, ex, t, name, tuple(names), tuple(values), total, None, "")))
        return _new(Q, (name, total))

    def running_sum(self) -> RunningSum:
        """A list for a gradient's contributions that keeps their sum as they arrive."""
        return RunningSum()

    def matvec(self, m: Q, v: Q, name: str = "") -> Q:
        """M·v; the same BLAS product as `ops` (`ndarray.dot`)."""
        M, V = m[1], v[1]
        value = M.dot(V) if M.dtype is _F64 and V.dtype is _F64 else M @ V
        name = name or f"{m[0]} {v[0]}"
        self._append(_new(Step, ("matvec", self.phase, self.example, self.t, name, (m[0], v[0]), (M, V), value,
                                 None, "")))
        return _new(Q, (name, value))

    def matvec_t(self, m: Q, v: Q, name: str = "") -> Q:
        """Mᵀ·v; the same BLAS product as `ops` (`v.dot(M)`)."""
        M, V = m[1], v[1]
        value = V.dot(M) if M.dtype is _F64 and V.dtype is _F64 and V.ndim == 1 else M.T @ V
        name = name or f"{m[0]}^T {v[0]}"
        self._append(_new(Step, ("matvec_t", self.phase, self.example, self.t, name, (m[0], v[0]), (M, V), value,
                                 None, "")))
        return _new(Q, (name, value))

    def hadamard(self, name: str, a: Q, b: Q) -> Q:
        """a ⊙ b elementwise."""
        A, B = a[1], b[1]
        value = A * B
        name = name or f"{a[0]} {b[0]}"
        self._append(_new(Step, ("hadamard", self.phase, self.example, self.t, name, (a[0], b[0]), (A, B), value,
                                 None, "")))
        return _new(Q, (name, value))

    def outer(self, name: str, a: Q, b: Q) -> Q:
        """a bᵀ."""
        A, B = a[1], b[1]
        value = A[:, None] * B[None, :]
        self._append(_new(Step, ("outer", self.phase, self.example, self.t, name, (a[0], b[0]), (A, B), value,
                                 None, "")))
        return _new(Q, (name, value))

    def add(self, name: str, *parts: Q) -> Q:
        """The elementwise sum, left to right; a running total in place after the first sum, as in `ops`."""
        values = tuple([q[1] for q in parts])
        if len(values) == 2:
            value = values[0] + values[1]
        elif len(values) > 2 and _same_arrays(values):
            value = values[0] + values[1]
            for v in values[2:]:
                value += v
        else:
            return self._op("add", name, parts)
        self._append(_new(Step, ("add", self.phase, self.example, self.t, name, tuple([q[0] for q in parts]),
                                 values, value, None, "")))
        return _new(Q, (name, value))

    def subtract(self, name: str, a: Q, b: Q) -> Q:
        """a − b elementwise."""
        A, B = a[1], b[1]
        value = A - B
        self._append(_new(Step, ("subtract", self.phase, self.example, self.t, name, (a[0], b[0]), (A, B), value,
                                 None, "")))
        return _new(Q, (name, value))

    def complement(self, name: str, a: Q) -> Q:
        """1 − a elementwise."""
        A = a[1]
        value = 1.0 - A
        self._append(_new(Step, ("complement", self.phase, self.example, self.t, name, (a[0],), (A,), value,
                                 None, "")))
        return _new(Q, (name, value))

    def total(self, name: str, parts: list[Q], mean: bool = False, detail: str = "") -> Q:
        """Σ of quantities; a sum of one array (a step's bias term) inline, or a sum a `RunningSum` kept;
        checked for Inf and NaN."""
        kind = type(parts)
        value = parts.total() if (kind is RunningSum or kind is StackedPart) and not mean else None
        if value is not None:
            self._append(_new(Step, ("sum", self.phase, self.example, self.t, name, tuple([q[0] for q in parts]),
                                     tuple([q[1] for q in parts]), value, None, detail)))
            if not _isfinite(_reduce(value, None)) and not self.num.finite(value):
                self._report_first_non_finite()
            return _new(Q, (name, value))
        if mean or len(parts) != 1 or type(parts[0][1]) is not np.ndarray:
            return super().total(name, parts, mean, detail)
        q = parts[0]
        value = q[1]
        self._append(_new(Step, ("sum", self.phase, self.example, self.t, name, (q[0],), (value,), value, None,
                                 detail)))
        if not _isfinite(_reduce(value, None)) and not self.num.finite(value):
            self._report_first_non_finite()
        return _new(Q, (name, value))

    def activation(self, name: str, fn: str, z: Q) -> Q:
        """tanh or sigmoid as the number system computes them; its input checked for Inf and NaN."""
        Z = z[1]
        if fn == "tanh":
            value = _tanh(Z)
        elif fn == "sigmoid":
            value = 1.0 / (1.0 + _exp(-Z))
        else:
            return self._op1("activation", name, z, fn)
        self._append(_new(Step, ("activation", self.phase, self.example, self.t, name, (z[0],), (Z,), value,
                                 None, fn)))
        if not _isfinite(_reduce(Z, None)) and not self.num.finite(Z):
            self._report_first_non_finite()
        return _new(Q, (name, value))

    def derivative(self, name: str, fn: str, a: Q) -> Q:
        """f′ from a tanh's or sigmoid's output: 1 − v², v(1 − v)."""
        V = a[1]
        if fn == "tanh":
            value = 1.0 - V * V
        elif fn == "sigmoid":
            value = V * (1.0 - V)
        else:
            return self._op1("derivative", name, a, fn)
        self._append(_new(Step, ("derivative", self.phase, self.example, self.t, name, (a[0],), (V,), value,
                                 None, fn)))
        return _new(Q, (name, value))


def _same_arrays(values: tuple) -> bool:
    """Whether the values are float64 arrays of one shape (a running total can then be kept in place)."""
    shape = values[0].shape if type(values[0]) is np.ndarray else None
    for v in values:
        if type(v) is not np.ndarray or v.dtype is not _F64 or v.shape != shape:
            return False
    return True
