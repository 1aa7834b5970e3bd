"""A blank sheet and an answer key built with each step's blocks made once equal the two built apart."""

from __future__ import annotations

import pytest

from bptt_trace import jobs
from bptt_trace.classwork import _sheet_and_key
from tests.conftest import ROOT


@pytest.mark.parametrize("name", ["sentiment", "lstm_sentiment", "gru_sentiment", "birnn_sentiment", "xor",
                                  "time_series", "lstm_long"])
def test_the_sheet_and_key_sharing_their_steps_equal_the_two_built_apart(name):
    path = str(ROOT / "scenarios" / f"{name}.yaml")
    job = jobs.prepare_loaded(jobs.load(path), path, readers="people")
    blank, key = _sheet_and_key(job)
    assert blank == list(jobs.blocks(job, student=True)) and key == list(jobs.blocks(job))
    assert blank != key and len(blank) > 10


def test_a_step_rebuilt_for_the_second_sheet_is_the_same_blocks():
    from bptt_trace.render.labels import Labels
    from bptt_trace.render.numfmt import NumberFormat
    from bptt_trace.render.shared_steps import ReusingWorksheet
    path = str(ROOT / "scenarios" / "sentiment.yaml")
    job = jobs.prepare_loaded(jobs.load(path), path, readers="people")
    sheet = ReusingWorksheet(NumberFormat(3, 4), labels=Labels(job.mode.notation))
    step = job.trace.steps[-1]
    assert list(sheet.step(step)) == list(sheet.step(step)) and len(sheet._made) == 1
