"""What a teacher needs from `check` (issue 12 §4): scores, every mistake, a class report, feedback files."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT, SENTIMENT
from tests.test_check_honest import trace, w  # noqa: F401 (trace is a fixture)
from tests.test_check_trust import full_sheet

SCENARIO = str(ROOT / "scenarios" / "sentiment.yaml")




def invoke(*args):
    return CliRunner().invoke(main, ["check", *args])


def sheets(tmp_path, trace, n=4):
    """Sheets: a perfect one, one with two independent slips, a copy of that one, and an unreadable one."""
    out = [tmp_path / f"s{i}.yaml" for i in range(n)]
    out[0].write_text(full_sheet(trace, lambda x: f"{x:.3f}"))
    text = full_sheet(trace, lambda x: f"{x:.3f}")
    z1, h2 = np.asarray(trace.value("z[1]", 1), float), np.asarray(trace.value("h[3]", 2), float)
    text = text.replace(f'"z[1]": {w(z1)}', f'"z[1]": {w(z1 + [0.1, 0, 0])}', 1)
    lines = text.splitlines()
    at = [i for i, line in enumerate(lines) if line.strip().startswith('"h[3]"')][1]
    lines[at] = f'    "h[3]": {w(h2 + [0, 0.2, 0])}'
    out[1].write_text("student: Bo\n" + "\n".join(lines) + "\n")
    out[2].write_text("student: Cy\n" + "\n".join(lines) + "\n")
    out[3].write_text("answers: [\n")
    return [str(p) for p in out[:n]]


def test_scores_every_mistake_and_the_class_report(tmp_path, trace):
    files = sheets(tmp_path, trace)
    result = invoke(SCENARIO, *files, "--csv", str(tmp_path / "g.csv"), "--width", "80")
    assert result.exit_code == 1
    assert all(len(line) <= 80 for line in result.stdout.splitlines()), max(result.stdout.splitlines(), key=len)
    assert "near-identical: Bo and Cy" in result.stdout and "Class report: 4 sheets, 1 unreadable" in result.stdout
    rows = list(csv.DictReader((tmp_path / "g.csv").open()))
    assert rows[0]["score"] == rows[0]["maximum"] == "157" and rows[0]["percent"] == "100.0"
    assert rows[1]["mistakes"] == "z[1] (example 1); h[3] (example 2)" and rows[1]["first_mistake"] == "z[1]"
    assert rows[3]["status"] == "unreadable" and "invalid YAML" in rows[3]["problem"]
    doc = json.loads(invoke(SCENARIO, *files, "--format", "json").stdout)
    bo = doc["sheets"][1]
    assert [(m["name"], m["example"]) for m in bo["summary"]["mistakes"]] == [("z[1]", 1), ("h[3]", 2)]
    assert bo["score"]["points"] + 2 <= bo["score"]["maximum"] == 157
    quantities = {(q["name"], q["example"]): q for q in doc["class"]["quantities"]}
    assert quantities[("z[1]", 1)] == {"name": "z[1]", "example": 1, "wrong": 2, "first_mistake": 2,
                                       "wrong_share": 0.6667}  # of the 3 sheets marked
    assert quantities[("h[3]", 2)]["first_mistake"] == 0 and quantities[("h[3]", 2)]["wrong"] == 2
    assert doc["class"]["near_identical"] == [{"sheets": ["Bo", "Cy"], "same": 1.0}]


def test_points_per_quantity_and_carried_forward_credit(tmp_path, trace):
    scenario = tmp_path / "sc.yaml"
    scenario.write_text(SENTIMENT + "check:\n  points: {default: 1, h: 2, loss: 5}\n  carried_forward: 1/2\n")
    h1 = np.asarray(trace.value("h[1]", 1), float)
    z2 = np.asarray(trace.value("W_xh", None), float) @ np.asarray(trace.value("x[2]", 1), float) + \
        np.asarray(trace.value("W_hh"), float) @ np.round(h1 + [0.1, 0, 0], 3) + np.asarray(trace.value("b_h"), float)
    answers = tmp_path / "a.yaml"
    answers.write_text(f"answers:\n  h[1]: {w(h1 + [0.1, 0, 0])}\n  z[2]: {w(z2)}\n  loss: 0.378\n")
    doc = json.loads(invoke(str(scenario), str(answers), "--format", "json").stdout)
    assert doc["sheets"][0]["score"] == {"points": 5.5, "maximum": 8, "percent": 68.75}
    bad = tmp_path / "bad.yaml"
    bad.write_text(SENTIMENT + "check:\n  carried_forward: 2\n")
    result = invoke(str(bad), str(answers))
    assert result.exit_code == 2 and "check.carried_forward" in result.stderr


def test_feedback_files_one_per_student_never_overwritten(tmp_path, trace):
    files = sheets(tmp_path, trace)
    out = tmp_path / "feedback"
    assert invoke(SCENARIO, *files, "--feedback", str(out)).exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["s0.md", "s1.md", "s2.md", "s3.md"]
    bo = (out / "s1.md").read_text()
    assert "Answers of Bo" in bo and "first mistake: z\\_1 (example 1), entry 1: you wrote 0.330" in bo
    assert "mistake 2 of 2" in bo and "could not be marked" in (out / "s3.md").read_text()
    again = invoke(SCENARIO, *files, "--feedback", str(out))
    assert again.exit_code == 2 and "--force" in again.stderr
    assert invoke(SCENARIO, *files, "--feedback", str(out), "--force").exit_code == 1


def test_feedback_reads_at_the_students_own_precision(tmp_path, trace):
    y = float(trace.value("y_hat[6]", 1)[0])
    answers = tmp_path / "a.yaml"
    answers.write_text(f"answers:\n  o[6]: {float(trace.value('o[6]', 1)[0]):.4f}\n  y_hat[6]: {y + 0.01:.4f}\n")
    result = invoke(SCENARIO, str(answers), "--width", "200", "--notation", "wi-wh-wo")
    assert f"first mistake: ŷ_6 (example 1), entry 1: you wrote {y + 0.01:.4f}; from your own earlier numbers it is " \
           f"{y:.4f}." in result.stdout


def test_a_wrong_learning_rate_is_named_as_such(tmp_path, trace):
    old, grad = np.asarray(trace.value("W_hh"), float), np.asarray(trace.value("dL/dW_hh"), float)
    answers = tmp_path / "a.yaml"
    answers.write_text(f"total:\n  dL/dW_hh: {w(grad, 4)}\nupdated:\n  W_hh: {w(old - 0.5 * np.round(grad, 4), 4)}\n")
    doc = json.loads(invoke(SCENARIO, str(answers), "--format", "json").stdout)
    update = next(a for a in doc["sheets"][0]["answers"] if a["name"] == "W_hh_new")
    assert update["verdict"] == "wrong" and update["misconception"] == "learning_rate"
