"""Renamings: sentences written for these tests -> (old, new, date)."""
from __future__ import annotations

import datetime as dt

import pytest

from dtkg.extract import renames
from dtkg.extract.context import Context
from dtkg.model import Article
from dtkg.text import prepare


def read(text: str, date: dt.date | None = dt.date(2021, 12, 1)) -> set[tuple]:
    doc = prepare(Article(id="t", text=text, date=date))
    return {
        (f.args["old"].name, f.args["new"].name, f.args["date"] and f.args["date"].isoformat())
        for f in renames.extract(Context(doc))
    }


CASES = [
    ("Ngày 24-9, Thủ tướng đã ký quyết định kiện toàn và đổi tên Ủy ban Quốc gia về Chính phủ điện tử "
     "thành Ủy ban Quốc gia về chuyển đổi số.",
     {("Ủy ban Quốc gia về Chính phủ điện tử", "Ủy ban Quốc gia về chuyển đổi số", "2021-09-24")}),
    ("Quyết định số 12/QĐ-UBND ngày 5/10/2021 về việc đổi tên Ban Chỉ đạo xây dựng chính quyền điện tử tỉnh Kon Tum "
     "thành Ban Chỉ đạo chuyển đổi số tỉnh Kon Tum, do Chủ tịch UBND tỉnh làm Trưởng ban.",
     {("Ban Chỉ đạo xây dựng chính quyền điện tử tỉnh Kon Tum", "Ban Chỉ đạo chuyển đổi số tỉnh Kon Tum", "2021-10-05")}),
    # no date stated
    ("Tỉnh đã đổi tên Ban Chỉ đạo Chính quyền điện tử tỉnh Đắk Nông thành Ban Chỉ đạo chuyển đổi số tỉnh Đắk Nông.",
     {("Ban Chỉ đạo Chính quyền điện tử tỉnh Đắk Nông", "Ban Chỉ đạo chuyển đổi số tỉnh Đắk Nông", None)}),
    # "thành phố" inside a name is not the "thành" of the renaming
    ("UBND đã đổi tên Ban Chỉ đạo đô thị thông minh thành phố Cần Thơ thành Ban Chỉ đạo chuyển đổi số thành phố Cần Thơ.",
     {("Ban Chỉ đạo đô thị thông minh thành phố Cần Thơ", "Ban Chỉ đạo chuyển đổi số thành phố Cần Thơ", None)}),
    # passive: "A (đã) được (kiện toàn và) đổi tên thành B"
    ("Ủy ban Quốc gia về Chính phủ điện tử đã được đổi tên thành Ủy ban Quốc gia về chuyển đổi số.",
     {("Ủy ban Quốc gia về Chính phủ điện tử", "Ủy ban Quốc gia về chuyển đổi số", None)}),
    ("Ngày 5/10/2021, Ban Chỉ đạo xây dựng chính quyền điện tử tỉnh Kon Tum được kiện toàn và đổi tên thành "
     "Ban Chỉ đạo chuyển đổi số tỉnh Kon Tum.",
     {("Ban Chỉ đạo xây dựng chính quyền điện tử tỉnh Kon Tum", "Ban Chỉ đạo chuyển đổi số tỉnh Kon Tum", "2021-10-05")}),
    ("Người dân được đổi tên thành công trên hệ thống.", set()),
    # not a renaming of an organisation
    ("Người dân không cần đổi tên trên giấy tờ khi chuyển thành công dân số.", set()),
    ("Tỉnh kiện toàn Ban Chỉ đạo chuyển đổi số tỉnh Gia Lai.", set()),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_sentences(text, expected):
    assert read(text) == expected


def test_renaming_told_twice_is_one_fact():
    text = ("Thủ tướng đổi tên Ủy ban Quốc gia về Chính phủ điện tử thành Ủy ban Quốc gia về chuyển đổi số. "
            "Việc đổi tên Ủy ban Quốc gia về Chính phủ điện tử thành Ủy ban Quốc gia về chuyển đổi số là cần thiết.")
    assert len(read(text)) == 1
