"""A gated layer's gradient sums kept stacked (`gate_sums`, `gate_deltas(into=)`), a δ sent back through several
transposed products (`transposed_sum`), a sum of products (`sum_of_products`) and several products (`hadamards`), each
in one frame, record the generic recorder's steps, bit for bit; anything they cannot stack goes the generic way; a
run's trace is freed without the garbage collector."""

from __future__ import annotations

import gc

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import Float64
from bptt_trace.record.gate_sums import GateSums, StackedPart
from bptt_trace.record.ops import compute
from bptt_trace.record.recorder import Q
from tests.record.test_float_recorder import random_cell, same_bits, same_step
from tests.record.test_gate_stacks import LSTM_FNS, both, layer


def record_sums(rec, gates, x: Q, hs: list[Q], seed: int, loose_at: int | None = None) -> list[Q]:
    """T steps of a gate layer and its deltas into `gate_sums`, then each gradient's total, as an LSTM records them.

    At step `loose_at` the deltas are taken of gate values not from a stacked layer (the generic way).
    """
    rng = np.random.default_rng(seed)
    sums = rec.gate_sums(len(gates))
    for t, h in enumerate(hs, 1):
        rec.t = t
        values = rec.gate_layer(gates, [(f"z_{k}[{t}]", f"g_{k}[{t}]") for k in range(len(gates))], x, h)
        if t == loose_at:
            values = [Q(v.name, v.value.copy()) for v in values]
        deltas = [Q(f"dL/dg_{k}[{t}]", rng.standard_normal(len(h.value))) for k in range(len(gates))]
        rec.gate_deltas([(f"dg_{k}/dz[{t}]", g[0], v, d, f"dL/dz_{k}[{t}]", f"dL/dW_{k}[{t}]", f"dL/dU_{k}[{t}]")
                         for k, (g, v, d) in enumerate(zip(gates, values, deltas))], x, h, sums)
    rec.phase, rec.t = "gradients", None
    return [rec.total(f"dL/d{kind}_{k}", part) for k, parts in enumerate(sums) for kind, part in zip("WUb", parts)]


@settings(max_examples=40, deadline=None)
@given(hidden=st.integers(1, 40), inputs=st.integers(1, 20), steps=st.integers(1, 6), seed=st.integers(0, 10 ** 6),
       fns=st.sampled_from([LSTM_FNS, ("sigmoid",), ("tanh", "sigmoid", "tanh")]))
def test_stacked_sums_record_the_generic_totals_bit_for_bit(hidden, inputs, steps, seed, fns):
    rng = np.random.default_rng(seed)
    gates = layer(rng, fns, hidden, inputs, scale=rng.uniform(0.1, 3))
    x = Q("x[1]", rng.standard_normal(inputs))
    hs = [Q(f"h[{t}]", rng.standard_normal(hidden)) for t in range(steps)]
    fast, generic = both()
    totals = record_sums(fast, gates, x, hs, seed)
    record_sums(generic, gates, x, hs, seed)
    assert len(fast.trace.steps) == len(generic.trace.steps) == steps * 8 * len(fns) + 3 * len(fns)
    assert all(same_step(s, r) for s, r in zip(fast.trace.steps, generic.trace.steps))
    num = Float64()
    with num.context():
        for s in fast.trace.steps[-3 * len(fns):]:
            assert s.op == "sum" and same_bits(compute("sum", "", s.inputs, num)[0], s.value)
    if steps > 1:  # each total is a row of one stacked array
        assert totals[0].value.base is not None and totals[0].value.base is totals[3 * len(fns) - 3].value.base


def test_a_step_that_is_not_stacked_leaves_the_totals_to_ops_with_the_same_steps():
    rng = np.random.default_rng(11)
    gates = layer(rng, LSTM_FNS, 5, 3)
    x, hs = Q("x", rng.standard_normal(3)), [Q(f"h[{t}]", rng.standard_normal(5)) for t in range(4)]
    fast, generic = both()
    totals = record_sums(fast, gates, x, hs, 5, loose_at=3)
    record_sums(generic, gates, x, hs, 5, loose_at=3)
    assert all(same_step(s, r) for s, r in zip(fast.trace.steps, generic.trace.steps))
    assert all(t.value.base is None for t in totals)  # computed by ops, not read from the stacks


def test_gate_sums_are_plain_lists_to_read_and_the_generic_recorder_gives_lists():
    fast, generic = both()
    sums = fast.gate_sums(2)
    assert type(sums) is GateSums and len(sums) == 2 and all(type(p) is StackedPart for p in sums[1])
    assert sums[0][0] == [] and sums[0][0].total() is None
    plain = generic.gate_sums(2)
    assert plain == [([], [], []), ([], [], [])] and plain[0][0] is not plain[0][1]


def pairs_of(rng, count: int, rows: list[int], cols: int) -> list[tuple[Q, Q]]:
    """Random (M, v) pairs whose products Mᵀ·v all have `cols` entries."""
    return [(Q(f"M{k}", rng.standard_normal((r, cols)) * 10.0 ** rng.integers(-3, 4)), Q(f"v{k}", rng.standard_normal(r)))
            for k, r in zip(range(count), rows)]


@settings(max_examples=60, deadline=None)
@given(count=st.integers(1, 5), rows=st.lists(st.integers(1, 40), min_size=5, max_size=5), cols=st.integers(1, 70),
       seed=st.integers(0, 10 ** 6))
def test_a_transposed_sum_records_the_generic_products_and_sum_bit_for_bit(count, rows, cols, seed):
    pairs = pairs_of(np.random.default_rng(seed), count, rows, cols)
    fast, generic = both()
    a, b = fast.transposed_sum("dL/dh[3]", pairs), generic.transposed_sum("dL/dh[3]", pairs)
    assert len(fast.trace.steps) == len(generic.trace.steps) == (1 if count == 1 else count + 1)
    assert all(same_step(s, r) for s, r in zip(fast.trace.steps, generic.trace.steps))
    assert a.name == "dL/dh[3]" and same_bits(a.value, b.value)
    assert [s.op for s in fast.trace.steps] == ["matvec_t"] * count + ([] if count == 1 else ["add"])
    num = Float64()
    with num.context():
        assert all(same_bits(compute(s.op, s.detail, s.inputs, num)[0], s.value) for s in fast.trace.steps)


def test_a_transposed_sum_of_other_values_goes_the_generic_way():
    rng = np.random.default_rng(9)
    pairs = pairs_of(rng, 3, [4, 4, 4], 3)
    odd = pairs[:2] + [(Q("M", np.arange(12).reshape(4, 3)), Q("v", np.ones(4)))]  # an integer matrix
    fast, generic = both()
    fast.transposed_sum("s", odd)
    generic.transposed_sum("s", odd)
    assert all(same_step(s, r) for s, r in zip(fast.trace.steps, generic.trace.steps))
    assert [s.name for s in fast.trace.steps] == ["M0^T v0", "M1^T v1", "M^T v", "s"]


def test_a_gated_run_is_freed_without_the_garbage_collector():
    for cell in ("lstm", "gru"):
        sc = random_cell(cell)
        gc.collect()
        gc.disable()
        try:
            run(sc)
            assert gc.collect() == 0  # nothing the run made is kept alive by a reference cycle
        finally:
            gc.enable()


@settings(max_examples=60, deadline=None)
@given(shape=st.sampled_from([(1,), (5,), (32,), (33,), (3, 4)]), seed=st.integers(0, 10 ** 6), count=st.integers(1, 3))
def test_a_sum_of_products_records_the_generic_products_and_sum_bit_for_bit(shape, seed, count):
    rng = np.random.default_rng(seed)
    pairs = [(Q(f"a{k}", rng.standard_normal(shape) * 1e3), Q(f"b{k}", rng.standard_normal(shape))) for k in range(count)]
    if seed % 3 == 0:  # signed zeros and a zero factor
        pairs[0] = (Q("z", np.zeros(shape)), Q("n", -np.ones(shape)))
    fast, generic = both()
    a, b = fast.sum_of_products("c[3]", pairs), generic.sum_of_products("c[3]", pairs)
    assert len(fast.trace.steps) == len(generic.trace.steps) == count + 1
    assert all(same_step(s, r) for s, r in zip(fast.trace.steps, generic.trace.steps))
    assert [s.name for s in fast.trace.steps] == [f"{p.name} {q.name}" for p, q in pairs] + ["c[3]"]
    assert a.name == "c[3]" and same_bits(a.value, b.value)
    num = Float64()
    with num.context():
        assert all(same_bits(compute(s.op, s.detail, s.inputs, num)[0], s.value) for s in fast.trace.steps)


def test_stacks_of_another_shape_or_order_leave_the_sums_to_ops():
    rng = np.random.default_rng(12)
    for changed in ("rows", "shape"):
        sums = GateSums(2)
        for step in range(3):
            rows = (1, 0) if changed == "rows" and step == 2 else (0, 1)
            size = 4 if changed == "shape" and step == 2 else 3
            stacks = (rng.standard_normal((2, size, 2)), rng.standard_normal((2, size, size)), rng.standard_normal((2, size)))
            sums.stacks.add(rows, stacks)
            for j, parts in enumerate(sums):
                for kind, part in enumerate(parts):
                    part.append(Q(f"p{step}", stacks[kind][rows[j]]))
        assert all(part.total() is None for parts in sums for part in parts)


@settings(max_examples=40, deadline=None)
@given(shape=st.sampled_from([(1,), (7,), (32,), (2, 5)]), seed=st.integers(0, 10 ** 6), count=st.integers(0, 4))
def test_hadamards_record_the_generic_products_bit_for_bit(shape, seed, count):
    rng = np.random.default_rng(seed)
    products = [("" if k % 2 else f"p{k}", Q(f"a{k}", rng.standard_normal(shape)), Q(f"b{k}", rng.standard_normal(shape)))
                for k in range(count)]
    fast, generic = both()
    a, b = fast.hadamards(products), generic.hadamards(products)
    assert len(fast.trace.steps) == len(generic.trace.steps) == count == len(a)
    assert all(same_step(s, r) for s, r in zip(fast.trace.steps, generic.trace.steps))
    assert [q.name for q in a] == [q.name for q in b] == [s.name for s in fast.trace.steps]
    assert all(q.name == (f"a{k} b{k}" if k % 2 else f"p{k}") for k, q in enumerate(a))
    assert all(same_bits(p.value, q.value) for p, q in zip(a, b))
