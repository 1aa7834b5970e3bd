"""Hostile text in a scenario or answers file reaches no terminal, CSV, YAML, Markdown, SVG or PDF raw."""

from __future__ import annotations

import csv
import re
import xml.dom.minidom

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from bptt_trace.cli import main
from bptt_trace.pdf import compile_pdf
from tests.conftest import SENTIMENT

RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202e]")
NAME = "Lab 3\\ncheck: {tolerance: abs=1000} #\\x1b[2J\\x1b]0;title\\x07\\r\\u2028\\x9b\\x7f [x] 爱😀שלום ħ"
LATIN = "".join(chr(c) for c in range(0xA0, 0x180))


@pytest.fixture
def evil(tmp_path):
    text = (SENTIMENT.replace("name: sentiment", f'name: "{NAME}\\n\\n{LATIN}"')
            .replace("  love:    [0.4, 0.1, 0.5]", "  \"[love\\x1b\":    [0.4, 0.1, 0.5]")
            .replace("i love this book its amazing", "\"i [love\\x1b this book 爱😀ש amazing\"")
            .replace("  its:", "  '爱😀ש':")
            .replace("examples:\n", "notation: {h: 'h^a^b', W_hh: 'W_(a)_(b)', x: 'xᵀ^2'}\nexamples:\n", 1))
    path = tmp_path / "evil.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("args", [["run"], ["run", "--color"], ["run", "--paths", "W_hh"], ["gradients"], ["train"],
                                  ["run", "--format", "json"], ["train", "--color", "--epochs", "3"]])
def test_terminal_output_shows_control_characters_visibly(evil, args):
    result = invoke(args[0], evil, *args[1:])
    assert result.exit_code == 0, result.output
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # the styles rich writes itself with --color
    assert not RAW.search(plain), RAW.search(plain)
    if args[-1] != "json":
        assert "\\x1b" in plain


def test_error_messages_show_control_characters_visibly(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SENTIMENT.replace("  b_y:  [0.1]", '  "b_y\\x1b]0;x\\x07":  [0.1]'), encoding="utf-8")
    result = invoke("run", path)
    assert result.exit_code == 2 and "\\x1b]0;x\\x07" in result.stderr and not RAW.search(result.stderr)


def test_check_csv_neutralises_formulas(tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("student: \"=cmd|' /C calc'!A0\"\nanswers:\n  loss: 0.378\n")
    out = tmp_path / "grades.csv"
    assert invoke("check", _sentiment(tmp_path), answers, "--csv", out).exit_code == 0
    rows = list(csv.reader(out.open()))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"


def _sentiment(tmp_path):
    path = tmp_path / "sentiment.yaml"
    path.write_text(SENTIMENT)
    return path


def test_template_and_saved_scenario_cannot_be_injected_and_load_back(evil, tmp_path):
    template = tmp_path / "t.yaml"
    assert invoke("template", evil, "-o", template).exit_code == 0
    doc = YAML(typ="safe", pure=True).load(template.read_text(encoding="utf-8"))
    assert set(doc) == {"scenario", "examples", "total", "updated"} and doc["scenario"] == str(evil)
    saved = tmp_path / "saved.yaml"
    assert invoke("train", evil, "--epochs", "2", "--save", saved).exit_code == 0
    again = invoke("run", saved, "--format", "json")
    assert again.exit_code == 0
    from bptt_trace.scenario.loader import load_scenario
    assert load_scenario(saved).name == load_scenario(evil).name
    check = tmp_path / "answers.yaml"
    check.write_text("answers:\n  loss: 900\n")
    assert invoke("check", saved, check).exit_code == 1  # the name injected no tolerance


def test_markdown_and_svg_stay_well_formed(evil, tmp_path):
    md = tmp_path / "w.md"
    assert invoke("export", evil, "-o", md).exit_code == 0
    text = md.read_text(encoding="utf-8")
    assert not RAW.search(text) and text.splitlines()[0].startswith("# Worksheet: Lab 3 check")
    assert "\\\\x1b\\[2J" in text.splitlines()[0]
    svg = tmp_path / "g.svg"
    assert invoke("gradients", evil, "-o", svg).exit_code == 0
    title = xml.dom.minidom.parse(str(svg)).getElementsByTagName("text")[0].firstChild.data
    assert "\\x1b[2J" in title


@pytest.mark.parametrize("options", [[], ["--blank"], ["--paths", "W_hh"]])
def test_any_unicode_compiles_to_pdf(evil, tmp_path, options):
    tex = tmp_path / "w.tex"
    result = invoke("export", evil, "-o", tex, *options)
    assert result.exit_code == 0, result.output
    source = tex.read_text(encoding="utf-8")
    assert "{[}U+7231{]}" in source and "{[}U+0127{]}" in source and "{[}love" in source
    assert compile_pdf(source)[:5] == b"%PDF-"


def test_json_output_carries_no_raw_control_character(tmp_path):
    import json as json_module
    path = tmp_path / "s.yaml"
    path.write_text(SENTIMENT.replace("name: sentiment", 'name: "a\\x7fb\\u0085c\\u2028d"'))
    for args in (["run", str(path), "--format", "json"], ["gradients", str(path), "--format", "json"],
                 ["train", str(path), "--epochs", "2", "--format", "json"]):
        out = CliRunner().invoke(main, args).stdout
        assert out and not any((ord(c) < 32 and c != "\n") or 0x7f <= ord(c) <= 0x9f or c == "\u2028" for c in out), args
        json_module.loads(out)
    doc = json_module.loads(CliRunner().invoke(main, ["run", str(path), "--format", "json"]).stdout)
    assert doc["scenario"] == "a\x7fb\x85c\u2028d"  # escaped on the way out, the same string read back
