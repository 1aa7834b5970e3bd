"""A class sheet's labelled blank (`\\bpttblank`) sets the very box amsmath's `\\underset` sets, in every
context a worksheet puts it in: the same width, height and depth, so the sheet looks and fits the same."""

from __future__ import annotations

import re
import subprocess

from bptt_trace.render.documents import BLANK, LatexWriter, _Writer
from tests.render.test_documents import require_pdflatex

CONTEXTS = [r"= {} + 1", r"0.4\times ({})", r"\tanh({})", r"\begin{{bmatrix}}{} & 1\end{{bmatrix}}", r"{} - 0.2",
            r"{}{}", r"x {} y", r"-{}"]


def test_the_class_blank_is_the_box_underset_makes(tmp_path):
    require_pdflatex()
    writer = LatexWriter(one_pass=True)
    old, new = _Writer.math_blank(writer, "z[1] #1"), writer.math_blank("z[1] #1")
    assert old.startswith(r"\underset{") and new.startswith(r"\bpttblank{")
    assert LatexWriter().math_blank("z[1] #1") == old  # exported documents are as they were
    lines = []
    for k, ctx in enumerate(CONTEXTS):
        for tag, blank in (("old", old), ("new", new)):
            for size in ("", r"\small", r"\scriptsize"):
                lines.append(rf"{{{size}\setbox0\hbox{{${ctx.format(blank, blank)}$}}"
                             rf"\typeout{{BOX {k}{size} {tag} \the\wd0 \the\ht0 \the\dp0}}}}")
    doc = ("\\documentclass[10pt]{article}\n\\usepackage{amsmath}\n" + BLANK + "\n\\begin{document}\n" +
           "\n".join(lines) + "\nx\n\\end{document}\n")
    (tmp_path / "b.tex").write_text(doc)
    subprocess.run(["pdflatex", "-interaction=batchmode", "b.tex"], cwd=tmp_path, capture_output=True)
    boxes = re.findall(r"BOX (\S+) (old|new) (\S+)", (tmp_path / "b.log").read_text())
    assert len(boxes) == 2 * 3 * len(CONTEXTS)
    got = {(where, tag): size for where, tag, size in boxes}
    assert all(got[(where, "old")] == got[(where, "new")] for where, _ in got)
