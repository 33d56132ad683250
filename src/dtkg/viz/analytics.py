"""The graph questions people ask most, answered as plain lists of rows (dicts) ready for a table.

Every function takes a graph made by `from_graph` or `from_rows`; counts are of distinct
neighbours (several articles stating the same link count once), with the number of
facts and articles alongside.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

Row = dict[str, Any]


def _label(g: nx.MultiDiGraph, node: Any) -> str:
    return str(g.nodes[node].get("label", node))


def most_connected(g: nx.MultiDiGraph, kinds: tuple[str, ...] = ("person", "organisation"), top: int = 10) -> list[Row]:
    """The nodes of the given kinds with the most distinct neighbours, best first (ties by name)."""
    rows = []
    for node, attrs in g.nodes(data=True):
        if attrs.get("kind") not in kinds:
            continue
        neighbours = set(g.predecessors(node)) | set(g.successors(node))
        edges = list(g.in_edges(node, data=True)) + list(g.out_edges(node, data=True))
        rows.append({
            "name": _label(g, node), "kind": attrs.get("kind"), "neighbours": len(neighbours - {node}),
            "facts": len(edges), "articles": len({d.get("doc") for _, _, d in edges if d.get("doc")}),
        })
    rows.sort(key=lambda r: (-r["neighbours"], -r["facts"], r["name"]))
    return rows[:top]


def _province_of(g: nx.MultiDiGraph, node: Any) -> tuple[Any, str] | None:
    """The province a subject stands for (key, name): itself if it is a province, else its jurisdiction."""
    attrs = g.nodes[node]
    if attrs.get("kind") == "province":
        return node, _label(g, node)
    place = attrs.get("province")
    if not place:
        return None
    return place, _label(g, place) if place in g else str(attrs.get("province_name") or place)


def provinces_by_system_links(g: nx.MultiDiGraph, top: int | None = None) -> list[Row]:
    """Provinces ranked by how many distinct national systems they (or their bodies) connect to.

    Each row: province, systems (distinct), done and planned (distinct systems by status),
    and the system names. A connection stated both as done and planned counts as done.
    """
    status: dict[Any, dict[Any, str]] = {}
    names: dict[Any, str] = {}
    for u, v, d in g.edges(data=True):
        if d.get("kind") != "links":
            continue
        province = _province_of(g, u)
        if province is None:
            continue
        names[province[0]] = province[1]
        seen = status.setdefault(province[0], {})
        if seen.get(v) != "done":
            seen[v] = "done" if d.get("status") == "done" else (d.get("status") or "")
    rows = []
    for province, systems in status.items():
        rows.append({
            "province": names[province], "systems": len(systems),
            "done": sum(1 for s in systems.values() if s == "done"),
            "planned": sum(1 for s in systems.values() if s == "planned"),
            "system_names": sorted(_label(g, s) for s in systems),
        })
    rows.sort(key=lambda r: (-r["systems"], -r["done"], r["province"]))
    return rows[:top] if top else rows


def components(g: nx.MultiDiGraph) -> list[Row]:
    """Connected components (ignoring direction), largest first, with their kinds and best-connected node."""
    rows = []
    undirected = nx.Graph(g.to_undirected())
    for comp in nx.connected_components(undirected):
        hub = max(comp, key=lambda n: (undirected.degree(n), _label(g, n)))
        kinds = Counter(g.nodes[n].get("kind") for n in comp)
        rows.append({"size": len(comp), "hub": _label(g, hub), "kinds": dict(sorted(kinds.items())),
                     "members": sorted(_label(g, n) for n in comp)})
    rows.sort(key=lambda r: (-r["size"], r["hub"]))
    return rows


def heads_table(g: nx.MultiDiGraph) -> list[Row]:
    """Who heads what: one row per person and organisation, with the roles and the articles."""
    pairs: dict[tuple, Row] = {}
    for u, v, d in g.edges(data=True):
        if d.get("kind") != "heads":
            continue
        row = pairs.setdefault((u, v), {"person": _label(g, u), "org": _label(g, v), "roles": set(), "articles": set()})
        if d.get("role"):
            row["roles"].add(d["role"])
        if d.get("doc"):
            row["articles"].add(d["doc"])
    out = [{**r, "roles": ", ".join(sorted(r["roles"])), "articles": ", ".join(sorted(r["articles"]))} for r in pairs.values()]
    out.sort(key=lambda r: (r["person"], r["org"]))
    return out
