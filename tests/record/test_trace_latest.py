"""`Trace.latest` finds the latest step of each key by a scan back, as the index would, without building it."""

from __future__ import annotations

import numpy as np

from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import Float64
from bptt_trace.record.float_recorder import FloatRecorder
from bptt_trace.record.steps import Trace
from tests.record.test_float_recorder import random_cell


def test_latest_finds_what_step_finds_and_leaves_the_index_unbuilt():
    trace = Trace(None, "float64")
    rec = FloatRecorder(trace, Float64())
    one = rec.given("one", np.array([1.0]))
    for example in (1, 2):
        rec.example = example
        rec.given("x", np.array([float(example)]))
        for k in range(100):
            rec.hadamard(f"p{k}", one, one)
        rec.add("x", one, one)
    keys = [("x", 1), ("x", 2), ("one", None), ("p5", 1), ("absent", 1)]
    found = trace.latest(keys)
    assert trace._indexed == 0 and set(found) == {("x", 1), ("x", 2), ("one", None), ("p5", 1)}
    assert all(found[k] is trace.step(*k) for k in found)
    assert found[("x", 1)].op == "add"  # the later step of the name
    assert trace._indexed == len(trace.steps) and trace.latest(keys) == found  # from the index once built


def test_a_run_reads_its_totals_without_indexing_its_steps():
    trace = run(random_cell("lstm", steps=30))
    assert trace._indexed == 0
    assert trace.value("loss") == trace.value("loss", 1)
    assert trace.step("dL/dW_f").inputs[0] is trace.value("dL/dW_f", 1)


def test_few_keys_and_many_keys_find_the_same_steps_as_the_index():
    trace = run(random_cell("lstm", steps=12))
    names = sorted({s.name for s in trace.steps})
    for count in (1, 3, 16, 17, 40):  # up to 16 keys each is searched for in C, more by one scan back
        keys = [(n, e) for n in names[::max(1, len(names) // count)][:count] for e in (1, None)] + [("absent", 1)]
        found = trace.latest(keys)
        assert trace._indexed == 0
        assert set(found) == {k for k in keys if trace.has(*k)} and all(found[k] is trace.step(*k) for k in found)
        trace._indexed, trace._index = 0, {}  # has() and step() built the index: forget it for the next count
