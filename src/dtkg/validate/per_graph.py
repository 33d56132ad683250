"""Validate a dataset one article graph at a time, optionally in worker processes, with the whole-graph verdict.

Each unit is one article graph plus the slice of the vocabulary it needs: the class
hierarchy, every triple about a vocabulary resource the article mentions, and the
types of the resources those triples point to. Only results about the article's own
nodes are kept; the vocabulary's own nodes are checked once, on their own.

Why the verdict equals a single pySHACL run over everything: a SHACL result is about
one focus node and depends on that node's triples, the types of its values and the
class hierarchy, all of which the unit holds, provided (as docs/MODEL.md requires) each
article graph types and labels the entities it names, the vocabulary does not lean on
article graphs, and the shapes put no upper bound on nodes several article graphs share.
tests/test_shapes.py compares both ways.

(pySHACL's own `focus_nodes` option is not used: it also filters the literal value
nodes of nested shapes such as sh:qualifiedValueShape, which changes the verdict.)
"""
from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, URIRef
from rdflib.graph import ConjunctiveGraph

from dtkg.namespaces import GRAPH, RDF, RDFS, SH
from dtkg.validate import INFERRED, require_graphs, graph_id, load_shapes
from dtkg.validate.report import (
    ValidationResult, Violation, empty_report, filter_report, make_result, read_report, sort_key,
)

ARTICLE_GRAPH_PREFIX = str(GRAPH["article/"])
Outcome = tuple[bool, list[Violation], Graph]


def article_graphs(dataset: ConjunctiveGraph) -> list[URIRef]:
    """The identifiers of the dataset's article graphs (`dtkgg:article/{doc}`), sorted."""
    ids = {graph_id(g) for g in _graphs(dataset)}
    return sorted(i for i in ids if isinstance(i, URIRef) and str(i).startswith(ARTICLE_GRAPH_PREFIX))


def validate_per_graph(
    dataset: ConjunctiveGraph,
    shapes: Graph | None = None,
    ont_graph: Graph | None = None,
    jobs: int = 1,
    batch: int = 50,
    lang: str = "en",
) -> ValidationResult:
    """Validate each article graph of `dataset` with the vocabulary it needs, in `jobs` processes.

    The vocabulary is every graph that is neither an article graph nor `dtkgg:inferred`,
    plus `ont_graph`. Article graphs are checked `batch` at a time (one pySHACL run per
    batch: a run has a fixed cost, and a batch is as self-contained as one article).
    Gives the same verdict and results as `dtkg.validate.validate(dataset)`.
    """
    require_graphs(dataset=dataset, shapes=shapes, ont_graph=ont_graph)
    shapes = shapes if shapes is not None else load_shapes()
    articles = article_graphs(dataset)
    vocabulary = Graph()
    for graph in _graphs(dataset):
        if graph_id(graph) not in (INFERRED, *articles):
            for triple in graph:
                vocabulary.add(triple)
    for triple in ont_graph if ont_graph is not None else ():
        vocabulary.add(triple)
    batches = [_union(dataset, articles[i:i + max(1, batch)]) for i in range(0, len(articles), max(1, batch))]
    in_articles = {s for graph in batches for s in graph.subjects()}
    checker = UnitChecker(shapes, vocabulary, lang)
    outcomes = [checker.check_vocabulary(exclude=in_articles)]
    if jobs > 1 and len(batches) > 1:
        outcomes += _run_in_processes(batches, shapes, vocabulary, jobs, lang)
    else:
        outcomes += [checker.check(graph) for graph in batches]
    conforms = all(ok for ok, _, _ in outcomes)
    violations = sorted({v for _, found, _ in outcomes for v in found}, key=sort_key)
    return make_result(conforms, _merge_reports(conforms, [r for _, _, r in outcomes]), violations, lang)


def _union(dataset: ConjunctiveGraph, ids: list[URIRef]) -> Graph:
    union = Graph()
    for gid in ids:
        for triple in dataset.graph(gid):
            union.add(triple)
    return union


def _graphs(dataset: ConjunctiveGraph):
    return dataset.graphs() if hasattr(dataset, "graphs") else dataset.contexts()


class UnitChecker:
    """Validates article graphs one at a time against an indexed vocabulary."""

    def __init__(self, shapes: Graph, vocabulary: Graph, lang: str = "en"):
        self.shapes = shapes
        self.lang = lang
        self.vocabulary = vocabulary
        self.hierarchy = list(vocabulary.triples((None, RDFS.subClassOf, None)))
        self.about: dict = defaultdict(list)
        for triple in vocabulary:
            self.about[triple[0]].append(triple)

    def check_vocabulary(self, exclude: set) -> Outcome:
        """Validate the vocabulary's nodes, except those an article graph adds to (checked with it)."""
        if not self.about:
            return True, [], empty_report(True)
        return self._run(self.vocabulary, lambda node: node not in exclude)

    def check(self, article: Graph) -> Outcome:
        """Validate the nodes of one article graph (or a batch of them), with the vocabulary slice it needs."""
        own = set(article.subjects())
        if not own:
            return True, [], empty_report(True)
        return self._run(self.unit(article), lambda node: node in own)

    def unit(self, article: Graph) -> Graph:
        """The article graph, the class hierarchy, and what the vocabulary says about what the article names."""
        unit = Graph()
        for triple in (*article, *self.hierarchy):
            unit.add(triple)
        mentioned = {n for s, _, o in article for n in (s, o) if n in self.about}
        for node in mentioned:
            for triple in self._described(node):
                unit.add(triple)
                value = triple[2]
                if value in self.about and value not in mentioned:
                    for cls in self.vocabulary.objects(value, RDF.type):
                        unit.add((value, RDF.type, cls))
        return unit

    def _described(self, node, seen: set | None = None):
        """All triples about `node`, following blank-node values (a concise bounded description)."""
        seen = seen if seen is not None else set()
        seen.add(node)
        for triple in self.about.get(node, ()):
            yield triple
            if isinstance(triple[2], BNode) and triple[2] not in seen:
                yield from self._described(triple[2], seen)

    def _run(self, data: Graph, keep) -> Outcome:
        _, report, _ = shacl_validate(
            data, shacl_graph=self.shapes, inference="none", allow_warnings=True, inplace=True
        )
        report = filter_report(report, keep)
        conforms = bool(report.value(next(report.subjects(RDF.type, SH.ValidationReport)), SH.conforms).toPython())
        return conforms, read_report(report, self.shapes, self.lang), report


_WORKER: UnitChecker | None = None


def _worker_init(shapes_nt: str, vocabulary_nt: str, lang: str) -> None:
    global _WORKER
    shapes, vocabulary = Graph().parse(data=shapes_nt, format="nt"), Graph().parse(data=vocabulary_nt, format="nt")
    _WORKER = UnitChecker(shapes, vocabulary, lang)


def _worker_check(article_nt: str) -> tuple[bool, list[Violation], str]:
    assert _WORKER is not None, "worker not initialised"
    conforms, found, report = _WORKER.check(Graph().parse(data=article_nt, format="nt"))
    return conforms, found, report.serialize(format="nt")


def _run_in_processes(graphs: list[Graph], shapes: Graph, vocabulary: Graph, jobs: int, lang: str) -> list[Outcome]:
    """Check batches of article graphs in `jobs` worker processes; each parses shapes and vocabulary once."""
    tasks = [graph.serialize(format="nt") for graph in graphs]
    init = (shapes.serialize(format="nt"), vocabulary.serialize(format="nt"), lang)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=init) as pool:
        done = list(pool.map(_worker_check, tasks))
    return [(ok, found, Graph().parse(data=report, format="nt")) for ok, found, report in done]


def _merge_reports(conforms: bool, reports: list[Graph]) -> Graph:
    """One SHACL report holding the results of every unit's report."""
    merged = empty_report(conforms)
    top = next(merged.subjects(RDF.type, SH.ValidationReport))
    for report in reports:
        tops = set(report.subjects(RDF.type, SH.ValidationReport))
        for s, p, o in report:
            if s not in tops:
                merged.add((s, p, o))
            elif p == SH.result:
                merged.add((top, SH.result, o))
    return merged
