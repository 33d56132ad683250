"""N-Triples term strings for the compiled SHACL engine (dtkg.validate.engine).

The engine works on terms as the N-Triples text of one line gives them (`<iri>`,
`_:label`, `"lex"`, `"lex"@lang`, `"lex"^^<dt>`); rdflib terms are made only for the
rare value checks that need a typed value, and for the results.
"""
from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from dtkg.rdf.emit import _ESCAPES  # the escapes dtkg writes N-Triples with

_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape_one(m: re.Match) -> str:
    code = m.group(1) or m.group(2)
    if code:
        return chr(int(code, 16))
    return _SIMPLE.get(m.group(3), m.group(0))


def unescape(text: str) -> str:
    """The string an N-Triples string or IRI body stands for (ECHAR and UCHAR escapes resolved)."""
    return _UNESCAPE.sub(_unescape_one, text) if "\\" in text else text


def split_literal(term: str) -> tuple[str, str | None, str | None]:
    """(lexical form, language, datatype IRI) of a literal term string."""
    end = term.rfind('"')
    lex = unescape(term[1:end])
    rest = term[end + 1:]
    if rest.startswith("@"):
        return lex, rest[1:], None
    if rest.startswith("^^<"):
        return lex, None, unescape(rest[3:-1])
    return lex, None, None


def to_rdflib(term: str) -> Node:
    """The rdflib term of an N-Triples term string (literals normalised as rdflib's parsers do)."""
    first = term[0]
    if first == "<":
        return URIRef(unescape(term[1:-1]))
    if first == "_":
        return BNode(term[2:])
    lex, lang, datatype = split_literal(term)
    if lang is not None:
        return Literal(lex, lang=lang)
    if datatype is not None:
        return Literal(lex, datatype=URIRef(datatype))
    return Literal(lex)


def to_nt(node: Node) -> str:
    """The N-Triples term string of an rdflib term (blank nodes as `_:id`)."""
    if isinstance(node, Literal):
        body = '"' + str(node).translate(_ESCAPES) + '"'
        if node.language:
            return f"{body}@{node.language}"
        if node.datatype is not None:  # xsd:string too: rdflib keeps "x" and "x"^^xsd:string apart
            return f"{body}^^<{node.datatype}>"
        return body
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"not an RDF term: {node!r}")


def to_oxigraph(term: str):
    """The pyoxigraph term of an N-Triples term string (blank node labels kept)."""
    first = term[0]
    if first == "<":
        return ox.NamedNode(unescape(term[1:-1]))
    if first == "_":
        return ox.BlankNode(term[2:])
    lex, lang, datatype = split_literal(term)
    if lang is not None:
        return ox.Literal(lex, language=lang)
    if datatype is not None:
        return ox.Literal(lex, datatype=ox.NamedNode(datatype))
    return ox.Literal(lex)


_CANONICAL: dict[str, str] = {}


# typed literals rdflib keeps as they are: integers without sign or leading zero, dates YYYY-MM-DD
_AS_IS = re.compile(r'^"(?:0|[1-9][0-9]{0,17})"\^\^<http://www\.w3\.org/2001/XMLSchema#(?:integer|nonNegativeInteger)>$'
                    r'|^"[0-9]{4}-[0-9]{2}-[0-9]{2}"\^\^<http://www\.w3\.org/2001/XMLSchema#date>$')


def canonical(term: str) -> str:
    """A literal as rdflib would hold it after parsing, written as dtkg writes N-Triples:
    "01"^^xsd:integer is "1"^^xsd:integer, and escapes are written one way."""
    found = _CANONICAL.get(term)
    if found is None:
        found = term if _AS_IS.match(term) else to_nt(to_rdflib(term))
        if len(_CANONICAL) > 200_000:
            _CANONICAL.clear()
        _CANONICAL[term] = found
    return found


def parse_line(line: str) -> tuple[str, str, str]:
    """Subject, predicate and object term strings of one N-Triples line."""
    text = line.rstrip()
    if text.endswith("."):
        text = text[:-1].rstrip()
    parts = text.split(None, 2)
    if len(parts) != 3 or not parts[2].strip():
        raise ValueError(f"not an N-Triples line: {line!r}")
    s, p, o = parts
    o = o.strip()
    if o[0] == '"' and ("^^" in o[o.rfind('"'):] or "\\" in o):
        o = canonical(o)
    return s, p, o
