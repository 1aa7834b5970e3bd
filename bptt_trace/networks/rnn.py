"""Forward pass and full (or truncated) BPTT of the vanilla RNN, in the lecture's equations.

    z_t = W_xh x_t + W_hh h_(t−1) + b_h,   h_t = f(z_t),   o_t = W_hy h_t + b_y
    δh_t = W_hyᵀ δo_t + W_hhᵀ δz_(t+1),    δz_t = δh_t ⊙ f′(z_t)

Every operation goes through a recorded primitive, so the trace holds each number a
student would write down, in the order they would write it.
"""

from __future__ import annotations

from bptt_trace.networks import heads
from bptt_trace.networks.cell_parts import sum_over_time
from bptt_trace.networks.truncation import TruncatedBPTT
from bptt_trace.record.float_recorder import recorder_for
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.record.steps import Trace
from bptt_trace.scenario.spec import PARAMETER_NAMES, Example, Scenario


def example(rec: Recorder, scenario: Scenario, ex: Example, P: dict[str, Q]) -> None:
    """Trace one example: h_t = f(W_xh x_t + W_hh h_(t−1) + b_h), the outputs and losses, then BPTT."""
    num, model = rec.num, scenario.model
    outputs = scenario.output_steps(ex)
    rec.phase, rec.t = "forward", None
    h = [rec.given("h[0]", num.array(scenario.h0))]
    x, z = [None], [None]
    W_xh, W_hh, b_h, fn = P["W_xh"], P["W_hh"], P["b_h"], model.activation
    for t, value in enumerate(rec.given_inputs(ex.inputs), 1):
        rec.t = t
        x.append(rec.given(f"x[{t}]", value))
        names = (f"W_xh·x[{t}]", f"W_hh·h[{t - 1}]", f"z[{t}]", f"h[{t}]")
        zt, ht = rec.recurrent_step(names, fn, W_xh, x[t], W_hh, h[t - 1], b_h)
        z.append(zt)
        h.append(ht)
        if t in outputs:
            heads.output(rec, model.output, t, h[t], P["W_hy"], P["b_y"])
    delta_o = heads.losses(rec, scenario, ex, scenario.loss_steps(ex))
    _backward(rec, scenario, ex, P, x, z, h, delta_o)


class _FullBPTT:
    """δh_t = W_hyᵀ δo_t + W_hhᵀ δz_(t+1): every loss reaches every earlier step."""

    def __init__(self, rec: Recorder, P: dict[str, Q], delta_o: dict[int, Q], act: str, operand) -> None:
        """f′ at step t is `act`'s derivative from `operand(t)`."""
        self.rec, self.P, self.delta_o = rec, P, delta_o
        self.act, self.operand = act, operand
        self.dz_next: Q | None = None

    def delta(self, t: int) -> Q:
        rec, P, parts = self.rec, self.P, []
        if self.dz_next is not None and t not in self.delta_o:  # the usual step: W_hhᵀ δz_(t+1) alone
            names = (f"dL/dh[{t}]", f"dh/dz[{t}]", f"dL/dz[{t}]")
            self.dz_next = rec.delta_step(names, self.act, P["W_hh"], self.dz_next, self.operand(t))
            return self.dz_next
        if t in self.delta_o:
            parts.append(rec.matvec_t(P["W_hy"], self.delta_o[t]) if self.dz_next else
                         rec.matvec_t(P["W_hy"], self.delta_o[t], f"dL/dh[{t}]"))
        if self.dz_next is not None:
            parts.append(rec.matvec_t(P["W_hh"], self.dz_next) if t in self.delta_o else
                         rec.matvec_t(P["W_hh"], self.dz_next, f"dL/dh[{t}]"))
        dh = parts[0] if len(parts) == 1 else rec.add(f"dL/dh[{t}]", *parts)
        self.dz_next = rec.hadamard(f"dL/dz[{t}]", dh, rec.derivative(f"dh/dz[{t}]", self.act, self.operand(t)))
        return self.dz_next

    def into_h0(self) -> None:
        self.rec.matvec_t(self.P["W_hh"], self.dz_next, "dL/dh[0]")


def _backward(rec: Recorder, scenario: Scenario, ex: Example, P: dict[str, Q], x: list, z: list,
              h: list, delta_o: dict[int, Q]) -> None:
    """δz_t for t = T…1 (full or truncated BPTT); per-step contributions, then their sums."""
    act = scenario.model.activation
    rec.phase = "backward"
    contributions: dict[str, list[Q]] = {g: rec.running_sum() for g in PARAMETER_NAMES}
    dx: dict[int, Q] = {}
    T, W_xh = ex.steps, P["W_xh"]
    into = (contributions["W_xh"], contributions["W_hh"], contributions["b_h"])

    def operand(t: int) -> Q:
        return z[t] if act == "relu" else h[t]

    def slope(t: int) -> Q:
        return rec.derivative(f"dh/dz[{t}]", act, operand(t))
    k = scenario.truncate
    if k is not None and k < T:
        chain = TruncatedBPTT(rec, P, slope, delta_o, k, full=lambda: _full_gradients(rec, scenario, ex, P))
    else:
        chain = _FullBPTT(rec, P, delta_o, act, operand)
    for t in range(T, 0, -1):
        rec.t = t
        if t in delta_o:
            heads.output_contributions(rec, contributions, t, delta_o[t], h[t])
        names = (f"dL/dW_xh[{t}]", f"dL/dW_hh[{t}]", f"dL/db_h[{t}]", f"dL/dx[{t}]")  # the bias's term: δz_t itself
        dx[t] = rec.step_gradients(names, chain.delta(t), x[t], h[t - 1], W_xh, into)
    rec.t = 0
    chain.into_h0()
    sum_over_time(rec, ex, contributions, dx)
    if not isinstance(chain, _FullBPTT):
        chain.worth()


def _full_gradients(rec: Recorder, scenario: Scenario, ex: Example, P: dict[str, Q]) -> dict[str, object]:
    """This example's gradients by full BPTT, traced apart: what truncation is compared with."""
    trace = Trace(scenario, rec.num.name)
    sub = recorder_for(trace, rec.num)
    sub.example = rec.example
    params = {p: sub.given(p, q.value) for p, q in P.items()}
    example(sub, scenario._replace(truncate=None), ex, params)
    return {g: trace.value(f"dL/d{g}", rec.example) for g in PARAMETER_NAMES}
