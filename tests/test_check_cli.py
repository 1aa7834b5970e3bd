"""`bptt-trace check`: exit codes, formats, batches with a CSV, the scenario's tolerance."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from bptt_trace.networks.run import run
from bptt_trace.cli import main
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT, SENTIMENT

SCENARIO = str(ROOT / "scenarios" / "sentiment.yaml")


def invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def trace():
    return run(load_scenario(SCENARIO))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def good(tmp_path, trace, name="good.yaml"):
    h = np.round(np.asarray(trace.value("h[1]", 1)), 3).tolist()
    return write(tmp_path, name, f"student: Ada\nanswers:\n  h[1]: {h}\n  loss: 0.378\n")


def bad(tmp_path, name="bad.yaml"):
    return write(tmp_path, name, "answers:\n  h[1]: [0.226, 0.310, 0.264]\n  y_hat[6]: 0.685\n  loss: 0.377\n")


def test_exit_codes(tmp_path, trace):
    assert invoke("check", SCENARIO, good(tmp_path, trace)).exit_code == 0
    result = invoke("check", SCENARIO, bad(tmp_path), "--width", "200")
    assert result.exit_code == 1
    assert "first mistake: loss (example 1): you wrote 0.377; from your own earlier numbers it is 0.378" \
        in result.stdout
    broken = write(tmp_path, "broken.yaml", "answers: [\n")
    result = invoke("check", SCENARIO, broken)  # an unreadable sheet is reported, exit 1 (issue 12)
    assert result.exit_code == 1 and "broken.yaml" in result.stderr and "Traceback" not in result.output
    assert "unreadable" in result.stdout
    assert invoke("check", str(ROOT / "nothing.yaml"), broken).exit_code == 2  # a bad scenario is bad usage


def test_json_report(tmp_path):
    doc = json.loads(invoke("check", SCENARIO, bad(tmp_path), "--format", "json").stdout)
    assert set(doc) == {"scenario", "sheets", "class"} and len(doc["sheets"]) == 1
    doc = doc["sheets"][0]
    assert doc["status"] == "marked" and doc["score"] == {"points": 2, "maximum": 3, "percent": 66.67}
    loss = next(a for a in doc["answers"] if a["name"] == "loss")
    assert loss["verdict"] == "wrong" and loss["given"] == 0.377 and abs(loss["recomputed"] + np.log(0.685)) < 1e-12
    assert {"name", "example", "verdict", "given", "expected", "recomputed", "note"} <= set(loss)
    assert "from your earlier numbers: 0.378" in loss["note"]
    assert any("-ln(0.685) = 0.378" in line for line in loss["worked"])
    assert doc["summary"]["wrong"] == 1 and doc["summary"]["first_mistake"]["name"] == "loss"


def test_markdown_report_parses(tmp_path):
    md = invoke("check", SCENARIO, bad(tmp_path), "--format", "markdown").stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    assert any(t.type == "table_open" for t in tokens) and "WRONG" in md


def test_a_class_in_one_call_with_a_csv(tmp_path, trace):
    files = [good(tmp_path, trace, f"s{i}.yaml") for i in range(3)] + [bad(tmp_path, "s3.yaml")]
    out = tmp_path / "grades.csv"
    result = invoke("check", SCENARIO, *files, "--csv", str(out))
    assert result.exit_code == 1
    assert "4 submissions" in result.stdout
    rows = list(csv.DictReader(out.open()))
    assert [r["student"] for r in rows] == ["Ada", "Ada", "Ada", "s3"]
    assert [r["wrong"] for r in rows] == ["0", "0", "0", "1"] and rows[3]["first_mistake"] == "loss"
    again = invoke("check", SCENARIO, *files, "--csv", str(out))
    assert again.exit_code == 2 and "--force" in again.stderr


def test_one_bad_file_in_a_batch_does_not_stop_the_others(tmp_path, trace):
    files = [good(tmp_path, trace), write(tmp_path, "x.yaml", "nope: 1\n")]
    result = invoke("check", SCENARIO, *files)
    assert result.exit_code == 1 and "x.yaml" in result.stderr and "2 submissions" in result.stdout
    assert "unreadable: " in result.stdout and "unknown key 'nope'" in result.stdout


def test_tolerance_from_option_and_scenario(tmp_path):
    answers = bad(tmp_path)
    assert invoke("check", SCENARIO, answers, "--tolerance", "abs=0.01").exit_code == 0
    strict = write(tmp_path, "strict.yaml", SENTIMENT + "check:\n  tolerance: abs=0.01\n")
    assert invoke("check", strict, answers).exit_code == 0
    result = invoke("check", SCENARIO, answers, "--tolerance", "fuzzy")
    assert result.exit_code == 2 and "--tolerance: expected abs=A" in result.stderr
    wrong = write(tmp_path, "w.yaml", SENTIMENT + "check:\n  tolerance: close\n")
    result = invoke("check", wrong, answers)
    assert result.exit_code == 2 and "check.tolerance" in result.stderr


def test_hand_rounded_marking(tmp_path):
    answers = write(tmp_path, "r.yaml", "answers:\n  h[2]: [0.402, 0.611, 0.572]\n")
    result = invoke("check", SCENARIO, answers, "--round", "3", "--tolerance", "abs=0.0001")
    assert result.exit_code == 0
    assert invoke("check", SCENARIO, answers, "--tolerance", "abs=0.0001").exit_code == 1


def test_help():
    assert invoke("check", "--help").exit_code == 0
