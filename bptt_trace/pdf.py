"""Compiling a LaTeX worksheet with pdflatex, safely: no shell escape, no reading outside the job."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from bptt_trace.output import process_alive

TEMP_PREFIX = "bptt-trace-pdf-"
_TEMP_NAME = re.compile(rf"^{TEMP_PREFIX}(\d+)-")

INSTALL_HINT = ("pdflatex was not found. Install a TeX distribution (Debian/Ubuntu: "
                "apt-get install texlive-latex-base texlive-latex-recommended; macOS: MacTeX; Windows: MiKTeX), "
                "or export a .tex file and compile it yourself.")


class PdfError(Exception):
    """pdflatex is missing or failed; the message says which and how to go on."""


def compile_pdf(tex: str, timeout: float = 120) -> bytes:
    """The PDF of a LaTeX document, compiled in a fresh temporary directory."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise PdfError(INSTALL_HINT)
    remove_leftovers()
    with _terminated_cleanly(), tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-") as tmp:
        (Path(tmp) / "worksheet.tex").write_text(tex, encoding="utf-8")
        env = {**os.environ, "openin_any": "p", "openout_any": "p"}
        cmd = [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "worksheet.tex"]
        for _ in range(3):  # again while TeX asks for it (longtable settling its column widths), at most 3 times
            try:
                proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, errors="replace",
                                      timeout=timeout, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise PdfError(f"pdflatex did not finish within {timeout:.0f} s") from None
            if proc.returncode != 0:
                errors = [line for line in proc.stdout.splitlines() if line.startswith("!")]
                raise PdfError("pdflatex failed: " + ("; ".join(errors[:3]) or f"exit code {proc.returncode}"))
            if "Rerun" not in (Path(tmp) / "worksheet.log").read_text(errors="replace"):
                break
        return (Path(tmp) / "worksheet.pdf").read_bytes()


class _Terminated(BaseException):
    """SIGTERM arrived during a compilation; raised so that the temporary directory is removed."""


@contextlib.contextmanager
def _terminated_cleanly():
    """While compiling, SIGTERM unwinds (removing the temporary directory) and then ends the process."""
    def on_term(signum, frame):
        raise _Terminated()
    try:
        previous = signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread: no handler can be set
        yield
        return
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, previous)
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def remove_leftovers(directory: str | None = None) -> list[Path]:
    """Remove the compilation directories that runs no longer alive (killed) left; return them."""
    base = Path(directory or tempfile.gettempdir())
    removed = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_NAME.match(entry.name)
        if not m or process_alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink() and entry.stat().st_uid == os.getuid():
                shutil.rmtree(entry)
                removed.append(entry)
    return removed



PNG_HINT = ("pdftoppm (poppler-utils) was not found, and PNG files are made with it from the PDF. Install it "
            "(Debian/Ubuntu: apt-get install poppler-utils; macOS: brew install poppler), or write .svg or .pdf.")


def pdf_to_png(pdf: bytes, dpi: int = 150, timeout: float = 60) -> bytes:
    """The first page of a PDF as a PNG image, drawn by poppler's pdftoppm."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise PdfError(PNG_HINT)
    with _terminated_cleanly(), tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-") as tmp:
        (Path(tmp) / "in.pdf").write_bytes(pdf)
        try:
            proc = subprocess.run([exe, "-png", "-r", str(dpi), "-singlefile", "in.pdf", "out"], cwd=tmp,
                                  capture_output=True, text=True, errors="replace", timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfError(f"pdftoppm did not finish within {timeout:.0f} s") from None
        if proc.returncode != 0:
            raise PdfError(f"pdftoppm failed: {proc.stderr.strip()[:200] or proc.returncode}")
        return (Path(tmp) / "out.png").read_bytes()
