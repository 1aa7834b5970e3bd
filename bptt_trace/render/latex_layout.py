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


def column_spec(widths: Sequence[float], left: Sequence[int], available: float,
                breakable: Sequence[bool] = (), least: Sequence[float] = ()) -> tuple[str, str]:
    """(column specification, font size). `l`/`r` columns at their natural widths when the table fits;
    otherwise the widest columns whose cells can break (formulas) become ragged `p{…}` columns sharing
    what the others leave (none narrower than its `least`, the widest piece no break can split), and a
    table of unbreakable numbers that is still too wide gets a smaller font."""
    natural = "".join("l" if i in left else "r" for i in range(len(widths)))
    room = available - COLUMN_GAP_PT * len(widths) - 4
    if sum(widths) <= room:
        return natural, r"\small"
    can = list(breakable) or [True] * len(widths)
    solid = sum(w for w, b in zip(widths, can) if not b)
    pieces = sum(max(x, 30.0) for x, b in zip(least, can) if b)  # the breakable columns at their narrowest
    for size, scale in ((r"\small", 1.0), (r"\footnotesize", 0.89), (r"\scriptsize", 0.78)):
        if solid * scale + max(60 * sum(can), pieces * scale) <= room or size == r"\scriptsize":
            break
    if sum(widths) * scale <= room:
        return natural, size
    share = room - solid * scale
    wanted = {i: w for i, (w, b) in enumerate(zip(widths, can)) if b}
    total = sum(wanted.values()) or 1.0
    fill = {i: max(share * w / total, 30) for i, w in wanted.items()}
    if least and (any(fill[i] < least[i] * scale for i in fill) or sum(fill.values()) > share + 1):
        slack = 3.0 * len(widths)  # the estimates' error and rounding, now that the columns are tight
        fill = _fill(share - slack, wanted, {i: max(least[i] * scale, 30) for i in wanted})
    spec = [(r">{\raggedright\arraybackslash}p{" + f"{fill[i]:.0f}pt" + "}") if b else
            ("l" if i in left else "r") for i, (w, b) in enumerate(zip(widths, can))]
    return "".join(spec), size


def _fill(share: float, wanted: dict[int, float], least: dict[int, float]) -> dict[int, float]:
    """`share` points split among columns in proportion to their `wanted` widths, none below its `least`."""
    pinned: dict[int, float] = {}
    while True:
        free = {i: w for i, w in wanted.items() if i not in pinned}
        rest = share - sum(pinned.values())
        total = sum(free.values()) or 1.0
        out = {i: rest * w / total for i, w in free.items()}
        low = {i: least[i] for i, w in out.items() if w < least[i]}
        if not low:
            return out | pinned
        pinned |= low


SHORT_TABLE_ROWS = 15  # a table no taller than this many rows can move to the next page whole


def short_table(size: str, spec: str, head: str, body: list[str]) -> str:
    """A table that never breaks across pages, as `tabular`: set at its natural widths in one pass, where a
    longtable needs two or three to settle them; spaced and placed as a longtable is."""
    return ("{" + size + r"\par\vskip\LTpre\noindent\begin{tabular}{" + spec + "}\n" + head + "\n" +
            "\n".join(body) + "\n" + r"\end{tabular}\par\vskip\LTpost}")
