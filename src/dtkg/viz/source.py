"""Run SELECT queries on whatever holds the graph: an Oxigraph store, its folder, or an rdflib Dataset.

`dtkg.viz` reads the graph only through `select()`, which returns plain Python rows
(IRIs and strings as `str`, numbers as `int`/`float`, booleans as `bool`), always with
the default graph as the union of the named graphs (docs/MODEL.md).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Union

import pyoxigraph as ox

from dtkg.namespaces import DCTERMS, DTKG, ORG, OA, PROV, RDF, RDFS, SCHEMA, SKOS, XSD

Row = dict[str, Any]
GraphSource = Union[ox.Store, str, Path, Any]  # Any: an rdflib Dataset / ConjunctiveGraph

PREFIXES = "\n".join(
    f"PREFIX {name}: <{ns}>"
    for name, ns in (
        ("dtkg", str(DTKG._NS)), ("org", str(ORG)), ("oa", str(OA)), ("prov", str(PROV)),
        ("rdf", str(RDF)), ("rdfs", str(RDFS)), ("skos", str(SKOS)), ("dct", str(DCTERMS)),
        ("schema", str(SCHEMA)), ("xsd", str(XSD)),
    )
)

_INTEGER_TYPES = {str(XSD[t]) for t in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger", "short")}
_FLOAT_TYPES = {str(XSD[t]) for t in ("decimal", "double", "float")}


def open_store(source: GraphSource) -> ox.Store:
    """Return an Oxigraph store for a store, a build folder (DIR or DIR/store) or an rdflib Dataset."""
    if isinstance(source, ox.Store):
        return source
    if isinstance(source, (str, Path)):
        path = Path(source)
        if (path / "store").is_dir():
            path = path / "store"
        hint = f"no dtkg store at {source} (run `dtkg build --out DIR` first)"
        if not path.is_dir():
            raise FileNotFoundError(hint)
        try:
            return ox.Store.read_only(str(path))
        except OSError as exc:
            raise FileNotFoundError(f"{hint}: {exc}") from None
    if hasattr(source, "serialize") and hasattr(source, "quads"):
        store = ox.Store()
        data = source.serialize(format="nquads")
        store.load(data.encode("utf-8") if isinstance(data, str) else data, format=ox.RdfFormat.N_QUADS)
        return store
    raise TypeError(f"cannot read a graph from {type(source).__name__}: give a pyoxigraph Store, a folder or an rdflib Dataset")


def python_value(term: Any) -> Any:
    """Turn an Oxigraph term into the plain Python value a row carries."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _INTEGER_TYPES:
            return int(term.value)
        if datatype in _FLOAT_TYPES:
            return float(term.value)
        if datatype == str(XSD.gYear) and term.value.lstrip("-").isdigit():
            return int(term.value)
        if datatype == str(XSD.boolean):
            return term.value in ("true", "1")
        return term.value
    return term.value  # NamedNode (and, defensively, BlankNode)


def select(store: ox.Store, query: str) -> list[Row]:
    """Run one SELECT (PREFIXES are prepended) over the union default graph and return plain rows."""
    solutions = store.query(PREFIXES + "\n" + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{name: python_value(solution[name]) for name in names} for solution in solutions]
