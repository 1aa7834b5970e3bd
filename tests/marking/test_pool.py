"""Marking a large class on every core gives the reports one process gives, in the files' order."""

from __future__ import annotations

import numpy as np

from bptt_trace.marking import pool
from bptt_trace.marking.checker import Checker
from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import Float64
from bptt_trace.numbers.tolerance import Tolerance
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT


def test_parallel_marking_equals_marking_one_file_after_another(tmp_path, monkeypatch):
    monkeypatch.setattr(pool, "PARALLEL_FROM", 10)
    contexts = []
    real = pool.multiprocessing.get_context
    monkeypatch.setattr(pool.multiprocessing, "get_context", lambda *a: (contexts.append(a), real(*a))[1])
    trace = run(load_scenario(ROOT / "scenarios" / "sentiment.yaml"))
    h = np.round(np.asarray(trace.value("h[1]", 1)), 3)
    paths = []
    for i in range(40):
        path = tmp_path / f"s{i:02d}.yaml"
        path.write_text("h[1]: [1, 2\n" if i == 7 else
                        f"student: s{i}\nanswers:\n  h[1]: {(h + 0.01 * (i % 4 == 1)).tolist()}\n  loss: 0.378\n")
        paths.append(str(path))
    checker = Checker(trace, Float64(), Tolerance(), None)
    alone = list(pool.mark_files(checker, paths, workers=1))
    shared = list(pool.mark_files(checker, paths, workers=2))
    assert [p for _, p in shared] == [p for _, p in alone] and alone[7][0] is None and "s07.yaml" in alone[7][1]
    summary = [(r.submission.file, r.counts, r.first_mistake and r.first_mistake.name) for r, _ in alone if r]
    assert [(r.submission.file, r.counts, r.first_mistake and r.first_mistake.name) for r, _ in shared if r] == summary
    assert sum(c["wrong"] > 0 for _, c, _ in summary) == 10 and len(summary) == 39
    assert pool._CHECKER is None and contexts == [("fork",)]


def test_one_process_by_default_and_for_a_small_class(monkeypatch):
    monkeypatch.setattr(pool.multiprocessing, "get_context", lambda *a: (_ for _ in ()).throw(AssertionError))
    assert list(pool.mark_files(None, [])) == [] and list(pool.mark_files(None, [], workers=4)) == []


def test_check_jobs_gives_the_same_csv(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from bptt_trace.cli import main
    from tests.test_check_split import SCENARIO, sheets
    monkeypatch.setattr(pool, "PARALLEL_FROM", 2)
    files = sheets(tmp_path)
    for name, extra in (("one.csv", []), ("two.csv", ["--jobs", "2"])):
        CliRunner().invoke(main, ["check", SCENARIO, *files, "--csv", str(tmp_path / name), *extra])
    assert (tmp_path / "one.csv").read_text() == (tmp_path / "two.csv").read_text()
