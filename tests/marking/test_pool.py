"""Marking a large class on every core gives the sheets one process gives, in the files' order."""

from __future__ import annotations

import numpy as np

from bptt_trace import check_job, jobs
from bptt_trace.marking import pool
from tests.conftest import ROOT


def test_parallel_marking_equals_marking_one_file_after_another(tmp_path, monkeypatch):
    monkeypatch.setattr(pool, "PARALLEL_FROM", 10)
    contexts = []
    real = pool.multiprocessing.get_context
    monkeypatch.setattr(pool.multiprocessing, "get_context", lambda *a: (contexts.append(a), real(*a))[1])
    job = jobs.prepare(str(ROOT / "scenarios" / "sentiment.yaml"), round_="off")
    checker, spec, _ = check_job.checker_for(job, None)
    h = np.round(np.asarray(job.trace.value("h[1]", 1), dtype=float), 3)
    paths = []
    for i in range(40):
        path = tmp_path / f"s{i:02d}.yaml"
        path.write_text("h[1]: [1, 2\n" if i == 7 else
                        f"student: s{i}\nanswers:\n  h[1]: {(h + 0.01 * (i % 4 == 1)).tolist()}\n  loss: 0.378\n")
        paths.append(str(path))

    from bptt_trace.marking.scoring import Scorer
    scorer = Scorer(spec)

    def mark(p):
        return check_job.mark_one(checker, scorer, p)
    alone = list(pool.mark_files(mark, paths, workers=1))
    shared = list(pool.mark_files(mark, paths, workers=2))
    assert [s.problem for s in shared] == [s.problem for s in alone]
    assert alone[7].report is None and "s07.yaml" in alone[7].problem
    summary = [(s.file, s.report.counts, s.score.points, s.report.first_mistake and s.report.first_mistake.name)
               for s in alone if s.report]
    assert [(s.file, s.report.counts, s.score.points, s.report.first_mistake and s.report.first_mistake.name)
            for s in shared if s.report] == summary
    assert sum(c["wrong"] > 0 for _, c, _, _ in summary) == 10 and len(summary) == 39
    assert pool._MARK is None and contexts == [("fork",)]


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
