"""Numbered documents: sentences written for these tests -> (number, kind, date, issuer)."""
from __future__ import annotations

import datetime as dt

import pytest

from dtkg.extract import documents
from dtkg.extract.context import Context
from dtkg.model import Article
from dtkg.text import prepare


def read(text: str, date: dt.date | None = dt.date(2023, 5, 10)) -> set[tuple]:
    doc = prepare(Article(id="t", text=text, date=date))
    out = set()
    for f in documents.extract(Context(doc)):
        a = f.args
        out.add((a["number"], a["kind"], a["date"] and a["date"].isoformat(), a["issuer"] and a["issuer"].name))
        assert a["document"].kind == "document"
        assert doc.text[f.evidence.start:f.evidence.end] == f.evidence.quote
    return out


CASES = [
    ("Thủ tướng vừa ký Quyết định số 942/QĐ-TTg phê duyệt chiến lược.",
     {("942/QĐ-TTg", "Quyết định", None, "Thủ tướng Chính phủ")}),
    ("Căn cứ Nghị định 73/2019/NĐ-CP ngày 05/9/2019 của Chính phủ.",
     {("73/2019/NĐ-CP", "Nghị định", "2019-09-05", "Chính phủ")}),
    ("Thực hiện Thông tư số 12/2022/TT-BTTTT ngày 12 tháng 8 năm 2022 về an toàn hệ thống.",
     {("12/2022/TT-BTTTT", "Thông tư", "2022-08-12", "Bộ Thông tin và Truyền thông")}),
    # the province's People's Committee from context; date without a year resolved to the article
    ("Tỉnh Hậu Giang triển khai Kế hoạch số 120/KH-UBND ngày 3/4 về chuyển đổi số.",
     {("120/KH-UBND", "Kế hoạch", "2023-04-03", "Ủy ban nhân dân tỉnh Hậu Giang")}),
    # party document of a province
    ("Tỉnh ủy Yên Bái đã ban hành Nghị quyết số 05-NQ/TU ngày 20/4/2021 về chuyển đổi số tỉnh Yên Bái.",
     {("05-NQ/TU", "Nghị quyết", "2021-04-20", "Tỉnh ủy Yên Bái")}),
    # bare numbers: with "số", and after a capitalised kind
    ("Nghị quyết số 52 ngày 27/9/2019 của Bộ Chính trị được quán triệt.",
     {("52", "Nghị quyết", "2019-09-27", "Bộ Chính trị")}),
    ("Thực hiện Nghị quyết 02 về chuyển đổi số, tỉnh đã đạt nhiều kết quả.",
     {("02", "Nghị quyết", None, None)}),
    # a date opening the sentence, before a verb of signing
    ("Ngày 12/3/2022, Chủ tịch UBND tỉnh đã ký Quyết định số 415 về việc thành lập Ban Chỉ đạo.",
     {("415", "Quyết định", "2022-03-12", None)}),
    # a title between the kind and the number; a kind written before the kind code's own label
    ("Luật Giao dịch điện tử số 20/2023/QH15 có hiệu lực từ năm 2024.",
     {("20/2023/QH15", "Luật", None, "Quốc hội")}),
    ("Nghị quyết về chuyển đổi số số 05-NQ/TU của Tỉnh ủy Yên Bái đã được ban hành.",
     {("05-NQ/TU", "Nghị quyết", None, "Tỉnh ủy Yên Bái")}),
    ("Thông báo kết luận số 12-TB/TU ngày 10/3/2023 của Tỉnh ủy Yên Bái.",
     {("12-TB/TU", "Thông báo", "2023-03-10", "Tỉnh ủy Yên Bái")}),
    # the issuer of an official letter is the body code before the unit code
    ("Công văn số 1552/BTTTT-THH ngày 26/4/2022 hướng dẫn kỹ thuật.",
     {("1552/BTTTT-THH", "Công văn", "2022-04-26", "Bộ Thông tin và Truyền thông")}),
    # quantities, years and programme names are not documents
    ("Tỉnh thực hiện Chương trình 135 về giảm nghèo.", set()),
    ("Sở triển khai Kế hoạch 100 ngày đêm cao điểm.", set()),
    ("Tỉnh xây dựng kế hoạch 5 năm và Kế hoạch 2023 về chuyển đổi số.", set()),
    ("Tỉnh đẩy mạnh triển khai Đề án 06 của Chính phủ.", set()),
    ("Không có văn bản nào được nêu trong câu này.", set()),
    # one document named twice is one fact, with the details of both mentions
    ("Nghị quyết số 09-NQ/TU về chuyển đổi số tỉnh Quảng Trị. Sơ kết Nghị quyết số 09-NQ/TU, ngày 05/8/2022.",
     {("09-NQ/TU", "Nghị quyết", "2022-08-05", "Tỉnh ủy Quảng Trị")}),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_sentences(text, expected):
    assert read(text) == expected


def test_header_of_a_decision():
    text = "ỦY BAN NHÂN DÂN TỈNH SƠN LA\nSố: 210/QĐ-UBND\nSơn La, ngày 14 tháng 2 năm 2022\nQUYẾT ĐỊNH"
    got = read(text)
    assert ("210/QĐ-UBND", "Quyết định", "2022-02-14") in {g[:3] for g in got}


def test_a_typo_in_one_mention_is_outvoted():
    text = ("Sơ kết Nghị quyết số 11-NQ/TW, ngày 05/8/2022 của Tỉnh ủy. "
            "Thực hiện Nghị quyết số 11-NQ/TU, ngày 05/8/2022. Kết quả Nghị quyết số 11-NQ/TU, ngày 05/8/2022.")
    assert {g[0] for g in read(text)} == {"11-NQ/TU"}
