"""What each recorded op computes, as pure functions of its inputs in a number system.

The recorder uses them to build the trace; the homework checker uses them again to recompute
one step from a student's own numbers.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

import numpy as np

Result = tuple[Any, Any]  # (value, terms)
_F64 = np.dtype(np.float64)


def compute(op: str, detail: str, inputs: tuple, num) -> Result:
    """The value (and the written-out terms, where the op keeps them) of one op."""
    return _OPS[op](detail, inputs, num)


def _sum(parts: tuple) -> Any:
    total = parts[0]
    if len(parts) > 2 and _same_float_arrays(parts):  # in place after the first sum: the same additions, in order
        total = total + parts[1]
        for p in parts[2:]:
            total += p
        return total
    for p in parts[1:]:
        total = total + p
    return total


def _same_float_arrays(parts: tuple) -> bool:
    """Whether every part is a float64 array of one shape, so that a running total can be kept in place."""
    first = parts[0]
    if type(first) is not np.ndarray or first.dtype is not _F64:
        return False
    shape = first.shape
    for p in parts:
        if type(p) is not np.ndarray or p.shape != shape or p.dtype is not _F64:
            return False
    return True


def _matvec(detail: str, x: tuple, num) -> Result:
    """M·v; for float64, `ndarray.dot` calls the same BLAS routine as `@` with less overhead (the same bits)."""
    m, v = x
    return (m.dot(v) if m.dtype is _F64 and v.dtype is _F64 else m @ v), None


def _matvec_t(detail: str, x: tuple, num) -> Result:
    """Mᵀ·v; for float64, `v.dot(M)` is the same BLAS product as `M.T @ v` (the same bits)."""
    m, v = x
    return (v.dot(m) if m.dtype is _F64 and v.dtype is _F64 and v.ndim == 1 else m.T @ v), None


def _activation(fn: str, a: Any, num) -> Any:
    if fn == "relu":
        return a * (a > 0)
    if fn == "identity":
        return a + 0
    return getattr(num, fn)(a)


def _derivative(fn: str, inputs: tuple, num) -> Result:
    one, (v,) = num.const(1), inputs
    if fn == "softmax":
        return np.diag(v) - v[:, None] * v[None, :], None
    if fn == "tanh":
        return one - v * v, None
    if fn == "sigmoid":
        return v * (one - v), None
    if fn == "relu":
        return (v > 0) * one, None
    return v * 0 + one, None


def _softmax(detail: str, inputs: tuple, num) -> Result:
    exps = num.result(num.exp(inputs[0]), "exp")
    return exps / exps.sum(), exps


def _loss(kind: str, inputs: tuple, num) -> Result:
    p, target = inputs
    one = num.const(1)
    if kind == "mse":
        diff = p - target
        terms = diff * diff * num.const(Fraction(1, 2))
    elif kind == "ce":
        terms = np.where(target != 0, -target * num.log(np.where(target != 0, p, one)), 0 * p)
    else:  # bce, with targets 0 or 1: -ln p where y = 1, -ln(1 - p) where y = 0
        terms = -num.log(np.where(target != 0, p, one - p))
    terms = num.result(terms, "loss terms")
    return terms.sum(), terms


def _loss_gradient(kind: str, inputs: tuple, num) -> Result:
    p, target = inputs
    one = num.const(1)
    if kind == "mse":
        return p - target, None
    if kind == "ce":
        return -target / p, None
    # −y/ŷ + (1 − y)/(1 − ŷ), with targets 0 or 1 so that a saturated ŷ gives no 0/0
    return np.where(target != 0, -one / np.where(target != 0, p, one), one / np.where(target != 0, one, one - p)), None


def _mean(detail: str, inputs: tuple, num) -> Result:
    return _sum(inputs) * (num.const(1) / num.const(len(inputs))), None


def _norm(detail: str, inputs: tuple, num) -> Result:
    squares = tuple(np.sum(np.asarray(g * g, dtype=object if np.asarray(g).dtype == object else float)) for g in inputs)
    return num.sqrt(_sum(squares)), squares


def _clip_factor(detail: str, inputs: tuple, num) -> Result:
    norm, limit = inputs
    one = num.const(1)
    return (limit / norm if norm > limit else one), None


def _clamp(detail: str, inputs: tuple, num) -> Result:
    g, limit = inputs
    return np.minimum(np.maximum(g, -limit), limit), None


_OPS: dict[str, Callable[[str, tuple, Any], Result]] = {
    "matvec": _matvec,
    "matvec_t": _matvec_t,
    "add": lambda d, x, num: (_sum(x), None),
    "subtract": lambda d, x, num: (x[0] - x[1], None),
    "sum": lambda d, x, num: (_sum(x), None),
    "mean": _mean,
    "activation": lambda d, x, num: (_activation(d, x[0], num), None),
    "softmax": _softmax,
    "derivative": lambda d, x, num: _derivative(d, x, num),
    "hadamard": lambda d, x, num: (x[0] * x[1], None),
    "outer": lambda d, x, num: (x[0][:, None] * x[1][None, :], None),
    "loss": _loss,
    "loss_gradient": _loss_gradient,
    "update": lambda d, x, num: (x[0] - x[2] * x[1], None),
    "norm": _norm,
    "clip_factor": _clip_factor,
    "scale": lambda d, x, num: (x[0] * x[1], None),
    "clamp": _clamp,
    "zero": lambda d, x, num: (x[0] * 0, None),
    "complement": lambda d, x, num: (num.const(1) - x[0], None),
    "concat": lambda d, x, num: (np.concatenate(x), None),
    "slice": lambda d, x, num: (x[0][slice(*map(int, d.split(":")))], None),
}
