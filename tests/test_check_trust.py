"""`bptt-trace check` a teacher can trust (issue 12): no loophole marks wrong work correct, no sheet
crashes the class, the asked decimals and the imprecise verdict, exit codes 0/1/2."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.marking.blanks import answerable
from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT, SENTIMENT

SCENARIO = str(ROOT / "scenarios" / "sentiment.yaml")
XOR = str(ROOT / "scenarios" / "xor.yaml")


def invoke(*args):
    return CliRunner().invoke(main, [*args, "--width", "200"] if "json" not in args else list(args))


def marked(*args) -> dict:
    """The JSON marking of one sheet: {(name, example): answer}."""
    result = CliRunner().invoke(main, ["check", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    return {(a["name"], a["example"]): a for a in doc["sheets"][0]["answers"]}, doc


@pytest.fixture(scope="module")
def trace():
    return run(load_scenario(SCENARIO))


def sheet(tmp_path, text, name="a.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def full_sheet(trace, fmt) -> str:
    """Every answerable quantity of both examples, the totals and the update, each written by `fmt`."""
    def written(v):
        return fmt(float(v)) if np.ndim(v) == 0 else "[" + ", ".join(written(x) for x in v) + "]"
    names = answerable(trace)
    lines = ["examples:"]
    for k in (1, 2):
        lines.append(f"  {k}:")
        lines += [f'    "{n}": {written(np.asarray(trace.value(n, k), dtype=float))}' for n in trace.names(k)
                  if n in names]
    lines += ["total:"] + [f'  "{n}": {written(np.asarray(trace.value(n), dtype=float))}'
                           for n in ("loss", "dL/dW_xh", "dL/dW_hh", "dL/db_h", "dL/dW_hy", "dL/db_y")]
    lines += ["updated:"] + [f'  "{p}": {written(np.asarray(trace.value(p + "_new"), dtype=float))}'
                             for p in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")]
    return "\n".join(lines) + "\n"


# --- §1 loopholes ---------------------------------------------------------------------------
def test_a_sheet_of_zeros_scores_almost_nothing(tmp_path, trace):
    text = full_sheet(trace, lambda x: "0").replace('"loss": 0', '"loss": 1', 2)
    answers, doc = marked(SCENARIO, sheet(tmp_path, text))
    s = doc["sheets"][0]
    assert s["score"]["percent"] < 10 and s["summary"]["correct"] <= 6
    correct = [k for k, a in answers.items() if a["verdict"] == "correct"]
    assert all(np.allclose(np.asarray(answers[k]["expected"], dtype=float), 0, atol=1e-3) for k in correct)
    assert invoke("check", SCENARIO, sheet(tmp_path, text)).exit_code == 1


def test_a_dropped_recurrent_term_and_copied_weights_are_wrong_and_named(tmp_path):
    path = sheet(tmp_path, 'examples:\n  1:\n    "dL/dh[5]": [0, 0, 0]\nupdated:\n  W_hy: [[0.3, 0.2, 0.4]]\n')
    answers, _ = marked(SCENARIO, path)
    assert answers[("dL/dh[5]", 1)]["verdict"] == "wrong"
    assert answers[("dL/dh[5]", 1)]["misconception"] == "future_term_dropped"
    assert answers[("W_hy_new", None)]["verdict"] == "wrong"
    assert answers[("W_hy_new", None)]["misconception"] == "not_updated"
    assert "from your earlier numbers: [[0.281, 0.172, 0.372]]" in answers[("W_hy_new", None)]["note"]


def test_fewer_decimals_than_asked_are_imprecise_unless_right(tmp_path, trace):
    w = np.asarray(trace.value("W_hy_new"), dtype=float)[0]
    path = sheet(tmp_path, f"updated:\n  W_hy: [[0.3, {w[1]:.3f}, {w[2]:.3f}]]\n  b_y: [{trace.value('b_y_new')[0]:.1f}]\n")
    answers, _ = marked(SCENARIO, path)
    assert answers[("W_hy_new", None)]["verdict"] == "imprecise"
    assert "3 decimals are asked" in answers[("W_hy_new", None)]["note"]
    assert invoke("check", SCENARIO, path).exit_code == 1
    y = float(trace.value("y_hat[6]", 1)[0])
    assert abs(y - round(y, 1)) > 1e-3 and abs(round(0.5, 1) - 0.5) < 1e-3
    ok = sheet(tmp_path, "answers:\n  y[6]: 1\n  h[0]: [0, 0, 0]\n", "given.yaml")
    assert invoke("check", SCENARIO, ok).exit_code in (0, 1)


def test_the_scenario_sets_the_decimals_asked(tmp_path, trace):
    y = float(trace.value("y_hat[6]", 1)[0])
    answers = sheet(tmp_path, f"answers:\n  y_hat[6]: {y:.2f}\n")
    assert marked(SCENARIO, answers)[0][("y_hat[6]", 1)]["verdict"] == "imprecise"
    two = sheet(tmp_path, SENTIMENT + "check:\n  decimals: 2\n", "two.yaml")
    assert marked(two, answers)[0][("y_hat[6]", 1)]["verdict"] == "correct"
    bad = sheet(tmp_path, SENTIMENT + "check:\n  decimals: many\n", "bad.yaml")
    result = invoke("check", bad, answers)
    assert result.exit_code == 2 and "check.decimals" in result.stderr


@pytest.mark.parametrize("fmt", [repr, lambda x: f"{x:.4f}", lambda x: f"{x:.6f}", lambda x: f"{x:.3f}"])
def test_more_digits_never_loosen_or_tighten_the_tolerance(tmp_path, trace, fmt):
    result = invoke("check", SCENARIO, sheet(tmp_path, full_sheet(trace, fmt)))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "157 of 157 correct" in result.stdout


def test_more_digits_on_a_slip_are_still_wrong(tmp_path, trace):
    h = np.asarray(trace.value("h[2]", 1), dtype=float) + [0.002, 0, 0]
    answers, _ = marked(SCENARIO, sheet(tmp_path, "answers:\n  h[2]: [" + ", ".join(repr(float(x)) for x in h) + "]\n"))
    assert answers[("h[2]", 1)]["verdict"] == "wrong" and answers[("h[2]", 1)]["off"] == [[0]]


# --- §3 no sheet takes down the class -----------------------------------------------------------
def test_a_wrong_slope_on_an_xor_sheet_is_marked(tmp_path):
    path = sheet(tmp_path, "answers:\n  y_hat: [0.476]\n  dL/dy_hat: [1.910]\n  dy_hat/do: [0.9]\n  dL/do: [1.719]\n")
    answers, _ = marked(XOR, path)
    assert answers[("dy_hat/do", 1)]["verdict"] == "wrong"
    assert answers[("dL/do", 1)]["verdict"] == "carried_forward"  # the chain rule on the student's own slope


def test_calculator_fractions_are_read_and_marked(tmp_path, trace):
    y = float(trace.value("y_hat[6]", 1)[0])
    path = sheet(tmp_path, f"answers:\n  y_hat[6]: {y:.3f}\n  dL/dy_hat[6]: -1/{y:.3f}\n  loss: -1/0.685\n")
    answers, _ = marked(SCENARIO, path)
    assert answers[("dL/dy_hat[6]", 1)]["verdict"] == "correct"
    assert answers[("loss", 1)]["verdict"] == "wrong"


def test_a_batch_reports_every_sheet_in_every_format(tmp_path, trace):
    good = sheet(tmp_path, full_sheet(trace, lambda x: f"{x:.3f}"), "good.yaml")
    broken = sheet(tmp_path, "answers: [\n", "broken.yaml")
    crashy = sheet(tmp_path, "answers:\n  y_hat[6]: -1/0.685\n  loss: -1/0.685\n", "crashy.yaml")
    files = [good, broken, crashy]
    result = invoke("check", SCENARIO, *files, "--csv", str(tmp_path / "g.csv"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "3 submissions" in result.stdout and "unreadable: " in result.stdout and "broken.yaml" in result.stdout
    rows = (tmp_path / "g.csv").read_text().splitlines()
    assert len(rows) == 4 and ",unreadable," in rows[2] and "invalid YAML" in rows[2]
    doc = json.loads(CliRunner().invoke(main, ["check", SCENARIO, *files, "--format", "json"]).stdout)
    assert [s["status"] for s in doc["sheets"]] == ["marked", "unreadable", "marked"]
    assert doc["sheets"][0]["score"]["percent"] == 100 and doc["class"]["unreadable"] == 1
    one = json.loads(CliRunner().invoke(main, ["check", SCENARIO, good, "--format", "json"]).stdout)
    assert set(one) == set(doc) and set(one["sheets"][0]) == set(doc["sheets"][0])


def test_exit_codes(tmp_path, trace):
    good = sheet(tmp_path, full_sheet(trace, lambda x: f"{x:.3f}"), "good.yaml")
    assert invoke("check", SCENARIO, good).exit_code == 0
    assert invoke("check", SCENARIO, good, sheet(tmp_path, "nope: 1\n", "x.yaml")).exit_code == 1
    assert invoke("check", SCENARIO, sheet(tmp_path, "answers:\n  h[1]: [1, 2]\n", "m.yaml")).exit_code == 1
    assert invoke("check", str(tmp_path / "missing.yaml"), good).exit_code == 2
    assert invoke("check", SCENARIO, good, "--tolerance", "fuzzy").exit_code == 2
