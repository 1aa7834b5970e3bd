"""What people read adds up: every displayed step of the default output, redone from the numbers shown.

The default of the terminal, Markdown, LaTeX and PDF output is the hand calculation (each result
rounded at the display decimals and carried on); `--round off` is full precision, said once; JSON
is full precision unless `--round` is given; a scenario's `display:` block sets either default.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bptt_trace import jobs
from bptt_trace.cli import main
from bptt_trace.render.terminal import TerminalWriter
from tests.conftest import ROOT
from tests.render.hand_steps import check, check_tables, evaluate, follows

SHIPPED = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


def default_lines(name: str, **options) -> list[str]:
    job = jobs.prepare(str(ROOT / "scenarios" / f"{name}.yaml"), full=True, readers="people", **options)
    return [line.text for line in TerminalWriter(1000).write(jobs.blocks(job))]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_displayed_step_of_the_default_output_adds_up(name):
    lines = default_lines(name)
    count, failures = check(lines)
    tables, table_failures = check_tables(lines)
    assert count > 100 and tables > 30
    assert failures == [] and table_failures == []


def test_the_check_finds_the_full_precision_steps_that_do_not_add_up():
    lines = default_lines("sentiment", round_="off")
    count, failures = check(lines)
    assert count > 300 and len(failures) > 50
    assert any(f.before == "tanh(0.710)" and f.after == "0.610" for f in failures)
    assert sum("Full precision (--round off)" in line for line in lines) == 1
    assert sum("rounded" in line for line in lines) == 1


def test_the_reader_redoes_a_student_s_steps():
    assert evaluate("0.2×0.1 + 0.4×0.2 + 0.1×0.3") == pytest.approx(0.13)
    assert evaluate("-ln(1 - 0.477)") == pytest.approx(0.648, abs=5e-4)
    assert evaluate("0.477·(1 - 0.477)") == pytest.approx(0.249471)
    assert evaluate("½·(0.5 - (-0.2))²") == pytest.approx(0.245)
    assert evaluate("1 if -0.3 > 0 else 0") == 0
    assert follows("0.3×0.226 + 0.2×0.310", "0.0678 + 0.0620", 3)[0]
    assert not follows("(-0.011)×0.400", "-0.005", 3)[0]
    assert follows("(-0.011)×0.400", "-0.004", 3)[0]


def test_the_default_is_a_hand_calculation_with_a_drift_table_and_json_stays_full():
    runner = CliRunner()
    path = str(ROOT / "scenarios" / "sentiment.yaml")
    text = runner.invoke(main, ["run", path]).output
    assert "Hand calculation: every written result is hand-rounded to 3 decimals" in text
    assert "tanh(0.710)   = 0.611" in text and "Drift from full precision" in text
    data = json.loads(runner.invoke(main, ["run", path, "--format", "json"]).output)
    assert data["number_system"] == "float64" and "drift" not in data
    assert data["examples"][0]["values"]["h[1]"][0] == pytest.approx(0.22602835227867094, abs=1e-15)
    rounded = json.loads(runner.invoke(main, ["run", path, "--format", "json", "--round", "3"]).output)
    assert rounded["examples"][0]["values"]["h[1]"] == [0.226, 0.31, 0.264]
    four = runner.invoke(main, ["run", path, "--decimals", "4"]).output
    assert "hand-rounded to 4 decimals" in four and "= 0.2260" in four


@pytest.mark.parametrize("setting, people, programs", [
    ("round: off", "float64", "float64"), ("round: 2", "hand-rounded to 2 decimals", "hand-rounded to 2 decimals"),
    ("decimals: 4", "hand-rounded to 4 decimals", "float64")])
def test_a_display_block_sets_either_default(write, setting, people, programs):
    text = (ROOT / "scenarios" / "sentiment.yaml").read_text() + f"display:\n  {setting}\n"
    path = str(write(text))
    assert jobs.prepare(path, readers="people").trace.number_system == people
    assert jobs.prepare(path, readers="programs").trace.number_system == programs


def test_a_display_round_that_is_neither_a_number_nor_off_is_refused(write):
    text = (ROOT / "scenarios" / "sentiment.yaml").read_text() + "display:\n  round: of\n"
    result = CliRunner().invoke(main, ["run", str(write(text))])
    assert result.exit_code == 2 and "display.round" in result.output and "or off" in result.output
