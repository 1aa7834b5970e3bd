"""Per-student variants: reproducible draws on the grid, and every constraint of a good exercise on
every variant drawn, checked here from the variant's own trace, for each network."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from bptt_trace.analysis.drift import drift
from bptt_trace.analysis.variants import NoGoodDraw, draw_variant, key_gradients, sheet_decimals, variant_id
from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import HandDecimal
from bptt_trace.record.names import is_reported
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT

NETWORKS = ["sentiment", "i_love_ai", "time_series", "lstm_sentiment", "gru_sentiment", "birnn_sentiment", "xor",
            "regression"]


def scenario(name: str):
    path = ROOT / "scenarios" / f"{name}.yaml"
    return load_scenario(path), path.read_bytes()


def flat(v) -> list:
    return [x for row in v for x in row] if isinstance(v[0], tuple) else list(v)


@pytest.mark.parametrize("name", NETWORKS)
def test_every_variant_is_a_good_exercise(name):
    sc, source = scenario(name)
    d = sheet_decimals(sc)
    unit = 0.5 * 10.0 ** -d
    for student in ("a", "b", "c", "d"):
        v = draw_variant(sc, source, "seed", student).scenario
        # the drawn numbers lie on the grid, within [-0.5, 0.5], never 0; the structure is kept
        for p in sc.parameter_names:
            values = flat(v.parameters[p])
            assert len(values) == len(flat(sc.parameters[p]))
            assert all(isinstance(x, Fraction) and (x * 10).denominator == 1 and 0 < abs(x) <= Fraction(1, 2)
                       for x in values)
        assert v.embeddings == sc.embeddings and [e.targets for e in v.examples] == [e.targets for e in sc.examples]
        assert v.model == sc.model and v.learning_rate == sc.learning_rate
        full = run(v)
        totals = {f"dL/d{p}" for p in key_gradients(v)}
        for s in full.steps:
            if s.op == "activation" and s.detail in ("tanh", "sigmoid"):
                assert np.max(np.abs(np.asarray(s.inputs[0], dtype=float))) <= 1.5, (student, s.name)
            if s.op == "given" or not is_reported(s.name):
                continue
            x = np.asarray(s.value, dtype=float)
            if s.phase == "forward" or (s.example is None and s.name in totals):
                assert not np.any((np.abs(x) < unit) & (x != 0)), (student, s.name, x)
            if s.name == "loss" and s.example is not None:
                assert float(x) >= unit
            if s.op == "softmax":
                assert len(set(np.round(x, d))) == x.size
        hand = run(v, HandDecimal(d))
        assert max(r.max_abs for r in drift(hand, full, list(range(1, len(v.examples) + 1)))) <= 5 * 10.0 ** -d


def test_the_same_seed_and_student_give_the_same_variant_and_others_differ():
    sc, source = scenario("sentiment")
    a, b = draw_variant(sc, source, "42", "17"), draw_variant(sc, source, "42", "17")
    assert a.scenario == b.scenario and a.variant_id == b.variant_id
    others = [draw_variant(sc, source, seed, who) for seed, who in (("43", "17"), ("42", "18"))]
    assert all(o.scenario.parameters != a.scenario.parameters and o.variant_id != a.variant_id for o in others)


def test_the_variant_id_is_short_and_does_not_depend_on_the_numbers():
    sc, source = scenario("sentiment")
    v = draw_variant(sc, source, "42", "17")
    assert len(v.variant_id) == 8 and v.variant_id.isalnum() and v.variant_id.isupper()
    assert v.variant_id == variant_id(source, "42", "17")  # a hash of the seed, scenario and student alone
    assert not any(str(x).replace(".", "") in v.variant_id for x in flat(v.scenario.parameters["W_hh"]))


def test_a_variants_block_chooses_what_varies_and_its_grid(write):
    text = (ROOT / "scenarios" / "sentiment.yaml").read_text() + (
        "variants:\n  vary: [W_hh, embeddings.love]\n  grid: 0.05\n  range: [-0.3, 0.2]\n")
    path = write(text)
    sc = load_scenario(path)
    v = draw_variant(sc, path.read_bytes(), "1", "x").scenario
    for p in ("W_xh", "b_h", "W_hy", "b_y"):
        assert v.parameters[p] == sc.parameters[p]
    assert all((x * 20).denominator == 1 and Fraction(-3, 10) <= x <= Fraction(1, 5) and x != 0
               for x in flat(v.parameters["W_hh"]))
    assert v.embeddings["love"] != sc.embeddings["love"] and v.embeddings["i"] == sc.embeddings["i"]
    love = list(sc.embeddings).index("love")
    assert v.examples[0].inputs[1] == v.embeddings["love"] and love >= 0


@pytest.mark.parametrize("block, message", [
    ("variants:\n  vary: [W_zz]\n", "variants.vary[1]: 'W_zz' is not a parameter"),
    ("variants:\n  grid: 0\n", "variants.grid: expected a step above 0"),
    ("variants:\n  range: [0.5, -0.5]\n", "variants.range: expected [low, high] with low below high"),
    ("variants:\n  grid: 1\n  range: [-0.5, 0.5]\n", "variants.range: no non-zero multiple of 1"),
    ("variants:\n  vary: [inputs]\n", "the examples are words: vary embeddings instead"),
    ("variants:\n  colour: red\n", "unknown key 'colour'"),
])
def test_a_bad_variants_block_is_refused_with_key_and_line(write, block, message):
    from bptt_trace.errors import InputError
    with pytest.raises(InputError) as exc:
        load_scenario(write((ROOT / "scenarios" / "sentiment.yaml").read_text() + block))
    assert message in str(exc.value)
    assert exc.value.line is not None


def test_no_good_draw_says_why(write):
    text = (ROOT / "scenarios" / "sentiment.yaml").read_text() + (
        "variants:\n  range: [2, 3]\n  grid: 1\n  max_draws: 5\n")
    path = write(text)
    with pytest.raises(NoGoodDraw, match="no good draw in 5 tries; turned down for saturated pre-activation"):
        draw_variant(load_scenario(path), path.read_bytes(), "1", "x")
