"""The stacked gates of the float64 recorder record exactly the generic recorder's steps, bit for bit, at
sizes on both sides of every SIMD width; inputs they cannot stack go the generic way; a gradient's
running sum is the sum `ops` computes."""

from __future__ import annotations

import numpy as np
import pytest

from bptt_trace.errors import ArithmeticFault
from bptt_trace.networks import run as run_module
from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import Float64
from bptt_trace.record.float_recorder import FloatRecorder
from bptt_trace.record.ops import compute
from bptt_trace.record.recorder import Q, Recorder
from bptt_trace.record.running_sum import RunningSum
from bptt_trace.record.steps import Trace
from tests.record.test_float_recorder import random_cell, same_bits, same_step

LSTM_FNS = ("sigmoid", "sigmoid", "tanh", "sigmoid")


def layer(rng, fns, hidden: int, inputs: int, scale: float = 3.0) -> tuple:
    """Random (function, W, U, b) per gate, the weights large enough to saturate some gates."""
    return tuple((fn, Q(f"W_{k}", rng.standard_normal((hidden, inputs)) * scale),
                  Q(f"U_{k}", rng.standard_normal((hidden, hidden)) * scale), Q(f"b_{k}", rng.standard_normal(hidden)))
                 for k, fn in enumerate(fns))


def both() -> tuple[FloatRecorder, Recorder]:
    """Two recorders, the fast one and the generic one, at the same example and step."""
    fast, generic = FloatRecorder(Trace(None, "float64"), Float64()), Recorder(Trace(None, "float64"), Float64())
    for rec in (fast, generic):
        rec.phase, rec.example, rec.t = "forward", 1, 3
    return fast, generic


def record_cell(rec, gates, x: Q, h: Q, rng_seed: int) -> None:
    """A gate layer, then the gates' deltas from random δs, as an LSTM step records them."""
    names = [(f"z_{k}[3]", f"g_{k}[3]") for k in range(len(gates))]
    values = rec.gate_layer(gates, names, x, h)
    rng = np.random.default_rng(rng_seed)
    deltas = [Q(f"dL/dg_{k}[3]", rng.standard_normal(len(h.value))) for k in range(len(gates))]
    rec.gate_deltas([(f"dg_{k}/dz[3]", g[0], v, d, f"dL/dz_{k}[3]", f"dL/dW_{k}[3]", f"dL/dU_{k}[3]")
                     for k, (g, v, d) in enumerate(zip(gates, values, deltas))], x, h)


@pytest.mark.parametrize("hidden,inputs",
                         [(1, 1), (3, 2), (4, 4), (5, 3), (8, 16), (16, 7), (31, 9), (32, 16), (33, 65)])
@pytest.mark.parametrize("fns", [LSTM_FNS, ("sigmoid", "sigmoid"), ("tanh",), ("tanh", "sigmoid", "tanh")])
def test_stacked_gates_record_the_generic_steps_bit_for_bit(hidden, inputs, fns):
    rng = np.random.default_rng(hidden * 100 + inputs)
    gates = layer(rng, fns, hidden, inputs)
    x, h = Q("x[3]", rng.standard_normal(inputs)), Q("h[2]", rng.standard_normal(hidden))
    fast, generic = both()
    record_cell(fast, gates, x, h, 7)
    record_cell(generic, gates, x, h, 7)
    assert len(fast.trace.steps) == len(generic.trace.steps) == 8 * len(fns)
    assert all(same_step(s, r) for s, r in zip(fast.trace.steps, generic.trace.steps))
    assert [s.op for s in fast.trace.steps[:4]] == ["matvec", "matvec", "add", "activation"]
    backward = fast.trace.steps[4 * len(fns):4 * len(fns) + 4]
    assert [s.op for s in backward] == ["derivative", "hadamard", "outer", "outer"]
    num = Float64()
    with num.context():
        assert all(same_bits(compute(s.op, s.detail, s.inputs, num)[0], s.value) for s in fast.trace.steps)


def test_each_gate_is_a_row_of_one_stacked_array_and_the_sigmoids_come_first():
    rng = np.random.default_rng(1)
    gates = layer(rng, LSTM_FNS, 6, 4)
    fast, _ = both()
    values = fast.gate_layer(gates, [(f"z{k}", f"g{k}") for k in range(4)], Q("x", rng.standard_normal(4)),
                             Q("h", rng.standard_normal(6)))
    stack = values[0].value.base
    assert stack.shape == (4, 6) and all(v.value.base is stack for v in values)
    assert same_bits(values[2].value, stack[3]) and same_bits(values[3].value, stack[2])  # tanh gate last
    assert [v.name for v in values] == ["g0", "g1", "g2", "g3"]


def test_inputs_that_cannot_be_stacked_go_the_generic_way_with_the_same_steps():
    rng = np.random.default_rng(2)
    gates = layer(rng, ("sigmoid", "relu"), 4, 3)  # relu is not stacked
    x, h = Q("x", rng.standard_normal(3)), Q("h", rng.standard_normal(4))
    fast, generic = both()
    names = [("z0", "g0"), ("z1", "g1")]
    for rec in (fast, generic):
        rec.gate_layer(gates, names, x, h)
    loose = [Q("a", rng.random(4)), Q("b", rng.random(4))]  # gate values not from a stacked layer
    for rec in (fast, generic):
        rec.gate_deltas([("s0", "sigmoid", loose[0], Q("d0", np.ones(4)), "dz0", "dW0", "dU0")], x, h)
        rec.gate_layer(layer(np.random.default_rng(3), ("tanh",), 4, 3), [("z2", "g2")], Q("x", np.arange(3)), h)
    assert len(fast.trace.steps) == len(generic.trace.steps)
    assert all(same_step(s, r) for s, r in zip(fast.trace.steps, generic.trace.steps))


def test_a_slope_asked_of_another_function_than_its_gate_goes_the_generic_way():
    rng = np.random.default_rng(8)
    gates = layer(rng, ("sigmoid", "tanh"), 4, 3)
    x, h = Q("x", rng.standard_normal(3)), Q("h", rng.standard_normal(4))
    fast, generic = both()
    for rec in (fast, generic):
        f, c = rec.gate_layer(gates, [("z0", "g0"), ("z1", "g1")], x, h)
        rec.gate_deltas([("s0", "tanh", f, Q("d0", np.ones(4)), "dz0", "dW0", "dU0"),
                         ("s1", "sigmoid", c, Q("d1", np.ones(4)), "dz1", "dW1", "dU1")], x, h)
    assert fast.trace.steps[8].detail == "tanh" and same_bits(fast.trace.steps[8].value, 1 - f.value ** 2)
    assert all(same_step(s, r) for s, r in zip(fast.trace.steps, generic.trace.steps))


def test_an_overflow_in_a_stacked_gate_names_its_first_non_finite_step():
    fast, _ = both()
    big = np.full((2, 1), 1e308)
    gates = (("sigmoid", Q("W_f", np.ones((2, 1))), Q("U_f", np.ones((2, 2))), Q("b_f", np.zeros(2))),
             ("tanh", Q("W_c", big), Q("U_c", np.ones((2, 2))), Q("b_c", np.full(2, 1e308))))
    with np.errstate(all="ignore"):
        with pytest.raises(ArithmeticFault, match=r"^z_c\[3\] \(example 1, step 3\)"):
            fast.gate_layer(gates, [("z_f[3]", "f[3]"), ("z_c[3]", "c[3]")], Q("x", np.ones(1)), Q("h", np.ones(2)))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_gated_run_at_hidden_sizes_of_simd_widths_matches_the_generic_recorder(cell, monkeypatch):
    sc = random_cell(cell, steps=6, hidden=33, inputs=17)
    fast = run(sc)
    monkeypatch.setattr(run_module, "recorder_for", Recorder)
    generic = run(sc)
    assert len(fast.steps) == len(generic.steps) > 200
    assert all(same_step(s, r) for s, r in zip(fast.steps, generic.steps))


def test_a_running_sum_is_the_sum_ops_computes_and_gives_up_on_mixed_values():
    rng, num = np.random.default_rng(4), Float64()
    for n in (2, 3, 7):
        parts = RunningSum()
        for k in range(n):
            parts.append(Q(f"p{k}", rng.standard_normal((3, 2)) * 10 ** k))
        assert same_bits(parts.total(), compute("sum", "", tuple(q.value for q in parts), num)[0])
        assert len(parts) == n and [q.name for q in parts] == [f"p{k}" for k in range(n)]
    one = RunningSum()
    one.append(Q("a", np.ones(2)))
    assert one.total() is None  # a sum of one is the value itself, recorded the usual way
    for odd in (np.ones(3), np.ones(2, dtype=int), 1.0):
        mixed = RunningSum()
        for v in (np.ones(2), np.ones(2), odd):
            mixed.append(Q("v", v))
        assert mixed.total() is None and len(mixed) == 3


def test_a_total_over_a_running_sum_records_the_step_a_list_gives():
    rng = np.random.default_rng(6)
    values = [Q(f"dW[{t}]", rng.standard_normal((2, 3))) for t in (3, 2, 1)]
    fast, generic = both()
    parts = fast.running_sum()
    for q in values:
        parts.append(q)
    assert type(parts) is RunningSum and generic.running_sum() == []
    a, b = fast.total("dL/dW", parts), generic.total("dL/dW", list(values))
    assert a.value is parts.total() and same_step(fast.trace.steps[-1], generic.trace.steps[-1])
    assert fast.trace.steps[-1].inputs == tuple(q.value for q in values) and same_bits(a.value, b.value)
