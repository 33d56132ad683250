"""Pictures of the dtkg graph: networkx graphs with evidence, offline HTML, PNG/SVG, simple analytics.

    g = from_graph("dtkg-out", kinds={"heads"})      # or from_rows(name, rows)
    draw(g, "who-chairs-what.html")                  # .html, .png or .svg
"""
from __future__ import annotations

from pathlib import Path

import networkx as nx

from dtkg.viz.analytics import components, heads_table, most_connected, provinces_by_system_links
from dtkg.viz.graph import EDGE_KINDS, NODE_KINDS, from_graph
from dtkg.viz.notebook import inline, picture, table
from dtkg.viz.rows import attach_evidence, from_rows

FORMATS = (".html", ".png", ".svg")


def draw(g: nx.MultiDiGraph, out: str | Path, title: str | None = None) -> Path:
    """Write `g` as an interactive HTML page or a PNG/SVG picture, chosen by the suffix of `out`."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".html":
        from dtkg.viz import html

        return html.save(g, out, title=title)
    if suffix in (".png", ".svg"):
        from dtkg.viz import static

        return static.save(g, out, title=title)
    raise ValueError(f"{out}: the picture must end in {', '.join(FORMATS)}")


__all__ = [
    "EDGE_KINDS", "NODE_KINDS", "FORMATS", "from_graph", "from_rows", "attach_evidence", "draw",
    "most_connected", "provinces_by_system_links", "components", "heads_table", "inline", "picture", "table",
]
