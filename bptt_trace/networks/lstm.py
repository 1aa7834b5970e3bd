"""Forward pass and BPTT of an LSTM, one gate at a time, every product recorded.

    f_t = σ(W_f x_t + U_f h_(t−1) + b_f)        forget gate
    i_t = σ(W_i x_t + U_i h_(t−1) + b_i)        input gate
    c̃_t = tanh(W_c x_t + U_c h_(t−1) + b_c)     candidate
    o_t = σ(W_o x_t + U_o h_(t−1) + b_o)        output gate (named `o_gate`: `o` is the output layer's)
    c_t = f_t ⊙ c_(t−1) + i_t ⊙ c̃_t,   h_t = o_t ⊙ tanh(c_t)
"""

from __future__ import annotations

from typing import Any

from bptt_trace.networks import heads
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.scenario.spec import GATES, Example, Scenario
from bptt_trace.networks.cell_parts import sum_over_time

# Each gate's activation, the name of its value, and the name of its slope.
GATE_FUNCTIONS = {"f": "sigmoid", "i": "sigmoid", "c": "tanh", "o": "sigmoid"}
GATE_NAMES = {"f": "f", "i": "i", "c": "c_tilde", "o": "o_gate"}


def example(rec: Recorder, scenario: Scenario, ex: Example, P: dict[str, Q]) -> None:
    """Trace one sequence: gates and cell state forward, the losses, then every δ backward."""
    num, outputs = rec.num, scenario.output_steps(ex)
    rec.phase, rec.t = "forward", None
    hidden = scenario.model.hidden_size
    h = [rec.given("h[0]", num.array(scenario.h0))]
    c = [rec.given("c[0]", num.array(scenario.c0 or (0,) * hidden))]
    x: list = [None]
    gates: list[list[Q]] = [[]]  # per step, the gates' values in the order of GATES["lstm"]: f, i, c̃, o
    tanh_c: list = [None]
    keys = GATES["lstm"]
    layer = tuple((GATE_FUNCTIONS[k], P[f"W_{k}"], P[f"U_{k}"], P[f"b_{k}"]) for k in keys)
    named = [(f"z_{k}", GATE_NAMES[k]) for k in keys]  # each gate: z = W·x + U·h + b, then f(z)
    for t, value in enumerate(rec.given_inputs(ex.inputs), 1):
        rec.t, at = t, f"[{t}]"
        x.append(rec.given("x" + at, value))
        g = rec.gate_layer(layer, [(z + at, gate + at) for z, gate in named], x[t], h[t - 1])
        gates.append(g)
        f, i, c_tilde, o = g
        c.append(rec.sum_of_products("c" + at, ((f, c[t - 1]), (i, c_tilde))))
        tanh_c.append(rec.activation("tanh_c" + at, "tanh", c[t]))
        h.append(rec.hadamard("h" + at, o, tanh_c[t]))
        if t in outputs:
            heads.output(rec, scenario.model.output, t, h[t], P["W_hy"], P["b_y"])
    delta_o = heads.losses(rec, scenario, ex, scenario.loss_steps(ex))
    _backward(rec, ex, P, (x, h, c, gates, tanh_c), delta_o)


def _gate_sums(rec: Recorder, P: dict[str, Q]) -> tuple[dict[str, list[Q]], Any]:
    """Every parameter's list of contributions, in the model's order; the gates' from `gate_sums`."""
    contributions: dict[str, list[Q]] = {n: rec.running_sum() for n in P}
    sums = rec.gate_sums(len(GATES["lstm"]))  # each gate's δz xᵀ, δz hᵀ and δz, summed over the gates stacked
    for k, (to_W, to_U, to_b) in zip(GATES["lstm"], sums):
        contributions[f"W_{k}"], contributions[f"U_{k}"], contributions[f"b_{k}"] = to_W, to_U, to_b
    return contributions, sums


def _backward(rec: Recorder, ex: Example, P: dict[str, Q], forward: tuple, delta_o: dict[int, Q]) -> None:
    """δh_t and δc_t from t = T down to 1; through them each gate's δz and its contributions."""
    x, h, c, gates, tanh_c = forward
    rec.phase = "backward"
    contributions, sums = _gate_sums(rec, P)
    keys = GATES["lstm"]
    Ws, Us = [P[f"W_{k}"] for k in keys], [P[f"U_{k}"] for k in keys]
    named = [(f"d{GATE_NAMES[k]}/dz_{k}", GATE_FUNCTIONS[k], f"dL/dz_{k}", f"dL/dW_{k}", f"dL/dU_{k}") for k in keys]
    dx: dict[int, Q] = {}
    dz: list[Q] = []  # step t+1's δz per gate
    dc_next: Q | None = None
    for t in range(ex.steps, 0, -1):
        rec.t, at = t, f"[{t}]"
        parts = []
        if t in delta_o:
            heads.output_contributions(rec, contributions, t, delta_o[t], h[t])
            parts.append((P["W_hy"], delta_o[t]))
        parts += zip(Us, dz)
        dh = rec.transposed_sum("dL/dh" + at, parts)
        f, i, c_tilde, o = gates[t]
        d_o, through_h = rec.hadamards((("dL/do_gate" + at, dh, tanh_c[t]), ("dL/dtanh_c" + at, dh, o)))
        slope = rec.derivative("dtanh_c/dc" + at, "tanh", tanh_c[t])
        if dc_next is None:
            dc = rec.hadamard("dL/dc" + at, through_h, slope)
        else:
            dc = rec.sum_of_products("dL/dc" + at, ((through_h, slope), (dc_next, gates[t + 1][0])))
        d_gate = (*rec.hadamards((("dL/df" + at, dc, c[t - 1]), ("dL/di" + at, dc, c_tilde),
                                  ("dL/dc_tilde" + at, dc, i))), d_o)
        deltas = rec.gate_deltas([(slope_name + at, fn, value, d, z + at, w + at, u + at) for
                                  (slope_name, fn, z, w, u), value, d in zip(named, gates[t], d_gate)],
                                 x[t], h[t - 1], sums)  # δz, δz xᵀ, δz hᵀ per gate; the contributions go to `sums`
        dz = [q[0] for q in deltas]
        dx[t] = rec.transposed_sum("dL/dx" + at, list(zip(Ws, dz)))
        dc_next = dc
    rec.t = 0
    rec.transposed_sum("dL/dh[0]", list(zip(Us, dz)))
    rec.hadamard("dL/dc[0]", dc_next, gates[1][0])
    sum_over_time(rec, ex, contributions, dx)
