"""Write the dumps while the build runs: TriG (every named graph) and the merged graph in
Turtle and N-Triples.

The merged graph is the union, without duplicates, of the article graphs, the reference
graph and the inferred graph (not the ontology, published in the TriG and in ontology/,
nor the dataset description, in void.ttl). Same input, same bytes: graphs come in a fixed
order (ontology, reference, then articles in corpus order, inferred, dataset), triples
sorted inside each graph, and nothing depends on the Python hash seed or the number of
jobs. Article pieces arrive pre-formatted from the worker processes (`dtkg.stream`);
this writer only removes the triples that several graphs share from the merged graph.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import IO, Iterable, Iterator

import pyoxigraph as ox

from dtkg.atomic import sha256_file
from dtkg.store import ARTICLE_PREFIX
from dtkg.namespaces import (DCAT, DCTERMS, DTKG, FOAF, GRAPH, ID, OA, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS,
                             TIME, VOID, XSD)
from dtkg.stream import Abbreviator, ArticleParts, split_nt, trig_block, turtle

PREFIXES = {
    "dtkg": str(DTKG._NS), "org": str(ORG), "prov": str(PROV), "oa": str(OA), "schema": str(SCHEMA),
    "dct": str(DCTERMS), "skos": str(SKOS), "time": str(TIME), "dcat": str(DCAT), "void": str(VOID),
    "foaf": str(FOAF), "owl": str(OWL), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD),
}
NAMES = ("dtkg.trig", "dtkg.ttl", "dtkg.nt")


def abbreviator() -> Abbreviator:
    return Abbreviator(PREFIXES)


def digest(line: bytes) -> bytes:
    """A compact, seed-independent key of a UTF-8 N-Triples line (for de-duplication)."""
    return hashlib.blake2b(line, digest_size=12).digest()


# Oxigraph stores integers of every derived type (xsd:nonNegativeInteger, …) as xsd:integer.
# The only ones dtkg writes are the text positions of evidence, typed xsd:nonNegativeInteger
# by docs/MODEL.md and the Web Annotation model: `restore` gives them their type back when
# graphs are read from the store (incremental builds, validation).
_POSITION = re.compile(
    rf'^(<[^>]*> <{OA}(?:start|end)> "\d+"\^\^<){XSD}integer(> \.\n)$'
)


def restore(line: str) -> str:
    """A store line with the datatype of an evidence position restored."""
    return _POSITION.sub(rf"\g<1>{XSD}nonNegativeInteger\g<2>", line) if "#integer>" in line else line


def graph_lines(store: ox.Store, graph: ox.NamedNode) -> list[str]:
    """The triples of one store graph as sorted N-Triples lines (positions typed as emitted)."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).decode("utf-8")
    return sorted({restore(line) for line in data.splitlines(keepends=True)})


def article_graphs(store: ox.Store, scratch: Path) -> Iterator[tuple[str, list[str]]]:
    """(graph IRI, sorted N-Triples lines) of each article graph of the store.

    One N-Quads dump of the whole store, read back graph by graph (the dump is grouped by
    graph), is several times faster than dumping 100k graphs one at a time.
    """
    store.dump(str(scratch), ox.RdfFormat.N_QUADS)
    prefix = "<" + ARTICLE_PREFIX
    current, lines = None, []
    try:
        with scratch.open(encoding="utf-8") as fh:
            for line in fh:
                head, graph = line[:-3].rsplit(" ", 1)
                if graph != current:
                    if current is not None and lines:
                        yield current[1:-1], sorted(set(lines))
                    current, lines = graph, []
                if graph.startswith(prefix):
                    lines.append(restore(head + " .\n"))
        if current is not None and lines:
            yield current[1:-1], sorted(set(lines))
    finally:
        scratch.unlink(missing_ok=True)


class HashedFile:
    """A binary file being written, with the SHA-256 of what was written so far (no second read)."""

    def __init__(self, path: Path):
        self.fh: IO[bytes] = path.open("wb")
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.hash.update(data)
        self.fh.write(data)

    def copy_from(self, path: Path, chunk: int = 1 << 20) -> None:
        with path.open("rb") as src:
            for block in iter(lambda: src.read(chunk), b""):
                self.write(block)

    @property
    def closed(self) -> bool:
        return self.fh.closed

    def close(self) -> None:
        self.fh.close()


class DumpWriter:
    """Streams dtkg.trig, dtkg.ttl and dtkg.nt into a folder as graphs arrive (UTF-8; article
    pieces come encoded from the workers), with their checksums."""

    def __init__(self, folder: Path):
        self.ab = abbreviator()
        self.paths = {name: folder / name for name in NAMES}
        self.files: dict[str, HashedFile] = {name: HashedFile(path) for name, path in self.paths.items()}
        header = "# dtkg: Vietnam's digital transformation knowledge graph, written by `dtkg build`.\n"
        self._write("dtkg.trig", header + self.ab.header())
        self._write("dtkg.ttl", header + "# The merged graph: article graphs + reference + inferred.\n" + self.ab.header())
        self.seen: set[bytes] = set()  # merged-graph lines written so far that several graphs may share
        self.elsewhere: set[bytes] = set()  # lines asserted in graphs outside the merged graph (ontology)
        self.merged = 0

    def _write(self, name: str, text: str) -> None:
        self.files[name].write(text.encode("utf-8"))

    def graph(self, graph_iri: str, lines: list[str], merged: bool) -> None:
        """A whole non-article graph (ontology, reference, inferred, dataset): TriG, and merged if asked."""
        triples = [split_nt(line) for line in lines]
        self._write("dtkg.trig", trig_block(f"<{graph_iri}>", triples, self.ab))
        if merged:
            self.merge([line.encode("utf-8") for line in lines])
        else:
            self.elsewhere.update(digest(line.encode("utf-8")) for line in lines)

    def article(self, parts: ArticleParts) -> None:
        """One article graph: its TriG block, its own lines, and its shared lines not yet written."""
        self.files["dtkg.trig"].write(parts.trig)
        self.files["dtkg.nt"].write(parts.own_nt)
        self.files["dtkg.ttl"].write(parts.own_ttl)
        self.merged += parts.own_nt.count(b"\n")
        self.merge(parts.shared)

    def merge(self, lines: Iterable[bytes]) -> None:
        """Add UTF-8 lines to the merged graph, skipping those already in it."""
        new = []
        for line in lines:
            key = digest(line)
            if key not in self.seen:
                self.seen.add(key)
                new.append(line)
        if new:
            self.files["dtkg.nt"].write(b"".join(new))
            self._write("dtkg.ttl", turtle([split_nt(line.decode("utf-8")) for line in new], self.ab))
            self.merged += len(new)

    def inferred(self, shared: list[str], graph_iri: str, own: tuple[Path, Path, int] | None = None) -> int:
        """The inferred graph: what the rules derive about the articles' own nodes, from the
        workers' pieces collected in order (Turtle file, N-Triples file, number of triples),
        then the sorted lines about shared nodes. Returns its size."""
        count = 0
        if own is not None and own[2]:
            ttl, nt, count = own
            self._write("dtkg.trig", f"<{graph_iri}> {{\n")
            self.files["dtkg.trig"].copy_from(ttl)
            self._write("dtkg.trig", "}\n\n")
            self.files["dtkg.ttl"].copy_from(ttl)
            self.files["dtkg.nt"].copy_from(nt)
            self.merged += count
        if shared:
            self._write("dtkg.trig", trig_block(f"<{graph_iri}>", [split_nt(line) for line in shared], self.ab))
            self.merge([line.encode("utf-8") for line in shared])
        return count + len(shared)

    def sha256(self, name: str) -> str:
        """Hex SHA-256 of everything written to dump `name`."""
        return self.files[name].hash.hexdigest()

    def asserted(self, line: str) -> bool:
        """True when some graph already written states this triple (for pruning inferences)."""
        key = digest(line.encode("utf-8"))
        return key in self.seen or key in self.elsewhere

    def close_merged(self) -> None:
        for name in ("dtkg.ttl", "dtkg.nt"):
            self.files[name].close()

    def close(self) -> None:
        for fh in self.files.values():
            if not fh.closed:
                fh.close()


def write_checksum(path: Path, value: str | None = None) -> tuple[str, Path]:
    """Write `<file>.sha256` (sha256sum format) next to `path` (its digest computed unless given);
    returns the digest and its path."""
    value = value or sha256_file(path)
    target = path.with_name(path.name + ".sha256")
    target.write_text(f"{value}  {path.name}\n", encoding="utf-8")
    return value, target


# --- from a built store, with Oxigraph's serialisers (benchmarks compare the two ways) -------

MERGED_EXCLUDES = ("ontology", "dataset")  # the merged graph: articles + reference + inferred


def merged_store(store: ox.Store, scratch: Path) -> ox.Store:
    """A scratch store whose default graph is the merged graph of a built store."""
    import shutil

    if scratch.exists():
        shutil.rmtree(scratch)
    merged = ox.Store(str(scratch))
    excluded = " && ".join(f"?g != <{GRAPH[name]}>" for name in MERGED_EXCLUDES)
    triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({excluded}) }}")
    nt = scratch.with_name(scratch.name + ".nt")
    with nt.open("wb") as fh:
        triples.serialize(fh, ox.RdfFormat.N_TRIPLES)
    merged.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    nt.unlink()
    return merged


def write_merged(merged: ox.Store, ttl: Path, nt: Path) -> int:
    """The merged graph of `merged_store` as Turtle and N-Triples (Oxigraph); returns its size."""
    prefixes = {**PREFIXES, "dtkgr": str(ID)}
    merged.dump(str(ttl), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes)
    merged.dump(str(nt), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return len(merged)


def write_trig(store: ox.Store, path: Path) -> None:
    """Every named graph of a built store as TriG (Oxigraph)."""
    store.dump(str(path), ox.RdfFormat.TRIG, prefixes={**PREFIXES, "dtkgr": str(ID), "dtkgg": str(GRAPH)})
