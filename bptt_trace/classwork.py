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

import csv
import io
import os
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

    Students are independent, so a class is shared out over the cores, in roster order.
    """
    sc = jobs.load(scenario)
    source = Path(scenario).read_bytes()
    _check_folder(out, force)
    (out / "keys").mkdir(exist_ok=True)
    work = [(scenario, sc, source, seed, s, out, force, pdf) for s in students]
    cores = min(os.cpu_count() or 1, 1 + len(work) // 8)
    rows, rejected, reasons = [], 0, {}
    with _pool(cores) as pool:
        for row, turned_down, why in pool.map(_one_student, work):
            rows.append(row)
            rejected += turned_down
            for k, n in why.items():
                reasons[k] = reasons.get(k, 0) + n
            advance(1)
    _write(out / "original.yaml", source, force)  # to catch a copy of the original scenario's answer key
    _write(out / "index.csv", index_csv(rows), force)
    return Handout(rows, rejected, reasons)


def _pool(cores: int):
    from concurrent.futures import ProcessPoolExecutor
    return ProcessPoolExecutor(cores) if cores > 1 else ThreadPoolExecutor(1)


def _one_student(work: tuple) -> tuple[dict[str, str], int, dict[str, int]]:
    """One student's variant and files: their index row, and the draws turned down (and why)."""
    from bptt_trace.analysis.variants import NoGoodDraw, draw_variant
    scenario, sc, source, seed, student, out, force, pdf = work
    try:
        v = draw_variant(sc, source, seed, student.id)
    except NoGoodDraw as exc:
        raise BadInput(f"{scenario}: {exc}") from None
    row, tex = _write_student(v, student, out, force, pdf)
    if tex:
        from bptt_trace.pdf import PdfError, compile_pdf
        try:
            _write(tex[0], compile_pdf(tex[1]), force)
        except PdfError as exc:
            raise BadInput(f"{exc} (or use --no-pdf)") from None
    return row, v.rejected, dict(v.reasons)


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
    _write(files["scenario"], dump_scenario(v.scenario, note=f"variant {v.variant_id} for {student.id}"), force)
    job = jobs.prepare_scenario(v.scenario, str(files["scenario"]))
    names = select(job.trace, "all")
    blocks = _with_header(list(jobs.blocks(job)), student, v.variant_id)
    title = job.trace.scenario.name
    _write(files["worksheet_md"], _document(blocks, Answers(names, "blank"), "markdown", title), force)
    _write(files["key"], _document(blocks, Answers(names, "key"), "markdown", title), force)
    _write(files["answers"], answers_template(job.trace, job.chosen, names, "scenario.yaml", student.id,
                                              v.variant_id), force)
    tex = (files["worksheet_pdf"], _document(blocks, Answers(names, "blank"), "latex", title)) if pdf else None
    row = {"student_id": student.id, "name": student.name, "variant_id": v.variant_id}
    row |= {k: str(p.relative_to(out)) for k, p in files.items() if pdf or k != "worksheet_pdf"}
    row.setdefault("worksheet_pdf", "")
    return row, tex


def _with_header(blocks: list, student, variant_id: str) -> list:
    """The worksheet's blocks with the student's name, id and variant id under the title heading."""
    from bptt_trace.render.blocks import Para, Prose, cell
    header = Para(cell(Prose(f"Student: {student.name} · ID: {student.id} · Variant: {variant_id}")))
    return blocks[:1] + [header] + blocks[1:]


def _document(blocks: list, answers, fmt: str, title: str) -> str:
    from bptt_trace.render.documents import LatexWriter, MarkdownWriter
    writer = MarkdownWriter(answers) if fmt == "markdown" else LatexWriter(answers)
    return writer.write(blocks, title)


def index_csv(rows: Iterable[dict[str, str]]) -> str:
    """The index as CSV; a cell a spreadsheet would read as a formula is quoted with a leading '."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, INDEX_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: _cell(row.get(k, "")) for k in INDEX_COLUMNS})
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


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "'") else text


def _uncell(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r", "'") else text


def _check_folder(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise BadInput(f"{out}: the folder is not empty; use --force to write over the files it holds")
    if not out.parent.is_dir():
        raise BadInput(f"{out}: the folder {out.parent} does not exist")
    out.mkdir(exist_ok=True)


def _write(path: Path, data: str | bytes, force: bool) -> None:
    from bptt_trace.output import OutputError, write_atomic
    try:
        write_atomic(path, data, force)
    except OutputError as exc:
        raise BadInput(str(exc)) from None


class Marked(NamedTuple):
    """A class marked against its variants: the reports, the files that could not be marked, and the
    submissions flagged as fitting another variant far better than their own."""

    reports: list
    bad: list[str]
    copied: list[str]
    job: object


def mark_variants(folder: Path, paths: Iterable[str], tolerance, round_=None, round_mode=None,
                  notation=None, decimals=None) -> Marked:
    """Mark each answers file against the variant its `variant:` id (or `student:` id) names."""
    from bptt_trace.errors import InputError
    from bptt_trace.marking.answers import load_answers
    from bptt_trace.marking.copying import Class
    rows = read_index(folder)
    by_variant = {r["variant_id"]: r for r in rows}
    by_student = {r["student_id"]: r for r in rows}
    labels = [r["variant_id"] for r in rows] + ["original"]
    checkers, jobs_by_id = {}, {}
    for r in rows:
        job = jobs.prepare(str(folder / r["scenario"]), round_=round_, round_mode=round_mode, decimals=decimals,
                           notation=notation)
        jobs_by_id[r["variant_id"]] = job
    original = _original_job(rows, folder, jobs_by_id, round_, round_mode, decimals, notation)
    everyone = Class(labels, [jobs_by_id[r["variant_id"]].trace for r in rows] + [original.trace])
    reports, bad, copied = [], [], []
    for path in paths:
        try:
            sub = load_answers(path)
        except InputError as exc:
            bad.append(exc.describe())
            continue
        row = by_variant.get(sub.variant) or by_student.get(sub.student)
        if row is None:
            bad.append(f"{path}: names no variant of {folder}: give the `variant:` id from its template, or a "
                       "`student:` id of the roster")
            continue
        vid = row["variant_id"]
        if vid not in checkers:
            checkers[vid] = _checker(jobs_by_id[vid], tolerance)
        checker = checkers[vid]
        reports.append(checker.check(sub))
        fit = everyone.fit(sub, vid, checker.resolve)
        if fit.copied:
            whose = ("the original scenario's answer key" if fit.other == "original" else
                     f"the variant of student {by_variant[fit.other]['student_id']}")
            copied.append(f"{path}: these answers match {whose} ({fit.best:.0%} of {fit.numbers} numbers), not "
                          f"the variant of student {row['student_id']} ({fit.own:.0%})")
    return Marked(reports, bad, copied, jobs_by_id[rows[0]["variant_id"]])


def _original_job(rows, folder: Path, jobs_by_id: dict, round_, round_mode, decimals, notation):
    """The scenario the variants were drawn from, traced, so that a copy of its key is caught too."""
    source = folder / "original.yaml"
    if source.is_file():
        return jobs.prepare(str(source), round_=round_, round_mode=round_mode, decimals=decimals, notation=notation)
    return jobs_by_id[rows[0]["variant_id"]]


def _checker(job, tolerance):
    from bptt_trace.marking.checker import Checker
    from bptt_trace.numbers.systems import Float64, HandDecimal
    numbers = HandDecimal(job.mode.round, job.mode.round_mode) if job.mode.round is not None else Float64()
    return Checker(job.trace, numbers, tolerance, job.mode.notation)
