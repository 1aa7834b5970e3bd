"""Truncated BPTT: the loss at step s sends its gradient back through at most k steps.

Each loss keeps its own chain δh_t (loss s), δz_t (loss s) for s − k < t ≤ s; δh_t and δz_t are
their sums. Where a chain ends, the term full BPTT would have passed on, W_hhᵀ·δz_t (loss s),
is recorded as "cut", and after the sums the full-BPTT gradients and what the cut was worth
(full − truncated) are recorded too.
"""

from __future__ import annotations

from typing import Callable

from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.scenario.spec import PARAMETER_NAMES


class TruncatedBPTT:
    """The δ terms of one example, truncated to `k` steps per loss."""

    def __init__(self, rec: Recorder, P: dict[str, Q], slope: Callable[[int], Q], delta_o: dict[int, Q],
                 k: int, full: Callable[[], dict[str, object]]) -> None:
        """`full()` gives this example's gradients by full BPTT, for what the cut terms were worth."""
        self.rec, self.P, self.slope, self.delta_o, self.k, self.full = rec, P, slope, delta_o, k, full
        self.chains: dict[int, Q] = {}  # loss step s -> δh_t (loss s) at the current t
        self.dz: dict[int, Q] = {}

    def delta(self, t: int) -> Q:
        rec = self.rec
        if t in self.delta_o:
            self.chains[t] = rec.matvec_t(self.P["W_hy"], self.delta_o[t], f"dL/dh[{t}] (loss {t})")
        slope = self.slope(t)
        losses = sorted(self.chains, reverse=True)
        self.dz = {s: rec.hadamard(f"dL/dz[{t}] (loss {s})", self.chains[s], slope) for s in losses}
        if not losses:  # no loss within k steps of t: nothing flows back to here
            why = "no loss within the truncation window reaches this step"
            rec.zero(f"dL/dh[{t}]", slope, why)
            return rec.zero(f"dL/dz[{t}]", slope, why)
        rec.total(f"dL/dh[{t}]", [self.chains[s] for s in losses])
        dz = rec.total(f"dL/dz[{t}]", [self.dz[s] for s in losses])
        if t > 1:
            self.chains = self._pass_back(t)
        return dz

    def _pass_back(self, t: int) -> dict[int, Q]:
        """Each chain on to t − 1 if still within k steps of its loss; the others are cut here."""
        kept = {}
        for s, dz in self.dz.items():
            cut = s - (t - 1) >= self.k
            name = f"dL/dh[{t - 1}] (loss {s}, cut)" if cut else f"dL/dh[{t - 1}] (loss {s})"
            term = self.rec.matvec_t(self.P["W_hh"], dz, name)
            if not cut:
                kept[s] = term
        return kept

    def into_h0(self) -> None:
        """Every chain still open at step 1 passes on into the initial state. h[0] starts the window of each
        loss s ≤ k, so dL/dh[0] is the truncated objective's gradient in h0, with the same rule whether
        T ≤ k (full BPTT) or T > k."""
        rec = self.rec
        parts = [rec.matvec_t(self.P["W_hh"], dz, f"dL/dh[0] (loss {s})") for s, dz in self.dz.items()]
        if parts:
            rec.total("dL/dh[0]", parts)
        else:
            rec.zero("dL/dh[0]", self.P["b_h"], "no loss within the truncation window reaches the initial state")

    def worth(self) -> None:
        """The full-BPTT gradients of this example, and full − truncated: what the cut terms were worth."""
        rec, full = self.rec, self.full()
        for g in PARAMETER_NAMES:
            whole = rec.given(f"dL/d{g} (full BPTT)", full[g])
            truncated = Q(f"dL/d{g}", rec.trace.value(f"dL/d{g}", rec.example))
            rec.subtract(f"dL/d{g} (cut off)", whole, truncated)
