"""The terminal fits its width: no line wider than --width (or $COLUMNS) at any width from 60, in any
shipped scenario; wide tables split by columns or into records, parameters packed in rows."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bptt_trace import jobs
from bptt_trace.cli import main
from bptt_trace.render.blocks import Matrix, Prose, SideBySide, Table, cell
from bptt_trace.render.terminal import TerminalWriter
from tests.conftest import ROOT

SHIPPED = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


def widest(lines) -> int:
    return max(len(line.text) for line in lines)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_is_laid_out_to_fit_every_width(name):
    """Laid out to fit, without the last-resort line breaking, at 60 columns and up."""
    for notation in (None, "wi-wh-wo"):
        blocks = list(jobs.blocks(jobs.prepare(str(ROOT / "scenarios" / f"{name}.yaml"), readers="people",
                                               notation=notation)))
        for width in (60, 61, 73, 80, 97, 120):
            assert widest(TerminalWriter(width).lines(blocks)) <= width, (name, notation, width)


@pytest.mark.parametrize("name", ["sentiment", "gru_sentiment", "birnn_sentiment", "xor"])
def test_exact_mode_lines_fit_too(name):
    blocks = list(jobs.blocks(jobs.prepare(str(ROOT / "scenarios" / f"{name}.yaml"), exact=True)))
    assert widest(TerminalWriter(1000).write(blocks)) > 100  # the expressions are long
    for width in (60, 80):
        lines = list(TerminalWriter(width).write(blocks))
        assert widest(lines) <= width
        text = "".join(line.text for line in lines)
        assert "tanh(" in text and "s_1" in text or name == "xor"


def test_the_lstm_parameters_are_packed_in_rows_with_every_matrix_visible():
    blocks = jobs.blocks(jobs.prepare(str(ROOT / "scenarios" / "lstm_sentiment.yaml"), readers="people"))
    text = [line.text for line in TerminalWriter(60).write(blocks)]
    head = text[:text.index(" word      embedding")]
    for name in ("W_f", "U_o", "b_o", "W_hy", "b_y"):
        assert any(name in line.split() for line in head), name


def test_a_wide_table_is_split_by_columns_repeating_the_first():
    rows = [[cell(f"{i},1")] + [cell(f"{k * 1.111:.3f}") for k in range(12)] for i in range(2)]
    block = Table(cell(Prose("running totals")), [cell(Prose("entry"))] + [cell(f"t={k}") for k in range(12)], rows)
    lines = [line.text for line in TerminalWriter(60).write([block])]
    assert widest(TerminalWriter(60).write([block])) <= 60
    assert sum(line.split()[0] == "entry" for line in lines) == 2
    assert "t=0" in lines[1] and "t=11" in lines[-4] and lines[-2].split()[0] == "0,1"


def test_a_table_whose_cells_are_too_wide_becomes_one_record_per_row():
    rows = [[cell(Prose("W_hh (example 1)")), cell("[" + ", ".join(["0.123"] * 12) + "]"), cell(Prose("correct"))]]
    block = Table(None, [cell(Prose(h)) for h in ("name", "given", "verdict")], rows)
    lines = [line.text for line in TerminalWriter(60).write([block])]
    assert lines[2:] == [" W_hh (example 1)", "     given    [0.123, 0.123, 0.123, 0.123, 0.123, 0.123,",
                         "              0.123, 0.123, 0.123, 0.123, 0.123, 0.123]", "     verdict  correct"]


def test_a_matrix_too_wide_alone_is_split_by_columns():
    m = Matrix([[cell(f"{j:.4f}") for j in range(14)]])
    lines = [line.text for line in TerminalWriter(60).write([SideBySide([cell("W")], [m])])]
    assert widest(TerminalWriter(60).write([SideBySide([cell("W")], [m])])) <= 60
    assert lines[0].strip().startswith("W (columns 1–") and "13.0000" in lines[-1]


@pytest.mark.parametrize("command", [["run"], ["run", "--round", "off"], ["run", "--paths", "W_hh"], ["gradients"],
                                     ["train", "--epochs", "2"]])
def test_columns_is_respected_when_piped(command):
    for name in ("sentiment", "lstm_sentiment", "vanishing"):
        if command[-1] == "W_hh" and name == "lstm_sentiment":
            continue
        result = CliRunner().invoke(main, [command[0], str(ROOT / "scenarios" / f"{name}.yaml"), *command[1:]],
                                    env={"COLUMNS": "60"})
        assert result.exit_code == 0, result.output
        assert max(len(s) for s in result.stdout.splitlines()) <= 60, (command, name)
        assert max(len(s) for s in result.stdout.splitlines()) >= 55
