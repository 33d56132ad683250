"""Write a graph as sorted, sectioned Turtle: same graph, same bytes, readable by a person.

rdflib's serializer is deterministic only up to its own ordering rules; the reference
graph is committed and regenerated in a test, so it is written here with an explicit
order: sections in the order given, subjects sorted by IRI, `a` first, then predicates
and objects sorted by their Turtle form. Blank nodes are refused (docs/MODEL.md).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

__all__ = ["write_turtle"]

_LOCAL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class _Terms:
    """Turn RDF terms into Turtle with the longest matching prefix."""

    def __init__(self, prefixes: Sequence[tuple[str, str]]) -> None:
        self.prefixes = sorted(prefixes, key=lambda p: len(p[1]), reverse=True)

    def iri(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns):]):
                return f"{prefix}:{iri[len(ns):]}"
        return f"<{iri}>"

    def term(self, node: object) -> str:
        if isinstance(node, BNode):
            raise ValueError("blank nodes are not allowed in dtkg data")
        if isinstance(node, URIRef):
            return "a" if node == RDF.type else self.iri(str(node))
        if isinstance(node, Literal):
            text = '"' + "".join(_ESCAPES.get(c, c) for c in str(node)) + '"'
            if node.language:
                return f"{text}@{node.language}"
            if node.datatype:
                return f"{text}^^{self.iri(str(node.datatype))}"
            return text
        raise TypeError(f"not an RDF term: {node!r}")


def _objects(objs: list[str]) -> str:
    """Objects on one line, or one per line when there are many."""
    if len(objs) <= 3:
        return " " + " , ".join(objs)
    return "\n        " + " ,\n        ".join(objs)


def _block(graph: Graph, subject: URIRef, terms: _Terms) -> str:
    """One subject with all its triples, `a` first."""
    by_pred: dict[str, list[str]] = {}
    for pred, obj in graph.predicate_objects(subject):
        by_pred.setdefault(terms.term(pred), []).append(terms.term(obj))
    preds = sorted(by_pred, key=lambda p: (p != "a", p))
    lines = [f"    {p}{_objects(sorted(by_pred[p]))}" for p in preds]
    return terms.term(subject) + "\n" + " ;\n".join(lines) + " .\n"


def write_turtle(
    graph: Graph,
    prefixes: Sequence[tuple[str, str]],
    sections: Iterable[tuple[str, Callable[[URIRef], bool]]],
    header: str = "",
) -> str:
    """Return `graph` as Turtle; each subject goes to the first section whose test accepts it."""
    terms = _Terms(prefixes)
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=str)
    if any(isinstance(s, BNode) for s in graph.subjects()):
        raise ValueError("blank nodes are not allowed in dtkg data")
    out = [header] if header else []
    out += [f"@prefix {p}: <{ns}> ." for p, ns in sorted(prefixes)]
    placed: set[URIRef] = set()
    for title, accepts in sections:
        chosen = [s for s in subjects if s not in placed and accepts(s)]
        if not chosen:
            continue
        out.append(f"\n# {'=' * 76}\n# {title}\n# {'=' * 76}\n")
        out += [_block(graph, s, terms) for s in chosen]
        placed.update(chosen)
    rest = [s for s in subjects if s not in placed]
    if rest:
        raise ValueError(f"no section for {rest[0]}")
    return "\n".join(out)
