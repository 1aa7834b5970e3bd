"""Writers never lose or corrupt data and fail cleanly; broken streams and non-ASCII digits are bad input."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bptt_trace import output, pdf
from bptt_trace.cli import main
from bptt_trace.output import OutputError, check_target, write_atomic
from bptt_trace.printing import MAX_WIDTH, terminal_width
from tests.conftest import ROOT, SENTIMENT

SCENARIO = str(ROOT / "scenarios" / "sentiment.yaml")
CLI = [sys.executable, "-m", "bptt_trace"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_an_unwritable_target_is_bad_input_and_the_old_file_stays(tmp_path, monkeypatch):
    result = invoke("export", SCENARIO, "-o", "/proc/version.md")
    assert result.exit_code == 2 and "cannot be written" in result.stderr
    answers = tmp_path / "a.yaml"
    answers.write_text("answers:\n  loss: 0.1\n")  # wrong: exit 1 would mean that
    result = invoke("check", SCENARIO, answers, "--csv", "/proc/grades.csv")
    assert result.exit_code == 2 and "/proc/grades.csv: cannot be written" in result.stderr
    old = tmp_path / "w.md"
    old.write_text("old")

    def full(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    result = invoke("export", SCENARIO, "-o", old, "--force")
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert old.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "w.md"]


def _race(args):
    path, start = args
    while time.time() < start:
        pass
    try:
        write_atomic(path, f"{os.getpid()}\n")
        return os.getpid()
    except OutputError:
        return None


def test_of_concurrent_writers_to_a_new_file_exactly_one_wins(tmp_path):
    for round_ in range(3):
        path = tmp_path / f"out{round_}.md"
        start = time.time() + 0.5
        with multiprocessing.get_context("fork").Pool(8) as pool:
            winners = [w for w in pool.map(_race, [(path, start)] * 8) if w is not None]
        assert len(winners) == 1 and path.read_text() == f"{winners[0]}\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_fifos_and_devices_are_never_replaced(tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    result = invoke("export", SCENARIO, "-o", fifo, "--force")
    assert result.exit_code == 2 and "is not a regular file (a FIFO)" in result.stderr
    assert fifo.is_fifo()
    with pytest.raises(OutputError, match="a character device"):
        check_target("/dev/null", force=True)


def test_a_dangling_symlink_is_replaced_only_with_force(tmp_path):
    link = tmp_path / "w.md"
    link.symlink_to(tmp_path / "missing")
    result = invoke("export", SCENARIO, "-o", link)
    assert result.exit_code == 2 and "symbolic link to a missing file" in result.stderr
    assert link.is_symlink() and not (tmp_path / "missing").exists()
    assert invoke("export", SCENARIO, "-o", link, "--force").exit_code == 0
    assert not link.is_symlink() and link.read_text().startswith("# Worksheet: sentiment")


def test_leftover_temporary_files_of_dead_runs_are_removed(tmp_path):
    stale = tmp_path / f".bptt-trace-{dead_pid()}-abc.tmp"
    stale.write_text("half")
    mine = tmp_path / f".bptt-trace-{os.getpid()}-abc.tmp"
    mine.write_text("in use")
    write_atomic(tmp_path / "new.md", "x")
    assert not stale.exists() and mine.exists()
    tex = tmp_path / "tmp"
    left = tex / f"bptt-trace-pdf-{dead_pid()}-xyz"
    left.mkdir(parents=True)
    (left / "worksheet.tex").write_text("secret")
    (tex / f"bptt-trace-pdf-{os.getpid()}-live").mkdir()
    assert [p.name for p in pdf.remove_leftovers(str(tex))] and os.listdir(tex) == [f"bptt-trace-pdf-{os.getpid()}-live"]
    assert output.remove_leftovers(tmp_path) == []


def test_sigterm_during_a_pdf_export_removes_its_temporary_directory(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pdflatex").write_text("#!/bin/sh\nsleep 30\n")
    (fake / "pdflatex").chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "TMPDIR": str(tmp)}
    proc = subprocess.Popen(CLI + ["export", SCENARIO, "-o", str(tmp_path / "w.pdf")], env=env,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    while not list(tmp.iterdir()) and time.time() < deadline:
        time.sleep(0.05)
    assert list(tmp.iterdir()), "the export did not start compiling"
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 128 + signal.SIGTERM
    assert list(tmp.iterdir()) == [] and not (tmp_path / "w.pdf").exists()
    assert "Traceback" not in proc.stderr.read()


@pytest.mark.parametrize("how, code, message", [
    ("closed", 2, "standard output is closed"), ("full", 2, "No space left on device"),
    ("latin-1", 2, "cannot be written in the encoding"), ("pipe", 0, "")])
def test_broken_output_streams(how, code, message):
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"} if how == "latin-1" else dict(os.environ)
    args = CLI + ["run", str(ROOT / "scenarios" / "lstm_long.yaml"), "--full"]
    if how == "pipe":
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        proc.stdout.read(100)
        proc.stdout.close()
        err = proc.stderr.read().decode()
        rc = proc.wait(timeout=60)
    else:
        stdout = open("/dev/full", "w") if how == "full" else subprocess.DEVNULL
        close = how == "closed"
        proc = subprocess.run(args, stdout=None if close else stdout, stderr=subprocess.PIPE, env=env, timeout=60,
                              preexec_fn=(lambda: os.close(1)) if close else None)
        err, rc = proc.stderr.decode(), proc.returncode
    assert rc == code and message in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["--example", "٣"], ["--round", "²"], ["--width", "٨٠"], ["--paths", "W_hh[٣,1]"],
                                  ["--digits", "٣", "--exact"]])
def test_non_ascii_digits_in_options_are_bad_input(args):
    result = invoke("run", SCENARIO, *args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_non_ascii_digits_in_files_and_columns_are_bad_input(write, tmp_path):
    result = invoke("run", write(SENTIMENT.replace("hidden_size: 3", "hidden_size: ٣")))
    assert result.exit_code == 2 and "hidden_size" in result.stderr
    answers = tmp_path / "a.yaml"
    answers.write_text("example: ²\nanswers:\n  loss: 0.378\n")
    result = invoke("check", SCENARIO, answers)
    assert result.exit_code == 1 and "example" in result.stderr  # an unreadable answers file (issue 12: exit 1)
    assert terminal_width({"COLUMNS": "²"}) in (80, *range(1, MAX_WIDTH + 1))
    assert terminal_width({"COLUMNS": "99999999"}) == MAX_WIDTH == 1000
    assert terminal_width({"COLUMNS": "120"}) == 120
