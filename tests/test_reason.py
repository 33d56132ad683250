"""Reasoning: our fast rules give exactly owlrl's OWL RL closure restricted to those rules."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from dtkg import reason
from dtkg.store import INFERRED

EX = rdflib.Namespace("http://example.org/")

SCHEMA = """
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Ministry rdfs:subClassOf ex:Organisation .
ex:Organisation rdfs:subClassOf ex:Agent .
ex:Body owl:equivalentClass ex:Organisation .
ex:headOf rdfs:subPropertyOf ex:memberOf .
ex:memberOf owl:inverseOf ex:hasMember .
ex:memberOf rdfs:domain ex:Person ; rdfs:range ex:Organisation .
ex:operates rdfs:range ex:System .
ex:operates owl:equivalentProperty ex:runs .
ex:near a owl:SymmetricProperty .
ex:partOf a owl:TransitiveProperty .
ex:score rdfs:domain ex:Ranked .
"""

DATA = """
@prefix ex: <http://example.org/> .
ex:an ex:headOf ex:mic .
ex:mic a ex:Ministry ; ex:operates ex:vneid .
ex:binh ex:memberOf ex:gov .
ex:gov ex:hasMember ex:chinh .
ex:a ex:near ex:b .
ex:x ex:partOf ex:y . ex:y ex:partOf ex:z . ex:z ex:partOf ex:w .
ex:r ex:score "0.5" .
ex:q a ex:Body .
"""


def graph(*texts: str) -> rdflib.Graph:
    g = rdflib.Graph()
    for text in texts:
        g.parse(data=text, format="turtle")
    return g


@pytest.mark.parametrize("data", [DATA, "", "@prefix ex: <http://example.org/> . ex:lone a ex:Ministry ."])
def test_closure_equals_owlrl_restricted(data):
    g = graph(SCHEMA, data)
    ours = reason.restricted(reason.closure_rdflib(g))
    theirs = reason.restricted(reason.owlrl_closure(g))
    assert ours == theirs


@pytest.mark.parametrize("triple", [
    (EX.an, EX.memberOf, EX.mic),           # sub-property
    (EX.mic, EX.hasMember, EX.an),          # inverse of the derived membership
    (EX.an, rdflib.RDF.type, EX.Person),    # domain
    (EX.mic, rdflib.RDF.type, EX.Agent),    # class hierarchy
    (EX.mic, rdflib.RDF.type, EX.Body),     # equivalent class
    (EX.chinh, EX.memberOf, EX.gov),        # inverse
    (EX.vneid, rdflib.RDF.type, EX.System), # range
    (EX.mic, EX.runs, EX.vneid),            # equivalent property
    (EX.b, EX.near, EX.a),                  # symmetric
    (EX.x, EX.partOf, EX.w),                # transitive
    (EX.r, rdflib.RDF.type, EX.Ranked),     # domain of a literal-valued property
])
def test_expected_inferences(triple):
    assert triple in reason.closure_rdflib(graph(SCHEMA, DATA))


def test_reason_writes_only_new_triples_into_inferred_graph():
    store = ox.Store()
    onto, art = ox.NamedNode("urn:g:onto"), ox.NamedNode("urn:g:article")
    for text, g in ((SCHEMA, onto), (DATA, art)):
        store.load(text, ox.RdfFormat.TURTLE, to_graph=g)
    asserted = {(q.subject, q.predicate, q.object) for q in store}
    n = reason.reason(store)
    inferred = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, INFERRED)}
    assert n == len(inferred) > 0
    assert not inferred & asserted
    assert reason.reason(store) == n  # re-running replaces, never accumulates
    assert len(list(store.quads_for_pattern(None, None, None, INFERRED))) == n


def test_equals_owlrl_on_the_real_ontology_and_sample(tmp_path):
    """On dtkg's own ontology, reference graph and the sample articles, nothing owlrl's full
    OWL RL closure adds to the data is missing from ours, and we add nothing it does not."""
    from dtkg.build import Options, Progress, build
    from dtkg.reason import to_rdflib
    from dtkg.store import DATASET, open_read_only

    summary = build(Options(out=tmp_path / "out", validate=False), Progress(quiet=True))
    assert summary.status == "built"
    store = open_read_only(tmp_path / "out" / "store")
    g = rdflib.Graph()
    for q in store:
        if q.graph_name not in (INFERRED, DATASET):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    ours = reason.restricted(reason.closure_rdflib(g))
    assert ours == reason.restricted(reason.owlrl_closure(g))
    inferred = {tuple(to_rdflib(x) for x in (q.subject, q.predicate, q.object))
                for q in store.quads_for_pattern(None, None, None, INFERRED)}
    assert inferred and reason.restricted(inferred) <= ours
