"""Answers read line by line (each distinct line once for a class) equal answers read from the located tree."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bptt_trace.errors import InputError
from bptt_trace.marking import answers as answers_module
from bptt_trace.marking.answers import load_answers
from bptt_trace.marking.answers import quick_submission
from tests.scenario.test_yaml_fast import answers_text, tidy_text

SECTIONED = st.sampled_from(["", "student: Ann\n", "example: 2\n", "variant: v3\nstudent: '7'\n", "example: x\n",
                             "example: 0\n", "scenario: s.yaml\n", "examples:\n", "total:\n  loss: 1.5\n",
                             "answers: 1\n", "examples:\n  a:\n    h: 1\n", "examples:\n  1: 2\n", "nope: 1\n"])


def by_tree(text: str, monkeypatch):
    """What `load_answers` gives from the located tree (the line reader switched off), or its error."""
    with monkeypatch.context() as m:
        m.setattr(answers_module, "quick_submission", lambda text, name: None)
        return outcome(text)


def outcome(text: str):
    try:
        return load_answers("f.yaml", text)
    except InputError as exc:
        return ("error", exc.describe())


def _check(text: str, monkeypatch) -> None:
    tree = by_tree(text, monkeypatch)
    quick = quick_submission(text, "f.yaml")
    assert quick is None or quick == tree
    assert outcome(text) == tree


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(SECTIONED, st.sampled_from(["answers:\n", "examples:\n  1:\n", "examples:\n  2:\n", "updated:\n", ""]),
       tidy_text())
def test_sections_read_line_by_line_equal_the_tree(head, section, body):
    import pytest
    with pytest.MonkeyPatch.context() as mp:
        indent = "    " if section.startswith("examples") else "  "
        text = head + section + "".join(indent + line + "\n" if line else "\n" for line in body.split("\n"))
        _check(text, mp)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(answers_text())
def test_any_file_reads_alike_either_way(text):
    import pytest
    with pytest.MonkeyPatch.context() as mp:
        _check(text, mp)


def test_a_plain_sheet_takes_the_line_reader_and_shares_its_answers_with_the_same_sheet(monkeypatch):
    text = ("student: Ann\nexamples:\n  1:\n    \"h[1]\": [0.226, 0.310, 0.264]  # mine\n    loss: 0.378\n"
            "  2:\n    h[1]: [0.1, 0.2]\n# end\ntotal:\n  loss: 1.5\n")
    a, b = quick_submission(text, "f.yaml"), quick_submission(text, "b.yaml")
    assert a == by_tree(text, monkeypatch) and a.student == "Ann" and len(a.answers) == 4
    assert [(x.name, x.example, x.section, x.line, x.column) for x in a.answers] == [
        ("h[1]", 1, "examples", 4, 5), ("loss", 1, "examples", 5, 5), ("h[1]", 2, "examples", 7, 5),
        ("loss", None, "total", 10, 3)]
    assert all(x is y for x, y in zip(a.answers, b.answers)) and b.file == "b.yaml"
    shifted = quick_submission("\n" + text, "c.yaml")
    assert shifted.answers[0].line == 5 and shifted.answers[0] is not a.answers[0]
    assert shifted.answers[0].entries is a.answers[0].entries  # the same line's entries, made once


def test_files_outside_the_subset_are_left_to_the_full_reader():
    for text in ("answers: {h: 1}\n", "answers:\n  h: [1, 2\n", "answers:\n\th: 1\n", "", "answers:\n  h:\n",
                 "answers:\n  h: 1\n  h: 2\n", "answers:\n  h:\n    a: 1\n", "oops: 1\n", "example: 0\nanswers:\n  h: 1\n"):
        assert quick_submission(text, "f.yaml") is None, text
