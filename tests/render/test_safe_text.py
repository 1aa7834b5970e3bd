"""Text from a file made safe wherever it lands: terminal, SVG, CSV, Markdown and LaTeX escaping."""

from __future__ import annotations

import csv
import io
import re
import xml.dom.minidom

from hypothesis import given, settings
from hypothesis import strategies as st

from bptt_trace.render.chart import svg_chart
from bptt_trace.render.safe_text import csv_cell, csv_writer, visible, xml_text
from bptt_trace.render.texmath import markdown_text, math, text

CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
HOSTILE = "\x1b[2J\x1b]0;owned\x07\x1b]8;;http://x\x1b\\link\x1b[1K\r\n\x9b31m\u2028\u202eA\x00\x7f"


@given(st.text())
def test_visible_leaves_no_control_character_and_is_idempotent(s):
    shown = visible(s)
    assert not CONTROLS.search(shown)
    assert visible(shown) == shown


def test_visible_shows_each_control_by_its_escape():
    assert visible("a\x1b[2Jb\x07\n\t\x9b\u2028é─") == "a\\x1b[2Jb\\x07\\n\\t\\x9b\\u2028é─"
    assert visible("plain text, 0.25 × 3") == "plain text, 0.25 × 3"


@given(st.text())
def test_xml_text_is_always_well_formed(s):
    doc = xml.dom.minidom.parseString(f'<a title="{xml_text(s)}">{xml_text(s)}</a>')
    assert doc.documentElement.firstChild is None or doc.documentElement.firstChild.data == visible(s)


def test_svg_chart_with_a_hostile_title_parses():
    svg = svg_chart(HOSTILE + "<&>", [1, 2, 3], {HOSTILE: [1.0, 0.1, 0.01]})
    texts = [t.firstChild.data for t in xml.dom.minidom.parseString(svg).getElementsByTagName("text")]
    assert visible(HOSTILE + "<&>") in texts and visible(HOSTILE) in texts


def test_csv_cells_that_a_spreadsheet_would_run_get_a_quote():
    for cell in ("=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(cell) == "'" + cell
    assert csv_cell("Ada") == "Ada" and csv_cell(3) == 3 and csv_cell("") == ""
    out = io.StringIO()
    csv_writer(out).writerow(["=1+1", 2, "Bob"])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=1+1", "2", "Bob"]]


@given(st.text())
def test_markdown_text_keeps_one_line_and_no_control_character(s):
    md = markdown_text(s)
    assert "\n" not in md and "\r" not in md and not CONTROLS.search(md)


def _balanced(tex: str) -> bool:
    depth = 0
    for m in re.finditer(r"\\.|[{}]", tex, re.S):
        depth += {"{": 1, "}": -1}.get(m.group(), 0)
        if depth < 0:
            return False
    return depth == 0


@settings(max_examples=300)
@given(st.text())
def test_tex_text_and_math_are_ascii_balanced_and_never_start_with_a_bracket(s):
    for tex in (text(s), math(s)):
        assert _balanced(tex), tex
        assert all(" " <= ch <= "~" or 0xA1 <= ord(ch) < 0x180 for ch in tex), tex
    assert not text(s).startswith("[") and "\n" not in text(s)


def test_tex_placeholders_and_scripts():
    assert text("爱\x1b") == "{[}U+7231{]}{[}U+001B{]}"
    assert text("a\n\nb") == "a  b"
    assert text("[love]") == "{[}love{]}"
    assert math("h^a^b") == "h^{a}{}^{b}"
    assert math("x_(a)_(b)") == "x_{a}{}_{b}"
    assert math("W_hh^T") == r"W_{\text{hh}}^{T}"
