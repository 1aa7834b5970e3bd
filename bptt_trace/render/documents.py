"""Markdown and LaTeX writers: worksheet blocks as documents, with blanks or highlighted answers.

Math runs become `$…$` (TeX via `texmath.math`); text is escaped for the format; a value that a
blank worksheet hides becomes a labelled blank, and an answer key boxes the blanked answers.
"""

from __future__ import annotations

from typing import Iterable

from bptt_trace.render.blocks import (Answers, Block, Cell, Figure, Heading, Math, Matrix, Para, Pre, Prose, SideBySide,
                                     Table, Value)
from bptt_trace.render.texmath import markdown_text, math, text


class _Writer:
    """What both formats share: spans to math runs and text runs, values shown, blanked or boxed."""

    def __init__(self, answers: Answers | None = None, figures: dict[int, str] | None = None) -> None:
        """`figures`: each example's picture, ready-made for the format (LaTeX, or a Markdown image link)."""
        self.answers = answers or Answers()
        self.figures = figures or {}

    def value(self, v: Value) -> str:
        """A value inside a math run."""
        if self.answers.marks(v):
            return r"\boxed{" + math(v.text) + "}"
        return math(v.text)

    def runs(self, spans: Cell) -> list[tuple[str, str]]:
        """(kind, content) runs: "math" (TeX), "text" (raw), "blank" (the label)."""
        out: list[tuple[str, str]] = []
        for s in spans:
            if isinstance(s, Value) and self.answers.hides(s):
                out.append(("blank", s.label or ""))
            elif isinstance(s, (Value, Math)):
                tex = self.value(s) if isinstance(s, Value) else math(s)
                if not tex:
                    continue
                if out and out[-1][0] == "math":
                    out[-1] = ("math", out[-1][1] + tex)
                else:
                    out.append(("math", tex))
            else:
                out.append(("text", str(s)))
        return out

    def write(self, blocks: Iterable[Block], title: str) -> str:
        """The whole document."""
        parts = [self.begin(title)]
        for block in blocks:
            if isinstance(block, Heading):
                parts.append(self.heading(block))
            elif isinstance(block, Para):
                parts.append(self.para(block))
            elif isinstance(block, Table):
                parts.append(self.table(block))
            elif isinstance(block, Matrix):
                parts.append(self.display(block.title, [self.bmatrix(block)]))
            elif isinstance(block, SideBySide):
                parts.append(self.side_by_side(block))
            elif isinstance(block, Pre):
                parts.append(self.pre(block.lines))
            elif isinstance(block, Figure):
                parts.append(self.figures[block.example] + "\n" if block.example in self.figures else None)
            else:
                raise TypeError(f"{type(self).__name__} cannot write {type(block).__name__}")
        parts.append(self.end())
        return "\n".join(p for p in parts if p is not None)

    def bmatrix(self, m: Matrix) -> str:
        rows = [" & ".join(self.inline_math(c) for c in r) for r in m.rows]
        return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"

    def inline_math(self, c: Cell) -> str:
        """A cell as TeX math only (inside a matrix): text runs as \\text, blanks as underlines."""
        out = []
        for kind, content in self.runs(c):
            out.append(content if kind == "math" else
                       self.math_blank(content) if kind == "blank" else r"\text{" + text(content) + "}")
        return "".join(out)

    def math_blank(self, label: str) -> str:
        if not label:
            return r"\underline{\qquad}"
        return r"\underset{\scriptscriptstyle\text{" + text(label) + r"}}{\underline{\qquad\qquad}}"

    def side_by_side(self, block: SideBySide) -> str:
        cols = "c" * len(block.matrices)
        heads = " & ".join(self.inline_math(h) for h in block.headers)
        mats = " & ".join(self.bmatrix(m) for m in block.matrices)
        return self.display(block.title, [r"\begin{array}{" + cols + "}" + heads + r" \\ " + mats + r"\end{array}"])


class MarkdownWriter(_Writer):
    """Markdown with `$…$` math (GitHub, Jupyter) and pipe tables."""

    def begin(self, title: str) -> str:
        return f"# Worksheet: {markdown_text(title)}\n"

    def end(self) -> str:
        return ""

    def cell(self, c: Cell) -> str:
        out = []
        for kind, content in self.runs(c):
            if kind == "math":
                out.append(f"${content.strip()}$")
            elif kind == "blank":
                out.append(r"\_\_\_\_\_\_" + (f" ({markdown_text(content)})" if content else ""))
            else:
                out.append(markdown_text(content))
        return "".join(out)

    def heading(self, h: Heading) -> str:
        return f"{'#' * (h.level + 1)} {self.cell(h.text)}\n"

    def para(self, p: Para) -> str:
        return (f"*{self.cell(p.text)}*" if p.note else self.cell(p.text)) + "\n"

    def table(self, t: Table) -> str:
        lines = [f"**{self.cell(t.title)}**\n"] if t.title else []
        lines.append("| " + " | ".join(self.cell(h) or " " for h in t.headers) + " |")
        lines.append("|" + "|".join(":---" if i in t.left else "---:" for i in range(len(t.headers))) + "|")
        lines += ["| " + " | ".join(self.cell(c) or " " for c in r) + " |" for r in t.rows]
        return "\n".join(lines) + "\n"

    def display(self, title: Cell | None, bodies: list[str]) -> str:
        head = (self.inline_math(title) + " ") if title else ""
        return "$$\n" + head + " ".join(bodies) + "\n$$\n"

    def pre(self, lines: list[str]) -> str:
        return "```text\n" + "\n".join(lines) + "\n```\n"


class LatexWriter(_Writer):
    """A standalone article (amsmath) that compiles with pdflatex."""

    def begin(self, title: str) -> str:
        return "\n".join([
            r"\documentclass[10pt]{article}", r"\usepackage[utf8]{inputenc}", r"\usepackage[T1]{fontenc}",
            r"\usepackage{amsmath,amssymb}", r"\usepackage[margin=1.5cm]{geometry}", r"\usepackage{longtable}",
            r"\usepackage{xcolor,graphicx}",
            r"\setcounter{MaxMatrixCols}{40}", r"\allowdisplaybreaks", r"\setlength{\parindent}{0pt}",
            r"\begin{document}", r"\section*{Worksheet: " + text(title) + "}"])

    def end(self) -> str:
        return r"\end{document}" + "\n"

    def cell(self, c: Cell) -> str:
        out = []
        for kind, content in self.runs(c):
            if kind == "math":
                out.append(f"${content}$")
            elif kind == "blank":
                out.append("$" + self.math_blank(content) + "$")
            else:
                out.append(text(content))
        return "".join(out)

    def heading(self, h: Heading) -> str:
        command = {1: "section", 2: "subsection", 3: "subsubsection"}[h.level]
        return rf"\{command}*{{{self.cell(h.text)}}}"

    def para(self, p: Para) -> str:
        if p.note:
            return r"\textit{" + self.cell(p.text) + r"}\par"
        if p.text and isinstance(p.text[0], Math) and not any(isinstance(s, Prose) for s in p.text):
            body = self.inline_math(p.text)
            return r"\begin{align*}" + body.replace("=", "&=", 1) + r"\end{align*}"
        return self.cell(p.text) + r"\par"

    def table(self, t: Table) -> str:
        spec = "".join("l" if i in t.left else "r" for i in range(len(t.headers)))
        rows = [" & ".join(self.cell(c) for c in r) + r" \\" for r in t.rows]
        head = " & ".join(self.cell(h) for h in t.headers) + r" \\ \hline"
        title = (self.cell(t.title) + r"\par" + "\n") if t.title else ""
        return title + r"{\small\begin{longtable}{" + spec + "}\n" + head + "\n" + "\n".join(rows) + \
            "\n" + r"\end{longtable}}"

    def display(self, title: Cell | None, bodies: list[str]) -> str:
        head = (self.inline_math(title) + " ") if title else ""
        return r"\[" + head + " ".join(bodies) + r"\]"

    def pre(self, lines: list[str]) -> str:
        return "\\begin{verbatim}\n" + "\n".join(lines) + "\n\\end{verbatim}"
