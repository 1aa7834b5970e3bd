"""The recorded primitives: each computes one operation, appends one Step, and returns a named value."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from bptt_trace.errors import ArithmeticFault
from bptt_trace.trace import Step, Trace


class Q(NamedTuple):
    """A named quantity: the canonical name and its value."""

    name: str
    value: Any


class Recorder:
    """Appends Steps to a trace; `phase`, `example` and `t` are set by the engine as it goes."""

    def __init__(self, trace: Trace, numbers) -> None:
        self.trace, self.num = trace, numbers
        self.phase, self.example, self.t = "setup", None, None

    def _emit(self, op: str, name: str, operands: tuple[Q, ...], value: Any, terms: Any = None,
              detail: str = "", example: Any = ..., check: bool = False, written: bool = True) -> Q:
        if written:  # a result the student writes down: the number system may round it
            value = self.num.result(value, name)
        ex = self.example if example is ... else example
        names, values = tuple(zip(*operands)) or ((), ())
        self.trace.append(Step(op, self.phase, ex, self.t, name, names, values, value, terms, detail))
        # Inf and NaN propagate through sums and products, so checking where they could be
        # hidden (inputs of squashing functions) or must not pass (losses, totals) finds every one.
        if check and not (self.num.finite(value) and all(self.num.finite(q.value) for q in operands)):
            self._report_first_non_finite()
        return Q(name, value)

    def _report_first_non_finite(self) -> None:
        step = next(s for s in self.trace.steps if not self.num.finite(s.value))
        where = f" (example {step.example}, step {step.t})" if step.example else ""
        raise ArithmeticFault(f"{step.name}{where} overflowed or is not a number; "
                              "the scenario's values are too large for this calculation")

    def given(self, name: str, value: Any, example: Any = ...) -> Q:
        """A value taken from the scenario (a parameter, an input, the initial state)."""
        return self._emit("given", name, (), value, example=example, written=False)

    def matvec(self, m: Q, v: Q, name: str = "") -> Q:
        """M·v; each row's products are derived from the recorded operands by `row_products`."""
        return self._emit("matvec", name or f"{m.name} {v.name}", (m, v), m.value @ v.value)

    def matvec_t(self, m: Q, v: Q, name: str = "") -> Q:
        """Mᵀ·v; its products are derived from the operands by `row_products`."""
        return self._emit("matvec_t", name or f"{m.name}^T {v.name}", (m, v), m.value.T @ v.value)

    def add(self, name: str, *parts: Q) -> Q:
        """The elementwise sum of vectors or matrices."""
        total = parts[0].value
        for p in parts[1:]:
            total = total + p.value
        return self._emit("add", name, parts, total)

    def subtract(self, name: str, a: Q, b: Q) -> Q:
        """a − b elementwise."""
        return self._emit("subtract", name, (a, b), a.value - b.value)

    def total(self, name: str, parts: list[Q], mean: bool = False, detail: str = "") -> Q:
        """Σ of many quantities (over steps, or over examples with `detail="examples 1,2"`), or their mean."""
        total = parts[0].value
        for p in parts[1:]:
            total = total + p.value
        if mean:
            total = total * (self.num.const(1) / self.num.const(len(parts)))
        return self._emit("mean" if mean else "sum", name, tuple(parts), total, detail=detail, check=True)

    def activation(self, name: str, fn: str, z: Q) -> Q:
        """An elementwise activation: tanh, sigmoid, relu or identity."""
        return self._emit("activation", name, (z,), self._apply(fn, z.value), detail=fn, check=True)

    def _apply(self, fn: str, a: Any) -> Any:
        if fn == "relu":
            return a * (a > 0)
        if fn == "identity":
            return a + 0
        return getattr(self.num, fn)(a)

    def softmax(self, name: str, o: Q) -> Q:
        """softmax(o) with the exponentials kept as terms."""
        exps = self.num.result(self.num.exp(o.value), f"exp {o.name}")
        return self._emit("softmax", name, (o,), exps / exps.sum(), exps, detail="softmax", check=True)

    def derivative(self, name: str, fn: str, a: Q) -> Q:
        """f'(z) written from the activation's output (tanh, sigmoid) or input (relu, identity)."""
        one, v = self.num.const(1), a.value
        if fn == "tanh":
            value = one - v * v
        elif fn == "sigmoid":
            value = v * (one - v)
        elif fn == "relu":
            value = (v > 0) * one
        else:
            value = v * 0 + one
        return self._emit("derivative", name, (a,), value, detail=fn)

    def softmax_jacobian(self, name: str, p: Q) -> Q:
        """dŷ/do for softmax: diag(p) − p pᵀ."""
        v = p.value
        return self._emit("derivative", name, (p,), np.diag(v) - v[:, None] * v[None, :], detail="softmax")

    def hadamard(self, name: str, a: Q, b: Q) -> Q:
        """a ⊙ b elementwise."""
        return self._emit("hadamard", name, (a, b), a.value * b.value)

    def outer(self, name: str, a: Q, b: Q) -> Q:
        """a bᵀ."""
        return self._emit("outer", name, (a, b), a.value[:, None] * b.value[None, :])

    def loss(self, name: str, kind: str, y_hat: Q, y: Q) -> Q:
        """The loss of one output, with each unit's term kept."""
        p, target = y_hat.value, y.value
        one = self.num.const(1)
        if kind == "mse":
            diff = p - target
            terms = diff * diff * self.num.const(Fraction(1, 2))
        elif kind == "ce":
            terms = np.where(target != 0, -target * self.num.log(np.where(target != 0, p, one)), 0 * p)
        else:  # bce, with targets 0 or 1: -ln p where y = 1, -ln(1 - p) where y = 0
            terms = -self.num.log(np.where(target != 0, p, one - p))
        terms = self.num.result(terms, f"{name} terms")
        return self._emit("loss", name, (y_hat, y), terms.sum(), terms, detail=kind, check=True)

    def loss_gradient(self, name: str, kind: str, y_hat: Q, y: Q) -> Q:
        """dL/dŷ for one output."""
        p, target = y_hat.value, y.value
        one = self.num.const(1)
        if kind == "mse":
            value = p - target
        elif kind == "ce":
            value = -target / p
        else:  # −y/ŷ + (1 − y)/(1 − ŷ), with targets 0 or 1 so that a saturated ŷ gives no 0/0
            value = np.where(target != 0, -one / np.where(target != 0, p, one), one / np.where(target != 0, one, one - p))
        return self._emit("loss_gradient", name, (y_hat, y), value, detail=kind, check=True)

    def update(self, name: str, old: Q, grad: Q, rate: Q) -> Q:
        """Gradient descent: old − η·grad."""
        return self._emit("update", name, (old, grad, rate), old.value - rate.value * grad.value, check=True)
