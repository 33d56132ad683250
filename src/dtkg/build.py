"""Build the graph: articles → facts → article graphs (SHACL-checked) in the store → reasoning, dumps, VoID.

The whole output is written into a staging folder inside OUT and committed at the end
(`dtkg.atomic.Staging`), so a build that fails or is killed leaves the previous output as
it was. Articles stream through: each is prepared, extracted, emitted, cut into its
pieces (`dtkg.stream`) and SHACL-validated (`dtkg.validate.engine`) in worker processes
when `jobs > 1`; the main process bulk-loads its N-Quads into the on-disk store, its
pieces into the dumps and its SHACL results into `validation.jsonl` as they arrive.
Nothing of the whole corpus is kept in memory but the keys of the triples several
articles share. Incremental builds are `dtkg.incremental`.
"""
from __future__ import annotations

import json
import multiprocessing
import time
import traceback
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
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
from dtkg.results import FILE as RESULTS_FILE, VOCABULARY, Results
from dtkg.validate.engine import Engine
from dtkg.validate.report import ValidationResult

__all__ = ["Options", "Summary", "Progress", "build", "process", "validate_store", "verdict"]

CHUNK = 32  # articles per task sent to a worker process


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


Result = tuple[str, "stream.ArticleParts | None", dict, str, list]


def process(article: Article, infer: bool = True, validate: bool = True) -> Result:
    """Prepare, extract, emit, cut and validate one article:
    (id, parts or None, facts per type, error, SHACL results of its graph)."""
    from dtkg.text import prepare

    try:
        document = prepare(article)
        extract_all = _extractor()
        facts = extract_all(document) if extract_all else []
        lines = emit.article_graph(document, facts)
        graph = f"<{iris.article_graph_iri(article.id)}>"
        schema = stream.project_schema() if infer else None
        parts = stream.article_parts(article.id, graph, lines, dump.abbreviator(), schema)
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the build
        return article.id, None, {}, f"extraction failed: {type(exc).__name__}: {exc}", []
    try:
        violations = Engine.default().check(lines) if validate else []
    except Exception as exc:  # noqa: BLE001 - reported like an extraction failure
        return article.id, None, {}, f"validation failed: {type(exc).__name__}: {exc}", []
    return article.id, parts, dict(Counter(f.type for f in facts)), "", violations


def _process_chunk(articles: list[Article], infer: bool, validate: bool) -> list[Result]:
    return [process(a, infer, validate) for a in articles]


# --- the stream of articles ----------------------------------------------------------------

def articles(sources: list[str], summary: Summary) -> Iterator[Article]:
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


def processed(articles: Iterator[Article], jobs: int, infer: bool, validate: bool, pool) -> Iterator[tuple[Article, Result]]:
    """(article, result) in corpus order; in parallel with a bounded number of chunks in flight."""
    chunks = iter(lambda: list(islice(articles, CHUNK)), [])
    if pool is None:
        for chunk in chunks:
            yield from zip(chunk, _process_chunk(chunk, infer, validate))
        return
    pending: deque = deque()
    for chunk in chunks:
        pending.append((chunk, pool.submit(_process_chunk, chunk, infer, validate)))
        if len(pending) >= jobs * 4:
            done, result = pending.popleft()
            yield from zip(done, result.result())
    while pending:
        done, result = pending.popleft()
        yield from zip(done, result.result())


def pool(jobs: int) -> ProcessPoolExecutor | None:
    """Worker processes for `jobs` > 1 (None otherwise).

    A ProcessPoolExecutor, not a multiprocessing.Pool: the Pool's worker-handler thread wakes
    whenever a result waits in the pipe and spins until the result thread has read it (1.8 of
    the 66 CPU-seconds of a 6k-article build).
    """
    return ProcessPoolExecutor(jobs, mp_context=_context()) if jobs > 1 else None


def _context():
    """Worker processes that do not inherit the store's threads (a fork could copy a held lock)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class Inferences:
    """Collects what the rules derive, article by article, into the dtkgg:inferred graph.

    What an article's rules derive about its own nodes is final (no other graph names
    them): the workers send it for the store (loaded with the article) and as Turtle and
    N-Triples pieces for the dumps, kept here in corpus order. What they derive about
    shared nodes is collected, de-duplicated and pruned of what some graph asserts at the end.
    """

    def __init__(self, folder: Path):
        self.ttl_path, self.nt_path = folder / "inferred-own.ttl", folder / "inferred-own.nt"
        self.ttl, self.nt = self.ttl_path.open("wb"), self.nt_path.open("wb")
        self.own = 0
        self.shared: set[str] = set()

    def add(self, parts: stream.ArticleParts) -> None:
        self.ttl.write(parts.inferred_ttl)
        self.nt.write("".join(parts.inferred_own).encode("utf-8"))
        self.own += len(parts.inferred_own)
        self.shared.update(parts.inferred_shared)

    def finish(self, store: ox.Store, dumps: dump.DumpWriter) -> int:
        """Drop what some graph asserts; write the rest into the store and the dumps."""
        self.ttl.close()
        self.nt.close()
        project = ox.Store()
        for graph in (st.ONTOLOGY, st.REFERENCE):
            project.extend(ox.Quad(q.subject, q.predicate, q.object, graph)
                           for q in store.quads_for_pattern(None, None, None, graph))
        self.shared.update(f"{s} {p} {o} .\n" for s, p, o in reason.infer(project))
        shared = sorted(line for line in self.shared if not dumps.asserted(line))
        store.load("".join(shared), ox.RdfFormat.N_TRIPLES, to_graph=st.INFERRED)
        count = dumps.inferred(shared, st.INFERRED.value, own=(self.ttl_path, self.nt_path, self.own))
        self.ttl_path.unlink()
        self.nt_path.unlink()
        return count


# --- stages --------------------------------------------------------------------------------

def _take(parts: stream.ArticleParts, dumps: dump.DumpWriter, inferences: Inferences | None, summary: Summary) -> None:
    dumps.article(parts)
    if inferences is not None:
        inferences.add(parts)
    summary.triples["articles"] = summary.triples.get("articles", 0) + parts.triples
    summary.article_graphs += 1


def built(options: Options, summary: Summary, progress: Progress, infer: bool) -> Iterator[tuple[str, stream.ArticleParts, list]]:
    """(id, parts, SHACL results) of each article of the sources processed without error, in
    corpus order; rejections, counts, facts and progress go into `summary` and `progress`."""
    workers = pool(options.jobs)
    try:
        for article, (doc_id, parts, facts, error, violations) in processed(
                articles(options.sources, summary), options.jobs, infer, options.validate, workers):
            if error:
                summary.rejected.append(Rejection(article.source or doc_id, error))
            else:
                yield doc_id, parts, violations
                summary.articles_built += 1
                summary.facts.update(facts)
            progress.tick()
    finally:
        if workers is not None:
            workers.shutdown(wait=False, cancel_futures=True)


def _load_articles(options: Options, store: ox.Store, dumps: dump.DumpWriter, inferences: Inferences | None,
                   checked: Results, summary: Summary, progress: Progress) -> None:
    """Stream the corpus into the store and the dumps; each graph's SHACL results into `checked`."""
    writer = st.ArticleWriter(store)
    try:
        for doc_id, parts, violations in built(options, summary, progress, inferences is not None):
            writer.add(parts.nquads + parts.inferred_nquads)
            _take(parts, dumps, inferences, summary)
            checked.add(str(iris.article_graph_iri(doc_id)), violations)
    finally:
        writer.close()
    progress.done(f"{summary.articles_built} articles built, {len(summary.rejected)} rejected")


def open_store(options: Options, staging: Staging) -> ox.Store:
    """A fresh store in the staging folder, or (incremental) a copy of the current one
    (a checkpoint: its files are hard links, so the copy costs no time at any size)."""
    path = staging.add_folder("store")
    current = options.out / "store"
    if options.incremental and current.is_dir():
        st.open_read_only(current).backup(str(path))
    return st.create(path)


# --- SHACL ---------------------------------------------------------------------------------

def _check_graphs(graphs: list[tuple[str, list[str]]]) -> list[tuple[str, list]]:
    engine = Engine.default()
    return [(graph, engine.check(lines)) for graph, lines in graphs]


def validate_store(store: ox.Store, jobs: int = 1) -> Results:
    """The SHACL results of every article graph of a built store (read back from it), by graph."""
    import tempfile

    checked = Results()
    with tempfile.TemporaryDirectory(prefix="dtkg-validate-") as tmp:
        graphs = dump.article_graphs(store, Path(tmp) / "store.nq")
        chunks = iter(lambda: list(islice(graphs, CHUNK)), [])
        if jobs > 1:
            with ProcessPoolExecutor(jobs, mp_context=_context()) as executor:
                done = executor.map(_check_graphs, chunks)
                for chunk in done:
                    for graph, found in chunk:
                        checked.add(graph, found)
        else:
            for chunk in chunks:
                for graph, found in _check_graphs(chunk):
                    checked.add(graph, found)
    return checked


def verdict(checked: Results) -> ValidationResult:
    """The whole graph's verdict: the article graphs' results and the vocabulary's."""
    engine = Engine.default()
    checked.add(VOCABULARY, engine.check_vocabulary())
    return engine.result(checked.violations())


def write_validation(staging: Staging, checked: Results, summary: Summary) -> None:
    result = verdict(checked)
    staging.write_bytes("validation.ttl", result.report_graph.serialize(format="turtle").encode("utf-8"))
    staging.write_bytes("validation.txt", result.text.encode("utf-8"))
    checked.write(staging.add_file(RESULTS_FILE))
    summary.shacl = {"conforms": result.conforms, "violations": len(result.errors),
                     "warnings": len(result.violations) - len(result.errors)}


VALIDATION_FILES = ("validation.ttl", "validation.txt", RESULTS_FILE)
DUMP_FILES = tuple(name for dump_name in dump.NAMES for name in (dump_name, dump_name + ".sha256"))


# --- dataset description and dumps ---------------------------------------------------------

def _dataset_facts(store: ox.Store, summary: Summary) -> dict:
    """What the dataset description states (counted without the previous description)."""
    store.remove_graph(st.DATASET)
    summary.triples.update(st.counts(store, summary.triples.get("articles")))
    return dict(counts=summary.triples, articles=summary.article_graphs,
                issued=void.latest_article_date(store), example_resources=void.examples(store))


def _count_dataset_graph(store: ox.Store, summary: Summary) -> None:
    """The dataset graph was just written: only its count and the total change (counting the
    other graphs again took a second at 100k articles)."""
    before = summary.triples.get("dataset", 0)
    summary.triples["dataset"] = st.count(store, st.DATASET)
    summary.triples["total"] += summary.triples["dataset"] - before


def _set_dataset_graph(store: ox.Store, description) -> None:
    store.remove_graph(st.DATASET)
    store.load(void.to_ntriples(description), ox.RdfFormat.N_TRIPLES, to_graph=st.DATASET)


def finish_dumps(store: ox.Store, dumps: dump.DumpWriter, staging: Staging, summary: Summary) -> None:
    """Checksums of the merged dumps, the dataset description, the end of the TriG, void.ttl."""
    dumps.close_merged()
    summary.triples["merged"] = dumps.merged
    described = []
    for name in ("dtkg.ttl", "dtkg.nt"):
        path = staging.add_file(name)
        value, checksum = dump.write_checksum(path, dumps.sha256(name))
        staging.add_file(checksum.name)
        described.append(void.Dump(name, path.stat().st_size, value))
    trig = void.Dump("dtkg.trig")
    facts = _dataset_facts(store, summary)
    _set_dataset_graph(store, void.description(dumps=[trig, *described], download=void.absolute, **facts))
    dumps.graph(st.DATASET.value, dump.graph_lines(store, st.DATASET), merged=False)
    dumps.close()
    trig_path = staging.add_file("dtkg.trig")
    trig.size, (trig.sha256, checksum) = trig_path.stat().st_size, dump.write_checksum(trig_path, dumps.sha256("dtkg.trig"))
    staging.add_file(checksum.name)
    staging.write_bytes("void.ttl", void.to_turtle(void.description(
        dumps=[trig, *described], download=void.relative, **facts)).encode("utf-8"))
    _count_dataset_graph(store, summary)


def describe_without_dumps(store: ox.Store, staging: Staging, summary: Summary) -> None:
    """The dataset description of a build that wrote no dumps (an incremental one)."""
    facts = _dataset_facts(store, summary)
    _set_dataset_graph(store, void.description(dumps=[], download=void.absolute, **facts))
    staging.write_bytes("void.ttl", void.to_turtle(void.description(
        dumps=[], download=void.relative, **facts)).encode("utf-8"))
    _count_dataset_graph(store, summary)


def stage(summary: Summary, name: str, progress: Progress):
    class Timer:
        def __enter__(self):
            progress.stage(name)
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            summary.seconds[name] = time.perf_counter() - self.start
    return Timer()


# --- a build -------------------------------------------------------------------------------

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
    if options.incremental and (options.out / "store").is_dir():
        from dtkg import incremental

        return incremental.run(options, staging, summary, progress)
    store = open_store(options, staging)
    with stage(summary, "ontology", progress):
        st.load_project_graphs(store)
        dumps = dump.DumpWriter(staging.dir)
        dumps.graph(st.ONTOLOGY.value, dump.graph_lines(store, st.ONTOLOGY), merged=False)
        dumps.graph(st.REFERENCE.value, dump.graph_lines(store, st.REFERENCE), merged=True)
    transitive = bool(stream.project_schema().transitive)
    inferences = Inferences(staging.dir) if options.reason and not transitive else None
    checked = Results()
    try:
        with stage(summary, "articles", progress):
            _load_articles(options, store, dumps, inferences, checked, summary, progress)
        if summary.article_graphs == 0:
            return False
        if _extractor() is None:
            summary.notes.append("extraction not available (dtkg.extract.extract_all missing): no facts")
        with stage(summary, "reasoning", progress):
            summary.inferred = _reason(options, store, dumps, inferences)
        with stage(summary, "validation", progress):
            if options.validate:
                write_validation(staging, checked, summary)
            else:
                staging.remove_files(VALIDATION_FILES)
        with stage(summary, "dumps", progress):
            finish_dumps(store, dumps, staging, summary)
    finally:
        dumps.close()
    store.flush()
    return True


def _reason(options: Options, store: ox.Store, dumps: dump.DumpWriter, inferences: Inferences | None) -> int | None:
    if inferences is not None:
        return inferences.finish(store, dumps)  # (the workers' own inferences are in the store already)
    if not options.reason:
        return None
    count = reason.reason(store)  # transitive properties: the store-wide fixpoint
    dumps.inferred(dump.graph_lines(store, st.INFERRED), st.INFERRED.value)
    return count


def _write_reports(staging: Staging, summary: Summary) -> None:
    lines = "".join(r.to_json() + "\n" for r in summary.rejected)
    staging.write_bytes("rejected.jsonl", lines.encode("utf-8"))
    staging.write_bytes("build.json", summary.to_json().encode("utf-8"))
