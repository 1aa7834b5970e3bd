"""Marking a very large class in parts: the CSVs of split runs, merged, are the CSV of one run."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT

SCENARIO = str(ROOT / "scenarios" / "sentiment.yaml")


def sheets(tmp_path) -> list[str]:
    """Six submissions: right, with a slip in h[1], with a slip in the loss, and one without a name."""
    trace = run(load_scenario(SCENARIO))
    h = np.round(np.asarray(trace.value("h[1]", 1)), 3)
    texts = [f"student: s{i}\nanswers:\n  h[1]: {(h + (0.1 if i % 3 == 1 else 0)).tolist()}\n"
             f"  loss: {0.378 if i % 3 != 2 else 0.5}\n" for i in range(5)] + ["answers:\n  loss: 0.378\n"]
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"student{i}.yaml"
        path.write_text(text)
        paths.append(str(path))
    return paths


def merged(parts: list[str]) -> str:
    """What the README's merge does: the first file's header line, then every file's rows in order."""
    lines = [p.splitlines(keepends=True) for p in parts]
    return "".join(lines[0][:1] + [row for part in lines for row in part[1:]])


def test_the_merge_of_split_runs_equals_one_run(tmp_path):
    files = sheets(tmp_path)
    one = tmp_path / "one.csv"
    CliRunner().invoke(main, ["check", SCENARIO, *files, "--csv", str(one)])
    parts = []
    for k, group in enumerate((files[:2], files[2:5], files[5:])):
        out = tmp_path / f"part{k}.csv"
        CliRunner().invoke(main, ["check", SCENARIO, *group, "--csv", str(out)])
        parts.append(out.read_text())
    whole = one.read_text()
    assert whole.count("\n") == len(files) + 1 and all(p.count("\n") > 1 for p in parts)
    assert merged(parts) == whole
