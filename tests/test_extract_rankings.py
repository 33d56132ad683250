"""DTI rankings: sentences written for these tests -> (entity, year, rank, score)."""
from __future__ import annotations

import datetime as dt

import pytest

from dtkg.extract import rankings
from dtkg.extract.context import Context
from dtkg.model import Article
from dtkg.text import prepare


def read(text: str, date: dt.date | None = dt.date(2023, 5, 10)) -> set[tuple]:
    doc = prepare(Article(id="t", text=text, date=date))
    return {
        (f.args["entity"].name, f.args["year"], f.args["rank"], f.args["score"])
        for f in rankings.extract(Context(doc))
    }


CASES = [
    # rank with total, year in the clause
    ("Năm 2022, chỉ số DTI của tỉnh Hà Tĩnh xếp thứ 12/63 tỉnh, thành phố.",
     {("Hà Tĩnh", 2022, 12, None)}),
    ("Chỉ số chuyển đổi số (DTI) năm 2021 tỉnh Lào Cai xếp hạng thứ 30/63.",
     {("Lào Cai", 2021, 30, None)}),
    # "dẫn đầu" = rank 1, score with a decimal comma, comparison year and score ignored
    ("Kết quả DTI 2022: Bộ Tư pháp dẫn đầu khối bộ với giá trị 0,5812, tăng so với năm 2021 (0,4301).",
     {("Bộ Tư pháp", 2022, 1, 0.5812)}),
    # two ranks of one province in one sentence, each with its year
    ("Theo bảng xếp hạng DTI năm 2022, tỉnh Phú Yên từ vị trí thứ 40 năm 2021 đã vươn lên thứ 25.",
     {("Phú Yên", 2021, 40, None), ("Phú Yên", 2022, 25, None)}),
    # inverted: "Ở vị trí thứ N là X", ordinal words
    ("Bảng xếp hạng DTI năm 2022 đã được công bố. Tỉnh Bình Dương đứng đầu về chuyển đổi số. Ở vị trí thứ hai là Hải Phòng.",
     {("Bình Dương", 2022, 1, None), ("Hải Phòng", 2022, 2, None)}),
    ("Năm 2022, Đà Nẵng tiếp tục giữ vị trí số 1 về chỉ số DTI.", {("Đà Nẵng", 2022, 1, None)}),
    ("Bảng xếp hạng DTI năm 2022 cấp bộ: Bộ Tư pháp dẫn đầu các bộ có cung cấp dịch vụ công; "
     "Ngân hàng Nhà nước Việt Nam đứng thứ hai.",
     {("Bộ Tư pháp", 2022, 1, None), ("Ngân hàng Nhà nước Việt Nam", 2022, 2, None)}),
    # "tỉnh" alone is the province the article is about; "các tỉnh" is not
    ("Tỉnh Hà Nam đẩy mạnh chuyển đổi số. Năm 2022, chỉ số DTI của tỉnh đạt 0,4567 điểm, xếp thứ 30/63.",
     {("Hà Nam", 2022, 30, 0.4567)}),
    ("Tỉnh Hà Nam đẩy mạnh chuyển đổi số. Theo DTI 2022, các tỉnh xếp thứ 30/63.", set()),
    # a rank within a region is not the national rank
    ("Theo DTI năm 2022, Lâm Đồng dẫn đầu khu vực Tây Nguyên.", set()),
    ("Theo DTI năm 2022, Lâm Đồng xếp thứ 2 trong vùng Tây Nguyên.", set()),
    ("Theo DTI năm 2021, Bộ Tài chính là cơ quan dẫn đầu bảng xếp hạng ở khối cấp bộ.", {("Bộ Tài chính", 2021, 1, None)}),
    # "xếp hạng N" without a total
    ("Năm 2022, chỉ số DTI của Tây Ninh đạt 0,6550 điểm, xếp hạng 5 trên cả nước.", {("Tây Ninh", 2022, 5, 0.655)}),
    # "tăng 5 bậc" alone gives no rank
    ("Chỉ số DTI năm 2022 của tỉnh Gia Lai tăng 5 bậc so với năm trước.", set()),
    # pillar ranks are not DTI ranks
    ("Theo DTI năm 2022, tỉnh Cà Mau có chính quyền số xếp thứ 8/63.", set()),
    ("Theo DTI năm 2022, tỉnh Cà Mau đứng đầu về kinh tế số.", set()),
    # other indices are not DTI
    ("Năm 2022, chỉ số PAR Index của tỉnh Cà Mau xếp thứ 5/63; DTI vẫn được công bố.", set()),
    # a group is not an entity; a list after "dẫn đầu là" gives no single rank
    ("Theo DTI năm 2022, top 3 bộ dẫn đầu là Bộ Tư pháp, Bộ Y tế và Bộ Công an.", set()),
    # the agent of "được … đánh giá" is not ranked; "lần thứ hai" is not a rank
    ("Việc ký số được Bộ Nội vụ đánh giá đứng đầu cả nước, lần thứ hai liên tiếp.", set()),
    # a score told before the rank; a rank for an indicator ("về tỷ lệ …") is not the DTI rank
    ("Chỉ số DTI năm 2022 của tỉnh Bắc Ninh đạt 0,5123 điểm, xếp thứ 15/63 tỉnh, thành phố.",
     {("Bắc Ninh", 2022, 15, 0.5123)}),
    ("Tỉnh Hà Giang đứng thứ 2 cả nước về tỷ lệ hồ sơ trực tuyến trong đánh giá DTI năm 2022.", set()),
    ("Theo DTI năm 2021, thành phố Đà Nẵng tiếp tục dẫn đầu bảng xếp hạng ở cả 3 trụ cột.",
     {("Đà Nẵng", 2021, 1, None)}),
    # Việt Nam by its national score
    ("Ở cấp quốc gia, chỉ số DTI năm 2022 đạt 0,6608, tăng 10% so với năm 2021.",
     {("Việt Nam", 2022, None, 0.6608)}),
    # no year in the text: DTI is published the year after it measures
    ("Bộ Thông tin và Truyền thông công bố chỉ số DTI. Tỉnh Long An xếp thứ 9/63.",
     {("Long An", 2022, 9, None)}),
    # the same rank told twice is one fact; a conflicting one is outvoted
    ("DTI năm 2022: Đồng Tháp xếp thứ 6/63. Đồng Tháp năm 2022 ở vị trí thứ 7. Cuối cùng, Đồng Tháp xếp thứ 6/63 về DTI.",
     {("Đồng Tháp", 2022, 6, None)}),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_sentences(text, expected):
    assert read(text) == expected


def test_table_one_cell_per_line():
    text = "\n".join([
        "Bảng xếp hạng chỉ số DTI cấp tỉnh năm 2022",
        "STT", "Tỉnh", "DTI",
        "1", "Đà Nẵng", "0,6208",
        "2", "Quảng Ninh", "0,5890",
        "3", "Bình Dương", "0,5541",
    ])
    assert read(text) == {("Đà Nẵng", 2022, 1, 0.6208), ("Quảng Ninh", 2022, 2, 0.589), ("Bình Dương", 2022, 3, 0.5541)}


def test_table_rows_on_one_line():
    text = "\n".join([
        "Xếp hạng DTI năm 2021 của các tỉnh",
        "1 | Hà Nội | 0,5012",
        "2 | Thừa Thiên Huế | 0,4950",
        "3 | Cần Thơ | 0,4801",
    ])
    assert read(text) == {("Hà Nội", 2021, 1, 0.5012), ("Thừa Thiên Huế", 2021, 2, 0.495), ("Cần Thơ", 2021, 3, 0.4801)}


def test_pillar_table_is_skipped():
    text = "\n".join([
        "Xếp hạng DTI năm 2021: chỉ số chính quyền số",
        "1 | Hà Nội | 0,5012", "2 | Cần Thơ | 0,4950", "3 | Đà Nẵng | 0,4801",
    ])
    assert read(text) == set()


def test_no_dti_in_article_gives_nothing():
    assert read("Tỉnh Bắc Ninh xếp thứ 3/63 về chỉ số PCI năm 2022.") == set()
