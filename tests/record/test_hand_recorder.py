"""The fast hand-rounded engine records exactly what HandDecimal's Decimal recorder records: every
step's fields, and the `str` of every Decimal of its inputs, value and terms (exponent, sign of zero),
for every shipped scenario, both round modes and K from 0 to 6; and for random scenarios of every cell."""

from __future__ import annotations

import pickle
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import HandDecimal
from bptt_trace.record.fixed import Fixed, LazyStep
from bptt_trace.record.float_recorder import recorder_for
from bptt_trace.record.hand_recorder import HandRecorder
from bptt_trace.record.recorder import Recorder
from bptt_trace.record.steps import Trace
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT
from tests.record.hand_twins import ENGINE, both, differences, written
from tests.strategies import cell_scenario_dicts, load_dict, scenario_dicts

SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
@pytest.mark.parametrize("mode", ["round", "truncate"])
def test_every_shipped_scenario_records_the_same_decimals(path, mode, monkeypatch):
    sc = load_scenario(path)
    for places in (0, 1, 2, 3, 4, 6):
        slow, fast = both(sc, places, mode, monkeypatch)
        assert differences(slow, fast) == [], (places, differences(slow, fast)[:3])


def test_the_shipped_scenarios_mostly_take_the_fast_path(monkeypatch):
    monkeypatch.delenv(ENGINE, raising=False)
    trace = run(load_scenario(ROOT / "scenarios" / "sentiment.yaml"), HandDecimal(3))
    lazy = [s for s in trace.steps if type(s) is LazyStep]
    assert len(lazy) / len(trace.steps) > 0.8
    assert {s.op for s in lazy} >= {"given", "matvec", "matvec_t", "add", "activation", "derivative", "hadamard",
                                     "outer", "sum"}


def test_the_decimal_engine_can_be_forced_and_other_systems_keep_their_recorders(monkeypatch):
    trace = Trace(None, "x")
    monkeypatch.delenv(ENGINE, raising=False)
    assert type(recorder_for(trace, HandDecimal(3))) is HandRecorder
    assert type(recorder_for(trace, HandDecimal(10))) is Recorder  # more places than the fast engine takes
    monkeypatch.setenv(ENGINE, "decimal")
    assert type(recorder_for(trace, HandDecimal(3))) is Recorder


def test_larger_places_and_truncated_runs_agree(monkeypatch):
    sc = load_scenario(ROOT / "scenarios" / "lstm_sentiment.yaml")
    for places in (5, 7, 8, 9):
        for mode in ("round", "truncate"):
            assert differences(*both(sc, places, mode, monkeypatch)) == []


GRIDS = st.integers(1, 4)


def _regrid(doc, draw_places: int, scale: float):
    """Every number of a scenario dict put on a grid of `draw_places` decimals (fractions kept), times `scale`."""
    def fix(v):
        if isinstance(v, float):
            return round(v * scale, draw_places)
        if isinstance(v, list):
            return [fix(x) for x in v]
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        return v
    out = dict(doc)
    out["parameters"] = fix(doc["parameters"])
    out["examples"] = [dict(ex, inputs=fix(ex["inputs"])) if "inputs" in ex else ex for ex in doc["examples"]]
    if "embeddings" in doc:
        out["embeddings"] = fix(doc["embeddings"])
    return out


def _check_random(doc, grid, scale, places, mode, tmp_path, monkeypatch):
    doc = _regrid(doc, grid, scale)
    sc = load_dict(doc, tmp_path)
    slow, fast = both(sc, places, mode, monkeypatch)
    assert differences(slow, fast) == [], differences(slow, fast)[:3]


HYPO = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@HYPO
@given(doc=scenario_dicts(), grid=GRIDS, scale=st.sampled_from([1.0, 5.0, 40.0]), places=st.integers(0, 4),
       mode=st.sampled_from(["round", "truncate"]))
def test_random_rnn_scenarios_record_the_same_decimals(doc, grid, scale, places, mode, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        _check_random(doc, grid, scale, places, mode, tmp_path_factory.mktemp("s"), mp)


@pytest.mark.parametrize("cell", ["lstm", "gru", "birnn", "mlp"])
def test_random_cell_scenarios_record_the_same_decimals(cell):
    @HYPO
    @given(doc=cell_scenario_dicts(cell), grid=GRIDS, scale=st.sampled_from([1.0, 8.0]), places=st.integers(0, 4),
           mode=st.sampled_from(["round", "truncate"]))
    def check(doc, grid, scale, places, mode):
        import tempfile
        from pathlib import Path
        with pytest.MonkeyPatch.context() as mp, tempfile.TemporaryDirectory() as tmp:
            _check_random(doc, grid, scale, places, mode, Path(tmp), mp)
    check()


def test_ties_and_negative_zeros_in_products_round_as_decimal_does(monkeypatch, tmp_path):
    # 0.5 · 0.5 = 0.25 and 0.5 · −0.5 = −0.25: ties at K = 1; 0 · −0.3 = −0: a negative zero
    doc = {"name": "ties", "model": {"cell": "rnn", "hidden_size": 2, "activation": "tanh", "output": "identity",
                                     "loss": "mse"},
           "parameters": {"W_xh": [[0.5, 0], [-0.5, 0.25]], "W_hh": [[0, 0], [0.5, -0.5]], "b_h": [0, 0],
                          "W_hy": [[0.5, -0.5]], "b_y": [0]},
           "examples": [{"inputs": [[0.5, -0.3], [-0.5, 0.3], [0, -0.5]], "target": 0.25}],
           "training": {"learning_rate": 0.5}}
    sc = load_dict(doc, tmp_path)
    for places in (0, 1, 2, 3):
        for mode in ("round", "truncate"):
            slow, fast = both(sc, places, mode, monkeypatch)
            assert differences(slow, fast) == []
    minus = [v for s in slow.steps if isinstance(s.value, np.ndarray) for v in s.value.ravel()
             if isinstance(v, Decimal) and v == 0 and v.is_signed()]
    assert minus, "the scenario should produce a −0"


def test_saturated_and_large_values_agree(monkeypatch, tmp_path):
    # pre-activations far beyond tanh's and sigmoid's bends, and weights whose products leave int range at K = 6
    doc = {"name": "big", "model": {"cell": "rnn", "hidden_size": 2, "activation": "sigmoid", "output": "sigmoid",
                                    "loss": "bce"},
           "parameters": {"W_xh": [[90, -120], [4000, 1]], "W_hh": [[300, 0], [0, -250]], "b_h": [0.5, -0.5],
                          "W_hy": [[60, -60]], "b_y": [0]},
           "examples": [{"inputs": [[1.5, -2], [-3, 0.7]], "target": 1}],
           "training": {"learning_rate": 0.1}}
    sc = load_dict(doc, tmp_path)
    for places in (0, 2, 3, 6, 9):
        for mode in ("round", "truncate"):
            assert differences(*both(sc, places, mode, monkeypatch)) == []


def test_givens_with_more_places_than_k_take_the_decimal_path_and_agree(monkeypatch, tmp_path):
    doc = {"name": "fine", "model": {"cell": "gru", "hidden_size": 2, "output": "sigmoid", "loss": "bce"},
           "parameters": {f"{p}_{g}": ([[0.1234, -0.5], [0.25, 0.333]] if p in "WU" else [0.0001, -0.3])
                          for g in "urh" for p in "WUb"} | {"W_hy": [[0.7, -0.125]], "b_y": ["1/3"]},
           "examples": [{"inputs": [[0.5, -0.25], [0.125, 1]], "target": 0}],
           "training": {"learning_rate": 0.05}}
    sc = load_dict(doc, tmp_path)
    for places in (1, 2, 3, 5):
        for mode in ("round", "truncate"):
            assert differences(*both(sc, places, mode, monkeypatch)) == []


def test_clipping_truncation_mean_and_training_agree(monkeypatch, tmp_path):
    base = (ROOT / "scenarios" / "exploding.yaml")
    sc = load_scenario(base)
    for clip in (("norm", Fraction(1)), ("value", Fraction(1, 2))):
        clipped = sc._replace(clip=clip, reduction="mean")
        for mode in ("round", "truncate"):
            assert differences(*both(clipped, 3, mode, monkeypatch)) == []
    truncated = load_scenario(ROOT / "scenarios" / "vanishing.yaml")._replace(truncate=3)
    assert differences(*both(truncated, 3, "round", monkeypatch)) == []


def test_a_second_step_from_updated_parameters_agrees(monkeypatch):
    # as a caller passing the last update's parameters back in (Decimal arrays read from a trace)
    sc = load_scenario(ROOT / "scenarios" / "gru_sentiment.yaml")
    for mode in ("round", "truncate"):
        first, _ = both(sc, 2, mode, monkeypatch)
        params = {g: first.value(f"{g}_new") for g in sc.parameter_names}
        assert differences(*both(sc, 2, mode, monkeypatch, parameters=params)) == []


def test_lazy_steps_read_as_decimals_replace_and_pickle(monkeypatch):
    monkeypatch.delenv(ENGINE, raising=False)
    trace = run(load_scenario(ROOT / "scenarios" / "sentiment.yaml"), HandDecimal(3))
    step = next(s for s in trace.steps if type(s) is LazyStep and s.op == "matvec")
    assert type(tuple.__getitem__(step, 7)) is Fixed  # held as mantissas until read
    assert step.value.dtype == object and all(type(v) is Decimal for v in step.value)
    assert all(v.as_tuple().exponent == -3 for v in step.value)
    assert step[4] == step.name and step[2] == step.example
    changed = step._replace(value=step.value * 0)
    assert written(changed.inputs) == written(step.inputs) and all(v == 0 for v in changed.value)
    again = pickle.loads(pickle.dumps(step))
    assert written(again.value) == written(step.value) and written(again.inputs) == written(step.inputs)
    given = next(s for s in trace.steps if s.op == "given" and s.name == "W_xh")
    assert str(given.value[0, 0]) == str(HandDecimal(3).array(trace.scenario.parameters["W_xh"])[0, 0])


@pytest.mark.parametrize("name", ["sentiment", "lstm_long", "birnn_sentiment", "time_series", "xor"])
def test_running_totals_of_sums_are_the_same_and_made_where_read(name, monkeypatch):
    from bptt_trace.record.fixed import RunningTotals
    from bptt_trace.record.steps import partial_sums
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    kinds = set()
    for mode in ("round", "truncate"):
        slow, fast = both(sc, 2, mode, monkeypatch)
        for a, b in zip(slow.steps, fast.steps):
            if a.op == "sum":
                pa, pb = partial_sums(a), partial_sums(b)
                kinds.add(type(pb))
                assert len(pa) == len(pb)
                assert [written(v) for v in pa] == [written(pb[i]) for i in range(len(pb))] == \
                    [written(v) for v in pb[:]]
                assert written(pb[-1]) == written(b.value)
    assert RunningTotals in kinds or name == "xor"


def test_an_overflow_is_reported_as_the_decimal_recorder_reports_it(monkeypatch, tmp_path):
    # weights so large that exp overflows Decimal's Emax in the output sigmoid; the same fault text either way
    doc = {"name": "huge", "model": {"cell": "rnn", "hidden_size": 1, "activation": "relu", "output": "sigmoid",
                                     "loss": "bce"},
           "parameters": {"W_xh": [[10 ** 6]], "W_hh": [[0]], "b_h": [0], "W_hy": [[-10 ** 6]], "b_y": [0]},
           "examples": [{"inputs": [[9]], "target": 1}], "training": {"learning_rate": 0.1}}
    sc = load_dict(doc, tmp_path)
    for places in (0, 3):
        slow, fast = both(sc, places, "round", monkeypatch)
        assert isinstance(slow, str) and "ArithmeticFault" in slow and slow == fast
