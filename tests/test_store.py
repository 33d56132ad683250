"""ArticleWriter: article graphs stream into the store through one bulk load; a load that fails
raises its error instead of hanging the build."""
from __future__ import annotations

import os

import pyoxigraph as ox
import pytest

from dtkg import store as st

GRAPH = "https://w3id.org/dtkg/graph/article/"


def article(i: int, triples: int = 50) -> bytes:
    return "".join(f'<https://ex.org/s{i}-{k}> <https://ex.org/p> "v {k}" <{GRAPH}a{i}> .\n'
                   for k in range(triples)).encode("utf-8")


@pytest.fixture(params=["pipe read as a file", "batches read by the thread"])
def mode(request, monkeypatch):
    if request.param == "batches read by the thread":
        isdir = os.path.isdir
        monkeypatch.setattr(os.path, "isdir", lambda p: False if p == "/dev/fd" else isdir(p))
        monkeypatch.setattr(st, "BATCH_BYTES", 50_000)  # several loads, cut inside lines
    return request.param


def test_every_article_is_loaded(tmp_path, mode, monkeypatch):
    monkeypatch.setattr(st, "FLUSH_BYTES", 5000)
    store = st.create(tmp_path / "store")
    writer = st.ArticleWriter(store)
    for i in range(200):
        writer.add(article(i))
    writer.close()
    assert len(store) == 200 * 50
    assert len(list(store.named_graphs())) == 200
    assert ox.Quad(ox.NamedNode("https://ex.org/s7-3"), ox.NamedNode("https://ex.org/p"), ox.Literal("v 3"),
                   ox.NamedNode(f"{GRAPH}a7")) in store


def test_a_failed_load_raises_and_does_not_hang(tmp_path, mode, monkeypatch):
    monkeypatch.setattr(st, "FLUSH_BYTES", 1 << 16)
    store = st.create(tmp_path / "store")
    writer = st.ArticleWriter(store)
    writer.add(b"<https://ex.org/s> <https://ex.org/p> this is not N-Quads .\n")
    with pytest.raises(SyntaxError):
        for i in range(2000):  # 10 MB: more than the pipe holds once the loader has stopped reading
            writer.add(article(i))
        writer.close()
