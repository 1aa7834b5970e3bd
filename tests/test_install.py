"""Installed like a user installs it: build a wheel, install it into a fresh venv, run a bundled name from
an empty directory. Slow (a venv and its dependencies), so it runs in CI (`.ci/run` sets BPTT_CI=1) or
when BPTT_CI=1 is set by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not os.environ.get("BPTT_CI"), reason="builds and installs a wheel; set BPTT_CI=1")


def test_a_wheel_installed_elsewhere_runs_a_bundled_scenario(tmp_path):
    wheels, venv, elsewhere = tmp_path / "wheels", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(wheels)],
                   check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("bptt_trace-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True)
    run = subprocess.run([str(venv / "bin" / "bptt-trace"), "run", "sentiment", "--format", "json"],
                         cwd=elsewhere, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["scenario"] == "sentiment"
    listing = subprocess.run([str(venv / "bin" / "bptt-trace"), "scenarios"], cwd=elsewhere,
                             capture_output=True, text=True, check=True)
    assert len(listing.stdout.splitlines()) == 11
    copy = subprocess.run([str(venv / "bin" / "bptt-trace"), "scenarios", "copy", "xor"], cwd=elsewhere)
    assert copy.returncode == 0 and (elsewhere / "xor.yaml").read_bytes() == (ROOT / "scenarios" / "xor.yaml").read_bytes()
