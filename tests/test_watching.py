"""Progress on stderr: a bar on a terminal once work has run a while, lines in a log when the work was
announced as long, nothing otherwise; the run reports its time steps truly."""

from __future__ import annotations

import io
import re
import time

import pytest

from bptt_trace import jobs, watching
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.watching import RunProgress, Watch, progress_line
from tests.conftest import ROOT


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def quick(monkeypatch):
    """Show at once and look often, so that a test sees the display within a fraction of a second."""
    for name in ("CI", "NO_COLOR", "BPTT_NO_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(watching, "SHOW_AFTER", 0)
    monkeypatch.setattr(watching, "LINE_EVERY", 0.05)
    monkeypatch.setattr(watching, "POLL", 0.01)


def _watched(stream, lines=False, **kwargs) -> str:
    with Watch("marking", 10, stream=stream, lines=lines, **kwargs) as watch:
        watch.update(4)
        time.sleep(0.15)
    return stream.getvalue()


def test_a_terminal_gets_a_bar_that_it_clears_at_the_end(quick):
    shown = _watched(Tty())
    assert "marking" in shown and "40%" in shown
    assert shown.endswith("\x1b[2K") or "\x1b[2K" in shown[-20:]  # transient: the last frame is erased


def test_a_log_gets_lines_only_for_work_announced_as_long(quick):
    assert _watched(io.StringIO()) == ""
    lines = _watched(io.StringIO(), lines=True).splitlines()
    assert lines and all(re.fullmatch(r"bptt-trace: marking: 4 of 10 \(40%\), \d+ s so far, about \d+ s left", line)
                         for line in lines)


@pytest.mark.parametrize("env", ["CI", "BPTT_NO_PROGRESS"])
def test_ci_and_the_opt_out_draw_no_bar(quick, monkeypatch, env):
    monkeypatch.setenv(env, "1")
    assert _watched(Tty()) == ""


def test_short_work_shows_nothing(quick, monkeypatch):
    monkeypatch.setattr(watching, "SHOW_AFTER", 5)
    monkeypatch.setattr(watching, "LINE_EVERY", 5)
    assert _watched(Tty()) == "" and _watched(io.StringIO(), lines=True) == ""


def test_no_color_keeps_the_bar_but_drops_the_colour(quick, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    shown = _watched(Tty())
    assert "marking" in shown and not re.search(r"\x1b\[[0-9;]*m", shown)


def test_names_from_a_file_reach_the_terminal_visibly(quick):
    stream = Tty()
    with Watch("tracing \x1b]0;pwned\x07 [bold]x[/bold]", 2, stream=stream) as watch:
        watch.update(1)
        time.sleep(0.1)
    shown = stream.getvalue()
    assert "\x1b]0;" not in shown and "\x07" not in shown and "[bold]x[/bold]" in shown


def test_the_bar_never_runs_backwards(quick):
    reports = iter([(5, 10, "a")] * 3 + [(2, 10, "a")] * 100)
    stream = io.StringIO()
    with Watch("a", 10, probe=lambda: next(reports), stream=stream, lines=True):
        time.sleep(0.2)
    assert "2 of 10" not in stream.getvalue() and "5 of 10" in stream.getvalue()


def test_a_line_reads_well_without_a_total():
    assert progress_line(0, None, "writing JSON: 3.0 MB written", 75) == "writing JSON: 3.0 MB written: 75 s so far"
    assert progress_line(0, 10, "x", 3) == "x: 0 of 10 (0%), 3 s so far"
    assert progress_line(2500, 10_000, "x", 200) == "x: 2,500 of 10,000 (25%), 3 min so far, about 10 min left"
    assert progress_line(2500, 10_000, "x", 200, count=False) == "x: 25%, 3 min so far, about 10 min left"


class _Recorder:
    def __init__(self, example, phase, t):
        self.example, self.phase, self.t = example, phase, t


def test_a_run_counts_its_time_steps_forward_then_back():
    sc = load_scenario(ROOT / "scenarios" / "sentiment.yaml")  # 6 and 4 words
    seen = RunProgress(sc, [1, 2], "tracing")
    assert seen() == (0, 20, "tracing")
    for rec, done in [(_Recorder(1, "forward", 3), 3), (_Recorder(1, "loss", 6), 6),
                      (_Recorder(1, "backward", 6), 6), (_Recorder(1, "backward", 1), 11),
                      (_Recorder(2, "forward", 2), 14), (_Recorder(2, "backward", 1), 19),
                      (_Recorder(None, "gradients", None), 20)]:
        seen.attach(rec)
        assert seen()[:2] == (done, 20)


def test_a_traced_run_hands_its_recorder_to_the_watch(quick):
    sc = load_scenario(ROOT / "scenarios" / "sentiment.yaml")
    captured = []
    from bptt_trace.networks.run import run
    seen = RunProgress(sc, [1, 2], "tracing")
    trace = run(sc, examples=[1, 2], watch=lambda rec: (captured.append(rec), seen.attach(rec)))
    assert len(captured) == 1 and seen() == (20, 20, "tracing")
    assert trace.value("loss", 1) == run(sc).value("loss", 1)


def test_a_long_hand_calculation_is_followed_on_a_terminal(quick, monkeypatch):
    stream = Tty()
    monkeypatch.setattr(watching.sys, "stderr", stream)
    job = jobs.prepare(str(ROOT / "scenarios" / "lstm_long.yaml"), readers="people")
    assert job.trace.steps and "hand calculation" in stream.getvalue()


def test_check_shows_the_sheets_marked_and_keeps_its_messages_whole(quick, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from bptt_trace.cli import main
    monkeypatch.setattr(watching, "_mode", lambda stream, lines: "bar")
    slow = watching.Watch.update

    def update(self, done, total=None, what=None):  # give the bar time to be drawn between sheets
        slow(self, done, total, what)
        time.sleep(0.05)
    monkeypatch.setattr(watching.Watch, "update", update)
    sheets = []
    for i in range(3):
        sheets.append(tmp_path / f"s{i}.yaml")
        sheets[-1].write_text("student: Ada\nanswers:\n  loss: 0.378\n")
    (tmp_path / "broken.yaml").write_text("answers: [\n")
    result = CliRunner().invoke(main, ["check", str(ROOT / "scenarios" / "sentiment.yaml"), *map(str, sheets),
                                       str(tmp_path / "broken.yaml")])
    assert result.exit_code == 1, result.output
    assert "marking" in result.stderr and "3/4" in result.stderr
    message = next(line for line in result.stderr.split("\n") if "broken.yaml" in line)
    assert "━" not in message and "marking" not in message  # the bar was taken off before the message
    assert "━" not in result.stdout


def test_chain_paths_report_their_work_in_order():
    from bptt_trace.analysis.paths import chain_paths
    from bptt_trace.networks.run import run
    sc = load_scenario(ROOT / "scenarios" / "time_series.yaml")
    trace = run(sc)
    calls = []
    report = chain_paths(trace, "W_hh", None, [1], lambda done, total: calls.append((done, total)))
    steps = sc.loss_steps(sc.examples[0])
    weights = [s * (s + 1) // 2 + 4 * s for s in steps]
    assert calls == [(sum(weights[:i]), sum(weights)) for i in range(len(steps))]
    again = chain_paths(trace, "W_hh", None, [1])
    assert [p.value.tolist() for p in report.examples[0].paths] == [p.value.tolist() for p in again.examples[0].paths]


def test_a_display_that_fails_stops_quietly(quick, capsys):
    class Closed(Tty):
        def write(self, text):
            raise BrokenPipeError

    def probe():
        raise RuntimeError("a probe that breaks")
    for stream, lines in ((Closed(), False), (io.StringIO(), True)):
        with Watch("x", 10, probe=probe, stream=stream, lines=lines) as watch:
            time.sleep(0.15)
        assert watch.mode is None
    assert capsys.readouterr().err == ""  # no traceback from the thread
