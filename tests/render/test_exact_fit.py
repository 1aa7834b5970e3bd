"""Exact-mode worksheets fit the page: every shipped scenario in exact mode, full, `--blank all` and
`--answer-key`, on A4 and letter, compiles with no overfull box wider than 1 pt; the long numbers that
break across lines reassemble, in the .tex and in the PDF's text, to their exact values."""

from __future__ import annotations

import re
import shutil
import subprocess

import sympy

from bptt_trace import jobs
from bptt_trace.render.documents import LatexWriter
from bptt_trace.render.latex_wide import break_digits, entry_label, widest_piece
from tests.conftest import ROOT
from tests.render.latex_fit import overfull_many
from tests.render.test_documents import require_pdflatex

SHIPPED = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
VERSIONS = {"full": (None, False), "blank": ("all", False), "key": ("all", True)}


def exact_documents(name: str) -> dict[str, str]:
    """One scenario's six exact-mode sheets: traced once, its blocks built once for the solution (full and
    key) and once for the student's sheet, each written on both papers."""
    job = jobs.prepare(str(ROOT / "scenarios" / f"{name}.yaml"), readers="people", exact=True)
    sheets = {student: list(jobs.blocks(job, False, student)) for student in (False, True)}
    return {f"{name} {version} {paper}": LatexWriter(jobs.answers(job, *how), None, paper)
            .write(sheets[version == "blank"], job.trace.scenario.name)
            for version, how in VERSIONS.items() for paper in ("a4", "letter")}


def test_every_exact_worksheet_fits_its_page():
    require_pdflatex()
    docs = {k: v for name in SHIPPED for k, v in exact_documents(name).items()}
    assert len(docs) == len(SHIPPED) * 6
    results = overfull_many(docs)
    failed = {k: rc for k, (rc, _) in results.items() if rc}
    assert not failed, failed
    wide = {k: max(w for w, _ in boxes) for k, (_, boxes) in results.items() if any(w > 1 for w, _ in boxes)}
    assert wide == {}, wide


def test_the_long_numbers_reassemble_to_their_exact_values(tmp_path):
    exe = require_pdflatex()
    job = jobs.prepare(str(ROOT / "scenarios" / "exploding.yaml"), readers="people", exact=True)
    tex = jobs.document(job, jobs.answers(job, None, False), "latex")
    grad = [v.expr for v in job.trace.value("dL/dW_hh").ravel()]
    assert all(isinstance(q, sympy.Rational) and len(str(q.p)) > 60 for q in grad)  # numbers too long for a line
    assert r"\newcommand{\digitbreak}" in tex and not re.search(r"\d{%d}" % 16, tex)
    joined = re.sub(r"\\digitbreak |\\allowbreak ", "", tex)
    assert all(str(q) in joined for q in grad)
    (tmp_path / "w.tex").write_text(tex)
    for _ in range(2):
        subprocess.run([exe, "-interaction=nonstopmode", "w.tex"], cwd=tmp_path, capture_output=True,
                       stdin=subprocess.DEVNULL, check=True)
    if not shutil.which("pdftotext"):
        return
    text = subprocess.run(["pdftotext", "w.pdf", "-"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert "\u2190" in text  # a number broken at the end of a line, marked where it goes on
    read = re.sub(r"/\s+", "/", re.sub("\u2190\\s*", "", text))
    matrix = read[read.index("[1, 1] = " + str(grad[0])[:20]):]
    assert all(str(q) in matrix for q in grad)


def test_only_long_digit_strings_break_and_their_groups_keep_every_digit():
    assert break_digits("0.123456789012345") == "0.123456789012345"  # 15 digits: left alone
    long = "1234567890123456789/100000000000000000"
    broken = break_digits(long)
    assert broken == r"12345\digitbreak 67890\digitbreak 12345\digitbreak 6789/10000\digitbreak 00000\digitbreak " \
                     r"00000\digitbreak 000"
    assert broken.replace(r"\digitbreak ", "") == long


def test_the_widest_unbreakable_piece_of_a_formula_and_of_text():
    assert widest_piece("s_21·(-3/10 + 3/(10·(exp(-s_16 - 1/10) + 1)))/2") == len("(exp(-s_16 -")
    assert widest_piece("tanh(s_116) ≈ 0.523705") == len("tanh(s_116) ≈")  # the operator ends the line
    assert widest_piece("δo (chain rule)[1]") == len("δo (chain rule)[1]")  # a space in math does not break
    assert widest_piece("running totals from", prose=True) == len("running")
    assert widest_piece("1" * 40) == 5  # broken into groups of five


def test_a_matrix_too_wide_is_written_row_by_row_with_its_indices():
    assert entry_label("W_hh #2,3", 9, 9, False) == "2,3" and entry_label(None, 2, 1, True) == "2"
    job = jobs.prepare(str(ROOT / "scenarios" / "i_love_ai.yaml"), readers="people", exact=True)
    tex = jobs.document(job, jobs.answers(job, None, False), "latex")
    rows = [line for line in tex.splitlines() if r"\leftskip=1em" in line]
    assert rows and all("$[" in line and "] =$" in line for line in rows)
    assert any(line.count("] =$") == 3 for line in rows)  # a row of W_hh's gradient: three labelled entries
    plain = jobs.prepare(str(ROOT / "scenarios" / "i_love_ai.yaml"), readers="people")
    assert r"\leftskip=1em" not in jobs.document(plain, jobs.answers(plain, None, False), "latex")
