"""Turn the rows of a saved query (dtkg.queries) into a networkx graph like `from_graph` makes.

Saved queries return plain names (the ones an article gives) and the article id, so a
node here is keyed by kind and name ("person:Phạm Minh Chính"). Which columns make
an edge is a table (`ROW_EDGES`); `attach_evidence` then copies the evidence sentence,
url and date of each edge from the store the rows were read from.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

import networkx as nx

from dtkg.resources import data
from dtkg.viz.graph import add_edge, add_node, edge_text, from_graph
from dtkg.viz.source import GraphSource

MATCH_BY_TARGET = {"issued"}  # row edges whose source a row names otherwise than the article does
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
    RowEdge("number", "issuer", "issued", "document", "organisation"),
)
# rows of the `person` and `province` queries say in `relation` what links their two names
RELATIONS = {
    "heads": RowEdge("person", "object", "heads", "person", "organisation"),
    "post": RowEdge("person", "object", "membership", "person", "organisation"),
    "presides": RowEdge("person", "object", "chairs", "person", "meeting"),
    "head": RowEdge("subject", "object", "heads", "person", "organisation"),
    "organisation": RowEdge("subject", "province", "in_province", "organisation", "province"),
    "links": RowEdge("subject", "object", "links", None, "system"),
    "ranking": RowEdge("subject", "index", "ranking", "province", "ranking", target_default="DTI"),
}
_SYSTEM_WORDS = ("cơ sở dữ liệu", "csdl", "hệ thống", "nền tảng", "cổng", "trục", "mạng")  # generic heads of system names
_NUMBERS = {"rank": int, "year": int, "ordinal": int, "score": float}


def _reference_names(*tables: str) -> frozenset[str]:
    """Lower-case `name_vi` and `alt_names` of reference tables in src/dtkg/data/reference/."""
    names: set[str] = set()
    for table in tables:
        with data(f"reference/{table}").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                names.add(row["name_vi"].lower())
                names.update(n.strip().lower() for n in (row.get("alt_names") or "").split(";") if n.strip())
    return frozenset(names)


@lru_cache(maxsize=1)
def province_names() -> frozenset[str]:
    """Names of the provinces of the reference lists (2008–2025 and 2025), with alt names."""
    return _reference_names("provinces-2021.csv", "provinces-2025.csv")


@lru_cache(maxsize=1)
def system_names() -> frozenset[str]:
    """Names of the national systems of the reference list, with alt names (VNeID, CSDLQGDC …)."""
    return _reference_names("national-systems.csv")


def guess_kind(name: str) -> str:
    """The node kind of a bare name: province, system or organisation (the three a subject can be)."""
    low = name.strip().lower()
    for prefix in ("tỉnh ", "thành phố ", "tp ", "tp. "):
        if low.startswith(prefix) and low[len(prefix):] in province_names():
            return "province"
    if low in province_names():
        return "province"
    if low in system_names() or low.startswith(_SYSTEM_WORDS):
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


def _add_row(g: nx.MultiDiGraph, spec: RowEdge, kind: str, fields: dict[str, Any]) -> None:
    """Add the edge one row makes under `spec` (nothing when its source or target is empty)."""
    source, target = fields.get(spec.source), fields.get(spec.target) or spec.target_default
    if not source or not target:
        return
    source_kind = spec.source_kind or guess_kind(source)
    target_kind = spec.target_kind or guess_kind(target)
    source_id, target_id = f"{source_kind}:{source}", f"{target_kind}:{target}"
    place = fields.get("province") if source_kind != "province" else None
    source_label = f"{fields['kind']} {source}" if source_kind == "document" and fields.get("kind") else source
    add_node(g, source_id, source_kind, source_label,
             **({"province": f"province:{place}", "province_name": place} if place else {}))
    add_node(g, target_id, target_kind, target)
    evidence = [{"doc": fields.get("doc"), "date": fields.get("observed")}] if fields.get("doc") else []
    extra = {k: v for k, v in fields.items() if k not in (spec.source, spec.target, "doc", "relation") and v is not None}
    if "date" in extra:  # a meeting's or document's own date; an edge's `date` is its article's
        extra["event_date"] = extra.pop("date")
    if "kind" in extra:  # a document's kind (Quyết định, Nghị quyết…); an edge's `kind` is the fact's
        extra["document_kind"] = extra.pop("kind")
    if kind in ("heads", "membership") and "detail" in extra and "role" not in extra:
        extra["role"] = extra.pop("detail")  # `province` rows give the role as their detail
    if kind == "ranking" and "detail" in extra:  # `province` rows: object "DTI 2020", detail "rank 8, score ?"
        label = f"{extra.get('object', target)} · {extra['detail']}"
    else:
        label = edge_text(kind, extra)
    add_edge(g, source_id, target_id, kind, label, evidence, source_name=source, target_name=target, **extra)


def from_rows(query_name: str, rows: Iterable[Mapping[str, Any]], params: Mapping[str, Any] | None = None) -> nx.MultiDiGraph:
    """Build a MultiDiGraph from the rows of saved query `query_name` (one edge per row and column pair).

    Rows with a `relation` column (`person`, `province`) make the edge that RELATIONS names
    for their relation; other rows make one edge for each ROW_EDGES pair of columns they have.
    """
    rows = [dict(r) for r in rows]
    params = dict(params or {})
    g = nx.MultiDiGraph(title=query_name, query=query_name)
    columns = set().union(*(r.keys() for r in rows)) if rows else set()
    for row in rows:
        fields = {k: _value(k, v) for k, v in {**params, **row}.items()}
        if "relation" in columns:
            spec = RELATIONS.get(str(fields.get("relation")))
            if spec:
                _add_row(g, spec, spec.kind, fields)
            continue
        for spec in ROW_EDGES:
            if spec.source in columns and (spec.target in columns or spec.target_default):
                kind = "heads" if spec.kind == "membership" and query_name in HEAD_QUERIES else spec.kind
                _add_row(g, spec, kind, fields)
    return g


def _fact_index(full: nx.MultiDiGraph) -> dict[tuple, list]:
    """Facts by (source name, target name, article), (source name, kind, article) and (kind, target name, article)."""
    index: dict[tuple, list] = defaultdict(list)
    for _, _, fact in full.edges(data=True):
        kind = "membership" if fact["kind"] == "heads" else fact["kind"]
        source, target = fact.get("source_name"), fact.get("target_name")
        for doc in {ev.get("doc") for ev in fact.get("evidence", [])}:
            for key in (("pair", source, target, doc), ("source", source, kind, doc), ("target", kind, target, doc)):
                index[key].append(fact)
    return index


def attach_evidence(g: nx.MultiDiGraph, source: GraphSource) -> int:
    """Copy evidence (sentence, url, title, date) onto row edges from the facts in `source`; return how many got one.

    An edge matches a fact of the same article whose source and target the article names
    as the row does; failing that, a fact of the same kind from the same source, or (for
    documents, which rows name by their number) to the same target. A role the row lacks
    (who-chairs-what has none) is taken from the matched fact, and a post (`posts`) whose
    matched fact is a head post becomes a `heads` edge.
    """
    index = _fact_index(from_graph(source))
    found = 0
    for _, _, edge in g.edges(data=True):
        kind = "membership" if edge["kind"] == "heads" else edge["kind"]
        source_name, target_name, doc = edge.get("source_name"), edge.get("target_name"), edge.get("doc")
        facts = (index.get(("pair", source_name, target_name, doc)) or index.get(("source", source_name, kind, doc))
                 or (index.get(("target", kind, target_name, doc)) if kind in MATCH_BY_TARGET else None) or [])
        evidence = list({ev["quote"]: ev for f in facts for ev in f.get("evidence", [])
                         if ev.get("quote") and ev.get("doc") == doc}.values())
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
