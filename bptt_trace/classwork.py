"""A class's homework: each student's own variant handed out, then their answers marked against it.

For each student a variant of the scenario, their blank worksheet (Markdown and PDF), their
answers template, and apart from those their answer key; with an index of it all:

    DIR/index.csv                       student_id, name, variant_id and each file
    DIR/students/ID/scenario.yaml       the student's numbers
    DIR/students/ID/worksheet.md|.pdf   blank, with their name, id and variant id in the header
    DIR/students/ID/answers.yaml        to fill in; names the variant it is marked against
    DIR/keys/ID-key.md                  the answer key: never in a folder handed out
    DIR/original.yaml                   the scenario the variants were drawn from (not for students)

Part of the command line: bad input is raised as BadInput (exit code 2).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from bptt_trace import jobs
from bptt_trace.jobs import BadInput

INDEX_COLUMNS = ("student_id", "name", "variant_id", "scenario", "worksheet_md", "worksheet_pdf", "answers", "key")


class Handout(NamedTuple):
    """What was written: one index row per student, and how many draws were turned down in all."""

    rows: list[dict[str, str]]
    rejected: int
    reasons: dict[str, int]


def make_handout(scenario: str, students, seed: str, out: Path, force: bool, pdf: bool = True,
                 advance: Callable[[int], None] = lambda n: None) -> Handout:
    """Draw every student's variant and write their files under `out`; refuses a non-empty `out` without force.

    Students are independent, so a class is shared out over the cores in batches (see `_batches`).
    """
    from bptt_trace.scenario.bundled import resolve
    sc = jobs.load(scenario)
    source = resolve(scenario).read_bytes()  # a path, or a bundled name; loaded already, so within the size limit
    _check_folder(out, force)
    (out / "keys").mkdir(exist_ok=True)
    with _shared_format(pdf) as fmt:
        batches = _batches(list(students))
        work = [(scenario, sc, source, seed, [s for _, s in b], out, force, pdf, fmt) for b in batches]
        cores = min(os.cpu_count() or 1, 1 + sum(map(len, batches)) // 8, len(batches) or 1)
        done: dict[int, tuple] = {}
        with _pool(cores) as pool:
            for batch, results in zip(batches, pool.map(_one_batch, work)):
                done.update(zip((k for k, _ in batch), results))
                advance(len(batch))  # a batch of students' files written: the points a progress display counts
    rows, rejected, reasons = [], 0, {}
    for row, turned_down, why in (done[k] for k in sorted(done)):  # in roster order
        rows.append(row)
        rejected += turned_down
        for k, n in why.items():
            reasons[k] = reasons.get(k, 0) + n
    jobs.write(str(out / "original.yaml"), source, force)  # to catch a copy of the original scenario's answer key
    jobs.write(str(out / "index.csv"), index_csv(rows), force)
    return Handout(rows, rejected, reasons)


@contextlib.contextmanager
def _shared_format(pdf: bool):
    """A pdflatex format of the worksheets' preamble, which every worksheet of the class shares (its
    packages loaded once, not once a student); None without PDFs or when pdflatex cannot make one."""
    if not pdf:
        yield None
        return
    from bptt_trace.pdf import TEMP_PREFIX, make_format
    with tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-") as tmp:
        yield make_format(_document([], None, "latex", "x"), Path(tmp))


def _pool(cores: int):
    from concurrent.futures import ProcessPoolExecutor
    return ProcessPoolExecutor(cores) if cores > 1 else ThreadPoolExecutor(1)


BATCH = 10  # students whose worksheets one pdflatex run typesets: a fixed number, so any machine splits alike


def _batches(students: list) -> list[list[tuple[int, object]]]:
    """The class in batches of BATCH (roster position, student), made in the order of the students' ids, so
    that a student's batch, and so their PDF, does not depend on the roster's order."""
    ordered = sorted(enumerate(students), key=lambda ks: ks[1].id)
    return [ordered[at:at + BATCH] for at in range(0, len(ordered), BATCH)]


def _one_batch(work: tuple) -> list[tuple[dict[str, str], int, dict[str, int]]]:
    """A batch of students' variants and files: each one's index row and the draws turned down (and why);
    their worksheet PDFs typeset in one pdflatex run."""
    from bptt_trace.analysis.variants import NoGoodDraw, draw_variant
    scenario, sc, source, seed, students, out, force, pdf, fmt = work
    results, texs = [], []
    for student in students:
        try:
            v = draw_variant(sc, source, seed, student.id)
        except NoGoodDraw as exc:
            raise BadInput(f"{scenario}: {exc}") from None
        row, tex = _write_student(v, student, out, force, pdf)
        results.append((row, v.rejected, dict(v.reasons)))
        texs += [tex] if tex else []
    if texs:
        from bptt_trace.pdf import PdfError
        from bptt_trace.pdf_batch import compile_batch
        try:
            made = compile_batch([tex for _, tex in texs], fmt=fmt)
        except PdfError as exc:
            raise BadInput(f"{exc} (or use --no-pdf)") from None
        for (path, _), data in zip(texs, made):
            jobs.write(str(path), data, force)
    return results


def _write_student(v, student, out: Path, force: bool, pdf: bool) -> tuple[dict[str, str], tuple | None]:
    """The student's scenario, worksheet, template and key; the LaTeX to compile, if PDFs are wanted."""
    from bptt_trace.marking.blanks import select
    from bptt_trace.marking.template import answers_template
    from bptt_trace.render.blocks import Answers
    from bptt_trace.scenario.writer import dump_scenario
    folder = out / "students" / student.id
    folder.mkdir(parents=True, exist_ok=True)
    files = {"scenario": folder / "scenario.yaml", "worksheet_md": folder / "worksheet.md",
             "worksheet_pdf": folder / "worksheet.pdf", "answers": folder / "answers.yaml",
             "key": out / "keys" / f"{student.id}-key.md"}
    note = f"variant {v.variant_id} for {student.id}"
    jobs.write(str(files["scenario"]), dump_scenario(v.scenario, note=note), force)
    job = jobs.prepare_loaded(v.scenario, str(files["scenario"]), readers="people")
    names = select(job.trace, "all")
    blank, full = _sheet_and_key(job)
    sheet = _with_header(blank, student, v.variant_id)  # no drift table, no note
    key = _with_header(full, student, v.variant_id)
    title = job.trace.scenario.name
    jobs.write(str(files["worksheet_md"]), _document(sheet, Answers(names, "blank"), "markdown", title), force)
    jobs.write(str(files["key"]), _document(key, Answers(names, "key"), "markdown", title), force)
    jobs.write(str(files["answers"]), answers_template(job.trace, job.chosen, names, "scenario.yaml",
                                              student=student.id, variant=v.variant_id), force)
    tex = (files["worksheet_pdf"], _document(sheet, Answers(names, "blank"), "latex", title)) if pdf else None
    row = {"student_id": student.id, "name": student.name, "variant_id": v.variant_id}
    row |= {k: str(p.relative_to(out)) for k, p in files.items() if pdf or k != "worksheet_pdf"}
    row.setdefault("worksheet_pdf", "")
    return row, tex


def _sheet_and_key(job) -> tuple[list, list]:
    """The blocks of the blank sheet and of the answer key, as `jobs.blocks` makes them; each step's blocks
    made once, for both (not where the trace names long expressions, whose naming runs with the steps)."""
    from bptt_trace.render.labels import Labels
    from bptt_trace.render.numfmt import NumberFormat
    from bptt_trace.render.shared_steps import ReusingWorksheet
    if job.report or job.trace.symbols:
        return list(jobs.blocks(job, student=True)), list(jobs.blocks(job))
    sheet = ReusingWorksheet(NumberFormat(job.mode.decimals, job.mode.digits), max_items=10**9 if job.full else 8,
                             labels=Labels(job.mode.notation))
    sheet.steps = job.steps
    key = list(sheet.build(job.trace, job.chosen, job.drift))  # the key first: it is the fuller build
    sheet.student = True
    return list(sheet.build(job.trace, job.chosen, job.drift)), key


def _with_header(blocks: list, student, variant_id: str) -> list:
    """The worksheet's blocks with the student's name, id and variant id under the title heading."""
    from bptt_trace.render.blocks import Para, Prose, cell
    header = Para(cell(Prose(f"Student: {student.name} · ID: {student.id} · Variant: {variant_id}")))
    return blocks[:1] + [header] + blocks[1:]


def _document(blocks: list, answers, fmt: str, title: str) -> str:
    from bptt_trace.render.documents import LatexWriter, MarkdownWriter
    writer = MarkdownWriter(answers) if fmt == "markdown" else LatexWriter(answers, one_pass=True)
    return writer.write(blocks, title)


def index_csv(rows: Iterable[dict[str, str]]) -> str:
    """The index as CSV; a cell a spreadsheet would read as a formula is quoted with a leading '."""
    from bptt_trace.render.safe_text import csv_cell
    buf = io.StringIO()
    w = csv.DictWriter(buf, INDEX_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: csv_cell(row.get(k, "")) for k in INDEX_COLUMNS})
    return buf.getvalue()


def read_index(folder: Path) -> list[dict[str, str]]:
    """The rows of a handout's index.csv; BadInput when the folder holds none."""
    path = folder / "index.csv"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read the variants index ({exc}); give the folder `bptt-trace variants` "
                       "wrote") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or any(c not in rows[0] for c in ("student_id", "variant_id", "scenario")):
        raise BadInput(f"{path}: expected the columns {', '.join(INDEX_COLUMNS)}")
    return [{k: _uncell(v or "") for k, v in r.items()} for r in rows]


def _uncell(text: str) -> str:
    """A cell as it was before `csv_cell` neutralised it."""
    from bptt_trace.render.safe_text import CSV_TRIGGERS
    return text[1:] if text[:1] == "'" and text[1:].startswith(CSV_TRIGGERS) else text


def _check_folder(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise BadInput(f"{out}: the folder is not empty; use --force to write over the files it holds")
    if not out.parent.is_dir():
        raise BadInput(f"{out}: the folder {out.parent} does not exist")
    out.mkdir(exist_ok=True)



class VariantMarker:
    """Marks each answers file against its own variant in a handout folder, as `check` marks against one
    scenario (scores, every mistake, the class report), and flags answers that fit another variant far
    better than their own."""

    def __init__(self, folder: Path, tolerance: str | None, round_=None, round_mode=None, notation=None,
                 decimals=None, budget=None) -> None:
        from bptt_trace.check_job import checker_for
        from bptt_trace.marking.copying import Class
        self.folder, self.rows = folder, read_index(folder)
        self.by_variant = {r["variant_id"]: r for r in self.rows}
        self.by_student = {r["student_id"]: r for r in self.rows}
        options = dict(round_=round_, round_mode=round_mode, decimals=decimals, notation=notation, budget=budget)
        self.jobs = {r["variant_id"]: jobs.prepare(str(folder / r["scenario"]), **options) for r in self.rows}
        from bptt_trace.marking.scoring import Scorer
        self.checkers = {vid: checker_for(job, tolerance) for vid, job in self.jobs.items()}
        self.scorers = {vid: Scorer(spec) for vid, (_, spec, _) in self.checkers.items()}
        self.job = self.jobs[self.rows[0]["variant_id"]]
        self.asked = self.checkers[self.rows[0]["variant_id"]][2]
        original = folder / "original.yaml"
        traces = [job.trace for job in self.jobs.values()]
        labels = list(self.jobs)
        if original.is_file():
            traces.append(jobs.prepare(str(original), **options).trace)
            labels.append("original")
        self.everyone = Class(labels, traces)

    def mark_all(self, paths: Iterable[str], workers: int | None = None, finish=None):
        """Each file in order, marked against its variant (or unreadable with the reason); in worker
        processes for a large class; `finish(sheet)` cuts down what comes back (`check_job.finisher`)."""
        from bptt_trace.marking.pool import mark_files
        mark = self.mark_one if finish is None else (lambda path: finish(self.mark_one(path)))
        yield from mark_files(mark, list(paths), workers)

    def mark_one(self, path: str):
        """One file: found by its `variant:` id, else its `student:` id; then marked, scored and fitted."""
        from bptt_trace.check_job import mark_submission
        from bptt_trace.errors import InputError
        from bptt_trace.marking.answers import load_answers
        from bptt_trace.marking.classroom import Sheet
        try:
            sub = load_answers(path)
        except InputError as exc:
            return Sheet(path, Path(path).stem, None, problem=exc.describe())
        row = self.by_variant.get(sub.variant) or self.by_student.get(sub.student)
        if row is None:
            return Sheet(path, sub.student, None, problem=f"{path}: names no variant of {self.folder}: give the "
                                                          "`variant:` id from its template, or a `student:` id of the roster")
        vid = row["variant_id"]
        checker = self.checkers[vid][0]
        sheet = mark_submission(checker, self.scorers[vid], sub)
        fit = self.everyone.fit(sub, vid, checker.resolve)
        if fit.copied:
            whose = ("the original scenario's answer key" if fit.other == "original" else
                     f"the variant of student {self.by_variant[fit.other]['student_id']}")
            sheet = sheet._replace(copied=f"{path}: these answers match {whose} ({fit.best:.0%} of {fit.numbers} "
                                          f"numbers), not the variant of student {row['student_id']} ({fit.own:.0%})")
        return sheet
