"""The `check` command's work: build one checker for a scenario, mark each answers file in turn
(one sheet never takes down the class: an unreadable one is reported with its reason), score it,
count it into the class report, and write per-student feedback.

Part of the command line: bad options and scenarios are raised as BadInput (exit code 2).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from bptt_trace.jobs import BadInput


def checker_for(job, tolerance: str | None):
    """The checker and the scenario's check settings; the tolerance from the option, else the scenario's."""
    from bptt_trace.marking.checker import Checker
    from bptt_trace.numbers.systems import Float64, HandDecimal
    from bptt_trace.numbers.tolerance import Tolerance
    sc = job.trace.scenario
    spec = sc.check
    asked = spec.decimals if spec.decimals is not None else job.mode.decimals
    key_unit = 10.0 ** -job.mode.round if job.mode.round is not None else 0.0
    chosen = tolerance or spec.tolerance
    try:
        tol = Tolerance.parse(chosen) if chosen else Tolerance(asked=asked)
    except ValueError as exc:
        raise BadInput(f"--tolerance: {exc}") from None
    tol = Tolerance(tol.kind, tol.amount, tol.asked, key_unit)
    numbers = HandDecimal(job.mode.round, job.mode.round_mode) if job.mode.round is not None else Float64()
    precise = None
    if job.mode.round is not None:
        from bptt_trace.networks.run import run
        precise = run(sc, examples=job.chosen)
    return Checker(job.trace, numbers, tol, job.mode.notation, precise), spec, tol.asked


def mark_one(checker, scorer, path: str):
    """One answers file marked and scored (by a `marking.scoring.Scorer`), or unreadable with the reason."""
    from bptt_trace.errors import InputError
    from bptt_trace.marking.answers import load_answers
    from bptt_trace.marking.classroom import Sheet
    try:
        submission = load_answers(path)
    except InputError as exc:
        return Sheet(path, Path(path).stem, None, problem=exc.describe())
    return mark_submission(checker, scorer, submission)


def mark_submission(checker, scorer, submission):
    """One submission already read, marked and scored (never an exception: one sheet cannot stop a class)."""
    from bptt_trace.marking.classroom import Sheet
    try:
        report = checker.check(submission)
    except ArithmeticError as exc:  # a student's numbers too large to redo a step with
        from bptt_trace.record.recorder import arithmetic_reason
        return Sheet(submission.file, submission.student, None,
                     problem=f"{submission.file}: a step redone from these answers failed: {arithmetic_reason(exc)}")
    except Exception as exc:  # noqa: BLE001 -- one sheet must never take down the class; fuzzed to stay unused
        return Sheet(submission.file, submission.student, None,
                     problem=f"{submission.file}: could not be marked ({type(exc).__name__}: {exc}); please report this")
    return Sheet(submission.file, submission.student, report, scorer.score(report))


def mark_all(checker, spec, paths, workers: int | None = None, finish=None) -> Iterator:
    """Each file in order, as it is marked: one scorer for the class (in worker processes for a large
    class, see `marking.pool`); `finish(sheet)`, where the sheet is marked, cuts down what comes back."""
    from bptt_trace.marking.pool import mark_files
    from bptt_trace.marking.scoring import Scorer
    scorer = Scorer(spec)
    finish = finish or (lambda sheet: sheet)
    yield from mark_files(lambda path: finish(mark_one(checker, scorer, path)), list(paths), workers)


def finisher(keep: str, view=None):
    """What the main process keeps of each marked sheet: "full" (the report: one sheet, Markdown,
    feedback files), "brief" (a class table and gradebook rows) or "json" (brief, and the sheet's JSON
    text made where it was marked). None for full."""
    if keep == "full":
        return None
    from bptt_trace.marking.brief import brief
    if keep == "brief":
        return brief
    from bptt_trace.render.check_view import sheet_json_text
    return lambda sheet: brief(sheet, sheet_json_text(sheet, view))


def feedback_paths(paths, folder: str) -> list[Path]:
    """One Markdown file per answers file in `folder`, named after it (made unique)."""
    out, seen = [], set()
    for path in paths:
        stem = re.sub(r"[^\w.-]+", "_", Path(path).stem) or "sheet"
        name, n = f"{stem}.md", 2
        while name in seen:
            name, n = f"{stem}-{n}.md", n + 1
        seen.add(name)
        out.append(Path(folder) / name)
    return out


def check_feedback(targets: list[Path], force: bool) -> None:
    """Refuse, before any marking, to overwrite a feedback file without --force."""
    from bptt_trace.output import OutputError, check_target
    for t in targets:
        try:
            t.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(f"--feedback: cannot make the folder {t.parent}: {exc.strerror or exc}") from None
        try:
            check_target(str(t), force)
        except OutputError as exc:
            raise BadInput(f"--feedback: {exc}") from None


def write_feedback(sheet, view, target: Path, force: bool, title: str) -> None:
    """One student's feedback as Markdown: their table, score, mistakes and the first one worked out."""
    from bptt_trace.output import write_atomic
    from bptt_trace.render.blocks import Para, Prose, cell
    from bptt_trace.render.documents import MarkdownWriter
    blocks = view.build_report(sheet.report, sheet) if sheet.report is not None else \
        iter([Para(cell(Prose(f"Your answers file could not be marked: {sheet.problem}")))])
    write_atomic(str(target), MarkdownWriter().write(blocks, title), force)
