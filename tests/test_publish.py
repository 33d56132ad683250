"""`dtkg publish` against a real Oxigraph server started here, directly and through faulty proxies."""
from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dtkg import publish
from dtkg.cli import main
from fixture_graph import build_folder, graph_counts, memory_store

LOCAL = graph_counts(memory_store())


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return build_folder(tmp_path_factory.mktemp("build"))



def remote_graphs(base: str) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    req = urllib.request.Request(base + "/query", data=urllib.parse.urlencode({"query": query}).encode(),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        rows = json.load(resp)["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def run_publish(build, url, *extra) -> int:
    return main(["publish", "--graph", str(build), "--to", url, "--backoff", "0.05", *extra])


def test_publish_then_publish_again(build, oxigraph, capsys):
    assert run_publish(build, oxigraph + "/store") == 0
    assert remote_graphs(oxigraph) == LOCAL
    assert run_publish(build, oxigraph + "/store") == 0  # PUT replaces: still exactly one copy
    assert remote_graphs(oxigraph) == LOCAL
    out = capsys.readouterr().out
    assert f"published {len(LOCAL)} graphs, {sum(LOCAL.values())} triples; counts agree" in out


def test_body_is_deterministic_sorted_ntriples():
    store = memory_store()
    graph = "https://w3id.org/dtkg/graph/article/fixture_a"
    body = publish.graph_body(store, graph)
    lines = body.decode("utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == LOCAL[graph]
    assert body == publish.graph_body(memory_store(), graph)


class FaultyProxy(BaseHTTPRequestHandler):
    """Forwards to Oxigraph, but plays `faults` (one per PUT, in order) first."""

    upstream: tuple[str, int]
    faults: list[str]
    seen: list[str]

    def do_PUT(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fault = self.faults.pop(0) if self.faults else "ok"
        self.seen.append(fault)
        if fault == "503":
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if fault == "500":
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = self.forward(b"" if fault == "swallow" else body)
        if fault == "drop":  # the server took the PUT, the client never hears back
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):  # noqa: N802 (count queries go straight through)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        conn = http.client.HTTPConnection(*self.upstream, timeout=10)
        conn.request("POST", self.path, body, {k: v for k, v in self.headers.items() if k.lower() != "host"})
        reply = conn.getresponse()
        data = reply.read()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.getheader("Content-Type", "application/octet-stream"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def forward(self, body: bytes) -> int:
        conn = http.client.HTTPConnection(*self.upstream, timeout=10)
        conn.request("PUT", self.path, body, {"Content-Type": self.headers["Content-Type"]})
        status = conn.getresponse().status
        conn.close()
        return status

    def log_message(self, *args):
        pass


@pytest.fixture()
def proxy(oxigraph):
    """A faulty proxy in front of the Oxigraph server; `faults` is filled by each test."""
    host, port = urllib.parse.urlsplit(oxigraph).netloc.split(":")
    handler = type("Proxy", (FaultyProxy,), {"upstream": (host, int(port)), "faults": [], "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler, oxigraph
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_survives_503_with_retry_after_and_a_dropped_connection(build, proxy):
    url, handler, oxigraph = proxy
    handler.faults.extend(["503", "drop", "500"])
    start = time.monotonic()
    assert run_publish(build, url + "/store") == 0
    assert time.monotonic() - start >= 1.0  # waited as Retry-After asked
    assert handler.seen[:3] == ["503", "drop", "500"]
    assert len(handler.seen) == len(LOCAL) + 3
    assert remote_graphs(oxigraph) == LOCAL  # exactly one copy of each graph


def test_count_mismatch_fails_loudly(build, proxy, capsys):
    url, handler, oxigraph = proxy
    handler.faults.extend(["swallow"])
    assert run_publish(build, url + "/store") == 1
    err = capsys.readouterr().err
    assert "ERROR: remote triple counts differ" in err
    first = sorted(LOCAL)[0]
    assert f"{first} local {LOCAL[first]} remote 0" in err


def test_gives_up_after_retries(build, proxy, capsys):
    url, handler, _ = proxy
    handler.faults.extend(["500"] * 10)
    assert run_publish(build, url + "/store", "--retries", "2") == 2
    assert "gave up after 3 attempts" in capsys.readouterr().err
    assert handler.seen == ["500"] * 3


@pytest.mark.parametrize(("argv", "message"), [
    (["--to", "ftp://x/store"], "wants an http(s) URL"),
    (["--to", "http://127.0.0.1:9/somewhere"], "--query-url"),
    (["--to", "http://127.0.0.1:9/store", "--retries", "0"], "gave up after 1 attempts"),
])
def test_usage_errors_exit_2(build, capsys, argv, message):
    assert main(["publish", "--graph", str(build), *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("attempt", "retry_after", "expected"), [
    (0, None, 0.5), (1, None, 1.0), (3, None, 4.0), (20, None, 60.0),
    (0, "2", 2.0), (0, "3600", 60.0),
    (0, "Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
])
def test_retry_delay(attempt, retry_after, expected):
    assert publish.retry_delay(attempt, 0.5, retry_after) == expected


def test_basic_auth_header_from_environment(monkeypatch):
    monkeypatch.setenv("DTKG_PUBLISH_USER", "alice")
    monkeypatch.setenv("DTKG_PUBLISH_PASSWORD", "s3cret")
    user, password = publish.credentials(None, None)
    headers = publish.Target("http://h/store", "http://h/query", user, password).headers()
    assert headers["Authorization"] == "Basic YWxpY2U6czNjcmV0"
    assert headers["User-Agent"].startswith("dtkg/")
