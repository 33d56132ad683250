"""The OWL RL inferences dtkg's ontology needs, computed fast over the store, into dtkgg:inferred.

Rules (OWL 2 RL names): cax-sco, cax-eqc1/2 (class hierarchy), prp-spo1, prp-eqp1/2
(property hierarchy, e.g. org:headOf ⊑ org:memberOf), prp-inv1/2 (inverse properties),
prp-symp, prp-trp, prp-dom, prp-rng. The schema (small) is closed in Python; the data
is read once per relevant predicate from the store and the rules are applied
semi-naively to a fixpoint. Inferred triples that some graph already asserts are not
repeated. `owlrl_closure` runs owlrl's full OWL RL closure on an rdflib graph, and
`restricted` cuts any closure down to the triples these rules speak about, so the two
can be compared (tests/test_reason.py, benchmarks).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import pyoxigraph as ox
import rdflib

from dtkg.namespaces import OWL, RDF, RDFS, XSD
from dtkg.store import DATASET, INFERRED

TYPE = ox.NamedNode(str(RDF.type))
_N = {name: ox.NamedNode(str(term)) for name, term in {
    "subClassOf": RDFS.subClassOf, "equivalentClass": OWL.equivalentClass,
    "subPropertyOf": RDFS.subPropertyOf, "equivalentProperty": OWL.equivalentProperty,
    "inverseOf": OWL.inverseOf, "domain": RDFS.domain, "range": RDFS.range,
    "SymmetricProperty": OWL.SymmetricProperty, "TransitiveProperty": OWL.TransitiveProperty,
}.items()}
SKIP_GRAPHS = (INFERRED, DATASET)


@dataclass
class Schema:
    """The closed schema: for each class/property, everything the rules derive from it."""

    sup_class: dict = field(default_factory=dict)  # class → strict superclasses (transitive)
    sup_prop: dict = field(default_factory=dict)  # property → strict superproperties
    inverse: dict = field(default_factory=dict)  # property → inverse properties (itself if symmetric)
    domain: dict = field(default_factory=dict)
    range: dict = field(default_factory=dict)
    transitive: set = field(default_factory=set)

    def predicates(self) -> set:
        """Properties whose triples can trigger a rule."""
        return set(self.sup_prop) | set(self.inverse) | set(self.domain) | set(self.range) | self.transitive


def _closure(edges: dict) -> dict:
    """Transitive closure of a relation given as node → direct successors (self excluded)."""
    result = {}
    for start in edges:
        seen, todo = set(), list(edges[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
        seen.discard(start)
        if seen:
            result[start] = seen
    return result


def schema_from_triples(triples: Iterable[tuple]) -> Schema:
    """Close the schema axioms found among `triples` (pyoxigraph terms)."""
    sub_c, sub_p = defaultdict(set), defaultdict(set)
    inverse, domain, range_ = defaultdict(set), defaultdict(set), defaultdict(set)
    transitive = set()
    for s, p, o in triples:
        if isinstance(s, ox.Literal) or isinstance(o, ox.Literal):
            continue
        if p == _N["subClassOf"]:
            sub_c[s].add(o)
        elif p == _N["equivalentClass"]:
            sub_c[s].add(o), sub_c[o].add(s)
        elif p == _N["subPropertyOf"]:
            sub_p[s].add(o)
        elif p == _N["equivalentProperty"]:
            sub_p[s].add(o), sub_p[o].add(s)
        elif p == _N["inverseOf"]:
            inverse[s].add(o), inverse[o].add(s)
        elif p == _N["domain"]:
            domain[s].add(o)
        elif p == _N["range"]:
            range_[s].add(o)
        elif p == TYPE and o == _N["SymmetricProperty"]:
            inverse[s].add(s)
        elif p == TYPE and o == _N["TransitiveProperty"]:
            transitive.add(s)
    return Schema(_closure(sub_c), _closure(sub_p), dict(inverse), dict(domain), dict(range_), transitive)


SCHEMA_PATTERNS = ("subClassOf", "equivalentClass", "subPropertyOf", "equivalentProperty",
                   "inverseOf", "domain", "range")


def _asserted(store: ox.Store, s=None, p=None, o=None) -> Iterator[tuple]:
    for q in store.quads_for_pattern(s, p, o, None):
        if q.graph_name not in SKIP_GRAPHS:
            yield q.subject, q.predicate, q.object


def schema_from_store(store: ox.Store) -> Schema:
    """The schema axioms of every asserted graph (in practice dtkgg:ontology)."""
    triples = [t for name in SCHEMA_PATTERNS for t in _asserted(store, p=_N[name])]
    for kind in ("SymmetricProperty", "TransitiveProperty"):
        triples.extend(_asserted(store, p=TYPE, o=_N[kind]))
    return schema_from_triples(triples)


def derive(t: tuple, schema: Schema) -> Iterator[tuple]:
    """Triples one rule application derives from triple `t` (transitivity aside)."""
    s, p, o = t
    if p == TYPE:
        for c in schema.sup_class.get(o, ()):
            yield s, TYPE, c
        return
    for q in schema.sup_prop.get(p, ()):
        yield s, q, o
    for c in schema.domain.get(p, ()):
        yield s, TYPE, c
    if isinstance(o, ox.Literal):
        return
    for q in schema.inverse.get(p, ()):
        yield o, q, s
    for c in schema.range.get(p, ()):
        yield o, TYPE, c


def infer(store: ox.Store, schema: Schema | None = None) -> set[tuple]:
    """The triples the rules add to the asserted graphs, none already asserted anywhere."""
    schema = schema or schema_from_store(store)
    inferred: set[tuple] = set()
    known_asserted: set[tuple] = set()
    links = {p: defaultdict(set) for p in schema.transitive}  # for prp-trp: p → x → {y}
    back = {p: defaultdict(set) for p in schema.transitive}

    def known(t: tuple) -> bool:
        if t in inferred or t in known_asserted:
            return True
        if next(_asserted(store, *t), None) is not None:
            known_asserted.add(t)
            return True
        return False

    def seeds() -> Iterator[tuple]:
        for p in schema.predicates():
            yield from _asserted(store, p=p)
        for c in schema.sup_class:
            yield from _asserted(store, p=TYPE, o=c)

    def record(t: tuple) -> None:
        s, p, o = t
        if p in links:
            links[p][s].add(o)
            back[p][o].add(s)

    for p in schema.transitive:
        for t in _asserted(store, p=p):
            record(t)
    delta: Iterable[tuple] = seeds()
    while True:
        new = []
        for t in delta:
            for d in _with_transitivity(t, schema, links, back):
                if not known(d):
                    inferred.add(d)
                    record(d)
                    new.append(d)
        if not new:
            break
        delta = new
    return inferred


def _with_transitivity(t: tuple, schema: Schema, links: dict, back: dict) -> Iterator[tuple]:
    yield from derive(t, schema)
    s, p, o = t
    if p in links:
        for z in list(links[p].get(o, ())):
            yield s, p, z
        for w in list(back[p].get(s, ())):
            yield w, p, o


def reason(store: ox.Store) -> int:
    """Replace dtkgg:inferred with the closure of the asserted graphs; returns its size."""
    store.remove_graph(INFERRED)
    triples = infer(store)
    store.bulk_extend(ox.Quad(s, p, o, INFERRED) for s, p, o in triples)
    return len(triples)


# --- comparison with owlrl ---------------------------------------------------------------

_SCHEMA_NS = (str(OWL), str(RDFS), str(RDF), str(XSD))
_SCHEMA_PREDICATES = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range}


def owlrl_closure(graph: rdflib.Graph) -> rdflib.Graph:
    """owlrl's full OWL RL closure of a copy of `graph` (the reference implementation)."""
    import owlrl

    closed = rdflib.Graph()
    for t in graph:
        closed.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False,
                           datatype_axioms=False).expand(closed)
    return closed


def restricted(triples: Iterable[tuple]) -> set[tuple]:
    """The data triples our rules speak about: IRI subjects outside the OWL/RDF(S) vocabularies,
    no owl: predicates or schema axioms, rdf:type only to classes outside those vocabularies."""
    out = set()
    for s, p, o in triples:
        if not isinstance(s, rdflib.URIRef) or str(s).startswith(_SCHEMA_NS):
            continue
        if str(p).startswith(str(OWL)) or p in _SCHEMA_PREDICATES:
            continue
        if p == RDF.type and (not isinstance(o, rdflib.URIRef) or str(o).startswith(_SCHEMA_NS)):
            continue
        out.add((s, p, o))
    return out


def to_rdflib(term):
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def to_oxigraph(term):
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


def closure_rdflib(graph: rdflib.Graph) -> set[tuple]:
    """Our closure of an rdflib graph (asserted + inferred), as rdflib triples, for comparison."""
    store = ox.Store()
    g = ox.NamedNode("urn:x-dtkg:input")
    store.extend(ox.Quad(*(to_oxigraph(x) for x in t), g) for t in graph)
    extra = infer(store)
    return set(graph) | {tuple(to_rdflib(x) for x in t) for t in extra}
