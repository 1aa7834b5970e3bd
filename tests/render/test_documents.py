"""Worksheets: every .tex compiles with pdflatex, Markdown tables and math are well formed, the
numbers read back equal the trace, blanks leak no answer, scenario text is escaped."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from bptt_trace.cli import main
from bptt_trace.pdf import PdfError, compile_pdf
from tests.conftest import ROOT, SENTIMENT

SCENARIOS = ["sentiment", "i_love_ai", "time_series"]
OPTION_SETS = {"plain": [], "round": ["--round", "3"], "truncate": ["--round", "2", "--round-mode", "truncate"],
               "exact": ["--exact"], "uvw": ["--notation", "uvw"], "paths": ["--paths", "W_hh"],
               "blank-forward": ["--blank", "forward"], "blank-all": ["--blank"], "key": ["--answer-key", "--blank", "backward"]}
NUMBER = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"


def export(tmp_path, scenario: str, suffix: str, *options: str) -> str:
    out = tmp_path / f"sheet{suffix}"
    result = CliRunner().invoke(main, ["export", str(scenario), "-o", str(out), "--force", *options])
    assert result.exit_code == 0, result.output
    return out.read_text()


def require_pdflatex() -> str:
    """pdflatex on the user's PATH; without it these tests are skipped, except in CI (BPTT_CI, set by
    .ci/run), where they fail."""
    import os
    exe = shutil.which("pdflatex")
    if exe is None:
        message = "pdflatex not found: install TeX Live with `bash scripts/install-latex.sh`"
        if os.environ.get("BPTT_CI"):
            pytest.fail(message + " (required in CI: BPTT_CI is set)")
        pytest.skip(message)
    return exe


def pdflatex(tmp_path, tex: str) -> subprocess.CompletedProcess:
    import os
    exe = require_pdflatex()
    (tmp_path / "w.tex").write_text(tex)
    return subprocess.run([exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "w.tex"],
                          cwd=tmp_path, capture_output=True, text=True, errors="replace", stdin=subprocess.DEVNULL,
                          env={"PATH": os.environ.get("PATH", ""), "openin_any": "p", "HOME": str(tmp_path)})


@pytest.mark.parametrize("options", list(OPTION_SETS), ids=list(OPTION_SETS))
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_latex_export_compiles(tmp_path, scenario, options):
    tex = export(tmp_path, ROOT / "scenarios" / f"{scenario}.yaml", ".tex", *OPTION_SETS[options])
    proc = pdflatex(tmp_path, tex)
    assert proc.returncode == 0, [line for line in proc.stdout.splitlines() if line.startswith("!")]
    assert (tmp_path / "w.pdf").stat().st_size > 1000


NETWORKS = ["xor", "regression", "lstm_sentiment", "gru_sentiment", "birnn_sentiment"]
NETWORK_OPTIONS = ["plain", "round", "exact", "blank-all", "key"]


@pytest.mark.parametrize("options", NETWORK_OPTIONS)
@pytest.mark.parametrize("scenario", NETWORKS)
def test_the_other_networks_export_to_latex_that_compiles_and_to_markdown(tmp_path, scenario, options):
    path = ROOT / "scenarios" / f"{scenario}.yaml"
    proc = pdflatex(tmp_path, export(tmp_path, path, ".tex", *OPTION_SETS[options]))
    assert proc.returncode == 0, [line for line in proc.stdout.splitlines() if line.startswith("!")]
    assert len(tables_and_math(export(tmp_path, path, ".md", *OPTION_SETS[options]))) >= 10


def tables_and_math(md: str) -> list:
    """Check every table's rows against its header and every inline math span; return the tables."""
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    tables, row, rows = [], None, None
    for tok in tokens:
        if tok.type == "table_open":
            rows = []
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "inline" and row is not None:
            row.append(tok.content)
        elif tok.type == "tr_close":
            rows.append(row)
            row = None
        elif tok.type == "table_close":
            tables.append(rows)
    for rows in tables:
        assert all(len(r) == len(rows[0]) for r in rows), rows
        for r in rows:
            for c in r:
                assert len(re.findall(r"(?<!\\)\$", c)) % 2 == 0, c
    assert md.count("$$") % 2 == 0
    return tables


@pytest.mark.parametrize("options", list(OPTION_SETS), ids=list(OPTION_SETS))
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_markdown_export_has_well_formed_tables_and_math(tmp_path, scenario, options):
    md = export(tmp_path, ROOT / "scenarios" / f"{scenario}.yaml", ".md", *OPTION_SETS[options])
    tables = tables_and_math(md)
    assert len(tables) >= (1 if options == "paths" else 10)


def boxed_numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\\boxed\{(" + NUMBER + r")\}", text)]


@pytest.mark.parametrize("suffix", [".md", ".tex"])
def test_numbers_read_back_equal_the_trace(tmp_path, suffix):
    """The answer key boxes every blank of the student's sheet, in document order (results, operands,
    products and partial sums); each boxed result equals the trace to the shown decimals."""
    from bptt_trace.marking.blanks import answerable
    from bptt_trace.render.blocks import Answers, Value
    from bptt_trace.render.worksheet import Worksheet
    trace = people_trace(ROOT / "scenarios" / "sentiment.yaml")
    doc = export(tmp_path, ROOT / "scenarios" / "sentiment.yaml", suffix, "--answer-key", "--blank", "all", "--no-figures")  # the figures are checked in test_unrolled
    blank = export(tmp_path, ROOT / "scenarios" / "sentiment.yaml", suffix, "--blank", "all", "--no-figures")
    if suffix == ".tex":  # a long table's header repeated on later pages is written twice
        doc, blank = (re.sub(r"\\endfirsthead\n.*?\\endhead", "", d, flags=re.S) for d in (doc, blank))
    shown = boxed_numbers(doc)
    key = Answers(frozenset(answerable(trace)), "key")
    expected = [v for block in Worksheet().build(trace, [1, 2]) for v in _values(block)
                if isinstance(v, Value) and key.marks(v)]
    blank = "\n".join(line for line in blank.splitlines() if not line.startswith("**Name:**"))  # the student's fields
    blanks = blank.count(r"\_\_\_\_\_\_") + blank.count(r"\underline{\q")
    assert len(shown) == len(expected) == blanks > 1500
    for got, v in zip(shown, expected):
        assert got == float(v.text)
        if v.result and v.label:
            true = _true_value(trace, v)
            assert abs(got - true) <= 0.5e-4 * (1 + 1e-9) if _decimals(got) == 4 else \
                abs(got - true) <= 0.5e-3 * (1 + 1e-9), (v.label, got, true)


def people_trace(path):
    """The trace of what people read by default: the hand calculation at 3 decimals."""
    from bptt_trace import jobs
    return jobs.prepare(str(path), readers="people").trace


def _decimals(x: float) -> int:
    return len(repr(x).split(".")[1]) if "." in repr(x) else 0


def _values(block):
    from bptt_trace.render.blocks import Heading, Matrix, Para, SideBySide, Table
    cells = []
    if isinstance(block, (Heading, Para)):
        cells = [block.text]
    elif isinstance(block, Table):
        cells = ([block.title] if block.title else []) + block.headers + [c for r in block.rows for c in r]
    elif isinstance(block, Matrix):
        cells = ([block.title] if block.title else []) + [c for r in block.rows for c in r]
    elif isinstance(block, SideBySide):
        cells = block.headers + [c for m in block.matrices for r in m.rows for c in r]
    return [s for c in cells for s in c]


def _true_value(trace, v):
    """The trace's value behind a Value (`h[2] #1` of the example the Value came from)."""
    name, _, entry = v.label.partition(" #")
    index = tuple(int(i) - 1 for i in entry.split(",")) if entry else ()
    value = np.asarray(trace.value(name, v.example), dtype=float)
    return float(value[index]) if value.ndim else float(value)


@pytest.mark.parametrize("spec", ["all", "forward", "backward", "h[2],dL/dz[3],W_hh_new"])
def test_blank_worksheets_contain_none_of_the_answers_they_blank(tmp_path, spec):
    _assert_blanks_hide_their_answers(tmp_path, "sentiment", spec)


@pytest.mark.parametrize("spec", ["all", "forward", "backward"])
@pytest.mark.parametrize("scenario", ["xor", "lstm_sentiment", "gru_sentiment", "birnn_sentiment"])
def test_blank_worksheets_of_the_other_networks_hide_their_answers(tmp_path, scenario, spec):
    _assert_blanks_hide_their_answers(tmp_path, scenario, spec)


def _assert_blanks_hide_their_answers(tmp_path, scenario: str, spec: str) -> None:
    from bptt_trace.networks.run import run
    from bptt_trace.marking.blanks import select
    from bptt_trace.scenario.loader import load_scenario
    from bptt_trace.render.blocks import Answers, Value
    from bptt_trace.render.worksheet import Worksheet
    path = ROOT / "scenarios" / f"{scenario}.yaml"
    trace = people_trace(path)
    answers = Answers(select(trace, spec), "blank")
    blocks = list(Worksheet().build(trace, list(range(1, len(trace.scenario.examples) + 1))))
    hidden = {v.text.lstrip("-") for b in blocks for v in _values(b) if isinstance(v, Value) and answers.hides(v)}
    shown = {v.text.lstrip("-") for b in blocks for v in _values(b) if isinstance(v, Value) and not answers.hides(v)}
    assert hidden
    md = export(tmp_path, path, ".md", "--blank", spec)
    tex = export(tmp_path, path, ".tex", "--blank", spec)
    for doc in (md, tex):
        in_doc = {n.lstrip("-") for n in re.findall(NUMBER, doc)}
        # a one-digit answer (xor's z = 2) cannot be told from the digits in names and headings
        leaked = {n for n in (hidden - shown) & in_doc if not re.fullmatch(r"\d", n)}
        assert not leaked, sorted(leaked)[:10]
        assert "underline" in doc or "\\_\\_\\_" in doc


def test_scenario_text_is_escaped_and_reads_no_file(tmp_path):
    text = (SENTIMENT.replace("name: sentiment", "name: '\\input{/etc/hostname} 50% $x$ #1'")
            .replace("  love:    [0.4, 0.1, 0.5]", "  'lo|ve':    [0.4, 0.1, 0.5]")
            .replace("i love this book", "i lo|ve this book"))
    path = tmp_path / "evil.yaml"
    path.write_text(text)
    tex = export(tmp_path, path, ".tex")
    assert "\\input{/etc/hostname}" not in tex and "\\textbackslash{}input\\{/etc/hostname\\}" in tex
    pdf = compile_pdf(tex)
    (tmp_path / "e.pdf").write_bytes(pdf)
    words = subprocess.run(["pdftotext", str(tmp_path / "e.pdf"), "-"], capture_output=True, text=True).stdout
    assert "input{/etc/hostname}" in words
    hostname = open("/etc/hostname").read().strip()
    assert not hostname or hostname not in words.replace("input{/etc/hostname}", "")
    md = export(tmp_path, path, ".md")
    tables = tables_and_math(md)
    embeddings = next(t for t in tables if t[0] == ["word", "embedding"])
    assert ["lo\\|ve", "$[0.4, 0.1, 0.5]$"] in [[c.replace("\\\\", "\\") for c in r] for r in embeddings] or \
        any(r[0].startswith("lo") for r in embeddings)


def test_pdf_export_and_missing_pdflatex(tmp_path, monkeypatch):
    require_pdflatex()
    out = tmp_path / "w.pdf"
    result = CliRunner().invoke(main, ["export", str(ROOT / "scenarios" / "sentiment.yaml"), "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(PdfError, match="apt-get install texlive-latex-base"):
        compile_pdf("\\documentclass{article}\\begin{document}x\\end{document}")
    result = CliRunner().invoke(main, ["export", str(ROOT / "scenarios" / "sentiment.yaml"), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "pdflatex was not found" in result.stderr and not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("scenario", ["sentiment", "xor", "lstm_sentiment"])
def test_the_example_worksheets_in_the_repository_are_current(tmp_path, scenario):
    """examples/*-worksheet.md are what `export` writes today (BPTT_REGENERATE_GOLDEN=1 rewrites them)."""
    import os
    out = tmp_path / f"{scenario}-worksheet.md"  # the figures' SVG files are named after it
    result = CliRunner().invoke(main, ["export", str(ROOT / "scenarios" / f"{scenario}.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    for fresh in [out] + sorted(tmp_path.glob(f"{scenario}-worksheet-example-*.svg")):
        path = ROOT / "examples" / fresh.name
        if os.environ.get("BPTT_REGENERATE_GOLDEN") == "1":
            path.write_text(fresh.read_text())
        assert path.read_text() == fresh.read_text(), "regenerate with BPTT_REGENERATE_GOLDEN=1 pytest tests/render"


@pytest.mark.parametrize("truncate", [None, 3])
def test_clipping_and_truncation_export_cleanly(tmp_path, truncate):
    path = tmp_path / "s.yaml"
    text = (ROOT / "scenarios" / "exploding.yaml").read_text()
    path.write_text(text + (f"  truncate: {truncate}\n" if truncate else ""))
    tex = export(tmp_path, path, ".tex", "--full")
    assert "[U+" not in tex  # every symbol has a TeX form
    proc = pdflatex(tmp_path, tex)
    assert proc.returncode == 0, [line for line in proc.stdout.splitlines() if line.startswith("!")]
    tables_and_math(export(tmp_path, path, ".md", "--blank", "backward"))


@pytest.mark.parametrize("ci", ["", "1"])
def test_without_pdflatex_the_latex_tests_skip_naming_the_install_script_or_fail_in_ci(ci, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("BPTT_CI", ci)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match="install TeX Live with `bash scripts/install-latex.sh`"):
        require_pdflatex()
    assert (ROOT / "scripts" / "install-latex.sh").is_file()
    assert "export BPTT_CI=1" in (ROOT / ".ci" / "run").read_text()


def test_pdflatex_is_found_on_the_users_path(tmp_path, monkeypatch):
    """A TeX installation outside /usr/bin (MacTeX's /Library/TeX/texbin) is found and run."""
    fake = tmp_path / "texbin"
    fake.mkdir()
    (fake / "pdflatex").write_text("#!/bin/sh\necho \"$PATH\" > seen-path\nexit 0\n")
    (fake / "pdflatex").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
    proc = pdflatex(tmp_path, "x")
    assert proc.returncode == 0 and str(fake) in (tmp_path / "seen-path").read_text()
