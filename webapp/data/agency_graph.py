"""The relations between agencies as a drawing: a layered layout computed here, turned into
the coordinates of an SVG that the template draws (so every label is escaped there).

Overseers sit above what they oversee (a layer per step of the longest chain, each line
bent through the layers it crosses, so it passes no box); agencies in a layer keep apart
by their widths; every line's words are set where they cover no box and no other words.
Relations are told apart by line pattern and by a text label on every line, never by
colour alone; the pages list the same relations in words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

MARGIN, GAP, LINE_HEIGHT, CHAR = 24.0, 36.0, 13.0, 6.9
Box = tuple[float, float, float, float]  # left, top, right, bottom

# relation kind -> (words on the line, dash pattern; "" is a solid line), strongest first
KINDS: dict[str, tuple[str, str]] = {
    "investigate": ("investigates (its members)", ""),
    "discipline": ("disciplines (its members)", ""),
    "hear": ("hears matters of", "10 4 2 4"),
    "audit-review": ("audits, reviews", "9 5"),
    "recommend": ("recommends to", "14 5"),
    "receive-complaints": ("takes complaints (about its members)", "3 3"),
    "refer": ("refers complaints (about its members)", "2 5"),
    "part-of": ("part of", ""),
    "contractor-of": ("contractor of", "1 4"),
}
# the words on the line itself (the legend and the table give the full words)
SHORT = {
    "investigate": "investigates",
    "discipline": "disciplines",
    "hear": "hears",
    "audit-review": "audits, reviews",
    "recommend": "recommends",
    "receive-complaints": "takes complaints",
    "refer": "refers complaints",
    "part-of": "part of",
    "contractor-of": "contractor of",
}


@dataclass
class Relation:
    source: str
    target: str
    kinds: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "; ".join(KINDS.get(k, (k, ""))[0] for k in self.ordered())

    @property
    def lines(self) -> list[str]:
        return [SHORT.get(k, k) for k in self.ordered()]

    @property
    def dash(self) -> str:
        return KINDS.get(self.ordered()[0], ("", ""))[1]

    def ordered(self) -> list[str]:
        order = list(KINDS)
        return sorted(set(self.kinds), key=lambda k: order.index(k) if k in order else 99)


def merge(rows: Iterable[tuple[str, str, str]]) -> list[Relation]:
    """One relation per (from, to), listing every kind of relation between them."""
    out: dict[tuple[str, str], Relation] = {}
    for source, target, kind in rows:
        if source == target:
            continue
        out.setdefault((source, target), Relation(source, target)).kinds.append(kind)
    return sorted(out.values(), key=lambda r: (r.source, r.target))


def around(relations: list[Relation], focus: str) -> list[Relation]:
    """The relations of the agency and of its direct neighbours among themselves."""
    near = {focus} | {r.target for r in relations if r.source == focus}
    near |= {r.source for r in relations if r.target == focus}
    return [r for r in relations if r.source in near and r.target in near]


def _box(code: str) -> tuple[float, float]:
    return 18 + 9.0 * len(code), 30


def _layers(g: nx.DiGraph) -> dict[str, int]:
    """Longest-path layers (a cycle shares one layer), each node then moved down to just
    above the highest of what it points at."""
    cond = nx.condensation(g)
    order = list(nx.topological_sort(cond))
    layer: dict[int, int] = {}
    for c in order:
        layer[c] = max((layer[p] + 1 for p in cond.predecessors(c)), default=0)
    for c in reversed(order):
        below = [layer[s] for s in cond.successors(c)]
        if below:
            layer[c] = min(below) - 1
    low = min(layer.values())
    return {n: layer[cond.graph["mapping"][n]] - low for n in g.nodes}


@dataclass
class _Component:
    rows: list[list[str]]  # node (or bend point "~i~k") names per layer, left to right
    paths: dict[tuple[str, str], list[str]]  # each relation through its bend points
    widths: dict[str, float]


def _component(g: nx.DiGraph, nodes: set[str]) -> _Component:
    sub = g.subgraph(nodes)
    layer = _layers(sub)
    depth = max(layer.values()) + 1
    rows: list[list[str]] = [[] for _ in range(depth)]
    widths: dict[str, float] = {}
    for n in sorted(sub.nodes):
        rows[layer[n]].append(n)
        widths[n] = _box(n)[0]
    paths: dict[tuple[str, str], list[str]] = {}
    for i, (a, b) in enumerate(sorted(sub.edges)):
        lo, hi = sorted((layer[a], layer[b]))
        bends = [f"~{i}~{k}" for k in range(lo + 1, hi)]
        for k, name in zip(range(lo + 1, hi), bends, strict=True):
            rows[k].append(name)
            widths[name] = 8.0
        paths[(a, b)] = [a, *(bends if layer[a] <= layer[b] else bends[::-1]), b]
    links: dict[str, set[str]] = {}
    for path in paths.values():
        for x, y in zip(path, path[1:], strict=False):
            links.setdefault(x, set()).add(y)
            links.setdefault(y, set()).add(x)
    for sweep in range(8):  # barycentre ordering, down then up
        span = range(1, depth) if sweep % 2 == 0 else range(depth - 2, -1, -1)
        for k in span:
            near = rows[k - 1] if sweep % 2 == 0 else rows[k + 1]
            where = {n: i for i, n in enumerate(near)}
            rows[k].sort(key=lambda n: _mean([where[m] for m in links.get(n, ()) if m in where]))
    return _Component(rows, paths, widths)


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else math.inf


def _overlap(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _clip(x1: float, y1: float, x2: float, y2: float, w: float, h: float) -> tuple[float, float]:
    """Where the line from (x1, y1) to the centre (x2, y2) of a w x h box meets the box."""
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return x2, y2
    scale = min(
        (w / 2) / abs(dx) if dx else math.inf,
        (h / 2) / abs(dy) if dy else math.inf,
    )
    return x2 - dx * scale, y2 - dy * scale


def _place(
    comps: list[_Component], gap: float, band: float
) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Centres of every node and bend point; the drawing's width and height."""
    at: dict[str, tuple[float, float]] = {}
    left, height = MARGIN, 0.0
    for c in comps:
        spans = [sum(c.widths[n] for n in row) + gap * (len(row) - 1) for row in c.rows]
        width = max(spans)
        for k, row in enumerate(c.rows):
            x = left + (width - spans[k]) / 2
            for n in row:
                at[n] = (round(x + c.widths[n] / 2, 1), MARGIN + 15 + k * band)
                x += c.widths[n] + gap
        left += width + gap * 2
        height = max(height, MARGIN * 2 + 30 + (len(c.rows) - 1) * band)
    return at, left - gap * 2 + MARGIN, height


def _label(points: list[tuple[float, float]], lines: list[str], placed: list[Box]) -> Box | None:
    """A box for a line's words, on the line, that covers nothing placed so far."""
    w = CHAR * max(len(x) for x in lines) + 8
    h = LINE_HEIGHT * len(lines) + 4
    segments = list(zip(points, points[1:], strict=False))
    for t in (0.5, 0.38, 0.62, 0.27, 0.73, 0.16, 0.84):
        for (x1, y1), (x2, y2) in sorted(segments, key=lambda s: -abs(s[1][1] - s[0][1])):
            for shift in (0.0, -0.3, 0.3, -0.6, 0.6):
                cx = x1 + (x2 - x1) * t + shift * w
                cy = y1 + (y2 - y1) * t
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if not any(_overlap(box, other) for other in placed):
                    return box
    return None


def drawing(relations: list[Relation], focus: str | None, names: dict[str, str]) -> dict[str, Any]:
    """Nodes (boxes) and edges (bent lines with their words) in a width x height box, no
    two boxes or words overlapping."""
    g = nx.DiGraph()
    g.add_edges_from((r.source, r.target) for r in relations)
    if focus:
        g.add_node(focus)
    if not g.nodes:
        return {"width": 320, "height": 80, "nodes": [], "edges": []}
    parts = sorted(nx.weakly_connected_components(g), key=lambda c: (focus not in c, -len(c)))
    comps = [_component(g, set(c)) for c in parts]
    gap, band = GAP, 110.0
    for _ in range(12):  # spread out until every line's words find room
        result = _attempt(comps, relations, focus, names, gap, band)
        if result is not None:
            return result
        gap, band = gap + 14, band + 22
    raise RuntimeError("no layout without overlaps was found; draw fewer relations at once")


def _attempt(
    comps: list[_Component],
    relations: list[Relation],
    focus: str | None,
    names: dict[str, str],
    gap: float,
    band: float,
) -> dict[str, Any] | None:
    at, width, height = _place(comps, gap, band)
    paths = {k: v for c in comps for k, v in c.paths.items()}
    nodes = []
    placed: list[Box] = []
    for c in comps:
        for n in (n for row in c.rows for n in row if not n.startswith("~")):
            (x, y), (w, h) = at[n], _box(n)
            nodes.append(
                {
                    "code": n,
                    "name": names.get(n, n),
                    "x": x,
                    "y": y,
                    "w": w,
                    "h": h,
                    "left": round(x - w / 2, 1),
                    "top": round(y - h / 2, 1),
                    "focus": n == focus,
                }
            )
            placed.append((x - w / 2 - 6, y - h / 2 - 6, x + w / 2 + 6, y + h / 2 + 6))
    pairs = {(r.source, r.target) for r in relations}
    edges = []
    for r in sorted(relations, key=lambda r: (-len(r.lines), r.source, r.target)):
        shift = 6.0 if (r.target, r.source) in pairs else 0.0
        points = [(at[n][0] + shift, at[n][1]) for n in paths[(r.source, r.target)]]
        points[0] = _clip(*points[1], *points[0], *_box(r.source))
        points[-1] = _clip(*points[-2], *points[-1], *_box(r.target))
        box = _label(points, r.lines, placed)
        if box is None:
            return None
        placed.append(box)
        edges.append(
            {
                "source": r.source,
                "target": r.target,
                "label": r.label,
                "dash": r.dash,
                "lines": r.lines,
                "d": "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in points),
                "lx": round((box[0] + box[2]) / 2, 1),
                "ly": round(box[1] + 2 + LINE_HEIGHT - 3, 1),
            }
        )
    edges.sort(key=lambda e: (e["source"], e["target"]))
    return {"width": round(width), "height": round(height), "nodes": nodes, "edges": edges}


def legend() -> list[dict[str, str]]:
    return [{"kind": k, "words": words, "dash": dash} for k, (words, dash) in KINDS.items()]
