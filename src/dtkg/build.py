"""Build the graph: articles → facts → article graphs in the store → reasoning, SHACL, dumps, VoID.

The whole output is written into a staging folder inside OUT and committed at the end
(`dtkg.atomic.Staging`), so a build that fails or is killed leaves the previous output as
it was. Articles stream through: each is prepared, extracted and emitted (in worker
processes when `jobs > 1`), and its N-Quads go straight into the on-disk store; no
structure of the whole corpus is kept in memory.
"""
from __future__ import annotations

import json
import multiprocessing
import sys
import time
import traceback
from collections import Counter, deque
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox

from dtkg import __version__, corpus, dump, reason, store as st, void
from dtkg.atomic import Staging, clean_stale, write_text
from dtkg.corpus import Rejection
from dtkg.model import Article
from dtkg.rdf import emit, iris

CHUNK = 32  # articles per task sent to a worker process
VALIDATION_CHUNK = 2000  # article graphs per SHACL run (rdflib holds one chunk in memory)


class Progress:
    """Progress on stderr: a live line on a terminal, a plain line now and then otherwise."""

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.quiet = quiet
        self.count = 0
        self.start = self.last = time.perf_counter()

    def _say(self, text: str) -> None:
        if not self.quiet:
            self.stream.write(text)
            self.stream.flush()

    def stage(self, name: str) -> None:
        self.start = self.last = time.perf_counter()
        self._say(f"dtkg build: {name}\n")

    def tick(self) -> None:
        self.count += 1
        now = time.perf_counter()
        if self.tty and now - self.last >= 0.2:
            self._say(f"\r  {self.count} articles ({self.count / max(now - self.start, 1e-9):.0f}/s)")
            self.last = now
        elif not self.tty and (now - self.last >= 30 or self.count % 10000 == 0):
            self._say(f"  {self.count} articles ({self.count / max(now - self.start, 1e-9):.0f}/s)\n")
            self.last = now

    def done(self, message: str) -> None:
        self._say(("\r\x1b[K" if self.tty else "") + f"  {message}\n")


@dataclass
class Options:
    """What to build and how (the `dtkg build` options)."""

    sources: list[str] = field(default_factory=list)
    out: Path = Path("dtkg-out")
    jobs: int = 1
    reason: bool = True
    validate: bool = True
    incremental: bool = False


@dataclass
class Summary:
    """What a build did: the content of OUT/build.json."""

    status: str = "running"
    articles_read: int = 0
    articles_built: int = 0
    article_graphs: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    facts: Counter = field(default_factory=Counter)
    triples: dict = field(default_factory=dict)
    inferred: int | None = None
    shacl: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def exit_code(self) -> int:
        if self.status != "built":
            return 2
        return 1 if self.rejected or self.shacl.get("conforms") is False else 0

    def to_json(self) -> str:
        data = {
            "dtkg_version": __version__, "status": self.status,
            "articles": {"read": self.articles_read, "built": self.articles_built,
                         "rejected": len(self.rejected), "graphs_in_store": self.article_graphs},
            "rejected": [{"source": r.source, "reason": r.reason} for r in self.rejected],
            "facts": dict(sorted(self.facts.items())), "triples": self.triples,
            "inferred": self.inferred, "shacl": self.shacl,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "notes": self.notes, "error": self.error,
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- per article (runs in worker processes) ----------------------------------------------

def _extractor():
    try:
        from dtkg.extract import extract_all
    except ImportError:
        return None
    return extract_all


def process(article: Article) -> tuple[str, str | None, dict, str]:
    """Prepare, extract and emit one article: (id, N-Quads or None, facts per type, error)."""
    from dtkg.text import prepare

    try:
        document = prepare(article)
        extract_all = _extractor()
        facts = extract_all(document) if extract_all else []
        triples = emit.article_graph(document, facts)
        quads = emit.nquads(triples, iris.article_graph_iri(article.id))
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the build
        return article.id, None, {}, f"extraction failed: {type(exc).__name__}: {exc}"
    return article.id, quads, dict(Counter(f.type for f in facts)), ""


def _process_chunk(articles: list[Article]) -> list[tuple]:
    return [process(a) for a in articles]


# --- the stream of articles ----------------------------------------------------------------

def _articles(sources: list[str], summary: Summary) -> Iterator[Article]:
    """Readable, non-duplicate articles; rejections go into the summary."""
    seen: dict[str, str] = {}
    for item in corpus.read(sources):
        if isinstance(item, Rejection):
            summary.rejected.append(item)
            continue
        summary.articles_read += 1
        key = iris.doc_key(item.id)
        if key in seen:
            summary.rejected.append(Rejection(item.source, f"duplicate id {item.id!r} (first read from {seen[key]})"))
            continue
        seen[key] = item.source or item.id
        yield item


def _results(articles: Iterator[Article], jobs: int, pool) -> Iterator[tuple[Article, tuple]]:
    """(article, result) in corpus order; in parallel with a bounded number of chunks in flight."""
    chunks = iter(lambda: list(islice(articles, CHUNK)), [])
    if pool is None:
        for chunk in chunks:
            yield from zip(chunk, _process_chunk(chunk))
        return
    pending: deque = deque()
    for chunk in chunks:
        pending.append((chunk, pool.apply_async(_process_chunk, (chunk,))))
        if len(pending) >= jobs * 4:
            done, result = pending.popleft()
            yield from zip(done, result.get())
    while pending:
        done, result = pending.popleft()
        yield from zip(done, result.get())


# --- stages --------------------------------------------------------------------------------

def _load_articles(options: Options, store: ox.Store, summary: Summary, progress: Progress) -> None:
    writer = st.ArticleWriter(store, replace=options.incremental)
    pool = multiprocessing.get_context("fork").Pool(options.jobs) if options.jobs > 1 else None
    try:
        for article, (doc_id, quads, facts, error) in _results(_articles(options.sources, summary), options.jobs, pool):
            if error:
                summary.rejected.append(Rejection(article.source or doc_id, error))
            else:
                writer.add(doc_id, quads)
                summary.articles_built += 1
                summary.facts.update(facts)
            progress.tick()
        writer.flush()
    finally:
        if pool is not None:
            pool.terminate()
    progress.done(f"{summary.articles_built} articles built, {len(summary.rejected)} rejected")


def _open_store(options: Options, staging: Staging) -> ox.Store:
    """A fresh store in the staging folder, or (incremental) a copy of the current one."""
    path = staging.add_folder("store")
    current = options.out / "store"
    if options.incremental and current.is_dir():
        st.open_read_only(current).backup(str(path))
    return st.create(path)


def _graph_nt(store: ox.Store, graph: ox.NamedNode) -> bytes:
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)


def validate_store(store: ox.Store, jobs: int):
    """SHACL-validate the store's asserted graphs with dtkg.validate, a chunk of article graphs
    at a time; None when dtkg.validate is not installed."""
    try:
        from dtkg.validate import format_text, validate_per_graph
    except ImportError:
        return None
    import rdflib

    vocabulary = rdflib.Graph()
    for graph in (st.ONTOLOGY, st.REFERENCE):
        vocabulary.parse(data=_graph_nt(store, graph), format="nt")
    graphs = sorted((g for g in store.named_graphs() if st.is_article_graph(g)), key=lambda g: g.value)
    results = []
    for start in range(0, max(len(graphs), 1), VALIDATION_CHUNK):
        dataset = rdflib.Dataset()
        for graph in graphs[start:start + VALIDATION_CHUNK]:
            dataset.graph(rdflib.URIRef(graph.value)).parse(data=_graph_nt(store, graph), format="nt")
        results.append(validate_per_graph(dataset, ont_graph=vocabulary, jobs=jobs))
    if len(results) == 1:
        return results[0]
    first = results[0]
    first.conforms = all(r.conforms for r in results)
    first.violations = sorted({v for r in results for v in r.violations}, key=lambda v: v.describe())
    for r in results[1:]:
        first.report_graph += r.report_graph
    first.text = format_text(first.conforms, first.violations)
    return first


def _validate(store: ox.Store, staging: Staging, jobs: int, summary: Summary) -> None:
    result = validate_store(store, jobs)
    if result is None:
        summary.notes.append("SHACL validation skipped: dtkg.validate is not available")
        return
    staging.write_bytes("validation.ttl", result.report_graph.serialize(format="turtle").encode("utf-8"))
    staging.write_bytes("validation.txt", result.text.encode("utf-8"))
    summary.shacl = {"conforms": result.conforms, "violations": len(result.errors),
                     "warnings": len(result.violations) - len(result.errors)}


def _dumps(store: ox.Store, staging: Staging, summary: Summary) -> None:
    """Merged Turtle and N-Triples, the dataset description, TriG, void.ttl, checksums."""
    merged = dump.merged_store(store, staging.path("merged-scratch"))
    ttl, nt = staging.add_file("dtkg.ttl"), staging.add_file("dtkg.nt")
    summary.triples["merged"] = dump.write_merged(merged, ttl, nt)
    del merged
    dumps = []
    for path in (ttl, nt):
        digest, checksum = dump.write_checksum(path)
        staging.add_file(checksum.name)
        dumps.append(void.Dump(path.name, path.stat().st_size, digest))
    summary.triples.update(st.counts(store))
    trig = void.Dump("dtkg.trig")
    facts = dict(counts=summary.triples, articles=summary.article_graphs,
                 issued=void.latest_article_date(store), example_resources=void.examples(store))
    description = void.description(dumps=[trig, *dumps], download=void.absolute, **facts)
    store.remove_graph(st.DATASET)
    store.load(void.to_ntriples(description), ox.RdfFormat.N_TRIPLES, to_graph=st.DATASET)
    trig_path = staging.add_file("dtkg.trig")
    dump.write_trig(store, trig_path)
    trig.size, (trig.sha256, checksum) = trig_path.stat().st_size, dump.write_checksum(trig_path)
    staging.add_file(checksum.name)
    staging.write_bytes("void.ttl", void.to_turtle(void.description(
        dumps=[trig, *dumps], download=void.relative, **facts)).encode("utf-8"))
    summary.triples.update(st.counts(store))


def _stage(summary: Summary, name: str, progress: Progress):
    class Timer:
        def __enter__(self):
            progress.stage(name)
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            summary.seconds[name] = time.perf_counter() - self.start
    return Timer()


def build(options: Options, progress: Progress | None = None) -> Summary:
    """Run a whole build into `options.out`; never raises for bad input (see Summary.status)."""
    progress = progress or Progress()
    summary = Summary()
    options.out.mkdir(parents=True, exist_ok=True)
    clean_stale(options.out)
    staging = Staging(options.out)
    started = time.perf_counter()
    try:
        store = _run(options, staging, summary, progress)
        if store is None:
            summary.status = "nothing built"
            staging.discard()
        else:
            del store
            summary.status = "built"
            summary.seconds["total"] = time.perf_counter() - started
            _write_reports(staging, summary)
            staging.commit()
            return summary
    except Exception as exc:  # noqa: BLE001 - the reason goes to build.json, not a traceback
        summary.status = "failed"
        summary.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        staging.discard()
    summary.seconds["total"] = time.perf_counter() - started
    write_text(options.out / "build.json", summary.to_json())
    return summary


def _run(options: Options, staging: Staging, summary: Summary, progress: Progress) -> ox.Store | None:
    store = _open_store(options, staging)
    with _stage(summary, "ontology", progress):
        st.load_project_graphs(store)
    with _stage(summary, "articles", progress):
        _load_articles(options, store, summary, progress)
    summary.article_graphs = st.article_graph_count(store)
    if summary.articles_built == 0 and summary.article_graphs == 0:
        return None
    if _extractor() is None:
        summary.notes.append("extraction not available (dtkg.extract.extract_all missing): article graphs hold no facts")
    with _stage(summary, "reasoning", progress):
        store.remove_graph(st.INFERRED)
        summary.inferred = reason.reason(store) if options.reason else None
    if options.validate:
        with _stage(summary, "validation", progress):
            _validate(store, staging, options.jobs, summary)
    with _stage(summary, "dumps", progress):
        _dumps(store, staging, summary)
    store.flush()
    return store


def _write_reports(staging: Staging, summary: Summary) -> None:
    lines = "".join(r.to_json() + "\n" for r in summary.rejected)
    staging.write_bytes("rejected.jsonl", lines.encode("utf-8"))
    staging.write_bytes("build.json", summary.to_json().encode("utf-8"))
