"""The unrolled picture as a standalone SVG, written by hand; every text is escaped here.

Forward arrows are solid and black, backward ones dashed and orange, chain-rule paths thick and
bluish green (Okabe–Ito colours, told apart by line style too). Every quantity's text carries its
canonical name (`data-name`), and a value sits in its own `<tspan class="value">`.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from bptt_trace.render.unrolled import FONT, Edge, Picture, Text

COLOURS = {"forward": "#222222", "backward": "#D55E00", "path": "#009E73"}
STROKES = {"forward": 'stroke-width="1.3"', "backward": 'stroke-width="1.3" stroke-dasharray="5 3"',
           "path": 'stroke-width="2.5" stroke-opacity="0.75"'}
_SUB = re.compile(r"_\(([^()]*)\)|_([A-Za-z0-9,…+−\-]+)")


def svg(picture: Picture) -> str:
    """The whole SVG document."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{picture.width}" height="{picture.height}" '
           f'viewBox="0 0 {picture.width} {picture.height}" font-family="DejaVu Sans Mono, Menlo, Consolas, '
           f'monospace" font-size="{FONT}">', "<defs>"]
    for kind in ("forward", "backward"):
        out.append(f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto-start-reverse"><path d="M0,1 L10,5 L0,9 z" '
                   f'fill="{COLOURS[kind]}"/></marker>')
    out += ["</defs>", f'<rect width="{picture.width}" height="{picture.height}" fill="white"/>']
    out += [_edge(e) for e in picture.edges]
    for b in picture.boxes:
        dash = ' stroke-dasharray="3 3"' if b.role == "gap" else ""
        fill = "#f4f4f4" if b.role in ("input", "sum") else "white"
        out.append(f'<rect class="node {b.role}" data-node={quoteattr(b.key)} x="{b.x:.1f}" y="{b.y:.1f}" '
                   f'width="{b.w:.1f}" height="{b.h:.1f}" rx="4" fill="{fill}" stroke="#666"{dash}/>')
    out += [_text(t) for t in picture.texts]
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _edge(e: Edge) -> str:
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in e.points)
    marker = f' marker-end="url(#arrow-{e.kind})"' if e.arrow and e.kind in ("forward", "backward") else ""
    line = (f'<polyline class="edge {e.kind}" points="{points}" fill="none" stroke="{COLOURS[e.kind]}" '
            f'{STROKES[e.kind]}{marker}/>')
    if e.cut is None:
        return line
    x, y = e.cut
    bars = " ".join(f"M{x + dx:.1f},{y - 6:.1f} L{x + dx:.1f},{y + 6:.1f}" for dx in (-2, 2))
    return line + f'\n<path class="cut" d="{bars}" stroke="{COLOURS["backward"]}" stroke-width="2"/>'


def _text(t: Text) -> str:
    anchor = "" if t.anchor == "start" else f' text-anchor="{t.anchor}"'
    name = f" data-name={quoteattr(t.name)}" if t.name else ""
    weight = ' font-weight="bold"' if t.bold else ""
    body, lowered = label(t.label)
    if t.value:
        rise = ' dy="-3"' if lowered else ""
        body += f'<tspan class="value"{rise}>{escape(t.value)}</tspan>'
    return (f'<text class="{t.kind}" x="{t.x:.1f}" y="{t.y:.1f}"{anchor}{name}{weight} '
            f'fill="{COLOURS[t.kind]}">{body}</text>')


def label(s: str) -> tuple[str, bool]:
    """A label in the project's notation with its subscripts lowered (`h_1`, `δz_f,3`), escaped;
    and whether it ends lowered (the text after it must rise again)."""
    out, at, lowered = [], 0, False
    for m in _SUB.finditer(s):
        out.append(_run(s[at:m.start()], lowered))
        sub = m.group(1) if m.group(1) is not None else m.group(2)
        out.append(f'<tspan dy="3" font-size="{FONT - 3}">{escape(sub)}</tspan>')
        at, lowered = m.end(), True
    rest = s[at:]
    out.append(_run(rest, lowered))
    return "".join(out), lowered and not rest


def _run(text: str, lowered: bool) -> str:
    if not text:
        return ""
    return f'<tspan dy="-3">{escape(text)}</tspan>' if lowered else escape(text)
