"""Nothing fetches: building, validating and loading never open an outbound connection.

In process, a guard replaces `socket.socket.connect`/`connect_ex`, `socket.create_connection`
and `socket.getaddrinfo` and records every attempt to reach a network address; in
subprocesses a `sitecustomize` module on PYTHONPATH installs the same guard and writes each
attempt to a log file. Control tests show that each guard does catch a real attempt.
Hostile RDF files (remote JSON-LD contexts, external XML entities and DTDs, owl:imports)
name a listener on 127.0.0.1, which must see no connection either.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from dtkg.build import Options, Progress, build
from dtkg.cli import main

GUARD_SOURCE = r'''
"""Test guard (dtkg tests/test_no_network.py): record and refuse every network connection."""
import os, socket

_LOG = os.environ["DTKG_NETWORK_LOG"]
_NET = (socket.AF_INET, socket.AF_INET6)


def _refuse(what):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {what}\n")
    raise OSError(f"network access refused by the test guard: {what}")


_real_connect, _real_connect_ex = socket.socket.connect, socket.socket.connect_ex


def _connect(self, address):
    if self.family in _NET:
        _refuse(f"connect {address!r}")
    return _real_connect(self, address)


def _connect_ex(self, address):
    if self.family in _NET:
        _refuse(f"connect_ex {address!r}")
    return _real_connect_ex(self, address)


socket.socket.connect, socket.socket.connect_ex = _connect, _connect_ex
socket.create_connection = lambda address, *a, **k: _refuse(f"create_connection {address!r}")
socket.getaddrinfo = lambda host, *a, **k: _refuse(f"getaddrinfo {host!r}")
'''


class NetworkGuard:
    """The in-process guard: every attempt is recorded in `attempts` and refused with OSError."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.attempts: list[str] = []
        real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
        net = (socket.AF_INET, socket.AF_INET6)

        def refuse(what: str):
            self.attempts.append(what)
            raise OSError(f"network access refused by the test guard: {what}")

        def connect(sock, address):
            return refuse(f"connect {address!r}") if sock.family in net else real_connect(sock, address)

        def connect_ex(sock, address):
            return refuse(f"connect_ex {address!r}") if sock.family in net else real_connect_ex(sock, address)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(f"create_connection {address!r}"))
        monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: refuse(f"getaddrinfo {host!r}"))



@pytest.fixture()
def guard(monkeypatch, listener):
    """(in-process guard, listener port, listener's connections); the listener is set up first."""
    port, seen = listener
    return NetworkGuard(monkeypatch), port, seen


@pytest.fixture()
def guarded_env(tmp_path):
    """Environment for subprocesses with the sitecustomize guard; returns (env, log path)."""
    folder = tmp_path / "guard"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(GUARD_SOURCE, encoding="utf-8")
    log = tmp_path / "network.log"
    log.write_text("", encoding="utf-8")
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "DTKG_NETWORK_LOG": str(log)}, log


# ---------------------------------------------------------------- controls

def test_control_in_process_guard_catches_a_connection(guard):
    net, port, seen = guard
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    with pytest.raises(OSError):
        socket.socket().connect(("127.0.0.1", port))
    assert len(net.attempts) == 2 and seen == []


def test_control_subprocess_guard_catches_a_connection(guarded_env, listener):
    env, log = guarded_env
    port, seen = listener
    code = f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/', timeout=2)"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "refused by the test guard" in run.stderr
    assert log.read_text(encoding="utf-8").strip() and seen == []


# ---------------------------------------------------------------- the whole build

@pytest.mark.parametrize("jobs", [1, 2])
def test_build_of_the_sample_opens_no_connection(tmp_path, guard, jobs):
    net, _port, seen = guard
    summary = build(Options(out=tmp_path / "out", jobs=jobs), Progress(quiet=True))
    assert summary.status == "built" and summary.articles_built == 5
    assert net.attempts == [] and seen == []


def test_commands_in_subprocesses_open_no_connection(tmp_path, guarded_env):
    env, log = guarded_env
    out = tmp_path / "out"
    commands = [
        ["build", "--out", str(out), "--quiet", "--jobs", "2"],
        ["validate", "--graph", str(out)],
        ["query", "who-chairs-what", "--graph", str(out), "--format", "csv"],
        ["facts", "--graph", str(out), "--out", str(tmp_path / "facts")] if "facts" in _verbs() else None,
    ]
    for argv in filter(None, commands):
        run = subprocess.run([sys.executable, "-m", "dtkg.cli", *argv], env=env, capture_output=True, text=True,
                             timeout=600)
        assert run.returncode in (0, 1), (argv, run.stderr[-2000:])
        assert "Traceback" not in run.stderr, argv
    assert log.read_text(encoding="utf-8") == ""


def _verbs() -> set[str]:
    from dtkg.cli import make_parser

    return set(make_parser()._subparsers._group_actions[0].choices)


# ---------------------------------------------------------------- hostile RDF

RDFXML = """<?xml version="1.0"?>
{doctype}
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="urn:x"><dct:title>{body}</dct:title></rdf:Description>
</rdf:RDF>"""
TURTLE_IMPORTS = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://w3id.org/dtkg/ontology/evil> a owl:Ontology ; owl:imports <http://127.0.0.1:{port}/onto.ttl> , <file://{secret}> .
"""
# "Billion laughs": 1 KB that expands to 300 KB here (rdflib needs seconds; two more levels, hours).
BOMB = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10 if i else "lol"}">' for i in range(6))
HOSTILE_FILES = [  # name, file name, content ({port}: listener, {secret}: a local file), how to use it, exit codes
    ("jsonld-remote-context", "a.jsonld", '{"@context": "http://127.0.0.1:{port}/ctx.jsonld", "@id": "urn:a"}',
     "data", (2,)),
    ("jsonld-import", "a.jsonld", '{"@context": {"@import": "http://127.0.0.1:{port}/c"}, "@id": "urn:a"}', "data", (2,)),
    ("jsonld-scoped-context", "a.jsonld",
     '{"@context": {"p": {"@id": "urn:p", "@context": "http://127.0.0.1:{port}/s"}}, "p": {"@id": "urn:b"}}',
     "data", (2,)),
    ("jsonld-local-file-context", "a.jsonld", '{"@context": "file://{secret}", "@id": "urn:a"}', "data", (2,)),
    ("jsonld-relative-context", "a.jsonld", '{"@context": "secret.txt", "@id": "urn:a"}', "data", (2,)),
    ("rdfxml-external-entity-http", "a.rdf",
     RDFXML.format(doctype='<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "http://127.0.0.1:{port}/e">]>', body="&e;"),
     "data", (2,)),
    ("rdfxml-external-entity-file", "a.rdf",
     RDFXML.format(doctype='<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "file://{secret}">]>', body="&e;"), "data", (2,)),
    ("rdfxml-parameter-entity", "a.rdf",
     RDFXML.format(doctype='<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p;]>',
                   body="x"), "data", (2,)),
    ("rdfxml-external-dtd", "a.rdf",
     RDFXML.format(doctype='<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:{port}/x.dtd">', body="x"), "data", (0, 1, 2)),
    ("rdfxml-entity-bomb", "a.rdf", RDFXML.format(doctype=f"<!DOCTYPE rdf:RDF [{BOMB}]>", body="&l5;"), "data", (2,)),
    ("turtle-owl-imports-as-data", "a.ttl", TURTLE_IMPORTS, "data", (0, 1)),
    ("turtle-owl-imports-as-ontology", "a.ttl", TURTLE_IMPORTS, "ontology", (0, 1)),
    ("turtle-owl-imports-in-shapes", "a.ttl", TURTLE_IMPORTS + "<urn:s> a <http://www.w3.org/ns/shacl#NodeShape> .",
     "shapes", (0, 1, 2)),
]
HOSTILE_FILES = [pytest.param(*h, id=h[0]) for h in HOSTILE_FILES]
SECRET = "dtkg-secret-line-that-must-not-leak"


@pytest.mark.parametrize(("name", "file_name", "content", "use", "codes"), HOSTILE_FILES)
def test_validate_never_fetches(tmp_path, guard, capsys, name, file_name, content, use, codes):
    net, port, seen = guard
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    path = tmp_path / file_name
    path.write_text(content.replace("{port}", str(port)).replace("{secret}", str(secret)), encoding="utf-8")
    good = tmp_path / "good.ttl"
    good.write_text("<https://w3id.org/dtkg/id/x> <http://purl.org/dc/terms/title> \"x\" .\n", encoding="utf-8")
    argv = {"data": ["validate", str(path), "--no-ontology"],
            "ontology": ["validate", str(good), "--ontology", str(path)],
            "shapes": ["validate", str(good), "--shapes", str(path)]}[use]
    start = time.monotonic()
    code = main(argv)
    captured = capsys.readouterr()
    assert code in codes, captured.out + captured.err
    assert time.monotonic() - start < 10
    assert net.attempts == [] and seen == []
    assert SECRET not in captured.out + captured.err
    if code == 2:
        assert captured.err.strip() and "Traceback" not in captured.err


def test_project_graphs_load_without_connections(guard):
    """The ontology, vocabularies, reference graph and shapes load from files only."""
    import pyoxigraph as ox

    from dtkg import store as st
    from dtkg.validate import load_shapes, load_vocabulary

    net, _port, seen = guard
    loaded = st.load_project_graphs(ox.Store())
    assert sum(loaded.values()) > 1000
    assert len(load_shapes()) > 100 and len(load_vocabulary()) > 1000
    assert net.attempts == [] and seen == []
