"""Forward pass and BPTT of an LSTM, one gate at a time, every product recorded.

    f_t = σ(W_f x_t + U_f h_(t−1) + b_f)        forget gate
    i_t = σ(W_i x_t + U_i h_(t−1) + b_i)        input gate
    c̃_t = tanh(W_c x_t + U_c h_(t−1) + b_c)     candidate
    o_t = σ(W_o x_t + U_o h_(t−1) + b_o)        output gate (named `o_gate`: `o` is the output layer's)
    c_t = f_t ⊙ c_(t−1) + i_t ⊙ c̃_t,   h_t = o_t ⊙ tanh(c_t)
"""

from __future__ import annotations

from bptt_trace.networks import heads
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.scenario.spec import GATES, Example, Scenario
from bptt_trace.networks.cell_parts import back_through, sum_over_time

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
    gates: list[dict[str, Q]] = [{}]
    tanh_c: list = [None]
    keys = GATES["lstm"]
    layer = tuple((GATE_FUNCTIONS[k], P[f"W_{k}"], P[f"U_{k}"], P[f"b_{k}"]) for k in keys)
    for t in range(1, ex.steps + 1):
        rec.t = t
        x.append(rec.given(f"x[{t}]", num.array(ex.inputs[t - 1])))
        names = [(f"z_{k}[{t}]", f"{GATE_NAMES[k]}[{t}]") for k in keys]  # each gate: z = W·x + U·h + b, then f(z)
        g = dict(zip(keys, rec.gate_layer(layer, names, x[t], h[t - 1])))
        gates.append(g)
        c.append(rec.add(f"c[{t}]", rec.hadamard("", g["f"], c[t - 1]), rec.hadamard("", g["i"], g["c"])))
        tanh_c.append(rec.activation(f"tanh_c[{t}]", "tanh", c[t]))
        h.append(rec.hadamard(f"h[{t}]", g["o"], tanh_c[t]))
        if t in outputs:
            heads.output(rec, scenario.model.output, t, h[t], P["W_hy"], P["b_y"])
    delta_o = heads.losses(rec, scenario, ex, scenario.loss_steps(ex))
    _backward(rec, ex, P, x, h, c, gates, tanh_c, delta_o)


def _gate_table(P: dict[str, Q], contributions: dict[str, list[Q]]) -> list[tuple]:
    """Per gate, looked up once: its key, value name, function, W and U, and its gradients' lists."""
    return [(k, GATE_NAMES[k], GATE_FUNCTIONS[k], P[f"W_{k}"], P[f"U_{k}"], contributions[f"W_{k}"],
             contributions[f"U_{k}"], contributions[f"b_{k}"]) for k in GATES["lstm"]]


def _backward(rec: Recorder, ex: Example, P: dict[str, Q], x: list, h: list, c: list, gates: list,
              tanh_c: list, delta_o: dict[int, Q]) -> None:
    """δh_t and δc_t from t = T down to 1; through them each gate's δz and its contributions."""
    rec.phase = "backward"
    contributions: dict[str, list[Q]] = {n: rec.running_sum() for n in P}  # every parameter, in the model's order
    sums = rec.gate_sums(len(GATES["lstm"]))  # each gate's δz xᵀ, δz hᵀ and δz, summed over the gates stacked
    for k, (to_W, to_U, to_b) in zip(GATES["lstm"], sums):
        contributions[f"W_{k}"], contributions[f"U_{k}"], contributions[f"b_{k}"] = to_W, to_U, to_b
    dx: dict[int, Q] = {}
    dz_next: dict[str, Q] = {}
    dc_next: Q | None = None
    per_gate = _gate_table(P, contributions)
    for t in range(ex.steps, 0, -1):
        rec.t = t
        parts = []
        if t in delta_o:
            heads.output_contributions(rec, contributions, t, delta_o[t], h[t])
            parts.append((P["W_hy"], delta_o[t]))
        parts += [(U, dz_next[k]) for k, _, _, _, U, *_ in per_gate if dz_next]
        dh = back_through(rec, f"dL/dh[{t}]", parts)
        g = gates[t]
        d_o = rec.hadamard(f"dL/do_gate[{t}]", dh, tanh_c[t])
        through_h = rec.hadamard(f"dL/dtanh_c[{t}]", dh, g["o"])
        slope = rec.derivative(f"dtanh_c/dc[{t}]", "tanh", tanh_c[t])
        if dc_next is None:
            dc = rec.hadamard(f"dL/dc[{t}]", through_h, slope)
        else:
            dc = rec.add(f"dL/dc[{t}]", rec.hadamard("", through_h, slope), rec.hadamard("", dc_next, gates[t + 1]["f"]))
        d_gate = {"f": rec.hadamard(f"dL/df[{t}]", dc, c[t - 1]), "i": rec.hadamard(f"dL/di[{t}]", dc, g["c"]),
                  "c": rec.hadamard(f"dL/dc_tilde[{t}]", dc, g["i"]), "o": d_o}
        dz_next = {}
        deltas = rec.gate_deltas([(f"d{gate}/dz_{k}[{t}]", fn, g[k], d_gate[k], f"dL/dz_{k}[{t}]", f"dL/dW_{k}[{t}]",
                                   f"dL/dU_{k}[{t}]") for k, gate, fn, *_ in per_gate], x[t], h[t - 1], sums)
        for (k, *_), (dz, _, _) in zip(per_gate, deltas):  # δz, δz xᵀ, δz hᵀ: the two products are in `sums`
            dz_next[k] = dz
        dx[t] = back_through(rec, f"dL/dx[{t}]", [(W, dz_next[k]) for k, _, _, W, *_ in per_gate])
        dc_next = dc
    rec.t = 0
    back_through(rec, "dL/dh[0]", [(P[f"U_{k}"], dz_next[k]) for k in GATES["lstm"]])
    rec.hadamard("dL/dc[0]", dc_next, gates[1]["f"])
    sum_over_time(rec, ex, contributions, dx)
