"""The unrolled network as a picture, format-neutral: boxes of labelled values at positions,
arrows between them (forward solid, backward dashed), a legend and notes.

`unrolled_nets` says which boxes and arrows a network has; this module places them on a grid of
columns (time steps or layers) and rows (inputs, states, outputs, loss) and routes the arrows
along horizontal and vertical segments only, so that both writers (`unrolled_svg`,
`unrolled_tex`) draw exactly the same picture with the simplest primitives. Sizes are in SVG
pixels; the LaTeX writer scales them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FONT = 11  # px, values and labels
CHAR_W = 7.0  # an upper estimate of one character's width at FONT (monospace, with a margin)
LINE_H = 14
PAD = 6
GAP_X, GAP_Y = 52, 36
MARGIN, TOP = 16, 46
SHIFT = 4  # forward arrows run SHIFT px above/left of the centre line, backward ones below/right

Point = tuple[float, float]


@dataclass(frozen=True)
class Item:
    """One quantity written in a box: its canonical name, display label, value lines, and kind."""

    name: str
    label: str
    lines: tuple[str, ...]  # one line for a number or vector, a row each for a matrix; "" when blank
    kind: str = "forward"  # forward | backward | path


@dataclass(frozen=True)
class Text:
    """A line of text at (x, y) (the baseline's start, or its centre when `anchor` is middle)."""

    x: float
    y: float
    label: str  # in the project's notation (h_1, δz_3): writers set subscripts
    value: str = ""  # a number or vector as shown; written as it is
    kind: str = "forward"
    name: str = ""  # the canonical name it shows, if any
    anchor: str = "start"  # start | middle | end
    bold: bool = False


@dataclass(frozen=True)
class Box:
    """A node's frame: `role` is input, state, output, loss, gates, sum or gap (dashed, for `…`)."""

    key: str
    x: float
    y: float
    w: float
    h: float
    role: str


@dataclass(frozen=True)
class Edge:
    """An arrow along `points` (horizontal and vertical segments); `cut` marks where truncation cuts it."""

    points: tuple[Point, ...]
    kind: str  # forward | backward | path
    cut: Point | None = None
    arrow: bool = True


@dataclass(frozen=True)
class Picture:
    """Everything a writer draws, in its drawing order: edges under boxes, texts on top."""

    width: float
    height: float
    edges: tuple[Edge, ...]
    boxes: tuple[Box, ...]
    texts: tuple[Text, ...]


@dataclass
class Node:
    """A box before placement: its grid cell, title and items."""

    key: str
    col: float
    row: str
    title: str
    items: list[Item]
    role: str
    title_value: str = ""


@dataclass
class Link:
    """An arrow before routing, between two nodes: `route` straight, elbow (into the target's left
    side through the gap before it), back (out of the source's left side, then up or down) or over."""

    src: str
    dst: str
    kind: str
    label: str = ""
    route: str = "straight"
    cut: str = ""  # a note where truncation cuts this arrow


@dataclass
class Sketch:
    """What a network draws, before placement: nodes on a grid of columns and rows, links, notes."""

    title: str
    rows: list[str]
    nodes: dict[str, Node] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)  # x, y ignored: stacked under the picture
    paths: list[list[str]] = field(default_factory=list)  # the nodes each chain-rule path passes, loss first
    marks: dict[str, str] = field(default_factory=dict)  # a node -> the paths that end there ("paths 1, 2")

    def node(self, key: str, col: float, row: str, title: str, items: list[Item], role: str = "state") -> Node:
        """Add (or return) a node."""
        if key not in self.nodes:
            self.nodes[key] = Node(key, col, row, title, items, role)
        return self.nodes[key]

    def link(self, src: str, dst: str, kind: str, label: str = "", route: str = "straight", cut: str = "") -> None:
        """Add an arrow if both ends are drawn."""
        if src in self.nodes and dst in self.nodes:
            self.links.append(Link(src, dst, kind, label, route, cut))


def text_width(s: str) -> float:
    """Estimated width of a text line at FONT."""
    return len(s) * CHAR_W


def item_lines(item: Item) -> list[str]:
    """A quantity as the lines of text it takes: `h_1 = [0.2, 0.3]`, or a label over a matrix's rows."""
    blank = "_" * 8
    if len(item.lines) == 1:
        return [f"{item.label} = {item.lines[0] or blank}"]
    return [f"{item.label} ="] + ["  " + (row or blank) for row in item.lines]


def _size(node: Node) -> tuple[float, float]:
    lines = [node.title + node.title_value] + [line for item in node.items for line in item_lines(item)]
    width = max(text_width(line) for line in lines) + 2 * PAD
    return max(width, 34), len(lines) * LINE_H + 2 * PAD - 2


def place(sketch: Sketch) -> Picture:
    """Lay the sketch out: column and row sizes from the widest and tallest nodes, then the arrows."""
    sizes = {k: _size(n) for k, n in sketch.nodes.items()}
    cols = sorted({n.col for n in sketch.nodes.values()})
    rows = [r for r in sketch.rows if any(n.row == r for n in sketch.nodes.values())]
    col_w = {c: max(sizes[k][0] for k, n in sketch.nodes.items() if n.col == c) for c in cols}
    row_h = {r: max(sizes[k][1] for k, n in sketch.nodes.items() if n.row == r) for r in rows}
    gap_x = max([GAP_X] + [text_width(link.label) + 24 for link in sketch.links if link.route == "straight"])
    col_x, x = {}, MARGIN + 20
    for c in cols:
        col_x[c], x = x, x + col_w[c] + gap_x
    row_y, y = {}, TOP
    for r in rows:
        row_y[r], y = y, y + row_h[r] + GAP_Y
    boxes, texts = {}, []
    for k, n in sketch.nodes.items():
        w, h = sizes[k]
        bx, by = col_x[n.col] + (col_w[n.col] - w) / 2, row_y[n.row] + (row_h[n.row] - h) / 2
        boxes[k] = Box(k, bx, by, w, h, n.role)
        texts += _node_texts(n, boxes[k])
    grid = _Grid(col_x, col_w, gap_x)
    edges = []
    for link in sketch.links:
        back = link.kind == "backward"  # the way back runs along the forward arrow's route
        pts = grid.route(link, boxes[link.dst if back else link.src], boxes[link.src if back else link.dst])
        pts = pts[::-1] if back else pts
        edges.append(_edge(pts, link))
        if link.label:
            texts.append(_edge_label(pts, link))
        if link.cut:
            texts.append(Text(*_middle(pts, 16, SHIFT + 27), f"cut {link.cut}", kind="backward", anchor="middle"))
    edges = [_path_edge(boxes, p, i, len(sketch.paths)) for i, p in enumerate(sketch.paths)] + edges
    texts += [Text(boxes[k].x - 3, boxes[k].y - 5, mark, kind="path", anchor="end", bold=True)
              for k, mark in sketch.marks.items()]
    width = max(b.x + b.w for b in boxes.values()) + MARGIN
    texts.insert(0, Text(MARGIN, 22, "", sketch.title, bold=True))
    texts += [Text(MARGIN, y + (i + 0.5) * LINE_H, n.label, n.value, n.kind, n.name) for i, n in enumerate(sketch.notes)]
    height = y + len(sketch.notes) * LINE_H + 8
    width = max([width] + [MARGIN + text_width(n.label + n.value) + 8 for n in sketch.notes])
    return Picture(round(width), round(height), tuple(edges), tuple(boxes.values()), tuple(texts))


def _node_texts(n: Node, b: Box) -> list[Text]:
    """The title (bold) and each item's lines, top to bottom inside the box."""
    y = b.y + PAD + LINE_H - 4
    if n.role == "gap":
        return [Text(b.x + b.w / 2, y, n.title, anchor="middle", bold=True)]
    out = [Text(b.x + PAD, y, n.title, n.title_value, bold=True)]
    for item in n.items:
        for i, line in enumerate(item_lines(item)):
            y += LINE_H
            if i == 0 and len(item.lines) == 1:
                out.append(Text(b.x + PAD, y, item.label + " = ", item.lines[0] or "_" * 8, item.kind, item.name))
            elif i == 0:
                out.append(Text(b.x + PAD, y, item.label + " =", "", item.kind, item.name))
            else:
                out.append(Text(b.x + PAD + 2 * CHAR_W, y, "", line[2:], item.kind, f"{item.name}#{i}"))
    return out


class _Grid:
    """Routes arrows between placed boxes through the gaps between columns."""

    def __init__(self, col_x: dict, col_w: dict, gap: float) -> None:
        self.col_x, self.col_w, self.gap = col_x, col_w, gap

    def route(self, link: Link, s: Box, d: Box) -> list[Point]:
        scx, scy, dcx, dcy = s.x + s.w / 2, s.y + s.h / 2, d.x + d.w / 2, d.y + d.h / 2
        if link.route == "over":  # up from the source, along above the row, down into the target
            top = min(s.y, d.y) - 12
            return [(scx, s.y), (scx, top), (dcx, top), (dcx, d.y)]
        if link.route == "elbow":  # out of the source's right side, through the gap before the target
            gx = self._left(d) - self.gap / 2
            return [(s.x + s.w, scy), (gx, scy), (gx, dcy), (d.x, dcy)]
        if link.route == "back":  # out of the source's left side, up or down the gap, into the target's left
            gx = self._left(s) - self.gap / 2
            return [(s.x, scy), (gx, scy), (gx, dcy), (d.x, dcy)]
        if abs(scx - dcx) < 1:  # one column: vertical
            return [(scx, s.y), (dcx, d.y + d.h)] if s.y > d.y else [(scx, s.y + s.h), (dcx, d.y)]
        if s.x < d.x:  # one row: horizontal
            return [(s.x + s.w, scy), (d.x, dcy)]
        return [(s.x, scy), (d.x + d.w, dcy)]

    def _left(self, b: Box) -> float:
        """The left edge of the column holding a box."""
        return max(x for x in self.col_x.values() if x <= b.x + 0.5)


def offset(points: list[Point], d: float) -> list[Point]:
    """The polyline moved by d perpendicular to each segment: horizontal ones down, vertical ones right."""
    out = []
    for i, (x, y) in enumerate(points):
        segs = [(points[j], points[j + 1]) for j in (i - 1, i) if 0 <= j < len(points) - 1]
        dx = d if any(abs(a[0] - b[0]) < 0.5 for a, b in segs) else 0
        dy = d if any(abs(a[1] - b[1]) < 0.5 for a, b in segs) else 0
        out.append((x + dx, y + dy))
    return out


def _edge(pts: list[Point], link: Link) -> Edge:
    if link.kind == "backward":
        moved = offset(pts, SHIFT)
        return Edge(tuple(moved), "backward", _middle(moved) if link.cut else None)
    return Edge(tuple(offset(pts, -SHIFT)), "forward")


def _middle(pts: list[Point], dx: float = 0, dy: float = 0) -> Point:
    """The middle of the longest segment (moved by dx or dy across it)."""
    a, b = max(zip(pts, pts[1:]), key=lambda s: abs(s[0][0] - s[1][0]) + abs(s[0][1] - s[1][1]))
    horizontal = abs(a[1] - b[1]) < 0.5
    return ((a[0] + b[0]) / 2 + (0 if horizontal else dx), (a[1] + b[1]) / 2 + (dy if horizontal else 0))


def _edge_label(pts: list[Point], link: Link) -> Text:
    """A weight's label beside its arrow: forward above or left, backward below or right."""
    back = link.kind == "backward"
    x, y = _middle(pts)
    a, b = max(zip(pts, pts[1:]), key=lambda s: abs(s[0][0] - s[1][0]) + abs(s[0][1] - s[1][1]))
    if abs(a[1] - b[1]) < 0.5:
        return Text(x, y + (SHIFT + 13 if back else -SHIFT - 4), link.label, kind=link.kind, anchor="middle")
    left = x - SHIFT - 4 - text_width(link.label) * 0.8  # subscripts are smaller than the estimate
    return Text(x + SHIFT + 4 if back else left, y + 4, link.label, kind=link.kind)


def _path_edge(boxes: dict[str, Box], keys: list[str], i: int, n: int) -> Edge:
    """One chain-rule path as a thick line through the centres of the boxes it passes, spread apart."""
    centres = [(boxes[k].x + boxes[k].w / 2, boxes[k].y + boxes[k].h / 2) for k in keys]
    pts: list[Point] = [centres[0]]
    for (x0, y0), (x1, y1) in zip(centres, centres[1:]):
        if abs(x0 - x1) > 0.5 and abs(y0 - y1) > 0.5:
            pts.append((x0, y1))  # down first, then across
        pts.append((x1, y1))
    return Edge(tuple(offset(pts, (i - (n - 1) / 2) * 3)), "path", arrow=False)
