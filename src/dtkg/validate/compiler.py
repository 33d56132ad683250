"""Compile a SHACL shapes graph into plain Python checks over N-Triples term strings.

Each shape becomes a `Shape` (dtkg.validate.checks) whose `run(focus, unit, sink)` says whether the focus node
conforms and, when `sink` is a list, appends one `(tag, focus, value)` per result, where
`tag` is (severity, reported shape, message, path text) exactly as
`dtkg.validate.report.read_report` would read them from pySHACL's report. Every check
reproduces pySHACL's evaluation of that constraint component (pyshacl/constraints/core).

A shape that uses a parameter the compiler does not know raises `UnsupportedShape`:
a constraint is never skipped silently.
"""
from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from dtkg.namespaces import SH
from dtkg.validate.checks import (
    EMPTY, NODE_KINDS, Shape, _each_node, _each_value, conformance, _less_or_equal, _natural, _rdflib_term,
    datatype_test, language_in_test, min_inclusive_test, min_length_test, pattern_test,
)
from dtkg.validate.report import _local, _owning_shape, _path_text, namespace_manager, pick_message
from dtkg.validate.terms import to_nt, to_rdflib

# parameters that are not constraints (or are read with the constraint they belong to)
NOT_CONSTRAINTS = {SH[n] for n in (
    "path", "targetClass", "targetSubjectsOf", "message", "severity", "deactivated", "name", "description",
    "order", "group", "defaultValue", "flags", "qualifiedMinCount", "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint", "declare", "prefixes",
)}
CONSTRAINTS = {SH[n] for n in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "minLength", "pattern",
    "languageIn", "lessThanOrEquals", "equals", "in", "or", "qualifiedValueShape", "property", "sparql",
)}
SPARQL_KEYS = {SH.message, SH.prefixes, SH.select, SH.deactivated, RDF.type}


class UnsupportedShape(NotImplementedError):
    """The shapes graph uses a SHACL feature the compiled engine does not implement."""


class Compiler:
    """Reads a shapes graph; `shape(node)` gives the compiled shape (memoised)."""

    def __init__(self, graph: Graph, lang: str = "en"):
        self.g = graph
        self.lang = lang
        self.nm = namespace_manager()
        self.shapes: dict = {}
        self.inverse_preds: set[str] = set()
        self.paths: dict[str, object] = {}  # path text -> path node in the shapes graph

    # -- targets

    def targeted(self) -> list[tuple[Shape, list[str], list[str]]]:
        """The shapes with targets: (shape, target classes, targetSubjectsOf predicates), in a fixed order."""
        found = []
        kinds = {SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.targetObjectsOf, SH.target}
        nodes = sorted({s for k in kinds for s in self.g.subjects(k, None)}, key=str)
        for node in nodes:
            if any(self.g.value(node, k) is not None for k in (SH.targetNode, SH.targetObjectsOf, SH.target)):
                raise UnsupportedShape(f"{node}: only sh:targetClass and sh:targetSubjectsOf are implemented")
            if (node, RDF.type, RDFS.Class) in self.g:
                raise UnsupportedShape(f"{node}: implicit class targets are not implemented")
            shape = self.shape(node, reported=True)
            classes = sorted(f"<{c}>" for c in self.g.objects(node, SH.targetClass))
            subjects_of = sorted(f"<{p}>" for p in self.g.objects(node, SH.targetSubjectsOf))
            found.append((shape, classes, subjects_of))
        return found

    # -- shapes

    def shape(self, node, reported: bool = False) -> Shape:
        shape = self.shapes.get(node)
        if shape is not None:
            if reported:
                self._require_messages(shape)
            return shape
        shape = self.shapes[node] = Shape(node)
        g = self.g
        preds = set(g.predicates(node, None))
        for pred in preds:
            if str(pred).startswith(str(SH)) and pred not in CONSTRAINTS | NOT_CONSTRAINTS:
                raise UnsupportedShape(f"{node} uses {pred}, which the compiled engine does not implement")
        shape.deactivated = self._is_true(node, SH.deactivated)
        paths = list(g.objects(node, SH.path))
        if len(paths) > 1:
            raise UnsupportedShape(f"{node} has more than one sh:path")
        path_text = None
        if paths:
            shape.is_property = True
            shape.path = self._path(paths[0])
            shape.pred = f"<{paths[0]}>" if isinstance(paths[0], URIRef) else None
            path_text = _path_text(g, paths[0], self.nm)
            self.paths.setdefault(path_text, paths[0])
        severity = g.value(node, SH.severity)
        shape.messages = list(g.objects(node, SH.message))
        shape.tag = ("Violation" if severity is None else _local(severity), _owning_shape(node, g),
                     pick_message(shape.messages, self.lang), path_text)
        shape.checks = self._checks(shape, node, preds)
        constraints = {p for p in preds if p in CONSTRAINTS}
        classes = list(g.objects(node, SH["class"]))
        if constraints == {SH["class"]} and len(classes) == 1 and not paths and not shape.deactivated:
            shape.only_class = f"<{classes[0]}>"
        shape.finish()
        if reported:
            self._require_messages(shape)
        return shape

    def _is_true(self, node, pred) -> bool:
        """Whether `node` has the boolean `true` for `pred` (as pySHACL reads sh:deactivated and the like)."""
        return any(isinstance(d, Literal) and d.value is True for d in self.g.objects(node, pred))

    def _require_messages(self, shape: Shape) -> None:
        """pySHACL words a result without sh:message itself; the engine does not copy those texts."""
        own = {p for p in self.g.predicates(shape.node, None)} & (CONSTRAINTS - {SH.property, SH.sparql})
        if own and shape.tag[2] is None:
            raise UnsupportedShape(f"{shape.node} reports results but has no sh:message")
        for prop in self.g.objects(shape.node, SH.property):
            self.shape(prop, reported=True)

    def _path(self, path):
        g = self.g
        if isinstance(path, URIRef):
            pred = f"<{path}>"
            return lambda focus, unit: unit.props(focus).get(pred, EMPTY)
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            if not isinstance(inverse, URIRef):
                raise UnsupportedShape(f"inverse of a complex path: {path}")
            pred = f"<{inverse}>"
            self.inverse_preds.add(pred)
            return lambda focus, unit: unit.subjs(focus, pred)
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            parts = [self._path(p) for p in g.items(alternatives)]

            def alternative(focus, unit):
                found = set()
                for part in parts:
                    found.update(part(focus, unit))
                return found
            return alternative
        if g.value(path, RDF.first) is not None:
            steps = [self._path(p) for p in g.items(path)]

            def sequence(focus, unit):
                nodes = {focus}
                for step in steps:
                    nodes = {v for n in nodes for v in step(n, unit)}
                return nodes
            return sequence
        raise UnsupportedShape(f"property path {path} is not implemented")

    def _checks(self, shape: Shape, node, preds) -> list:
        g, checks = self.g, []
        for cls in sorted(g.objects(node, SH["class"]), key=str):
            checks.append(self._class(f"<{cls}>"))
        datatypes = list(g.objects(node, SH.datatype))
        if len(datatypes) > 1:
            raise UnsupportedShape(f"{node} has more than one sh:datatype")
        for dt in datatypes:
            checks.append(_each_value(datatype_test(dt)))
        for kind in g.objects(node, SH.nodeKind):
            if kind not in NODE_KINDS:
                raise UnsupportedShape(f"unknown sh:nodeKind {kind}")
            allowed = NODE_KINDS[kind]
            checks.append(_each_value(lambda term, allowed=allowed: term[0] in allowed))
        low, high = list(g.objects(node, SH.minCount)), list(g.objects(node, SH.maxCount))
        if len(low) > 1 or len(high) > 1:
            raise UnsupportedShape(f"{node} has more than one sh:minCount or sh:maxCount")
        if low or high:  # one check for both: their results are alike (no value), so they are one Violation
            checks.insert(0, self._count(int(low[0]) if low else 0, int(high[0]) if high else None))
        for bound in g.objects(node, SH.minInclusive):
            checks.append(_each_value(min_inclusive_test(bound)))
        for length in list(g.objects(node, SH.minLength))[:1]:  # pySHACL reads the first only
            checks.append(_each_value(min_length_test(int(length.value))))
        patterns = list(g.objects(node, SH.pattern))
        if patterns:
            flags = next(iter(set(g.objects(node, SH.flags))), None)
            re_flags = 0
            if flags is not None:
                text = str(flags.value).lower()
                re_flags |= (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
            for pattern in patterns:
                checks.append(_each_value(pattern_test(re.compile(str(pattern), re_flags))))
        for languages in list(g.objects(node, SH.languageIn))[:1]:
            checks.append(_each_value(language_in_test({str(x).lower() for x in g.items(languages)})))
        for other in g.objects(node, SH.lessThanOrEquals):
            checks.append(self._less_or_equals(f"<{other}>"))
        for other in g.objects(node, SH.equals):
            checks.append(self._equals(f"<{other}>"))
        for values in g.objects(node, SH["in"]):
            allowed = frozenset(to_nt(x) for x in g.items(values))
            checks.append(_each_value(lambda term, allowed=allowed: term in allowed))
        for members in g.objects(node, SH["or"]):
            checks.append(self._or([self.shape(m) for m in set(g.items(members))]))
        if SH.qualifiedValueShape in preds:
            checks += self._qualified(shape, node)
        for prop in g.objects(node, SH.property):
            if shape.is_property:
                checks.append(self._property(self.shape(prop)))
            else:
                shape.properties.append(self.shape(prop))
        for constraint in g.objects(node, SH.sparql):
            if shape.is_property:
                raise UnsupportedShape(f"{node}: SPARQL constraints on property shapes are not implemented")
            checks.append(self._sparql(shape, constraint))
        return checks

    # -- constraint components

    @staticmethod
    def _class(cls: str):
        return _each_node(lambda v, unit: cls in unit.classes(v))  # no method call more per value

    @staticmethod
    def _count(low: int, high: int | None):
        """sh:minCount and sh:maxCount."""
        def check(focus, values, unit, sink, tag):
            n = len(values)
            if n >= low and (high is None or n <= high):
                return True
            if sink is not None:
                sink.append((tag, focus, None))
            return False
        check.on_empty = low > 0
        return check

    @staticmethod
    def _equals(other: str):
        def check(focus, values, unit, sink, tag):
            differ = set(values) ^ set(unit.objs(focus, other))
            if not differ:
                return True
            if sink is not None:
                sink.extend((tag, focus, v) for v in differ)
            return False
        check.on_empty = True
        return check

    @staticmethod
    def _less_or_equals(other: str):
        def check(focus, values, unit, sink, tag):
            ok = True
            compare = unit.objs(focus, other)
            for v in values:
                for c in compare:
                    fast_v, fast_c = _natural(v), _natural(c)
                    if fast_v is not None and fast_c is not None:
                        fine = fast_v <= fast_c
                    else:
                        fine = _less_or_equal(_rdflib_term(v), _rdflib_term(c))
                    if not fine:
                        if sink is None:
                            return False
                        ok = False
                        sink.append((tag, focus, v))
            return ok
        return check

    @staticmethod
    def _or(members: list[Shape]):
        if all(m.only_class is not None for m in members):
            classes = frozenset(m.only_class for m in members)  # each member is [ sh:class C ]: one test over the value's types
            return _each_node(lambda v, unit: not unit.classes(v).isdisjoint(classes))
        tests = [conformance(m) for m in members]
        return _each_node(lambda v, unit: any(t(v, unit) for t in tests))

    @staticmethod
    def _property(prop: Shape):
        def check(focus, values, unit, sink, tag):
            ok = True
            for v in values:
                if not prop.run(v, unit, sink):
                    if sink is None:
                        return False
                    ok = False
            return ok
        return check

    def _qualified(self, shape: Shape, node) -> list:
        g = self.g
        if not shape.is_property:
            return []  # pySHACL ignores sh:qualifiedValueShape on a node shape
        mins, maxs = list(g.objects(node, SH.qualifiedMinCount)), list(g.objects(node, SH.qualifiedMaxCount))
        if len(mins) > 1 or len(maxs) > 1 or not (mins or maxs):
            raise UnsupportedShape(f"{node}: needs at most one qualifiedMinCount and qualifiedMaxCount, and one of them")
        low = int(mins[0].value) if mins else None
        high = int(maxs[0].value) if maxs else None
        disjoint = self._is_true(node, SH.qualifiedValueShapesDisjoint)
        checks = []
        for value_shape in set(g.objects(node, SH.qualifiedValueShape)):
            siblings = []
            if disjoint:
                found = {q for parent in g.subjects(SH.property, node) for p in g.objects(parent, SH.property)
                         for q in g.objects(p, SH.qualifiedValueShape) if q != value_shape}
                siblings = [self.shape(s) for s in found]
            checks.append(self._qualified_check(self.shape(value_shape), siblings, low, high, disjoint))
        return checks

    @staticmethod
    def _qualified_check(inner: Shape, siblings: list[Shape], low, high, disjoint: bool):
        inner_test, sibling_tests = conformance(inner), [conformance(s) for s in siblings]

        def check(focus, values, unit, sink, tag):
            if not disjoint and not values and (low is None or low < 1):
                return True
            conforming = 0
            for v in values:
                if inner_test(v, unit) and not any(t(v, unit) for t in sibling_tests):
                    conforming += 1
            ok = True
            for broken in (high is not None and conforming > high, low is not None and conforming < low):
                if broken:
                    ok = False
                    if sink is not None:
                        sink.append((tag, focus, None))
            return ok
        check.on_empty = True
        return check

    def _sparql(self, shape: Shape, constraint):
        g = self.g
        for pred in g.predicates(constraint, None):
            if pred not in SPARQL_KEYS:
                raise UnsupportedShape(f"SPARQL constraint {constraint} uses {pred}, which is not implemented")
        if self._is_true(constraint, SH.deactivated):
            return lambda focus, values, unit, sink, tag: True
        select = g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShape(f"SPARQL constraint {constraint} has no sh:select")
        text = str(select)
        if re.search(r"[$?](PATH|currentShape|shapesGraph)\b", text):
            raise UnsupportedShape(f"SPARQL constraint {constraint}: $PATH, $currentShape, $shapesGraph")
        prefixes = {}
        for source in g.objects(constraint, SH.prefixes):
            for decl in g.objects(source, SH.declare):
                prefixes[str(g.value(decl, SH.prefix))] = str(g.value(decl, SH.namespace))
        query = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items()) + "\n" + text
        binds_this = re.search(r"([\s{}()])[$?]this", text, flags=re.M) is not None
        extra = list(g.objects(constraint, SH.message))
        severity = shape.tag[0]
        owner = _owning_shape(shape.node, g)
        lang = self.lang

        def check(focus, values, unit, sink, tag):
            rows = unit.sparql(query, focus if binds_this else None)
            found = []
            for row in rows:
                row = dict(row)
                failure = row.pop("failure", None)
                if failure is not None:
                    key = (True,)
                    this, path, value, bound = None, None, focus, row
                else:
                    path, value, this = row.pop("path", None), row.pop("value", None), row.pop("this", None)
                    if path is None and value is None and this is None:
                        continue
                    key = (this, path, value, tuple(sorted(row.items())))
                    value = value if value is not None else focus
                    bound = (this, path, value, row)
                if all(key != k for k, _ in found):
                    found.append((key, (this, path, value, bound)))
            if sink is not None:
                for _, (this, path, value, bound) in found:
                    messages = _sparql_messages(extra, shape.messages, bound)
                    path_text = _path_text(g, to_rdflib(path), self.nm) if path is not None else None
                    sink.append(((severity, owner, pick_message(messages, lang), path_text), this or focus, value))
            return not found
        check.on_empty = True
        return check


def _sparql_messages(extra: list, own: list, bound) -> list:
    """The result messages pySHACL writes for a SPARQL-based result: variables filled in, language tags lost."""
    if isinstance(bound, tuple):
        this, path, value, rest = bound
        names = {k: to_rdflib(v) for k, v in rest.items()}
        for name, term in (("this", this), ("path", path), ("value", value)):
            if term is not None:
                names[name] = to_rdflib(term)
    else:
        names = {k: to_rdflib(v) for k, v in bound.items()}

    def fill(message: Literal) -> Literal:
        text = str(message.value)
        for var, val in names.items():
            text = re.sub("{{[?$]{}}}".format(var), str(val), text)
        return Literal(text)
    return [fill(m) for m in extra if m not in own] + [fill(m) for m in own]
