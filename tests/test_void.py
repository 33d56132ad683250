"""The dataset description's figures read from the store: issue date and article graph count."""
from __future__ import annotations

import datetime as dt

import pyoxigraph as ox
import pytest

from dtkg import store as st, void

G = "https://w3id.org/dtkg/graph/article/"
DATE, TYPE = "<http://purl.org/dc/terms/date>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
NEWS, MEETING = "<http://schema.org/NewsArticle>", "<https://w3id.org/dtkg/ontology#Meeting>"


def _date(value: str) -> str:
    return f'"{value}"^^<http://www.w3.org/2001/XMLSchema#date>'


def _store(*quads: tuple[str, str, str, str]) -> ox.Store:
    store = ox.Store()
    store.load("".join(f"<https://x/{s}> {p} {o} <{g}> .\n" for s, p, o, g in quads), ox.RdfFormat.N_QUADS)
    return store


@pytest.mark.parametrize("quads, expected", [
    ([], None),
    ([("a1", DATE, _date("2024-03-01"), G + "a1"), ("a1", TYPE, NEWS, G + "a1")], dt.date(2024, 3, 1)),
    # the latest of several articles
    ([("a1", DATE, _date("2024-03-01"), G + "a1"), ("a1", TYPE, NEWS, G + "a1"),
      ("a2", DATE, _date("2025-01-31"), G + "a2"), ("a2", TYPE, NEWS, G + "a2"),
      ("a3", DATE, _date("2023-12-31"), G + "a3"), ("a3", TYPE, NEWS, G + "a3")], dt.date(2025, 1, 31)),
    # a later meeting date is not an article's date
    ([("a1", DATE, _date("2024-03-01"), G + "a1"), ("a1", TYPE, NEWS, G + "a1"),
      ("m1", DATE, _date("2026-05-01"), G + "a1"), ("m1", TYPE, MEETING, G + "a1")], dt.date(2024, 3, 1)),
    # the article's type must be stated in the graph that gives its date
    ([("a1", DATE, _date("2024-03-01"), G + "a1"), ("a1", TYPE, NEWS, G + "a1"),
      ("a2", DATE, _date("2025-06-01"), G + "a2"), ("a2", TYPE, NEWS, G + "other")], dt.date(2024, 3, 1)),
    # an ill-typed or non-date value is skipped, not fatal
    ([("a1", DATE, _date("2024-03-01"), G + "a1"), ("a1", TYPE, NEWS, G + "a1"),
      ("a2", DATE, _date("2025-13-45"), G + "a2"), ("a2", TYPE, NEWS, G + "a2"),
      ("a3", DATE, '"2026"', G + "a3"), ("a3", TYPE, NEWS, G + "a3")], dt.date(2024, 3, 1)),
    # an article without a date, another with one
    ([("a1", TYPE, NEWS, G + "a1"), ("a2", DATE, _date("2020-02-29"), G + "a2"), ("a2", TYPE, NEWS, G + "a2")],
     dt.date(2020, 2, 29)),
])
def test_latest_article_date(quads, expected):
    assert void.latest_article_date(_store(*quads)) == expected


def test_article_graph_count_counts_only_article_graphs():
    store = _store(("a1", TYPE, NEWS, G + "a1"), ("a2", TYPE, NEWS, G + "a2"),
                   ("r", TYPE, MEETING, st.REFERENCE.value), ("x", TYPE, MEETING, "https://example.org/g"))
    store.add_graph(ox.NamedNode(G + "empty"))
    assert st.article_graph_count(store) == 3
