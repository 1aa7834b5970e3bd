"""The hand engine's fused RNN steps record what its primitives record one by one, and what the Decimal
recorder records; a sequence's inputs and its states' slopes, worked out at once, are each one's own."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bptt_trace.errors import ArithmeticFault
from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import HandDecimal
from bptt_trace.record.fixed import Fixed, fraction_mantissas, rounder
from bptt_trace.record.hand_recorder import HandRecorder
from bptt_trace.record.hand_steps import StateSlopes
from bptt_trace.record.hand_givens import input_rows
from bptt_trace.record.recorder import Recorder
from bptt_trace.record.steps import Trace
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT
from tests.record.hand_twins import ENGINE, both, differences, written
from tests.strategies import load_dict

# K-place entries with ties (0.5·0.5), negative zeros, and values whose products near 2^52 (the primitives' path)
_ENTRY = st.sampled_from(["0", "-0", "0.5", "-0.5", "0.3", "-0.7", "1", "2.5", "-3", "40", "-90000000"])


def _vector(n: int):
    return st.lists(_ENTRY, min_size=n, max_size=n)


def _steps(rec: Recorder) -> list:
    return [(s.op, s.phase, s.t, s.name, s.operands, s.detail, written(s.inputs), written(s.value), written(s.terms))
            for s in rec.trace.steps]


def _run_step(fused: bool, places: int, mode: str, fn: str, W, U, b, xs, dz) -> list:
    """Two forward steps, a delta step and a step's gradients, fused or by the primitives one by one."""
    num = HandDecimal(places, mode)
    rec = HandRecorder(Trace(None, num.name), num)
    cls = HandRecorder if fused else Recorder  # Recorder's methods call the hand recorder's primitives
    try:
        _steps_of(rec, cls, fn, W, U, b, xs, dz)
    except ArithmeticFault as fault:  # a Decimal overflow (a sigmoid of a huge z) must be the same fault
        return _steps(rec) + [str(fault)]
    return _steps(rec)


def _steps_of(rec: HandRecorder, cls: type, fn: str, W, U, b, xs, dz) -> None:
    num = rec.num
    with num.context():
        Wq, Uq, bq = (rec.given(n, num.array(v)) for n, v in (("W", W), ("U", U), ("b", b)))
        x = [rec.given(f"x[{t}]", v) for t, v in enumerate(rec.given_inputs(xs), 1)]
        h = rec.given("h[0]", num.array(tuple(Fraction(0) for _ in b)))
        for t in (1, 2):
            rec.t = t
            _, h = cls.recurrent_step(rec, (f"Wx{t}", f"Uh{t}", f"z{t}", f"h{t}"), fn, Wq, x[t - 1], Uq, h, bq)
        d = rec.given("dz", num.array(dz))
        d = cls.delta_step(rec, ("dh", "slope", "dz1"), fn, Uq, d, h)
        lists = ([], [], [])
        cls.step_gradients(rec, ("gW", "gU", "gb", "dx"), d, x[0], h, Wq, lists)
        for parts, name in zip(lists, ("sW", "sU", "sb")):
            rec.total(name, parts)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(1, 3), m=st.integers(1, 3), places=st.integers(0, 3),
       mode=st.sampled_from(["round", "truncate"]), fn=st.sampled_from(["tanh", "sigmoid"]))
def test_fused_steps_record_what_the_primitives_record(data, n, m, places, mode, fn):
    frac = lambda xs: tuple(Fraction(x) for x in xs)  # noqa: E731
    W = tuple(frac(data.draw(_vector(m))) for _ in range(n))
    U = tuple(frac(data.draw(_vector(n))) for _ in range(n))
    b = frac(data.draw(_vector(n)))
    xs = tuple(frac(data.draw(_vector(m))) for _ in range(2))
    dz = frac(data.draw(_vector(n)))
    args = (places, mode, fn, W, U, b, xs, dz)
    assert _run_step(True, *args) == _run_step(False, *args)


def test_the_sentiment_rnn_takes_the_fused_steps_and_matches_the_decimal_engine(monkeypatch):
    calls = {"recurrent_step": 0, "delta_step": 0, "step_gradients": 0}
    for name in calls:
        base = getattr(Recorder, name)

        def counted(self, *a, _name=name, _base=base, **k):
            calls[_name] += 1
            return _base(self, *a, **k)
        monkeypatch.setattr(Recorder, name, counted)
    sc = load_scenario(ROOT / "scenarios" / "sentiment.yaml")
    monkeypatch.delenv(ENGINE, raising=False)
    fast = run(sc, HandDecimal(3))
    assert calls == {"recurrent_step": 0, "delta_step": 0, "step_gradients": 0}  # no fallback to the primitives
    monkeypatch.setenv(ENGINE, "decimal")
    slow = run(sc, HandDecimal(3))
    assert calls["recurrent_step"] == 10 and calls["step_gradients"] == 10  # 6 + 4 steps, primitives one by one
    assert [written(s.value) for s in fast.steps] == [written(s.value) for s in slow.steps]


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.lists(st.sampled_from([0, -0.0, 0.5, -0.5, 1.5, -2]), min_size=3, max_size=3),
                     min_size=1, max_size=6),
       matrix=st.lists(st.sampled_from([0.0, -0.0, 5.0, -5.0, 15.0]), min_size=6, max_size=6))
def test_products_with_every_input_are_each_rounded_as_alone(rows, matrix):
    rnd = rounder(1, "round")
    made = input_rows([tuple(Fraction(v) for v in r) for r in rows], 1, {}, lambda row: row)
    assert made is not None
    fixed, stack = made
    a = np.array(matrix).reshape(2, 3)
    for i, f in enumerate(fixed):
        alone = np.add.reduce(a * f.m, axis=1, initial=-0.0)  # Decimal's sum: −0 only when every product is
        got = stack.product(a, i, rnd)
        assert got.tolist() == rnd(alone).tolist()
        assert np.signbit(got).tolist() == np.signbit(rnd(alone)).tolist()
        assert f.bound >= np.abs(f.m).max()


def test_inputs_that_are_not_k_place_vectors_of_one_length_are_not_stacked():
    assert input_rows([(Fraction(1, 3),), (Fraction(1),)], 2, {}, lambda r: r) is None
    assert input_rows([(1, 2), (3,)], 2, {}, lambda r: r) is None
    m, top = fraction_mantissas(((1, 2), (3, 4)), 1)
    assert m.tolist() == [[10, 20], [30, 40]] and top == 40


def test_state_slopes_are_each_states_own_and_none_for_a_state_not_noted():
    rnd = rounder(3, "round")
    slopes = StateSlopes(1000.0, rnd)
    states = [Fixed(np.array([v, -v, 0.0]), 3, 1000.0) for v in (0.0, 761.0, 999.0, 500.0)]
    for s in states:
        slopes.note("tanh", s)
    other = Fixed(np.array([1.0, 2.0, 3.0]), 3, 3.0)
    assert slopes.of("tanh", other) is None
    for s in states:
        assert slopes.of("tanh", s).tolist() == rnd(1e6 - s.m * s.m).tolist()
    sig = [Fixed(np.array([v]), 3, 1000.0) for v in (0.0, 731.0)] + [Fixed(np.array([1.0, 2.0]), 3, 2.0)]
    for s in sig:
        slopes.note("sigmoid", s)
    assert slopes.of("sigmoid", sig[0]) is None  # states of two shapes: each slope is made alone


def test_a_long_sequence_with_ties_and_zeros_agrees_with_the_decimal_engine(monkeypatch, tmp_path):
    # 40 steps: every gradient is a sum of more than 16 parts (summed in one reduction), many of them −0
    rng = np.random.default_rng(5)
    inputs = [[float(v) for v in rng.choice([0.0, 0.5, -0.5, 0.0, -0.3], 2)] for _ in range(40)]
    doc = {"name": "long ties", "model": {"cell": "rnn", "hidden_size": 2, "activation": "tanh",
                                          "output": "sigmoid", "loss": "bce"},
           "parameters": {"W_xh": [[0.5, 0], [-0.5, 0.25]], "W_hh": [[0, 0], [0.5, -0.5]], "b_h": [0, 0],
                          "W_hy": [[0.5, -0.5]], "b_y": [0]},
           "examples": [{"inputs": inputs, "target": 1}]}
    sc = load_dict(doc, tmp_path)
    for places in (1, 2, 3):
        for mode in ("round", "truncate"):
            slow, fast = both(sc, places, mode, monkeypatch)
            assert differences(slow, fast) == []
    sums = [s for s in fast.steps if s.op == "sum" and len(s.operands) > 16]
    minus = [v for s in fast.steps if s.op == "outer" for v in s.value.ravel() if v == 0 and v.is_signed()]
    assert len(sums) == 3 and minus  # summed with +0s and others, as Decimal's left-to-right sum signs them


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(st.lists(st.sampled_from([0.0, -0.0, 3.0, -3.0, 7.0]), min_size=3, max_size=3),
                      min_size=1, max_size=40))
def test_a_sum_of_many_parts_is_the_left_to_right_sum_signs_of_zero_included(parts):
    num = HandDecimal(1)
    rec = HandRecorder(Trace(None, num.name), num)
    fs = tuple(Fixed(np.array(p), 1) for p in parts)
    acc = fs[0].m
    for f in fs[1:]:
        acc = acc + f.m
    got = rec._summed(fs).m
    assert got.tolist() == acc.tolist() and np.signbit(got).tolist() == np.signbit(acc).tolist()
