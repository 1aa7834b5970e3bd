"""The other networks by hand (--round) and in exact arithmetic: each written result is its step
redone in 50 digits from the written inputs and rounded; exact values equal float64."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import mpmath as mp
import numpy as np
import pytest

from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.numbers.systems import HandDecimal
from tests.conftest import ROOT
from tests.numbers.test_exact import assert_matches_float

NETWORKS = ["xor", "lstm_sentiment", "gru_sentiment", "birnn_sentiment"]
mp.mp.dps = 50


def _m(a):
    return np.vectorize(lambda d: mp.mpf(str(d)), otypes=[object])(np.asarray(a, dtype=object))


FUNCTIONS = {"tanh": mp.tanh, "sigmoid": lambda v: 1 / (1 + mp.exp(-v)), "identity": lambda v: v,
             "relu": lambda v: v if v > 0 else mp.mpf(0)}
SLOPES = {"tanh": lambda a: 1 - a * a, "sigmoid": lambda a: a * (1 - a)}


def _redo(step):
    """The step's op in 50 digits from its recorded (written) inputs; None for ops not redone here."""
    x = [_m(v) for v in step.inputs]
    if step.op == "matvec":
        return np.array([mp.fsum(x[0][i, j] * x[1][j] for j in range(x[0].shape[1])) for i in range(x[0].shape[0])])
    if step.op == "matvec_t":
        return np.array([mp.fsum(x[0][j, i] * x[1][j] for j in range(x[0].shape[0])) for i in range(x[0].shape[1])])
    if step.op in ("add", "sum"):
        return sum(x[1:], x[0])
    simple = {"subtract": lambda: x[0] - x[1], "hadamard": lambda: x[0] * x[1], "complement": lambda: 1 - x[0],
              "outer": lambda: np.outer(x[0], x[1]), "concat": lambda: np.concatenate(x),
              "slice": lambda: x[0][slice(*map(int, step.detail.split(":")))],
              "activation": lambda: np.vectorize(FUNCTIONS[step.detail], otypes=[object])(x[0]),
              "derivative": lambda: np.vectorize(SLOPES.get(step.detail, lambda a: None), otypes=[object])(x[0])}
    return simple[step.op]() if step.op in simple else None


@pytest.mark.parametrize("mode", ["round", "truncate"])
@pytest.mark.parametrize("name", NETWORKS)
def test_every_written_result_is_its_step_redone_and_rounded(name, mode):
    trace = run(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), HandDecimal(3, mode))
    rounding = ROUND_HALF_UP if mode == "round" else ROUND_DOWN
    redone = 0
    for step in trace.steps:
        if step.op == "given" or (step.op == "derivative" and step.detail not in SLOPES):
            continue
        want = _redo(step)
        if want is None:
            continue
        got = np.asarray(step.value, dtype=object)
        rounded = np.vectorize(lambda v: Decimal(mp.nstr(v, 40, strip_zeros=False)).quantize(Decimal("0.001"), rounding),
                               otypes=[object])(np.asarray(want, dtype=object))
        assert np.array_equal(got, rounded), (step.name, step.example, got, rounded)
        redone += 1
    assert redone > 50


@pytest.mark.parametrize("name", NETWORKS)
def test_exact_mode_equals_float64(name):
    exact = assert_matches_float(load_scenario(ROOT / "scenarios" / f"{name}.yaml"))
    assert exact.number_system == "exact"
