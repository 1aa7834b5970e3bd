"""The homework checker: verdicts, error carried forward, first mistake, misconceptions, tolerance."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from bptt_trace.networks.run import run
from bptt_trace.marking.answers import load_answers
from bptt_trace.marking.blanks import answerable
from bptt_trace.marking.checker import Checker
from bptt_trace.errors import InputError
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.numbers.systems import Float64
from bptt_trace.numbers.tolerance import Tolerance, written_decimals
from tests.conftest import ROOT, SENTIMENT

PARAMS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


@pytest.fixture(scope="module")
def sentiment():
    sc = load_scenario(ROOT / "scenarios" / "sentiment.yaml")
    return sc, run(sc)


def fmt(x: float, places: int, mode: str = "round") -> str:
    q = Decimal(1).scaleb(-places)
    return str(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP if mode == "round" else ROUND_DOWN))


def written(value, places=4, mode="round") -> str:
    if np.ndim(value) == 0:
        return fmt(value, places, mode)
    return "[" + ", ".join(written(v, places, mode) for v in value) + "]"


def answers_file(tmp_path, values: dict, places=4, mode="round", name="a.yaml") -> str:
    """values: {(name, example): value}; example None for total, '_new' names for updated."""
    lines = ["scenario: sentiment.yaml"] + (["examples:"] if any(e for (_, e) in values) else [])
    for k in (1, 2):
        items = [(n, v) for (n, e), v in values.items() if e == k]
        if items:
            lines.append(f"  {k}:")
            lines += [f'    "{n}": {written(v, places, mode)}' for n, v in items]
    totals = [(n, v) for (n, e), v in values.items() if e is None and not n.endswith("_new")]
    if totals:
        lines += ["total:"] + [f'  "{n}": {written(v, places, mode)}' for n, v in totals]
    updated = [(n, v) for (n, e), v in values.items() if e is None and n.endswith("_new")]
    if updated:
        lines += ["updated:"] + [f'  "{n[:-4]}": {written(v, places, mode)}' for n, v in updated]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def true_values(trace) -> dict:
    out = {}
    for k in (1, 2):
        for n in trace.names(k):
            if n in answerable(trace) and "·" not in n:  # the reported quantities, not partial results
                out[(n, k)] = np.asarray(trace.value(n, k), dtype=float)
    for n in ("loss",) + tuple(f"dL/d{p}" for p in PARAMS) + tuple(f"{p}_new" for p in PARAMS):
        out[(n, None)] = np.asarray(trace.value(n), dtype=float)
    return out


def check(trace, path, tolerance=Tolerance()):
    return Checker(trace, Float64(), tolerance).check(load_answers(path))


@pytest.mark.parametrize("places", [3, 4, 6])
@pytest.mark.parametrize("mode", ["round", "truncate"])
def test_rounded_and_truncated_true_values_are_all_correct(tmp_path, sentiment, places, mode):
    _, trace = sentiment
    report = check(trace, answers_file(tmp_path, true_values(trace), places, mode))
    assert report.counts["correct"] == len(true_values(trace)) > 100
    assert report.first_mistake is None and not report.has_wrong


def tanh(x):
    return np.tanh(x)


def sig(x):
    return 1 / (1 + np.exp(-x))


def slips(trace):
    """(slipped name, slip) -> honestly recomputed dependents, written with plain numpy here."""
    v = lambda n, k=1: np.asarray(trace.value(n, k), dtype=float)  # noqa: E731
    P = {p: np.asarray(trace.value(p), dtype=float) for p in PARAMS}
    x = lambda t: v(f"x[{t}]")  # noqa: E731
    cases = {}
    z3 = v("z[3]") + [0, 0.1, 0]  # a slip in a row sum / bias add
    h3 = tanh(z3)
    cases["z[3]"] = ({("z[3]", 1): z3}, {("h[3]", 1): h3, ("z[4]", 1): P["W_xh"] @ x(4) + P["W_hh"] @ h3 + P["b_h"]})
    h2 = v("h[2]") + [0, 0, 0.05]  # a slip in tanh
    cases["h[2]"] = ({("h[2]", 1): h2}, {("z[3]", 1): P["W_xh"] @ x(3) + P["W_hh"] @ h2 + P["b_h"]})
    o6 = v("o[6]") + 0.1
    cases["o[6]"] = ({("o[6]", 1): o6}, {("y_hat[6]", 1): sig(o6)})
    y6 = v("y_hat[6]") - 0.05
    cases["y_hat[6]"] = ({("y_hat[6]", 1): y6}, {("loss", 1): -np.log(y6[0]), ("dL/do[6]", 1): y6 - 1})
    cases["loss"] = ({("loss", 1): v("loss") + 0.01}, {})
    do6 = v("dL/do[6]") + 0.02
    cases["dL/do[6]"] = ({("dL/do[6]", 1): do6}, {("dL/dW_hy[6]", 1): np.outer(do6, v("h[6]")),
                                                 ("dL/dh[6]", 1): P["W_hy"].T @ do6})
    dh6 = v("dL/dh[6]") + [0.01, 0, 0]
    cases["dL/dh[6]"] = ({("dL/dh[6]", 1): dh6}, {("dL/dz[6]", 1): dh6 * (1 - v("h[6]") ** 2)})
    dz6 = v("dL/dz[6]") + [0, 0.01, 0]
    cases["dL/dz[6]"] = ({("dL/dz[6]", 1): dz6}, {("dL/dW_xh[6]", 1): np.outer(dz6, x(6)),
                                                 ("dL/dh[5]", 1): P["W_hh"].T @ dz6, ("dL/dx[6]", 1): P["W_xh"].T @ dz6})
    c6 = v("dL/dW_xh[6]") + 0.01  # a slip in an outer product
    cases["dL/dW_xh[6]"] = ({("dL/dW_xh[6]", 1): c6},
                            {("dL/dW_xh", 1): c6 + sum(v(f"dL/dW_xh[{t}]") for t in range(1, 6))})
    g1 = v("dL/dW_xh") + 0.01  # a slip in a sum over steps
    cases["dL/dW_xh"] = ({("dL/dW_xh", 1): g1}, {("dL/dW_xh", None): g1 + v("dL/dW_xh", 2)})
    g = np.asarray(trace.value("dL/dW_hh"), dtype=float) - 0.01
    cases["total dL/dW_hh"] = ({("dL/dW_hh", None): g}, {("W_hh_new", None): P["W_hh"] - 0.1 * g})
    cases["W_hh_new"] = ({("W_hh_new", None): np.asarray(trace.value("W_hh_new"), dtype=float) + 0.01}, {})
    return cases


@pytest.mark.parametrize("kind", ["z[3]", "h[2]", "o[6]", "y_hat[6]", "loss", "dL/do[6]", "dL/dh[6]", "dL/dz[6]",
                                  "dL/dW_xh[6]", "dL/dW_xh", "total dL/dW_hh", "W_hh_new"])
def test_a_slip_is_the_first_mistake_and_honest_work_after_it_is_carried_forward(tmp_path, sentiment, kind):
    _, trace = sentiment
    slip, after = slips(trace)[kind]
    values = {**true_values(trace), **slip, **after}
    report = check(trace, answers_file(tmp_path, values, 4))
    ((name, example), _), = slip.items()
    first = report.first_mistake
    assert (first.name, first.answer.example) == (name, example)
    assert report.counts["wrong"] == 1
    for (n, k) in after:
        verdict = next(v for v in report.verdicts if v.name == n and v.answer.example == k)
        assert verdict.verdict == "carried_forward", (n, k)
    assert first.replay[-1].name == name


def test_first_mistake_names_the_entry_and_works_it_with_the_students_numbers(tmp_path, sentiment):
    _, trace = sentiment
    h2 = np.round(np.asarray(trace.value("h[2]", 1), dtype=float), 3)
    z3 = np.asarray(trace.value("W_xh·x[3]", 1)) + np.asarray(trace.value("W_hh", None)) @ h2 + 0.1
    z3[1] += 0.1
    report = check(trace, answers_file(tmp_path, {("h[2]", 1): h2, ("z[3]", 1): z3}, 3))
    first = report.first_mistake
    assert first.name == "z[3]" and first.off == ((1,),)
    matvec = next(s for s in first.replay if s.name == "W_hh·h[2]")
    assert list(matvec.inputs[1]) == list(h2)  # the student's h[2], not the true one


@pytest.fixture
def sigmoid_trace(tmp_path):
    path = tmp_path / "sig.yaml"
    path.write_text(SENTIMENT.replace("activation: tanh", "activation: sigmoid"))
    return run(load_scenario(path))


def misconception_of(trace, tmp_path, values, name, example=1):
    report = check(trace, answers_file(tmp_path, values, 6))
    verdict = next(v for v in report.verdicts if v.name == name and v.answer.example == example)
    assert verdict.verdict == "wrong"
    return verdict.misconception


def test_misconceptions_are_named(tmp_path, sentiment, sigmoid_trace):
    _, trace = sentiment
    v = lambda n, k=1, t=trace: np.asarray(t.value(n, k), dtype=float)  # noqa: E731
    P = {p: np.asarray(trace.value(p), dtype=float) for p in PARAMS}
    m = lambda vals, n, k=1, t=trace: misconception_of(t, tmp_path, vals, n, k)  # noqa: E731
    assert m({("dh/dz[5]", 1): 1 - v("z[5]") ** 2}, "dh/dz[5]") == "derivative_from_pre_activation"
    assert m({("dL/dz[5]", 1): v("dL/dh[5]") * (1 - v("z[5]") ** 2)}, "dL/dz[5]") == "derivative_from_pre_activation"
    z = v("z[4]", t=sigmoid_trace)
    assert m({("dh/dz[4]", 1): z * (1 - z)}, "dh/dz[4]", t=sigmoid_trace) == "derivative_from_pre_activation"
    assert m({("dL/dh[5]", 1): np.zeros(3)}, "dL/dh[5]") == "future_term_dropped"
    assert m({("dL/dh[5]", 1): P["W_hh"] @ v("dL/dz[6]")}, "dL/dh[5]") == "not_transposed"
    g = np.asarray(trace.value("dL/dW_xh"), dtype=float)
    assert m({("W_xh_new", None): P["W_xh"] + 0.1 * g}, "W_xh_new", None) == "update_sign"
    assert m({("W_xh_new", None): P["W_xh"] - 0.2 * g}, "W_xh_new", None) == "updated_twice"
    assert m({("dL/dW_xh", None): g / 2}, "dL/dW_xh", None) == "mean_sum_swapped"
    assert m({("W_xh_new", None): P["W_xh"] - 0.05 * g}, "W_xh_new", None) == "mean_sum_swapped"


def test_future_term_dropped_in_many_to_many(tmp_path):
    sc = load_scenario(ROOT / "scenarios" / "time_series.yaml")
    trace = run(sc)
    only_output = np.asarray(trace.value("W_hy^T dL/do[2]", 1), dtype=float)
    path = tmp_path / "a.yaml"
    path.write_text(f"example: 1\nanswers:\n  dL/dh[2]: {written(only_output, 6)}\n")
    report = Checker(trace, Float64(), Tolerance()).check(load_answers(path))
    assert report.verdicts[0].misconception == "future_term_dropped"


def test_unknown_malformed_and_blank_answers(tmp_path, sentiment):
    _, trace = sentiment
    path = tmp_path / "a.yaml"
    path.write_text("answers:\n  hh[2]: 1\n  h[2]: [0.1, 0.2]\n  z[1]: [0.23, ~, 0.27]\n  z[2]: [~, ~, ~]\n"
                    "  h[1]: 'abc'\n  loss: [[1, 2], [3]]\n")
    verdicts = {v.answer.name: v for v in check(trace, str(path)).verdicts}
    assert verdicts["hh[2]"].verdict == "unknown" and "h[2]" in verdicts["hh[2]"].suggestions
    assert verdicts["h[2]"].verdict == "malformed" and "expected a list of 3 numbers, got 2" in verdicts["h[2]"].problem
    assert verdicts["z[1]"].verdict == "correct" and verdicts["z[1]"].blank == ((1,),)  # its written entries marked
    assert verdicts["z[2]"].verdict == "unanswered"
    assert verdicts["h[1]"].verdict == "malformed" and "text 'abc'" in verdicts["h[1]"].problem
    assert verdicts["loss"].verdict == "malformed"


def test_answers_in_the_scenarios_notation(tmp_path, sentiment):
    _, trace = sentiment
    h2 = written(np.asarray(trace.value("h[2]", 1)), 3)
    g = written(np.asarray(trace.value("dL/dW_hh"), dtype=float), 4)
    path = tmp_path / "a.yaml"
    path.write_text(f"answers:\n  O[2]: {h2}\n  dL/dWh[6]: {written(np.asarray(trace.value('dL/dW_hh[6]', 1)), 4)}\n"
                    f"total:\n  dL/dWh: {g}\nupdated:\n  Wh: {written(np.asarray(trace.value('W_hh_new')), 4)}\n")
    report = Checker(trace, Float64(), Tolerance(), "wi-wh-wo").check(load_answers(path))
    assert [v.verdict for v in report.verdicts] == ["correct"] * 4
    assert [v.name for v in report.verdicts] == ["h[2]", "dL/dW_hh[6]", "dL/dW_hh", "W_hh_new"]


@pytest.mark.parametrize("text,message", [
    ("answers: [1, 2\n", "invalid YAML"), ("- 1\n", "expected a mapping"), ("answer: {}\n", "unknown key 'answer'"),
    ("examples: {one: {}}\n", "expected an example number"), ("scenario: x\n", "no answers"),
    ("answers:\n  h[1]: !!python/object:os.system 1\n", "YAML tag"), ("example: 0\nanswers: {}\n", "whole number from 1"),
])
def test_malformed_answers_files(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as info:
        load_answers(path)
    assert str(path) in info.value.describe()


def test_tolerance_rules():
    t = Tolerance()
    assert written_decimals("0.310") == 3 and written_decimals("2") == 0 and written_decimals("1.5e-3") == 4
    assert written_decimals("1/3") is None
    assert t.close(0.310, 0.3095, "0.310") and t.close(0.309, 0.3095, "0.309")  # rounded and truncated
    assert t.close(0.31, 0.3195, "0.31") and not t.close(0.31, 0.3215, "0.31")
    assert t.close(1 / 3, 1 / 3, "1/3") and not t.close(0.333, 1 / 3, "1/3")
    for spec, given, expected, ok in [("abs=0.01", 0.5, 0.509, True), ("abs=0.01", 0.5, 0.52, False),
                                      ("rel=0.01", 100, 100.9, True), ("rel=0.01", 1e-6, 1.5e-6, False),
                                      ("sigfig=2", 0.0123, 0.0129, True), ("sigfig=2", 0.0123, 0.0134, False),
                                      ("decimals=2", 0.31, 0.319, True), ("decimals=2", 0.31, 0.321, False)]:
        tol = Tolerance.parse(spec)
        assert tol.close(given, expected, repr(given)) is ok, spec
        assert tol.close(expected, given, repr(expected)) is ok  # symmetric
    assert not Tolerance.parse("rel=1e-9").close(1e-10, 2e-10, "1e-10")  # no hidden absolute tolerance
    for bad in ("abs", "abs=-1", "sigfig=2.5", "fuzzy=1"):
        with pytest.raises(ValueError):
            Tolerance.parse(bad)
