"""The unrolled picture: well-formed SVG with a labelled text for every quantity of the example,
values equal to the trace at display precision, hostile text escaped, the LaTeX figure compiling
with no overfull box, truncation cuts, clipping, paths, elision, the `draw` command, a golden SVG."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.networks.run import run
from bptt_trace.render.numfmt import NumberFormat
from bptt_trace.render.unrolled_view import unrolled_svg
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT
from tests.render.test_documents import pdflatex

NS = "{http://www.w3.org/2000/svg}"
FMT = NumberFormat(3)


def texts(svg: str) -> dict[str, str]:
    """Each named text's value, entries of a column vector or matrix joined by `;`."""
    out: dict[str, list[str]] = {}
    for t in ET.fromstring(svg).iter(f"{NS}text"):
        name = t.get("data-name")
        if not name:
            continue
        value = "".join(s.text or "" for s in t.iter(f"{NS}tspan") if s.get("class") == "value")
        out.setdefault(name.split("#")[0], []).append(value)
    return {k: ";".join(v for v in vs if v) for k, vs in out.items()}


def expected(value) -> str:
    """The value as the picture writes it, formatted independently here."""
    v = np.asarray(value, dtype=float)
    if v.ndim == 0:
        return FMT(float(v))
    if v.ndim == 1:
        return "[" + FMT(v[0]) + "]" if len(v) == 1 else ";".join(FMT(x) for x in v)
    return ";".join("[" + ", ".join(FMT(x) for x in row) + "]" for row in v)


def trace_of(name: str, **changes):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    return run(sc._replace(**changes) if changes else sc, examples=[1])


QUANTITIES = {
    "sentiment": ["h[0]", "dL/dh[0]", "loss", "y_hat[6]", "o[6]", "dL/do[6]"] +
                 [f"{q}[{t}]" for t in range(1, 7) for q in ("x", "z", "h", "dL/dh", "dh/dz", "dL/dz", "dL/dW_hh", "dL/dx")],
    "lstm_sentiment": ["h[0]", "c[0]", "loss", "y_hat[6]"] +
                      [f"{q}[{t}]" for t in range(1, 7) for q in ("x", "f", "i", "c_tilde", "o_gate", "c", "tanh_c", "h",
                                                                   "dL/dh", "dL/dc", "dL/dz_f", "dL/dz_o", "dL/dU_f")],
    "gru_sentiment": ["h[0]", "loss"] + [f"{q}[{t}]" for t in range(1, 7)
                                         for q in ("x", "u", "r", "h_tilde", "h", "dL/dh", "dL/dz_u", "dL/dU_h")],
    "birnn_sentiment": ["h_fw[0]", "h_bw[7]", "h[6]", "dL/dh[6]", "loss"] +
                       [f"{q}[{t}]" for t in range(1, 7) for q in ("x", "h_fw", "h_bw", "z_fw", "dL/dh_fw", "dL/dh_bw",
                                                                    "dL/dW_hh_fw", "dL/dW_hh_bw")],
    "xor": ["x", "z[1]", "h[1]", "o", "y_hat", "loss", "dL/dh[1]", "dL/dz[1]", "dL/do", "dL/dW_1", "dL/dW_2"],
    "time_series": ["loss"] + [f"{q}[{t}]" for t in range(1, 5) for q in ("h", "y_hat", "loss", "dL/do", "dL/dh")],
}


@pytest.mark.parametrize("scenario", list(QUANTITIES))
def test_the_svg_is_well_formed_and_shows_every_quantity_at_display_precision(scenario):
    trace = trace_of(scenario)
    shown = texts(unrolled_svg(trace, 1, fmt=FMT))
    for name in QUANTITIES[scenario]:
        assert name in shown, f"{scenario}: no text for {name}"
        assert shown[name] == expected(trace.value(name, 1)), name
    for name, value in shown.items():  # and everything drawn is the trace's
        if trace.has(name, 1):
            assert value == expected(trace.value(name, 1)), name


def test_blank_phase_and_compact_pictures():
    trace = trace_of("sentiment")
    blank = texts(unrolled_svg(trace, 1, hide=lambda name: True))
    assert all(set(v) <= set("_;[]") for v in blank.values()) and "h[3]" in blank
    forward = texts(unrolled_svg(trace, 1, phase="forward"))
    assert "h[3]" in forward and not any(n.startswith("dL/") for n in forward)
    backward = texts(unrolled_svg(trace, 1, phase="backward"))
    assert "dL/dz[3]" in backward and "z[3]" not in backward
    compact = texts(unrolled_svg(trace, 1, compact=True))
    assert {"h[3]", "dL/dh[3]", "y_hat[6]", "loss"} <= set(compact) and "z[3]" not in compact
    with pytest.raises(ValueError):
        unrolled_svg(trace, 1, phase="sideways")


def test_hostile_names_and_words_are_escaped(tmp_path):
    text = (ROOT / "scenarios" / "sentiment.yaml").read_text()
    text = text.replace("name: sentiment", 'name: "<script>alert(1)</script> & \\\\input{/etc/passwd}"')
    text = text.replace("  i:       [0.1, 0.2, 0.3]", '  i: [0.1, 0.2, 0.3]\n  "<b>&amp;\'</b>": [0.1, 0.2, 0.3]').replace(
        "text: i love this book its amazing", 'text: "<b>&amp;\'</b> love this book its amazing"')
    path = tmp_path / "s.yaml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["draw", str(path), "-o", str(tmp_path / "p.svg")])
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "p.svg").read_text()
    root = ET.fromstring(svg)  # well-formed despite the text
    assert "<script" not in svg and "<b>" not in svg
    words = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert any("<script>alert(1)</script> & \\input{/etc/passwd}" in w for w in words)
    assert any('"<b>&amp;\'</b>"' in w for w in words)
    result = CliRunner().invoke(main, ["export", str(path), "-o", str(tmp_path / "w.tex")])
    assert result.exit_code == 0, result.output
    tex = (tmp_path / "w.tex").read_text()
    assert r"\input{/etc" not in tex
    proc = pdflatex(tmp_path, tex)
    assert proc.returncode == 0


@pytest.mark.parametrize("scenario,options", [("sentiment", []), ("sentiment", ["--blank"]),
                                              ("lstm_sentiment", []), ("gru_sentiment", ["--blank", "backward"]),
                                              ("birnn_sentiment", []), ("xor", []), ("vanishing", [])])
def test_the_worksheet_with_its_figures_compiles_with_no_overfull_box(tmp_path, scenario, options):
    result = CliRunner().invoke(main, ["export", str(ROOT / "scenarios" / f"{scenario}.yaml"), "-o",
                                       str(tmp_path / "w.tex"), *options])
    assert result.exit_code == 0, result.output
    tex = (tmp_path / "w.tex").read_text()
    assert tex.count(r"\begin{picture}") == len(load_scenario(ROOT / "scenarios" / f"{scenario}.yaml").examples)
    figures = re.findall(r"\\begin\{center\}\n\\resizebox.*?\\end\{center\}", tex, re.S)
    head, tail = tex.split(r"\begin{document}")[0], r"\end{document}"
    proc = pdflatex(tmp_path, head + "\\begin{document}\n" + "\n".join(figures) + "\n" + tail)  # the figures alone
    assert proc.returncode == 0, [line for line in proc.stdout.splitlines() if line.startswith("!")]
    assert "Overfull" not in (tmp_path / "w.log").read_text(errors="replace")
    if not options and scenario == "sentiment":  # and the whole worksheet, which had none before
        proc = pdflatex(tmp_path, tex)
        assert proc.returncode == 0 and "Overfull" not in (tmp_path / "w.log").read_text(errors="replace")


def test_truncation_cuts_and_clipping_are_shown():
    trace = trace_of("sentiment", truncate=2)
    svg = unrolled_svg(trace, 1)
    root = ET.fromstring(svg)
    assert len([p for p in root.iter(f"{NS}path") if p.get("class") == "cut"]) == 1  # the chain of loss 6 at t=4
    assert any("cut (loss 6)" in "".join(t.itertext()) for t in root.iter(f"{NS}text"))
    assert texts(svg)["dL/dh[3]"] == expected(np.zeros(3))  # nothing flows back past the cut
    clipped = trace_of("exploding")
    note = texts(unrolled_svg(clipped, 1))["clip_factor"]
    assert FMT(clipped.value("clip_factor")) in note and "clip factor" in "".join(
        "".join(t.itertext()) for t in ET.fromstring(unrolled_svg(clipped, 1)).iter(f"{NS}text"))


def test_long_sequences_are_elided_unless_full():
    trace = trace_of("vanishing")
    short, full = texts(unrolled_svg(trace, 1)), texts(unrolled_svg(trace, 1, full=True))
    assert {"h[3]", "h[48]", "h[50]"} <= set(short) and "h[4]" not in short and "h[47]" not in short
    assert {f"h[{t}]" for t in range(1, 51)} <= set(full)
    assert "t = 4 … 47" in unrolled_svg(trace, 1)


def test_paths_are_highlighted_with_their_values(tmp_path):
    from bptt_trace.analysis.paths import chain_paths
    trace = trace_of("sentiment")
    report = chain_paths(trace, "W_hh", (0, 1), [1])
    svg = unrolled_svg(trace, 1, report=report)
    root = ET.fromstring(svg)
    assert len([p for p in root.iter(f"{NS}polyline") if "path" in p.get("class")]) == 6
    shown = texts(svg)
    for n, p in enumerate(report.examples[0].paths, 1):
        assert shown[f"path[{n}]"] == FMT(p.value, 1)
    assert FMT(report.examples[0].bptt, 1) in shown["paths"] and "they agree" in "".join(
        "".join(t.itertext()) for t in root.iter(f"{NS}text"))
    result = CliRunner().invoke(main, ["draw", str(ROOT / "scenarios" / "lstm_sentiment.yaml"), "-o",
                                       str(tmp_path / "p.svg"), "--paths", "W_hh"])
    assert result.exit_code == 2 and "vanilla RNN" in result.output


def test_draw_writes_each_format_and_refuses_what_it_cannot(tmp_path, monkeypatch):
    scenario = str(ROOT / "scenarios" / "sentiment.yaml")
    for suffix, magic in ((".svg", b"<svg"), (".pdf", b"%PDF"), (".png", b"\x89PNG"), (".tex", b"\\documentclass")):
        out = tmp_path / f"p{suffix}"
        result = CliRunner().invoke(main, ["draw", scenario, "-o", str(out), "--example", "2"])
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(magic)
    result = CliRunner().invoke(main, ["draw", scenario, "-o", str(tmp_path / "p.svg")])
    assert result.exit_code == 2 and "--force" in result.output
    result = CliRunner().invoke(main, ["draw", scenario, "-o", str(tmp_path / "b.svg"), "--blank"])
    shown = texts((tmp_path / "b.svg").read_text())
    assert shown["x[1]"] == "0.1;0.2;0.3" and set(shown["h[1]"]) <= set("_;") and set(shown["dL/dz[2]"]) <= set("_;")
    result = CliRunner().invoke(main, ["draw", scenario, "-o", str(tmp_path / "p.gif")])
    assert result.exit_code == 2 and ".svg" in result.output
    result = CliRunner().invoke(main, ["draw", scenario, "-o", str(tmp_path / "q.svg"), "--example", "9"])
    assert result.exit_code == 2 and "--example" in result.output
    monkeypatch.setattr("bptt_trace.drawing.TEX_LIMIT", 500)  # TeX's largest dimension, made small
    result = CliRunner().invoke(main, ["draw", scenario, "-o", str(tmp_path / "big.pdf")])
    assert result.exit_code == 2 and "more than LaTeX can draw" in result.output
    monkeypatch.undo()
    monkeypatch.setattr("shutil.which", lambda name: None if name == "pdftoppm" else "/usr/bin/" + name)
    result = CliRunner().invoke(main, ["draw", scenario, "-o", str(tmp_path / "q.png")])
    assert result.exit_code == 1 and "poppler-utils" in result.output and not (tmp_path / "q.png").exists()


def test_markdown_export_links_its_figures_and_never_overwrites_them(tmp_path):
    scenario = str(ROOT / "scenarios" / "sentiment.yaml")
    (tmp_path / "w-example-2.svg").write_text("mine")
    result = CliRunner().invoke(main, ["export", scenario, "-o", str(tmp_path / "w.md")])
    assert result.exit_code == 2 and "w-example-2.svg" in result.output and not (tmp_path / "w.md").exists()
    assert (tmp_path / "w-example-2.svg").read_text() == "mine"
    result = CliRunner().invoke(main, ["export", scenario, "-o", str(tmp_path / "w.md"), "--force"])
    assert result.exit_code == 0
    md = (tmp_path / "w.md").read_text()
    assert "![The unrolled network of example 1](w-example-1.svg)" in md
    ET.fromstring((tmp_path / "w-example-2.svg").read_text())
    result = CliRunner().invoke(main, ["export", scenario, "-o", str(tmp_path / "n.md"), "--no-figures"])
    assert result.exit_code == 0 and ".svg" not in (tmp_path / "n.md").read_text()
    assert not (tmp_path / "n-example-1.svg").exists()


def test_the_golden_sentiment_picture(tmp_path):
    """examples/sentiment-unrolled.svg is what `draw` writes today (BPTT_REGENERATE_GOLDEN=1 rewrites it);
    the README shows it."""
    out = tmp_path / "s.svg"
    result = CliRunner().invoke(main, ["draw", str(ROOT / "scenarios" / "sentiment.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    golden = ROOT / "examples" / "sentiment-unrolled.svg"
    if os.environ.get("BPTT_REGENERATE_GOLDEN") == "1":
        golden.write_text(out.read_text())
    assert golden.read_text() == out.read_text(), "regenerate with BPTT_REGENERATE_GOLDEN=1 pytest tests/render"
    assert "(examples/sentiment-unrolled.svg)" in (ROOT / "README.md").read_text()
