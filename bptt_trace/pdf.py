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
