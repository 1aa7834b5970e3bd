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


def test_one_process_for_a_small_class_whatever_is_asked(monkeypatch):
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


def test_a_large_class_is_marked_on_every_core_by_default_and_jobs_1_forces_one(monkeypatch):
    contexts = []
    monkeypatch.setattr(pool, "PARALLEL_FROM", 3)
    monkeypatch.setattr(pool, "usable_cores", lambda: 2)

    class Fake:
        def __init__(self, n):
            contexts.append(n)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def imap(self, fn, paths, chunksize):
            return map(fn, paths)
    monkeypatch.setattr(pool.multiprocessing, "get_context", lambda *a: type("C", (), {"Pool": Fake}))
    assert list(pool.mark_files(str.upper, ["a", "b", "c"])) == ["A", "B", "C"] and contexts == [2]
    assert list(pool.mark_files(str.upper, ["a", "b", "c"], workers=1)) == ["A", "B", "C"] and contexts == [2]
    assert list(pool.mark_files(str.upper, ["a", "b", "c"], workers=8)) == ["A", "B", "C"] and contexts == [2, 2]


def class_files(tmp_path) -> list[str]:
    """Twelve sheets: right, slips (some shared), an unreadable one, a partly blank one, an unknown name."""
    from tests.test_check_split import SCENARIO
    from bptt_trace.networks.run import run
    from bptt_trace.scenario.loader import load_scenario
    trace = run(load_scenario(SCENARIO))
    h = np.round(np.asarray(trace.value("h[1]", 1), dtype=float), 3)
    paths = []
    for i in range(12):
        slip = 0.05 * (i % 3 == 1)
        text = (f"student: s{i}\nexamples:\n  1:\n    h[1]: {(h + slip).tolist()}\n    loss: {0.378 + slip}\n"
                f"    z[1]: [0.23, ~, 0.27]\n    h[9]: 1\ntotal:\n  loss: 1.5\n")
        if i == 5:
            text = "examples: [1, 2\n"
        path = tmp_path / f"s{i:02d}.yaml"
        path.write_text(text)
        paths.append(str(path))
    return paths


def test_every_output_is_byte_identical_whatever_the_workers(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from bptt_trace.cli import main
    from tests.test_check_split import SCENARIO
    monkeypatch.setattr(pool, "PARALLEL_FROM", 2)
    files = class_files(tmp_path)
    for fmt in ("terminal", "json", "markdown"):
        outs = []
        for jobs_ in ("1", "2", "3"):
            csv = tmp_path / f"{fmt}{jobs_}.csv"
            r = CliRunner().invoke(main, ["check", SCENARIO, *files, "--format", fmt, "--csv", str(csv),
                                          "--jobs", jobs_, "--no-color", "--width", "100"])
            assert r.exit_code == 1, r.output
            outs.append((r.stdout, csv.read_text()))
        assert outs[0] == outs[1] == outs[2]
    assert "unreadable" in outs[0][1] and outs[0][1].count("\n") == 13


def test_the_streamed_json_is_the_json_of_the_whole_report(tmp_path):
    import json

    from click.testing import CliRunner

    from bptt_trace.cli import main, _check_view
    from bptt_trace.marking.classroom import ClassReport
    from bptt_trace.render.check_view import sheet_json
    from bptt_trace.render.class_view import class_json
    from bptt_trace.render.safe_text import json_text
    from tests.test_check_split import SCENARIO
    files = class_files(tmp_path)
    r = CliRunner().invoke(main, ["check", SCENARIO, *files, "--format", "json"])
    job = jobs.prepare(SCENARIO)
    checker, spec, asked = check_job.checker_for(job, None)
    view = _check_view(job, asked)
    sheets = list(check_job.mark_all(checker, spec, files, 1))
    klass = ClassReport()
    for s in sheets:
        klass.add(s.student, s.report)
    doc = {"scenario": job.trace.scenario.name, "sheets": [sheet_json(s, view) for s in sheets],
           "class": class_json(klass)}
    assert r.stdout == json_text(json.dumps(doc, indent=2, allow_nan=False)) + "\n"
    assert json.loads(r.stdout)["class"]["near_identical"]
