"""A compiled SHACL engine for dtkg's shapes: the same results as pySHACL, per article graph, fast.

    engine = Engine.default(lang="en")        # shapes + vocabulary compiled and indexed once per process
    violations = engine.check(lines)          # N-Triples lines of one article graph
    result = engine.result(violations)        # verdict, SHACL report graph, plain-words text

The shapes graph is compiled once into Python checks (dtkg.validate.compiler) over an
index of N-Triples term strings; the vocabulary (ontology, role scheme, vocabularies,
reference graph) is indexed once. `check` indexes one article graph, finds its focus
nodes (the subjects of its lines that a shape targets, over the article and the
vocabulary, classes through rdfs:subClassOf as pySHACL follows them) and runs the
shapes on them. The results are what `dtkg.validate.validate_per_graph` gives for that
article graph (tests/test_validate_engine.py compares both). The one SHACL-SPARQL
constraint is run, only when it has a focus node, on a small in-memory Oxigraph store
holding the vocabulary and the article graph.

A shapes graph using a SHACL feature the compiler does not implement raises
`UnsupportedShape` when the engine is built. The report graph of `result` has no
sh:sourceConstraintComponent: a `Violation` does not record it.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal

from dtkg.namespaces import RDF, SH
from dtkg.validate.checks import RDF_TYPE, SUBCLASS, Unit
from dtkg.validate.compiler import Compiler, UnsupportedShape
from dtkg.validate.report import ValidationResult, Violation, format_text, sort_key
from dtkg.validate.terms import canonical, parse_line, to_nt, to_oxigraph, to_rdflib

__all__ = ["Engine", "UnsupportedShape", "check_lines"]

_VOCABULARY_GRAPH = ox.NamedNode("urn:x-dtkg-engine:vocabulary")
_UNIT_GRAPH = ox.NamedNode("urn:x-dtkg-engine:unit")


class _Index:
    """The triples of one graph as term strings: node -> predicate -> objects, and the inverse for some predicates."""

    def __init__(self, inverse_preds: set[str]):
        self.out: dict = {}
        self.inv: dict = {}
        self.inverse_preds = inverse_preds

    def add(self, s: str, p: str, o: str) -> None:
        by_pred = self.out.get(s)
        if by_pred is None:
            by_pred = self.out[s] = {}
        objs = by_pred.get(p)
        if objs is None:
            by_pred[p] = {o}
        else:
            objs.add(o)
        if p in self.inverse_preds:
            self.inv.setdefault(o, {}).setdefault(p, set()).add(s)


class Engine:
    """dtkg's SHACL shapes compiled to Python, checking article graphs given as N-Triples lines."""

    def __init__(self, shapes: Graph, vocabulary: Graph, lang: str = "en"):
        self.lang = lang
        compiler = Compiler(shapes, lang)
        self._paths = compiler.paths
        self._shapes_graph = shapes
        self._by_class: dict[str, list] = defaultdict(list)
        by_subject_of: dict[str, list] = defaultdict(list)
        for shape, classes, subjects_of in compiler.targeted():
            for cls in classes:
                self._by_class[cls].append(shape)
            for pred in subjects_of:
                by_subject_of[pred].append(shape)
        self._subject_of = list(by_subject_of.items())
        self._inverse = set(compiler.inverse_preds)
        self._vocabulary = _Index(self._inverse)
        self._vocabulary_triples = []
        for s, p, o in vocabulary:
            triple = (to_nt(s), to_nt(p), to_nt(o))
            self._vocabulary.add(*triple)
            self._vocabulary_triples.append(triple)
        self._subject_preds = frozenset(pred for pred, _ in self._subject_of)
        self._direct_supers: dict[str, set] = defaultdict(set)
        for sub, sups in self._vocabulary.out.items():
            for sup in sups.get(SUBCLASS, ()):
                self._direct_supers[sub].add(sup)
        self._supers: dict = {}
        self._class_shapes: dict[str, tuple] = {}
        self._store: ox.Store | None = None

    @staticmethod
    def default(lang: str = "en") -> "Engine":
        """The engine for shapes/dtkg-shapes.ttl and the ontology/ vocabulary (built once per process and language)."""
        return _default_engine(lang)

    # ---------------------------------------------------------------- checking

    def check(self, lines: list[str]) -> list[Violation]:
        """The results about the subjects of `lines` (one article graph), over the lines and the vocabulary."""
        article = _Index(self._inverse)
        out, inverse = article.out, self._inverse
        extends_hierarchy = False
        known = getattr(lines, "terms", {})  # emit.Lines: the terms of each line, split when written
        for line in lines:
            terms = known.get(line)
            if terms is not None:
                s, p, o = terms
                if o[0] == '"':  # (IRIs are kept as they are: no call for them)
                    o = _object(o)
            else:
                terms = _split(line)
                if terms is None:
                    continue
                s, p, o = terms
            if p == SUBCLASS:
                extends_hierarchy = True
            by_pred = out.get(s)
            if by_pred is None:
                out[s] = {p: {o}}
            else:
                objs = by_pred.get(p)
                if objs is None:
                    by_pred[p] = {o}
                else:
                    objs.add(o)
            if p in inverse:
                article.inv.setdefault(o, {}).setdefault(p, set()).add(s)
        if not article.out:
            return []
        unit = self._unit(article, extends_hierarchy)
        sink: list = []
        for focus in article.out:
            self._validate(focus, unit, sink)
        return self._violations(sink, article.out)

    def check_vocabulary(self) -> list[Violation]:
        """The results about the vocabulary's own nodes (the vocabulary checked on its own)."""
        unit = self._unit(_Index(self._inverse), False)
        sink: list = []
        for focus in self._vocabulary.out:
            self._validate(focus, unit, sink)
        return self._violations(sink, self._vocabulary.out)

    def _unit(self, article: _Index, extends_hierarchy: bool) -> Unit:
        supers, direct = self._supers, self._direct_supers
        if extends_hierarchy:  # the article adds rdfs:subClassOf axioms: its own hierarchy, no shared caches
            direct = defaultdict(set, {k: set(v) for k, v in direct.items()})
            for s, objs in article.out.items():
                direct[s].update(objs.get(SUBCLASS, ()))
            supers = {}
        unit = Unit(article.out, article.inv, self._vocabulary.out, self._vocabulary.inv, direct, supers)
        unit.sparql = functools.partial(self._sparql, article.out)
        return unit

    def _validate(self, focus: str, unit: Unit, sink: list) -> None:
        """Run every shape that targets `focus` on it (each shape once)."""
        props = unit.props(focus)
        types = props.get(RDF_TYPE, ())
        shared = unit._supers is self._supers
        if len(types) == 1 and shared:
            for t in types:
                shapes = self._class_shapes.get(t)
                if shapes is None:
                    shapes = self._class_shapes[t] = self._shapes_of_class(t, unit)
        else:
            shapes = {s: None for t in types for s in self._shapes_of_class(t, unit)}
        if not self._subject_preds.isdisjoint(props):
            extra = [s for pred, targeted in self._subject_of if pred in props for s in targeted]
            shapes = {**dict.fromkeys(shapes), **dict.fromkeys(extra)}
        for shape in shapes:
            shape.run(focus, unit, sink)

    def _shapes_of_class(self, cls: str, unit: Unit) -> tuple:
        """The shapes whose sh:targetClass is `cls` or one of its superclasses."""
        return tuple({s: None for c in unit.supers(cls) for s in self._by_class.get(c, ())})

    def _violations(self, sink: list, own) -> list[Violation]:
        found = set()
        for (severity, shape, message, path), focus, value in sink:
            if focus in own:
                found.add(Violation(severity, to_rdflib(focus), shape, message, path,
                                    to_rdflib(value) if value is not None else None))
        return sorted(found, key=order)

    def _sparql(self, article: dict, query: str, this: str | None) -> list[dict]:
        """Run a SELECT over the vocabulary and the article graph, $this bound; rows as {variable: term string}."""
        store = self._sparql_store()
        store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), _UNIT_GRAPH)
                     for s, by_pred in article.items() for p, objs in by_pred.items() for o in objs)
        try:
            substitutions = {ox.Variable("this"): to_oxigraph(this)} if this is not None else None
            solutions = store.query(query, substitutions=substitutions, default_graph=[_VOCABULARY_GRAPH, _UNIT_GRAPH])
            names = [v.value for v in solutions.variables]
            rows = []
            for solution in solutions:
                row = {}
                for name in names:
                    term = solution[name]
                    if term is not None:
                        text = str(term)
                        row[name] = canonical(text) if text.startswith('"') and "^^" in text else text
                rows.append(row)
            return rows
        finally:
            store.remove_graph(_UNIT_GRAPH)

    def _sparql_store(self) -> ox.Store:
        if self._store is None:
            store = ox.Store()
            store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), _VOCABULARY_GRAPH)
                         for s, p, o in self._vocabulary_triples)
            self._store = store
        return self._store

    # ---------------------------------------------------------------- reporting

    def result(self, violations: Iterable[Violation]) -> ValidationResult:
        """The verdict (no result of severity Violation), a SHACL report graph and the plain-words text."""
        found = sorted(set(violations), key=order)
        conforms = not any(v.severity == "Violation" for v in found)
        report = Graph()
        report.bind("sh", SH)
        top = BNode("report")
        report.add((top, RDF.type, SH.ValidationReport))
        report.add((top, SH.conforms, Literal(conforms)))
        for number, v in enumerate(found):
            node = BNode(f"result{number:07d}")
            report.add((top, SH.result, node))
            report.add((node, RDF.type, SH.ValidationResult))
            report.add((node, SH.focusNode, v.focus))
            report.add((node, SH.sourceShape, v.shape))
            report.add((node, SH.resultSeverity, SH[v.severity]))
            report.add((node, SH.resultMessage, Literal(v.message)))
            if v.value is not None:
                report.add((node, SH.value, v.value))
            if v.path is not None:
                report.add((node, SH.resultPath, self._path_node(report, v.path, number)))
        return ValidationResult(conforms, report, format_text(conforms, found, self.lang), found)

    def _path_node(self, report: Graph, text: str, number: int):
        """The path of a result, copied from the shapes graph (blank nodes renamed in a fixed order)."""
        path = self._paths.get(text)
        if path is None:
            return Literal(text)
        if not isinstance(path, BNode):
            return path
        names: dict = {}

        def name(node):
            if isinstance(node, BNode):
                if node not in names:
                    names[node] = BNode(f"result{number:07d}p{len(names)}")
                return names[node]
            return node

        todo, seen = [path], set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for p, o in sorted(self._shapes_graph.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
                report.add((name(node), p, name(o)))
                if isinstance(o, BNode):
                    todo.append(o)
        return name(path)


def _object(o: str) -> str:
    """An object term as the engine holds it: literals that are typed, or hold escapes (which
    may be written another way), as rdflib reads them (`terms.canonical`)."""
    return canonical(o) if o[0] == '"' and (o[-1] == ">" or "\\" in o) else o


def _split(line: str) -> tuple[str, str, str] | None:
    """The terms of an N-Triples line (objects by `_object`), None for a blank line or a comment."""
    try:
        s, p, o = line.split(" ", 2)
    except ValueError:
        s = ""
    if s and s[0] != "#" and p[-1] == ">" and o[-3:] == " .\n" and len(o) > 3:
        return s, p, _object(o[:-3])
    if not line or line.isspace() or line.lstrip().startswith("#"):
        return None
    return parse_line(line)


def order(v: Violation) -> tuple:
    """`dtkg.validate.report.sort_key`, ties broken by the terms' N-Triples form ("1" before "1"^^xsd:date)."""
    return (*sort_key(v), v.value.n3() if v.value is not None else "", v.focus.n3(), str(v.shape))


@functools.lru_cache(maxsize=None)
def _default_engine(lang: str) -> Engine:
    from dtkg.validate import load_shapes, load_vocabulary

    return Engine(load_shapes(), load_vocabulary(), lang)


def check_lines(lines: list[str], lang: str = "en") -> list[Violation]:
    """`Engine.default(lang).check(lines)`: a module-level function, so worker processes can be handed it."""
    return _default_engine(lang).check(lines)
