"""Tables for text clean-up, folding, sentences and dates."""
from __future__ import annotations

import datetime as dt

import pytest

from dtkg.model import Article
from dtkg.text import prepare
from dtkg.text.dates import parse_absolute, resolve_day_month, year_hint
from dtkg.text.normalize import clean, fold
from dtkg.text.sentences import split


@pytest.mark.parametrize("raw, expected", [
    ("Khánh Hòa", "Khánh Hòa"),
    ("\u00d0à Nẵng", "Đà Nẵng"),                       # look-alike ETH
    ("Ninh\u00a0Bình", "Ninh Bình"),                   # no-break space
    ("Chuy\u200bển đổi số", "Chuyển đổi số"),          # zero-width space
    ("Chuyê\u0309n", "Chuyển"),                         # NFD → NFC
    ("<p>A &amp; B</p><script>x()</script><p>C</p>", "A & B\n\nC"),
    ("Bộ TT&amp;TT", "Bộ TT&TT"),
    ("a  \t b", "a b"),
])
def test_clean(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("a, b", [
    ("Khánh Hoà", "Khánh Hòa"), ("Tỉnh uỷ", "Tỉnh ủy"), ("Thuỷ", "Thủy"), ("khoẻ", "khỏe"),
    ("UBND", "ubnd"),
])
def test_fold_equates_spellings(a, b):
    assert fold(a) == fold(b)
    assert len(fold(a)) == len(a)


@pytest.mark.parametrize("word", ["quý", "hoàng", "toán", "thuyền"])
def test_fold_keeps_closed_syllables(word):
    assert fold(word) == word.lower()


@pytest.mark.parametrize("text, expected", [
    ("Nghị quyết ngày 11/6/2021 của Tỉnh ủy", dt.date(2021, 6, 11)),
    ("ngày 24-9-2021", dt.date(2021, 9, 24)),
    ("Thứ Sáu, ngày 23 tháng 08 năm 2019, 09:25", dt.date(2019, 8, 23)),
    ("không có ngày", None),
    ("31/2/2022", None),
])
def test_parse_absolute(text, expected):
    assert parse_absolute(text) == expected


@pytest.mark.parametrize("day, month, ref, expected", [
    (8, 8, dt.date(2022, 8, 8), dt.date(2022, 8, 8)),
    (30, 11, dt.date(2021, 11, 30), dt.date(2021, 11, 30)),
    (27, 12, dt.date(2022, 1, 3), dt.date(2021, 12, 27)),     # last year's December
    (24, 9, dt.date(2021, 11, 30), dt.date(2021, 9, 24)),
])
def test_resolve_day_month(day, month, ref, expected):
    assert resolve_day_month(day, month, ref) == expected


def test_year_hint_ignores_plan_horizons():
    assert year_hint("kết quả 6 tháng đầu năm 2022; giai đoạn 2021-2025, định hướng đến năm 2030") == 2022


@pytest.mark.parametrize("text, date", [
    ("Tiêu đề\n\nThứ năm, 27/01/2022 21:13\n\nNội dung ngày 11/6/2021.", dt.date(2022, 1, 27)),
    # a site header showing today's date comes before the article's own dateline
    ("Thứ sáu, 19/04/2024 | 10:41\n\nTiêu đề\n\n04/05/2022 - 10:53\nSáng 27/4, phiên họp.", dt.date(2022, 5, 4)),
    # a stale header date earlier than what the article reports is not the article's date
    ("Thứ Sáu, ngày 23 tháng 08 năm 2019\n\nTiêu đề\n\nA - 18:54, 30/11/2021\n\nNgày 24/9/2021, Thủ tướng ký.", dt.date(2021, 11, 30)),
    # no dateline: the day the lead reports, in the year the text speaks of
    ("Sáng 8/8, Ủy ban tổ chức phiên họp.\nKết quả 6 tháng đầu năm 2022; định hướng đến năm 2030.", dt.date(2022, 8, 8)),
    ("Ủy ban tổ chức phiên họp.", None),
])
def test_article_date(text, date):
    assert prepare(Article(id="x", text=text)).date == date


def test_furniture_states_nothing():
    text = "Câu một. Câu hai.\nTin liên quan\nÔng Nguyễn Văn A, Giám đốc Sở.\n1232 người online"
    sentences = [s.text for s in split(text)]
    assert sentences == ["Câu một.", "Câu hai."]


def test_sentence_offsets():
    text = clean("TP. Hồ Chí Minh đạt kết quả tốt. Ông A nói.\nDòng hai!")
    for s in split(text):
        assert text[s.start:s.end] == s.text
    assert [s.text for s in split(text)][0] == "TP. Hồ Chí Minh đạt kết quả tốt."


@pytest.mark.parametrize("text", [
    "Khánh Hoà", "Tỉnh uỷ Thanh Hoá", "quý I, quỳ", "Quỷ", "hoàn thành", "oà", "xoè ra", "thuỵ", "HOÀ BÌNH",
    "Hoà\nuỷ ban", "a" * 130 + " hoà", "hoà" + "b" * 130, "İstanbul hoà",
])
def test_fold_matches_full_tone_rewrite(text):
    """The fast path of fold() gives what tones_first over the whole lower-cased text gives."""
    from dtkg.slug import tones_first

    low = text.lower() if len(text.lower()) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    assert fold(text) == tones_first(low)


@pytest.mark.parametrize("raw, expected", [
    ("a \t b\u00a0c", "a b c"),
    ("x\v\fy  z \n  w\t", "x y z\nw"),
    ("Ðà Nẵng\u200b", "Đà Nẵng"),
    ("Đà Nẵng", "Đà Nẵng"),
])
def test_clean_spacing_and_lookalikes(raw, expected):
    assert clean(raw) == expected
