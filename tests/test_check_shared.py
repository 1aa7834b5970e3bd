"""A class marked with what its sheets share worked out once (lines, answers, verdicts) gives byte for
byte what marking each sheet alone, from the located tree and with a new checker, gives."""

from __future__ import annotations

import random

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace import check_job, jobs
from bptt_trace.cli import _check_view, main
from bptt_trace.marking import answers as answers_module
from bptt_trace.marking import pool
from bptt_trace.marking.blanks import answerable
from bptt_trace.marking.classroom import ClassReport
from bptt_trace.marking.scoring import Scorer
from bptt_trace.render.check_view import sheet_json_text
from bptt_trace.render.class_view import class_json
from tests.test_check_split import SCENARIO


def written(v, places: int = 3) -> str:
    return f"{float(v):.{places}f}" if np.ndim(v) == 0 else "[" + ", ".join(written(x, places) for x in v) + "]"


def class_files(tmp_path, n: int = 40) -> list[str]:
    """Full sheets, most alike: slips (some shared), blanks, fewer decimals, shifted lines, odd names,
    a transposed matrix, a wrong shape, a second section, lines in another order and an unreadable file."""
    job = jobs.prepare(SCENARIO, round_="off")
    trace = job.trace
    names = answerable(trace)
    rows = [(k, n_) for k in (1, 2) for n_ in trace.names(k) if n_ in names]
    rng = random.Random(3)
    paths = []
    for i in range(n):
        slips = {rows[rng.randrange(len(rows))]: 0.05} if i % 4 else {}
        slips.update({rows[7]: 0.1} if i % 7 == 3 else {})
        lines = ["# a comment that shifts every line"] if i % 5 == 4 else []
        lines += [f"student: s{i % 30}", "examples:"]
        order = list(rows)
        if i % 9 == 8:
            order = order[::-1]
        for k in (1, 2):
            lines.append(f"  {k}:")
            for key in [r for r in order if r[0] == k]:
                v = np.asarray(trace.value(key[1], k), dtype=float) + slips.get(key, 0)
                text = written(v, 2 if i % 11 == 5 and key == rows[3] else 3)
                if i % 6 == 1 and key == rows[2]:
                    text = "~"
                if i % 8 == 2 and key == rows[4] and np.ndim(v) == 1 and len(v) > 1:
                    text = "[" + ", ".join(["~"] + [f"{x:.3f}" for x in v[1:]]) + "]"
                if i % 12 == 10 and key == rows[5]:
                    text = "[1.000, [2.000, 3.000]]"
                if i % 10 == 7 and np.ndim(v) == 2:
                    text = "[" + ", ".join(written(r) for r in v.T) + "]"
                lines.append(f'    "{key[1]}": {text}')
        if i % 13 == 6:
            lines += ["    h[99]: 1", "    W_hh: [1, 2]"]
        lines += ["total:", f"  loss: {float(np.asarray(trace.value('loss'), dtype=float)):.3f}"] if \
            trace.has("loss") and i % 3 == 0 else []
        path = tmp_path / f"s{i:03d}.yaml"
        path.write_text("examples: [1, 2\n" if i == 17 else "\n".join(lines) + "\n")
        paths.append(str(path))
    return paths


def marked_alone(files: list[str], monkeypatch) -> list[str]:
    """Each sheet's JSON, each read from the located tree and marked by a checker of its own."""
    monkeypatch.setattr(answers_module, "quick_submission", lambda text, name: None)
    job = jobs.prepare(SCENARIO)
    out = []
    for f in files:
        checker, spec, asked = check_job.checker_for(job, None)
        out.append(sheet_json_text(check_job.mark_one(checker, Scorer(spec), f), _check_view(job, asked)))
    monkeypatch.undo()
    return out


def test_one_checker_for_the_class_marks_each_sheet_as_it_would_alone(tmp_path, monkeypatch):
    files = class_files(tmp_path)
    job = jobs.prepare(SCENARIO)
    checker, spec, asked = check_job.checker_for(job, None)
    view = _check_view(job, asked)
    scorer = Scorer(spec)
    twice = [sheet_json_text(check_job.mark_one(checker, scorer, f), view) for f in files + files]
    alone = marked_alone(files, monkeypatch)
    assert twice == alone + alone
    assert sum('"verdict": "wrong"' in t for t in alone) >= 25 and any("unreadable" in t or "problem" in t
                                                                        for t in alone)


@pytest.mark.parametrize("fmt", ["terminal", "json", "markdown"])
def test_every_output_of_a_class_is_what_it_was_read_and_marked_alone(tmp_path, monkeypatch, fmt):
    files = class_files(tmp_path)
    monkeypatch.setattr(pool, "PARALLEL_FROM", 2)
    args = ["check", SCENARIO, *files, "--format", fmt, "--no-color", "--width", "100"]
    shared = [CliRunner().invoke(main, [*args, "--jobs", j, "--csv", str(tmp_path / f"{j}.csv")]) for j in "12"]
    with monkeypatch.context() as m:  # the reference: no line reader, a new checker for every sheet
        m.setattr(answers_module, "quick_submission", lambda text, name: None)
        real = check_job.mark_one
        m.setattr(check_job, "mark_one", lambda checker, scorer, path: real(
            type(checker)(checker.trace, checker.num, checker.tolerance, None, checker.precise), scorer, path))
        alone = CliRunner().invoke(main, [*args, "--jobs", "1", "--csv", str(tmp_path / "alone.csv")])
    assert alone.exit_code == 1 and "near" in alone.stdout.lower() or fmt != "terminal"
    for r in shared:
        assert (r.exit_code, r.stdout) == (alone.exit_code, alone.stdout)
    assert (tmp_path / "1.csv").read_text() == (tmp_path / "2.csv").read_text() == (tmp_path / "alone.csv").read_text()


def test_the_class_report_of_shared_sheets_finds_the_near_identical_pairs_alone_marking_finds(tmp_path, monkeypatch):
    files = class_files(tmp_path)
    job = jobs.prepare(SCENARIO)
    checker, spec, _ = check_job.checker_for(job, None)
    klass = ClassReport()
    for s in check_job.mark_all(checker, spec, files, 1, check_job.finisher("brief")):
        klass.add(s.student, s.report)
    reference = ClassReport()
    monkeypatch.setattr(answers_module, "quick_submission", lambda text, name: None)
    for f in files:
        c, sp, _ = check_job.checker_for(job, None)
        s = check_job.mark_one(c, Scorer(sp), f)
        reference.add(s.student, s.report)
    assert class_json(klass) == class_json(reference) and klass.similar()
