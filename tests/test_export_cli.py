"""export and template: safe writing, formats from suffixes, blank selection, the answers template."""

from __future__ import annotations

import os

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace.networks.run import run
from bptt_trace.marking.blanks import answerable
from bptt_trace.cli import main
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.scenario.yaml_tree import Map, Scalar, Seq, read_yaml
from tests.conftest import ROOT

SENTIMENT = str(ROOT / "scenarios" / "sentiment.yaml")


def invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", [["export"], ["template"]])
def test_help(command):
    assert invoke(*command, "--help").exit_code == 0


def test_existing_file_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "w.md"
    out.write_text("keep me")
    result = invoke("export", SENTIMENT, "-o", str(out))
    assert result.exit_code == 2 and "already exists; use --force" in result.stderr
    assert out.read_text() == "keep me"
    assert invoke("export", SENTIMENT, "-o", str(out), "--force").exit_code == 0
    assert out.read_text().startswith("# Worksheet: sentiment")
    # the worksheet and its figures' SVG files, and no temporary file left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w-example-1.svg", "w-example-2.svg", "w.md"]


def test_written_file_has_the_usual_permissions(tmp_path):
    out = tmp_path / "w.md"
    assert invoke("export", SENTIMENT, "-o", str(out)).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("args,message", [
    (["-o", "/no/such/dir/w.md"], "the directory /no/such/dir does not exist"),
    (["-o", "w.docx"], "cannot tell the format from the suffix"),
    (["-o", "w.md", "--blank", "h[9]"], "'h[9]' is not a computed quantity"),
    (["-o", "w.md", "--blank", "h[2],dL/dz[3],W_hh_nwe"], "did you mean 'W_hh_new'?"),
])
def test_export_bad_input(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = invoke("export", SENTIMENT, *args)
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "w.md").exists()


def test_format_option_overrides_the_suffix(tmp_path):
    out = tmp_path / "sheet.txt"
    assert invoke("export", SENTIMENT, "-o", str(out), "--format", "latex").exit_code == 0
    assert out.read_text().startswith("\\documentclass")


def test_template_lists_every_answer_with_its_shape(tmp_path):
    out = tmp_path / "answers.yaml"
    result = invoke("template", SENTIMENT, "-o", str(out))
    assert result.exit_code == 0
    root = read_yaml(out)
    trace = run(load_scenario(SENTIMENT))
    assert isinstance(root, Map) and set(root.items) == {"scenario", "examples", "total", "updated"}
    examples = root.items["examples"].items
    assert list(examples) == ["1", "2"]
    names = set(answerable(trace))
    for k, answers in examples.items():
        assert set(answers.items) == {n for n in trace.names(int(k)) if n in names}
        for name, node in answers.items.items():
            assert _shape(node) == np.shape(trace.value(name, int(k))), name
    assert set(root.items["updated"].items) == {"W_xh", "W_hh", "b_h", "W_hy", "b_y"}


def test_template_forward_only_and_one_example(tmp_path):
    out = tmp_path / "a.yaml"
    assert invoke("template", SENTIMENT, "-o", str(out), "--blank", "forward", "--example", "2").exit_code == 0
    root = read_yaml(out)
    answers = root.items["examples"].items["2"].items
    assert "h[4]" in answers and "loss" in answers and not any(n.startswith("dL/") for n in answers)
    assert "updated" not in root.items and root.items["total"].items.keys() == {"loss"}


def _shape(node):
    if isinstance(node, Scalar):
        assert node.text == "~"
        return ()
    assert isinstance(node, Seq)
    inner = {_shape(n) for n in node.items}
    assert len(inner) == 1
    return (len(node.items),) + inner.pop()
