"""Write the dumps from the store: TriG (every named graph), Turtle and N-Triples (the merged graph).

Same store content, same bytes: pyoxigraph writes quads in the order of its on-disk
indexes, which depends only on the terms (hashed with fixed keys), never on insertion
order, the Python hash seed or the number of jobs (tests/test_dump.py checks it across
builds). The merged graph is the union, without duplicates, of the article graphs, the
reference graph and the inferred graph; it is collected in a scratch store, whose
default graph is then dumped.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from dtkg.atomic import sha256_file
from dtkg.namespaces import (DCAT, DCTERMS, DTKG, FOAF, GRAPH, ID, OA, ORG, OWL, PROV, RDF, RDFS,
                             SCHEMA, SKOS, TIME, VOID, XSD)
from dtkg.store import DATASET, ONTOLOGY

PREFIXES = {
    "dtkg": str(DTKG._NS), "dtkgr": str(ID), "dtkgg": str(GRAPH), "org": str(ORG), "prov": str(PROV),
    "oa": str(OA), "schema": str(SCHEMA), "dct": str(DCTERMS), "skos": str(SKOS), "time": str(TIME),
    "dcat": str(DCAT), "void": str(VOID), "foaf": str(FOAF), "owl": str(OWL), "rdf": str(RDF),
    "rdfs": str(RDFS), "xsd": str(XSD),
}
MERGED_EXCLUDES = (ONTOLOGY, DATASET)  # the merged graph: articles + reference + inferred
DUMPS = {"dtkg.trig": ox.RdfFormat.TRIG, "dtkg.ttl": ox.RdfFormat.TURTLE, "dtkg.nt": ox.RdfFormat.N_TRIPLES}


def write_trig(store: ox.Store, path: Path) -> None:
    """Every named graph of the store, as TriG."""
    store.dump(str(path), ox.RdfFormat.TRIG, prefixes=PREFIXES)


def merged_store(store: ox.Store, scratch: Path) -> ox.Store:
    """A scratch store whose default graph is the merged graph (duplicates across graphs removed)."""
    if scratch.exists():
        shutil.rmtree(scratch)
    merged = ox.Store(str(scratch))
    excluded = " && ".join(f"?g != <{g.value}>" for g in MERGED_EXCLUDES)
    triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({excluded}) }}")
    nt = scratch.with_name(scratch.name + ".nt")
    with nt.open("wb") as fh:
        triples.serialize(fh, ox.RdfFormat.N_TRIPLES)
    merged.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    nt.unlink()
    return merged


def write_merged(merged: ox.Store, ttl: Path, nt: Path) -> int:
    """The merged graph as Turtle and as N-Triples; returns its number of triples."""
    merged.dump(str(ttl), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)
    merged.dump(str(nt), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return len(merged)


def write_checksum(path: Path) -> tuple[str, Path]:
    """Write `<file>.sha256` (sha256sum format) next to `path`; returns the digest and its path."""
    digest = sha256_file(path)
    target = path.with_name(path.name + ".sha256")
    target.write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest, target
