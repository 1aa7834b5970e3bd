"""The recorded primitives: each computes one operation (`ops.compute`), appends one Step, and
returns a named value."""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

from bptt_trace.errors import ArithmeticFault
from bptt_trace.record.ops import _OPS
from bptt_trace.record.steps import Step, Trace

# Inf and NaN propagate through sums and products, so checking the ops that could hide one
# (squashing functions, whose inputs are checked too) or must not pass one on (losses, totals,
# updates) finds every one.
CHECKED = frozenset({"activation", "softmax", "loss", "loss_gradient", "sum", "mean", "update", "norm"})
SQUASHING = frozenset({"activation", "softmax"})
# Activations that map finite inputs to finite outputs: checking the input settles both.
SAFE_ACTIVATIONS = frozenset({"tanh", "sigmoid", "relu", "identity"})
_new_step = tuple.__new__  # builds a Step or Q from its fields at once: the engine makes one per op


def _finite(num, op: str, detail: str, value: Any, values: tuple) -> bool:
    """Whether a checked op's result (and a squashing function's input, which could hide an overflow) is finite."""
    if op == "activation" and detail in SAFE_ACTIVATIONS:
        return num.finite(values[0])
    return num.finite(value) and (op not in SQUASHING or num.finite(values[0]))


def arithmetic_reason(exc: ArithmeticError) -> str:
    """What went wrong, in words: an overflow, a division by zero, or an invalid operation."""
    kind = type(exc).__name__
    if "Overflow" in kind:
        return "the result overflowed"
    if "Zero" in kind:
        return "a division by zero"
    if "Underflow" in kind:
        return "the result underflowed"
    return "an invalid operation (the log of a value that rounds to 0, a number too long for the precision, or not a number)"


class Q(NamedTuple):
    """A named quantity: the canonical name and its value."""

    name: str
    value: Any


class Recorder:
    """Appends Steps to a trace; `phase`, `example` and `t` are set by the engine as it goes."""

    def __init__(self, trace: Trace, numbers) -> None:
        self.trace, self.num = trace, numbers
        self.phase, self.example, self.t = "setup", None, None
        self._append = trace.steps.append  # the trace indexes its steps by name when first asked
        self._keeps = getattr(numbers, "keeps_results", False)  # result() returns its value unchanged

    def _op(self, op: str, name: str, operands: tuple[Q, ...], detail: str = "") -> Q:
        return self._record(op, name, tuple([q[0] for q in operands]), tuple([q[1] for q in operands]), detail)

    def _op1(self, op: str, name: str, a: Q, detail: str = "") -> Q:
        return self._record(op, name, (a[0],), (a[1],), detail)

    def _op2(self, op: str, name: str, a: Q, b: Q, detail: str = "") -> Q:
        return self._record(op, name, (a[0], b[0]), (a[1], b[1]), detail)

    def _record(self, op: str, name: str, names: tuple, values: tuple, detail: str) -> Q:
        """Compute one op from its operands' values, append its Step, and return the named result."""
        num = self.num
        try:
            value, terms = _OPS[op](detail, values, num)
            if not self._keeps:
                value = num.result(value, name)  # a result the student writes down: it may be rounded
        except ArithmeticError as exc:  # OverflowError, ZeroDivisionError, decimal.InvalidOperation, Overflow …
            raise self.fault(name, exc) from None
        self._append(_new_step(Step, (op, self.phase, self.example, self.t, name, names, values, value, terms, detail)))
        if op in CHECKED and not _finite(num, op, detail, value, values):
            self._report_first_non_finite()
        return _new_step(Q, (name, value))

    def _report_first_non_finite(self) -> None:
        step = next(s for s in self.trace.steps if not self._finite_step(s))
        where = f" (example {step.example}, step {step.t})" if step.example and step.t else \
            f" (example {step.example})" if step.example else ""
        raise ArithmeticFault(f"{step.name}{where} overflowed or is not a number; "
                              "the scenario's values are too large for this calculation")

    def _finite_step(self, step: Step) -> bool:
        """Whether a recorded step's value is finite."""
        return self.num.finite(step.value)

    def fault(self, name: str, exc: ArithmeticError) -> ArithmeticFault:
        """An arithmetic error met computing `name` (at the recorder's example and step) as a fault."""
        where = f" (example {self.example}, step {self.t})" if self.example and self.t else \
            f" (example {self.example})" if self.example else ""
        return ArithmeticFault(f"{name}{where}: {arithmetic_reason(exc)} ({self.num.name} arithmetic); "
                               "the scenario's values are too large (or too many digits) for this calculation")

    def given(self, name: str, value: Any, example: Any = ...) -> Q:
        """A value taken from the scenario (a parameter, an input, the initial state): never rounded."""
        ex = self.example if example is ... else example
        self._append(_new_step(Step, ("given", self.phase, ex, self.t, name, (), (), value, None, "")))
        return _new_step(Q, (name, value))

    def given_inputs(self, rows: Sequence[Any]) -> list:
        """A sequence's inputs (one vector per step) as values to record with `given`, made together: the hand
        recorder holds them as one array, and works out a matrix's products with all of them at once."""
        return [self.num.array(row) for row in rows]

    def matvec(self, m: Q, v: Q, name: str = "") -> Q:
        """M·v; each row's products are derived from the recorded operands by `row_products`."""
        return self._op2("matvec", name or f"{m[0]} {v[0]}", m, v)

    def matvec_t(self, m: Q, v: Q, name: str = "") -> Q:
        """Mᵀ·v; its products are derived from the operands by `row_products`."""
        return self._op2("matvec_t", name or f"{m[0]}^T {v[0]}", m, v)

    def add(self, name: str, *parts: Q) -> Q:
        """The elementwise sum of vectors or matrices."""
        return self._op("add", name, parts)

    def subtract(self, name: str, a: Q, b: Q) -> Q:
        """a − b elementwise."""
        return self._op2("subtract", name, a, b)

    def total(self, name: str, parts: list[Q], mean: bool = False, detail: str = "") -> Q:
        """Σ of many quantities (over steps, or over examples with `detail="examples 1,2"`), or their mean."""
        return self._op("mean" if mean else "sum", name, tuple(parts), detail)

    def activation(self, name: str, fn: str, z: Q) -> Q:
        """An elementwise activation: tanh, sigmoid, relu or identity."""
        return self._op1("activation", name, z, fn)

    def softmax(self, name: str, o: Q) -> Q:
        """softmax(o) with the exponentials kept as terms."""
        return self._op1("softmax", name, o, "softmax")

    def derivative(self, name: str, fn: str, a: Q) -> Q:
        """f'(z) written from the activation's output (tanh, sigmoid) or input (relu, identity)."""
        return self._op1("derivative", name, a, fn)

    def softmax_jacobian(self, name: str, p: Q) -> Q:
        """dŷ/do for softmax: diag(p) − p pᵀ."""
        return self._op1("derivative", name, p, "softmax")

    def hadamard(self, name: str, a: Q, b: Q) -> Q:
        """a ⊙ b elementwise; an empty name names the product by its factors."""
        return self._op2("hadamard", name or f"{a[0]} {b[0]}", a, b)

    def complement(self, name: str, a: Q) -> Q:
        """1 − a elementwise (a GRU's 1 − u)."""
        return self._op1("complement", name, a)

    def concat(self, name: str, *parts: Q) -> Q:
        """[a; b]: vectors stacked one above the other."""
        return self._op("concat", name, parts)

    def slice(self, name: str, a: Q, start: int, stop: int) -> Q:
        """Entries start … stop − 1 (from 0) of a vector: one part of a concatenation."""
        return self._op1("slice", name, a, f"{start}:{stop}")

    def outer(self, name: str, a: Q, b: Q) -> Q:
        """a bᵀ."""
        return self._op2("outer", name, a, b)

    def loss(self, name: str, kind: str, y_hat: Q, y: Q) -> Q:
        """The loss of one output, with each unit's term kept."""
        return self._op2("loss", name, y_hat, y, kind)

    def loss_gradient(self, name: str, kind: str, y_hat: Q, y: Q) -> Q:
        """dL/dŷ for one output."""
        return self._op2("loss_gradient", name, y_hat, y, kind)

    def update(self, name: str, old: Q, grad: Q, rate: Q) -> Q:
        """Gradient descent: old − η·grad."""
        return self._op("update", name, (old, grad, rate))

    def norm(self, name: str, parts: list[Q]) -> Q:
        """‖·‖: the square root of the sum of the squares of every entry of `parts`, taken together."""
        return self._op("norm", name, tuple(parts))

    def clip_factor(self, name: str, norm: Q, limit: Q) -> Q:
        """c/‖∇‖ when the norm is over c, else 1."""
        return self._op2("clip_factor", name, norm, limit)

    def scale(self, name: str, a: Q, factor: Q) -> Q:
        """a times a scalar factor."""
        return self._op2("scale", name, a, factor)

    def clamp(self, name: str, a: Q, limit: Q) -> Q:
        """Each entry of a held within [−c, c]."""
        return self._op2("clamp", name, a, limit)

    def zero(self, name: str, like: Q, why: str) -> Q:
        """A quantity that is zero (shaped like `like`), and why: e.g. no loss reaches this step."""
        return self._op1("zero", name, like, why)

    def recurrent_step(self, names: tuple[str, str, str, str], fn: str, W: Q, x: Q, U: Q, h: Q, b: Q) -> tuple[Q, Q]:
        """A vanilla RNN step, z = W·x + U·h + b and then f(z): matvec, matvec, add, activation, named by `names`
        (W·x, U·h, z, f(z)). Returns z and f(z); the hand recorder works a step out in one go (the same steps)."""
        z = self.add(names[2], self.matvec(W, x, names[0]), self.matvec(U, h, names[1]), b)
        return z, self.activation(names[3], fn, z)

    def delta_step(self, names: tuple[str, str, str], fn: str, U: Q, dz: Q, a: Q) -> Q:
        """δh = Uᵀ·δz (δz of the step after), then δz of this step = δh ⊙ f′, the slope from `a` (the activation's
        output, or for relu its input): matvec_t, derivative, hadamard, named by `names` (δh, f′, δz)."""
        dh = self.matvec_t(U, dz, names[0])
        return self.hadamard(names[2], dh, self.derivative(names[1], fn, a))

    def step_gradients(self, names: tuple[str, str, str, str], dz: Q, x: Q, h: Q, W: Q, into: Sequence[list]) -> Q:
        """A vanilla RNN step's shares of the gradients, δz xᵀ, δz hᵀ and the bias's δz (a sum of one part), each
        appended to its list of `into`; then δx = Wᵀ·δz. outer, outer, sum, matvec_t, named by `names`. Returns δx."""
        into[0].append(self.outer(names[0], dz, x))
        into[1].append(self.outer(names[1], dz, h))
        into[2].append(self.total(names[2], [dz]))
        return self.matvec_t(W, dz, names[3])

    def gate_layer(self, gates: Sequence[tuple[str, Q, Q, Q]], names: Sequence[tuple[str, str]], x: Q, h: Q) -> list[Q]:
        """Each gate's f(W·x + U·h + b), one gate after another: matvec, matvec, add, activation.

        `gates` holds each gate's function, W, U and b (the same tuple for every step of a sequence);
        `names` each gate's pre-activation and value names. Returns the gates' values. The float64
        recorder stacks the gates (the same steps and bits).
        """
        return [self.activation(gate, fn, self.add(z, self.matvec(W, x), self.matvec(U, h), b))
                for (fn, W, U, b), (z, gate) in zip(gates, names)]

    def gate_deltas(self, gates: Sequence[tuple], x: Q, h: Q, into: Sequence[tuple] | None = None) -> list[tuple[Q, Q, Q]]:
        """Per gate, δz = δgate ⊙ f′ and the weight gradients δz xᵀ and δz hᵀ (derivative, hadamard, outer, outer).

        `gates` holds, per gate, the slope's name, the function, the gate's value, δ of the gate's value,
        and the names of δz, of δz xᵀ and of δz hᵀ; returns (δz, δz xᵀ, δz hᵀ) per gate. With `into`
        (per gate three lists, as `gate_sums` gives), δz xᵀ, δz hᵀ and δz are appended to them.
        """
        out = []
        for slope, fn, g, delta, dz_name, w_name, u_name in gates:
            dz = self.hadamard(dz_name, delta, self.derivative(slope, fn, g))
            out.append((dz, self.outer(w_name, dz, x), self.outer(u_name, dz, h)))
        if into is not None:
            for (dz, dW, dU), (to_W, to_U, to_b) in zip(out, into):
                to_W.append(dW)
                to_U.append(dU)
                to_b.append(dz)
        return out

    def transposed_sum(self, name: str, pairs: Sequence[tuple[Q, Q]]) -> Q:
        """Σ Mᵀ·v over (M, v) pairs, named `name`: each product a `matvec_t`, then their `add` (one product
        alone is named `name` itself). How a δ reaches a quantity used in several products."""
        if len(pairs) == 1:
            return self.matvec_t(*pairs[0], name)
        return self.add(name, *(self.matvec_t(m, v) for m, v in pairs))

    def hadamards(self, products: Sequence[tuple[str, Q, Q]]) -> list[Q]:
        """Several a ⊙ b, given as (name, a, b), each recorded as `hadamard` in their order."""
        return [self.hadamard(name, a, b) for name, a, b in products]

    def sum_of_products(self, name: str, pairs: Sequence[tuple[Q, Q]]) -> Q:
        """Σ a ⊙ b over (a, b) pairs, named `name`: each product a `hadamard` named by its factors, then their `add`."""
        return self.add(name, *(self.hadamard("", a, b) for a, b in pairs))

    def gate_sums(self, gates: int) -> list[tuple[list, list, list]]:
        """Per gate, the lists its δz xᵀ, δz hᵀ and δz contributions go to (`gate_deltas(..., into=)`), for
        `total`: three `running_sum`s each; the float64 recorder's keep each kind's sum over the gates stacked."""
        return [(self.running_sum(), self.running_sum(), self.running_sum()) for _ in range(gates)]

    def running_sum(self) -> list:
        """An empty list to append a gradient's contributions to, for `total`; the float64 recorder's
        keeps their sum as they arrive."""
        return []
