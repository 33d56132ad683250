"""The checks the compiled SHACL engine runs: the data view of one check (`Unit`), compiled shapes
(`Shape`) and the value tests of the constraint components, over N-Triples term strings.

Each value test reproduces pySHACL's evaluation of its constraint component
(pyshacl/constraints/core): a fast path on the term string where the answer is plain, else
rdflib's reading of the literal (cached per term).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from dtkg.namespaces import SH
from dtkg.validate.terms import split_literal, to_rdflib, unescape

RDF_TYPE = f"<{RDF.type}>"
SUBCLASS = f"<{RDFS.subClassOf}>"
EMPTY: frozenset = frozenset()
EMPTY_DICT: dict = {}


class Unit:
    """The data one check sees: an article graph (term-string index) over the indexed vocabulary."""

    __slots__ = ("out", "inv", "vout", "vinv", "direct_supers", "_supers", "sparql", "_props", "_classes")

    def __init__(self, out, inv, vout, vinv, direct_supers, supers_cache, sparql=None):
        self.out, self.inv, self.vout, self.vinv = out, inv, vout, vinv
        self.direct_supers = direct_supers
        self._supers = supers_cache
        self.sparql = sparql
        self._props: dict = {}
        self._classes: dict = {}

    def props(self, node: str) -> dict:
        """predicate -> objects of `node` in the article and the vocabulary."""
        found = self._props.get(node)
        if found is None:
            a = self.out.get(node)
            b = self.vout.get(node)
            if b is None:
                found = a if a is not None else EMPTY_DICT
            elif a is None:
                found = b
            else:
                found = _merged(a, b)
            self._props[node] = found
        return found

    def objs(self, node: str, pred: str):
        return self.props(node).get(pred, EMPTY)

    def subjs(self, node: str, pred: str):
        a = self.inv.get(node)
        b = self.vinv.get(node)
        x = a.get(pred) if a is not None else None
        y = b.get(pred) if b is not None else None
        if x is None:
            return y if y is not None else EMPTY
        return x if y is None else x | y

    def supers(self, cls: str) -> frozenset:
        """The class and all its superclasses (rdfs:subClassOf*, as rdflib's transitive_objects)."""
        found = self._supers.get(cls)
        if found is None:
            seen, todo = {cls}, [cls]
            while todo:
                for sup in self.direct_supers.get(todo.pop(), ()):
                    if sup not in seen:
                        seen.add(sup)
                        todo.append(sup)
            found = self._supers[cls] = frozenset(seen)
        return found

    def classes(self, node: str) -> frozenset:
        """Every class `node` is an instance of (its types and their superclasses); none for a literal."""
        found = self._classes.get(node)
        if found is None:
            if node[0] == '"':
                found = EMPTY
            else:
                types = self.props(node).get(RDF_TYPE, EMPTY)
                if len(types) == 1:
                    for t in types:
                        found = self.supers(t)
                else:
                    found = frozenset().union(*(self.supers(t) for t in types))
            self._classes[node] = found
        return found


def _merged(article: dict, vocabulary: dict) -> dict:
    """predicate -> objects of a node described by both graphs. Sets that only one graph gives
    are shared, not copied: the checks only read them."""
    found = dict(vocabulary)
    for p, objs in article.items():
        other = vocabulary.get(p)
        found[p] = objs if other is None else objs | other
    return found


class Shape:
    """A compiled shape: its value nodes (path, or the focus node) and its checks.

    `run(focus, unit, sink)` is a closure made by `finish()` once the checks are compiled.
    """

    __slots__ = ("node", "path", "pred", "checks", "tag", "deactivated", "messages", "is_property", "only_class",
                 "properties", "run", "member")

    def __init__(self, node):
        self.node = node
        self.path = None
        self.pred: str | None = None  # the predicate, when the path is one IRI
        self.checks: list = []
        self.tag = None
        self.deactivated = False
        self.messages: list = []
        self.is_property = False
        self.only_class: str | None = None  # C when the shape is exactly [ sh:class C ] (a node shape)
        self.properties: list = []  # the sh:property shapes of a node shape
        self.run = None
        self.member = None  # for a node shape made of value tests only: (value, unit) -> conforms

    def finish(self) -> None:
        checks, tag, path, pred = tuple(self.checks), self.tag, self.path, self.pred
        # with no value nodes only these checks can fail (minCount, qualified counts, equals, SPARQL)
        on_empty = tuple(c for c in checks if getattr(c, "on_empty", False))
        if self.deactivated:
            def run(focus, unit, sink):
                return True
        elif path is None:
            # property shapes with a one-IRI path get their values from the focus node's index entry; one
            # whose checks all pass on no values is skipped when the focus lacks its predicate
            plan = []
            for prop in self.properties:
                if prop.deactivated:
                    continue  # conforms
                if prop.pred is None or prop.run is None:  # a complex path, or not compiled yet (recursion)
                    plan.append((None, True, (), (), None, prop))
                    continue
                prop_checks = tuple(prop.checks)
                prop_empty = tuple(c for c in prop_checks if getattr(c, "on_empty", False))
                plan.append((prop.pred, bool(prop_empty), prop_checks, prop_empty, prop.tag, prop))
            plan = tuple(plan)

            def run(focus, unit, sink):
                values = (focus,)
                ok = True
                for check in checks:
                    if not check(focus, values, unit, sink, tag):
                        if sink is None:
                            return False
                        ok = False
                if plan:
                    props = unit.props(focus)
                    for prop_pred, always, prop_checks, prop_empty, prop_tag, prop in plan:
                        if prop_pred is None:
                            if not prop.run(focus, unit, sink):
                                if sink is None:
                                    return False
                                ok = False
                            continue
                        found = props.get(prop_pred, EMPTY)
                        if found:
                            todo = prop_checks
                        elif always:
                            todo = prop_empty
                        else:
                            continue
                        for check in todo:
                            if not check(focus, found, unit, sink, prop_tag):
                                if sink is None:
                                    return False
                                ok = False
                return ok
        else:
            def run_values(focus, values, unit, sink):
                ok = True
                for check in (checks if values else on_empty):
                    if not check(focus, values, unit, sink, tag):
                        if sink is None:
                            return False
                        ok = False
                return ok

            def run(focus, unit, sink):
                if pred is not None:
                    return run_values(focus, unit.props(focus).get(pred, EMPTY), unit, sink)
                return run_values(focus, path(focus, unit), unit, sink)
        self.run = run
        if self.deactivated:
            self.member = lambda v, unit: True
        elif path is None and not self.properties and checks and all(hasattr(c, "member") for c in checks):
            members = tuple(c.member for c in checks)
            self.member = members[0] if len(members) == 1 else (lambda v, unit: all(m(v, unit) for m in members))


def conformance(shape: Shape):
    """(value, unit) -> whether the value node conforms to `shape` (its `member` test when it has one)."""
    if shape.member is not None:
        return shape.member
    return lambda v, unit: shape.run(v, unit, None)


def _cached(fast, slow):
    """A test of one value node: `fast(term)` (True, False or None for "ask rdflib"), then `slow(rdflib term)`."""
    cache: dict = {}

    def test(term: str) -> bool:
        found = cache.get(term)
        if found is None:
            found = fast(term)
            if found is None:
                found = bool(slow(to_rdflib(term)))
            if len(cache) > 100_000:
                cache.clear()
            cache[term] = found
        return found
    return test


def _each_node(test):
    """The check that every value node passes `test(value, unit)` (one result per failing value)."""
    def check(focus, values, unit, sink, tag):
        ok = True
        for v in values:
            if not test(v, unit):
                if sink is None:
                    return False
                ok = False
                sink.append((tag, focus, v))
        return ok
    check.member = test
    return check


def _each_value(test):  # _each_node for a test of the term alone, without a call more per value
    def check(focus, values, unit, sink, tag):
        ok = True
        for v in values:
            if not test(v):
                if sink is None:
                    return False
                ok = False
                sink.append((tag, focus, v))
        return ok
    check.member = lambda v, unit: test(v)  # the test of one value node, for shapes nested in sh:or etc.
    return check


# ---------------------------------------------------------------- value tests (pySHACL's logic)

# the Python type rdflib gives a well-formed literal of each datatype (pySHACL's check)
_PYTHON_TYPES = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}


def _actual_datatype(value_node: Literal, rule) -> bool:
    kind = _PYTHON_TYPES.get(rule)
    return kind is None or isinstance(value_node.value, kind)


_INTEGER_TYPES = (f"^^<{XSD.integer}>", f"^^<{XSD.nonNegativeInteger}>")
_DIGITS = re.compile(r'^"[0-9]{1,18}"')
_DATE = re.compile(r'^"([0-9]{4})-([0-9]{2})-([0-9]{2})"\^\^<http://www\.w3\.org/2001/XMLSchema#date>$')


def _valid_date(m: re.Match) -> bool:
    try:
        date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return int(m.group(1)) > 0


def datatype_test(rule: URIRef):
    dt_suffix = f"^^<{rule}>"
    is_literal, is_string, is_lang = rule == RDFS.Literal, rule == XSD.string, rule == RDF.langString
    is_integer, is_date = dt_suffix in _INTEGER_TYPES, rule == XSD.date

    def fast(term):
        if term[0] != '"':
            return False
        rest = term[term.rfind('"') + 1:]
        if is_literal:
            return True
        if not rest:
            return is_string
        if rest[0] == "@":
            return is_lang
        if rest == dt_suffix:
            if is_integer and _DIGITS.match(term):  # a valid xsd:integer / xsd:nonNegativeInteger
                return True
            if is_date:
                m = _DATE.match(term)
                if m is not None and _valid_date(m):
                    return True
        return None

    def slow(v):
        if not isinstance(v, Literal):
            return False
        if v.datatype == rule:
            return False if getattr(v, "ill_typed", None) is True else _actual_datatype(v, rule)
        if rule == RDFS.Literal:
            return True
        if rule == RDFS.Datatype and v.datatype:
            return True
        if v.datatype is None and v.language is None and rule == XSD.string:
            return _actual_datatype(v, rule)
        if rule == RDF.langString and v.language:
            return _actual_datatype(v, rule)
        return False
    return _cached(fast, slow)


NODE_KINDS = {
    SH.IRI: "<", SH.BlankNode: "_", SH.Literal: '"', SH.BlankNodeOrIRI: "_<", SH.BlankNodeOrLiteral: '_"',
    SH.IRIOrLiteral: '<"',
}


def _string_of(term: str) -> str | None:
    """pySHACL's value_node_to_string for IRIs, plain and language-tagged literals (None: ask rdflib)."""
    if term[0] == "<":
        return unescape(term[1:-1])
    lex, _, datatype = split_literal(term)
    return lex if datatype is None else None


def _slow_string_of(v) -> str:
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        return str(v.value)
    return str(v)


def min_length_test(n: int):
    def fast(term):
        if n == 0:
            return True
        if term[0] == "_":
            return False
        text = _string_of(term)
        return None if text is None else len(text) >= n
    return _cached(fast, lambda v: n == 0 or (not isinstance(v, BNode) and len(_slow_string_of(v)) >= n))


def pattern_test(regex: re.Pattern):
    def fast(term):
        if term[0] == "_":
            return False
        text = _string_of(term)
        return None if text is None else regex.search(text) is not None
    return _cached(fast, lambda v: not isinstance(v, BNode) and regex.search(_slow_string_of(v)) is not None)


def language_in_test(languages: set[str]):
    wildcard = "*" in languages

    def fast(term):
        if term[0] != '"':
            return False
        rest = term[term.rfind('"') + 1:]
        if not rest.startswith("@"):
            return False
        lang = rest[1:]
        return wildcard or lang.lower() in languages or lang.split("-")[0].lower() in languages
    return _cached(fast, lambda v: False)


def min_inclusive_test(bound: Literal):
    from pyshacl.rdfutil.compare import compare_literal

    bound_is_string = isinstance(bound.value, str)

    def slow(v):
        if not isinstance(v, Literal):
            return False
        v_is_string = isinstance(v.value, str)
        if bound_is_string != v_is_string:
            return False
        try:
            return compare_literal(v, bound) >= 0
        except (TypeError, NotImplementedError):
            return False
    natural_bound = bound.value if isinstance(bound.value, int) and not isinstance(bound.value, bool) else None

    def fast(term):
        if term[0] != '"':
            return False
        if natural_bound is not None:
            value = _natural(term)
            if value is not None:
                return value >= natural_bound
        return None
    return _cached(fast, slow)


_NATURAL = re.compile(r'^"([0-9]+)"\^\^<http://www\.w3\.org/2001/XMLSchema#(?:integer|nonNegativeInteger)>$')
_NATURALS: dict = {}
_TERMS: dict = {}


def _natural(term: str) -> int | None:
    """The value of a canonical xsd:integer / xsd:nonNegativeInteger literal without a sign, else None."""
    found = _NATURALS.get(term, False)
    if found is False:
        m = _NATURAL.match(term)
        found = int(m.group(1)) if m and (m.group(1) == "0" or not m.group(1).startswith("0")) else None
        if len(_NATURALS) > 100_000:
            _NATURALS.clear()
        _NATURALS[term] = found
    return found


def _rdflib_term(term: str):
    found = _TERMS.get(term)
    if found is None:
        if len(_TERMS) > 100_000:
            _TERMS.clear()
        found = _TERMS[term] = to_rdflib(term)
    return found


def _less_or_equal(value, other) -> bool:
    """pySHACL's sh:lessThanOrEquals test of one value node against one value of the other property."""
    if isinstance(value, BNode) or isinstance(other, BNode):
        raise ValueError("Cannot use sh:lessThanOrEquals to compare a BlankNode.")
    v_str = c_str = False
    if isinstance(value, URIRef):
        value, v_str = str(value), True
    elif isinstance(value, Literal) and isinstance(value.value, str):
        value, v_str = value.value, True
    if isinstance(other, URIRef):
        other, c_str = str(other), True
    elif isinstance(other, Literal) and isinstance(other.value, str):
        other, c_str = other.value, True
    if v_str != c_str:
        return False
    return bool(value <= other)
