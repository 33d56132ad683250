"""Check graphs against the dtkg SHACL shapes (shapes/dtkg-shapes.ttl) and report in plain words.

`validate()` runs pySHACL once over a graph (or the union of a dataset's graphs) plus the
vocabulary it needs (ontology and reference graph). `validate_per_graph()` reaches the
same verdict one article graph at a time, in several processes if asked, for big builds.

Non-conformance is a result, not an exception: both return a `ValidationResult`.
Inference is off (the build has already reasoned); `sh:class` still follows the
`rdfs:subClassOf` axioms of the ontology mixed into the data graph. Warnings (e.g. a fact
without an observation date) are reported but do not break conformance. The
`dtkgg:inferred` graph of a dataset is left out: it only repeats what the ontology implies.
"""
from __future__ import annotations

import functools
from typing import Iterable, Iterator

from pyshacl import validate as shacl_validate
from pyshacl.errors import ReportableRuntimeError
from rdflib import Graph
from rdflib.graph import ConjunctiveGraph
from rdflib.term import Node

from dtkg import resources
from dtkg.namespaces import GRAPH
from dtkg.validate.report import (
    LANGUAGES, SHAPES_NS, ValidationResult, Violation, format_text, make_result, namespace_manager, read_report,
)

SHAPES_FILE = "dtkg-shapes.ttl"
VOCABULARY_FILES = ("dtkg.ttl", "roles.ttl", "vocab.ttl", "reference.ttl")
INFERRED = GRAPH["inferred"]


@functools.lru_cache(maxsize=1)
def _default_shapes() -> Graph:
    return Graph().parse(resources.folder("shapes") / SHAPES_FILE, format="turtle")


def load_shapes() -> Graph:
    """The dtkg shapes graph (parsed once per process; do not modify it)."""
    return _default_shapes()


def load_vocabulary() -> Graph:
    """The ontology, role scheme, vocabularies and reference graph from ontology/ (those that exist)."""
    graph = Graph()
    try:
        folder = resources.folder("ontology")
    except FileNotFoundError:
        return graph
    for name in VOCABULARY_FILES:
        path = folder / name
        if path.is_file():
            graph.parse(path, format="turtle")
    return graph


def validate(
    data_graph: Graph, shapes: Graph | None = None, ont_graph: Graph | None = None, lang: str = "en"
) -> ValidationResult:
    """Validate a graph (or the union of a dataset's graphs, minus `dtkgg:inferred`) against the shapes.

    `ont_graph` (the ontology and reference graph, see `load_vocabulary`) is added to the
    data graph for the run; neither input graph is changed. Messages are in `lang` ("en", "vi").
    """
    require_graphs(data_graph=data_graph, shapes=shapes, ont_graph=ont_graph)
    shapes = shapes if shapes is not None else load_shapes()
    needs_copy = ont_graph is not None or isinstance(data_graph, ConjunctiveGraph)
    data = merge([data_graph, ont_graph]) if needs_copy else data_graph
    conforms, report, _ = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        advanced=False,  # the shapes use SHACL Core and SHACL-SPARQL constraints only, no rules
        inplace=True,  # the data graph is our copy, or is only read (no rules, no inference)
    )
    return make_result(bool(conforms), report, read_report(report, shapes, lang), lang)


def require_graphs(**graphs) -> None:
    """Refuse paths and URLs: pySHACL would load (and for a URL, fetch) them; dtkg passes rdflib graphs."""
    for name, graph in graphs.items():
        if graph is not None and not isinstance(graph, Graph):
            raise TypeError(f"{name} must be an rdflib Graph or Dataset, not {type(graph).__name__}")


def check_shapes(shapes: Graph) -> str | None:
    """Check a shapes graph against SHACL-for-SHACL (https://www.w3.org/ns/shacl-shacl, shipped with
    pySHACL); return None when it is valid SHACL, else the report saying what is wrong."""
    require_graphs(shapes=shapes)
    try:
        shacl_validate(Graph(), shacl_graph=shapes, meta_shacl=True, inference="none")
    except ReportableRuntimeError as exc:
        return str(exc.message if hasattr(exc, "message") else exc)
    return None


def merge(graphs: Iterable[Graph | None]) -> Graph:
    """One plain graph with the triples of all given graphs (a dataset's `dtkgg:inferred` left out)."""
    merged = Graph()
    for graph in graphs:
        if graph is None:
            continue
        for triple in _asserted_triples(graph):
            merged.add(triple)
    return merged


def _asserted_triples(graph: Graph) -> Iterator[tuple]:
    if isinstance(graph, ConjunctiveGraph):
        for s, p, o, ctx in graph.quads((None, None, None, None)):
            if graph_id(ctx) != INFERRED:
                yield s, p, o
    else:
        yield from graph


def graph_id(ctx) -> Node | None:
    """The name of a graph as `quads()` / `graphs()` give it (a graph object or its identifier)."""
    return getattr(ctx, "identifier", ctx)


from dtkg.validate.per_graph import article_graphs, validate_per_graph  # noqa: E402 - uses the names above

__all__ = [
    "Violation", "ValidationResult", "validate", "check_shapes", "validate_per_graph", "article_graphs", "load_shapes",
    "load_vocabulary", "read_report", "format_text", "namespace_manager", "merge", "SHAPES_NS", "INFERRED", "LANGUAGES",
]
