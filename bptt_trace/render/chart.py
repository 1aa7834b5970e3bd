"""Charts of a positive series on a log scale: as terminal text, and as an SVG file."""

from __future__ import annotations

import math
from bptt_trace.render.safe_text import xml_text as escape


def _decades(values: list[float]) -> tuple[int, int]:
    logs = [math.log10(v) for v in values if v > 0]
    if not logs:
        return -1, 1
    low, high = math.floor(min(logs)), math.ceil(max(logs))
    return low, high if high > low else low + 1


def text_chart(xs: list[int], ys: list[float], width: int = 60, height: int = 10, x_name: str = "t") -> list[str]:
    """`*` marks each point, rows are decades from the top; zeros (no logarithm) are left out."""
    low, high = _decades(ys)
    cols = max(2, min(width, len(xs)))
    grid = [[" "] * cols for _ in range(height)]
    for i, (x, y) in enumerate(zip(xs, ys)):
        if y <= 0:
            continue
        col = round(i * (cols - 1) / max(len(xs) - 1, 1))
        row = round((high - math.log10(y)) / (high - low) * (height - 1))
        grid[row][col] = "*"
    label = [f"1e{high}", f"1e{low}"]
    pad = max(len(s) for s in label)
    lines = []
    for r, row in enumerate(grid):
        tag = label[0] if r == 0 else label[1] if r == height - 1 else ""
        lines.append(f"{tag:>{pad}} |" + "".join(row))
    lines.append(" " * pad + " +" + "-" * cols)
    first, last = f"{x_name} = {xs[0]}", f"{x_name} = {xs[-1]}"
    lines.append(" " * pad + "  " + first + " " * max(1, cols - len(first) - len(last)) + last)
    return lines


def svg_chart(title: str, xs: list[int], series: dict[str, list[float]], width: int = 720, height: int = 400,
              x_name: str = "time step t") -> str:
    """A standalone SVG: each series as a line against t, on a log scale with a tick per decade."""
    left, right, top, bottom = 70, 20, 40, 50
    low, high = _decades([v for ys in series.values() for v in ys])
    x_at = lambda x: left + (x - xs[0]) / max(xs[-1] - xs[0], 1) * (width - left - right)  # noqa: E731
    y_at = lambda y: top + (high - math.log10(y)) / (high - low) * (height - top - bottom)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="12">', f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>']
    step = max(1, (high - low) // 10)
    for d in range(low, high + 1, step):
        y = y_at(10.0 ** d)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">1e{d}</text>')
    out.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>')
    for x in (xs[0], xs[len(xs) // 2], xs[-1]):
        out.append(f'<text x="{x_at(x):.1f}" y="{height - bottom + 18}" text-anchor="middle">{x}</text>')
    out.append(f'<text x="{width / 2}" y="{height - 10}" text-anchor="middle">{escape(x_name)}</text>')
    colours = ["#1f77b4", "#d62728", "#2ca02c"]
    for k, (name, ys) in enumerate(series.items()):
        points = " ".join(f"{x_at(x):.1f},{y_at(y):.1f}" for x, y in zip(xs, ys) if y > 0)
        out.append(f'<polyline fill="none" stroke="{colours[k % 3]}" stroke-width="2" points="{points}"/>')
        out.append(f'<text x="{left + 10}" y="{top + 16 + 16 * k}" fill="{colours[k % 3]}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
