"""Upload a build to a SPARQL 1.1 Graph Store Protocol endpoint, then check the counts.

One HTTP PUT per named graph (`?graph=<iri>`, sorted N-Triples body), so publishing twice
leaves exactly one copy of each graph. PUTs and count queries are retried on 5xx/429
answers and on connection errors, with exponential back-off that honours `Retry-After`.
Afterwards each graph's triple count on the server (a SPARQL `COUNT` on the endpoint's
query URL) must equal the local count, and a dtkg graph on the server that the build no
longer has (an article dropped from the corpus) counts as a difference; any difference is
reported loudly.
"""
from __future__ import annotations

import base64
import email.utils
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

from dtkg import __version__
from dtkg.namespaces import GRAPH
from dtkg.queries import open_store

USER_AGENT = f"dtkg/{__version__}"
MAX_DELAY_S = 60.0
GRAPHS = str(GRAPH)  # dtkg's named graphs: one on the server that the build lacks is reported


class PublishError(Exception):
    """An upload that could not be done: bad URL, refused request, retries used up."""


@dataclass
class Target:
    """Where and how to publish: graph-store URL, query URL, credentials, retry policy."""

    store_url: str
    query_url: str
    user: str | None = None
    password: str | None = None
    retries: int = 5
    backoff: float = 0.5
    timeout: float = 60.0

    def headers(self) -> dict[str, str]:
        """Headers sent with every request (User-Agent, Basic auth when a user is given)."""
        headers = {"User-Agent": USER_AGENT}
        if self.user is not None:
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        return headers


def query_url_for(store_url: str) -> str:
    """Guess the query URL beside a graph-store URL (Oxigraph …/store, Fuseki …/data → …/query)."""
    parts = urllib.parse.urlsplit(store_url)
    for tail in ("/store", "/data"):
        if parts.path.endswith(tail):
            return urllib.parse.urlunsplit(parts._replace(path=parts.path[: -len(tail)] + "/query", query=""))
    raise PublishError(f"cannot guess the SPARQL query URL for {store_url}; give it with --query-url")


def graph_url(store_url: str, graph: str) -> str:
    """The graph-store URL of one named graph (`?graph=` indirect identification)."""
    sep = "&" if urllib.parse.urlsplit(store_url).query else "?"
    return f"{store_url}{sep}graph={urllib.parse.quote(graph, safe='')}"


def local_graphs(store) -> dict[str, int]:
    """Triple count of every named graph in the store, by graph IRI, in IRI order."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    return {r["g"].value: int(r["n"].value) for r in rows}


def graph_body(store, graph: str) -> bytes:
    """One named graph as N-Triples, lines sorted, so the same graph always gives the same bytes."""
    import pyoxigraph

    quads = store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph))
    triples = [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads]
    text = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip())).encode("utf-8")


def retry_delay(attempt: int, backoff: float, retry_after: str | None) -> float:
    """Seconds to wait before the next attempt: Retry-After when given, else backoff·2^attempt."""
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return min(float(value), MAX_DELAY_S)
        when = email.utils.parsedate_to_datetime(value) if value else None
        if when is not None:
            return min(max(0.0, when.timestamp() - time.time()), MAX_DELAY_S)
    return min(backoff * (2**attempt), MAX_DELAY_S)


def request(target: Target, method: str, url: str, body: bytes | None, headers: dict[str, str],
            log: Callable[[str], None]) -> tuple[int, bytes]:
    """Send one request, retrying 5xx/429 and dropped connections; (status, body) of the answer."""
    for attempt in range(target.retries + 1):
        req = urllib.request.Request(url, data=body, method=method, headers={**target.headers(), **headers})
        retry_after = None
        try:
            with urllib.request.urlopen(req, timeout=target.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            detail = err.read()[:300].decode("utf-8", "replace").strip()
            if err.code < 500 and err.code != 429:
                raise PublishError(f"{method} {url}: HTTP {err.code} {err.reason}: {detail}") from None
            problem, retry_after = f"HTTP {err.code} {detail}", err.headers.get("Retry-After")
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout, TimeoutError) as err:
            reason = getattr(err, "reason", err)
            problem = f"{type(reason).__name__}: {reason}"
        if attempt == target.retries:
            raise PublishError(f"{method} {url}: gave up after {attempt + 1} attempts (last: {problem})")
        delay = retry_delay(attempt, target.backoff, retry_after)
        log(f"  {method} failed ({problem}); retrying in {delay:.1f} s")
        time.sleep(delay)
    raise AssertionError("unreachable")


def put_graph(target: Target, graph: str, body: bytes, log: Callable[[str], None]) -> int:
    """Replace one named graph on the server with `body` (idempotent PUT); the HTTP status."""
    status, _ = request(target, "PUT", graph_url(target.store_url, graph), body,
                        {"Content-Type": "application/n-triples"}, log)
    return status


def remote_count(target: Target, graph: str, log: Callable[[str], None]) -> int:
    """Triples in one named graph on the server, by a SPARQL COUNT on the query URL."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    form = urllib.parse.urlencode({"query": query}).encode("utf-8")
    _, data = request(target, "POST", target.query_url, form, {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}, log)
    try:
        bindings = json.loads(data)["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError) as exc:
        raise PublishError(f"{target.query_url} answered the count query with something unreadable ({exc})") from None


def publish(graph_dir, target: Target, log: Callable[[str], None] = print) -> dict[str, tuple[int, int]]:
    """PUT every named graph of the build, then return {graph: (local count, remote count)}."""
    store = open_store(graph_dir)
    counts = local_graphs(store)
    if not counts:
        raise PublishError(f"the store in {graph_dir} has no named graphs to publish")
    for graph, n in counts.items():
        status = put_graph(target, graph, graph_body(store, graph), log)
        log(f"PUT {graph}  {n} triples  HTTP {status}")
    result = {graph: (n, remote_count(target, graph, log)) for graph, n in counts.items()}
    stale = {g: (0, n) for g, n in remote_dtkg_graphs(target, log).items() if g not in counts}
    return {**result, **dict(sorted(stale.items()))}  # a graph the build no longer has counts as a mismatch


def remote_dtkg_graphs(target: Target, log: Callable[[str], None]) -> dict[str, int]:
    """Every named graph on the server under dtkg's graph namespace, with its triple count."""
    query = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
             f'FILTER(STRSTARTS(STR(?g), "{GRAPHS}")) }} GROUP BY ?g')
    form = urllib.parse.urlencode({"query": query}).encode("utf-8")
    _, data = request(target, "POST", target.query_url, form, {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}, log)
    try:
        return {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(data)["results"]["bindings"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise PublishError(f"{target.query_url} answered the graph list query with something unreadable ({exc})") from None


def credentials(user: str | None, password: str | None) -> tuple[str | None, str | None]:
    """Command-line credentials, else DTKG_PUBLISH_USER / DTKG_PUBLISH_PASSWORD from the environment."""
    return (user if user is not None else os.environ.get("DTKG_PUBLISH_USER"),
            password if password is not None else os.environ.get("DTKG_PUBLISH_PASSWORD"))
