"""Hostile queries: nothing makes dtkg write, open a connection or read a file, on the served
endpoint (`dtkg serve`) or on the local store (`dtkg query`).

One table of hostile queries runs against both; a listener socket on 127.0.0.1 (the target
every query names) records any connection, and must see none. Control tests show the
listener *would* see one if the filter were not there. Saved-query parameters are bound as
RDF terms: a table of injection payloads gives no rows or a clear error, never other data.
(More refusal cases: tests/test_queries.py, tests/test_serve.py; the runaway query on the
served endpoint: tests/test_serve.py::test_runaway_query_is_stopped_while_a_cheap_one_is_answered.)
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import ThreadingHTTPServer

import pytest

from dtkg import guard, queries, serve
from dtkg.cli import main
from fixture_graph import build_folder, graph_counts, memory_store
from servers import dtkg_server, http

TIMEOUT_S = 2
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
OVERSIZE = "SELEKT nonsense {{{ " + "#" * guard.MAX_QUERY_BYTES  # refused for its size, never parsed


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return build_folder(tmp_path_factory.mktemp("build"))




@pytest.fixture(scope="module")
def endpoint(build):
    """`dtkg serve` over the fixture build."""
    with dtkg_server(build, TIMEOUT_S) as base:
        yield base


def settle(seen: list, wait: float = 0.3) -> list:
    time.sleep(wait)
    return seen



# ---------------------------------------------------------------- the table of hostile queries

HOSTILE = [  # name, query text ({port}: the listener), refused by dtkg (else: allowed and harmless)
    ("update-insert", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", True),
    ("update-delete", "DELETE WHERE { ?s ?p ?o }", True),
    ("update-drop", "DROP ALL", True),
    ("update-lowercase-glued", "prefix e: <urn:e:> insert data{e:a e:b e:c}", True),
    ("load-http", "LOAD <http://127.0.0.1:{port}/data.ttl>", True),
    ("load-file", "LOAD <file:///etc/passwd> INTO GRAPH <urn:x>", True),
    ("service", "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }", True),
    ("service-silent", "SELECT * WHERE { service silent <http://127.0.0.1:{port}/> { ?s ?p ?o } }", True),
    ("service-escaped", "SELECT * WHERE { SERV\\u0049CE <http://127.0.0.1:{port}/> { ?s ?p ?o } }", True),
    ("service-prefixed", "PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICEe:x { ?s ?p ?o } }", True),
    ("service-in-subquery", "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } } }",
     True),
    ("service-in-exists", "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }", True),
    ("from-http", "SELECT * FROM <http://127.0.0.1:{port}/x> WHERE { ?s ?p ?o }", True),
    ("from-named-http", "SELECT * FROM NAMED <http://127.0.0.1:{port}/x> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
    ("from-file", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", True),
    ("from-base-relative", "BASE <http://127.0.0.1:{port}/> SELECT * FROM <x> WHERE { ?s ?p ?o }", True),
    ("from-prefixed", "PREFIX d: <file:///etc/> SELECT * FROM d:passwd WHERE { ?s ?p ?o }", True),
    ("oversize", OVERSIZE, True),
    ("graph-http-allowed", "SELECT * WHERE { GRAPH <http://127.0.0.1:{port}/g> { ?s ?p ?o } }", False),
    ("describe-http-allowed", "DESCRIBE <http://127.0.0.1:{port}/x>", False),
    ("iri-function-allowed", "SELECT (IRI('http://127.0.0.1:{port}/') AS ?x) WHERE {}", False),
    ("string-mentions-allowed", "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:{port}/> LOAD' } LIMIT 1", False),
]
IDS = [h[0] for h in HOSTILE]


@pytest.mark.parametrize(("name", "text", "refused"), HOSTILE, ids=IDS)
def test_served_endpoint_opens_no_connection(endpoint, listener, name, text, refused):
    port, seen = listener
    status, answer = http("POST", endpoint + "/query", text.replace("{port}", str(port)).encode("utf-8"),
                          "application/sparql-query")
    if refused:
        assert status in (400, 403, 413), answer
        assert "refused" in answer or "limit" in answer
    else:
        assert status == 200, answer
    assert settle(seen) == []


@pytest.mark.parametrize(("name", "text", "refused"), HOSTILE, ids=IDS)
def test_served_endpoint_get_and_form_open_no_connection(endpoint, listener, name, text, refused):
    port, seen = listener
    encoded = urllib.parse.urlencode({"query": text.replace("{port}", str(port))})
    for status, answer in (http("GET", f"{endpoint}/query?{encoded}"),
                           http("POST", endpoint + "/sparql", encoded.encode(), "application/x-www-form-urlencoded")):
        assert (status != 200) == refused, answer
    assert settle(seen) == []


@pytest.mark.parametrize(("name", "text", "refused"), HOSTILE, ids=IDS)
def test_local_query_opens_no_connection(build, listener, capsys, name, text, refused):
    port, seen = listener
    code = main(["query", "--text", text.replace("{port}", str(port)), "--graph", str(build), "--timeout", "5"])
    err = capsys.readouterr().err
    if refused:
        assert code == 2 and err.startswith("dtkg query: query refused"), err
    else:
        assert code in (0, 2) and "Traceback" not in err, err  # allowed (an update-free query may still fail)
    assert settle(seen) == []


REFUSED = [h for h in HOSTILE if h[2]]


@pytest.mark.parametrize(("name", "text", "refused"), REFUSED, ids=[h[0] for h in REFUSED])
def test_query_for_a_remote_endpoint_is_refused_before_sending(listener, capsys, name, text, refused):
    """`dtkg query --endpoint`: a hostile query is refused before anything is sent (the listener is the endpoint)."""
    port, seen = listener
    code = main(["query", "--text", text.replace("{port}", str(port)), "--endpoint", f"http://127.0.0.1:{port}/query",
                 "--timeout", "5"])
    assert code == 2 and capsys.readouterr().err.startswith("dtkg query: query refused")
    assert settle(seen, 0.1) == []


PROTOCOL = [  # requests that name other data through the protocol rather than the query text
    ("GET", "/query?default-graph-uri=file:///etc/passwd&query=" + urllib.parse.quote("SELECT * { ?s ?p ?o }"), None),
    ("GET", "/query?named-graph-uri=http://127.0.0.1:{port}/g&query=" + urllib.parse.quote("ASK {}"), None),
    ("GET", "/query?update=" + urllib.parse.quote("LOAD <http://127.0.0.1:{port}/x>"), None),
    ("POST", "/update", "LOAD <http://127.0.0.1:{port}/x>"),
    ("POST", "/query?using-graph-uri=http://127.0.0.1:{port}/g", "ASK {}"),
    ("PUT", "/store?graph=http://127.0.0.1:{port}/g", "<urn:a> <urn:b> <urn:c> ."),
    ("POST", "/store?graph=urn:x", "<urn:a> <urn:b> <http://127.0.0.1:{port}/x> ."),
]


@pytest.mark.parametrize(("method", "path", "body"), PROTOCOL)
def test_protocol_parameters_reach_nobody_and_write_nothing(endpoint, listener, method, path, body):
    port, seen = listener
    ctype = "application/sparql-query" if method == "POST" and "query" in path else "application/n-triples"
    status, answer = http(method, endpoint + path.replace("{port}", str(port)),
                          body.replace("{port}", str(port)).encode() if body else None, ctype if body else None)
    assert status in (400, 403, 405), answer
    assert settle(seen) == []
    remote = queries.run_text("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                              endpoint=endpoint + "/query")
    assert {str(r[0]): int(r[1]) for r in remote.rows} == graph_counts(memory_store())


def test_non_utf8_query_body_is_an_error_not_a_bypass(endpoint, listener):
    port, seen = listener
    body = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p '\xff' }} }}".encode("latin-1")
    status, _answer = http("POST", endpoint + "/query", body, "application/sparql-query")
    assert status == 400 and settle(seen) == []


# ---------------------------------------------------------------- controls: the filter is what stops it

@pytest.fixture()
def unguarded_proxy(build, monkeypatch):
    """The dtkg proxy in front of a real engine, with its refusal rule switched off (for the controls)."""
    engine_port = serve.free_port()
    engine = serve.start_oxigraph(build / "store", engine_port, TIMEOUT_S)
    monkeypatch.setattr(serve, "refusal", lambda *args: None)
    handler = type("Unguarded", (serve.Proxy,), {"upstream": ("127.0.0.1", engine_port), "timeout_s": TIMEOUT_S})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        engine.terminate()
        engine.wait(10)


def test_control_without_the_filter_the_engine_calls_out(unguarded_proxy, listener):
    port, seen = listener
    http("POST", unguarded_proxy + "/query",
         f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}".encode(),
         "application/sparql-query", timeout=10)
    deadline = time.time() + 5
    while not seen and time.time() < deadline:
        time.sleep(0.05)
    assert seen, "the listener would not notice a SERVICE call: the served-endpoint tests prove nothing"


def test_control_without_the_guard_the_local_store_calls_out(build, listener, monkeypatch):
    port, seen = listener
    monkeypatch.setattr(queries, "check_query", lambda text: None)
    with pytest.raises(queries.QueryError):
        queries.run_text(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}",
                         graph=build, timeout=10)
    deadline = time.time() + 5
    while not seen and time.time() < deadline:
        time.sleep(0.05)
    assert seen, "the listener would not notice a SERVICE call: the local tests prove nothing"


# ---------------------------------------------------------------- size and time limits

def test_oversize_query_is_refused_before_parsing(build, capsys):
    assert main(["query", "--text", OVERSIZE, "--graph", str(build)]) == 2
    err = capsys.readouterr().err
    assert "over the" in err and "syntax" not in err.lower()


def test_oversize_request_is_refused_before_it_is_read(endpoint):
    status, answer = http("POST", endpoint + "/query", OVERSIZE.encode(), "application/sparql-query")
    assert status == 413 and "limit" in answer
    status, _answer = http("GET", endpoint + "/query?query=" + urllib.parse.quote(OVERSIZE))
    assert status in (400, 413, 414)


def test_runaway_local_query_is_stopped_and_the_command_exits(build):
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "dtkg.cli", "query", "--text", SLOW, "--graph", str(build),
                          "--timeout", "1"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "time limit" in run.stderr and "Traceback" not in run.stderr
    assert time.monotonic() - start < 15


def test_runaway_queries_do_not_starve_a_cheap_one(endpoint):
    threads = [threading.Thread(target=http, args=("POST", endpoint + "/query", SLOW.encode(),
                                                   "application/sparql-query")) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    start = time.monotonic()
    quick = queries.run_saved("operators", endpoint=endpoint + "/query", timeout=5)
    assert len(quick.rows) == 1 and time.monotonic() - start < 3
    for t in threads:
        t.join(TIMEOUT_S + 15)
        assert not t.is_alive()


# ---------------------------------------------------------------- saved-query parameters

PAYLOADS = [
    'x") (UNDEF) } #',  # pasted into the VALUES block, this would match every row
    'x") ("Trần Minh Châu") ("dân cư',  # … and this one a named person and system
    'x" || true || "',
    "http://ex/x> ?p ?o } #",
    '"; DROP ALL; #',
    '"} UNION { ?s ?p ?o } #',
    "x\n} } SELECT * WHERE { ?s ?p ?o } #",
    '"\n}\n?s ?p ?o .\n{"',
    '\\" . ?s ?p ?o . #',
    '""" ?s ?p ?o """',
    "x'^^<http://ex/t> . ?s ?p ?o #",
    "\\u0022) } UNION { ?s ?p ?o } #",
    "\\\\u0022 } #",
    "> <https://w3id.org/dtkg/id/person/x",
    "?name",
    "A" * 100_000,
    "\udcff\udcfe",  # bytes that are not UTF-8, as Python hands them over from the command line
]
TEXT_PARAMS = [(n, p.name) for n, q in queries.saved_queries().items() for p in q.params]


@pytest.mark.parametrize(("name", "param"), TEXT_PARAMS, ids=[f"{n}.{p}" for n, p in TEXT_PARAMS])
@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(p[:24]) for p in PAYLOADS])
def test_injection_payload_gives_no_rows_or_a_clear_error(name, param, payload):
    """A bound value is one RDF term: the query still parses (a syntax error would mean the value
    changed the query's text), and gives no rows, or the value is refused with the reason."""
    store = memory_store()
    try:
        result = queries.run_saved(name, {param: payload}, store=store)
    except (queries.ParamError, guard.RefusedQuery) as exc:
        assert str(exc).strip()
        return
    assert result.rows == []
    assert graph_counts(store) == graph_counts(memory_store())


def test_control_a_real_value_gives_rows():
    """Control: the same queries with a real value do find rows (so "no rows" means something)."""
    assert queries.run_saved("person", {"name": "Trần Minh Châu"}, store=memory_store()).rows
    assert queries.run_saved("dti-ranking", {"year": "2023"}, store=memory_store()).rows


def test_non_utf8_parameter_on_the_command_line_is_a_clear_error(build):
    run = subprocess.run([os.fsencode(sys.executable), b"-m", b"dtkg.cli", b"query", b"person", b"--param",
                          b"name=\xff\xfe", b"--graph", os.fsencode(str(build))], capture_output=True, timeout=60)
    err = run.stderr.decode("utf-8", "replace")
    assert run.returncode == 2 and err.startswith("dtkg query: ") and "Traceback" not in err, err


# ---------------------------------------------------------------- requests shaped to slip past the filter

def raw_request(base: str, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
    """Send a request exactly as given (no Content-Length added); the status, or 0 if the connection closed."""
    import http.client

    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for key, value in headers.items():
            conn.putheader(key, value)
        conn.endheaders(body)
        return conn.getresponse().status
    except (ConnectionError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


SERVICE_Q = "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }"
SMUGGLING = [  # (name, method, path, headers, body)
    ("chunked body", "POST", "/query", {"Content-Type": "application/sparql-query", "Transfer-Encoding": "chunked"},
     "{n:x}\r\n{q}\r\n0\r\n\r\n"),
    ("chunked and a short length", "POST", "/query", {"Content-Type": "application/sparql-query",
                                                      "Transfer-Encoding": "chunked", "Content-Length": "5"},
     "{n:x}\r\n{q}\r\n0\r\n\r\n"),
    ("harmless then hostile query parameter", "GET", "/query?query=ASK%20%7B%7D&query={qq}", {}, ""),
    ("hostile query in the URL, harmless in the body", "POST", "/query?query={qq}",
     {"Content-Type": "application/sparql-query"}, "ASK {{}}"),
    ("content type with parameters and odd case", "POST", "/query",
     {"Content-Type": "Application/SPARQL-Query; charset=utf-8"}, "{q}"),
    ("path with dot segments", "POST", "/query/../update", {"Content-Type": "application/sparql-update"},
     "LOAD <http://127.0.0.1:{port}/x>"),
    ("form with a second update field", "POST", "/query", {"Content-Type": "application/x-www-form-urlencoded"},
     "query=ASK%20%7B%7D&update=LOAD%20%3Chttp%3A%2F%2F127.0.0.1%3A{port}%2Fx%3E"),
]


@pytest.mark.parametrize(("name", "method", "path", "headers", "body"), SMUGGLING, ids=[s[0] for s in SMUGGLING])
def test_requests_shaped_to_slip_past_the_filter_reach_nobody(endpoint, listener, name, method, path, headers, body):
    port, seen = listener
    query = SERVICE_Q.replace("{port}", str(port))
    fill = lambda text: (text.replace("{qq}", urllib.parse.quote(query)).replace("{q}", query)  # noqa: E731
                         .replace("{n:x}", f"{len(query.encode()):x}").replace("{port}", str(port))
                         .replace("{{}}", "{}"))
    data = fill(body).encode()
    if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
        headers = {**headers, "Content-Length": str(len(data))}
    status = raw_request(endpoint, method, fill(path), headers, data)
    assert status != 200, name
    assert settle(seen) == []
