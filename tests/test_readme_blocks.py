"""The README is tested: every YAML block parses and loads as the kind of file it documents, every
command line it shows runs with its documented exit code, every option of its synopses exists, and its
Python example runs.

Command lines come from the ```sh blocks (one a line; a comment `# exit N` documents a non-zero exit
code) and from inline code that is a whole command (`bptt-trace run xor`, not `bptt-trace run` naming the
command). Installing (`pip install …`, `bash scripts/install-latex.sh`) is not repeated here: `.ci/run`
runs exactly the README's install and test commands.
"""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.marking.answers import TOP_KEYS as ANSWER_KEYS, load_answers
from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import ScenarioReader
from bptt_trace.scenario.yaml_tree import parse_yaml
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def fenced(language: str) -> list[str]:
    """The README's code blocks of one language ('' for blocks without one), read fence by fence."""
    blocks, current, lang = [], None, ""
    for line in README.splitlines(keepends=True):
        if line.startswith("```"):
            if current is None:
                current, lang = [], line[3:].strip()
            else:
                blocks += ["".join(current)] if lang == language else []
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def sh_blocks() -> list[list[tuple[str, int]]]:
    """Per ```sh block, (command, documented exit code) for each of its bptt-trace commands, in order."""
    out = []
    for block in fenced("sh"):
        commands = []
        for line in block.replace("\\\n", " ").splitlines():
            code, _, comment = line.partition("#")
            documented = re.match(r"\s*exit (\d)", comment)
            for part in code.split("&&"):
                if part.strip().startswith("bptt-trace"):
                    commands.append((part.strip(), int(documented.group(1)) if documented else 0))
        out.append(commands)
    return out


def inline_commands() -> list[str]:
    """Inline code that is a whole bptt-trace command line (an argument after the command, no placeholders)."""
    spans = re.findall(r"`(bptt-trace [^`]+)`", README)
    commands = {"run", "export", "template", "check", "gradients", "train", "scenarios", "variants", "draw"}
    return sorted({s for s in spans if s.split()[1:] and not set(s.split()[1:]) <= commands
                   and not re.search(r"[A-Z]{4,}|\[|…|\.\.\.", s)})


def test_every_yaml_block_loads_as_the_file_it_documents():
    kinds = []
    for i, block in enumerate(fenced("yaml"), start=1):
        root = parse_yaml(block, f"README yaml block {i}")
        if set(root.items) <= set(ANSWER_KEYS):
            submission = load_answers(f"README yaml block {i}", block)
            report = run_check(block)
            assert submission.answers and all(v.verdict not in ("unknown", "malformed") for v in report.verdicts)
            kinds.append("answers")
        elif set(root.items) == {"variants"}:  # a block of a scenario, shown alone: read as part of the sentiment one
            text = (ROOT / "scenarios" / "sentiment.yaml").read_text() + block
            scenario = ScenarioReader(f"README yaml block {i}").scenario(parse_yaml(text, f"README yaml block {i}"))
            assert scenario.variants is not None and scenario.variants.vary
            kinds.append("variants")
        else:
            scenario = ScenarioReader(f"README yaml block {i}").scenario(root)
            assert run(scenario).value("loss", 1) > 0
            kinds.append(scenario.model.cell)
    assert kinds == ["answers", "variants", "rnn", "mlp"]


def run_check(block: str):
    """The README's answers marked against the sentiment example."""
    from bptt_trace import jobs
    from bptt_trace.check_job import checker_for
    return checker_for(jobs.prepare("sentiment"), None)[0].check(load_answers("README answers", block))


def test_the_readme_shows_command_lines_and_documents_an_error_exit():
    commands = [c for block in sh_blocks() for c in block]
    assert ("bptt-trace run scenarios/sentiment.yaml", 0) in commands
    assert {code for _, code in commands} == {0, 1, 2}
    assert "bptt-trace run xor" in inline_commands() and "bptt-trace --version" in inline_commands()


def invoke_in(tmp_path, command: str):
    """A README command line run in an empty directory beside a link to the repository's scenarios."""
    if not (tmp_path / "scenarios").exists():
        (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.exception is None or isinstance(result.exception, SystemExit), (command, result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("block", [i for i, commands in enumerate(sh_blocks()) if commands])
def test_every_sh_command_runs_with_its_documented_exit_code(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command, code in sh_blocks()[block]:  # in order: a later line may use what an earlier one wrote
        result = invoke_in(tmp_path, command)
        assert result.exit_code == code, (command, result.output)


@pytest.mark.parametrize("command", inline_commands())
def test_every_inline_command_line_runs(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke_in(tmp_path, command).exit_code == 0


def synopses() -> list[tuple[str, set[str]]]:
    """(command, options) of each synopsis in the blocks without a language."""
    out = []
    for block in fenced(""):
        text = block.replace("\n ", " ")
        for match in re.finditer(r"^bptt-trace (\w+)(.*?)(?=^bptt-trace |\Z)", text, re.S | re.M):
            options = set(re.findall(r"--[a-z][a-z-]*", match.group(2)))
            out.append((match.group(1), options))
    return out


@pytest.mark.parametrize("command, options", synopses())
def test_every_option_in_a_synopsis_exists(command, options):
    help_text = CliRunner().invoke(main, [command, "--help"]).stdout
    known = set(re.findall(r"--[a-z][a-z-]*", help_text))
    if command == "export":
        known |= {"--color", "--width"}  # named in export's synopsis as options of run it does not take
    assert options and options <= known, options - known


def test_the_python_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (block,) = fenced("python")
    namespace: dict = {}
    exec(compile(block, "README python block", "exec"), namespace)  # the README's own code, nothing else
    assert namespace["marking"].verdicts == {"h[1] (example 1)": "correct"}
    assert namespace["flow"].reading == "vanishing" and namespace["md"].startswith("# Worksheet: sentiment")
