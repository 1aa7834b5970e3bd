"""Fuzzing the loader and the engine: shipped scenarios mutated at random exit 0 or 2, never with a
traceback, each within a bounded time, all within bounded memory.

The cases come from a fixed seed, so a failure is reproducible; `mutate` makes one to four edits.
"""

from __future__ import annotations

import random
import resource
import time

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
CASES = 200
SECONDS_PER_CASE = 20
MEMORY_GROWTH_KB = 1_500_000
ODD = ["1e308", "-1e308", "1e-320", "nan", ".inf", "0", "-0", "1/0", "٣", "²", "1e400", "9" * 59, "1/3",
       "~", "[]", "{}", "[[]]", "''", "\"\\x1b[2J\"", "&a", "*a", "!!python/object:os.system", "- x", "true",
       "99999", "-1", "2147483648", "0.5", "'\\u2028'", "x: y", "\u202e", "\x00", "\x7f"]


def mutate(text: str, rng: random.Random) -> str:
    """One to four random edits: a value replaced, a line dropped, doubled or moved, bytes flipped, the end cut."""
    lines = text.splitlines()
    for _ in range(rng.choice((1, 1, 2, 4))):
        i = rng.randrange(len(lines))
        kind = rng.choice((0, 1, 2, 3, 4, 5, 6, 6, 6, 6))
        if kind == 0 and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {rng.choice(ODD)}"
        elif kind == 1:
            del lines[i]
        elif kind == 2:
            lines.insert(i, lines[i])
        elif kind == 3:
            lines.insert(rng.randrange(len(lines)), lines.pop(i))
        elif kind == 4 and lines[i]:
            j = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:j] + rng.choice("[]{},:-#&*!|>'\"\t\x1b0123456789 \u00e9") + lines[i][j + 1:]
        elif kind == 5:
            lines = lines[:i]
        else:
            import re
            lines[i] = re.sub(r"\d+(\.\d+)?", lambda m: rng.choice(ODD[:12] + [m.group() * 3, f"-{m.group()}",
                                                                                  f"{m.group()}e30", "12"]),
                              lines[i], count=1)
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


OPTIONS = [[], [], ["--round", "3"], ["--format", "json"], ["--paths", "W_hh"], ["--round", "0"], ["--full"]]


def test_mutated_scenarios_exit_cleanly_in_bounded_time_and_memory(tmp_path):
    rng = random.Random(14)
    runner = CliRunner()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    codes = {0: 0, 2: 0}
    for case in range(CASES):
        source = rng.choice(SCENARIOS)
        path = tmp_path / f"case{case}.yaml"
        path.write_text(mutate(source.read_text(), rng), encoding="utf-8")
        small = source.stem in ("sentiment", "xor", "i_love_ai", "regression")
        options = rng.choice(OPTIONS + ([["--exact"]] if small else []))
        command = rng.choice([["run"]] * 6 + [["export", "-o", str(tmp_path / "w.md"), "--force"],
                                              ["export", "-o", str(tmp_path / "w.tex"), "--force"],
                                              ["template", "-o", str(tmp_path / "t.yaml"), "--force"],
                                              ["train", "--epochs", "3"], ["gradients"]])
        options = options if command[0] in ("run", "export") else []
        start = time.monotonic()
        result = runner.invoke(main, [command[0], str(path), *command[1:], *options])
        elapsed = time.monotonic() - start
        detail = f"case {case} from {source.name}: {command[0]} {options}: {result.output[-500:]}"
        assert result.exit_code in (0, 2), detail
        assert result.exception is None or isinstance(result.exception, SystemExit), (detail, result.exc_info)
        assert "Traceback" not in result.output, detail
        assert elapsed < SECONDS_PER_CASE, detail
        codes[result.exit_code] += 1
        path.unlink()
    assert codes[0] > 10 and codes[2] > 10, codes  # the mutations reach both the engine and the loader's errors
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < MEMORY_GROWTH_KB


def test_training_a_regression_scenario_prints_no_accuracy_column():  # found by fuzzing the commands
    result = CliRunner().invoke(main, ["train", str(ROOT / "scenarios" / "regression.yaml"), "--epochs", "3"])
    assert result.exit_code == 0, result.output
    assert "Loss per epoch" in result.stdout and "correct" not in result.stdout
