"""ArticleWriter: article graphs go into the store in bulk loads from a background thread; a load
that fails raises its error at the end instead of being lost or hanging the build."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from dtkg import store as st

GRAPH = "https://w3id.org/dtkg/graph/article/"


def article(i: int, triples: int = 50) -> bytes:
    return "".join(f'<https://ex.org/s{i}-{k}> <https://ex.org/p> "v {k}" <{GRAPH}a{i}> .\n'
                   for k in range(triples)).encode("utf-8")


def test_every_article_is_loaded(tmp_path, monkeypatch):
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


def test_a_failed_load_raises_and_does_not_hang(tmp_path, monkeypatch):
    monkeypatch.setattr(st, "FLUSH_BYTES", 1 << 16)
    store = st.create(tmp_path / "store")
    writer = st.ArticleWriter(store)
    writer.add(b"<https://ex.org/s> <https://ex.org/p> this is not N-Quads .\n")
    with pytest.raises(SyntaxError):
        for i in range(2000):  # 10 MB: several loads queued after the one that failed
            writer.add(article(i))
        writer.close()
