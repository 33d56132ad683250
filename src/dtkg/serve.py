"""A read-only SPARQL endpoint over a build: Oxigraph's server behind a small filtering proxy.

`oxigraph serve-read-only` (from PyPI) answers SPARQL 1.1 queries fast, has a query UI,
refuses updates and graph-store writes, and stops queries at `--timeout-s`. It cannot be
told to refuse SERVICE, though, and would then call any host a query names. So it listens
on a private loopback port, and the public address is this proxy (stdlib, threaded),
which reads every query before it is forwarded and answers HTTP 400 with the reason for
SERVICE, LOAD, updates, FROM/graph parameters outside dtkg's graphs and over-size
queries (`dtkg.guard`). Everything else — the UI at `/`, its static files, GET/POST
queries at `/query` and `/sparql`, graph-store reads — is forwarded as is. A query still
running after the time limit (plus a grace period) is cut off with 503.
"""
from __future__ import annotations

import http.client
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from dtkg.atomic import clean_stale
from dtkg.guard import MAX_QUERY_BYTES, QueryTooLarge, RefusedQuery, check_graph_iri, check_query

QUERY_PARAMS = ("query",)
GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri")
UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length", "expect"}
GRACE_S = 5.0


class ServeError(Exception):
    """The endpoint could not start: no store, no oxigraph binary, port in use."""


def oxigraph_binary() -> str:
    """The `oxigraph` command installed with dtkg (beside this Python, or on PATH)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise ServeError("the `oxigraph` command is not installed (pip install oxigraph)")
    return found


def parse_bind(bind: str) -> tuple[str, int]:
    """'127.0.0.1:7878' or '[::1]:7878' → (host, port)."""
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ServeError(f"--bind wants HOST:PORT, got {bind!r}")
    return host.strip("[]"), int(port)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def refusal(method: str, path: str, params: dict[str, list[str]], body: bytes, ctype: str) -> tuple[int, str] | None:
    """(HTTP status, reason) when this request must not reach Oxigraph, or None to forward it."""
    if method in ("PUT", "DELETE", "PATCH"):
        return 405, "the dtkg endpoint is read-only: graph-store writes are refused"
    if any(k in params for k in UPDATE_PARAMS) or ctype == "application/sparql-update":
        return 403, "the dtkg endpoint is read-only: SPARQL Update is refused"
    texts = [v for k in QUERY_PARAMS for v in params.get(k, [])]
    if method == "POST":
        if urlsplit(path).path not in ("/query", "/sparql"):
            return 403, "the dtkg endpoint is read-only: POST is only for queries (/query)"
        if ctype == "application/sparql-query":
            texts.append(body.decode("utf-8", "replace"))
        elif ctype != "application/x-www-form-urlencoded":
            return 400, f"unsupported content type {ctype or 'none'!r} (send application/sparql-query or a form)"
    try:
        for text in texts:
            check_query(text)
        for key in GRAPH_PARAMS:
            for iri in params.get(key, []):
                check_graph_iri(iri)
    except QueryTooLarge as exc:
        return 413, str(exc)
    except RefusedQuery as exc:
        return 400, str(exc)
    return None


class Proxy(BaseHTTPRequestHandler):
    """Forward safe requests to the Oxigraph server; refuse the rest with 400/403/405."""

    server_version = "dtkg-serve"
    upstream: tuple[str, int] = ("127.0.0.1", 0)
    timeout_s: float = 30.0

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.handle_any()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def handle_any(self) -> None:
        if self.headers.get("Transfer-Encoding"):
            return self.refuse(411, "send the request body with a Content-Length (no chunked uploads)")
        if (self.headers.get("Content-Encoding") or "identity").strip().lower() != "identity":
            return self.refuse(415, "compressed request bodies are refused (the proxy must read every query)")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self.refuse(400, "bad Content-Length")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        limit = MAX_QUERY_BYTES if ctype == "application/sparql-query" else 3 * MAX_QUERY_BYTES + 4096
        if length > limit:  # refused unread; the body is drained (not parsed) so the client sees the answer
            self.refuse(413, f"request body of {length} bytes is over the {MAX_QUERY_BYTES}-byte query limit")
            return self.drain(length)
        body = self.rfile.read(length) if length else b""
        params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        if len(self.path) > MAX_QUERY_BYTES * 3 + 4096:
            return self.refuse(414, "request URL is over the query size limit")
        if ctype == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        refused = refusal(self.command, self.path, params, body, ctype)
        if refused:
            return self.refuse(*refused)
        self.forward(body)

    def drain(self, length: int, cap: int = 4 << 20) -> None:
        """Read and drop up to `cap` bytes of a refused body, so closing does not reset the connection."""
        self.close_connection = True
        self.connection.settimeout(2)
        left = min(length, cap)
        try:
            while left > 0 and (chunk := self.rfile.read(min(left, 65536))):
                left -= len(chunk)
        except OSError:
            pass

    def refuse(self, code: int, message: str) -> None:
        data = (message + "\n").encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def forward(self, body: bytes) -> None:
        deadline = time.monotonic() + self.timeout_s + GRACE_S
        conn = http.client.HTTPConnection(*self.upstream, timeout=self.timeout_s + GRACE_S)
        sent = False
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            if body:
                headers["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body or None, headers=headers)
            reply = conn.getresponse()
            self.send_response(reply.status, reply.reason)
            sent = True
            for key, value in reply.getheaders():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Connection", "close")
            self.end_headers()
            while chunk := reply.read1(65536) if self.command != "HEAD" else b"":
                self.wfile.write(chunk)
                if time.monotonic() > deadline:
                    break  # cut off a result still streaming after the time limit
        except (socket.timeout, TimeoutError):
            if not sent:
                self.refuse(503, f"query stopped: over the {self.timeout_s:g} s time limit")
        except (ConnectionError, http.client.HTTPException) as exc:
            if not sent:
                self.refuse(502, f"the SPARQL engine did not answer: {exc}")
        finally:
            conn.close()

    def log_message(self, fmt: str, *args) -> None:
        sys.stderr.write(f"dtkg serve: {self.address_string()} {fmt % args}\n")


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGTERM the engine if dtkg serve itself dies (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_oxigraph(store: Path, port: int, timeout: float) -> subprocess.Popen:
    """Start `oxigraph serve-read-only` on 127.0.0.1:port over `store` and wait until it answers."""
    cmd = [oxigraph_binary(), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}",
           "--union-default-graph", "--timeout-s", str(max(1, int(round(timeout))))]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    for _ in range(200):  # at most ~20 s
        if proc.poll() is not None:
            raise ServeError(f"oxigraph exited: {proc.stderr.read().decode('utf-8', 'replace').strip()[:500]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise ServeError("oxigraph did not start listening within 20 s")


def serve(graph: str | Path, bind: str = "127.0.0.1:7878", timeout: float = 30.0) -> int:
    """Run the endpoint until interrupted or terminated; returns an exit code."""
    store = Path(graph) / "store"
    try:
        clean_stale(Path(graph))  # finish or undo what a killed build left (a store half swapped in)
    except OSError:
        pass  # a folder this user cannot write: serve what is there
    if not store.is_dir():
        raise ServeError(f"no dtkg store at {store} (run `dtkg build --out {graph}` first)")
    host, port = parse_bind(bind)
    private = free_port()
    engine = start_oxigraph(store, private, timeout)
    handler = type("BoundProxy", (Proxy,), {"upstream": ("127.0.0.1", private), "timeout_s": timeout})
    server_class = type("Server", (ThreadingHTTPServer,), {
        "address_family": socket.AF_INET6 if ":" in host else socket.AF_INET, "daemon_threads": True})
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        engine.terminate()
        raise ServeError(f"cannot listen on {bind}: {exc.strerror}") from None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, name="dtkg-serve", daemon=True).start()
    shown = f"[{host}]" if ":" in host else host
    print(f"dtkg serve: SPARQL endpoint http://{shown}:{port}/query (query UI http://{shown}:{port}/), "
          f"read-only, {timeout:g} s per query; Ctrl-C stops it", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"dtkg serve: warning: listening on {host}, reachable from other machines", file=sys.stderr)
    try:
        while not stop.wait(0.5):
            if engine.poll() is not None:
                print("dtkg serve: the oxigraph server stopped", file=sys.stderr)
                return 2
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        engine.terminate()
        try:
            engine.wait(5)
        except subprocess.TimeoutExpired:
            engine.kill()
    return 0
