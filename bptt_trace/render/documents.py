"""Markdown and LaTeX writers: worksheet blocks as documents, with blanks or highlighted answers.

Math runs become `$…$` (TeX via `texmath.math`); text is escaped for the format; a value that a
blank worksheet hides becomes a labelled blank, and an answer key boxes the blanked answers.
"""

from __future__ import annotations

import re
from typing import Iterable

from bptt_trace.render.blocks import (Answers, Block, Cell, Figure, Form, Heading, Math, Matrix, Para, Pre, Prose,
                                     SideBySide, Table, Value)
from bptt_trace.render.latex_layout import CHAR_PT, PAPERS, SHORT_TABLE_ROWS, column_spec, short_table, text_width
from bptt_trace.render.latex_wide import CONTINUATION, WideMatrices, break_digits, long_digits, widest_piece
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
                out.append(("blank", s.shown or s.label or ""))
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
        """The whole document; its first section heading is the document's title."""
        parts = [self.begin(title)]
        titled = False
        for block in blocks:
            if isinstance(block, Heading) and block.level == 1 and not titled:
                titled = True
                parts.append(self.title(block.text))
            elif isinstance(block, Heading):
                parts.append(self.heading(block))
            elif isinstance(block, Form):
                parts.append(self.form(block))
            elif isinstance(block, Para):
                parts.append(self.para(block))
            elif isinstance(block, Table):
                parts.append(self.table(block))
            elif isinstance(block, Matrix):
                parts.append(self.matrix(block))
            elif isinstance(block, SideBySide):
                parts.append(self.side_by_side(block))
            elif isinstance(block, Pre):
                parts.append(self.pre(block.lines))
            elif isinstance(block, Figure):
                parts.append(self.figures[block.example] + "\n" if block.example in self.figures else None)
            else:
                raise TypeError(f"{type(self).__name__} cannot write {type(block).__name__}")
        if not titled:
            parts.insert(1, self.title((Prose(title),)))
        parts.append(self.end())
        return "\n".join(p for p in parts if p is not None)

    def matrix(self, m: Matrix) -> str:
        """A matrix block: the matrix displayed under its title."""
        return self.display(m.title, [self.bmatrix(m)])

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
        return r"\underset{\scriptscriptstyle " + math(label) + r"}{\underline{\qquad\qquad}}"

    def side_by_side(self, block: SideBySide) -> str:
        cols = "c" * len(block.matrices)
        heads = " & ".join(self.inline_math(h) for h in block.headers)
        mats = " & ".join(self.bmatrix(m) for m in block.matrices)
        return self.display(block.title, [r"\begin{array}{" + cols + "}" + heads + r" \\ " + mats + r"\end{array}"])


BLANK = r"\newcommand{\bpttblank}[1]{{\mathop{\kern0pt\underline{\qquad\qquad}}\limits_{\scriptscriptstyle #1}}}"


def _breakable(tex: str) -> str:
    """Long rationals of exact mode may break after their slash, and long digit strings inside."""
    return break_digits(re.sub(r"(\d{5,})/(\d{5,})", r"\1/\\allowbreak \2", tex))


def _breaks(c: Cell) -> bool:
    """Whether TeX can break a cell's line: at a space of text, or in math after an operator or the comma
    of a vector (not at a space inside a formula)."""
    for span in c:
        written = span.text if isinstance(span, Value) else str(span)
        if isinstance(span, Prose) and " " in written.strip():
            return True
        if not isinstance(span, Prose) and any(op in written for op in (" + ", " - ", " = ", "×", "·", "−", ", ")):
            return True
        if not isinstance(span, Prose) and long_digits(written):
            return True
    return False


class MarkdownWriter(_Writer):
    """Markdown with `$…$` math (GitHub, Jupyter) and pipe tables."""

    def begin(self, title: str) -> str:
        return None

    def end(self) -> str:
        return ""

    def title(self, c: Cell) -> str:
        return f"# Worksheet: {self.cell(c)}\n"

    def form(self, f: Form) -> str:
        fields = "  ".join(f"**{markdown_text(name)}:** \\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_" for name in f.fields)
        return fields + "\n\n**Instructions.** " + self.cell(f.instructions) + "\n"

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


class LatexWriter(WideMatrices, _Writer):
    """A standalone article (amsmath) that compiles with pdflatex and keeps inside its margins."""

    def __init__(self, answers: Answers | None = None, figures: dict[int, str] | None = None,
                 paper: str = "a4", one_pass: bool = False) -> None:
        """`one_pass`: short tables as `tabular` (no longtable widths to settle in the .aux), so that
        one pdflatex pass makes the PDF; for a class's many worksheets."""
        super().__init__(answers, figures)
        self.paper = paper
        self.width = text_width(paper)
        self.one_pass = one_pass

    def begin(self, title: str) -> str:
        return "\n".join([
            r"\documentclass[10pt]{article}", r"\usepackage[utf8]{inputenc}", r"\usepackage[T1]{fontenc}",
            r"\usepackage{amsmath,amssymb}", rf"\usepackage[{PAPERS[self.paper][0]},margin=15mm]{{geometry}}",
            r"\usepackage{longtable,array,xcolor,graphicx}", r"\setcounter{MaxMatrixCols}{40}", r"\allowdisplaybreaks",
            r"\setlength{\parindent}{0pt}", r"\setlength{\LTleft}{0pt}", r"\setlength{\LTright}{\fill}",
            *([BLANK] if self.one_pass else []), r"\begin{document}"])

    def math_blank(self, label: str) -> str:
        """A labelled blank; for a class's sheets as `BLANK`: what amsmath's `\\underset` sets (an ordinary
        atom, braced), without its measuring the blank first to tell whether it is a relation."""
        if self.one_pass and label:
            return r"\bpttblank{" + math(label) + "}"
        return super().math_blank(label)

    def end(self) -> str:
        return r"\end{document}" + "\n"

    def write(self, blocks: Iterable[Block], title: str) -> str:
        """The document; the continuation mark of broken numbers is defined only where a number may break."""
        doc = super().write(blocks, title)
        return doc.replace(r"\begin{document}", CONTINUATION + "\n" + r"\begin{document}", 1) \
            if r"\digitbreak" in doc else doc

    def title(self, c: Cell) -> str:
        return r"\section*{Worksheet: " + self.cell(c) + "}"

    def value(self, v: Value) -> str:
        """A value in math; an answer too long for a box (an exact expression) is set in colour, which
        lets the line break inside it."""
        if self.answers.marks(v) and len(v.text) > 16:
            return r"\begingroup\color{blue}" + _breakable(math(v.text)) + r"\endgroup "
        return _breakable(super().value(v))

    def form(self, f: Form) -> str:
        fields = r"\hfill ".join(text(name) + r": \underline{\hspace{5.5cm}}" for name in f.fields)
        return r"\noindent " + fields + r"\par\medskip" + "\n" + r"\textbf{Instructions.} " + \
            self.cell(f.instructions) + r"\par\medskip"

    def cell(self, c: Cell) -> str:
        """Text and math; blanks join the math around them, so that a long formula can break after its
        operators (and after the commas of a vector)."""
        out: list[str] = []
        formula: list[str] = []
        for kind, content in self.runs(c) + [("text", "")]:
            if kind != "text":
                formula.append(content if kind == "math" else self.math_blank(content))
                continue
            if formula:
                out.append("$" + _breakable("".join(formula)).replace(", ", r",\allowbreak ") + "$")
                formula = []
            out.append(text(content))
        return "".join(out)

    def heading(self, h: Heading) -> str:
        command = {1: "section", 2: "subsection", 3: "subsubsection"}[h.level]
        return rf"\{command}*{{{self.cell(h.text)}}}"

    def para(self, p: Para) -> str:
        if p.note:
            return r"{\raggedright\textit{" + self.cell(p.text) + r"}\par}"
        hang = r"\hangindent=2em\hangafter=1 " if p.text and isinstance(p.text[0], Math) else ""
        return r"{\raggedright" + hang + " " + self.cell(p.text) + r"\par}"

    def estimate(self, c: Cell) -> float:
        """About how wide a cell is typeset, in points."""
        width = 0.0
        for s in c:
            if isinstance(s, Value) and self.answers.hides(s):
                width += max(40.0, 3.0 * len(s.shown or s.label or ""))
            elif isinstance(s, Value):
                width += CHAR_PT * len(s.text) + (8.0 if self.answers.marks(s) else 0.0)
            else:
                width += CHAR_PT * len(str(s))
        return width

    def least(self, c: Cell) -> float:
        """About how wide the widest piece of a cell is that no line break can split, in points."""
        return max((self.piece(s) for s in c), default=0.0)

    def piece(self, s: Value | Prose | Math | str) -> float:
        """The widest unbreakable piece of one span: a blank, a boxed answer, a formula's or a text's."""
        if isinstance(s, Value) and self.answers.hides(s):
            return max(40.0, 3.0 * len(s.shown or s.label or ""))
        if isinstance(s, Value) and self.answers.marks(s) and len(s.text) <= 16:
            return CHAR_PT * len(s.text) + 8.0
        return CHAR_PT * widest_piece(s.text if isinstance(s, Value) else str(s), isinstance(s, Prose))

    def table(self, t: Table) -> str:
        n = len(t.headers)
        columns = list(zip(t.headers, *t.rows))
        widths = [max(self.estimate(c) for c in col) for col in columns]
        breakable = [any(_breaks(c) for c in col) for col in columns]
        least = [max(self.least(c) for c in col) for col in columns]
        if not self.table_fits(widths, least, breakable):
            return self.table_rows(t)
        spec, size = column_spec(widths, t.left, self.width, breakable, least)
        rows = [" & ".join(self.cell(c) for c in r) for r in t.rows]
        head = " & ".join(self.cell(h) for h in t.headers) + r" \\* \hline"
        long = t.title is not None and self.estimate(t.title) > self.width - 40
        span = rf"\multicolumn{{{n}}}{{@{{}}" + (f"p{{{self.width - 40:.0f}pt}}@{{}}" if long else "l") + "}"
        first = (span + "{" + self.cell(t.title) + r"} \\*" + "\n") if t.title else ""
        again = (rf"\multicolumn{{{n}}}{{@{{}}l}}{{(continued)}} \\*" + "\n") if t.title else ""
        body = [r + (r" \\*" if k == 0 and len(rows) > 1 else r" \\") for k, r in enumerate(rows)]
        if self.one_pass and len(rows) <= SHORT_TABLE_ROWS:
            return short_table(size, spec, first + head, body)
        return "{" + size + r"\begin{longtable}{" + spec + "}\n" + first + head + "\n" + r"\endfirsthead" + "\n" + \
            again + head + "\n" + r"\endhead" + "\n" + "\n".join(body) + "\n" + r"\end{longtable}}"

    def display(self, title: Cell | None, bodies: list[str]) -> str:
        head = (self.inline_math(title) + " ") if title else ""
        return r"\[" + head + " ".join(bodies) + r"\]"

    def side_by_side(self, block: SideBySide) -> str:
        """The matrices in a row that breaks onto the next line where the page ends."""
        title = (self.cell(block.title) + r"\par" + "\n") if block.title else ""
        out, boxes = [], []
        for h, m in zip(block.headers, block.matrices):
            if self.fits(m, self.width):
                boxes.append(r"$\begin{array}{@{}c@{}}" + self.inline_math(h) + r" \\ " + self.bmatrix(m) + r"\end{array}$")
                continue
            if boxes:  # a matrix too wide for the page: row by row, after the matrices before it
                out.append(r"{\raggedright " + r"\quad ".join(boxes) + r"\par}")
                boxes = []
            out.append(r"{\raggedright " + self.cell(h) + r"\par}" + "\n" + self.by_rows(m))
        if boxes:
            out.append(r"{\raggedright " + r"\quad ".join(boxes) + r"\par}")
        return title + "\n".join(out) + r"\smallskip"

    def pre(self, lines: list[str]) -> str:
        return "\\begin{verbatim}\n" + "\n".join(lines) + "\n\\end{verbatim}"
