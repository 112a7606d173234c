"""The relations between agencies as a drawing: a networkx layout, turned into the
coordinates of an SVG that the template draws (so every label is escaped there).

Relations are told apart by line pattern and by a text label on every line, never by
colour alone. The agency a page is about sits in the middle, the others around it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

WIDTH, HEIGHT, MARGIN = 900, 560, 70

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
    return 16 + 8.2 * len(code), 30


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


def drawing(relations: list[Relation], focus: str | None, names: dict[str, str]) -> dict[str, Any]:
    """Nodes and edges with coordinates in a WIDTH x HEIGHT box."""
    g = nx.Graph()
    for r in relations:
        g.add_edge(r.source, r.target)
    if focus:
        g.add_node(focus)
    if not g.nodes:
        return {"width": WIDTH, "height": 160, "nodes": [], "edges": []}
    if focus and len(g.nodes) > 1:
        others = sorted(n for n in g.nodes if n != focus)
        pos = nx.shell_layout(g, nlist=[[focus], others])
    else:
        pos = nx.spring_layout(g, seed=7, k=1.6 / math.sqrt(len(g.nodes)))
    xs = [float(p[0]) for p in pos.values()]
    ys = [float(p[1]) for p in pos.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0

    def at(n: str) -> tuple[float, float]:
        x = MARGIN + (float(pos[n][0]) - min(xs)) / span_x * (WIDTH - 2 * MARGIN)
        y = MARGIN + (float(pos[n][1]) - min(ys)) / span_y * (HEIGHT - 2 * MARGIN)
        return round(x, 1), round(y, 1)

    nodes = []
    for n in sorted(g.nodes):
        x, y = at(n)
        w, h = _box(n)
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
    pairs = {(r.source, r.target) for r in relations}
    edges: list[dict[str, Any]] = []
    placed: list[tuple[float, float, float, float]] = [
        (n["left"], n["top"], n["left"] + n["w"], n["top"] + n["h"]) for n in nodes
    ]
    for r in sorted(relations, key=lambda r: r.source != focus and r.target != focus):
        (x1, y1), (x2, y2) = at(r.source), at(r.target)
        shift = 7.0 if (r.target, r.source) in pairs else 0.0
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        ox, oy = -(y2 - y1) / length * shift, (x2 - x1) / length * shift
        sx, sy = _clip(x2 + ox, y2 + oy, x1 + ox, y1 + oy, *_box(r.source))
        tx, ty = _clip(x1 + ox, y1 + oy, x2 + ox, y2 + oy, *_box(r.target))
        lx, ly = _label_at(sx, sy, tx, ty, ox, oy, r.lines, placed)
        edges.append(
            {
                "source": r.source,
                "target": r.target,
                "label": r.label,
                "dash": r.dash,
                "lines": r.lines,
                "x1": round(sx, 1),
                "y1": round(sy, 1),
                "x2": round(tx, 1),
                "y2": round(ty, 1),
                "lx": lx,
                "ly": ly,
            }
        )
    return {"width": WIDTH, "height": HEIGHT, "nodes": nodes, "edges": edges}


LINE_HEIGHT = 13.0


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _label_at(
    sx: float,
    sy: float,
    tx: float,
    ty: float,
    ox: float,
    oy: float,
    lines: list[str],
    placed: list[tuple[float, float, float, float]],
) -> tuple[float, float]:
    """A point along the line for its label, where it covers the least of what is drawn."""
    width = 6.4 * max(len(x) for x in lines) + 6
    height = LINE_HEIGHT * len(lines)
    best: tuple[float, float, float, tuple[float, float, float, float]] | None = None
    for t in (0.5, 0.38, 0.62, 0.28, 0.72):
        x = sx + (tx - sx) * t + ox * 1.8
        y = sy + (ty - sy) * t + oy * 1.8 - height / 2 + LINE_HEIGHT - 3
        box = (x - width / 2, y - LINE_HEIGHT + 3, x + width / 2, y - LINE_HEIGHT + 3 + height)
        cost = sum(_overlap(box, other) for other in placed)
        if best is None or cost < best[0]:
            best = (cost, x, y, box)
    assert best is not None
    placed.append(best[3])
    return round(best[1], 1), round(best[2], 1)


def legend() -> list[dict[str, str]]:
    return [{"kind": k, "words": words, "dash": dash} for k, (words, dash) in KINDS.items()]
