"""The float64 twin computed in a forked process gives the drift computed in this process, bit for bit;
its faults, failures and interruptions are handled as the brief asks: reported, recomputed, reaped."""

from __future__ import annotations

import os
import signal
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace import jobs, twin
from bptt_trace.cli import main
from bptt_trace.cores import can_fork
from bptt_trace.errors import ArithmeticFault
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not can_fork(), reason="the twin is forked only on Linux")

NAMES = ["sentiment", "lstm_sentiment", "gru_sentiment", "birnn_sentiment", "xor", "regression", "i_love_ai",
         "time_series"]


def _bits(rows) -> list:
    return [(r.name, r.example, r.max_abs, r.at, np.asarray(r.full, dtype=float).tobytes(),
             [str(v) for v in np.asarray(r.hand, dtype=object).ravel()]) for r in rows]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mode", ["round", "truncate"])
def test_the_drift_of_a_twin_apart_is_the_drift_of_one_here(name, mode, monkeypatch):
    path = str(ROOT / "scenarios" / f"{name}.yaml")
    jobs_by = {}
    for where in ("here", "apart"):
        monkeypatch.setenv(twin.FORCE, where)
        jobs_by[where] = jobs.prepare(path, round_=2, round_mode=mode, readers="people")
    assert jobs_by["apart"].drift and _bits(jobs_by["apart"].drift) == _bits(jobs_by["here"].drift)


def _long_scenario(tmp_path, steps: int = 300) -> str:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from terminal_output import scenario_text
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    path = tmp_path / "long.yaml"
    path.write_text(scenario_text(steps, hidden=5, inputs=3, seed=4))
    return str(path)


def test_a_long_run_forks_its_twin_by_itself_and_prints_what_it_printed_before(tmp_path, monkeypatch):
    path = _long_scenario(tmp_path)
    forks = []
    real = twin._Child.__init__
    monkeypatch.setattr(twin._Child, "__init__", lambda self, work: (forks.append(1), real(self, work))[1])
    monkeypatch.setattr(twin, "usable_cores", lambda: 2)
    monkeypatch.setattr(twin, "APART_SECONDS", 0.0)
    monkeypatch.delenv(twin.FORCE, raising=False)
    out = {}
    for where in ("", "here"):
        monkeypatch.setenv(twin.FORCE, where)
        res = CliRunner().invoke(main, ["run", path, "--no-color", "--width", "100"])
        assert res.exit_code == 0, res.output
        out[where] = res.output
    assert forks == [1] and out[""] == out["here"] and "Drift from full precision" in out[""]


def test_only_long_work_on_a_second_core_goes_apart(monkeypatch):
    monkeypatch.delenv(twin.FORCE, raising=False)
    monkeypatch.setattr(twin, "usable_cores", lambda: 2)
    assert twin.apart_wanted(1.0) and not twin.apart_wanted(0.1)
    monkeypatch.setattr(twin, "usable_cores", lambda: 1)
    assert not twin.apart_wanted(10.0)
    monkeypatch.setenv(twin.FORCE, "apart")
    assert twin.apart_wanted(0.0)
    monkeypatch.setenv(twin.FORCE, "here")
    monkeypatch.setattr(twin, "usable_cores", lambda: 2)
    assert not twin.apart_wanted(10.0)


def _fault():
    raise ArithmeticFault("overflow in exp at o[3]")


def _broken():
    raise RuntimeError("a bug")


def _killed():
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_fault_in_the_child_is_raised_here_with_its_message():
    child = twin._Child(_fault)
    with pytest.raises(ArithmeticFault, match=r"^overflow in exp at o\[3\]$"):
        child.result()


@pytest.mark.parametrize("work", [_broken, _killed])
def test_a_child_that_fails_or_dies_leaves_the_twin_to_be_computed_here(work):
    child = twin._Child(work)
    assert child.result() is None
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)  # reaped


def test_a_failed_hand_trace_ends_its_running_twin(monkeypatch):
    sc = jobs.load(str(ROOT / "scenarios" / "sentiment.yaml"))
    started = []
    real = twin._Child.__init__

    def recorded(self, work):
        real(self, work)
        started.append(self)
    monkeypatch.setattr(twin._Child, "__init__", recorded)
    monkeypatch.setattr(twin, "_quiet_run", lambda sc, chosen: time.sleep(60))  # still running when we fail
    with pytest.raises(KeyboardInterrupt):
        with twin.twin_values(sc, [1, 2], True, lambda: None):
            raise KeyboardInterrupt
    (child,) = started
    assert child.fd is None
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)  # killed and reaped, not left running for a minute


def test_the_twins_values_are_those_of_a_trace_here():
    sc = jobs.load(str(ROOT / "scenarios" / "sentiment.yaml"))
    from bptt_trace.networks.run import run
    here_trace = run(sc, None, [1, 2])
    with twin.twin_values(sc, [1, 2], True, lambda: pytest.fail("computed here")) as values:
        got = values()
    assert got.keys() == twin.final_values(here_trace, twin.drift_keys(sc, [1, 2])).keys()
    for key, value in got.items():
        assert np.asarray(value).tobytes() == np.asarray(here_trace.value(*key)).tobytes()
