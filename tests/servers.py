"""Helpers the tests share for servers on 127.0.0.1: start, wait, stop, ask, and a listener
that records any connection (the target a SERVICE, FROM or LOAD must never reach)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest


def wait_until_up(proc: subprocess.Popen, base: str) -> None:
    """Wait (up to ~20 s) until `base/` answers; fail the test if the server exits or never answers."""
    for _ in range(200):
        if proc.poll() is not None:
            pytest.fail(f"server exited: {proc.stderr.read().decode() if proc.stderr else proc.returncode}")
        try:
            urllib.request.urlopen(base + "/", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("server did not come up")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started with start_new_session=True: SIGTERM, then its process group."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def http(method: str, url: str, body: bytes | None = None, ctype: str | None = None, timeout: float = 20):
    """(status, text) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=body, method=method)
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


@contextmanager
def _server(command):
    """A server on a free port of 127.0.0.1, started by `command(port)` in its own session; yields its base URL."""
    from dtkg.serve import free_port

    port = free_port()
    proc = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base)
        yield base
    finally:
        stop(proc)


def dtkg_server(build: Path, timeout: float):
    """`dtkg serve` over a build folder (a subprocess); a context manager giving its base URL."""
    import sys

    return _server(lambda port: [sys.executable, "-m", "dtkg.cli", "serve", "--graph", str(build), "--bind",
                                 f"127.0.0.1:{port}", "--timeout", str(timeout)])


def oxigraph_server(location: Path):
    """A read-write Oxigraph server over `location`; a context manager giving its base URL."""
    from dtkg.serve import oxigraph_binary

    return _server(lambda port: [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"])


@contextmanager
def recording_listener():
    """A TCP listener on 127.0.0.1 that records every connection made to it: yields (port, seen)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.1)
    seen: list[bytes] = []
    done = threading.Event()

    def accept():
        while not done.is_set():
            try:
                conn, _addr = sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                seen.append(conn.recv(200) or b"(connected)")
            except OSError:
                seen.append(b"(connected)")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], seen
    finally:
        done.set()
        thread.join(2)
        sock.close()
