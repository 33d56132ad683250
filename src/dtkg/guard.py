"""Refuse SPARQL that could write, fetch or reach other hosts, before any parser sees it.

Every query dtkg runs — saved or ad hoc, on the local store, on a remote endpoint or
through `dtkg serve` — passes `check_query` first. It works on tokens, not on a parse:
the text is size-checked, `\\uXXXX` escapes are decoded, then a small SPARQL lexer skips
strings, IRIs and comments and looks at the words that remain. It refuses:

- updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, COPY, MOVE, ADD, WITH, USING);
- SERVICE, so the engine never opens a connection to another endpoint;
- FROM / FROM NAMED with an IRI outside https://w3id.org/dtkg/ (and protocol
  `default-graph-uri` / `named-graph-uri` parameters, via `check_graph_iri`);
- texts over `MAX_QUERY_BYTES`.

A word is refused when it *starts with* a keyword: SPARQL engines match keywords without
a word boundary (Oxigraph reads `SERVICEex:x` as `SERVICE ex:x`), so the check has to be
as greedy as they are. Refusing too much is the safe side.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_BYTES = 64 * 1024
ALLOWED_GRAPHS = "https://w3id.org/dtkg/"

UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "WITH", "USING")
REFUSED_WORDS = ("SERVICE",) + UPDATE_WORDS


class RefusedQuery(ValueError):
    """A query dtkg will not run; the message says why and what to do instead."""


class QueryTooLarge(RefusedQuery):
    """A query text over MAX_QUERY_BYTES (HTTP 413 on the endpoint)."""


@dataclass(frozen=True)
class Token:
    """One lexical token of a SPARQL text: its kind, its text and where it starts."""

    kind: str  # ws comment string iri var pname lang word number punct
    text: str
    start: int


_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                 |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u203f\u2040]+)
    | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w:%\-.]|\\.)*)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<word>[^\W\d][\w]*)
    | (?P<number>[0-9.][0-9.eE+\-]*)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def decode_escapes(text: str) -> str:
    """Apply SPARQL's codepoint escapes (\\uXXXX, \\UXXXXXXXX) the way a parser does first."""

    def one(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(one, text)


def tokenize(text: str) -> list[Token]:
    """Split SPARQL text into tokens, keeping whitespace and comments (for positions)."""
    return [Token(m.lastgroup or "punct", m.group(), m.start()) for m in _TOKEN.finditer(text)]


def code_tokens(text: str) -> list[Token]:
    """The tokens that carry meaning: no whitespace, no comments."""
    return [t for t in tokenize(text) if t.kind not in ("ws", "comment")]


def check_size(text: str | bytes) -> None:
    """Refuse a query text over the size limit, before anything parses it."""
    if isinstance(text, str):
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            raise RefusedQuery("query refused: the text is not valid Unicode (undecodable bytes?)") from None
    else:
        size = len(text)
    if size > MAX_QUERY_BYTES:
        raise QueryTooLarge(f"query refused: {size} bytes is over the {MAX_QUERY_BYTES}-byte limit")


def check_graph_iri(iri: str) -> None:
    """Refuse a dataset IRI (FROM, FROM NAMED, protocol graph parameter) outside dtkg's graphs."""
    if not iri.startswith(ALLOWED_GRAPHS) or _BAD_IRI_CHARS.search(iri):
        raise RefusedQuery(
            f"query refused: FROM/graph IRI <{iri}> is not a dtkg graph; "
            f"only graphs under {ALLOWED_GRAPHS} can be named (dtkg never loads other data)"
        )


_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def check_query(text: str) -> None:
    """Raise RefusedQuery unless `text` is a read-only query over dtkg's own graphs."""
    check_size(text)
    decoded = decode_escapes(text)
    for variant in {text, decoded}:
        _check_tokens(code_tokens(variant))


def _check_tokens(tokens: list[Token]) -> None:
    prefixes: dict[str, set[str]] = {}
    for i, tok in enumerate(tokens):
        if tok.kind not in ("word", "pname", "lang"):
            continue
        words = tok.text.lstrip("@").split("-") if tok.kind == "lang" else [tok.text]
        for word in words:
            upper = word.upper()
            for refused in REFUSED_WORDS:
                if upper.startswith(refused):
                    raise RefusedQuery(_refusal(refused))
        upper = tok.text.upper()
        if tok.kind == "word" and upper == "PREFIX" and i + 2 < len(tokens):
            name, iri = tokens[i + 1], tokens[i + 2]
            if name.kind == "pname" and iri.kind == "iri":
                prefixes.setdefault(name.text[:-1], set()).add(iri.text[1:-1])
        elif upper.startswith("FROM"):
            if tok.kind != "word" or upper != "FROM":
                raise RefusedQuery("query refused: cannot read this FROM clause; write FROM <iri> with a dtkg graph IRI")
            for iri in _dataset_iris(tokens, i, prefixes):
                check_graph_iri(iri)


def _dataset_iris(tokens: list[Token], i: int, prefixes: dict[str, set[str]]) -> list[str]:
    """The IRI(s) a FROM [NAMED] at token i names (every reading of a redefined prefix)."""
    j = i + 1
    if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() == "NAMED":
        j += 1
    if j >= len(tokens):
        raise RefusedQuery("query refused: FROM without a graph IRI")
    target = tokens[j]
    if target.kind == "iri":
        return [target.text[1:-1]]
    if target.kind == "pname":
        prefix, _, local = target.text.partition(":")
        if prefix not in prefixes:
            raise RefusedQuery(f"query refused: FROM uses undeclared prefix {prefix!r}")
        return [base + local for base in sorted(prefixes[prefix])]
    raise RefusedQuery(f"query refused: FROM must be followed by a dtkg graph IRI, not {target.text!r}")


def _refusal(word: str) -> str:
    if word == "SERVICE":
        return "query refused: SERVICE is not allowed; dtkg queries never call other endpoints"
    if word == "LOAD":
        return "query refused: LOAD is not allowed; the dtkg graph is read-only and never fetches data"
    return f"query refused: {word} looks like SPARQL Update; the dtkg graph is read-only (queries only)"


def where_group(text: str) -> int:
    """Offset just after the `{` that opens the query's outermost WHERE group."""
    depth, seen_where, form_seen = 0, False, False
    for tok in tokenize(text):
        if tok.kind == "word":
            upper = tok.text.upper()
            if depth == 0 and upper in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form_seen = True
            elif depth == 0 and upper == "WHERE":
                seen_where = True
        elif tok.kind == "punct" and tok.text == "{":
            if depth == 0 and form_seen and (seen_where or not _has_top_level_where(text)):
                return tok.start + 1
            depth += 1
        elif tok.kind == "punct" and tok.text == "}":
            depth -= 1
    raise ValueError("no WHERE group found in the query")


def _has_top_level_where(text: str) -> bool:
    depth = 0
    for tok in tokenize(text):
        if tok.kind == "punct" and tok.text in "{}":
            depth += 1 if tok.text == "{" else -1
        elif depth == 0 and tok.kind == "word" and tok.text.upper() == "WHERE":
            return True
    return False
