"""A class of 200: `bptt-trace variants` of the sentiment example with every file, PDFs included.

Target: well under a minute on this 2-core machine. The work is dominated by pdflatex (one
worksheet PDF per student), so the baseline is that floor measured in the same run: the same
number of pdflatex compiles of one prepared worksheet, run on every core at once with nothing
else around them. The ratio says how much the drawing, tracing and writing add on top. The tool
typesets ten students' sheets in one pdflatex pass from an uncompressed format of the shared
preamble and splits the PDF, so a student costs far less pdflatex than a baseline run: a ratio below
1 is expected.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import ROOT, tool

STUDENTS = 200


def pdflatex_floor(tex: Path, count: int) -> float:
    """Seconds for `count` single pdflatex runs of one worksheet, as many at once as there are cores."""
    def one(i: int) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                            str(tex)], cwd=tmp, check=True, capture_output=True)
    start = time.perf_counter()
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(one, range(count)))
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tex = Path(tmp) / "w.tex"
        subprocess.run(tool() + ["export", "scenarios/sentiment.yaml", "--blank", "-o", str(tex)], cwd=ROOT,
                       check=True, capture_output=True)
        floor = pdflatex_floor(tex, STUDENTS)
        start = time.perf_counter()
        subprocess.run(tool() + ["variants", "scenarios/sentiment.yaml", "--count", str(STUDENTS), "--seed", "1",
                                 "-o", str(Path(tmp) / "class")], cwd=ROOT, check=True, capture_output=True)
        made = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run(tool() + ["variants", "scenarios/sentiment.yaml", "--count", str(STUDENTS), "--seed", "1",
                                 "-o", str(Path(tmp) / "class-md"), "--no-pdf"], cwd=ROOT, check=True,
                       capture_output=True)
        no_pdf = time.perf_counter() - start
    print(f"variants, {STUDENTS} students with PDFs: {made:.1f} s ({made / STUDENTS * 1000:.0f} ms a student); "
          f"without PDFs: {no_pdf:.1f} s")
    print(f"baseline, {STUDENTS} pdflatex runs on {os.cpu_count()} cores: {floor:.1f} s; ratio {made / floor:.2f}x "
          f"(target: well under 60 s)")
    return 0 if made < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
