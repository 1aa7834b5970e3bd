"""Worksheets fit the page: every shipped scenario, full, blank and answer key, on A4 and letter,
compiles with no overfull box wider than 1 pt (read from pdflatex's log); long tables repeat their
header; a blank sheet is one a teacher can hand out."""

from __future__ import annotations

import re

import pytest

from bptt_trace import jobs
from tests.conftest import ROOT
from tests.render.latex_fit import overfull_many

SHIPPED = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
VARIANTS = {"full": (None, False), "blank": ("all", False), "key": ("all", True)}


def latex(name: str, variant: str = "full", paper: str = "a4", **options) -> str:
    job = jobs.prepare(str(ROOT / "scenarios" / f"{name}.yaml"), readers="people", **options)
    blank, key = VARIANTS[variant]
    return jobs.document(job, jobs.answers(job, blank, key), "latex", paper)


def documents() -> dict[str, str]:
    """Every shipped scenario in every version on A4, and the letter paper of each (exact mode: test_exact_fit)."""
    docs = {f"{n} {v} a4": latex(n, v) for n in SHIPPED for v in VARIANTS}
    docs |= {f"{n} full letter": latex(n, "full", "letter") for n in SHIPPED}
    return docs


def test_every_worksheet_fits_its_page():
    results = overfull_many(documents())
    failed = {k: rc for k, (rc, _) in results.items() if rc}
    assert not failed, failed
    wide = {k: max(w for w, _ in boxes) for k, (_, boxes) in results.items() if any(w > 1 for w, _ in boxes)}
    assert wide == {}, wide


def test_the_parameters_flow_and_a_wide_table_gets_ragged_columns():
    tex = latex("lstm_sentiment")
    params = tex[tex.index("Parameters"):tex.index("Embeddings")]
    for name in ("W_{o}", "U_{o}", "b_{o}", r"W_{\text{hy}}", "b_{y}"):
        assert name in params, name
    assert r"\quad $\begin{array}" in params  # boxes a line can break between
    assert r">{\raggedright\arraybackslash}p{" in latex("sentiment", "blank")


def test_long_tables_repeat_their_header_and_never_leave_it_alone():
    tex = latex("vanishing")
    tables = re.findall(r"\\begin\{longtable\}.*?\\end\{longtable\}", tex, re.S)
    assert len(tables) > 100
    for t in tables:
        first, rest = t.split(r"\endfirsthead", 1)
        again, body = rest.split(r"\endhead", 1)
        head = first.splitlines()[-1]
        assert head.endswith(r"\\* \hline") and head in again  # the header again on every later page
        rows = [line for line in body.strip().splitlines() if line.endswith("\\\\") or line.endswith("\\\\*")]
        assert len(rows) < 2 or rows[0].endswith("\\\\*")  # the first row stays with the header


def test_a_blank_sheet_is_one_a_teacher_can_hand_out():
    tex = latex("sentiment", "blank", notation="wi-wh-wo")
    assert tex.count(r"\section*{Worksheet: ") == 1 and "section*{sentiment" not in tex
    assert r"Name: \underline" in tex and r"Student ID: \underline" in tex
    assert "Round every result to 3 decimals and carry the rounded value on to the next step" in tex
    assert "float64" not in tex and "Drift" not in tex
    assert r"\underset{\scriptscriptstyle O_{2} \#1}" in tex and r"\scriptscriptstyle h_{2}" not in tex
    md = jobs.document(jobs.prepare(str(ROOT / "scenarios" / "sentiment.yaml"), readers="people"),
                       jobs.answers(jobs.prepare(str(ROOT / "scenarios" / "sentiment.yaml")), "all", False), "markdown")
    assert md.startswith("# Worksheet: sentiment: RNN") and md.count("# Worksheet") == 1
    assert "**Name:**" in md and "**Instructions.**" in md


def test_the_full_precision_note_is_on_the_solution_only():
    full = latex("sentiment", round_="off")
    assert "Full precision (--round off)" in full
    assert "Full precision" not in latex("sentiment", "blank", round_="off")
    assert "keeping full precision in your calculator" in latex("sentiment", "blank", round_="off")


def test_exact_mode_names_its_symbols_apart_from_the_notation():
    trace = jobs.prepare(str(ROOT / "scenarios" / "sentiment.yaml"), exact=True, notation="wi-wh-wo").trace
    assert trace.symbols and all(name.startswith("q_") for name in trace.symbols)
    plain = jobs.prepare(str(ROOT / "scenarios" / "sentiment.yaml"), exact=True).trace
    assert all(name.startswith("s_") for name in plain.symbols)
