"""Turn the dtkg graph into a networkx graph of typed, labelled nodes and edges that carry evidence.

Nodes are keyed by IRI and have `kind` (person, organisation, province, system, meeting,
document, ranking, post), `label` (Vietnamese) and `iri`. Each edge is one fact read
from one article: `kind`, `label`, and its evidence `doc`, `url`, `title`, `quote`,
`date` (the article's date), plus the fact's own fields (role, status, year, rank …).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

import networkx as nx

from dtkg.namespaces import GRAPH, ID
from dtkg.viz.source import GraphSource, Row, open_store, select

NODE_KINDS = ("person", "organisation", "province", "system", "meeting", "document", "ranking", "post", "country")
# the IRI path of a resource tells its kind (docs/MODEL.md, "Resource IRIs")
_PATH_KINDS = {
    "person": "person", "org": "organisation", "province": "province", "system": "system",
    "meeting": "meeting", "document": "document", "index": "ranking", "post": "post", "country": "country",
}

# one SELECT per edge kind; each binds ?g (article graph), ?fact, ?source, ?target (+ fields)
EDGE_QUERIES: dict[str, str] = {
    "membership": """SELECT ?g ?fact ?source ?target ?role ?head WHERE { GRAPH ?g {
        ?fact a org:Membership ; org:member ?source ; org:organization ?target .
        OPTIONAL { ?fact org:role ?role }
        BIND(EXISTS { ?source org:headOf ?target } AS ?head) } }""",
    "headed_by_post": """SELECT ?g ?fact ?source ?target WHERE { GRAPH ?g {
        ?fact a dtkg:PostHeadship ; dtkg:headingPost ?source ; dtkg:headedOrganisation ?target } }""",
    "chairs": """SELECT ?g ?fact ?source ?target WHERE { GRAPH ?g {
        ?fact a dtkg:Chairing ; dtkg:chair ?source ; dtkg:chairedMeeting ?target } }""",
    "organiser": """SELECT ?g ?fact ?source ?target ?event_date ?ordinal WHERE { GRAPH ?g {
        ?fact a dtkg:Meeting ; dtkg:organiser ?target . BIND(?fact AS ?source)
        OPTIONAL { ?fact dct:date ?event_date } OPTIONAL { ?fact dtkg:ordinal ?ordinal } } }""",
    "links": """SELECT ?g ?fact ?source ?target ?status WHERE { GRAPH ?g {
        ?fact a dtkg:Connection ; dtkg:connectionFrom ?source ; dtkg:connectionTo ?target .
        OPTIONAL { ?fact dtkg:connectionStatus ?status } } }""",
    "operates": """SELECT ?g ?fact ?source ?target WHERE { GRAPH ?g {
        ?fact a dtkg:SystemOperation ; dtkg:operator ?source ; dtkg:operatedSystem ?target } }""",
    "ranking": """SELECT ?g ?fact ?source ?target ?year ?rank ?score WHERE { GRAPH ?g {
        ?fact a dtkg:RankingEntry ; dtkg:rankedEntity ?source ; dtkg:rankingIndex ?target .
        OPTIONAL { ?fact dtkg:rankingYear ?year } OPTIONAL { ?fact dtkg:rank ?rank }
        OPTIONAL { ?fact dtkg:score ?score } } }""",
    "issued": """SELECT ?g ?fact ?source ?target ?number ?event_date WHERE { GRAPH ?g {
        ?fact a ?cls ; dct:creator ?target . BIND(?fact AS ?source)
        FILTER(?cls IN (dtkg:LegalDocument, dtkg:PartyDocument))
        OPTIONAL { ?fact dtkg:documentNumber ?number } OPTIONAL { ?fact dct:issued ?event_date } } }""",
    "renamed": """SELECT ?g ?fact ?source ?target ?event_date WHERE { GRAPH ?g {
        ?fact a dtkg:Renaming ; org:originalOrganization ?source ; org:resultingOrganization ?target .
        OPTIONAL { ?fact dct:date ?event_date } } }""",
}
EDGE_KINDS = ("heads", "membership", *[k for k in EDGE_QUERIES if k != "membership"])

EVIDENCE_QUERY = """SELECT ?g ?fact ?doc ?url ?title ?quote ?start ?date WHERE {
  GRAPH ?g { ?fact dtkg:evidence ?ev . ?ev oa:hasTarget ?target .
    ?target oa:hasSource ?article ; oa:hasSelector ?sel . ?sel a oa:TextQuoteSelector ; oa:exact ?quote .
    OPTIONAL { ?target oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ; oa:start ?start }
    OPTIONAL { ?fact dtkg:observedOn ?date } }
  OPTIONAL { ?article dct:identifier ?doc } OPTIONAL { ?article schema:url ?url }
  OPTIONAL { ?article dct:title ?title } }"""

LABEL_QUERY = """SELECT ?s ?pref ?lang ?label WHERE {
  { ?s skos:prefLabel ?pref BIND(LANG(?pref) AS ?lang) } UNION { GRAPH ?g { ?s rdfs:label ?label } } }"""

LANGUAGE_ORDER = ("vi", "")  # label languages, preferred first
ARTICLE_GRAPHS = str(GRAPH) + "article/"
CLASS_QUERY = "SELECT ?s ?cls WHERE { ?s a ?cls }"
PLACE_QUERY = "SELECT ?s ?place WHERE { ?s dtkg:jurisdiction ?place }"
NAME_QUERY = "SELECT ?g ?s ?label WHERE { GRAPH ?g { ?s rdfs:label ?label } }"
STATUS_LABELS = {"Done": "đã kết nối", "Planned": "kế hoạch"}
EDGE_VERBS = {"headed_by_post": "đứng đầu", "chairs": "chủ trì", "organiser": "tổ chức", "operates": "vận hành",
              "issued": "ban hành", "renamed": "đổi tên thành", "in_province": "thuộc tỉnh"}


def kind_of(iri: str, classes: Iterable[str] = ()) -> str:
    """Return the node kind of a dtkg resource from its IRI path (or its classes for other IRIs)."""
    if iri.startswith(str(ID)):
        head = iri[len(str(ID)):].split("/", 1)[0]
        if head in _PATH_KINDS:
            return _PATH_KINDS[head]
    names = {c.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for c in classes}
    for kind, marks in (("person", {"Person"}), ("province", {"Province", "Municipality", "AdministrativeUnit"}),
                        ("system", {"NationalDatabase", "NationalPlatform", "InformationSystem", "Portal"}),
                        ("meeting", {"Meeting"}), ("document", {"LegalDocument", "PartyDocument"})):
        if names & marks:
            return kind
    return "organisation"


def best_labels(rows: list[Row]) -> dict[str, str]:
    """Pick one label per resource: its Vietnamese skos:prefLabel, else the rdfs:label most graphs use."""
    preferred: dict[str, tuple[int, str]] = {}
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        if row.get("pref"):
            rank = LANGUAGE_ORDER.index(row.get("lang") or "") if (row.get("lang") or "") in LANGUAGE_ORDER else len(LANGUAGE_ORDER)
            preferred[row["s"]] = min(preferred.get(row["s"], (99, "")), (rank, row["pref"]))
        elif row.get("label"):
            counts[row["s"]][row["label"]] += 1
    labels = {s: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for s, c in counts.items()}
    for s, (rank, label) in preferred.items():
        if rank < len(LANGUAGE_ORDER) or s not in labels:  # an English-only prefLabel loses to the articles' name
            labels[s] = label
    return labels


def short_name(iri: str) -> str:
    """A readable fallback label: the last segment of an IRI."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _evidence_index(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    """Group evidence rows by (graph, fact), ordered by position in the article."""
    index: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["g"], r["fact"], r.get("start") or 0, r["quote"])):
        index[(row["g"], row["fact"])].append(
            {k: row.get(k) for k in ("doc", "url", "title", "quote", "date")})
    return index


def edge_text(kind: str, fields: dict[str, Any]) -> str:
    """The short Vietnamese text drawn on an edge, from its kind and fields (role, status, year …)."""
    if kind in ("membership", "heads"):
        return fields.get("role") or ("đứng đầu" if kind == "heads" else "thành viên")
    if kind == "links":
        return STATUS_LABELS.get(str(fields.get("status") or "").capitalize(), "kết nối")
    if kind == "ranking":
        parts = [f"{fields.get('index') or 'DTI'} {fields['year']}" if fields.get("year") else str(fields.get("index") or "DTI")]
        if fields.get("rank") is not None:
            parts.append(f"hạng {fields['rank']}")
        if fields.get("score") is not None:
            parts.append(f"{float(fields['score']):.4f}")
        return " · ".join(parts)
    return EDGE_VERBS.get(kind, kind)


def add_node(g: nx.MultiDiGraph, node: str, kind: str, label: str, **attrs: Any) -> None:
    """Add a node once; later calls only fill in attributes it does not have yet."""
    if node not in g:
        g.add_node(node, kind=kind, label=label, iri=node if "://" in node else None, **attrs)
    else:
        for key, value in attrs.items():
            g.nodes[node].setdefault(key, value)


def add_edge(g: nx.MultiDiGraph, source: str, target: str, kind: str, label: str,
             evidence: list[Row], key: str | None = None, **fields: Any) -> None:
    """Add one fact edge; the first evidence is copied onto the edge, all of them kept in `evidence`."""
    first = evidence[0] if evidence else {}
    g.add_edge(source, target, key=key, kind=kind, label=label, evidence=evidence,
               **{k: first.get(k) for k in ("doc", "url", "title", "quote", "date")},
               **{k: v for k, v in fields.items() if v is not None})


@dataclass
class _Lookups:
    """What the edges need besides their own row: labels, classes, provinces, article names, evidence."""

    labels: dict[str, str]
    classes: dict[str, set[str]]
    places: dict[str, str]
    names: dict[tuple[str, str], str]
    evidence: dict[tuple[str, str], list[Row]]


def _lookups(store: Any) -> _Lookups:
    """Read the labels, classes, provinces, per-article names and evidence of the whole store once."""
    classes: dict[str, set[str]] = defaultdict(set)
    for row in select(store, CLASS_QUERY):
        classes[row["s"]].add(row["cls"])
    places = {row["s"]: row["place"] for row in select(store, PLACE_QUERY)  # provinces only, not the country
              if kind_of(row["place"], classes.get(row["place"], ())) == "province"}
    names = {(row["g"], row["s"]): row["label"]
             for row in sorted(select(store, NAME_QUERY), key=lambda r: r["label"], reverse=True)}
    return _Lookups(best_labels(select(store, LABEL_QUERY)), classes, places, names,
                    _evidence_index(select(store, EVIDENCE_QUERY)))


def _add_fact(g: nx.MultiDiGraph, kind: str, row: Row, look: _Lookups) -> None:
    """Add the two nodes of one fact row and the edge that carries its fields and evidence."""
    for node in (row["source"], row["target"]):
        place = look.places.get(node)
        attrs = {"province": place, "province_name": look.labels.get(place)} if place else {}
        add_node(g, node, kind_of(node, look.classes.get(node, ())), look.labels.get(node, short_name(node)), **attrs)
    fields = {k: v for k, v in row.items() if k not in ("g", "fact", "source", "target", "head")}
    if "role" in fields:
        fields["role"] = look.labels.get(fields["role"], short_name(fields["role"] or ""))
    if fields.get("status"):
        fields["status"] = short_name(fields["status"]).lower()
    add_edge(g, row["source"], row["target"], kind, edge_text(kind, fields),
             look.evidence.get((row["g"], row["fact"]), []), key=f"{row['fact']} {row['g']}", fact=row["fact"],
             source_name=look.names.get((row["g"], row["source"])), target_name=look.names.get((row["g"], row["target"])),
             **fields)


def from_graph(source: GraphSource, kinds: Iterable[str] | None = None, reference: bool = False) -> nx.MultiDiGraph:
    """Read the facts of a dtkg graph (store, build folder or rdflib Dataset) into a MultiDiGraph.

    `kinds` picks edge kinds from EDGE_KINDS (default: all). "heads" are the memberships
    whose person also heads the organisation; "membership" the other posts. Nodes are
    labelled with the reference name when there is one, else the name most articles use;
    each edge keeps the names its own article gives (`source_name`, `target_name`).
    Facts come from the article graphs; `reference=True` adds those of the reference graph
    (2025 renamings, documents), which have sources but no evidence sentence.
    """
    wanted = set(EDGE_KINDS if kinds is None else kinds)
    unknown = wanted - set(EDGE_KINDS)
    if unknown:
        raise ValueError(f"unknown edge kinds {sorted(unknown)}; choose from {', '.join(EDGE_KINDS)}")
    store = open_store(source)
    look = _lookups(store)
    g = nx.MultiDiGraph(title="dtkg")
    for query_kind, query in EDGE_QUERIES.items():
        if query_kind not in wanted and not (query_kind == "membership" and "heads" in wanted):
            continue
        for row in sorted(select(store, query), key=lambda r: (r["g"], r["fact"], r["source"], r["target"])):
            kind = "heads" if query_kind == "membership" and row.get("head") else query_kind
            if kind in wanted and (reference or row["g"].startswith(ARTICLE_GRAPHS)):
                _add_fact(g, kind, row, look)
    return g
