"""How gradients flow back through time: ‖dL/dh_t‖ (and ‖dL/dc_t‖), the Jacobian products, and for
a vanilla RNN W_hh's spectrum.

The Jacobian product from the last step back to t is J_T·J_(T−1)·…·J_(t+1), with J_k = ∂s_k/∂s_(k−1)
for the state s: h for an RNN (J_k = diag(f'(z_k))·W_hh) or a GRU, [h; c] for an LSTM. Its
spectral norm says how much of a gradient at the last step survives to step t. Computed in
float64 from a float64 trace.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bptt_trace.trace import Trace

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


def gradient_flow(trace: Trace, example: int) -> GradientFlow:
    """The norms for every step of one example, and vanishing, exploding or stable."""
    model = trace.scenario.model
    if model.cell not in CELLS or model.bidirectional:
        raise ValueError("the gradient-flow report follows one recurrent state back through time: "
                         "it is for the rnn, lstm and gru cells, not for an mlp or a bidirectional rnn")
    T = trace.scenario.examples[example - 1].steps

    def v(name: str, k: int | None = example) -> np.ndarray:
        return np.asarray(trace.value(name, k), dtype=float)
    dh = [float(np.linalg.norm(v(f"dL/dh[{t}]"))) for t in range(1, T + 1)]
    dc = [float(np.linalg.norm(v(f"dL/dc[{t}]"))) for t in range(1, T + 1)] if model.cell == "lstm" else None
    jacobian = {"rnn": _rnn_jacobian, "lstm": _lstm_jacobian, "gru": _gru_jacobian}[model.cell]
    product, norms = None, [1.0]
    for t in range(T - 1, 0, -1):
        J = jacobian(v, t + 1)
        product = J if product is None else product @ J
        # the spectral norm, √λ_max(PᵀP): the symmetric eigensolver is quicker than a full SVD
        norms.append(float(np.sqrt(max(np.linalg.eigvalsh(product.T @ product)[-1], 0.0))))
    norms = norms[::-1]  # norms[t - 1] is the product from T back to t
    whole = norms[0]
    per_step = whole ** (1 / (T - 1)) if T > 1 and whole > 0 else (0.0 if T > 1 else 1.0)
    reading = "vanishing" if whole < VANISHING else "exploding" if whole > EXPLODING else "stable"
    spectrum, radius = None, None
    if model.cell == "rnn":
        W = v("W_hh", None)
        spectrum, radius = np.linalg.svd(W, compute_uv=False).tolist(), float(np.max(np.abs(np.linalg.eigvals(W))))
    return GradientFlow(example, model.cell, list(range(1, T + 1)), dh, dc, norms, spectrum, radius, reading, per_step)


def _rnn_jacobian(v, t: int) -> np.ndarray:
    """∂h_t/∂h_(t−1) = diag(f′(z_t))·W_hh."""
    return v(f"dh/dz[{t}]")[:, None] * v("W_hh", None)


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
