"""Saved SPARQL queries: read their headers, bind parameters as RDF terms, run them.

A saved query is a `queries/NAME.rq` file whose leading comment lines document it:

    # title: Who chairs what
    # description: Every person an article names as the head of an organisation …
    # param: year — the year ranked (year)
    # columns: person, org, doc

Parameters are never pasted into query text as strings. Each value is turned into an RDF
term of the declared type (`iri` values are validated), serialised by rdflib, and joined
into the query as a `VALUES` block at the start of the outermost WHERE group — the same
text runs on the local store and on any SPARQL 1.1 endpoint. Every text passes
`dtkg.guard.check_query` before it runs.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from dtkg import __version__, resources
from dtkg.guard import RefusedQuery, check_query, where_group

PARAM_TYPES = ("iri", "string", "integer", "decimal", "year", "date")
USER_AGENT = f"dtkg/{__version__} (+https://w3id.org/dtkg)"
_HEADER = re.compile(r"^#\s*(title|description|param|columns)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*[—–-]+\s*(?P<text>.*?)\s*\((?P<type>\w+)(?P<opt>,\s*optional)?\)\s*$")
_MARKER = re.compile(r"^[ \t]*(#[ \t]*parameters:)", re.MULTILINE)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]+$")


class QueryError(Exception):
    """A query that cannot run: unknown name, bad parameter, store or endpoint failure."""


class UnknownQuery(QueryError):
    """No saved query has that name."""


class ParamError(QueryError):
    """A parameter that the query does not declare, is missing, or does not fit its type."""


class QueryTimeout(QueryError):
    """The query ran longer than its time limit."""


class EndpointError(QueryError):
    """The SPARQL endpoint could not be reached or answered with an error."""


@dataclass(frozen=True)
class Param:
    """One declared parameter of a saved query: the variable it binds and its type."""

    name: str
    type: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class SavedQuery:
    """A saved query file with its documented header."""

    name: str
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    columns: tuple[str, ...] = ()

    def param(self, name: str) -> Param:
        """Return the declared parameter `name`, or raise ParamError listing the known ones."""
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParamError(f"query {self.name!r} has no parameter {name!r} (parameters: {known})")


@dataclass
class Result:
    """Rows of a query result as rdflib terms (None for an unbound cell), with column names."""

    columns: list[str]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def records(self) -> list[dict[str, str | None]]:
        """Rows as dictionaries of plain strings (None for unbound), for CSV/JSON and tests."""
        return [{c: cell_text(v) if v is not None else None for c, v in zip(self.columns, row)} for row in self.rows]


def cell_text(term: Any) -> str:
    """The plain text of a result cell: the lexical form of a literal, the IRI, or ''."""
    return "" if term is None else str(term)


# ---------------------------------------------------------------- loading saved queries

def parse_header(name: str, text: str) -> SavedQuery:
    """Read the `# key: value` header lines (continuation lines are indented comments)."""
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": [], "columns": []}
    last: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            last = fields[match.group(1)]
            last.append(match.group(2).strip())
        elif last is not None and line[1:].strip():
            last[-1] += " " + line[1:].strip()
    params = tuple(_parse_param(name, p) for p in fields["param"])
    columns = tuple(c.strip() for c in " ".join(fields["columns"]).split(",") if c.strip())
    return SavedQuery(name, text, " ".join(fields["title"]), " ".join(fields["description"]), params, columns)


def _parse_param(query: str, line: str) -> Param:
    match = _PARAM.match(line)
    if not match or match.group("type") not in PARAM_TYPES:
        raise ValueError(f"{query}.rq: cannot read parameter line {line!r} (want: name — meaning (type[, optional]))")
    return Param(match.group("name"), match.group("type"), match.group("text"), bool(match.group("opt")))


def query_folder() -> Path:
    """The folder of saved queries (queries/ in a checkout, dtkg/_data/queries in a wheel)."""
    return resources.folder("queries")


def saved_queries(folder: Path | None = None) -> dict[str, SavedQuery]:
    """Every saved query, by name (file stem), in name order."""
    folder = folder or query_folder()
    return {p.stem: parse_header(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))}


def load_query(name: str, folder: Path | None = None) -> SavedQuery:
    """The saved query `name`; UnknownQuery names the close matches when there is none."""
    folder = folder or query_folder()
    path = folder / f"{name}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name) or not path.is_file():
        near = [q for q in saved_queries(folder) if name.split("-")[0] in q]
        hint = f" (did you mean: {', '.join(near)}?)" if near else " (see `dtkg query --list`)"
        raise UnknownQuery(f"no saved query named {name!r}{hint}")
    return parse_header(name, path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- binding parameters

def make_term(param: Param, value: str) -> URIRef | Literal:
    """Turn a user's text into an RDF term of the parameter's type, or raise ParamError."""
    value = value.strip()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ParamError(f"parameter {param.name}: the value is not valid UTF-8 text") from None
    try:
        if param.type == "iri":
            if not _IRI.match(value):
                raise ValueError("not an absolute IRI (no spaces or <>\"{}|^`\\ allowed)")
            return URIRef(value)
        if param.type == "integer":
            return Literal(int(value), datatype=XSD.integer)
        if param.type == "decimal":
            return Literal(Decimal(value), datatype=XSD.decimal)
        if param.type == "year":
            if not re.fullmatch(r"\d{4}", value):
                raise ValueError("want a four-digit year")
            return Literal(value, datatype=XSD.gYear)
        if param.type == "date":
            return Literal(dt.date.fromisoformat(value), datatype=XSD.date)
        return Literal(value)
    except (ValueError, InvalidOperation) as exc:
        raise ParamError(f"parameter {param.name}={value!r}: {exc or 'bad value'} (type {param.type})") from None


def bind_params(query: SavedQuery, values: dict[str, str]) -> str:
    """The query text with `values` joined in as a VALUES block; checks names and required ones."""
    terms = {name: make_term(query.param(name), value) for name, value in values.items()}
    missing = [p.name for p in query.params if not p.optional and p.name not in terms]
    if missing:
        raise ParamError(f"query {query.name!r} needs parameter(s): {', '.join(missing)} (--param NAME=VALUE)")
    return bind_terms(query.text, terms)


def bind_terms(text: str, terms: dict[str, URIRef | Literal]) -> str:
    """Join RDF terms into a query as `VALUES (?a ?b) { (t1 t2) }` at the start of its WHERE group.

    A saved query may mark the group its parameters belong in with a line starting
    `# parameters:` (the block then goes just before that comment, at the start of that
    group): the group that finds the entity the parameters name, so the engine binds it
    first and looks the rest up from it. The query must use its parameters only inside that
    group, so the answer is the same as with the block at the start of the WHERE group.
    """
    if not terms:
        return text
    names = sorted(terms)
    for term in terms.values():
        if isinstance(term, URIRef) and not _IRI.match(str(term)):
            raise ParamError(f"refusing to bind IRI {str(term)!r}")
    block = " VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(terms[n].n3() for n in names) + ") } "
    marker = _MARKER.search(text)
    at = marker.start(1) if marker else where_group(text)
    return text[:at] + block + text[at:]


# ---------------------------------------------------------------- running

def open_store(graph_dir: str | Path):
    """Open OUT/store read-only; QueryError with a hint when there is none."""
    import pyoxigraph

    path = Path(graph_dir)
    if (path / "store").exists() or (path / ".dtkg-commit.json").exists():
        from dtkg.atomic import clean_stale

        clean_stale(path)  # finish or undo what a killed build left before reading
    store_path = path / "store" if (path / "store").is_dir() else path
    if not store_path.is_dir():
        raise QueryError(f"no dtkg store at {store_path} (run `dtkg build --out {path}` first)")
    try:
        return pyoxigraph.Store.read_only(str(store_path))
    except OSError as exc:
        raise QueryError(f"cannot open the store at {store_path}: {exc}") from None


def run_local(store, text: str, timeout: float | None = None, plain: bool = False) -> Result:
    """Run a query on a pyoxigraph store (default graph = union of all graphs) under a time limit.

    `plain`: cells are their text (`cell_text`) instead of rdflib terms, for tables written out
    as they are (`dtkg facts`: making 7M rdflib terms at 100k articles took minutes and GiBs).
    """
    check_query(text)
    box: dict[str, Any] = {}
    convert = _plain_ox if plain else _from_ox

    def work() -> None:
        try:
            box["result"] = _local_result(store.query(text, use_default_graph_as_union=True), convert)
        except BaseException as exc:  # handed to the caller's thread, without the frames
            box["error"] = exc.with_traceback(None)  # (pyoxigraph results must be freed on this thread)

    worker = threading.Thread(target=work, name="dtkg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryTimeout(f"query stopped: it ran longer than the {timeout:g} s time limit")
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, SyntaxError):
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        raise QueryError(f"query failed: {exc}") from None
    return box["result"]


def _local_result(solutions, convert) -> Result:
    import pyoxigraph

    if isinstance(solutions, pyoxigraph.QueryBoolean):
        return Result(["ask"], [(convert(pyoxigraph.Literal(bool(solutions))),)])
    if isinstance(solutions, pyoxigraph.QueryTriples):
        rows = [tuple(convert(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in solutions]
        return Result(["subject", "predicate", "object"], rows)
    columns = [v.value for v in solutions.variables]
    return Result(columns, [tuple(convert(s[c]) for c in columns) for s in solutions])


def _plain_ox(term) -> str:
    """`cell_text` of a pyoxigraph term, without making an rdflib term first."""
    if term is None:
        return ""
    value = getattr(term, "value", None)  # (a quoted triple has none: its text, as _from_ox gives)
    return value if isinstance(value, str) else str(term)


def _from_ox(term):
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return Literal(str(term))


def run_endpoint(url: str, text: str, timeout: float | None = 30) -> Result:
    """Run a query on a SPARQL 1.1 endpoint (POST, JSON results) with a timeout and User-Agent."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    check_query(text)
    if not re.match(r"^https?://[^\s/]+", url or ""):
        raise EndpointError(f"bad endpoint URL {url!r} (want http(s)://host[:port]/path)")
    client = SPARQLWrapper(url, agent=USER_AGENT)
    client.setQuery(text)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    if timeout:
        client.setTimeout(max(1, int(round(timeout))))
    try:
        data = client.queryAndConvert()
    except Exception as exc:  # urllib, socket and SPARQLWrapper errors all mean the same here
        raise EndpointError(f"endpoint {url} failed: {type(exc).__name__}: {str(exc)[:300]}") from None
    if not isinstance(data, dict):
        raise EndpointError(f"endpoint {url} did not answer with SPARQL JSON results "
                            "(only SELECT and ASK queries can run on an endpoint)")
    if "boolean" in data:
        return Result(["ask"], [(Literal(bool(data["boolean"])),)])
    columns = list(data.get("head", {}).get("vars", []))
    rows = [tuple(_from_json(b.get(c)) for c in columns) for b in data.get("results", {}).get("bindings", [])]
    return Result(columns, rows)


def _from_json(cell: dict | None):
    if cell is None:
        return None
    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if cell.get("xml:lang"):
        return Literal(value, lang=cell["xml:lang"])
    datatype = cell.get("datatype")
    if datatype and datatype != str(XSD.string):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def run_saved(
    name: str,
    params: dict[str, str] | None = None,
    *,
    store=None,
    graph: str | Path | None = None,
    endpoint: str | None = None,
    timeout: float | None = 30,
) -> Result:
    """Run saved query `name` with `params` on a store, a build folder, or an endpoint."""
    text = bind_params(load_query(name), params or {})
    return run_text(text, store=store, graph=graph, endpoint=endpoint, timeout=timeout)


def run_text(text: str, *, store=None, graph=None, endpoint=None, timeout: float | None = 30) -> Result:
    """Run query text (checked by the guard) on a store, a build folder, or an endpoint."""
    if endpoint:
        return run_endpoint(endpoint, text, timeout)
    check_query(text)  # refuse before even opening the store
    return run_local(store if store is not None else open_store(graph or "dtkg-out"), text, timeout)


__all__ = [
    "PARAM_TYPES", "USER_AGENT", "QueryError", "UnknownQuery", "ParamError", "QueryTimeout", "EndpointError",
    "RefusedQuery", "Param", "SavedQuery", "Result", "cell_text", "parse_header", "saved_queries", "load_query",
    "make_term", "bind_params", "bind_terms", "open_store", "run_local", "run_endpoint", "run_saved", "run_text",
]
