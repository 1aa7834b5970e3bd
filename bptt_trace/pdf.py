"""Compiling a LaTeX worksheet with pdflatex, safely: no shell escape, no reading outside the job."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

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
    with tempfile.TemporaryDirectory(prefix="bptt-trace-") as tmp:
        (Path(tmp) / "worksheet.tex").write_text(tex, encoding="utf-8")
        env = {**os.environ, "openin_any": "p", "openout_any": "p"}
        cmd = [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "worksheet.tex"]
        for _ in range(2):  # twice, so that longtable settles its column widths
            try:
                proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, errors="replace",
                                      timeout=timeout, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise PdfError(f"pdflatex did not finish within {timeout:.0f} s") from None
            if proc.returncode != 0:
                errors = [line for line in proc.stdout.splitlines() if line.startswith("!")]
                raise PdfError("pdflatex failed: " + ("; ".join(errors[:3]) or f"exit code {proc.returncode}"))
        return (Path(tmp) / "worksheet.pdf").read_bytes()


PNG_HINT = ("pdftoppm (poppler-utils) was not found, and PNG files are made with it from the PDF. Install it "
            "(Debian/Ubuntu: apt-get install poppler-utils; macOS: brew install poppler), or write .svg or .pdf.")


def pdf_to_png(pdf: bytes, dpi: int = 150, timeout: float = 60) -> bytes:
    """The first page of a PDF as a PNG image, drawn by poppler's pdftoppm."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise PdfError(PNG_HINT)
    with tempfile.TemporaryDirectory(prefix="bptt-trace-") as tmp:
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
