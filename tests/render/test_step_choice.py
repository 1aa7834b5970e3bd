"""Choosing the time steps shown in full: the default elision, --steps parsing, the hidden runs and their line."""

from __future__ import annotations

import pytest

from bptt_trace.render.step_choice import EDGE, LONGEST_SHOWN, StepChoice, elision_text, hidden_run, parse_steps


def test_short_sequences_show_every_step_and_long_ones_their_ends():
    assert (LONGEST_SHOWN, EDGE) == (12, 3)
    assert StepChoice().shown(12) is None
    assert StepChoice().shown(13) == {1, 2, 3, 11, 12, 13}
    assert StepChoice().shown(10000) == {1, 2, 3, 9998, 9999, 10000}


@pytest.mark.parametrize("text, steps", [("7", {7}), ("40-45", set(range(40, 46))), ("3,7-9", {3, 7, 8, 9}),
                                         (" 2 , 4-4", {2, 4}), ("1-50", set(range(1, 51)))])
def test_parse_steps(text, steps):
    assert parse_steps(text, 50).shown(50) == steps


def test_an_example_shorter_than_the_steps_asked_shows_what_it_has():
    assert parse_steps("4-9", 50).shown(6) == {4, 5, 6}


@pytest.mark.parametrize("text, message", [
    ("x", "expected time steps such as 7, 40-45 or 3,7-9, got 'x'"), ("", "expected time steps"),
    ("3-", "expected time steps"), ("1,,2", "expected time steps"), ("-3", "expected time steps"),
    ("9-3", "'9-3' runs backwards: write the smaller step first (3-9)"),
    ("0", "'0' is outside the time steps 1 to 50"), ("49-51", "'49-51' is outside the time steps 1 to 50")])
def test_bad_steps_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_steps(text, 50)


def test_hidden_runs_and_their_line():
    shown = frozenset({1, 2, 3, 18, 19, 20})
    assert hidden_run(4, shown, 20) == hidden_run(17, shown, 20) == (4, 17)
    assert hidden_run(5, frozenset({3, 7}), 20) == (4, 6)
    assert hidden_run(1, frozenset({3}), 20) == (1, 2)
    assert elision_text(4, 9997) == "… time steps 4–9997 not shown (9,994): --steps 4-9997 or --full shows them"
    assert elision_text(6, 6) == "… time step 6 not shown: --steps 6 or --full shows it"
