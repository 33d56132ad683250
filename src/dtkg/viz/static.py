"""Draw a dtkg networkx graph as a PNG or SVG with matplotlib: colours by kind, legend, readable labels."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import networkx as nx
from matplotlib import patheffects, rc_context
from matplotlib.figure import Figure  # figures made without pyplot: no backend, nothing global changed
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from dtkg.viz.layout import EDGE_FONT_SIZE, FONT_FAMILY, NODE_FONT_SIZE, extent, layout, node_radius, place_labels, text_size
from dtkg.viz.style import EDGE_NAMES, NODE_NAMES, edge_style, node_colour

TITLE_SIZE = 11
LEGEND_ROW = 0.17  # inches per legend row; the band above the drawing holds the title and the legend
MAX_PIXELS = 12000  # a PNG wider or taller than this is saved at a lower dpi (the layout keeps its size)
HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]  # keeps labels legible over lines


def _legend_handles(g: nx.MultiDiGraph) -> list:
    """Legend entries for the node and edge kinds present in the graph."""
    kinds = sorted({d.get("kind", "") for _, d in g.nodes(data=True)}, key=lambda k: list(NODE_NAMES).index(k) if k in NODE_NAMES else 99)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=node_colour(k),
                      markeredgecolor="white", label=NODE_NAMES.get(k, k)) for k in kinds]
    edge_kinds = sorted({d.get("kind", "") for _, _, d in g.edges(data=True)}, key=lambda k: list(EDGE_NAMES).index(k) if k in EDGE_NAMES else 99)
    for kind in edge_kinds:
        colour, dash, width = edge_style(kind)
        handles.append(Line2D([], [], color=colour, linestyle=dash, linewidth=width, label=EDGE_NAMES.get(kind, kind)))
    return handles


def _draw_graph(ax: Any, g: nx.MultiDiGraph, pos: dict, node_labels: dict, edge_labels: dict) -> None:
    """Edges (one arrow per connected pair), nodes and the placed labels, in data units of inches."""
    degree = dict(g.degree())
    drawn = set()
    for u, v, data in sorted(g.edges(data=True), key=lambda e: (str(e[0]), str(e[1]), e[2].get("kind", ""))):
        if (u, v) in drawn or u == v:
            continue
        drawn.add((u, v))
        colour, dash, lw = edge_style(data.get("kind", ""), data.get("status"))
        ax.annotate("", xy=pos[v], xytext=pos[u], zorder=1, arrowprops=dict(
            arrowstyle="-|>", color=colour, linestyle=dash, linewidth=lw, mutation_scale=8,
            shrinkA=node_radius(degree[u]) * 72.0, shrinkB=node_radius(degree[v]) * 72.0))  # points
    for node, (x, y) in pos.items():
        ax.add_patch(Circle((x, y), node_radius(degree[node]), facecolor=node_colour(g.nodes[node].get("kind", "")),
                            edgecolor="white", linewidth=0.8, zorder=2))
    for lab in node_labels.values():
        ax.text(lab.x, lab.y, lab.text, ha=lab.ha, va=lab.va, fontsize=NODE_FONT_SIZE, family=FONT_FAMILY,
                zorder=3, linespacing=1.1, path_effects=HALO)
    for lab in edge_labels.values():
        ax.text(lab.x, lab.y, lab.text, ha="center", va="center", fontsize=EDGE_FONT_SIZE, family=FONT_FAMILY,
                color="#444444", zorder=3, bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.85))


def figure(g: nx.MultiDiGraph, title: str | None = None, seed: int = 7) -> Figure:
    """Lay out and draw the graph on a figure whose size follows the layout (1 data unit = 1 inch)."""
    pos = layout(g, seed=seed)
    node_labels, edge_labels = place_labels(g, pos)
    box = extent(pos, node_labels, edge_labels)
    title = title or g.graph.get("title", "dtkg")
    width = max(box.x1 - box.x0, 6.0, text_size(title, TITLE_SIZE)[0] * 1.1 + 0.3)  # bold is ~10% wider
    height = max(box.y1 - box.y0, 3.0)
    handles = _legend_handles(g)
    ncol = max(1, min(len(handles), int(width // 2.1)))
    band = 0.5 + LEGEND_ROW * math.ceil(len(handles) / ncol)
    fig = Figure(figsize=(width, height + band))
    ax = fig.add_axes((0, 0, 1, height / (height + band)))
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2  # a small drawing sits in the middle
    ax.set_xlim(cx - max(box.x1 - box.x0, width) / 2, cx + max(box.x1 - box.x0, width) / 2)
    ax.set_ylim(cy - max(box.y1 - box.y0, height) / 2, cy + max(box.y1 - box.y0, height) / 2)
    ax.set_aspect("equal", adjustable="datalim")
    ax.axis("off")
    _draw_graph(ax, g, pos, node_labels, edge_labels)
    top = 1 - 0.08 / (height + band)
    fig.text(0.01, top, title, ha="left", va="top", fontsize=TITLE_SIZE, family=FONT_FAMILY, weight="bold")
    if len(node_labels) < g.number_of_nodes():
        fig.text(0.99, top, f"{len(node_labels)} of {g.number_of_nodes()} labels shown (the rest have no room)",
                 ha="right", va="top", fontsize=7, family=FONT_FAMILY, color="#666666")
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.005, top - 0.3 / (height + band)), ncol=ncol,
               frameon=False, prop={"family": FONT_FAMILY, "size": 7}, handlelength=2.2, columnspacing=1.2)
    return fig


def save(g: nx.MultiDiGraph, out: str | Path, title: str | None = None, dpi: int = 110) -> Path:
    """Write the graph to `out` (.png or .svg, chosen by the suffix) and return the path."""
    out = Path(out)
    if out.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"{out}: static pictures are .png or .svg")
    return save_figure(figure(g, title=title), out, dpi)


def save_figure(fig: Figure, out: str | Path, dpi: int = 110) -> Path:
    """Write a figure as PNG or SVG: the same figure gives the same bytes; huge ones get a lower dpi."""
    out = Path(out)
    if out.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"{out}: static pictures are .png or .svg")
    dpi = max(20, min(dpi, int(MAX_PIXELS / max(fig.get_size_inches()))))
    metadata = {"Date": None} if out.suffix.lower() == ".svg" else {}  # no date and no random
    with rc_context({"svg.hashsalt": "dtkg"}):  # clip-path ids in SVG
        fig.savefig(out, dpi=dpi, facecolor="white", metadata=metadata)
    return out
