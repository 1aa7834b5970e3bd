"""The bundled scenarios: shipped in the package, found by name, listed and copied without overwriting."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.errors import InputError
from bptt_trace.scenario.bundled import BUNDLED_DIR, bundled_names, bundled_path, resolve
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT

SHIPPED = ["birnn_sentiment", "exploding", "gru_sentiment", "i_love_ai", "lstm_long", "lstm_sentiment",
           "regression", "sentiment", "time_series", "vanishing", "xor"]


def test_the_scenarios_live_in_the_package_and_the_top_level_folder_points_there():
    assert BUNDLED_DIR == ROOT / "bptt_trace" / "scenarios"
    assert bundled_names() == SHIPPED
    assert (ROOT / "scenarios").resolve() == BUNDLED_DIR
    assert "scenarios/*.yaml" in (ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize("given", ["sentiment", "sentiment.yaml"])
def test_a_bare_name_resolves_to_the_bundled_file(given, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve(given) == BUNDLED_DIR / "sentiment.yaml"
    assert load_scenario(given).name == "sentiment"


def test_an_existing_file_wins_over_a_bundled_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sentiment.yaml").write_text((BUNDLED_DIR / "xor.yaml").read_text())
    assert resolve("sentiment.yaml") == Path("sentiment.yaml")
    assert load_scenario("sentiment.yaml").name == "xor"
    assert load_scenario("sentiment").name == "sentiment"  # no file named `sentiment` here


@pytest.mark.parametrize("given", ["../sentiment", "scenarios/sentiment.yaml", ".hidden", ""])
def test_paths_are_never_taken_for_names(given, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert bundled_path(given) is None
    with pytest.raises(InputError, match="no such file"):
        resolve(given or "x/")


def test_an_unknown_name_suggests_the_nearest_and_lists_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", "sentimnt"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "sentimnt: no such file, and not a bundled scenario (did you mean 'sentiment'?" in result.stderr
    assert "bundled: birnn_sentiment, exploding," in result.stderr


def test_run_by_name_from_another_directory_gives_the_same_output(tmp_path, monkeypatch):
    by_path = CliRunner().invoke(main, ["run", str(ROOT / "scenarios" / "xor.yaml"), "--format", "json"])
    monkeypatch.chdir(tmp_path)
    by_name = CliRunner().invoke(main, ["run", "xor", "--format", "json"])
    assert by_name.exit_code == 0 and by_name.output == by_path.output


def test_scenarios_lists_one_line_each_with_its_description():
    for args in (["scenarios"], ["scenarios", "list"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0
        lines = result.output.splitlines()
        assert [line.split()[0] for line in lines] == SHIPPED
        assert lines[SHIPPED.index("sentiment")] == (
            "sentiment        The lecture's worked example: a vanilla RNN with 3-dimensional word embeddings reads "
            "two sentences and predicts their sentiment; forward pass, full BPTT over both, one update.")


def test_copy_writes_name_yaml_and_never_overwrites_without_force(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["scenarios", "copy", "xor", str(tmp_path)])
    assert result.exit_code == 0 and f"wrote {tmp_path / 'xor.yaml'}" in result.stderr
    assert (tmp_path / "xor.yaml").read_bytes() == (BUNDLED_DIR / "xor.yaml").read_bytes()
    (tmp_path / "xor.yaml").write_text("mine")
    again = runner.invoke(main, ["scenarios", "copy", "xor", str(tmp_path)])
    assert again.exit_code == 2 and "already exists; use --force" in again.stderr
    assert (tmp_path / "xor.yaml").read_text() == "mine"
    forced = runner.invoke(main, ["scenarios", "copy", "xor", str(tmp_path), "--force"])
    assert forced.exit_code == 0 and (tmp_path / "xor.yaml").read_bytes() == (BUNDLED_DIR / "xor.yaml").read_bytes()


def test_copy_defaults_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["scenarios", "copy", "sentiment"]).exit_code == 0
    assert load_scenario(tmp_path / "sentiment.yaml").name == "sentiment"


@pytest.mark.parametrize("args, message", [
    (["xo"], "xo: not a bundled scenario (bundled: birnn_sentiment"),
    (["xor", "/no/such/dir"], "/no/such/dir: no such directory"),
])
def test_copy_refuses_clearly(args, message):
    result = CliRunner().invoke(main, ["scenarios", "copy", *args])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
