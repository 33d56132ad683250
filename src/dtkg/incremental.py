"""Incremental builds: add article graphs to a built store (or replace some) in seconds.

The store is copied as a checkpoint (hard links: no time at any size) and only what the
new articles change is computed:

- **Inferences.** Every rule of `dtkg.reason` has one premise, so the closure of a union
  of graphs is the union of their closures. Adding a graph adds what its worker derived
  (minus what some graph asserts) and removes from `dtkgg:inferred` what it asserts.
  Replacing a graph also takes away what only the old version supported: the old
  version's own nodes lose their inferences, and for every shared node either version
  mentions, the inferences about it are recomputed from all the store says about it.
- **SHACL.** Only the new graphs are validated; the results of the others come from the
  previous build's `validation.jsonl` (`dtkg.results`).
- **Dumps** are not rewritten: that costs as much as a build. The previous ones no longer
  describe the store, so the commit removes them; `dtkg dump` writes them from the store.

The result is the same store (every graph, `dtkgg:inferred` included), SHACL verdict and
VoID counts as a fresh build of all the articles (tests/test_faults.py checks this).
"""
from __future__ import annotations

import hashlib
import json
from itertools import chain

import pyoxigraph as ox

from dtkg import build as b, dump, reason, store as st, stream
from dtkg.rdf import iris
from dtkg.results import FILE as RESULTS_FILE, Results
from dtkg.stream import TYPE_NT, NTSchema, closure, split_nt

SKIP = (st.INFERRED, st.DATASET)
NOTE = ("incremental build: the dumps (dtkg.trig, dtkg.ttl, dtkg.nt) are not rewritten and the previous ones "
        "were removed; `dtkg dump --graph OUT` writes them from the store")


def _triples(lines: str) -> list[ox.Triple]:
    return list(ox.parse(lines, ox.RdfFormat.N_TRIPLES))


def _asserted(store: ox.Store, t) -> bool:
    """True when some graph other than the inferred and dataset graphs states the triple."""
    return any(q.graph_name not in SKIP for q in store.quads_for_pattern(t.subject, t.predicate, t.object))


class InferredGraph:
    """Keeps `dtkgg:inferred` of a store equal to a fresh build's as graphs are added or replaced."""

    def __init__(self, store: ox.Store, schema: NTSchema):
        self.store = store
        self.schema = schema

    def forget_own(self, key: str, old_lines: list[str]) -> None:
        """A graph is being replaced: drop the inferences about its own nodes (only it names them)."""
        own = stream.key_prefixes(key)
        for subject in {line.split(" ", 1)[0] for line in old_lines if line.startswith(own)}:
            node = ox.NamedNode(subject[1:-1])
            for q in list(self.store.quads_for_pattern(node, None, None, st.INFERRED)):
                self.store.remove(q)

    def add(self, parts: stream.ArticleParts) -> None:
        """A graph was loaded: what it asserts is no longer inferred; what it derives is."""
        for q in ox.parse(parts.nquads, ox.RdfFormat.N_QUADS):
            inferred = ox.Quad(q.subject, q.predicate, q.object, st.INFERRED)
            if inferred in self.store:
                self.store.remove(inferred)
        derived = "".join(chain(parts.inferred_own, parts.inferred_shared))
        for t in _triples(derived):
            if not _asserted(self.store, t):
                self.store.add(ox.Quad(t.subject, t.predicate, t.object, st.INFERRED))

    def recompute(self, changed: dict[str, tuple[list[str], list[str]]]) -> None:
        """After replacements: recompute the inferences about every shared node an old or new
        version of a replaced graph mentions. `changed`: graph IRI → (old lines, new lines)."""
        nodes: set[str] = set()
        for graph, versions in changed.items():
            own = stream.key_prefixes(graph[len(st.ARTICLE_PREFIX):])
            for lines in versions:
                triples = [split_nt(line) for line in lines]
                for s, p, o in chain(triples, closure(triples, self.schema)):
                    nodes.add(s)
                    if o[0] == "<" and p != TYPE_NT:
                        nodes.add(o)
            nodes = {n for n in nodes if not n.startswith(own)}
        for node in sorted(nodes):
            self._recompute_node(node)

    def _recompute_node(self, node: str) -> None:
        term = ox.NamedNode(node[1:-1])
        premises = {(str(q.subject), str(q.predicate), str(q.object))
                    for q in chain(self.store.quads_for_pattern(term, None, None),
                                   self.store.quads_for_pattern(None, None, term))
                    if q.graph_name not in SKIP}
        derived = {t for t in closure(sorted(premises), self.schema) if t[0] == node}
        current = {(str(q.subject), str(q.predicate), str(q.object)): q
                   for q in self.store.quads_for_pattern(term, None, None, st.INFERRED)}
        for t, q in current.items():
            if t not in derived:
                self.store.remove(q)
        missing = sorted(derived - current.keys())
        for t in _triples("".join(stream.join_nt(t) for t in missing)):
            self.store.add(ox.Quad(t.subject, t.predicate, t.object, st.INFERRED))


def _project_digest(store: ox.Store) -> str:
    h = hashlib.sha256()
    for graph in (st.ONTOLOGY, st.REFERENCE):
        h.update("".join(dump.graph_lines(store, graph)).encode("utf-8"))
    return h.hexdigest()


def _previous_summary(out) -> dict:
    try:
        return json.loads((out / "build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _graph_lines(store: ox.Store, graph: ox.NamedNode) -> list[str]:
    if next(store.quads_for_pattern(None, None, None, graph), None) is None:
        return []
    return dump.graph_lines(store, graph)


def run(options: b.Options, staging, summary: b.Summary, progress: b.Progress) -> bool:
    """An incremental build into `staging` (see the module docstring); False when nothing was built."""
    previous = _previous_summary(options.out)
    store = b.open_store(options, staging)
    with b.stage(summary, "ontology", progress):
        before = _project_digest(store)
        st.load_project_graphs(store)
        if _project_digest(store) != before:
            raise RuntimeError("the ontology or reference data changed since the previous build: "
                               "run a full build (without --incremental)")
    schema = stream.project_schema()
    full_reasoning = options.reason and (bool(schema.transitive) or previous.get("inferred") is None)
    inferred = InferredGraph(store, schema) if options.reason and not full_reasoning else None
    results_path = options.out / RESULTS_FILE
    checked = Results.read(results_path) if options.validate and results_path.is_file() else None
    replaced: dict[str, list[str]] = {}  # graph IRI → its lines before this build
    delta = 0
    with b.stage(summary, "articles", progress):
        for doc_id, parts, violations in b.built(options, summary, progress, inferred is not None):
            graph = ox.NamedNode(str(iris.article_graph_iri(doc_id)))
            old = _graph_lines(store, graph)
            if old:
                replaced[graph.value] = old
                if inferred is not None:
                    inferred.forget_own(graph.value[len(st.ARTICLE_PREFIX):], old)
                store.remove_graph(graph)
            store.load(parts.nquads, ox.RdfFormat.N_QUADS)
            if inferred is not None:
                inferred.add(parts)
            if checked is not None:
                checked.add(graph.value, violations)
            delta += parts.triples - len(old)
        progress.done(f"{summary.articles_built} articles added or replaced, {len(summary.rejected)} rejected")
    if summary.articles_built == 0:
        return False
    with b.stage(summary, "reasoning", progress):
        if not options.reason:
            store.remove_graph(st.INFERRED)
            summary.inferred = None
        elif inferred is None:
            store.remove_graph(st.INFERRED)
            summary.inferred = reason.reason(store)
        else:
            inferred.recompute({g: (old, dump.graph_lines(store, ox.NamedNode(g))) for g, old in replaced.items()})
            summary.inferred = st.count(store, st.INFERRED)
    with b.stage(summary, "validation", progress):
        if not options.validate:
            staging.remove_files(b.VALIDATION_FILES)
        else:
            if checked is None:  # the previous build kept no per-graph results: check every graph
                checked = b.validate_store(store, options.jobs)
            b.write_validation(staging, checked, summary)
    with b.stage(summary, "description", progress):
        summary.article_graphs = st.article_graph_count(store)
        before_articles = previous.get("triples", {}).get("articles")
        if isinstance(before_articles, int):
            summary.triples["articles"] = before_articles + delta
        staging.remove_files(b.DUMP_FILES)
        summary.notes.append(NOTE)
        b.describe_without_dumps(store, staging, summary)
    store.flush()
    return True
