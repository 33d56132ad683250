"""Build the graph: articles → facts → article graphs in the store → reasoning, SHACL, dumps, VoID.

The whole output is written into a staging folder inside OUT and committed at the end
(`dtkg.atomic.Staging`), so a build that fails or is killed leaves the previous output as
it was. Articles stream through: each is prepared, extracted, emitted and cut into its
pieces (`dtkg.stream`) in worker processes when `jobs > 1`; the main process puts its
N-Quads into the on-disk store and its pieces into the dumps as they arrive. Nothing of
the whole corpus is kept in memory but the keys of the triples several articles share.
"""
from __future__ import annotations

import json
import multiprocessing
import time
import traceback
from collections import Counter, deque
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from dtkg import __version__, corpus, dump, reason, store as st, stream, void
from dtkg.atomic import Staging, clean_stale, locked, write_text
from dtkg.corpus import Rejection
from dtkg.model import Article
from dtkg.progress import Progress
from dtkg.rdf import emit, iris

__all__ = ["Options", "Summary", "Progress", "build", "process"]

CHUNK = 32  # articles per task sent to a worker process
VALIDATION_CHUNK = 500  # article graphs per SHACL run (rdflib holds one chunk in memory)


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


def process(article: Article, infer: bool = True) -> tuple[str, stream.ArticleParts | None, dict, str]:
    """Prepare, extract, emit and cut one article: (id, parts or None, facts per type, error)."""
    from dtkg.text import prepare

    try:
        document = prepare(article)
        extract_all = _extractor()
        facts = extract_all(document) if extract_all else []
        lines = emit.nt_lines(emit.article_graph(document, facts))
        graph = f"<{iris.article_graph_iri(article.id)}>"
        schema = stream.project_schema() if infer else None
        parts = stream.article_parts(article.id, graph, lines, dump.abbreviator(), schema)
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the build
        return article.id, None, {}, f"extraction failed: {type(exc).__name__}: {exc}"
    return article.id, parts, dict(Counter(f.type for f in facts)), ""


def _process_chunk(articles: list[Article], infer: bool) -> list[tuple]:
    return [process(a, infer) for a in articles]


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


def _results(articles: Iterator[Article], jobs: int, infer: bool, pool) -> Iterator[tuple[Article, tuple]]:
    """(article, result) in corpus order; in parallel with a bounded number of chunks in flight."""
    chunks = iter(lambda: list(islice(articles, CHUNK)), [])
    if pool is None:
        for chunk in chunks:
            yield from zip(chunk, _process_chunk(chunk, infer))
        return
    pending: deque = deque()
    for chunk in chunks:
        pending.append((chunk, pool.apply_async(_process_chunk, (chunk, infer))))
        if len(pending) >= jobs * 4:
            done, result = pending.popleft()
            yield from zip(done, result.get())
    while pending:
        done, result = pending.popleft()
        yield from zip(done, result.get())


def _context():
    """Worker processes that do not inherit the store's threads (a fork could copy a held lock)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class Inferences:
    """Collects what the rules derive, article by article, into the dtkgg:inferred graph."""

    def __init__(self, folder: Path):
        self.own_path = folder / "inferred-own.nt"
        self.own = self.own_path.open("w", encoding="utf-8", newline="\n")
        self.shared: set[str] = set()

    def add(self, parts: stream.ArticleParts) -> None:
        self.own.write("".join(parts.inferred_own))
        self.shared.update(parts.inferred_shared)

    def finish(self, store: ox.Store, dumps: dump.DumpWriter) -> int:
        """Drop what some graph asserts; write the rest into the store and the dumps."""
        self.own.close()
        project = ox.Store()
        for graph in (st.ONTOLOGY, st.REFERENCE):
            project.extend(ox.Quad(q.subject, q.predicate, q.object, graph)
                           for q in store.quads_for_pattern(None, None, None, graph))
        self.shared.update(f"{s} {p} {o} .\n" for s, p, o in reason.infer(project))
        shared = sorted(line for line in self.shared if not dumps.asserted(line))
        store.bulk_load(path=str(self.own_path), format=ox.RdfFormat.N_TRIPLES, to_graph=st.INFERRED)
        store.load("".join(shared), ox.RdfFormat.N_TRIPLES, to_graph=st.INFERRED)
        with self.own_path.open(encoding="utf-8") as fh:
            count = dumps.inferred(fh, shared, st.INFERRED.value)
        self.own_path.unlink()
        return count


# --- stages --------------------------------------------------------------------------------

def _take(parts: stream.ArticleParts, dumps: dump.DumpWriter, inferences: Inferences | None, summary: Summary) -> None:
    dumps.article(parts)
    if inferences is not None:
        inferences.add(parts)
    summary.triples["articles"] = summary.triples.get("articles", 0) + parts.triples
    summary.article_graphs += 1


def _load_articles(options: Options, store: ox.Store, dumps: dump.DumpWriter, inferences: Inferences | None,
                   summary: Summary, progress: Progress) -> set[str]:
    """Stream the corpus into the store and the dumps; returns the graph IRIs written."""
    writer = st.ArticleWriter(store, replace=options.incremental)
    written: set[str] = set()
    infer = inferences is not None
    pool = _context().Pool(options.jobs) if options.jobs > 1 else None
    try:
        for article, (doc_id, parts, facts, error) in _results(_articles(options.sources, summary),
                                                               options.jobs, infer, pool):
            if error:
                summary.rejected.append(Rejection(article.source or doc_id, error))
            else:
                writer.add(doc_id, parts.nquads)
                _take(parts, dumps, inferences, summary)
                written.add(str(iris.article_graph_iri(doc_id)))
                summary.articles_built += 1
                summary.facts.update(facts)
            progress.tick()
    finally:
        if pool is not None:
            pool.terminate()
        writer.close()
    progress.done(f"{summary.articles_built} articles built, {len(summary.rejected)} rejected")
    return written


def _previous_articles(store: ox.Store, written: set[str], dumps: dump.DumpWriter,
                       inferences: Inferences | None, summary: Summary, scratch: Path) -> None:
    """Incremental builds: put the article graphs kept from the previous build into the dumps
    (read from the previous dtkg.trig, or from the store when there is none)."""
    schema = stream.project_schema() if inferences is not None else None
    ab = dump.abbreviator()
    previous = scratch.parent.parent / "dtkg.trig"
    graphs = (dump.article_graphs_from_trig(previous, written) if previous.is_file()
              else dump.article_graphs(store, scratch, written))
    for graph, lines in graphs:
        key = graph[len(st.ARTICLE_PREFIX):]
        _take(stream.article_parts(key, f"<{graph}>", lines, ab, schema), dumps, inferences, summary)


def _open_store(options: Options, staging: Staging) -> ox.Store:
    """A fresh store in the staging folder, or (incremental) a copy of the current one."""
    path = staging.add_folder("store")
    current = options.out / "store"
    if options.incremental and current.is_dir():
        st.open_read_only(current).backup(str(path))
    return st.create(path)


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
        vocabulary.parse(data="".join(dump.graph_lines(store, graph)), format="nt")
    graphs = sorted((g for g in store.named_graphs() if st.is_article_graph(g)), key=lambda g: g.value)
    merged = None
    for start in range(0, max(len(graphs), 1), VALIDATION_CHUNK):
        dataset = rdflib.Dataset()
        for graph in graphs[start:start + VALIDATION_CHUNK]:
            dataset.graph(rdflib.URIRef(graph.value)).parse(data="".join(dump.graph_lines(store, graph)), format="nt")
        result = validate_per_graph(dataset, ont_graph=vocabulary, jobs=jobs)
        del dataset
        if merged is None:
            merged = result
            continue
        merged.conforms = merged.conforms and result.conforms
        merged.violations = sorted(set(merged.violations) | set(result.violations), key=lambda v: v.describe())
        merged.report_graph += result.report_graph
    if len(graphs) > VALIDATION_CHUNK:
        merged.text = format_text(merged.conforms, merged.violations)
    return merged


def _validate(store: ox.Store, staging: Staging, jobs: int, summary: Summary) -> None:
    result = validate_store(store, jobs)
    if result is None:
        summary.notes.append("SHACL validation skipped: dtkg.validate is not available")
        return
    staging.write_bytes("validation.ttl", result.report_graph.serialize(format="turtle").encode("utf-8"))
    staging.write_bytes("validation.txt", result.text.encode("utf-8"))
    summary.shacl = {"conforms": result.conforms, "violations": len(result.errors),
                     "warnings": len(result.violations) - len(result.errors)}


def _finish_dumps(store: ox.Store, dumps: dump.DumpWriter, staging: Staging, summary: Summary) -> None:
    """Checksums of the merged dumps, the dataset description, the end of the TriG, void.ttl."""
    dumps.close_merged()
    summary.triples["merged"] = dumps.merged
    described = []
    for name in ("dtkg.ttl", "dtkg.nt"):
        path = staging.add_file(name)
        value, checksum = dump.write_checksum(path)
        staging.add_file(checksum.name)
        described.append(void.Dump(name, path.stat().st_size, value))
    summary.triples.update(st.counts(store, summary.triples.get("articles", 0)))
    trig = void.Dump("dtkg.trig")
    facts = dict(counts=summary.triples, articles=summary.article_graphs,
                 issued=void.latest_article_date(store), example_resources=void.examples(store))
    description = void.description(dumps=[trig, *described], download=void.absolute, **facts)
    store.remove_graph(st.DATASET)
    store.load(void.to_ntriples(description), ox.RdfFormat.N_TRIPLES, to_graph=st.DATASET)
    dumps.graph(st.DATASET.value, dump.graph_lines(store, st.DATASET), merged=False)
    dumps.close()
    trig_path = staging.add_file("dtkg.trig")
    trig.size, (trig.sha256, checksum) = trig_path.stat().st_size, dump.write_checksum(trig_path)
    staging.add_file(checksum.name)
    staging.write_bytes("void.ttl", void.to_turtle(void.description(
        dumps=[trig, *described], download=void.relative, **facts)).encode("utf-8"))
    summary.triples.update(st.counts(store, summary.triples.get("articles", 0)))


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
    with locked(options.out) as free:
        if not free:
            summary.status = "failed"
            summary.error = f"another dtkg build is writing to {options.out}"
            return summary
        clean_stale(options.out, have_lock=True)
        _build(options, progress, summary)
    return summary


def _build(options: Options, progress: Progress, summary: Summary) -> None:
    staging = Staging(options.out)
    started = time.perf_counter()
    try:
        if _run(options, staging, summary, progress):
            summary.status = "built"
            summary.seconds["total"] = time.perf_counter() - started
            _write_reports(staging, summary)
            staging.commit()
            return
        summary.status = "nothing built"
        staging.discard()
    except Exception as exc:  # noqa: BLE001 - the reason goes to build.json, not a traceback
        summary.status = "failed"
        summary.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        staging.discard()
    summary.seconds["total"] = time.perf_counter() - started
    write_text(options.out / "build.json", summary.to_json())


def _run(options: Options, staging: Staging, summary: Summary, progress: Progress) -> bool:
    """All stages into the staging folder; False when no article could be built."""
    store = _open_store(options, staging)
    for graph in (st.DATASET, st.INFERRED):  # an incremental copy's: rewritten below
        store.remove_graph(graph)
    with _stage(summary, "ontology", progress):
        st.load_project_graphs(store)
        dumps = dump.DumpWriter(staging.dir)
        dumps.graph(st.ONTOLOGY.value, dump.graph_lines(store, st.ONTOLOGY), merged=False)
        dumps.graph(st.REFERENCE.value, dump.graph_lines(store, st.REFERENCE), merged=True)
    transitive = bool(stream.project_schema().transitive)
    inferences = Inferences(staging.dir) if options.reason and not transitive else None
    try:
        with _stage(summary, "articles", progress):
            written = _load_articles(options, store, dumps, inferences, summary, progress)
            if options.incremental:
                _previous_articles(store, written, dumps, inferences, summary, staging.path("previous.nq"))
        if summary.article_graphs == 0:
            return False
        if _extractor() is None:
            summary.notes.append("extraction not available (dtkg.extract.extract_all missing): no facts")
        with _stage(summary, "reasoning", progress):
            summary.inferred = _reason(options, store, dumps, inferences, transitive)
        if options.validate:
            with _stage(summary, "validation", progress):
                _validate(store, staging, options.jobs, summary)
        with _stage(summary, "dumps", progress):
            _finish_dumps(store, dumps, staging, summary)
    finally:
        dumps.close()
    store.flush()
    return True


def _reason(options: Options, store: ox.Store, dumps: dump.DumpWriter, inferences: Inferences | None,
            transitive: bool) -> int | None:
    store.remove_graph(st.INFERRED)
    if inferences is not None:
        return inferences.finish(store, dumps)
    if not options.reason:
        return None
    count = reason.reason(store)  # transitive properties: the store-wide fixpoint
    lines = dump.graph_lines(store, st.INFERRED)
    dumps.inferred(iter(()), lines, st.INFERRED.value)
    return count


def _write_reports(staging: Staging, summary: Summary) -> None:
    lines = "".join(r.to_json() + "\n" for r in summary.rejected)
    staging.write_bytes("rejected.jsonl", lines.encode("utf-8"))
    staging.write_bytes("build.json", summary.to_json().encode("utf-8"))
