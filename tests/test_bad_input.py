"""Bad input loses nothing and lets nothing in: a corpus mixing good and bad articles builds
the good ones, repairs what can be read faithfully, and rejects the rest by name and reason.

Each case of CASES is one file of one mixed source folder. A case is either *repaired* (it
must give exactly the article graph of the clean article it was made from: same facts, same
IRIs, same evidence) or *rejected* (listed in the summary and in OUT/rejected.jsonl, no named
graph). The folder is built twice: through `dtkg.cli.main` and as a `dtkg build` subprocess.
"""
from __future__ import annotations

import contextlib
import html
import io
import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from dtkg import corpus, store as st
from dtkg.cli import main
from dtkg.extract import extract_all
from dtkg.model import Article
from dtkg.rdf import emit, iris
from dtkg.resources import sample_corpus
from dtkg.slug import canonical_tones, other_tones
from dtkg.text import prepare
from vietnamese_bytes import cp1258

SAMPLE = sorted(sample_corpus().glob("*.txt"))
A_TEXT = SAMPLE[0].read_text(encoding="utf-8")
B_TEXT = SAMPLE[1].read_text(encoding="utf-8")
TEXT_SHA = "<https://w3id.org/dtkg/ontology#textSha256>"
_CP1252_HOLES = {0x81, 0x8D, 0x8F, 0x90, 0x9D}  # bytes cp1252 leaves undefined


# ---------------------------------------------------------------- ways to damage a text


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 (undefined bytes kept as C1 controls, as browsers do)."""
    return "".join(chr(b) if b in _CP1252_HOLES else bytes([b]).decode("cp1252") for b in text.encode("utf-8"))


def html_page(text: str) -> str:
    """The article as a web page: title, a script and a style that say other things, entities."""
    paras = [p for p in text.split("\n") if p.strip()]
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + html.escape(paras[0]) + "</title>"
            "<script>var s = 'Chủ tịch UBND tỉnh Lai Châu Nguyễn Văn Mãđộc chủ trì hội nghị.';"
            " document.write('<p>Bộ trưởng Bộ Nội vụ Trần Văn Giả</p>');</script>"
            "<style>p::before { content: 'Giám đốc Sở Nội vụ Lê Văn Kịchbản' }</style></head><body>"
            + "".join(f"<p>{html.escape(p).replace(' ', '&nbsp;', 1)}</p>" for p in paras) + "</body></html>")


def zero_width(text: str) -> str:
    """Zero-width spaces, joiners and soft hyphens sprinkled inside and between words."""
    return text.replace(" ", " \u200b").replace("ư", "ư\u200d").replace("Chủ", "Ch\u00adủ").replace("ố", "\ufeffố")


def lookalikes(text: str) -> str:
    """Đ/đ written with the look-alike ETH letters (U+00D0, U+00F0)."""
    return text.replace("Đ", "\u00d0").replace("đ", "\u00f0")


def big_article(text: str) -> bytes:
    """A readable article just over the 20 MiB limit (rejected for its size, not its content)."""
    data = text.encode("utf-8")
    return data * (corpus.MAX_BYTES // len(data) + 2)


def utf8_with_bad_byte(text: str) -> bytes:
    """A short UTF-8 Vietnamese article with one stray byte (a broken download)."""
    para = next(p for p in text.split("\n") if len(p) > 80)
    data = para.encode("utf-8")
    return data[:41] + b"\xff" + data[41:]


# ---------------------------------------------------------------- the table

@dataclass(frozen=True)
class Case:
    """One input file: its bytes, and what must happen to it."""

    name: str
    data: bytes
    same_as: str | None = None  # "a"/"b": repaired into that clean article's graph
    reason: str | None = None  # rejected with a reason starting with this
    ignore_sha: bool = False  # the text differs in layout only (HTML blocks), so its hash does

    @property
    def doc(self) -> str:
        return Path(self.name).stem


CASES = [
    Case("good_a.txt", A_TEXT.encode("utf-8"), same_as="a"),
    Case("good_b.txt", B_TEXT.encode("utf-8"), same_as="b"),
    Case("empty.txt", b"", reason="empty file"),
    Case("blank.md", b" \n\t\r\n ", reason="empty file"),
    Case("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40, reason="binary file"),
    Case("huge.txt", big_article(A_TEXT), reason="file too large"),
    Case("invalid_utf8.txt", b"Tin t\xe1\xbb\xa9c \xff\xfe\xc3\x28 " * 40, reason="invalid UTF-8"),
    Case("utf8_bad_byte.txt", utf8_with_bad_byte(A_TEXT), reason="invalid UTF-8"),
    Case("cp1258.txt", cp1258(A_TEXT), same_as="a"),
    Case("nfd.txt", unicodedata.normalize("NFD", A_TEXT).encode("utf-8"), same_as="a"),
    Case("mojibake.txt", mojibake(A_TEXT).encode("utf-8"), same_as="a"),
    Case("mojibake_body.txt", (A_TEXT.split("\n", 1)[0] + "\n" + mojibake(A_TEXT.split("\n", 1)[1])).encode("utf-8"),
         same_as="a"),  # a clean lead line (as scrapers often give) over a double-encoded body
    Case("page.html", html_page(B_TEXT).encode("utf-8"), same_as="b", ignore_sha=True),
    Case("zero_width.txt", zero_width(A_TEXT).encode("utf-8"), same_as="a"),
    Case("lookalike.txt", lookalikes(A_TEXT).encode("utf-8"), same_as="a"),
]
JSONL_LINES = [  # (line, same_as, reason): one JSON Lines file of four records
    (json.dumps({"id": "jsonl_b", "title": None, "text": B_TEXT}, ensure_ascii=False), "b", None),
    ('{"id": "jsonl_broken", "text": "Chủ tịch', None, "broken JSON"),
    (json.dumps({"id": "jsonl_notext", "title": "Không có nội dung"}, ensure_ascii=False), None, "missing text"),
    # a URL that is no IRI once encoded (it used to fail the whole store load)
    (json.dumps({"id": "jsonl_badurl", "url": "http://[::1/tin", "text": B_TEXT}, ensure_ascii=False), None,
     "invalid url"),
]
REPAIRED = [c for c in CASES if c.same_as]
REJECTED = [c for c in CASES if c.reason]


def cases(table: list[Case]) -> list:
    return [pytest.param(c, id=c.name) for c in table]


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for case in CASES:
        (folder / case.name).write_bytes(case.data)
    (folder / "records.jsonl").write_text("\n".join(line for line, _s, _r in JSONL_LINES) + "\n", encoding="utf-8")
    return folder


def graph_lines(store: ox.Store, doc: str, ignore_sha: bool = False) -> list[str]:
    """An article graph as sorted N-Triples with the doc id written as DOC (to compare two articles)."""
    key = iris.doc_key(doc)
    graph = ox.NamedNode(f"{st.ARTICLE_PREFIX}{key}")
    lines = []
    for q in store.quads_for_pattern(None, None, None, graph):
        line = f"{q.subject} {q.predicate} {q.object} ."
        line = line.replace(f"/{key}/", "/DOC/").replace(f"/{key}>", "/DOC>").replace(f'"{doc}"', '"DOC"')
        if not (ignore_sha and TEXT_SHA in line):
            lines.append(line)
    return sorted(lines)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """The mixed folder built in process: (src, out, exit code, stdout, stderr)."""
    root = tmp_path_factory.mktemp("bad")
    src = write_corpus(root / "src")
    out = root / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["build", str(src), "--out", str(out), "--quiet", "--no-validate"])
    return src, out, code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def mixed_store(mixed):
    return st.open_read_only(mixed[1] / "store")


def rejected_log(out: Path) -> dict[str, str]:
    rows = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(set(r) == {"source", "reason"} for r in rows)
    return {r["source"]: r["reason"] for r in rows}


def test_exit_1_and_no_traceback(mixed):
    _src, _out, code, stdout, stderr = mixed
    assert code == 1, stdout
    assert "Traceback" not in stderr + stdout
    built = len(REPAIRED) + sum(1 for _l, same, _r in JSONL_LINES if same)
    rejected = len(REJECTED) + sum(1 for _l, _s, reason in JSONL_LINES if reason)
    assert f"articles: {built} built, {rejected} rejected" in stdout


@pytest.mark.parametrize("case", cases(REJECTED))
def test_rejected_by_name_and_reason(mixed, mixed_store, case):
    src, out, _code, stdout, _err = mixed
    source = str(src / case.name)
    assert rejected_log(out)[source].startswith(case.reason)
    assert f"rejected {source}: {case.reason}" in stdout
    graphs = {g.value for g in mixed_store.named_graphs()}
    assert str(iris.article_graph_iri(case.doc)) not in graphs


@pytest.mark.parametrize(("number", "reason"), [(n, r) for n, (_l, s, r) in enumerate(JSONL_LINES, 1) if r])
def test_bad_json_line_rejected_by_line(mixed, mixed_store, number, reason):
    src, out, _code, stdout, _err = mixed
    source = f"{src / 'records.jsonl'}:{number}"
    assert rejected_log(out)[source].startswith(reason)
    assert f"rejected {source}: {reason}" in stdout


def test_only_good_and_repaired_articles_have_graphs(mixed, mixed_store):
    expected = {str(iris.article_graph_iri(c.doc)) for c in REPAIRED} | {str(iris.article_graph_iri("jsonl_b"))}
    graphs = {g.value for g in mixed_store.named_graphs() if st.is_article_graph(g)}
    assert graphs == expected


@pytest.mark.parametrize("case", cases(REPAIRED))
def test_repaired_input_gives_the_clean_article_graph(mixed_store, case):
    clean = {"a": "good_a", "b": "good_b"}[case.same_as]
    got = graph_lines(mixed_store, case.doc, case.ignore_sha)
    want = graph_lines(mixed_store, clean, case.ignore_sha)
    assert any("oa#exact" in line for line in want)  # the clean article has facts with evidence
    assert got == want


def test_jsonl_record_gives_the_clean_article_graph(mixed_store):
    assert graph_lines(mixed_store, "jsonl_b") == graph_lines(mixed_store, "good_b")


def test_html_script_and_style_say_nothing(mixed_store):
    text = " ".join(f"{q.object}" for q in mixed_store.quads_for_pattern(
        None, None, None, ox.NamedNode(str(iris.article_graph_iri("page")))))
    for planted in ("Mãđộc", "Giả", "Kịchbản", "document.write", "&nbsp;", "&amp;", "<p>"):
        assert planted not in text


def test_subprocess_build_agrees(mixed, tmp_path):
    """`dtkg build` as a user runs it: exit 1, the same rejection log, no traceback."""
    src, out, _code, _stdout, _err = mixed
    out2 = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "dtkg.cli", "build", str(src), "--out", str(out2), "--quiet",
                          "--no-validate"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert (out2 / "rejected.jsonl").read_bytes() == (out / "rejected.jsonl").read_bytes()
    assert (out2 / "dtkg.nt").read_bytes() == (out / "dtkg.nt").read_bytes()


# ---------------------------------------------------------------- one article, many spellings

def article_graph(text: str) -> list[str]:
    """The N-Triples of an article graph for `text` (doc id fixed)."""
    document = prepare(Article(id="variant", text=text))
    return sorted(emit.article_graph(document, extract_all(document)))


_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def spelling_folded(lines: list[str]) -> list[str]:
    """Literals with one tone placement, and no text hash (the text keeps its source spelling)."""
    return sorted(_LITERAL.sub(lambda m: '"' + canonical_tones(m.group(1)) + '"', line)
                  for line in lines if TEXT_SHA not in line)


VARIANTS = [  # name, make variant, whether the text itself may differ in spelling
    ("nfd", lambda t: unicodedata.normalize("NFD", t), False),
    ("nfd-of-old-tones", lambda t: unicodedata.normalize("NFD", other_tones(t)), True),
    ("old-tones-hoà-uỷ", other_tones, True),
    ("mixed-tones", lambda t: other_tones(t[:t.index("\n", len(t) // 2)]) + t[t.index("\n", len(t) // 2):], True),
    ("eth-for-đ", lookalikes, False),
    ("zero-width", zero_width, False),
    ("nbsp-and-thin-spaces", lambda t: t.replace(" ", "\u00a0", 40).replace(", ", ",\u2009"), False),
]


@pytest.mark.parametrize("sample", SAMPLE, ids=[p.stem[:3] for p in SAMPLE])
@pytest.mark.parametrize(("name", "make", "respelt"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_same_facts_and_iris_whatever_the_spelling(sample, name, make, respelt):
    text = sample.read_text(encoding="utf-8")
    variant = make(text)
    assert variant != text
    base, got = article_graph(text), article_graph(variant)
    iri_only = lambda lines: [line for line in lines if '"' not in line]  # noqa: E731
    assert iri_only(got) == iri_only(base)  # same facts, same IRIs, same evidence offsets
    if respelt:
        assert spelling_folded(got) == spelling_folded(base)
    else:
        assert got == base


def test_the_tone_variants_really_respell_names():
    """Control: the old-placement text spells the names differently (so the test above compares something)."""
    text = SAMPLE[0].read_text(encoding="utf-8")
    assert "Ủy ban" in text and "Uỷ ban" in other_tones(text)
