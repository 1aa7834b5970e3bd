"""Overflow and invalid operations in every number system are bad input (exit 2) naming the step."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from bptt_trace.analysis.training import Diverged, train
from bptt_trace.cli import main
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT, SENTIMENT

HUGE_INT = "1" * 60
CASES = [  # b_y, options, the step the message names
    ("1e300/1e-300", ["--round", "off"], "b_y: the result overflowed (float64 arithmetic)"),
    ("1e300/1e-300", ["--round", "3"], "o[6] (example 1, step 6): an invalid operation"),
    ("1e45", ["--round", "12"], "o[6] (example 1, step 6): an invalid operation"),
    (HUGE_INT, ["--round", "3"], "o[6] (example 1, step 6): an invalid operation"),
    ("-1e7", ["--round", "0"], "y_hat[6] (example 1, step 6): the result overflowed"),
    ("-1e7", ["--round", "off"], "loss (example 1, step 6) overflowed"),
    ("1e45", ["--exact"], "overflowed or is not a number"),
]


@pytest.mark.parametrize("b_y, options, message", CASES)
def test_arithmetic_errors_are_bad_input_naming_the_step(write, b_y, options, message):
    path = write(SENTIMENT.replace("  b_y:  [0.1]", f"  b_y:  [{b_y}]"))
    for command in (["run"], ["export", "-o", str(path.with_suffix(".md"))]):
        result = CliRunner().invoke(main, [command[0], str(path), *command[1:], *options])
        assert result.exit_code == 2, result.output
        assert message in result.stderr and "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def diverging(write):
    text = (ROOT / "scenarios" / "regression.yaml").read_text()
    lines = [("  learning_rate: 1000" if line.startswith("  learning_rate:") else line) for line in text.splitlines()]
    return write("\n".join(lines) + "\n")


def test_a_diverging_training_names_the_epoch_and_shows_what_it_computed(write):
    path = diverging(write)
    with pytest.raises(Diverged) as info:
        train(load_scenario(path), 60)
    epoch, losses = info.value.epoch, info.value.epoch_losses
    assert 2 < epoch <= 60 and len(losses) == epoch - 1 and losses[-1] > 1e100
    result = CliRunner().invoke(main, ["train", str(path), "--epochs", "60"])
    assert result.exit_code == 2 and f"training diverged in epoch {epoch} (after {epoch - 1}" in result.stderr
    assert f"Training diverged in epoch {epoch}" in result.stdout
    assert re.search(rf"\n *{epoch - 1}\b", result.stdout)
    assert f"{losses[-1]:.3e}".replace("e+0", "e+") in result.stdout  # a huge loss in scientific notation
    doc = json.loads(CliRunner().invoke(main, ["train", str(path), "--epochs", "60", "--format", "json"]).stdout)
    assert doc == {"diverged_in_epoch": epoch, "epoch_losses": losses}


def test_answers_too_large_to_redo_a_step_with_are_reported_unreadable(write):
    answers = write("answers:\n  h[1]: [1e45, 1e45, 1e45]\n  z[2]: [1e45, 0, 0]\n  loss: 1e299\n", "a.yaml")
    result = CliRunner().invoke(main, ["check", str(ROOT / "scenarios" / "sentiment.yaml"), str(answers),
                                       "--round", "12"])
    # huge answers are marked (wrong), never a traceback; an answers file that could not be marked would be
    # reported unreadable, and either way the exit code is 1 (issue 12)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "a step redone from these answers failed" in result.stderr or "0 of 3 correct" in result.stdout
