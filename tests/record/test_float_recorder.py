"""The float64 fast path records exactly what the generic recorder records, bit for bit; the trace's
lazy index answers as an eager one would; a run leaves the garbage collector as it found it."""

from __future__ import annotations

import gc
from fractions import Fraction

import numpy as np
import pytest

from bptt_trace.networks import run as run_module
from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import Float64
from bptt_trace.record.float_recorder import FloatRecorder, recorder_for
from bptt_trace.record.ops import compute
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.record.steps import Step, Trace
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.scenario.spec import GATES, Example, Model, Scenario
from tests.conftest import ROOT

BUNDLED = sorted(p.stem for p in (ROOT / "bptt_trace" / "scenarios").glob("*.yaml"))


def random_cell(cell: str, steps: int = 7, hidden: int = 5, inputs: int = 3) -> Scenario:
    """A many-to-one scenario of a gated cell with random parameters, sizes not a multiple of 4."""
    rng = np.random.default_rng(3)
    frac = lambda a: tuple(map(frac, a)) if np.ndim(a) else Fraction(float(a))  # noqa: E731
    params = {}
    for g in GATES[cell]:
        params |= {f"W_{g}": frac(rng.uniform(-1, 1, (hidden, inputs))), f"U_{g}": frac(rng.uniform(-1, 1, (hidden, hidden))),
                   f"b_{g}": frac(rng.uniform(-1, 1, hidden))}
    params |= {"W_hy": frac(rng.uniform(-1, 1, (1, hidden))), "b_y": frac(np.zeros(1))}
    ex = Example(inputs=frac(rng.uniform(-1, 1, (steps, inputs))), tokens=None, targets=((Fraction(1),),), target=1)
    return Scenario(name="random", description="", model=Model(cell, hidden, inputs, 1, "tanh", "sigmoid", "bce", "last"),
                    parameters=params, h0=(Fraction(0),) * hidden, embeddings={}, examples=(ex,),
                    learning_rate=Fraction(1, 10), reduction="sum", c0=(Fraction(0),) * hidden)


def scenarios() -> list[Scenario]:
    return [load_scenario(ROOT / "bptt_trace" / "scenarios" / f"{n}.yaml") for n in BUNDLED] + \
        [random_cell("lstm"), random_cell("gru")]


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def same_step(s: Step, r: Step) -> bool:
    plain = all(getattr(s, f) == getattr(r, f) for f in ("op", "phase", "example", "t", "name", "operands", "detail"))
    return plain and len(s.inputs) == len(r.inputs) and all(map(same_bits, s.inputs, r.inputs)) and \
        same_bits(s.value, r.value) and (s.terms is None) == (r.terms is None)


@pytest.mark.parametrize("sc", scenarios(), ids=BUNDLED + ["random_lstm", "random_gru"])
def test_the_fast_path_records_the_generic_recorders_steps_bit_for_bit(sc, monkeypatch):
    fast = run(sc)
    monkeypatch.setattr(run_module, "recorder_for", Recorder)
    generic = run(sc)
    assert len(fast.steps) == len(generic.steps) > 50
    assert all(same_step(s, r) for s, r in zip(fast.steps, generic.steps))


@pytest.mark.parametrize("sc", scenarios(), ids=BUNDLED + ["random_lstm", "random_gru"])
def test_every_recorded_value_is_what_ops_compute_gives_for_its_inputs(sc):
    num = Float64()
    with num.context():
        for s in run(sc).steps:
            if s.op != "given":
                assert same_bits(compute(s.op, s.detail, s.inputs, num)[0], s.value), s.name


def test_a_float64_matvec_is_bit_for_bit_the_matmul_it_replaces():
    rng, num = np.random.default_rng(5), Float64()
    for rows, cols in [(1, 1), (3, 5), (5, 3), (7, 13), (32, 16), (64, 64), (33, 65), (130, 7)]:
        m, v, w = rng.standard_normal((rows, cols)) * 1e3, rng.standard_normal(cols), rng.standard_normal(rows)
        assert same_bits(compute("matvec", "", (m, v), num)[0], m @ v)
        assert same_bits(compute("matvec_t", "", (m, w), num)[0], m.T @ w)


def test_float64_gets_the_fast_path_and_other_systems_the_generic_one(monkeypatch):
    from bptt_trace.numbers.exact import Exact
    from bptt_trace.numbers.systems import HandDecimal
    from bptt_trace.record.hand_recorder import HandRecorder
    monkeypatch.delenv("BPTT_TRACE_HAND_ENGINE", raising=False)
    assert type(recorder_for(Trace(None, "float64"), Float64())) is FloatRecorder
    assert type(recorder_for(Trace(None, "hand"), HandDecimal(3))) is HandRecorder  # its own fast path (issue 18)
    assert type(recorder_for(Trace(None, "exact"), Exact())) is Recorder


def test_the_fast_path_still_reports_an_overflow_hidden_by_a_squashing_function():
    from bptt_trace.errors import ArithmeticFault
    rec = FloatRecorder(Trace(None, "float64"), Float64())
    rec.example, rec.t = 1, 2
    big = rec.given("W", np.array([1e308]))
    with np.errstate(all="ignore"):
        z = rec.add("z[2]", big, big)  # overflows to inf; tanh(inf) = 1 would hide it
        with pytest.raises(ArithmeticFault, match=r"z\[2\] \(example 1, step 2\)"):
            rec.activation("h[2]", "tanh", z)


def test_the_lazy_index_finds_the_latest_step_of_a_name_as_steps_arrive():
    trace = Trace(None, "float64")
    rec = FloatRecorder(trace, Float64())
    a = rec.given("a", np.array([1.0, 2.0]))
    assert trace.value("a") is a.value and not trace.has("b")
    rec.hadamard("b", a, a)
    assert trace.has("b") and list(trace.value("b")) == [1.0, 4.0]
    rec.add("b", a, Q("c", np.array([10.0, 10.0])))  # a later step of the same name replaces it in lookups
    assert list(trace.value("b")) == [11.0, 12.0] and trace.step("b").op == "add"
    rec.example = 1
    rec.hadamard("b", a, a)
    assert trace.step("b").op == "add" and trace.step("b", 1).op == "hadamard" and len(trace.steps) == 4


def test_a_run_leaves_the_collector_on_and_its_trace_in_the_oldest_generation():
    trace = run(random_cell("lstm"))
    assert gc.isenabled() and gc.get_freeze_count() == 0
    last = trace.steps[-1]
    assert gc.is_tracked(last) and any(o is last for o in gc.get_objects(generation=2))
    gc.disable()
    try:
        run(random_cell("gru"))
        assert not gc.isenabled()  # a collector the caller had turned off stays off
    finally:
        gc.enable()


def test_lookups_far_back_and_across_the_recent_window_find_the_latest_step():
    trace = Trace(None, "float64")
    rec = FloatRecorder(trace, Float64())
    one = rec.given("one", np.array([1.0]))
    rec.given("x", np.array([5.0]))
    for k in range(200):
        rec.hadamard(f"p{k}", one, one)
    assert trace.value("x")[0] == 5.0 and trace.step("p3").name == "p3"  # far back: through the index
    rec.add("x", one, one)
    for k in range(100):
        rec.hadamard(f"q{k}", one, one)
    assert trace.value("x")[0] == 2.0  # the later step of the name, now outside the recent window
    rec.given("x", np.array([7.0]))
    assert trace.value("x")[0] == 7.0 and not trace.has("nothing") and trace.has("q99")
    with pytest.raises(KeyError):
        trace.step("nothing")
