"""Write a dtkg networkx graph as one self-contained, offline HTML page (inline SVG + vanilla JS).

Positions and label places come from `dtkg.viz.layout` (the same as the PNG), so the
page needs no JavaScript library and no network: the data is embedded as JSON and a
short script in `template.html` draws it, pans and zooms, and shows the evidence
sentence, article and date of the edge or node under the mouse.
"""
from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from dtkg.viz.layout import extent, layout, node_radius, place_labels, wrap
from dtkg.viz.style import EDGE_NAMES, NODE_NAMES, edge_style, node_colour

_EVIDENCE_KEYS = ("doc", "url", "title", "quote", "date")
_FIELD_KEYS = ("role", "status", "year", "rank", "score", "ordinal", "event_date", "number")


def _nodes(g: nx.MultiDiGraph, pos: dict, labels: dict) -> list[dict[str, Any]]:
    """Node records for the page: position, size, colour and label placement."""
    degree = dict(g.degree())
    out = []
    for node in sorted(pos, key=str):
        attrs = g.nodes[node]
        label = labels.get(node)
        x, y = pos[node]
        r = node_radius(degree.get(node, 0))
        kind = attrs.get("kind", "")
        out.append({
            "id": str(node), "label": str(attrs.get("label", node)), "kind": kind,
            "kindName": NODE_NAMES.get(kind, kind), "iri": attrs.get("iri"), "colour": node_colour(kind),
            "x": round(x, 4), "y": round(y, 4), "r": round(r, 4), "shown": label is not None,
            "lines": (label.text if label else wrap(str(attrs.get("label", node)))).split("\n"),
            "lx": round(label.x if label else x + r + 0.04, 4), "ly": round(label.y if label else y, 4),
            "anchor": {"left": "start", "right": "end"}.get(label.ha if label else "left", "middle"),
            "baseline": label.va if label else "center",
        })
    return out


def _edges(g: nx.MultiDiGraph, edge_labels: dict) -> list[dict[str, Any]]:
    """One record per connected pair, holding every fact (edge) between the two nodes."""
    pairs: dict[tuple, dict[str, Any]] = {}
    for u, v, data in sorted(g.edges(data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2].get("kind")), str(e[2].get("doc")))):
        if u == v:
            continue
        if (u, v) not in pairs:
            colour, dash, width = edge_style(data.get("kind", ""), data.get("status"))
            placed = edge_labels.get((u, v))
            pairs[(u, v)] = {
                "source": str(u), "target": str(v), "kind": data.get("kind"),
                "text": ", ".join(sorted({d.get("label", "") for d in g.get_edge_data(u, v).values()})),
                "ltext": placed.text if placed else None,
                "colour": colour, "dash": dash, "width": width,
                "lx": round(placed.x, 4) if placed else None, "ly": round(placed.y, 4) if placed else None,
                "facts": [],
            }
        evidence = data.get("evidence") or [{k: data.get(k) for k in _EVIDENCE_KEYS}]
        pairs[(u, v)]["facts"].append({
            "kind": data.get("kind"), "label": data.get("label", ""),
            "fields": {k: data[k] for k in _FIELD_KEYS if data.get(k) is not None},
            "evidence": [{k: ev.get(k) for k in _EVIDENCE_KEYS if ev.get(k) is not None} for ev in evidence],
        })
    return list(pairs.values())


def _legend(g: nx.MultiDiGraph) -> dict[str, list]:
    """Legend entries for the kinds present, in the fixed order of dtkg.viz.style."""
    node_kinds = {d.get("kind") for _, d in g.nodes(data=True)}
    edge_kinds = {d.get("kind") for _, _, d in g.edges(data=True)}
    extra_nodes = sorted(k for k in node_kinds if k not in NODE_NAMES and k)
    return {
        "nodes": [{"name": NODE_NAMES.get(k, k), "colour": node_colour(k)} for k in [*NODE_NAMES, *extra_nodes] if k in node_kinds],
        "edges": [{"name": EDGE_NAMES.get(k, k), "colour": edge_style(k)[0], "dash": edge_style(k)[1]}
                  for k in EDGE_NAMES if k in edge_kinds],
    }


def page(g: nx.MultiDiGraph, title: str | None = None, seed: int = 7) -> str:
    """Return the HTML text of the interactive view of `g`."""
    pos = layout(g, seed=seed)
    node_labels, edge_labels = place_labels(g, pos)
    box = extent(pos, node_labels, edge_labels)
    data = {
        "nodes": _nodes(g, pos, node_labels), "edges": _edges(g, edge_labels), "legend": _legend(g),
        "box": [round(box.x0, 4), round(box.y0, 4), round(box.x1, 4), round(box.y1, 4)],
    }
    # "<" escaped so that no text in the data can close the <script> element
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    template = resources.files("dtkg.viz").joinpath("template.html").read_text(encoding="utf-8")
    heading = html.escape(title or g.graph.get("title", "dtkg"))
    return template.replace("__TITLE__", heading).replace("__DATA__", payload)


def save(g: nx.MultiDiGraph, out: str | Path, title: str | None = None) -> Path:
    """Write the interactive view of `g` to `out` (UTF-8 HTML) and return the path."""
    out = Path(out)
    out.write_text(page(g, title=title), encoding="utf-8")
    return out
