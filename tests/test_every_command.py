"""Every command, in every format, on every shipped scenario: exit 0 (or the documented refusal), no traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.scenario.bundled import bundled_names

MLPS = {"xor", "regression"}
COMMANDS = {
    "run terminal": ["run", "{s}", "--width", "100"],
    "run json": ["run", "{s}", "--format", "json"],
    "export markdown": ["export", "{s}", "-o", "{tmp}/w.md"],
    "export latex": ["export", "{s}", "-o", "{tmp}/w.tex", "--blank", "forward"],
    "export stdout": ["export", "{s}", "-o", "-", "--answer-key"],
    "template": ["template", "{s}", "-o", "{tmp}/a.yaml"],
    "check terminal": ["check", "{s}", "{tmp}/a.yaml"],
    "check json": ["check", "{s}", "{tmp}/a.yaml", "--format", "json"],
    "check markdown": ["check", "{s}", "{tmp}/a.yaml", "--format", "markdown"],
    "gradients terminal": ["gradients", "{s}"],
    "gradients json": ["gradients", "{s}", "--format", "json", "-o", "{tmp}/flow.svg"],
    "train terminal": ["train", "{s}", "--epochs", "3", "--trace-epoch", "2", "--no-color"],
    "train json": ["train", "{s}", "--epochs", "2", "--update", "example", "--format", "json"],
}


def _invoke(args: list[str]):
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    return result


@pytest.mark.parametrize("scenario", bundled_names())
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_runs_on_every_shipped_scenario(command, scenario, tmp_path):
    if command.startswith("check"):
        assert _invoke(["template", scenario, "-o", str(tmp_path / "a.yaml")]).exit_code == 0
    args = [a.format(s=scenario, tmp=tmp_path) for a in COMMANDS[command]]
    result = _invoke(args)
    if command.startswith("gradients") and scenario in MLPS:
        assert result.exit_code == 2
        assert "no gradient" in result.stderr or "mlp" in result.stderr.lower(), result.stderr
        return
    assert result.exit_code == 0, result.stderr
    written = {"export markdown": ("w.md", "# Worksheet"), "export latex": ("w.tex", "\\documentclass"),
               "template": ("a.yaml", "# Answers for the scenario"), "gradients json": ("flow.svg", "<svg")}
    if command in written:
        name, start = written[command]
        assert (tmp_path / name).read_text().startswith(start)
    if command != "export markdown" and command != "export latex" and command != "template":
        assert result.stdout.strip(), "nothing printed"
    if command == "export stdout":
        assert result.stdout.startswith("# Worksheet") and not (tmp_path / "-").exists()
