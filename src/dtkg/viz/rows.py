"""Turn the rows of a saved query (dtkg.queries) into a networkx graph like `from_graph` makes.

Saved queries return plain names (the ones an article gives) and the article id, so a
node here is keyed by kind and name ("person:Phạm Minh Chính"). Which columns make
an edge is a table (`ROW_EDGES`); `attach_evidence` then copies the evidence sentence,
url and date of each edge from the store the rows were read from.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

import networkx as nx

from dtkg.resources import data
from dtkg.viz.graph import add_edge, add_node, edge_text, from_graph
from dtkg.viz.source import GraphSource

HEAD_QUERIES = {"who-chairs-what", "current-heads"}  # person → org rows of these are heads


@dataclass(frozen=True)
class RowEdge:
    """Which two columns of a row make an edge, its kind, and the node kinds (None: guess from the name)."""

    source: str
    target: str
    kind: str
    source_kind: str | None
    target_kind: str | None
    target_default: str | None = None  # used when the query has no target column (dti-ranking: "DTI")


ROW_EDGES = (
    RowEdge("person", "org", "membership", "person", "organisation"),
    RowEdge("chair", "event", "chairs", "person", "meeting"),
    RowEdge("person", "event", "chairs", "person", "meeting"),
    RowEdge("event", "org", "organiser", "meeting", "organisation"),
    RowEdge("subject", "object", "links", None, "system"),
    RowEdge("subject", "database", "links", None, "system"),
    RowEdge("org", "system", "operates", "organisation", "system"),
    RowEdge("entity", "index", "ranking", None, "ranking", target_default="DTI"),
    RowEdge("post", "org", "headed_by_post", "post", "organisation"),
    RowEdge("old", "new", "renamed", "organisation", "organisation"),
)
_SYSTEM_WORDS = ("cơ sở dữ liệu", "csdl", "hệ thống", "nền tảng", "cổng", "trục", "mạng")
_ORG_WORDS = ("bộ ", "ủy ban", "ban ", "sở ", "tỉnh ủy", "thành ủy", "văn phòng", "cục", "tổng cục", "bảo hiểm",
              "ngân hàng", "viện", "chính phủ", "hội đồng", "đảng", "trung tâm", "tập đoàn", "công ty")
_NUMBERS = {"rank": int, "year": int, "ordinal": int, "score": float}


@lru_cache(maxsize=1)
def province_names() -> frozenset[str]:
    """Lower-case names of the provinces of the reference lists (2008–2025 and 2025), with alt names."""
    names: set[str] = set()
    for table in ("provinces-2021.csv", "provinces-2025.csv"):
        with data(f"reference/{table}").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                names.add(row["name_vi"].lower())
                names.update(n.strip().lower() for n in (row.get("alt_names") or "").split(";") if n.strip())
    return frozenset(names)


def guess_kind(name: str) -> str:
    """The node kind of a bare name: province, system or organisation (the three a subject can be)."""
    low = name.strip().lower()
    for prefix in ("tỉnh ", "thành phố ", "tp ", "tp. "):
        if low.startswith(prefix) and low[len(prefix):] in province_names():
            return "province"
    if low in province_names():
        return "province"
    if low.startswith(_SYSTEM_WORDS):
        return "system"
    return "organisation"


def _value(column: str, value: Any) -> Any:
    """Numbers come back from SPARQL as text; turn the numeric columns back into numbers."""
    if value in (None, ""):
        return None
    if column in _NUMBERS:
        try:
            return _NUMBERS[column](value)
        except (TypeError, ValueError):
            return value
    return value


def from_rows(query_name: str, rows: Iterable[Mapping[str, Any]], params: Mapping[str, Any] | None = None) -> nx.MultiDiGraph:
    """Build a MultiDiGraph from the rows of saved query `query_name` (one edge per row and column pair)."""
    rows = [dict(r) for r in rows]
    params = dict(params or {})
    g = nx.MultiDiGraph(title=query_name, query=query_name)
    columns = set().union(*(r.keys() for r in rows)) if rows else set()
    for spec in ROW_EDGES:
        if spec.source not in columns or (spec.target not in columns and spec.target_default is None):
            continue
        for row in rows:
            fields = {k: _value(k, v) for k, v in {**params, **row}.items()}
            source, target = fields.get(spec.source), fields.get(spec.target) or spec.target_default
            if not source or not target:
                continue
            kind = "heads" if spec.kind == "membership" and query_name in HEAD_QUERIES else spec.kind
            source_kind = spec.source_kind or guess_kind(source)
            target_kind = spec.target_kind or guess_kind(target)
            source_id, target_id = f"{source_kind}:{source}", f"{target_kind}:{target}"
            place = fields.get("province") if source_kind != "province" else None
            add_node(g, source_id, source_kind, source,
                     **({"province": f"province:{place}", "province_name": place} if place else {}))
            add_node(g, target_id, target_kind, target)
            evidence = [{"doc": fields.get("doc"), "date": fields.get("observed")}] if fields.get("doc") else []
            extra = {k: v for k, v in fields.items() if k not in (spec.source, spec.target, "doc") and v is not None}
            if "date" in extra:  # a meeting's or document's own date; an edge's `date` is its article's
                extra["event_date"] = extra.pop("date")
            add_edge(g, source_id, target_id, kind, edge_text(kind, extra), evidence,
                     source_name=source, target_name=target, **extra)
    return g


def attach_evidence(g: nx.MultiDiGraph, source: GraphSource) -> int:
    """Copy evidence (sentence, url, title, date) onto row edges from the facts in `source`; return how many got one.

    An edge matches a fact of the same article whose source and target the article names
    as the row does; failing that, a fact of the same kind from the same source name.
    A role the row lacks (who-chairs-what has none) is taken from the matched fact, and a
    post (`posts`) whose matched fact is a head post becomes a `heads` edge.
    """
    full = from_graph(source)
    by_pair: dict[tuple, list] = {}
    by_source: dict[tuple, list] = {}
    for _, _, fact in full.edges(data=True):
        kind = "membership" if fact["kind"] == "heads" else fact["kind"]
        for doc in {ev.get("doc") for ev in fact.get("evidence", [])}:
            by_pair.setdefault((fact.get("source_name"), fact.get("target_name"), doc), []).append(fact)
            by_source.setdefault((fact.get("source_name"), kind, doc), []).append(fact)
    found = 0
    for _, _, edge in g.edges(data=True):
        kind = "membership" if edge["kind"] == "heads" else edge["kind"]
        facts = (by_pair.get((edge.get("source_name"), edge.get("target_name"), edge.get("doc")))
                 or by_source.get((edge.get("source_name"), kind, edge.get("doc"))) or [])
        evidence = list({ev["quote"]: ev for f in facts for ev in f.get("evidence", [])
                         if ev.get("quote") and ev.get("doc") == edge.get("doc")}.values())
        if not evidence:
            continue
        found += 1
        edge["evidence"] = evidence
        edge.update({k: evidence[0].get(k) for k in ("doc", "url", "title", "quote", "date")})
        if edge["kind"] == "membership" and any(f["kind"] == "heads" and f.get("role") == edge.get("role") for f in facts):
            edge["kind"] = "heads"  # the store knows the role heads the organisation; the row did not say
        roles = sorted({f["role"] for f in facts if f.get("role")})
        if roles and not edge.get("role"):
            edge["role"] = ", ".join(roles)
            edge["label"] = edge_text(edge["kind"], edge)
    return found
