"""Forward pass and BPTT of a GRU, one gate at a time, every product recorded.

    u_t = σ(W_u x_t + U_u h_(t−1) + b_u)              update gate
    r_t = σ(W_r x_t + U_r h_(t−1) + b_r)              reset gate
    h̃_t = tanh(W_h x_t + U_h (r_t ⊙ h_(t−1)) + b_h)   candidate state
    h_t = (1 − u_t) ⊙ h_(t−1) + u_t ⊙ h̃_t
"""

from __future__ import annotations

from bptt_trace.networks import heads
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.scenario.spec import Example, Scenario
from bptt_trace.networks.cell_parts import affine, back_through, sum_over_time


def example(rec: Recorder, scenario: Scenario, ex: Example, P: dict[str, Q]) -> None:
    """Trace one sequence: gates and state forward, the losses, then every δ backward."""
    num, outputs = rec.num, scenario.output_steps(ex)
    rec.phase, rec.t = "forward", None
    h = [rec.given("h[0]", num.array(scenario.h0))]
    x: list = [None]
    steps: list[dict[str, Q]] = [{}]  # per step: u, r, rh, h_tilde and keep = 1 − u
    gates = tuple(("sigmoid", P[f"W_{k}"], P[f"U_{k}"], P[f"b_{k}"]) for k in "ur")
    for t, value in enumerate(rec.given_inputs(ex.inputs), 1):
        rec.t = t
        x.append(rec.given(f"x[{t}]", value))
        s: dict[str, Q] = {}
        s["u"], s["r"] = rec.gate_layer(gates, [(f"z_u[{t}]", f"u[{t}]"), (f"z_r[{t}]", f"r[{t}]")], x[t], h[t - 1])
        s["rh"] = rec.hadamard(f"rh[{t}]", s["r"], h[t - 1])
        s["h_tilde"] = rec.activation(f"h_tilde[{t}]", "tanh",
                                      affine(rec, f"z_h[{t}]", P["W_h"], x[t], P["U_h"], s["rh"], P["b_h"]))
        s["keep"] = rec.complement(f"1-u[{t}]", s["u"])
        h.append(rec.add(f"h[{t}]", rec.hadamard("", s["keep"], h[t - 1]), rec.hadamard("", s["u"], s["h_tilde"])))
        steps.append(s)
        if t in outputs:
            heads.output(rec, scenario.model.output, t, h[t], P["W_hy"], P["b_y"])
    delta_o = heads.losses(rec, scenario, ex, scenario.loss_steps(ex))
    _backward(rec, ex, P, x, h, steps, delta_o)


def _backward(rec: Recorder, ex: Example, P: dict[str, Q], x: list, h: list, steps: list[dict[str, Q]],
              delta_o: dict[int, Q]) -> None:
    """δh_t from t = T down to 1, through the update gate, the candidate and the reset gate."""
    rec.phase = "backward"
    contributions: dict[str, list[Q]] = {n: rec.running_sum() for n in P}  # every parameter, in the model's order
    dx: dict[int, Q] = {}
    later: dict[str, Q] = {}  # step t+1's δs that reach h_t
    for t in range(ex.steps, 0, -1):
        rec.t = t
        s = steps[t]
        if t in delta_o:
            heads.output_contributions(rec, contributions, t, delta_o[t], h[t])
        dh = _into_state(rec, f"dL/dh[{t}]", P, later, steps, t + 1, delta_o.get(t))
        d_candidate = rec.hadamard(f"dL/dh_tilde[{t}]", dh, s["u"])
        d_u = rec.hadamard(f"dL/du[{t}]", dh, rec.subtract(f"dh/du[{t}]", s["h_tilde"], h[t - 1]))
        dz_h = rec.hadamard(f"dL/dz_h[{t}]", d_candidate, rec.derivative(f"dh_tilde/dz_h[{t}]", "tanh", s["h_tilde"]))
        d_rh = rec.matvec_t(P["U_h"], dz_h, f"dL/drh[{t}]")
        d_r = rec.hadamard(f"dL/dr[{t}]", d_rh, h[t - 1])
        dz_u = rec.hadamard(f"dL/dz_u[{t}]", d_u, rec.derivative(f"du/dz_u[{t}]", "sigmoid", s["u"]))
        dz_r = rec.hadamard(f"dL/dz_r[{t}]", d_r, rec.derivative(f"dr/dz_r[{t}]", "sigmoid", s["r"]))
        for k, dz, prev in (("u", dz_u, h[t - 1]), ("r", dz_r, h[t - 1]), ("h", dz_h, s["rh"])):
            contributions[f"W_{k}"].append(rec.outer(f"dL/dW_{k}[{t}]", dz, x[t]))
            contributions[f"U_{k}"].append(rec.outer(f"dL/dU_{k}[{t}]", dz, prev))
            contributions[f"b_{k}"].append(dz)
        dx[t] = back_through(rec, f"dL/dx[{t}]", [(P["W_u"], dz_u), (P["W_r"], dz_r), (P["W_h"], dz_h)])
        later = {"dh": dh, "d_rh": d_rh, "dz_u": dz_u, "dz_r": dz_r}
    rec.t = 0
    _into_state(rec, "dL/dh[0]", P, later, steps, 1, None)
    sum_over_time(rec, ex, contributions, dx)


def _into_state(rec: Recorder, name: str, P: dict[str, Q], later: dict[str, Q], steps: list[dict[str, Q]], t1: int,
                delta_o: Q | None) -> Q:
    """δh_(t1−1): from the output at that step, and from step t1 through (1 − u), r ⊙ h, and both gates."""
    products = []
    if later:
        nxt = steps[t1]
        products = [rec.hadamard("", nxt["keep"], later["dh"]), rec.hadamard("", nxt["r"], later["d_rh"])]
    pairs = ([(P["W_hy"], delta_o)] if delta_o is not None else []) + \
        ([(P["U_u"], later["dz_u"]), (P["U_r"], later["dz_r"])] if later else [])
    if not products:
        return back_through(rec, name, pairs)
    return rec.add(name, *(rec.matvec_t(m, v) for m, v in pairs), *products)
