"""Compile LaTeX worksheets with pdflatex and read its log for overfull boxes, several at a time."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)(.*)$", re.M)


def overfull(tex: str, passes: int = 2) -> tuple[int, list[tuple[float, str]]]:
    """pdflatex's exit code and every overfull hbox of the last pass: (points too wide, where)."""
    assert shutil.which("pdflatex"), "pdflatex is needed: run `bash scripts/install-latex.sh`"
    home = Path(tempfile.gettempdir()) / "bptt-trace-tex-home"  # fonts made once, not per compile
    home.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bptt-fit-") as tmp:
        (Path(tmp) / "w.tex").write_text(tex, encoding="utf-8")
        for _ in range(passes):  # longtable settles its column widths on the second pass
            proc = subprocess.run(["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "w.tex"],
                                  cwd=tmp, capture_output=True, text=True, errors="replace", stdin=subprocess.DEVNULL,
                                  env={"PATH": "/usr/bin:/bin", "openin_any": "p", "HOME": str(home)})
            if proc.returncode:
                break
        log = (Path(tmp) / "w.log").read_text(errors="replace") if (Path(tmp) / "w.log").exists() else ""
    return proc.returncode, [(float(m.group(1)), m.group(2).strip()) for m in OVERFULL.finditer(log)]


def overfull_many(texs: dict[str, str], workers: int = 2) -> dict[str, tuple[int, list[tuple[float, str]]]]:
    """`overfull` of several documents, compiled in parallel."""
    with ThreadPoolExecutor(workers) as pool:
        return dict(zip(texs, pool.map(overfull, texs.values())))
