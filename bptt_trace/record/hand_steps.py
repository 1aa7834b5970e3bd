"""The vanilla RNN's steps on the fast hand engine, each worked out in one go.

`Recorder.recurrent_step`, `delta_step` and `step_gradients` record a step as three or four primitives. Here the operands
are checked once and the values made with no call per op: the same mantissas, bounds and Steps as the
hand recorder's primitives one by one (its tests compare them). Anything else (an operand that is not
Fixed, a bound that could reach 2^52, a sigmoid of a large input) goes through those primitives.
"""

from __future__ import annotations

import numpy as np

from bptt_trace.record.deferred import signed_sum
from bptt_trace.record.fixed import LIMIT, Fixed, LazyStep, count_nonzero
from bptt_trace.record.recorder import Q

SIGMOID_SPAN = 700.0  # |z| beyond which float64 exp overflows (and Decimal's may): the Decimal path
_SQUASH = ("tanh", "sigmoid")
_new = tuple.__new__


def slope_mantissas(fn: str, v: np.ndarray, one: float) -> np.ndarray:
    """tanh's 1 − v² or sigmoid's v(1 − v) from the activation's mantissas v, exact (at 10^-2K, unrounded)."""
    return one * one - v * v if fn == "tanh" else v * (one - v)


class StateSlopes:
    """The slopes f′ of the states `recurrent_step` makes (tanh's 1 − h², sigmoid's h(1 − h)), rounded, worked
    out for every state made so far on the first ask: the backward pass asks for each state's once."""

    def __init__(self, one: float, round_) -> None:
        self.one, self.round = one, round_
        self.pending: dict[str, list[Fixed]] = {}
        self.made: dict[int, tuple[Fixed, np.ndarray]] = {}

    def note(self, fn: str, h: Fixed) -> None:
        """A state f(z) just made, whose slope the backward pass will ask for."""
        self.pending.setdefault(fn, []).append(h)

    def of(self, fn: str, h: Fixed) -> np.ndarray | None:
        """The rounded slope from state h (its mantissas), or None for a state not noted."""
        hit = self.made.get(id(h))
        if (hit is None or hit[0] is not h) and self.pending.get(fn):
            self._work_out(fn, self.pending.pop(fn))
            hit = self.made.get(id(h))
        return hit[1] if hit is not None and hit[0] is h else None

    def _work_out(self, fn: str, states: list[Fixed]) -> None:
        if len({s.m.shape for s in states}) != 1:
            return
        one, v = self.one, np.stack([s.m for s in states])
        slopes = self.round(slope_mantissas(fn, v, one))
        self.made.update({id(s): (s, row) for s, row in zip(states, slopes)})


class FusedSteps:
    """The hand recorder's `recurrent_step`, `delta_step` and `step_gradients` (a mixin of `HandRecorder`,
    using its mantissa helpers: `_rows`, `_slopes`, `_round`, `_squashed`, `_made`, `_outer_batch`, `_one`,
    `_room`)."""

    def recurrent_step(self, names: tuple[str, str, str, str], fn: str, W: Q, x: Q, U: Q, h: Q, b: Q) -> tuple[Q, Q]:
        """f(W·x + U·h + b) on mantissas, W·x taken from the sequence's products worked out at once."""
        Wf, X, Uf, Hf, Bf = W[1], x[1], U[1], h[1], b[1]
        row = self._rows.get(id(X))
        if (row is None or row[0] is not X or fn not in _SQUASH or type(Wf) is not Fixed or type(Uf) is not Fixed
                or type(Hf) is not Fixed or type(Bf) is not Fixed or Wf.m.ndim != 2 or Uf.m.ndim != 2
                or Hf.m.ndim != 1 or Bf.m.ndim != 1):
            return super().recurrent_step(names, fn, W, x, U, h, b)
        one, room, a, v = self._one, self._room, Uf.m, Hf.m
        b1, b2 = Wf.bound * X.bound * Wf.m.shape[1], Uf.bound * Hf.bound * a.shape[1]
        if b1 >= room or b2 >= room:
            return super().recurrent_step(names, fn, W, x, U, h, b)
        b1, b2 = b1 / one + 1, b2 / one + 1
        bz = b1 + b2 + Bf.bound
        if bz >= LIMIT or (fn == "sigmoid" and bz > SIGMOID_SPAN * one):
            return super().recurrent_step(names, fn, W, x, U, h, b)
        p1 = row[1].product(Wf.m, row[2], self._round)
        y = a.dot(v)
        if count_nonzero(y) != y.size:
            y = signed_sum(a * v, 1)
        p2 = self._round(y)
        zm = p1 + p2
        zm += Bf.m
        P1, P2, Z = Fixed(p1, self.places, b1), Fixed(p2, self.places, b2), Fixed(zm, self.places, bz)
        Hn = Fixed(self._squashed(fn, names[3], zm), self.places, one)
        self._slopes.note(fn, Hn)
        phase, ex, t, append = self.phase, self.example, self.t, self._append
        append(_new(LazyStep, ("matvec", phase, ex, t, names[0], (W[0], x[0]), (Wf, X), P1, None, "")))
        append(_new(LazyStep, ("matvec", phase, ex, t, names[1], (U[0], h[0]), (Uf, Hf), P2, None, "")))
        append(_new(LazyStep, ("add", phase, ex, t, names[2], (names[0], names[1], b[0]), (P1, P2, Bf), Z, None, "")))
        append(_new(LazyStep, ("activation", phase, ex, t, names[3], (names[2],), (Z,), Hn, None, fn)))
        return _new(Q, (names[2], Z)), _new(Q, (names[3], Hn))

    def delta_step(self, names: tuple[str, str, str], fn: str, U: Q, dz: Q, a: Q) -> Q:
        """δh = Uᵀ·δz, f′ from a, and δh ⊙ f′ on mantissas, each rounded as its primitive rounds it."""
        Uf, D, A = U[1], dz[1], a[1]
        if (fn not in _SQUASH or type(Uf) is not Fixed or type(D) is not Fixed or type(A) is not Fixed
                or Uf.m.ndim != 2 or D.m.ndim != 1):
            return super().delta_step(names, fn, U, dz, a)
        one, room, m, d, v = self._one, self._room, Uf.m, D.m, A.m
        bh, bs = Uf.bound * D.bound * m.shape[0], (A.bound + one) * max(A.bound, one)
        if bh >= room or bs >= LIMIT - one or (bh / one + 1) * (bs / one + 1) >= room:
            return super().delta_step(names, fn, U, dz, a)
        bh, bs = bh / one + 1, bs / one + 1
        y = d.dot(m)
        if count_nonzero(y) != y.size:
            y = signed_sum(m * d[:, None], 0)
        rnd = self._round
        DH = Fixed(rnd(y), self.places, bh)
        s = self._slopes.of(fn, A)
        S = Fixed(rnd(slope_mantissas(fn, v, one)) if s is None else s, self.places, bs)
        DZ = Fixed(rnd(DH.m * S.m), self.places, bh * bs / one + 1)
        phase, ex, t, append = self.phase, self.example, self.t, self._append
        append(_new(LazyStep, ("matvec_t", phase, ex, t, names[0], (U[0], dz[0]), (Uf, D), DH, None, "")))
        append(_new(LazyStep, ("derivative", phase, ex, t, names[1], (a[0],), (A,), S, None, fn)))
        append(_new(LazyStep, ("hadamard", phase, ex, t, names[2], (names[0], names[1]), (DH, S), DZ, None, "")))
        return _new(Q, (names[2], DZ))

    def step_gradients(self, names: tuple[str, str, str, str], dz: Q, x: Q, h: Q, W: Q, into) -> Q:
        """δz xᵀ and δz hᵀ deferred with the other outer products of their shapes, δz as the bias's one-part sum,
        and Wᵀ·δz as `_made` gives it (deferred while nothing reads it at once)."""
        D, X, Hp, Wf = dz[1], x[1], h[1], W[1]
        if (type(D) is not Fixed or type(X) is not Fixed or type(Hp) is not Fixed or type(Wf) is not Fixed
                or D.m.ndim != 1 or X.m.ndim != 1 or Hp.m.ndim != 1 or Wf.m.ndim != 2 or D.bound >= LIMIT):
            return super().step_gradients(names, dz, x, h, W, into)
        one, room = self._one, self._room
        bx, bh = D.bound * X.bound, D.bound * Hp.bound
        gw = None if bx >= room or bh >= room else self._made("matvec_t", Wf, D, 0)
        if gw is None:
            return super().step_gradients(names, dz, x, h, W, into)
        d = D.m
        gx = self._outer_batch(d.shape[0], X.m.shape[0]).add(d, X.m, bx / one + 1)
        gh = self._outer_batch(d.shape[0], Hp.m.shape[0]).add(d, Hp.m, bh / one + 1)
        gb = Fixed(d, self.places, D.bound)
        phase, ex, t, append = self.phase, self.example, self.t, self._append
        append(_new(LazyStep, ("outer", phase, ex, t, names[0], (dz[0], x[0]), (D, X), gx, None, "")))
        append(_new(LazyStep, ("outer", phase, ex, t, names[1], (dz[0], h[0]), (D, Hp), gh, None, "")))
        append(_new(LazyStep, ("sum", phase, ex, t, names[2], (dz[0],), (D,), gb, None, "")))
        append(_new(LazyStep, ("matvec_t", phase, ex, t, names[3], (W[0], dz[0]), (Wf, D), gw, None, "")))
        into[0].append(_new(Q, (names[0], gx)))
        into[1].append(_new(Q, (names[1], gh)))
        into[2].append(_new(Q, (names[2], gb)))
        return _new(Q, (names[3], gw))
