"""The hand-written fixture graph (tests/fixtures/dtkg-fixture.trig) as stores for the query tests."""
from __future__ import annotations

import gc
from pathlib import Path

import pyoxigraph

FIXTURES = Path(__file__).parent / "fixtures"
TRIG = FIXTURES / "dtkg-fixture.trig"
GOLD = FIXTURES / "dtkg-fixture.gold.jsonl"


def memory_store() -> pyoxigraph.Store:
    """An in-memory store holding the fixture's named graphs."""
    store = pyoxigraph.Store()
    store.load(path=str(TRIG), format=pyoxigraph.RdfFormat.TRIG)
    return store


def build_folder(out: Path) -> Path:
    """A build-like folder `out/store` (on-disk store, closed again) with the fixture graphs."""
    store = pyoxigraph.Store(str(out / "store"))
    store.load(path=str(TRIG), format=pyoxigraph.RdfFormat.TRIG)
    store.flush()
    del store
    gc.collect()
    return out


def graph_counts(store: pyoxigraph.Store) -> dict[str, int]:
    """Triples per named graph."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"].value: int(r["n"].value) for r in rows}
