"""The pieces the recurrent networks share: a gate's pre-activation, a δ sent back through several
products, and after the backward pass the contributions summed over time and each word's
embedding gradient."""

from __future__ import annotations

from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.scenario.spec import Example


def sum_over_time(rec: Recorder, ex: Example, contributions: dict[str, list[Q]], dx: dict[int, Q]) -> None:
    """`dL/dP` for each parameter P, in BPTT order (t = T down to 1); `dL/de[word]` per word."""
    rec.phase, rec.t = "gradients", None
    for g, parts in contributions.items():  # trace.partial_sums gives the running sums
        rec.total(f"dL/d{g}", parts)
    if ex.tokens:
        for word in dict.fromkeys(ex.tokens):
            rec.total(f"dL/de[{word}]", [dx[t] for t in range(1, ex.steps + 1) if ex.tokens[t - 1] == word])


def affine(rec: Recorder, name: str, W: Q, x: Q, U: Q, h: Q, b: Q) -> Q:
    """A gate's pre-activation W·x + U·h + b, each product written out."""
    return rec.add(name, rec.matvec(W, x), rec.matvec(U, h), b)


def back_through(rec: Recorder, name: str, pairs: list[tuple[Q, Q]]) -> Q:
    """Σ Mᵀ·v over (M, v) pairs, named `name`: how a δ reaches a quantity used in several products."""
    return rec.transposed_sum(name, pairs)
