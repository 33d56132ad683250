"""Tables for the grammar of names, title chains, organisations, meetings and headed-by-post.

The sentences are written for these tests (invented people, real bodies); each row says
which facts a sentence must give.
"""
from __future__ import annotations

import pytest

from dtkg.extract import extract_all
from dtkg.extract.debug import rows
from dtkg.model import Article
from dtkg.text import prepare


def table(text: str, ftype: str, date=None) -> set[tuple]:
    doc = prepare(Article(id="t", text=text, date=date))
    out = set()
    for fact in extract_all(doc):
        for t, row in rows(fact):
            if t == ftype:
                out.add(tuple(row.values()))
    return out


@pytest.mark.parametrize("text, expected", [
    # name, then a chain of titles with the place completed from context
    ("Tại tỉnh Ninh Bình, đồng chí Trần Văn An, Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo chuyển đổi số tỉnh phát biểu.",
     {("Trần Văn An", "Phó Bí thư", "Tỉnh ủy Ninh Bình"),
      ("Trần Văn An", "Chủ tịch", "Ủy ban nhân dân tỉnh Ninh Bình"),
      ("Trần Văn An", "Trưởng ban", "Ban Chỉ đạo chuyển đổi số tỉnh Ninh Bình")}),
    # titles, then the name; a ministry from the gazetteer, abbreviation expanded
    ("Bộ trưởng Bộ TT&TT Lê Văn Bình cho biết kết quả.", {("Lê Văn Bình", "Bộ trưởng", "Bộ Thông tin và Truyền thông")}),
    # a dash between the name and its titles; "Phó trưởng BCĐ" is Phó Trưởng ban
    ("Tỉnh Bắc Giang họp. Đồng chí Hoàng Minh - Phó Chủ tịch Thường trực UBND tỉnh, Phó trưởng BCĐ tỉnh chủ trì hội nghị.",
     {("Hoàng Minh", "Phó Chủ tịch Thường trực", "Ủy ban nhân dân tỉnh Bắc Giang"),
      ("Hoàng Minh", "Phó Trưởng ban", "Ban Chỉ đạo chuyển đổi số tỉnh Bắc Giang")}),
    # a post whose body goes without saying
    ("Cùng dự có Phó Thủ tướng Đỗ Văn Cường.", {("Đỗ Văn Cường", "Phó Thủ tướng", "Chính phủ")}),
    # a title written with its body
    ("Ông Phạm Văn Dũng, Ủy viên Bộ Chính trị, phát biểu.", {("Phạm Văn Dũng", "Ủy viên", "Bộ Chính trị")}),
    # titles then a list of names after a colon
    ("Tham dự có các Phó Thủ tướng: Nguyễn Văn Em, Lê Thị Gấm.",
     {("Nguyễn Văn Em", "Phó Thủ tướng", "Chính phủ"), ("Lê Thị Gấm", "Phó Thủ tướng", "Chính phủ")}),
    # "X và Y là 2 Phó Trưởng ban": the title goes to both
    ("Ban Chỉ đạo chuyển đổi số tỉnh Thái Nguyên được kiện toàn. Giám đốc Sở TT&TT Vũ Văn Hải và Phó Giám đốc Sở TT&TT Đào Văn Khoa là 2 Phó Trưởng ban.",
     {("Vũ Văn Hải", "Giám đốc", "Sở Thông tin và Truyền thông tỉnh Thái Nguyên"),
      ("Đào Văn Khoa", "Phó Giám đốc", "Sở Thông tin và Truyền thông tỉnh Thái Nguyên"),
      ("Vũ Văn Hải", "Phó Trưởng ban", "Ban Chỉ đạo chuyển đổi số tỉnh Thái Nguyên"),
      ("Đào Văn Khoa", "Phó Trưởng ban", "Ban Chỉ đạo chuyển đổi số tỉnh Thái Nguyên")}),
    # a place is not a name, though "Ninh" is a family name
    ("Dự tại điểm cầu tỉnh Ninh Bình có các thành viên.", set()),
    # no person: no post
    ("Chủ tịch UBND tỉnh chỉ đạo các sở.", set()),
    # a minister with no ministry named: the ministry the article is about
    ("Bộ Tài chính tổ chức hội nghị. Bộ trưởng Trần Văn Lợi ký quyết định.", {("Trần Văn Lợi", "Bộ trưởng", "Bộ Tài chính")}),
])
def test_posts(text, expected):
    assert table(text, "post") == expected


@pytest.mark.parametrize("text, expected", [
    ("Ông Nguyễn Văn Hòa, Chủ tịch UBND tỉnh Lào Cai, Phó Chủ tịch HĐND tỉnh phát biểu.",
     {("Nguyễn Văn Hòa", "Ủy ban nhân dân tỉnh Lào Cai")}),
    # deputies and members do not head
    ("Thứ trưởng Bộ Công an Lê Văn Tám dự họp.", set()),
])
def test_heads(text, expected):
    assert table(text, "heads") == expected


@pytest.mark.parametrize("text, expected", [
    ("Ban Chỉ đạo chuyển đổi số tỉnh Lai Châu được kiện toàn do Chủ tịch Ủy ban nhân dân tỉnh là Trưởng ban.",
     {("Ban Chỉ đạo chuyển đổi số tỉnh Lai Châu", "Chủ tịch Ủy ban nhân dân tỉnh Lai Châu")}),
    ("Có 2 địa phương do Bí thư trực tiếp làm Trưởng ban chỉ đạo là Hà Giang, Lào Cai.",
     {("Ban Chỉ đạo chuyển đổi số tỉnh Hà Giang", "Bí thư Tỉnh ủy Hà Giang"),
      ("Ban Chỉ đạo chuyển đổi số tỉnh Lào Cai", "Bí thư Tỉnh ủy Lào Cai")}),
    # the post's ministry completed from the article
    ("Bộ Tài chính kiện toàn Ban Chỉ đạo chuyển đổi số của Bộ Tài chính do Bộ trưởng làm Trưởng ban.",
     {("Ban Chỉ đạo chuyển đổi số của Bộ Tài chính", "Bộ trưởng Bộ Tài chính")}),
    # a person named: a post, not headed_by_post
    ("Ban Chỉ đạo tỉnh Lai Châu do ông Lò Văn Mạnh, Chủ tịch UBND tỉnh làm Trưởng ban.", set()),
])
def test_headed_by_post(text, expected):
    assert table(text, "headed_by_post") == expected


def test_meeting_and_chair_with_relative_date():
    import datetime as dt
    text = ("Chiều 30-11, Thủ tướng Chính phủ Nguyễn Văn Phong, Chủ tịch Ủy ban Quốc gia về chuyển đổi số "
            "chủ trì phiên họp thứ hai của Ủy ban Quốc gia về chuyển đổi số.")
    meetings = table(text, "meeting", date=dt.date(2023, 12, 1))
    assert {(m[1], m[2], m[3]) for m in meetings} == {("Ủy ban Quốc gia về chuyển đổi số", "2023-11-30", "2")}
    presides = table(text, "presides", date=dt.date(2023, 12, 1))
    assert {(p[0], p[2]) for p in presides} == {("Nguyễn Văn Phong", "2023-11-30")}


def test_attending_is_not_chairing():
    text = "Sáng 8/8, Ủy ban Quốc gia về chuyển đổi số tổ chức phiên họp thứ ba. Dự phiên họp có ông Trần Văn Sáu, Chủ tịch UBND tỉnh Hà Nam."
    assert table(text, "presides") == set()
