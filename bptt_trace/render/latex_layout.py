"""How wide things are on a LaTeX page: the text width of each paper, an estimate of a cell's width,
and column specifications that keep a table inside the margins (wide columns become ragged `p`
columns, in which inline math breaks after its operators)."""

from __future__ import annotations

from typing import Sequence

MARGIN_MM = 15
PAPERS = {"a4": ("a4paper", 210.0), "letter": ("letterpaper", 215.9)}
PT_PER_MM = 72.27 / 25.4
CHAR_PT = 5.2  # an average character of \small text or math, generously
COLUMN_GAP_PT = 12.0  # 2\tabcolsep


def text_width(paper: str) -> float:
    """The text width in points between 15 mm margins."""
    return (PAPERS[paper][1] - 2 * MARGIN_MM) * PT_PER_MM


def column_spec(widths: Sequence[float], left: Sequence[int], available: float) -> str:
    """`l`/`r` columns at their natural widths when the table fits; otherwise the widest columns become
    ragged `p{…}` columns sharing what the narrow ones leave."""
    natural = "".join("l" if i in left else "r" for i in range(len(widths)))
    room = available - COLUMN_GAP_PT * len(widths) - 4
    if sum(widths) <= room:
        return natural
    narrow = sorted(range(len(widths)), key=lambda i: widths[i])
    fixed: list[int] = []
    for i in narrow:  # keep the narrow columns natural while the rest get at least 60 pt each
        rest = len(widths) - len(fixed) - 1
        if sum(widths[j] for j in fixed) + widths[i] + 60 * rest <= room and widths[i] <= room / len(widths):
            fixed.append(i)
    wide = [i for i in range(len(widths)) if i not in fixed]
    share = room - sum(widths[i] for i in fixed)
    total = sum(widths[i] for i in wide) or 1.0
    spec = []
    for i, w in enumerate(widths):
        if i in fixed:
            spec.append("l" if i in left else "r")
        else:
            spec.append(r">{\raggedright\arraybackslash}p{" + f"{max(share * w / total, 30):.0f}pt" + "}")
    return "".join(spec)
