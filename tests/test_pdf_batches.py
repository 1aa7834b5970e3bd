"""Many worksheets typeset in one pdflatex run and split into one PDF each: each PDF holds exactly its own
pages, numbered from 1, looking as it does compiled alone, valid, and the same bytes from the same batch."""

from __future__ import annotations

import csv
import subprocess

import pytest

from bptt_trace import pdf, pdf_batch
from tests.render.test_documents import require_pdflatex

PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath}\n"


def doc(text: str, pages: int = 1) -> str:
    body = "\\clearpage\n".join(f"\\section*{{{text} part {k}}}\n{text} page {k}, $x_{{{k}}}^2$.\n"
                                for k in range(1, pages + 1))
    return PREAMBLE + "\\begin{document}\n" + body + "\\end{document}\n"


def info(data: bytes, tmp_path, name: str = "t.pdf") -> tuple[str, str]:
    (tmp_path / name).write_bytes(data)
    run = subprocess.run(["pdfinfo", str(tmp_path / name)], capture_output=True, text=True)
    return run.stdout, run.stderr


def text_of(data: bytes, tmp_path) -> str:
    (tmp_path / "t.pdf").write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(tmp_path / "t.pdf"), "-"], capture_output=True,
                          text=True).stdout


def images(data: bytes, tmp_path, name: str) -> list[bytes]:
    (tmp_path / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
                   check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.png"))]


def test_each_document_gets_exactly_its_own_pages_numbered_from_one(tmp_path):
    require_pdflatex()
    texts = ["alpha", "bravo", "charlie"]
    made = pdf_batch.compile_batch([doc("alpha"), doc("bravo", pages=2), doc("charlie")])
    assert len(made) == 3
    for data, mine, pages in zip(made, texts, (1, 2, 1)):
        out, err = info(data, tmp_path)
        assert f"Pages:           {pages}" in out and err == ""
        words = text_of(data, tmp_path)
        assert f"{mine} page 1" in words and all(other not in words for other in texts if other != mine)
        assert [line.strip() for line in words.splitlines() if line.strip().isdigit()] == [
            str(k) for k in range(1, pages + 1)]  # the page numbers start again at 1
        assert b"BPTTPages" not in data and b"/CreationDate" not in data and b"/ID" not in data


def test_a_split_page_looks_as_it_does_compiled_alone_and_batches_repeat_byte_for_byte(tmp_path):
    require_pdflatex()
    docs = [doc("alpha"), doc("bravo", pages=2)]
    made = pdf_batch.compile_batch(docs)
    assert made == pdf_batch.compile_batch(docs)
    for k, tex in enumerate(docs):
        assert images(made[k], tmp_path, f"split{k}") == images(pdf.compile_pdf(tex, batch=True), tmp_path,
                                                                f"alone{k}")


def test_documents_of_different_preambles_are_compiled_one_by_one(tmp_path):
    require_pdflatex()
    other = doc("bravo").replace("article}", "article}%")
    made = pdf_batch.compile_batch([doc("alpha"), other])
    assert "alpha page 1" in text_of(made[0], tmp_path) and "bravo page 1" in text_of(made[1], tmp_path)
    assert "alpha" not in text_of(made[1], tmp_path)


def test_a_pdf_not_made_as_a_batch_is_refused(tmp_path):
    require_pdflatex()
    with pytest.raises(pdf.PdfError):
        pdf_batch.split_pdf(pdf.compile_pdf(doc("alpha")))
    with pytest.raises(pdf.PdfError):
        pdf_batch.split_pdf(b"not a pdf")


def test_a_class_over_two_batches_gets_each_student_their_own_sheet(tmp_path):
    require_pdflatex()
    from click.testing import CliRunner
    from bptt_trace.cli import main
    from tests.conftest import ROOT
    out = tmp_path / "class"
    from bptt_trace.classwork import BATCH
    count = BATCH + 1
    r = CliRunner().invoke(main, ["variants", str(ROOT / "scenarios" / "sentiment.yaml"), "--count", str(count),
                                  "--seed", "4", "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader((out / "index.csv").open()))
    assert [r["student_id"] for r in rows] == [f"s{k:03d}" for k in range(1, count + 1)]
    for row in rows:
        data = (out / row["worksheet_pdf"]).read_bytes()
        words = text_of(data, tmp_path)
        assert f"ID: {row['student_id']}" in words and row["variant_id"] in words
        assert all(o["variant_id"] not in words for o in rows if o is not row)
        assert info(data, tmp_path)[1] == ""



def test_the_format_is_stored_uncompressed_and_still_compiles(tmp_path):
    require_pdflatex()
    tex = doc("alpha")
    fmt = pdf.make_format(tex, tmp_path)
    assert fmt is not None and fmt.read_bytes()[:2] != b"\x1f\x8b"  # not gzip: nothing to unpack each run
    assert not list(tmp_path.glob("*.plain"))
    assert images(pdf.compile_pdf(tex, fmt=fmt, batch=True), tmp_path, "fmt") == images(
        pdf.compile_pdf(tex, batch=True), tmp_path, "whole")
