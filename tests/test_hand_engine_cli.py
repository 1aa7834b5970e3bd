"""What people and programs get from the fast hand engine is byte for byte what the Decimal engine gives:
`run` to a terminal, `--format json` (hand-rounded), Markdown and LaTeX worksheets, answer keys and checks."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from tests.conftest import ROOT
from tests.record.hand_twins import ENGINE

CASES = [("sentiment", ()), ("lstm_sentiment", ("--round", "2")), ("gru_sentiment", ("--round-mode", "truncate")),
         ("birnn_sentiment", ("--round", "4")), ("xor", ("--round", "1")), ("regression", ()),
         ("vanishing", ("--round", "3", "--round-mode", "truncate")), ("i_love_ai", ("--round", "0")),
         ("i_love_ai", ())]  # --round 0: a fault (the log of 0), the same message from either engine


def _outputs(monkeypatch, tmp_path, engine: str, name: str, options: tuple) -> list:
    monkeypatch.setenv(ENGINE, engine)
    path = str(ROOT / "scenarios" / f"{name}.yaml")
    runner, out = CliRunner(), []
    for args in (["run", path, "--width", "100", "--no-color"], ["run", path, "--format", "json"],
                 ["run", path, "--full", "--width", "120", "--no-color"]):
        res = runner.invoke(main, args + list(options))
        out.append((res.exit_code, res.output))
    where = tmp_path / (engine or "fast")
    where.mkdir()
    monkeypatch.chdir(where)  # the same relative file names, so that the "wrote …" lines match too
    for fmt in ("md", "tex"):
        res = runner.invoke(main, ["export", path, "-o", f"{name}.{fmt}", "--answer-key"] + list(options))
        made = where / f"{name}.{fmt}"
        out.append((res.exit_code, res.output, made.read_text() if made.exists() else None))
    return out


@pytest.mark.parametrize("name,options", CASES, ids=[c[0] + "".join(c[1]) for c in CASES])
def test_the_cli_prints_the_same_bytes_with_either_engine(name, options, monkeypatch, tmp_path):
    slow = _outputs(monkeypatch, tmp_path, "decimal", name, options)
    fast = _outputs(monkeypatch, tmp_path, "", name, options)
    assert [o[0] for o in slow] == [o[0] for o in fast]
    for a, b in zip(slow, fast):
        assert a == b


def test_json_of_a_hand_calculation_is_the_same(monkeypatch):
    path = str(ROOT / "scenarios" / "time_series.yaml")
    outs = []
    for engine in ("decimal", ""):
        monkeypatch.setenv(ENGINE, engine)
        res = CliRunner().invoke(main, ["run", path, "--format", "json", "--round", "3", "--indent", "1"])
        assert res.exit_code == 0, res.output
        outs.append(res.output)
    assert outs[0] == outs[1]


def test_a_long_sequence_prints_the_same_bytes_with_either_engine(monkeypatch, tmp_path):
    """60 steps: the gradients' sums take their deferred contributions in one go, the elided view shows
    a few of them, --full and JSON every one; each the Decimal engine's bytes."""
    import sys
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from terminal_output import scenario_text
    path = tmp_path / "long.yaml"
    path.write_text(scenario_text(60, hidden=3, inputs=2, seed=4))
    outs = []
    for engine in ("decimal", ""):
        monkeypatch.setenv(ENGINE, engine)
        runs = [CliRunner().invoke(main, ["run", str(path), "--width", "100", "--no-color"] + extra)
                for extra in ([], ["--full"], ["--format", "json"], ["--round", "2", "--round-mode", "truncate"])]
        assert all(r.exit_code == 0 for r in runs), [r.output[-300:] for r in runs]
        outs.append([r.output for r in runs])
    assert "not shown" in outs[1][0] and outs[0] == outs[1]
