"""A class's many PDFs, fast and still right: the shared preamble dumped once into a format, one pass a
worksheet (short tables as tabular), a batch compile seeded with a settled .aux yet giving the PDF a
fresh compile gives, and the same bytes from the same source."""

from __future__ import annotations

import re
import subprocess

import pytest

from bptt_trace import jobs, pdf
from bptt_trace.render.documents import LatexWriter
from bptt_trace.render.latex_layout import SHORT_TABLE_ROWS
from tests.conftest import ROOT
from tests.render.latex_fit import overfull
from tests.render.test_documents import require_pdflatex

PREAMBLE = "\\documentclass{article}\n\\usepackage{longtable}\n"


def longtable_doc(cells: list[str]) -> str:
    """A document with one longtable, its column as wide as its widest cell: its widths settle in the .aux."""
    rows = "".join(f"{c} & x \\\\\n" for c in cells)
    return (PREAMBLE + "\\begin{document}\n\\begin{longtable}{lr}\nhead & y \\\\\n\\endfirsthead\nhead & y \\\\\n"
            "\\endhead\n" + rows + "\\end{longtable}\n\\end{document}\n")


def text_of(data: bytes, tmp_path) -> str:
    (tmp_path / "t.pdf").write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(tmp_path / "t.pdf"), "-"], capture_output=True,
                          text=True).stdout


def test_the_preamble_splits_off_and_names_its_format():
    head, body = pdf.split_preamble(PREAMBLE + "\\begin{document}\nx\n\\end{document}\n")
    assert head == PREAMBLE and body == "\\begin{document}\nx\n\\end{document}\n"
    assert pdf.split_preamble("no document") == ("", "no document")
    assert pdf.format_name(head) == pdf.format_name(PREAMBLE) != pdf.format_name(PREAMBLE + "%\n")
    assert re.fullmatch(r"bptt-[0-9a-f]{16}", pdf.format_name(head))


def test_a_format_compiles_the_same_text_as_the_whole_document(tmp_path):
    require_pdflatex()
    doc = longtable_doc(["alpha", "a much wider cell"])
    fmt = pdf.make_format(doc, tmp_path)
    assert fmt is not None and fmt.name == pdf.format_name(PREAMBLE) + ".fmt"
    assert pdf.make_format("\\relax no preamble", tmp_path) is None
    with_format, whole = pdf.compile_pdf(doc, fmt=fmt), pdf.compile_pdf(doc)
    assert text_of(with_format, tmp_path) == text_of(whole, tmp_path)
    assert "a much wider cell" in text_of(with_format, tmp_path)
    other = longtable_doc(["x"]).replace("article}", "article}%")  # another preamble: the format is not used
    assert "head" in text_of(pdf.compile_pdf(other, fmt=fmt), tmp_path)


def test_a_batch_compile_seeded_with_another_documents_aux_gives_the_fresh_pdf(tmp_path, monkeypatch):
    require_pdflatex()
    monkeypatch.setattr(pdf, "_SETTLED_AUX", {})
    narrow, wide = longtable_doc(["a"]), longtable_doc(["a cell far wider than a"])
    fresh_wide = pdf.compile_pdf(wide, batch=True)
    monkeypatch.setattr(pdf, "_SETTLED_AUX", {})
    fresh_narrow = pdf.compile_pdf(narrow, batch=True)
    assert pdf.compile_pdf(wide, batch=True) == fresh_wide  # seeded with the narrow table's widths
    assert pdf.compile_pdf(narrow, batch=True) == fresh_narrow  # and with the wide one's
    assert pdf.compile_pdf(narrow, batch=True) == fresh_narrow  # seeded with its own: one pass, the same
    assert b"/CreationDate" not in fresh_narrow and b"/ID" not in fresh_narrow  # nothing from the clock


def test_a_batch_seeded_with_its_own_aux_needs_one_pass(tmp_path, monkeypatch):
    require_pdflatex()
    monkeypatch.setattr(pdf, "_SETTLED_AUX", {})
    doc = longtable_doc(["alpha", "beta gamma"])
    pdf.compile_pdf(doc, batch=True)
    runs = []
    real = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: runs.append(a) or real(*a, **k))
    pdf.compile_pdf(doc, batch=True)
    assert len(runs) == 1
    runs.clear()
    monkeypatch.setattr(pdf, "_SETTLED_AUX", {})
    pdf.compile_pdf(doc, batch=True)
    assert len(runs) == 2  # unseeded, longtable asks for a second pass


def sheet(name: str, one_pass: bool) -> str:
    job = jobs.prepare(str(ROOT / "scenarios" / f"{name}.yaml"), readers="people")
    return LatexWriter(jobs.answers(job, "all", False), one_pass=one_pass).write(jobs.blocks(job, student=True),
                                                                                  name)


def test_one_pass_sheets_set_short_tables_as_tabular_and_keep_long_ones_long():
    from bptt_trace.render.blocks import Prose, Table, cell
    short = Table(None, [cell(Prose("i"))], [[cell(Prose(str(k)))] for k in range(SHORT_TABLE_ROWS)])
    long = short._replace(rows=short.rows * 2)
    writer = LatexWriter(one_pass=True)
    assert r"\begin{tabular}{r}" in writer.table(short) and "longtable" not in writer.table(short)
    assert r"\begin{longtable}" in writer.table(long) and r"\endhead" in writer.table(long)
    assert r"\begin{longtable}" in LatexWriter().table(short)  # export is as it was
    tex = sheet("sentiment", True)
    assert "longtable}" not in tex and tex.count(r"\begin{tabular}") == sheet("sentiment", False).count(
        r"\begin{longtable}")


@pytest.mark.parametrize("name", ["sentiment", "lstm_sentiment", "xor"])
def test_one_pass_sheets_fit_the_page_in_one_pass(name):
    require_pdflatex()
    rc, boxes = overfull(sheet(name, True), passes=1)
    assert rc == 0 and [w for w, _ in boxes if w > 1] == []
