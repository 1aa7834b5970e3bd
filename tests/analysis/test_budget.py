"""Work is estimated before it starts: what exceeds the budget is refused naming the estimate and --budget."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
from click.testing import CliRunner

from bptt_trace import jobs
from bptt_trace.analysis.budget import GB, MB, Budget, paths_cost, trace_cost, training_cost
from bptt_trace.cli import main
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT

SCENARIO = str(ROOT / "scenarios" / "sentiment.yaml")


def rnn(hidden: int, steps: int, every: bool = False, examples: int = 1) -> str:
    """A vanilla RNN scenario with one input per step, `steps` long."""
    row = "[" + ", ".join(["0.01"] * hidden) + "]"
    target = "[" + ", ".join(["0.5"] * steps) + "]" if every else "0.5"
    example = "  - inputs: [" + ", ".join(["[0.1]"] * steps) + f"]\n    target: {target}\n"
    return (f"name: big\nmodel:\n  cell: rnn\n  hidden_size: {hidden}\n  output: identity\n  loss: mse\n"
            f"  outputs_at: {'every' if every else 'last'}\nparameters:\n  W_xh: [{', '.join(['[0.1]'] * hidden)}]\n"
            f"  W_hh: [{', '.join([row] * hidden)}]\n  b_h: {row}\n  W_hy: [{row}]\n  b_y: [0]\n"
            "examples:\n" + example * examples)


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_budgets_parse_and_refuse_what_is_not_a_budget():
    assert Budget.parse(None) == Budget(2 * GB, 200 * MB, 600.0)
    assert Budget.parse("memory=8G, time=1h") == Budget(8 * GB, 200 * MB, 3600.0)
    assert Budget.parse("output=500M,time=90s") == Budget(2 * GB, 500 * MB, 90.0)
    assert Budget.parse("memory=512MB").memory == 512 * MB
    for bad in ("memory=lots", "speed=3", "memory=٣G", "time=3G"):
        with pytest.raises(ValueError, match="expected memory=SIZE"):
            Budget.parse(bad)
    assert invoke("run", SCENARIO, "--budget", "memory=lots").exit_code == 2


def test_paths_grow_with_the_cube_of_the_steps_and_are_refused_before_they_start(write):
    short, long_ = (load_scenario(write(rnn(2, n, every=True), f"s{n}.yaml")) for n in (100, 200))
    a, b = (paths_cost(sc, [1], "W_hh", (0, 0), False) for sc in (short, long_))
    assert 7 < (b.memory - trace_cost(long_, [1], "float", False).memory) / (
        a.memory - trace_cost(short, [1], "float", False).memory) < 9
    path = write(rnn(2, 2000, every=True))
    start = time.monotonic()
    result = invoke("run", path, "--paths", "W_hh[1,1]")
    assert result.exit_code == 2 and time.monotonic() - start < 30
    assert "2,001,000 chain-rule paths" in result.stderr and "GB of memory; the budget is 2.0 GB" in result.stderr
    assert "--budget memory=" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("hidden, steps, options, kind", [
    # decimal numbers cost about 8 times a float's memory: weights of 0.01 are not 1-decimal values, so
    # the Decimal engine computes a calculation rounded to 1 decimal
    (300, 100, ["--round", "1"], "memory"),
    (20, 200, ["--exact"], "time"),
    (100, 600, ["--full", "--budget", "memory=100G,output=100G,time=60s"], "time"),
    (40, 200, ["--format", "json", "--budget", "output=10M"], "output"),
])
def test_hand_exact_full_and_json_work_is_estimated_and_refused(write, hidden, steps, options, kind):
    result = invoke("run", write(rnn(hidden, steps)), *options)
    assert result.exit_code == 2, result.output
    assert f"of {kind}; the budget is" in result.stderr and f"--budget {kind}=" in result.stderr


def test_training_is_estimated_by_its_epochs():
    sc = load_scenario(SCENARIO)
    assert training_cost(sc, 1_000_000).seconds > 10 * training_cost(sc, 10_000).seconds > 0
    result = invoke("train", SCENARIO, "--epochs", "1000000")
    assert result.exit_code == 2 and "1,000,000 epochs of 10 time steps" in result.stderr
    assert "--budget time=" in result.stderr


def test_a_raised_budget_lets_the_work_run_and_long_work_is_announced(monkeypatch, write):
    path = write(rnn(20, 30))
    assert invoke("run", path, "--budget", "memory=10K").exit_code == 2
    monkeypatch.setattr(jobs, "LONG_WORK_SECONDS", 0)
    result = invoke("run", path, "--budget", "memory=4G")
    assert result.exit_code == 0 and "about" in result.stderr and "working…" in result.stderr


@pytest.mark.parametrize("command", [["run", "/dev/zero"], ["check", SCENARIO, "/dev/zero"]])
def test_reading_stops_at_the_size_limit_whatever_the_file_claims(command):
    start = time.monotonic()
    result = invoke(*command)
    # a bad scenario is bad input (2); a bad answers file is reported unreadable, the class goes on (1)
    assert result.exit_code == (2 if command[0] == "run" else 1) and "over the limit of 1000000 bytes" in result.stderr
    assert time.monotonic() - start < 10


def test_the_fast_hand_engine_is_priced_only_where_it_applies():
    from bptt_trace.analysis.budget import fast_hand
    sc = load_scenario(SCENARIO)
    assert fast_hand(sc, [1, 2], 3) and fast_hand(sc, [1, 2], 9)
    assert not fast_hand(sc, [1, 2], None) and not fast_hand(sc, [1, 2], 10)
    thirds = sc._replace(learning_rate=Fraction(1, 3))
    assert not fast_hand(thirds, [1, 2], 3)
    fast, slow = trace_cost(sc, [1, 2], "hand", False, 3), trace_cost(thirds, [1, 2], "hand", False, 3)
    assert fast.seconds < slow.seconds and fast.memory < slow.memory
    # JSON makes every value a Decimal: the memory of the Decimal engine's trace; --full writes them from digits
    assert trace_cost(sc, [1, 2], "hand", True, 3, json=True).memory == \
        trace_cost(thirds, [1, 2], "hand", True, 3, json=True).memory
    assert trace_cost(sc, [1, 2], "hand", True, 3).memory < trace_cost(thirds, [1, 2], "hand", True, 3).memory
