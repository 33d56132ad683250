"""Corpus readers: good articles are read in a fixed order, each bad input is rejected with its reason."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from dtkg import corpus
from dtkg.corpus import Rejection
from dtkg.model import Article
from vietnamese_bytes import cp1258

VI = "Chủ tịch Ủy ban nhân dân tỉnh Lai Châu Lê Văn Lương chủ trì hội nghị chuyển đổi số."


BAD_FILES = [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\t\n", "empty file"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
    ("latin1.txt", "Le conseil a décidé à Paris, très bien.".encode("latin-1"), "invalid UTF-8"),
    ("controls.md", b"abc" + b"\x01\x02\x03\x04" * 50, "binary file"),
    ("broken.txt", b"Tin t\xe1\xbb\xa9c \xff\xfe\xc3\x28 " * 40, "invalid UTF-8"),  # not cp1258 mojibake
    ("bad-byte.txt", VI.encode("utf-8")[:20] + b"\xff" + VI.encode("utf-8")[20:], "invalid UTF-8"),
]


@pytest.mark.parametrize("name,data,reason", BAD_FILES)
def test_bad_file_rejected_with_reason(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text(VI, encoding="utf-8")
    items = list(corpus.read([tmp_path]))
    rejected = [i for i in items if isinstance(i, Rejection)]
    assert [a.id for a in items if isinstance(a, Article)] == ["good"]
    assert len(rejected) == 1 and rejected[0].source.endswith(name)
    assert rejected[0].reason.startswith(reason)


def test_oversized_file_rejected_without_reading_it(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(corpus.MAX_BYTES + 1)
    [item] = corpus.read([big])
    assert isinstance(item, Rejection) and item.reason.startswith("file too large")


@pytest.mark.parametrize("data,expected", [
    (VI.encode("utf-8"), VI),
    (b"\xef\xbb\xbf" + VI.encode("utf-8"), VI),  # BOM
    (VI.encode("utf-16"), VI),
    (cp1258(VI), VI),  # Windows-1258: decoded and composed to NFC
    (VI.encode("utf-8").decode("cp1252", errors="ignore").replace("»", "", 1).encode("utf-8"), None),  # damaged: kept
    ("".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
             for b in VI.encode("utf-8")).encode("utf-8"), VI),  # double-encoded UTF-8: repaired
    (("Tiêu đề\n" + VI.encode("utf-8").decode("cp1252")).encode("utf-8"), "Tiêu đề\n" + VI),  # only the body
])
def test_decodings(data, expected):
    text, reason = corpus.decode(data)
    assert reason == "" and text == (expected or data.decode("utf-8"))


def test_cp1258_helper_really_uses_combining_tones():
    assert cp1258("ệ") != "ệ".encode("utf-8") and len(cp1258("ệ")) == 2


def test_folder_order_and_suffixes(tmp_path):
    for name in ("b.txt", "a.html", "sub/c.md", "notes.csv", ".hidden.txt"):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(VI, encoding="utf-8")
    ids = [i.id for i in corpus.read([tmp_path])]
    assert ids == ["a", "b", "c"]


@pytest.mark.parametrize("name,text,title", [
    ("t.txt", "Bắc Giang: Họp Ban Chỉ đạo\n\nThứ năm, 27/01/2022 21:13\n\n" + VI, "Bắc Giang: Họp Ban Chỉ đạo"),
    ("t.txt", "Thứ sáu, 19/04/2024 | 10:41\n\nTiêu đề bài báo\n\n" + VI, "Tiêu đề bài báo"),
    ("t.txt", VI + "\n" + VI, None),  # first line is a sentence
    ("t.txt", "Chỉ một dòng", None),  # nothing follows
    ("t.md", "# Tiêu đề\n\n" + VI, "Tiêu đề"),
    ("t.html", "<html><head><title>Tin &amp; bài</title></head><body>" + VI + "</body></html>", "Tin & bài"),
])
def test_titles(tmp_path, name, text, title):
    (tmp_path / name).write_text(text, encoding="utf-8")
    [article] = corpus.read([tmp_path / name])
    assert article.title == title
    assert article.text == text  # raw text kept; clean-up is dtkg.text's job


GOOD = {"id": "a1", "url": "https://example.vn/a", "title": "T", "date": "2024-04-19", "text": VI}
BAD_LINES = [
    ("{broken", "broken JSON"),
    ("[1, 2]", "JSON line is not an object"),
    (json.dumps({**GOOD, "id": ""}), "missing id"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "id"}), "missing id"),
    (json.dumps({**GOOD, "text": "  "}), "missing text"),
    (json.dumps({**GOOD, "text": None}), "missing text"),
    (json.dumps({**GOOD, "date": "19/04/2024"}), "invalid date"),
    (json.dumps({**GOOD, "date": "2024-02-30"}), "invalid date"),
    (json.dumps({**GOOD, "url": 5}), "url is not a string"),
    ('{"id": "x", "text": "ab\\ud800cd"}', "invalid Unicode"),
]


@pytest.mark.parametrize("line,reason", BAD_LINES)
def test_bad_json_line_rejected_others_read(tmp_path, line, reason):
    path = tmp_path / "c.jsonl"
    good2 = {**GOOD, "id": "a2", "date": None}
    path.write_text("\n".join([json.dumps(GOOD), line, "", json.dumps(good2)]) + "\n", encoding="utf-8")
    items = list(corpus.read([path]))
    assert [i.id for i in items if isinstance(i, Article)] == ["a1", "a2"]
    [rejected] = [i for i in items if isinstance(i, Rejection)]
    assert rejected.source == f"{path}:2" and rejected.reason.startswith(reason)


def test_jsonl_fields(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({**GOOD, "id": 7, "date": "2024-04-19T10:41:00+07:00"}) + "\n", encoding="utf-8")
    [article] = corpus.read([path])
    assert (article.id, article.url, article.title, article.date) == ("7", GOOD["url"], "T", dt.date(2024, 4, 19))


def test_invalid_utf8_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"id": "x", "text": "\xff\xfe abc"}\n' + json.dumps(GOOD).encode() + b"\n")
    items = list(corpus.read([path]))
    assert isinstance(items[0], Rejection) and items[0].reason.startswith("invalid UTF-8")
    assert items[1].id == "a1"


@pytest.mark.parametrize("source,reason", [("missing-folder", "no such file or folder"), ("x.pdf", "unsupported file type")])
def test_bad_sources(tmp_path, source, reason):
    if source.endswith(".pdf"):
        (tmp_path / source).write_bytes(b"%PDF-1.4")
    [item] = corpus.read([tmp_path / source])
    assert isinstance(item, Rejection) and item.reason.startswith(reason)


def test_no_source_reads_the_bundled_sample():
    items = list(corpus.read([]))
    assert len(items) == 5 and all(isinstance(i, Article) for i in items)
    assert [i.id for i in items] == sorted(i.id for i in items)
