"""The on-disk pyoxigraph store: one named graph per article plus the ontology, reference,
inferred and dataset graphs (docs/MODEL.md, "Named graphs").

Builds write it with bulk loads; `dtkg query` and `dtkg serve` open it read-only. The
default graph is the union of the named graphs at query time (`query(...)` passes
`use_default_graph_as_union=True`); nothing is ever stored in the real default graph.
"""
from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox

from dtkg.namespaces import GRAPH
from dtkg.resources import folder

ONTOLOGY = ox.NamedNode(str(GRAPH.ontology))
REFERENCE = ox.NamedNode(str(GRAPH.reference))
INFERRED = ox.NamedNode(str(GRAPH.inferred))
DATASET = ox.NamedNode(str(GRAPH.dataset))
SPECIAL = (ONTOLOGY, REFERENCE, INFERRED, DATASET)
ARTICLE_PREFIX = str(GRAPH) + "article/"
ONTOLOGY_FILES = ("dtkg.ttl", "roles.ttl", "vocab.ttl")
REFERENCE_FILES = ("reference.ttl",)
GENID = "https://w3id.org/dtkg/.well-known/genid/"
FLUSH_BYTES = 128 << 20  # per bulk load: fewer, bigger loads (8 MB ones cost ~25 % more CPU at 3M quads)


def create(path: Path) -> ox.Store:
    """Open (creating if needed) a writable store at `path`."""
    path.mkdir(parents=True, exist_ok=True)
    return ox.Store(str(path))


def open_read_only(path: Path) -> ox.Store:
    """Open a built store for queries; raises FileNotFoundError when there is none."""
    from dtkg.atomic import clean_stale

    clean_stale(Path(path).parent)  # finish or undo what a killed build left
    if not Path(path).is_dir():
        raise FileNotFoundError(f"no dtkg store at {path} (run `dtkg build` first)")
    return ox.Store.read_only(str(path))


def query(store: ox.Store, sparql: str, **kwargs):
    """Run a SPARQL query with the default graph as the union of all named graphs."""
    return store.query(sparql, use_default_graph_as_union=True, **kwargs)


def is_article_graph(graph) -> bool:
    return isinstance(graph, ox.NamedNode) and graph.value.startswith(ARTICLE_PREFIX)


def skolemize(quads: Iterable, label: str, graph) -> Iterator[ox.Quad]:
    """Put quads into `graph`, replacing blank nodes by IRIs numbered in order of first
    appearance (deterministic for a given file)."""
    names: dict[str, ox.NamedNode] = {}

    def fix(term):
        if isinstance(term, ox.BlankNode):
            if term.value not in names:
                names[term.value] = ox.NamedNode(f"{GENID}{label}-{len(names) + 1}")
            return names[term.value]
        return term

    for q in quads:
        yield ox.Quad(fix(q.subject), q.predicate, fix(q.object), graph)


def load_turtle(store: ox.Store, path: Path, graph: ox.NamedNode) -> int:
    """Load a Turtle file into `graph` (blank nodes skolemized); returns the number of triples read."""
    with path.open("rb") as fh:
        triples = list(ox.parse(fh, ox.RdfFormat.TURTLE))
    store.extend(skolemize(triples, path.stem, graph))
    return len(triples)


def load_project_graphs(store: ox.Store) -> dict[str, int]:
    """Load ontology/ files into dtkgg:ontology and reference.ttl into dtkgg:reference."""
    onto = folder("ontology")
    loaded: dict[str, int] = {}
    for names, graph in ((ONTOLOGY_FILES, ONTOLOGY), (REFERENCE_FILES, REFERENCE)):
        store.remove_graph(graph)
        for name in names:
            path = onto / name
            if path.exists():
                loaded[name] = load_turtle(store, path, graph)
    return loaded


class ArticleWriter:
    """Writes article graphs into the store in large N-Quads batches, bulk-loaded by a
    background thread while the workers go on extracting. Call `close()` at the end: it
    waits for the loads and raises any error they met.
    """

    def __init__(self, store: ox.Store):
        self.store = store
        self.buffer: list[bytes] = []
        self.size = 0
        self.queue: queue.Queue = queue.Queue(maxsize=1)  # one load waiting, one loading, one filling
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._load, name="dtkg-store-loader", daemon=True)
        self.thread.start()

    def _load(self) -> None:
        while True:
            data = self.queue.get()
            if data is None:
                return
            if self.error is None:
                try:
                    # lenient: no second IRI check of what dtkg.rdf minted and checked (web_iri)
                    self.store.bulk_load(data, ox.RdfFormat.N_QUADS, lenient=True)
                except BaseException as exc:  # noqa: BLE001 - raised again by close()
                    self.error = exc

    def add(self, nquads: bytes) -> None:
        """One article graph (and what its worker inferred about it) as UTF-8 N-Quads."""
        self.buffer.append(nquads)
        self.size += len(nquads)
        if self.size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Hand the buffered quads to the loader thread."""
        if self.size:
            self.queue.put(b"".join(self.buffer))
            self.buffer = []
            self.size = 0

    def close(self) -> None:
        """Load what is left and wait for the loader thread."""
        self.flush()
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def count(store: ox.Store, graph: ox.NamedNode) -> int:
    """Number of triples in one named graph."""
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
    return int(next(iter(result))["n"].value)


def article_graph_count(store: ox.Store) -> int:
    """Number of article graphs in the store (counted inside Oxigraph: making a Python term of
    each of 100k graph names took 2–6 s)."""
    result = store.query(
        f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{}} FILTER(STRSTARTS(STR(?g), "{ARTICLE_PREFIX}")) }}')
    return int(next(iter(result))["n"].value)


def counts(store: ox.Store, articles: int | None = None) -> dict[str, int]:
    """Triples per special graph, all article graphs together (counted unless given), and in total."""
    result = {g.value.rsplit("/", 1)[-1]: count(store, g) for g in SPECIAL}
    if articles is None:
        articles = len(store) - sum(result.values())
    result["articles"] = articles
    result["total"] = articles + sum(result[g.value.rsplit("/", 1)[-1]] for g in SPECIAL)
    return result
