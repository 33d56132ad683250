"""Golden facts for the bundled sample articles: extraction must find them (F1 ≥ 0.95).

tests/golden/seeds.gold.jsonl holds the facts a correct extraction finds in the five seed
articles (GOLD.md format). Names are compared the way GOLD.md says: case, tone placement,
abbreviations and the generic words "tỉnh", "thành phố", "chuyển đổi số", "về" do not matter.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from dtkg.corpus import read
from dtkg.extract import extract_all
from dtkg.extract.debug import rows
from dtkg.resources import sample_corpus
from dtkg.text import prepare
from dtkg.text.normalize import fold, strip_tones

GOLD = Path(__file__).parent / "golden" / "seeds.gold.jsonl"
KEYS = {
    "post": ("person", "org"), "heads": ("person", "org"), "headed_by_post": ("org", "post"),
    "presides": ("person", "date"), "links": ("subject", "object"), "operates": ("org", "system"),
    "ranking": ("entity", "year", "rank", "score"), "document": ("number",), "meeting": ("org", "date"),
    "renamed": ("old", "new"),
}
GENERIC = {"tinh", "thanh", "pho", "chuyen", "đoi", "doi", "so", "ve", "cua", "va", "cac", "cap"}
ABBR = {"ubnd": "uy ban nhan dan", "hđnd": "hoi đong nhan dan", "bcđ": "ban chi đao", "tt&tt": "thong tin va truyen thong",
        "csdl": "co so du lieu"}


def key(value) -> str:
    """A comparison key: folded, tone-blind, abbreviations expanded, generic words dropped."""
    if value in (None, ""):
        return ""
    s = strip_tones(fold(str(value)))
    for short, full in ABBR.items():
        s = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", full, s)
    words = re.sub(r"[^\w\s]", " ", s).split()
    if re.fullmatch(r"[\d.,]+", str(value)):
        return f"{float(str(value).replace(',', '.')):g}"
    return " ".join(w for w in words if w not in GENERIC)


@pytest.fixture(scope="module")
def predicted():
    facts = defaultdict(set)
    for item in read([sample_corpus()]):
        doc = prepare(item)
        for fact in extract_all(doc):
            for ftype, row in rows(fact):
                facts[(ftype, doc.id)].add(tuple(key(row[f]) for f in KEYS[ftype]))
    return facts


def gold_facts():
    gold = defaultdict(set)
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        fact = json.loads(line)
        gold[(fact["type"], fact["doc"])].add(tuple(key(fact.get(f)) for f in KEYS[fact["type"]]))
    return gold


def _matches(pred: tuple, gold: tuple) -> bool:
    return all(g == "" or p == g for p, g in zip(pred, gold))


def scores(predicted, gold):
    per_type = defaultdict(lambda: [0, 0, 0])
    for k in set(predicted) | set(gold):
        free = set(gold.get(k, ()))
        for p in predicted.get(k, ()):
            hit = next((g for g in free if _matches(p, g)), None)
            if hit is None:
                per_type[k[0]][1] += 1
            else:
                free.discard(hit)
                per_type[k[0]][0] += 1
        per_type[k[0]][2] += len(free)
    return per_type


def f1(tp, fp, fn) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def test_sample_corpus_overall_f1(predicted):
    table = scores(predicted, gold_facts())
    tp, fp, fn = (sum(v[i] for v in table.values()) for i in range(3))
    assert f1(tp, fp, fn) >= 0.95, dict(table)


@pytest.mark.parametrize("ftype", ["post", "heads", "headed_by_post", "presides", "meeting", "document", "ranking", "renamed"])
def test_sample_corpus_per_type(predicted, ftype):
    tp, fp, fn = scores(predicted, gold_facts())[ftype]
    assert f1(tp, fp, fn) >= 0.9, (tp, fp, fn)


def test_no_fact_from_page_furniture(predicted):
    """The footer of 002 names "Phạm Quang Cường, Phó Giám đốc Sở …": furniture states nothing."""
    people = {p[0] for (t, d), rows_ in predicted.items() if t == "post" for p in rows_}
    assert key("Phạm Quang Cường") not in people


def test_evidence_spans_match_the_text():
    for item in read([sample_corpus()]):
        doc = prepare(item)
        for fact in extract_all(doc):
            ev = fact.evidence
            assert doc.text[ev.start:ev.end] == ev.quote
