"""Forward pass and BPTT of a bidirectional vanilla RNN: two RNNs read the sequence in opposite
directions, and the output reads their states stacked together.

    h_fw[t] = f(W_xh_fw x_t + W_hh_fw h_fw[t−1] + b_h_fw)   left to right, from h_fw[0] = h0
    h_bw[t] = f(W_xh_bw x_t + W_hh_bw h_bw[t+1] + b_h_bw)   right to left, from h_bw[T+1] = h0
    h[t] = [h_fw[t]; h_bw[t]],  o[t] = W_hy h[t] + b_y
With one output at the end, h[T] = [h_fw[T]; h_bw[1]]: each direction's last state, having read it all.
"""

from __future__ import annotations

from bptt_trace.networks import heads
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.scenario.spec import DIRECTIONS, Example, Scenario
from bptt_trace.networks.cell_parts import back_through, sum_over_time


def example(rec: Recorder, scenario: Scenario, ex: Example, P: dict[str, Q]) -> None:
    """Trace one sequence: both directions forward, the outputs and losses, then BPTT in both."""
    num, model, T = rec.num, scenario.model, ex.steps
    rec.phase = "forward"
    x: list = [None] * (T + 2)
    values = rec.given_inputs(ex.inputs)
    h: dict[str, list] = {d: [None] * (T + 2) for d in DIRECTIONS}
    z: dict[str, list] = {d: [None] * (T + 2) for d in DIRECTIONS}
    for d, order, first in (("fw", range(1, T + 1), 0), ("bw", range(T, 0, -1), T + 1)):
        rec.t = first
        h[d][first] = rec.given(f"h_{d}[{first}]", num.array(scenario.h0))
        for t in order:
            rec.t, prev = t, t - 1 if d == "fw" else t + 1
            if x[t] is None:
                x[t] = rec.given(f"x[{t}]", values[t - 1])
            z[d][t] = rec.add(f"z_{d}[{t}]", rec.matvec(P[f"W_xh_{d}"], x[t]), rec.matvec(P[f"W_hh_{d}"], h[d][prev]),
                              P[f"b_h_{d}"])
            h[d][t] = rec.activation(f"h_{d}[{t}]", model.activation, z[d][t])
    outputs = scenario.output_steps(ex)
    reads = {s: (s, s if len(outputs) > 1 else 1) for s in outputs}  # output step -> (fw step, bw step) it reads
    joined = {}
    for s in outputs:
        rec.t = s
        joined[s] = rec.concat(f"h[{s}]", h["fw"][reads[s][0]], h["bw"][reads[s][1]])
        heads.output(rec, model.output, s, joined[s], P["W_hy"], P["b_y"])
    delta_o = heads.losses(rec, scenario, ex, scenario.loss_steps(ex))
    _backward(rec, scenario, ex, P, x, h, z, joined, reads, delta_o)


def _backward(rec: Recorder, scenario: Scenario, ex: Example, P: dict[str, Q], x: list, h: dict, z: dict,
              joined: dict, reads: dict, delta_o: dict[int, Q]) -> None:
    """δh[s] = W_hyᵀ δo_s split between the directions, then BPTT right to left for the left-to-right
    RNN and left to right for the right-to-left one."""
    act, T, H = scenario.model.activation, ex.steps, scenario.model.hidden_size
    rec.phase = "backward"
    contributions: dict[str, list[Q]] = {n: rec.running_sum() for n in scenario.parameter_names}
    from_output: dict[str, dict[int, Q]] = {d: {} for d in DIRECTIONS}
    for s in sorted(delta_o, reverse=True):
        rec.t = s
        heads.output_contributions(rec, contributions, s, delta_o[s], joined[s])
        dh = rec.matvec_t(P["W_hy"], delta_o[s], f"dL/dh[{s}]")
        for n, d in enumerate(DIRECTIONS):
            at = reads[s][n]
            from_output[d][at] = rec.slice(f"dL/dh_{d}[{at}] (output)", dh, n * H, (n + 1) * H)
    dz: dict[str, dict[int, Q]] = {d: {} for d in DIRECTIONS}
    for d, order, step in (("fw", range(T, 0, -1), 1), ("bw", range(1, T + 1), -1)):
        for t in order:
            rec.t = t
            name, later = f"dL/dh_{d}[{t}]", dz[d].get(t + step)
            if t not in from_output[d]:
                dh = rec.matvec_t(P[f"W_hh_{d}"], later, name)
            elif later is None:
                dh = rec.total(name, [from_output[d][t]])
            else:
                dh = rec.add(name, from_output[d][t], rec.matvec_t(P[f"W_hh_{d}"], later))
            slope = rec.derivative(f"dh_{d}/dz_{d}[{t}]", act, z[d][t] if act == "relu" else h[d][t])
            dz[d][t] = rec.hadamard(f"dL/dz_{d}[{t}]", dh, slope)
            contributions[f"W_xh_{d}"].append(rec.outer(f"dL/dW_xh_{d}[{t}]", dz[d][t], x[t]))
            contributions[f"W_hh_{d}"].append(rec.outer(f"dL/dW_hh_{d}[{t}]", dz[d][t], h[d][t - step]))
            contributions[f"b_h_{d}"].append(dz[d][t])
        end = 1 if d == "fw" else T
        rec.t = end - step
        rec.matvec_t(P[f"W_hh_{d}"], dz[d][end], f"dL/dh_{d}[{end - step}]")
    dx = {}
    for t in range(1, T + 1):
        rec.t = t
        dx[t] = back_through(rec, f"dL/dx[{t}]", [(P[f"W_xh_{d}"], dz[d][t]) for d in DIRECTIONS])
    sum_over_time(rec, ex, contributions, dx)
