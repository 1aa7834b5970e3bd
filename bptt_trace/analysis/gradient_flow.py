"""How gradients flow back through time: ‖dL/dh_t‖ (and ‖dL/dc_t‖), the Jacobian products, and for
a vanilla RNN W_hh's spectrum; a bidirectional RNN gets one report per direction.

The Jacobian product from the last step back to t is J_T·J_(T−1)·…·J_(t+1), with J_k = ∂s_k/∂s_(k−1)
for the state s: h for an RNN (J_k = diag(f'(z_k))·W_hh) or a GRU, [h; c] for an LSTM. Its
spectral norm says how much of a gradient at the last step survives to step t. Computed in
float64 from a float64 trace.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bptt_trace.scenario.spec import DIRECTIONS
from bptt_trace.record.steps import Trace

VANISHING, EXPLODING = 1e-3, 1e3  # the Jacobian product over the whole sequence, below or above
CELLS = ("rnn", "lstm", "gru")


class GradientFlow(NamedTuple):
    """One example's gradient flow, t = 1…T, and the reading it gives.

    `dc_norms` is an LSTM's ‖dL/dc_t‖; `singular_values` and `spectral_radius` are W_hh's (RNN only).
    """

    example: int
    cell: str
    steps: list[int]
    dh_norms: list[float]
    dc_norms: list[float] | None
    jacobian_norms: list[float]
    singular_values: list[float] | None
    spectral_radius: float | None
    reading: str
    per_step: float
    direction: str = ""  # a bidirectional RNN's fw (left to right) or bw (right to left); "" otherwise

    @property
    def steps_to_reading(self) -> int | None:
        """At `per_step`, after how many steps back the Jacobian product would pass the vanishing (or
        exploding) threshold: what this sequence's rate predicts for a longer one."""
        import math
        if self.per_step <= 0 or self.per_step == 1:
            return None
        bound = VANISHING if self.per_step < 1 else EXPLODING
        return math.ceil(math.log(bound) / math.log(self.per_step))

    @property
    def path(self) -> list[int]:
        """The steps in the order the gradient travels: T … 1, or 1 … T right to left."""
        return self.steps if self.direction == "bw" else self.steps[::-1]


def gradient_flows(trace: Trace, example: int) -> list[GradientFlow]:
    """One report per recurrent state: two for a bidirectional RNN (left to right, right to left)."""
    model = trace.scenario.model
    if model.cell not in CELLS:
        raise ValueError("the gradient-flow report follows a recurrent state back through time: it is for the "
                         "rnn, lstm and gru cells, not for an mlp")
    return [gradient_flow(trace, example, d) for d in DIRECTIONS] if model.bidirectional else \
        [gradient_flow(trace, example)]


def gradient_flow(trace: Trace, example: int, direction: str = "") -> GradientFlow:
    """The norms for every step of one example (of one direction, `fw` or `bw`, of a bidirectional
    RNN), and vanishing, exploding or stable."""
    model = trace.scenario.model
    T = trace.scenario.examples[example - 1].steps
    sfx = f"_{direction}" if direction else ""

    def v(name: str, k: int | None = example) -> np.ndarray:
        return np.asarray(trace.value(name, k), dtype=float)
    steps = list(range(1, T + 1))
    path = steps if direction == "bw" else steps[::-1]  # the order the gradient travels in
    dh = [float(np.linalg.norm(v(f"dL/dh{sfx}[{t}]"))) for t in steps]
    dc = [float(np.linalg.norm(v(f"dL/dc[{t}]"))) for t in steps] if model.cell == "lstm" else None
    jacobian = {"rnn": _rnn_jacobian, "lstm": _lstm_jacobian, "gru": _gru_jacobian}[model.cell]
    product, norms = None, {path[0]: 1.0}
    for later, earlier in zip(path, path[1:]):
        J = jacobian(v, later, sfx) if model.cell == "rnn" else jacobian(v, later)
        product = J if product is None else product @ J
        # the spectral norm, √λ_max(PᵀP): the symmetric eigensolver is quicker than a full SVD
        norms[earlier] = float(np.sqrt(max(np.linalg.eigvalsh(product.T @ product)[-1], 0.0)))
    whole = norms[path[-1]]
    per_step = whole ** (1 / (T - 1)) if T > 1 and whole > 0 else (0.0 if T > 1 else 1.0)
    reading = "vanishing" if whole < VANISHING else "exploding" if whole > EXPLODING else "stable"
    spectrum, radius = None, None
    if model.cell == "rnn":
        W = v(f"W_hh{sfx}", None)
        spectrum, radius = np.linalg.svd(W, compute_uv=False).tolist(), float(np.max(np.abs(np.linalg.eigvals(W))))
    return GradientFlow(example, model.cell, steps, dh, dc, [norms[t] for t in steps], spectrum, radius, reading,
                        per_step, direction)


def _rnn_jacobian(v, t: int, sfx: str = "") -> np.ndarray:
    """∂h_t/∂h_(t∓1) = diag(f′(z_t))·W_hh (of one direction of a bidirectional RNN with `sfx`)."""
    return v(f"dh{sfx}/dz{sfx}[{t}]")[:, None] * v(f"W_hh{sfx}", None)


def _gru_jacobian(v, t: int) -> np.ndarray:
    """∂h_t/∂h_(t−1): the direct path diag(1 − u), and the paths through u, the candidate and r."""
    u, r, cand, prev = v(f"u[{t}]"), v(f"r[{t}]"), v(f"h_tilde[{t}]"), v(f"h[{t - 1}]")
    U = {k: v(f"U_{k}", None) for k in "urh"}
    through_r = np.diag(r) + (prev * r * (1 - r))[:, None] * U["r"]
    return np.diag(1 - u) + ((cand - prev) * u * (1 - u))[:, None] * U["u"] + \
        (u * (1 - cand ** 2))[:, None] * (U["h"] @ through_r)


def _lstm_jacobian(v, t: int) -> np.ndarray:
    """∂[h_t; c_t]/∂[h_(t−1); c_(t−1)]: the cell state's direct path is diag(f_t)."""
    f, i, g, o = v(f"f[{t}]"), v(f"i[{t}]"), v(f"c_tilde[{t}]"), v(f"o_gate[{t}]")
    c_prev, tc = v(f"c[{t - 1}]"), v(f"tanh_c[{t}]")
    U = {k: v(f"U_{k}", None) for k in "fico"}
    dc_dh = (c_prev * f * (1 - f))[:, None] * U["f"] + (g * i * (1 - i))[:, None] * U["i"] + \
        (i * (1 - g ** 2))[:, None] * U["c"]
    through_c = o * (1 - tc ** 2)
    dh_dh = (tc * o * (1 - o))[:, None] * U["o"] + through_c[:, None] * dc_dh
    return np.block([[dh_dh, np.diag(through_c * f)], [dc_dh, np.diag(f)]])
