"""Small things a user trips on: `-o -`, the template's scenario line, options that have no effect,
the progress bar's colour, whole-phrase summaries and examples in --help, and clear refusals."""

from __future__ import annotations

import io
import re
import shlex

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.marking.blanks import answerable, is_forward, select
from bptt_trace.networks.run import run
from bptt_trace.watching import Watch
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_dash_writes_text_formats_to_stdout_and_no_file_named_dash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    md, tex = invoke("export", "sentiment", "-o", "-"), invoke("export", "sentiment", "-o", "-", "--format", "latex")
    assert md.exit_code == 0 and md.stdout.startswith("# Worksheet: sentiment") and md.stderr == ""
    assert tex.exit_code == 0 and tex.stdout.startswith("\\documentclass")
    invoke("export", "sentiment", "-o", "w.md", "--no-figures")  # standard output has no folder for the SVG figures
    assert (tmp_path / "w.md").read_text() == md.stdout
    answers = invoke("template", "sentiment", "-o", "-")
    assert answers.exit_code == 0 and 'scenario: "sentiment"' in answers.stdout
    svg = invoke("gradients", "sentiment", "-o", "-")
    assert svg.exit_code == 0 and svg.stdout.startswith("<svg") and svg.stdout.rstrip().endswith("</svg>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.md"]


def test_a_pdf_is_not_written_to_stdout():
    result = invoke("export", "sentiment", "-o", "-", "--format", "pdf")
    assert result.exit_code == 2 and "a PDF is not written to standard output" in result.stderr


@pytest.mark.parametrize("given", ["scenarios/sentiment.yaml", "sentiment", "./scenarios/../scenarios/sentiment.yaml"])
def test_template_writes_the_scenario_as_given(given, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("template", given, "-o", str(tmp_path / "a.yaml"))
    assert result.exit_code == 0
    text = (tmp_path / "a.yaml").read_text()
    assert f'\nscenario: "{given}"\n' in text and str(ROOT) not in text


@pytest.mark.parametrize("args, warning", [
    (["--digits", "4"], "--digits has no effect without --exact"),
    (["--round", "off", "--round-mode", "truncate"], "--round-mode has no effect without --round K"),
    (["--exact", "--round-mode", "truncate"], "--round-mode has no effect without --round K"),
])
def test_options_without_effect_say_so(args, warning):
    result = invoke("run", "sentiment", *args)
    assert result.exit_code == 0 and f"bptt-trace: warning: {warning}" in result.stderr


@pytest.mark.parametrize("args", [["--round", "3", "--round-mode", "truncate"], ["--exact", "--digits", "4"], []])
def test_options_with_effect_are_quiet(args):
    result = invoke("run", "sentiment", "--example", "2", *args)
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_a_scenario_with_display_round_gives_round_mode_an_effect(write):
    text = (ROOT / "scenarios" / "sentiment.yaml").read_text() + "display: {round: 3}\n"
    result = invoke("run", str(write(text)), "--round-mode", "truncate")
    assert result.exit_code == 0 and "warning" not in result.stderr


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("color, coloured", [(False, False), (True, True)])
def test_the_progress_bar_follows_no_color(color, coloured, monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    import time

    from bptt_trace import watching
    monkeypatch.setattr(watching, "SHOW_AFTER", 0)
    monkeypatch.setattr(watching, "POLL", 0.01)
    stderr = _Tty()
    with Watch("training", 500, stream=stderr, color=color) as watch:
        watch.update(250)
        time.sleep(0.2)
    out = capsys.readouterr()
    assert "training" in stderr.getvalue() and out.out == "" and out.err == ""
    assert bool(re.search(r"\x1b\[[0-9;]*m", stderr.getvalue())) == coloured


def test_top_level_help_gives_whole_summaries():
    lines = invoke("--help").stdout.split("Commands:\n", 1)[1].splitlines()
    summaries = dict(line.split(None, 1) for line in lines if line.strip())
    assert set(summaries) == {"check", "draw", "export", "gradients", "run", "scenarios", "template", "train",
                              "variants"}
    for name, text in summaries.items():
        assert text.endswith(".") and "..." not in text and len(text) <= 60, (name, text)


@pytest.mark.parametrize("command", ["run", "export", "check"])
def test_help_ends_with_examples_that_run(command, tmp_path, monkeypatch):
    text = invoke(command, "--help").stdout
    examples = [line.strip() for line in text.split("Examples:\n", 1)[1].splitlines() if line.strip()]
    assert len(examples) >= 2 and all(e.startswith("bptt-trace ") for e in examples)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "class").mkdir()
    invoke("template", "sentiment", "-o", "class/ada.yaml", "--blank", "forward")
    for example in examples:
        words = shlex.split(example.split(" > ")[0])[1:]
        words = [w for w in words if w != "class/*.yaml"] + (["class/ada.yaml"] if "class/*.yaml" in words else [])
        result = invoke(*words)
        assert result.exit_code == 0 and "Traceback" not in result.output, (example, result.output)


def test_an_answer_for_an_example_the_scenario_lacks_says_how_many_there_are(write):
    answers = write("example: 99\nanswers:\n  h[1]: [0.226, 0.309, 0.263]\n", "a.yaml")
    result = invoke("check", "sentiment", str(answers))
    assert result.exit_code == 0 and "there is no example 99: the scenario has only 2 examples" in result.stdout
    assert "not a quantity" not in result.stdout


def test_blank_keywords_and_names_combine():
    trace = run(load_scenario("sentiment"))
    everything = frozenset(answerable(trace))
    assert select(trace, "forward,backward") == everything == select(trace, "all")
    mixed = select(trace, "forward, dL/dW_hh")
    assert mixed == frozenset(n for n in everything if is_forward(n)) | {"dL/dW_hh"}
    with pytest.raises(ValueError, match="nothing to blank"):
        select(trace, ",")
    result = invoke("export", "sentiment", "-o", "-", "--blank", "forward,backward")
    assert result.exit_code == 0 and "error" not in result.stderr


def test_an_mlp_too_big_is_refused_in_an_mlps_words(write):
    wide = 4096
    text = ("name: big\nmodel: {cell: mlp, layers: [4096], output: sigmoid, loss: bce}\nparameters:\n"
            f"  W_1: {[[0, 0]] * wide}\n  b_1: {[0] * wide}\n  W_2: {[[0] * wide]}\n  b_2: [0]\n"
            "examples:\n  - {inputs: [0, 1], target: 1}\n")
    result = invoke("run", str(write(text)))
    assert result.exit_code == 2
    assert "examples: 1 example through hidden layers of size 4096 would store about" in result.stderr
    assert "hidden_size" not in result.stderr and "time step" not in result.stderr
