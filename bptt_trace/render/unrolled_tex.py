"""The unrolled picture as LaTeX: a `picture` environment of the LaTeX kernel with xcolor and graphicx.

TikZ (pgf) is not part of TeX Live's latex-base and latex-recommended packages, which is what the
worksheets compile with, so the figure uses only what those hold: the kernel's horizontal and
vertical `\\line`s and `\\vector`s (the layout routes every arrow along such segments), framed boxes,
and text. Labels go through `texmath.math`, values and words through `texmath.text`, so a scenario's
text cannot inject a command. One SVG pixel is 0.75 pt; a figure wider than the line is scaled down.
"""

from __future__ import annotations

from bptt_trace.render.texmath import math, text
from bptt_trace.render.unrolled import Edge, Picture, Text

COLOURS = {"forward": "222222", "backward": "D55E00", "path": "009E73"}
WIDTHS = {"forward": "0.6pt", "backward": "0.6pt", "path": "1.6pt"}
DASH, SPACE = 4.0, 3.0


def picture_tex(p: Picture) -> str:
    """The `picture` environment, at its natural size (unitlength 0.75 pt)."""
    out = [r"{\setlength{\unitlength}{0.75pt}\fontsize{8}{9}\selectfont\setlength{\fboxsep}{0pt}%",
           rf"\begin{{picture}}({p.width},{p.height})"]
    for e in p.edges:
        out += _edge(e, p.height)
    for b in p.boxes:
        y = p.height - b.y - b.h
        out.append(rf"\put({b.x:.1f},{y:.1f}){{\color{{white}}\rule{{{b.w:.1f}\unitlength}}{{{b.h:.1f}\unitlength}}}}")
        frame = rf"\dashbox{{3}}({b.w:.1f},{b.h:.1f}){{}}" if b.role == "gap" else rf"\framebox({b.w:.1f},{b.h:.1f}){{}}"
        out.append(rf"\put({b.x:.1f},{y:.1f}){{\color[HTML]{{666666}}\linethickness{{0.4pt}}{frame}}}")
    out += [_text(t, p.height) for t in p.texts]
    out.append(r"\end{picture}}")
    return "\n".join(out)


def figure_tex(p: Picture) -> str:
    """The picture centred in a worksheet, scaled down to the line's width when wider."""
    return "\n".join([r"\begin{center}", r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",
                      picture_tex(p) + "}", r"\end{center}"])


def standalone_tex(p: Picture) -> str:
    """A document whose one page is the picture (for PDF and PNG files)."""
    w, h = p.width * 0.75 + 4, p.height * 0.75 + 4
    return "\n".join([r"\documentclass{article}", r"\usepackage[T1]{fontenc}", r"\usepackage{amsmath,amssymb}",
                      r"\usepackage{xcolor,graphicx}",
                      rf"\usepackage[paperwidth={w:.1f}pt,paperheight={h:.1f}pt,margin=2pt]{{geometry}}",
                      r"\pagestyle{empty}\setlength{\parindent}{0pt}", r"\begin{document}", picture_tex(p),
                      r"\end{document}", ""])


def _edge(e: Edge, height: float) -> list[str]:
    """Each segment as kernel lines (dashes one by one), an arrowhead at the end."""
    colour = rf"\color[HTML]{{{COLOURS[e.kind]}}}\linethickness{{{WIDTHS[e.kind]}}}"
    out = []
    pts = [(x, height - y) for x, y in e.points]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        for a, b in (_dashes((x0, y0), (x1, y1)) if e.kind == "backward" else [((x0, y0), (x1, y1))]):
            out.append(_segment(a, b, colour))
    if e.arrow and e.kind != "path" and len(pts) > 1:
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        dx, dy = (x1 > x0) - (x1 < x0), (y1 > y0) - (y1 < y0)
        out.append(rf"\put({x1:.1f},{y1:.1f}){{{colour}\vector({dx},{dy}){{0}}}}")
    if e.cut is not None:
        x, y = e.cut[0], height - e.cut[1]
        out += [rf"\put({x + dx:.1f},{y - 6:.1f}){{\color[HTML]{{{COLOURS['backward']}}}\linethickness{{1.2pt}}"
                rf"\line(0,1){{12}}}}" for dx in (-2, 2)]
    return out


def _segment(a: tuple[float, float], b: tuple[float, float], colour: str) -> str:
    (x0, y0), (x1, y1) = sorted([a, b])
    if abs(y1 - y0) < 0.05:
        return rf"\put({x0:.1f},{y0:.1f}){{{colour}\line(1,0){{{x1 - x0:.1f}}}}}"
    lo, hi = sorted([y0, y1])
    return rf"\put({x0:.1f},{lo:.1f}){{{colour}\line(0,1){{{hi - lo:.1f}}}}}"


def _dashes(a: tuple[float, float], b: tuple[float, float]) -> list:
    """A dashed segment as its dashes."""
    (x0, y0), (x1, y1) = a, b
    length = abs(x1 - x0) + abs(y1 - y0)
    out, s = [], 0.0
    while s < length:
        e = min(s + DASH, length)
        out.append(((x0 + (x1 - x0) * s / length, y0 + (y1 - y0) * s / length),
                    (x0 + (x1 - x0) * e / length, y0 + (y1 - y0) * e / length)))
        s = e + SPACE
    return out


def _text(t: Text, height: float) -> str:
    body = (f"${math(t.label)}$" + ("~" if t.label.endswith(" ") else "") if t.label.strip() else "") + \
        (r"$\vdots$" if t.value == "⋮" else r"\texttt{" + text(t.value) + "}" if t.value else "")
    if t.bold:
        body = r"\textbf{" + body + "}"
    pos = {"start": "l", "middle": "", "end": "r"}[t.anchor]
    return (rf"\put({t.x:.1f},{height - t.y + 3:.1f}){{\color[HTML]{{{COLOURS[t.kind]}}}"
            rf"\makebox(0,0){'[' + pos + ']' if pos else ''}{{{body}}}}}")
