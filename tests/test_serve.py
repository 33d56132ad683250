"""`dtkg serve`: saved queries work through SPARQLWrapper; writes, LOAD, SERVICE are refused."""
from __future__ import annotations

from http.client import HTTPConnection
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from dtkg import facts, queries
from dtkg.serve import refusal
from fixture_graph import build_folder, graph_counts, memory_store
from servers import dtkg_server, http

TIMEOUT_S = 2


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """`dtkg serve` over the fixture build, on a free port, stopped at the end."""
    with dtkg_server(build_folder(tmp_path_factory.mktemp("build")), TIMEOUT_S) as base:
        yield base


def post_query(base: str, text: str, path: str = "/query"):
    return http("POST", base + path, text.encode("utf-8"), "application/sparql-query")


@pytest.mark.parametrize("name", sorted({n for n, _f in facts.FACT_TABLES.values()}))
def test_fact_queries_agree_with_local_store(endpoint, name):
    local = queries.run_saved(name, store=memory_store())
    remote = queries.run_saved(name, endpoint=endpoint + "/query", timeout=10)
    assert remote.columns == local.columns
    assert remote.records() == local.records()
    assert remote.rows


@pytest.mark.parametrize(("name", "params"), [
    ("person", {"name": "Trần Minh Châu"}),
    ("province", {"iri": "https://w3id.org/dtkg/id/province/ninh-binh"}),
    ("database-links", {"system": "dân cư"}),
    ("dti-ranking", {"year": "2023"}),
    ("current-heads", {}),
    ("committee-meetings", {}),
    ("person", {"name": 'x" || true || "'}),
])
def test_parameterised_queries_agree_with_local_store(endpoint, name, params):
    local = queries.run_saved(name, params, store=memory_store())
    remote = queries.run_saved(name, params, endpoint=endpoint + "/query", timeout=10)
    assert remote.records() == local.records()


def test_query_ui_is_served(endpoint):
    status, page = http("GET", endpoint + "/")
    assert status == 200 and "yasgui" in page.lower()


def test_get_query_works(endpoint):
    q = urllib.parse.quote("ASK { ?s a <http://schema.org/NewsArticle> }")
    status, text = http("GET", f"{endpoint}/query?query={q}")
    assert status == 200 and "true" in text



REFUSED = [
    ("POST", "/update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update", 403),
    ("POST", "/query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-query", 400),
    ("POST", "/sparql", "DELETE WHERE { ?s ?p ?o }", "application/sparql-update", 403),
    ("POST", "/update", "LOAD <http://127.0.0.1:{port}/x.ttl>", "application/sparql-update", 403),
    ("POST", "/query", "LOAD <http://127.0.0.1:{port}/x.ttl>", "application/sparql-query", 400),
    ("PUT", "/store?graph=urn:x", "<urn:a> <urn:b> <urn:c> .", "application/n-triples", 405),
    ("POST", "/store?graph=urn:x", "<urn:a> <urn:b> <urn:c> .", "application/n-triples", 403),
    ("DELETE", "/store?graph=https://w3id.org/dtkg/graph/article/fixture_a", "", None, 405),
    ("POST", "/query", "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
     "application/sparql-query", 400),
    ("POST", "/query", "PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICEe:x { ?s ?p ?o } }",
     "application/sparql-query", 400),
    ("GET", "/query?query=" + urllib.parse.quote("SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/> {} }"),
     "", None, 400),
    ("POST", "/query", "query=" + urllib.parse.quote("SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/> {} }"),
     "application/x-www-form-urlencoded", 400),
    ("POST", "/query", "SELECT * FROM <http://127.0.0.1:{port}/g> WHERE { ?s ?p ?o }", "application/sparql-query", 400),
    ("GET", "/query?default-graph-uri=http://127.0.0.1:{port}/g&query=" + urllib.parse.quote("ASK {}"), "", None, 400),
    ("POST", "/query", "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70000, "application/sparql-query", 413),
]


@pytest.mark.parametrize(("headers", "code"), [
    ({"Content-Encoding": "gzip"}, 415),
    ({"Transfer-Encoding": "chunked"}, 411),
    ({"Content-Length": "abc"}, 400),
])
def test_unreadable_bodies_are_refused(endpoint, headers, code):
    host, port = endpoint.rsplit("/", 1)[1].split(":")
    conn = HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", "/query")
    conn.putheader("Content-Type", "application/sparql-query")
    for key, value in headers.items():
        conn.putheader(key, value)
    conn.endheaders()
    reply = conn.getresponse()
    assert reply.status == code
    conn.close()


@pytest.mark.parametrize(("method", "path", "body", "ctype", "code"), REFUSED)
def test_refused_requests_reach_nobody(endpoint, listener, method, path, body, ctype, code):
    port, seen = listener
    path, body = path.replace("{port}", str(port)), body.replace("{port}", str(port))
    status, text = http(method, endpoint + path, body.encode("utf-8") if body else None, ctype)
    assert status == code, text
    assert text.strip()
    time.sleep(0.1)
    assert seen == []


def test_nothing_was_written(endpoint):
    counts = queries.run_text("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
                              endpoint=endpoint + "/query")
    remote = {str(r[0]): int(r[1]) for r in counts.rows}
    assert remote == graph_counts(memory_store())


def test_runaway_query_is_stopped_while_a_cheap_one_is_answered(endpoint):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    outcome = {}

    def run_slow():
        start = time.monotonic()
        outcome["answer"] = post_query(endpoint, slow)
        outcome["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)
    start = time.monotonic()
    quick = queries.run_saved("operators", endpoint=endpoint + "/query", timeout=5)
    assert len(quick.rows) == 1 and time.monotonic() - start < 2
    thread.join(30)
    assert not thread.is_alive()
    status, text = outcome["answer"]
    assert status != 200 or "cancelled" in text or '"value"' not in text
    assert outcome["seconds"] < TIMEOUT_S + 10


@pytest.mark.parametrize(("method", "path", "params", "body", "ctype", "refused"), [
    ("GET", "/", {}, b"", "", False),
    ("GET", "/query", {"query": ["SELECT * WHERE { ?s ?p ?o }"]}, b"", "", False),
    ("POST", "/query", {}, b"SELECT * WHERE { ?s ?p ?o }", "application/sparql-query", False),
    ("POST", "/query", {}, b"x", "text/plain", True),
    ("POST", "/", {}, b"SELECT * WHERE { ?s ?p ?o }", "application/sparql-query", True),
    ("GET", "/query", {"update": ["DROP ALL"]}, b"", "", True),
    ("GET", "/query", {"named-graph-uri": ["file:///etc/passwd"]}, b"", "", True),
    ("GET", "/query", {"named-graph-uri": ["https://w3id.org/dtkg/graph/ontology"]}, b"", "", False),
])
def test_refusal_rules(method, path, params, body, ctype, refused):
    assert (refusal(method, path, params, body, ctype) is not None) == refused
