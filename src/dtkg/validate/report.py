"""SHACL validation reports in plain words: results as `Violation`s, sorted one-line descriptions.

A pySHACL report names a blank property shape as the source of most results; here each
result is attributed to the node shape that owns it (or the named property shape), so
a line reads "dtkgr:fact/a1/post-… breaks dtkgsh:MembershipShape: <what is expected>".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from dtkg.namespaces import DCTERMS, DTKG, GRAPH, ID, OA, ORG, PROV, RDF, SCHEMA, SH, SKOS

SHAPES_NS = "https://w3id.org/dtkg/shapes#"
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
LANGUAGES = ("en", "vi")
WORDS = {  # the frame of a report line; the messages come from the shapes graph in both languages
    "en": {"breaks": "breaks", "path": "path", "value": "value", "conforms": "conforms",
           "not": "does NOT conform", "head": "The graph {verdict} to the dtkg shapes: {e} violation(s), {w} warning(s).",
           "Violation": "Violation", "Warning": "Warning", "Info": "Info"},
    "vi": {"breaks": "vi phạm", "path": "thuộc tính", "value": "giá trị", "conforms": "đạt",
           "not": "KHÔNG đạt", "head": "Đồ thị {verdict} các ràng buộc của dtkg: {e} vi phạm, {w} cảnh báo.",
           "Violation": "Vi phạm", "Warning": "Cảnh báo", "Info": "Thông tin"},
}


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which node broke which rule, and what the rule expects."""

    severity: str  # "Violation", "Warning" or "Info"
    focus: Node
    shape: Node  # the node shape (or named property shape) whose rule was broken
    message: str
    path: str | None = None  # property path in prefixed form, e.g. "org:role"
    value: Node | None = None

    def describe(self, nm: NamespaceManager | None = None, lang: str = "en") -> str:
        """Say the result in one line: `<node> breaks <shape>: <message> (path …, value …)`."""
        nm, words = nm or namespace_manager(), WORDS[lang]
        where = []
        if self.path:
            where.append(f"{words['path']} {self.path}")
        if self.value is not None:
            where.append(f"{words['value']} {_short(self.value, nm)}")
        tail = f" ({', '.join(where)})" if where else ""
        severity = words.get(self.severity, self.severity)
        return f"[{severity}] {_short(self.focus, nm)} {words['breaks']} {_short(self.shape, nm)}: {self.message}{tail}"


@dataclass
class ValidationResult:
    """The verdict of a validation run: conformance, the SHACL report graph, and readable results."""

    conforms: bool
    report_graph: Graph
    text: str
    violations: list[Violation] = field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        """The results that break conformance (severity Violation)."""
        return [v for v in self.violations if v.severity == "Violation"]


def namespace_manager() -> NamespaceManager:
    """Prefixes used when printing nodes: dtkg's own and the standard vocabularies."""
    nm = NamespaceManager(Graph(), bind_namespaces="core")
    for prefix, ns in (
        ("dtkg", DTKG._NS), ("dtkgr", ID), ("dtkgg", GRAPH), ("dtkgsh", SHAPES_NS), ("org", ORG),
        ("oa", OA), ("prov", PROV), ("schema", SCHEMA), ("dct", DCTERMS), ("skos", SKOS), ("sh", SH),
    ):
        nm.bind(prefix, ns, override=True, replace=True)
    return nm


def read_report(report: Graph, shapes: Graph, lang: str = "en") -> list[Violation]:
    """Turn a SHACL validation report into sorted, de-duplicated `Violation`s, messages in `lang`."""
    nm = namespace_manager()
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        path = report.value(result, SH.resultPath)
        found.add(
            Violation(
                severity=_local(severity) if severity is not None else "Violation",
                focus=report.value(result, SH.focusNode),
                shape=_owning_shape(report.value(result, SH.sourceShape), shapes),
                message=_message(report, result, lang),
                path=_path_text(report, path, nm) if path is not None else None,
                value=report.value(result, SH.value),
            )
        )
    return sorted(found, key=sort_key)


def sort_key(v: Violation) -> tuple:
    """Order of results in reports: violations first, then by node, shape, path and message."""
    return (SEVERITY_ORDER.get(v.severity, 9), str(v.focus), str(v.shape), v.path or "", v.message, str(v.value))


def _owning_shape(shape: Node | None, shapes: Graph) -> Node:
    """Name a result by its node shape: a blank property shape is reported as the node shape that has it."""
    if shape is None:
        return Literal("unknown shape")
    if isinstance(shape, BNode):
        owners = sorted(shapes.subjects(SH.property, shape))
        if owners:
            return owners[0]
        name = shapes.value(shape, SH.name)
        return name if name is not None else shape
    return shape


def _message(report: Graph, result: Node, lang: str) -> str:
    """The result's message in `lang`, else in English, else untagged, else any."""
    message = pick_message(list(report.objects(result, SH.resultMessage)), lang)
    return message if message is not None else "the node does not conform to this shape"


def pick_message(messages: list, lang: str) -> str | None:
    """The message in `lang`, else English, else untagged, else any (sorted); None when there is none."""
    messages = sorted(messages)
    for wanted in (lang, "en", None):
        chosen = [m for m in messages if getattr(m, "language", None) == wanted]
        if chosen:
            return str(chosen[0])
    return str(messages[0]) if messages else None


def _path_text(graph: Graph, path: Node, nm: NamespaceManager) -> str:
    """Write a SHACL property path in SPARQL-like syntax (`^dtkg:evidence`, `rdfs:label|skos:prefLabel`)."""
    if isinstance(path, URIRef):
        return _short(path, nm)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse, nm)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_text(graph, p, nm) for p in Collection(graph, alternatives))
    for prop, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, prop)
        if inner is not None:
            return _path_text(graph, inner, nm) + mark
    first = graph.value(path, RDF.first)
    if first is not None:
        return "/".join(_path_text(graph, p, nm) for p in Collection(graph, path))
    return str(path)


def _short(node: Node, nm: NamespaceManager) -> str:
    """Write a node compactly: `dtkgr:fact/a1/post-…` for IRIs under a known prefix, else `<iri>`."""
    if isinstance(node, URIRef):
        best = max(((p, str(ns)) for p, ns in nm.namespaces() if str(node).startswith(str(ns))),
                   key=lambda pair: len(pair[1]), default=None)
        if best and len(str(node)) > len(best[1]):
            return f"{best[0]}:{str(node)[len(best[1]):]}"
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(nm)
    return f"_:{node}"


def _local(iri: Node) -> str:
    return str(iri).rsplit("#", 1)[-1]


def format_text(conforms: bool, violations: list[Violation], lang: str = "en") -> str:
    """The plain-words report: a verdict line, then one line per result, sorted for stable output."""
    nm, words = namespace_manager(), WORDS[lang]
    errors = sum(1 for v in violations if v.severity == "Violation")
    verdict = words["conforms"] if conforms else words["not"]
    lines = [words["head"].format(verdict=verdict, e=errors, w=len(violations) - errors)]
    lines += [v.describe(nm, lang) for v in sorted(violations, key=sort_key)]
    return "\n".join(lines) + "\n"


def make_result(conforms: bool, report: Graph, violations: list[Violation], lang: str = "en") -> ValidationResult:
    """Bundle a verdict with its report graph, results and plain-words text."""
    return ValidationResult(conforms, report, format_text(conforms, violations, lang), violations)


def empty_report(conforms: bool) -> Graph:
    """A SHACL validation report with no results."""
    report = Graph()
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    report.add((node, SH.conforms, Literal(conforms)))
    return report


def filter_report(report: Graph, keep) -> Graph:
    """A copy of `report` with only the results whose focus node passes `keep(node)`; conformance recomputed."""
    results = [r for r in report.subjects(RDF.type, SH.ValidationResult) if keep(report.value(r, SH.focusNode))]
    breaking = [r for r in results if report.value(r, SH.resultSeverity) in (None, SH.Violation)]
    kept = empty_report(not breaking)
    top = next(kept.subjects(RDF.type, SH.ValidationReport))
    for result in results:
        kept.add((top, SH.result, result))
        for triple in report.cbd(result):
            kept.add(triple)
    return kept
