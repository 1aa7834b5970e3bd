"""How gradients flow back through time: ‖dL/dh_t‖, the Jacobian products, and W_hh's spectrum.

The Jacobian product from the last step back to t is J_T·J_(T−1)·…·J_(t+1), with
J_k = dh_k/dh_(k−1) = diag(f'(z_k))·W_hh; its spectral norm says how much of a gradient at the
last step survives to step t. Computed in float64 from a float64 trace.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bptt_trace.trace import Trace

VANISHING, EXPLODING = 1e-3, 1e3  # the Jacobian product over the whole sequence, below or above


class GradientFlow(NamedTuple):
    """One example's gradient flow, t = 1…T, and the reading it gives."""

    example: int
    steps: list[int]
    dh_norms: list[float]
    jacobian_norms: list[float]
    singular_values: list[float]
    spectral_radius: float
    reading: str
    per_step: float


def gradient_flow(trace: Trace, example: int) -> GradientFlow:
    """The norms for every step of one example, and vanishing, exploding or stable."""
    T = trace.scenario.examples[example - 1].steps
    W = np.asarray(trace.value("W_hh"), dtype=float)
    dh = [float(np.linalg.norm(np.asarray(trace.value(f"dL/dh[{t}]", example), dtype=float))) for t in range(1, T + 1)]
    product = np.eye(W.shape[0])
    norms = [1.0]
    for t in range(T - 1, 0, -1):
        slope = np.asarray(trace.value(f"dh/dz[{t + 1}]", example), dtype=float)
        product = product @ (slope[:, None] * W)
        # the spectral norm, √λ_max(PᵀP): the symmetric eigensolver is quicker than a full SVD
        norms.append(float(np.sqrt(max(np.linalg.eigvalsh(product.T @ product)[-1], 0.0))))
    norms = norms[::-1]  # norms[t - 1] is the product from T back to t
    whole = norms[0]
    per_step = whole ** (1 / (T - 1)) if T > 1 and whole > 0 else (0.0 if T > 1 else 1.0)
    reading = "vanishing" if whole < VANISHING else "exploding" if whole > EXPLODING else "stable"
    return GradientFlow(example, list(range(1, T + 1)), dh, norms, np.linalg.svd(W, compute_uv=False).tolist(),
                        float(np.max(np.abs(np.linalg.eigvals(W)))), reading, per_step)
