"""Property tests: random and mutated Vietnamese text through the whole extraction.

Whatever the text, `prepare` + `extract_all` never raise, every evidence quote is exactly
`document.text[start:end]`, and the article graph is valid N-Triples without blank nodes.
Seeds are the bundled sample articles; mutations insert, delete and replace characters with
combining marks, zero-width characters, HTML fragments, huge numbers, unbalanced brackets.
"""
from __future__ import annotations

import random
import re
import unicodedata

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings, strategies as s

from dtkg import store as st
from dtkg.build import Options, Progress, build
from dtkg.extract import extract_all
from dtkg.model import Article
from dtkg.rdf import emit
from dtkg.resources import sample_corpus
from dtkg.text import prepare

SEEDS = [p.read_text(encoding="utf-8") for p in sorted(sample_corpus().glob("*.txt"))]
WORDS = sorted({w for text in SEEDS for w in re.findall(r"\S+", text)})
NOISE = [
    "\u0301", "\u0323", "\u0300\u0301", "\u0309\u0303\u0323", "\u0306", "\u031b",  # combining marks
    "\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060", "\u00a0", "\u2028", "\r", "\t", "\x00", "\x1b",
    "<script>alert(1)</script>", "<p>", "</p>", "<br/>", "<!--", "-->", "&amp;", "&nbsp;", "&#x1EA1;", "&#999999999;",
    "<b>Chủ tịch</b>", "<a href='javascript:x'>", "<title>", "<style>", "<![CDATA[", "]]>",
    "9" * 60, "1e999", "-0", "năm 99999", "ngày 31/02/2024", "32/13/2023", "thứ 99999999999999999999",
    "(", ")", "[", "]", "{", "}", "«", "»", "“", "”", "\"", "'", "\\", "<", ">", "|", ":", ";", "-", "–", "—", "…",
    "Ð", "ð", "ƀ", "Ư\u0301", "𝐂𝐡𝐮̉ 𝐭𝐢̣𝐜𝐡", "ﬁ", "Ⅻ", "١٢٣", "中文", "🇻🇳", "\U0010ffff",
    "Chủ tịch", "Phó Chủ tịch UBND tỉnh", "Bộ trưởng Bộ", "ông", "bà", "đồng chí", "chủ trì", "Quyết định số",
    "/QĐ-UBND", "xếp hạng", "DTI", "đổi tên thành", "kết nối", "Cơ sở dữ liệu quốc gia về dân cư",
]
EXAMPLES = 60
DATA = "https://w3id.org/dtkg/id/"


def run_pipeline(text: str) -> None:
    """prepare + extract_all + emit on one text, checking every property of the module docstring."""
    document = prepare(Article(id="fuzz", text=text))
    facts = extract_all(document)
    for fact in facts:
        ev = fact.evidence
        assert 0 <= ev.start <= ev.end <= len(document.text)
        assert document.text[ev.start:ev.end] == ev.quote, fact
    lines = emit.article_graph(document, facts)
    assert lines == emit.nt_lines(emit.rdflib_triples(lines))  # each line as rdflib would write it
    parsed = list(ox.parse("".join(lines).encode("utf-8"), ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == len(lines)
    assert not any(isinstance(t, ox.BlankNode) for q in parsed for t in (q.subject, q.object))
    for q in parsed:  # no IRI minted from an empty name ("…/person/", "…/org//x")
        for t in (q.subject, q.object):
            if isinstance(t, ox.NamedNode) and t.value.startswith(DATA):
                assert "" not in t.value[len(DATA):].split("/"), t.value


# ---------------------------------------------------------------- strategies

pieces = s.one_of(s.sampled_from(WORDS), s.sampled_from(NOISE), s.text(min_size=1, max_size=3))
random_texts = s.lists(s.tuples(pieces, s.sampled_from([" ", "", "\n", ". ", ", ", "\n\n"])), max_size=120).map(
    lambda parts: "".join(a + b for a, b in parts))


@s.composite
def mutated(draw) -> str:
    """A sample article with up to 30 insertions, deletions and replacements."""
    text = draw(s.sampled_from(SEEDS))
    for _ in range(draw(s.integers(0, 30))):
        where = draw(s.integers(0, len(text)))
        op = draw(s.sampled_from(["insert", "delete", "replace", "nfd", "upper"]))
        span = draw(s.integers(1, 12))
        if op == "insert":
            text = text[:where] + draw(pieces) + text[where:]
        elif op == "delete":
            text = text[:where] + text[where + span:]
        elif op == "replace":
            text = text[:where] + draw(s.sampled_from(NOISE)) + text[where + span:]
        elif op == "nfd":
            text = text[:where] + unicodedata.normalize("NFD", text[where:where + span * 10]) + text[where + span * 10:]
        else:
            text = text[:where] + text[where:where + span * 10].upper() + text[where + span * 10:]
    return text


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(random_texts)
def test_random_text_never_breaks_extraction(text):
    run_pipeline(text)


@FUZZ
@given(mutated())
def test_mutated_articles_never_break_extraction(text):
    run_pipeline(text)


@pytest.mark.parametrize("text", [
    "", " ", "\n\n\n", ".", "Chủ tịch", "Chủ tịch UBND tỉnh (", "Ông Nguyễn Văn A, Chủ tịch " * 200,
    "ngày 99/99/99999 " * 10, "\u0301" * 500, "<" * 1000, "Quyết định số " + "9" * 5000 + "/QĐ-TTg",
    "Bộ trưởng " + "Bộ " * 3000, "xếp thứ " + "1" * 400 + " về chỉ số DTI năm 2023",
])
def test_edge_texts(text):
    run_pipeline(text)


def _mutate(rng: random.Random, text: str, n: int) -> str:
    for _ in range(n):
        where = rng.randrange(len(text) + 1)
        if rng.random() < 0.5:
            text = text[:where] + rng.choice(NOISE) + text[where:]
        else:
            text = text[:where] + rng.choice(NOISE) + text[where + rng.randint(1, 8):]
    return text


def test_build_of_mutated_articles_has_no_blank_nodes_and_rejects_none(tmp_path):
    """The whole build (store, dumps) of mutated articles: every one builds, no blank node anywhere."""
    rng = random.Random(7)
    src = tmp_path / "src"
    src.mkdir()
    for i in range(10):
        mutated_text = _mutate(rng, SEEDS[i % len(SEEDS)], 25)
        (src / f"m{i:02d}.txt").write_text(mutated_text.replace("\x00", ""), encoding="utf-8")
    out = tmp_path / "out"
    summary = build(Options(sources=[str(src)], out=out, validate=False), Progress(quiet=True))
    assert summary.status == "built" and summary.rejected == [], summary.rejected
    assert summary.articles_built == 10 and sum(summary.facts.values()) > 0
    store = st.open_read_only(out / "store")
    assert not any(isinstance(t, ox.BlankNode) for q in store for t in (q.subject, q.object))
    for name, fmt in (("dtkg.nt", ox.RdfFormat.N_TRIPLES), ("dtkg.ttl", ox.RdfFormat.TURTLE),
                      ("dtkg.trig", ox.RdfFormat.TRIG)):
        quads = list(ox.parse(path=str(out / name), format=fmt))
        assert quads and not any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)), name
