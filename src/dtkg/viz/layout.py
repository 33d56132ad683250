"""Positions and label placement shared by the PNG/SVG and HTML renderers.

Coordinates are in inches at the final drawing size, so a label's size in points is
known in layout units: components are laid out one by one (spring layout, seeded),
packed on shelves, and each label is put beside its node where it overlaps nothing
already placed; labels of the least connected nodes are dropped when there is no room.
"""
from __future__ import annotations

import math
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

import networkx as nx
import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib and has every Vietnamese glyph
NODE_FONT_SIZE = 8.0
EDGE_FONT_SIZE = 6.5
WRAP = 26  # characters per label line
NODE_SPACING = 1.25  # inches between neighbours in a component
GAP = 0.35  # inches between packed components
LABELLED_EDGE_KINDS = {"heads", "membership", "ranking"}
MIN_SEPARATION = 0.4  # inches between (nearly all) nodes of a component
_TEXT = TextToPath()


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in inches."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


@dataclass(frozen=True)
class Label:
    """A placed label: anchor point, alignment and the text lines."""

    x: float
    y: float
    ha: str
    va: str
    text: str
    box: Box


class Occupied:
    """Boxes already used, bucketed on a grid so that a look-up only visits its neighbourhood."""

    CELL = 0.5  # inches

    def __init__(self, boxes: Iterable[Box] = ()):
        self.cells: dict[tuple[int, int], list[Box]] = defaultdict(list)
        for box in boxes:
            self.add(box)

    def _keys(self, box: Box) -> Iterator[tuple[int, int]]:
        for i in range(math.floor(box.x0 / self.CELL), math.floor(box.x1 / self.CELL) + 1):
            for j in range(math.floor(box.y0 / self.CELL), math.floor(box.y1 / self.CELL) + 1):
                yield i, j

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self.cells[key].append(box)

    def hits(self, box: Box) -> bool:
        """Whether `box` overlaps any box already added."""
        return any(b.overlaps(box) for key in self._keys(box) for b in self.cells.get(key, ()))

    def count(self, box: Box) -> int:
        """How many added boxes `box` overlaps."""
        return len({id(b) for key in self._keys(box) for b in self.cells.get(key, ()) if b.overlaps(box)})


def wrap(label: str, width: int = WRAP) -> str:
    """Break a long Vietnamese name onto lines of about `width` characters."""
    return "\n".join(textwrap.wrap(label, width=width, break_long_words=False)) or label


@lru_cache(maxsize=4096)
def text_size(text: str, size: float) -> tuple[float, float]:
    """Width and height in inches of (possibly multi-line) text in DejaVu Sans at `size` points."""
    prop = FontProperties(family=FONT_FAMILY, size=size)
    lines = text.split("\n")
    width = max(_TEXT.get_text_width_height_descent(line, prop, ismath=False)[0] for line in lines)
    return width / 72.0, len(lines) * size * 1.25 / 72.0


def spring(n: int, edges: list[tuple[int, int]], seed: int, iterations: int) -> np.ndarray:
    """Fruchterman-Reingold force layout of nodes 0..n-1 (dense numpy; no scipy needed at any size)."""
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    adjacency = np.zeros((n, n))
    for i, j in edges:
        adjacency[i, j] = adjacency[j, i] = 1.0
    k = 1.0 / math.sqrt(n)
    step = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.clip(np.linalg.norm(delta, axis=-1), 0.01, None)
        force = k * k / distance**2 - adjacency * distance / k  # repulsion minus attraction
        shift = np.einsum("ijk,ij->ik", delta, force)
        length = np.clip(np.linalg.norm(shift, axis=-1), 0.01, None)
        pos += shift * (step / length)[:, None]
        step -= 0.1 / (iterations + 1)
    return pos - pos.mean(axis=0)


def _component_layout(h: nx.Graph, seed: int) -> dict:
    """Lay out one connected component around (0, 0), in inches."""
    nodes = sorted(h.nodes, key=str)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    if len(nodes) == 2:
        return {nodes[0]: (0.0, 0.0), nodes[1]: (NODE_SPACING * 1.4, 0.0)}
    index = {node: i for i, node in enumerate(nodes)}
    edges = sorted({tuple(sorted((index[u], index[v]))) for u, v in h.edges if u != v})
    xy = spring(len(nodes), edges, seed, iterations=150 if len(nodes) <= 200 else 80)
    # scale so that the median edge is NODE_SPACING long and crowded nodes (the leaves of a
    # hub) are still MIN_SEPARATION apart — except the closest few percent
    lengths = sorted(float(np.linalg.norm(xy[i] - xy[j])) for i, j in edges) or [1.0]
    gaps = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)) + np.eye(len(nodes)) * 1e9
    nearest = np.sort(gaps.min(axis=1))[int(len(nodes) * 0.05)]
    factor = max(NODE_SPACING / max(lengths[len(lengths) // 2], 1e-6), MIN_SEPARATION / max(float(nearest), 1e-6))
    return {node: (float(xy[i, 0]) * factor * 1.5, float(xy[i, 1]) * factor) for node, i in index.items()}


def layout(g: nx.Graph, seed: int = 7) -> dict:
    """Place every node (inches): each component laid out alone, then packed row by row."""
    simple = nx.Graph(g.to_undirected()) if g.is_directed() or g.is_multigraph() else g
    parts = []
    for comp in nx.connected_components(simple):
        pos = _component_layout(simple.subgraph(comp), seed)
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        pad_x = max(text_size(wrap(g.nodes[n].get("label", str(n))), NODE_FONT_SIZE)[0] for n in comp) / 2 + 0.1
        box = (min(xs) - pad_x, min(ys) - 0.3, max(xs) + pad_x, max(ys) + 0.3)
        parts.append((box, pos))
    parts.sort(key=lambda p: (-(p[0][3] - p[0][1]), -(p[0][2] - p[0][0]), min(map(str, p[1]))))
    total_area = sum((b[2] - b[0] + GAP) * (b[3] - b[1] + GAP) for b, _ in parts)
    row_width = max(math.sqrt(total_area) * 1.5, max((b[2] - b[0] for b, _ in parts), default=1.0))
    placed: dict = {}
    x = y = row_height = 0.0
    for (x0, y0, x1, y1), pos in parts:
        width, height = x1 - x0, y1 - y0
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y - row_height - GAP, 0.0
        for node, (px, py) in pos.items():
            placed[node] = (x + px - x0, y - (y1 - py))
        x += width + GAP
        row_height = max(row_height, height)
    return placed


def node_radius(degree: int) -> float:
    """Marker radius in inches: grows slowly with the number of connections, up to 0.2."""
    return min(0.05 + 0.054 * math.sqrt(max(degree, 0)), 0.2)


def place_labels(g: nx.Graph, pos: dict, max_labels: int | None = None) -> tuple[dict, dict]:
    """Choose where node and edge labels go so that no two labels (or a label and a node) overlap.

    Nodes are served most-connected first, then edge labels; a label that finds no free
    spot is left out (the HTML view shows it on hover). Returns ({node: Label}, {(u, v): Label}).
    """
    degree = dict(g.degree())
    taken = Occupied()
    for node, (x, y) in pos.items():
        r = node_radius(degree.get(node, 0))
        taken.add(Box(x - r, y - r, x + r, y + r))
    labels = _place_node_labels(g, pos, degree, taken, max_labels)
    return labels, _place_edge_labels(g, pos, taken)


def edge_texts(g: nx.Graph) -> dict:
    """The text drawn on each connected pair: the distinct labels of its edges, joined.

    Only kinds whose label says more than the legend does (a role, a rank) are written;
    the others are told apart by colour and dash (planned links are dashed).
    """
    texts: dict = {}
    for u, v, data in g.edges(data=True):
        if u == v or not data.get("label") or data.get("kind") not in LABELLED_EDGE_KINDS:
            continue
        texts.setdefault((u, v), [])
        if data["label"] not in texts[(u, v)]:
            texts[(u, v)].append(data["label"])
    # "DTI 2021 · hạng 1" adds nothing next to "DTI 2021 · hạng 1 · 0.6321": keep the longer one
    return {pair: ", ".join(sorted(v for v in values if not any(o != v and o.startswith(v) for o in values)))
            for pair, values in texts.items()}


def _place_edge_labels(g: nx.Graph, pos: dict, taken: Occupied) -> dict:
    """Put each edge label on its edge (middle, then nearer either end) where it overlaps nothing."""
    labels: dict = {}
    for (u, v), text in sorted(edge_texts(g).items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        w, h = text_size(text, EDGE_FONT_SIZE)
        (x0, y0), (x1, y1) = pos[u], pos[v]
        for t in (0.5, 0.35, 0.65):
            x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
            box = Box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            if not taken.hits(box):
                labels[(u, v)] = Label(x, y, "center", "center", text, box)
                taken.add(box)
                break
    return labels


def _place_node_labels(g: nx.Graph, pos: dict, degree: dict, taken: Occupied, max_labels: int | None) -> dict:
    """Greedy placement of node labels, most connected first (see place_labels)."""
    order = sorted(pos, key=lambda n: (-degree.get(n, 0), str(g.nodes[n].get("label", n))))
    edge_points = _edge_points(g, pos)
    labels: dict = {}
    for node in order[: max_labels if max_labels is not None else len(order)]:
        text = wrap(str(g.nodes[node].get("label", node)))
        w, h = text_size(text, NODE_FONT_SIZE)
        x, y = pos[node]
        r = node_radius(degree.get(node, 0)) + 0.04
        candidates = [
            (x + r, y, "left", "center", Box(x + r, y - h / 2, x + r + w, y + h / 2)),
            (x - r, y, "right", "center", Box(x - r - w, y - h / 2, x - r, y + h / 2)),
            (x, y + r, "center", "bottom", Box(x - w / 2, y + r, x + w / 2, y + r + h)),
            (x, y - r, "center", "top", Box(x - w / 2, y - r - h, x + w / 2, y - r)),
            (x + r, y + r, "left", "bottom", Box(x + r, y + r, x + r + w, y + r + h)),
            (x + r, y - r, "left", "top", Box(x + r, y - r - h, x + r + w, y - r)),
            (x - r, y + r, "right", "bottom", Box(x - r - w, y + r, x - r, y + r + h)),
            (x - r, y - r, "right", "top", Box(x - r - w, y - r - h, x - r, y - r)),
        ]
        free = [c for c in candidates if not taken.hits(c[4])]
        if free:  # the free spot crossed by the fewest edges (first in candidate order on ties)
            lx, ly, ha, va, box = min(free, key=lambda c: edge_points.count(c[4]))
            labels[node] = Label(lx, ly, ha, va, text, box)
            taken.add(box)
    return labels


def _edge_points(g: nx.Graph, pos: dict, step: float = 0.08) -> Occupied:
    """Small boxes along every edge: labels try not to sit on a line."""
    points = Occupied()
    for u, v in {(u, v) for u, v in g.edges() if u != v}:
        (x0, y0), (x1, y1) = pos[u], pos[v]
        n = max(int(math.dist((x0, y0), (x1, y1)) / step), 1)
        for i in range(1, n):
            x, y = x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n
            points.add(Box(x - 0.01, y - 0.01, x + 0.01, y + 0.01))
    return points


def extent(pos: dict, *label_maps: dict) -> Box:
    """The rectangle that holds every node and placed label."""
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    boxes = [lab.box for labels in label_maps for lab in labels.values()]
    return Box(min(xs + [b.x0 for b in boxes]) - 0.2, min(ys + [b.y0 for b in boxes]) - 0.2,
               max(xs + [b.x1 for b in boxes]) + 0.2, max(ys + [b.y1 for b in boxes]) + 0.2)
