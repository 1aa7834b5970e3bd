"""Per-student variants: the scenario's structure with new numbers, drawn on a grid and kept only
when they make a good hand exercise.

A student's draws come from a random stream seeded by (seed, scenario, student id) alone, so a
student's variant does not depend on the roster's order or on who else is in it. Each draw is
traced (float64, and by hand at the sheet's precision) and kept when:
- every pre-activation into tanh or sigmoid has |z| ≤ max_pre_activation (out of saturation);
- no key quantity (forward values, losses, summed gradients: see `key_gradients`) is non-zero yet
  rounds to 0 at the sheet's decimals;
- no example's loss rounds to 0 (the prediction is not already right);
- no softmax output has two entries equal at the sheet's decimals;
- hand rounding moves no final answer by more than max_drift.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from bptt_trace.analysis.drift import drift
from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import HandDecimal
from bptt_trace.record.names import is_reported
from bptt_trace.record.steps import Trace
from bptt_trace.scenario.spec import GATES, Scenario, Variants
from bptt_trace.scenario.variants_block import grid_values

SQUASHING = ("tanh", "sigmoid")


class Variant(NamedTuple):
    """One student's variant: the new scenario, its id, and how many draws were turned down (and why)."""

    student: str
    variant_id: str
    scenario: Scenario
    rejected: int
    reasons: Counter


class NoGoodDraw(ValueError):
    """No draw within max_draws made a good exercise; the message says what failed most."""


def sheet_decimals(sc: Scenario) -> int:
    """The decimals the worksheet asks for: display.decimals, else display.round, else 3."""
    d = sc.display
    return d.decimals if d.decimals is not None else (d.round if d.round is not None else 3)


def spec_of(sc: Scenario) -> Variants:
    """The scenario's variants block, or the default: every parameter varies."""
    return sc.variants or Variants(vary=sc.parameter_names)


def draw_variant(sc: Scenario, source: bytes, seed: str, student: str) -> Variant:
    """The first good draw of this student's stream; NoGoodDraw when none is found in max_draws."""
    spec, decimals = spec_of(sc), sheet_decimals(sc)
    rng = np.random.Generator(np.random.PCG64(_digest("draws", source, seed, student)))
    values = grid_values(spec)
    reasons: Counter = Counter()
    for attempt in range(spec.max_draws):
        candidate = redraw(sc, spec, lambda n: [values[i] for i in rng.integers(0, len(values), n)])
        why = judge(candidate, spec, decimals)
        if why is None:
            vid = variant_id(source, seed, student)
            return Variant(student, vid, candidate, attempt, reasons)
        reasons[why] += 1
    worst = ", ".join(f"{why} ({n})" for why, n in reasons.most_common(3))
    raise NoGoodDraw(f"student {student}: no good draw in {spec.max_draws} tries; turned down for {worst}. "
                     "Widen variants.range, lower the grid, or raise variants.max_pre_activation or max_draws")


def variant_id(source: bytes, seed: str, student: str) -> str:
    """A short id for the variant: a hash of the teacher's seed, so it reveals nothing of the numbers."""
    return base64.b32encode(_digest("id", source, seed, student).to_bytes(16, "big")).decode()[:8]


def redraw(sc: Scenario, spec: Variants, pick) -> Scenario:
    """The scenario with everything `spec.vary` names drawn anew by `pick(n)` (n grid values)."""
    params = dict(sc.parameters)
    for name in sc.parameter_names:
        if name in spec.vary:
            params[name] = _reshape(pick(_size(params[name])), params[name])
    embeddings = dict(sc.embeddings)
    for word in embeddings:
        if "embeddings" in spec.vary or f"embeddings.{word}" in spec.vary:
            embeddings[word] = tuple(pick(len(embeddings[word])))
    examples = []
    for ex in sc.examples:
        if ex.tokens:
            inputs = tuple(embeddings[w] for w in ex.tokens)
        elif "inputs" in spec.vary:
            inputs = tuple(tuple(pick(len(x))) for x in ex.inputs)
        else:
            inputs = ex.inputs
        examples.append(ex._replace(inputs=inputs))
    return sc._replace(parameters=params, embeddings=embeddings, examples=tuple(examples))


def judge(sc: Scenario, spec: Variants, decimals: int) -> str | None:
    """Why this draw is not a good exercise, or None when it is."""
    from bptt_trace.errors import ArithmeticFault
    try:
        full = run(sc)
    except ArithmeticFault:
        return "overflow"
    why = _judge_trace(full, spec, decimals)
    if why:
        return why
    limit = spec.max_drift if spec.max_drift is not None else Fraction(5, 10 ** decimals)
    chosen = list(range(1, len(sc.examples) + 1))
    try:
        hand = run(sc, HandDecimal(decimals))
    except ArithmeticFault:
        return "overflow"
    if max(d.max_abs for d in drift(hand, full, chosen)) > limit:
        return "hand-rounding drift"
    return None


def _judge_trace(trace: Trace, spec: Variants, decimals: int) -> str | None:
    unit = 0.5 * 10.0 ** -decimals
    totals = {f"dL/d{p}" for p in key_gradients(trace.scenario)} | {"loss"}
    for step in trace.steps:
        if step.op == "activation" and step.detail in SQUASHING:
            if np.max(np.abs(np.asarray(step.inputs[0], dtype=float))) > spec.max_pre_activation:
                return "saturated pre-activation"
        value = np.asarray(step.value, dtype=float) if step.op != "given" else None
        if value is None or not is_reported(step.name):
            continue
        if step.name == "loss" and step.example is not None and float(value) < unit:
            return "prediction already right"
        key = step.phase == "forward" or (step.example is None and step.name in totals)
        if key and np.any((np.abs(value) < unit) & (value != 0)):  # exact zeros (h0 = 0, relu) are honest
            return "a key quantity rounds to 0"
        if step.op == "softmax" and len(set(np.round(value, decimals).tolist())) < value.size:
            return "softmax tie"
    return None


def key_gradients(sc: Scenario) -> tuple[str, ...]:
    """The parameters whose summed gradient must not round to 0: all of them, but for a gated cell
    only the output layer's (its gate gradients are routinely below the sheet's last decimal)."""
    if sc.model.cell in GATES:
        return ("W_hy", "b_y")
    return sc.parameter_names


def _digest(purpose: str, source: bytes, seed: str, student: str) -> int:
    h = hashlib.sha256()
    for part in (b"bptt-trace variants", purpose.encode(), hashlib.sha256(source).digest(), seed.encode(),
                 student.encode()):
        h.update(len(part).to_bytes(8, "big") + part)
    return int.from_bytes(h.digest()[:16], "big")


def _size(value) -> int:
    return sum(len(r) for r in value) if isinstance(value[0], tuple) else len(value)


def _reshape(flat: list, like) -> tuple:
    if not isinstance(like[0], tuple):
        return tuple(flat)
    cols = len(like[0])
    return tuple(tuple(flat[i * cols:(i + 1) * cols]) for i in range(len(like)))
