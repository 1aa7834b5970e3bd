"""Forward pass and backpropagation of a feedforward network (an MLP), layer by layer.

    h_0 = x,   z_l = W_l h_(l−1) + b_l,   h_l = f_l(z_l) for each hidden layer l,
    o = W_L h_(L−1) + b_L,   ŷ = the output activation of o.
"""

from __future__ import annotations

from bptt_trace.networks import heads
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.scenario.spec import Example, Scenario


def no_index(t: int) -> str:
    """An MLP's output quantities carry no index: `o`, `y_hat`, `dL/do`."""
    return ""


def example(rec: Recorder, scenario: Scenario, ex: Example, P: dict[str, Q]) -> None:
    """Trace one input: each layer forward, the loss, then each layer's δ and gradients backward."""
    model = scenario.model
    L = len(model.layers) + 1
    rec.phase, rec.t = "forward", None
    h = [rec.given("x", rec.num.array(ex.inputs[0]))]
    z: list = [None]
    for n, (_, fn) in enumerate(model.layers, start=1):
        rec.t = n
        z.append(rec.add(f"z[{n}]", rec.matvec(P[f"W_{n}"], h[n - 1]), P[f"b_{n}"]))
        h.append(rec.activation(f"h[{n}]", fn, z[n]))
    rec.t = L
    heads.output(rec, model.output, L, h[L - 1], P[f"W_{L}"], P[f"b_{L}"], no_index)
    delta = heads.losses(rec, scenario, ex, (L,), no_index)[L]
    rec.phase = "backward"
    for n in range(L, 0, -1):
        rec.t = n
        if n < L:
            fn = model.layers[n - 1][1]
            dh = rec.matvec_t(P[f"W_{n + 1}"], delta, f"dL/dh[{n}]")
            slope = rec.derivative(f"dh/dz[{n}]", fn, z[n] if fn == "relu" else h[n])
            delta = rec.hadamard(f"dL/dz[{n}]", dh, slope)
        rec.outer(f"dL/dW_{n}", delta, h[n - 1])
        rec.total(f"dL/db_{n}", [delta])
    rec.matvec_t(P["W_1"], delta, "dL/dx")
