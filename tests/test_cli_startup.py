"""Start-up stays light: what `run` needs is imported, nothing more, and garbage is collected seldom
while a command runs (and as before once it has returned)."""

from __future__ import annotations

import gc
import subprocess
import sys

from click.testing import CliRunner

from bptt_trace import guard, jobs
from bptt_trace.cli import main
from tests.conftest import ROOT

SENTIMENT = str(ROOT / "scenarios" / "sentiment.yaml")
# Never needed to show a worked calculation: exact arithmetic, rich, gradebooks, marking, documents, workers.
NOT_ON_START = ("sympy", "rich", "csv", "json", "multiprocessing", "subprocess", "shutil", "bptt_trace.marking",
                "bptt_trace.pdf", "bptt_trace.render.documents", "bptt_trace.render.latex_layout",
                "bptt_trace.render.json_out", "bptt_trace.analysis.paths", "bptt_trace.numbers.exact")


def imported(*args: str) -> set[str]:
    """The modules of NOT_ON_START that `bptt-trace ARGS` imports (in a fresh interpreter)."""
    probe = ("import sys; from bptt_trace.cli import main\ntry:\n main(sys.argv[1:], standalone_mode=False)\n"
             f"finally:\n print(' '.join(m for m in {NOT_ON_START!r} if any(k == m or k.startswith(m + '.') "
             "for k in sys.modules)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stderr.split())


def test_run_piped_or_in_colour_imports_nothing_it_does_not_need():
    assert imported("run", SENTIMENT) == set()
    assert imported("run", SENTIMENT, "--color") == set()
    assert imported("run", SENTIMENT, "--format", "json") == {"json", "bptt_trace.render.json_out"}  # what JSON needs


def test_garbage_is_collected_seldom_while_a_command_runs_and_as_before_after(monkeypatch):
    seen = []

    def prepare(*args, **kwargs):
        seen.append(gc.get_threshold())
        raise jobs.BadInput("stop here")
    monkeypatch.setattr(jobs, "prepare", prepare)
    before = gc.get_threshold()
    result = CliRunner().invoke(main, ["run", SENTIMENT])
    assert result.exit_code == 2 and "stop here" in result.output
    assert seen == [guard.GC_THRESHOLDS] and gc.get_threshold() == before != guard.GC_THRESHOLDS


def test_what_is_left_at_exit_is_frozen_not_walked_by_the_last_collections_registered_once(monkeypatch):
    registered = []
    monkeypatch.setattr(guard.atexit, "register", registered.append)
    monkeypatch.setattr(guard, "_EXIT_FREEZE", False)
    for _ in range(2):
        assert CliRunner().invoke(main, ["--version"]).exit_code == 0
    assert registered == [gc.freeze]


def test_a_command_ends_with_its_output_written_and_its_code_when_the_collector_is_skipped_at_exit(tmp_path):
    out = tmp_path / "out.md"
    proc = subprocess.run([sys.executable, "-m", "bptt_trace", "export", SENTIMENT, "--format", "markdown", "-o",
                           str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("# Worksheet: sentiment") and "h_{1}" in out.read_text()
    assert proc.stderr.splitlines()[0] == f"wrote {out}" and "Traceback" not in proc.stderr
