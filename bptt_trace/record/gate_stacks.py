"""A gated cell's gates worked together in float64: each elementwise op once over stacked rows.

An LSTM step runs the same op on four gates: four sigmoids or tanhs, four slopes, four δz
products, eight outer products. At hidden sizes of tens each numpy call costs more in overhead
than in arithmetic, so here the gates' rows sit in one array and each op is one call over all of
them. Every gate still gets its own Steps, in the order the generic recorder appends them, with
its own value: a row (a view) of the stacked result, which nothing writes into once handed out.
The matrix-vector products stay one BLAS call per gate (`ndarray.dot` into the row): a stacked
product would add in another order and change the last bit. Elementwise arithmetic does not
depend on where an entry sits, so every value is bit for bit what the generic recorder computes.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np

from bptt_trace.record.gate_sums import GateSums
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.record.steps import Step

_new = tuple.__new__
_F64 = np.dtype(np.float64)
_exp, _tanh, _multiply, _subtract, _divide, _negative = np.exp, np.tanh, np.multiply, np.subtract, np.divide, np.negative
_reduce = np.add.reduce
_outer = np.multiply.outer
_isfinite = math.isfinite
_SQUASH = ("sigmoid", "tanh")


class Plan(NamedTuple):
    """How a layer's gates are stacked: sigmoid rows first, then tanh rows."""

    gates: Sequence           # the caller's (function, W, U, b) per gate, whose identity marks the plan as current
    rows: tuple[int, ...]     # each gate's row in the stack (gates in the caller's order)
    by_row: tuple[int, ...]   # each row's gate
    sigmoids: int             # rows [0, sigmoids) are sigmoid gates, the rest tanh
    W: tuple                  # per row: W, U arrays
    U: tuple
    B: np.ndarray             # the biases stacked by row (a copy: the same bits)
    inputs: int               # columns of W and of U
    state: int


def plan(gates: Sequence) -> Plan | None:
    """The stacking of a layer's gates, or None when one of them is not a float64 sigmoid/tanh gate."""
    fns = [g[0] for g in gates]
    if not gates or any(fn not in _SQUASH for fn in fns):
        return None
    by_row = tuple([j for j, fn in enumerate(fns) if fn == "sigmoid"] + [j for j, fn in enumerate(fns) if fn == "tanh"])
    Ws, Us, bs = [gates[j][1][1] for j in by_row], [gates[j][2][1] for j in by_row], [gates[j][3][1] for j in by_row]
    arrays = Ws + Us + bs
    if any(type(a) is not np.ndarray or a.dtype is not _F64 for a in arrays):
        return None
    H, inputs, state = bs[0].shape[0] if bs[0].ndim == 1 else -1, Ws[0].shape[-1], Us[0].shape[-1]
    if any(W.shape != (H, inputs) for W in Ws) or any(U.shape != (H, state) for U in Us) or \
            any(b.shape != (H,) for b in bs):
        return None
    rows = tuple(by_row.index(j) for j in range(len(gates)))
    return Plan(gates, rows, by_row, fns.count("sigmoid"), tuple(Ws), tuple(Us), np.array(bs), inputs, state)


def gate_layer(rec, gates: Sequence, names: Sequence, x: Q, h: Q) -> list[Q]:
    """`Recorder.gate_layer` with the gates stacked: the same steps and bits."""
    p = rec._layer_plan
    if p is None or p.gates is not gates:
        p = rec._layer_plan = plan(gates)
    X, V = x[1], h[1]
    if p is None or type(X) is not np.ndarray or type(V) is not np.ndarray or X.dtype is not _F64 or \
            V.dtype is not _F64 or X.shape != (p.inputs,) or V.shape != (p.state,):
        return Recorder.gate_layer(rec, gates, names, x, h)
    n, H = len(p.rows), p.B.shape[1]
    WX, UH = np.empty((2, n, H))
    PW, PU = p.W, p.U
    wx = [PW[k].dot(X, WX[k]) for k in range(n)]  # each product into its row (rows by index: faster than list())
    uh = [PU[k].dot(V, UH[k]) for k in range(n)]
    Z = WX + UH
    Z += p.B
    A = np.empty((n, H))
    m = p.sigmoids
    if m:
        e = _negative(Z[:m])
        _exp(e, out=e)
        e += 1.0
        _divide(1.0, e, out=A[:m])
    if m < n:
        _tanh(Z[m:], out=A[m:])
    out, rows, append, phase, ex, t = [], [], rec._append, rec.phase, rec.example, rec.t
    x_name, h_name = x[0], h[0]
    for (fn, W, U, b), (z_name, gate), r in zip(gates, names, p.rows):
        w, u, zr, ar = wx[r], uh[r], Z[r], A[r]
        wx_name, uh_name = f"{W[0]} {x_name}", f"{U[0]} {h_name}"
        append(_new(Step, ("matvec", phase, ex, t, wx_name, (W[0], x_name), (W[1], X), w, None, "")))
        append(_new(Step, ("matvec", phase, ex, t, uh_name, (U[0], h_name), (U[1], V), u, None, "")))
        append(_new(Step, ("add", phase, ex, t, z_name, (wx_name, uh_name, b[0]), (w, u, b[1]), zr, None, "")))
        append(_new(Step, ("activation", phase, ex, t, gate, (z_name,), (zr,), ar, None, fn)))
        out.append(_new(Q, (gate, ar)))
        rows.append(ar)
    rec._stacks[id(A)] = (A, tuple(rows), p)
    if not _isfinite(_reduce(Z, None)) and not rec.num.finite(Z):
        rec._report_first_non_finite()
    return out


def _deltas_entry(rec, gates: Sequence, X, V) -> tuple | None:
    """The stacked layer the gates' values are the rows of, if each δ can be stacked with them; else None."""
    first = gates[0][2][1] if gates else None
    A = first.base if type(first) is np.ndarray else None
    entry = rec._stacks.get(id(A)) if A is not None else None
    if entry is None or entry[0] is not A or len(entry[1]) != len(gates) or type(X) is not np.ndarray or \
            type(V) is not np.ndarray or X.dtype is not _F64 or V.dtype is not _F64 or X.ndim != 1 or V.ndim != 1:
        return None
    shape = A.shape[1:]
    for g, row, layer in zip(gates, entry[1], entry[2].gates):  # each slope of its gate's own function
        d = g[3][1]
        if g[2][1] is not row or g[1] != layer[0] or type(d) is not np.ndarray or d.dtype is not _F64 or \
                d.shape != shape:
            return None
    return entry


def gate_deltas(rec, gates: Sequence, x: Q, h: Q, into: Sequence | None = None) -> list[tuple[Q, Q, Q]]:
    """`Recorder.gate_deltas` with the gates stacked: the same steps and bits; sums in `GateSums` added stacked."""
    X, V = x[1], h[1]
    entry = _deltas_entry(rec, gates, X, V)
    if entry is None:
        return Recorder.gate_deltas(rec, gates, x, h, into)
    A, p = entry[0], entry[2]
    n, m = A.shape[0], p.sigmoids
    deltas = [gates[j][3][1] for j in p.by_row]
    G = np.concatenate(deltas)
    D = np.empty_like(A)
    if m:
        S, DS = A[:m], D[:m]
        _subtract(1.0, S, out=DS)
        DS *= S  # (1 − s)·s: the s·(1 − s) `ops` forms, bit for bit (a product does not depend on its order)
    if m < n:
        T, DT = A[m:], D[m:]
        _multiply(T, T, out=DT)
        _subtract(1.0, DT, out=DT)
    DZ = G.reshape(A.shape)
    DZ *= D
    stacks = (_outer(DZ, X), _outer(DZ, V), DZ)  # each row δz xᵀ: the products `ops` forms, in one call
    dWs, dUs = stacks[0], stacks[1]
    out, append, phase, ex, t = [], rec._append, rec.phase, rec.example, rec.t
    x_name, h_name = x[0], h[0]
    for (slope, fn, g, delta, dz_name, w_name, u_name), r in zip(gates, p.rows):
        d, dz, dW, dU = D[r], DZ[r], dWs[r], dUs[r]
        append(_new(Step, ("derivative", phase, ex, t, slope, (g[0],), (g[1],), d, None, fn)))
        append(_new(Step, ("hadamard", phase, ex, t, dz_name, (delta[0], slope), (delta[1], d), dz, None, "")))
        append(_new(Step, ("outer", phase, ex, t, w_name, (dz_name, x_name), (dz, X), dW, None, "")))
        append(_new(Step, ("outer", phase, ex, t, u_name, (dz_name, h_name), (dz, V), dU, None, "")))
        out.append((_new(Q, (dz_name, dz)), _new(Q, (w_name, dW)), _new(Q, (u_name, dU))))
    if into is not None:  # each gate's δz xᵀ, δz hᵀ and δz to its lists; a `GateSums` adds the stacks once
        if type(into) is GateSums and len(into.parts) == n:
            into.stacks.add(p.rows, stacks)
        for (q_dz, q_W, q_U), (to_W, to_U, to_b) in zip(out, into):
            to_W.append(q_W)
            to_U.append(q_U)
            to_b.append(q_dz)
    return out
