"""Links and operators: sentences written for these tests -> facts."""
from __future__ import annotations

import datetime as dt

import pytest

from dtkg.extract import links
from dtkg.extract.context import Context
from dtkg.model import Article
from dtkg.text import prepare

DC = "Cơ sở dữ liệu quốc gia về dân cư"
NDXP = "Nền tảng tích hợp, chia sẻ dữ liệu quốc gia"
DVC = "Cổng Dịch vụ công quốc gia"


def read(text: str, kind: str = "links") -> set[tuple]:
    doc = prepare(Article(id="t", text=text, date=dt.date(2023, 5, 10)))
    out = set()
    for f in links.extract(Context(doc)):
        assert doc.text[f.evidence.start:f.evidence.end] == f.evidence.quote
        if f.type == kind == "links":
            out.add((f.args["subject"].name, f.args["object"].name, f.args["status"]))
        elif f.type == kind == "operates":
            out.add((f.args["org"].name, f.args["system"].name))
    return out


LINKS = [
    # done: "đã", "hoàn thành", past results
    ("Tỉnh Bình Phước đã kết nối thành công với Cơ sở dữ liệu quốc gia về dân cư.", {("Bình Phước", DC, "done")}),
    ("Bộ Y tế đã hoàn thành tích hợp, chia sẻ dữ liệu với CSDLQG về dân cư.", {("Bộ Y tế", DC, "done")}),
    ("Năm 2022, Bộ Tư pháp chính thức kết nối Cơ sở dữ liệu hộ tịch điện tử toàn quốc với CSDL quốc gia về dân cư.",
     {("Bộ Tư pháp", DC, "done")}),
    # planned: "sẽ", "cần", "phấn đấu", "yêu cầu"
    ("Trong năm 2024, tỉnh Hòa Bình sẽ kết nối với Nền tảng NDXP.", {("Hòa Bình", NDXP, "planned")}),
    ("Tỉnh Phú Thọ phấn đấu hoàn thành đồng bộ dữ liệu với Cổng Dịch vụ công quốc gia.", {("Phú Thọ", DVC, "planned")}),
    # the province of the article in context: "của tỉnh", "Tại X"
    ("Tỉnh Sơn La đẩy mạnh chuyển đổi số. Đến nay đã kết nối hệ thống thông tin của tỉnh với CSDL quốc gia về dân cư.",
     {("Sơn La", DC, "done")}),
    ("Tại Kiên Giang, ngành y tế đã hoàn thành kết nối qua nền tảng NDXP.", {("Kiên Giang", NDXP, "done")}),
    ("Chuyển đổi số đã và đang góp phần tích cực; kết nối hệ thống thông tin của tỉnh Bạc Liêu với "
     "Cơ sở dữ liệu quốc gia về dân cư.", {("Bạc Liêu", DC, "done")}),
    # an owner the grammar does not read; "Bộ Ngoại giao" is no cue of a task ("giao")
    ("Bộ Y tế đã kết nối hệ thống của các bệnh viện với Cơ sở dữ liệu quốc gia về bảo hiểm.",
     {("Bộ Y tế", "Cơ sở dữ liệu quốc gia về bảo hiểm", "done")}),
    ("Bộ Ngoại giao đã kết nối hệ thống của bộ với CSDL quốc gia về dân cư.", {("Bộ Ngoại giao", DC, "done")}),
    # ongoing work and expected completion are plans
    ("Tỉnh Tây Ninh đang khẩn trương kết nối với Cổng Dịch vụ công quốc gia, dự kiến hoàn thành trong quý IV.",
     {("Tây Ninh", DVC, "planned")}),
    # a system owned by a body: the body is the subject
    ("Hệ thống quản lý văn bản và điều hành của tỉnh Hà Nam đã liên thông với Trục liên thông văn bản quốc gia.",
     {("Hà Nam", "Trục liên thông văn bản quốc gia", "done")}),
    ("Cơ sở dữ liệu quốc gia về bảo hiểm của Bảo hiểm xã hội Việt Nam đã kết nối với CSDL quốc gia về dân cư.",
     {("Cơ sở dữ liệu quốc gia về bảo hiểm", DC, "done")}),
    # a system as the subject; "làm giàu … cho CSDL"
    ("Cơ sở dữ liệu hộ tịch điện tử đã làm giàu cho CSDL quốc gia về dân cư hàng triệu bản ghi.",
     {("Cơ sở dữ liệu hộ tịch điện tử toàn quốc", DC, "done")}),
    # "Bộ" alone is the ministry named before; a partner after "phối hợp với" is not the subject
    ("Về phía Bộ Tài chính, Bộ đã phối hợp với Bộ Công an kết nối với CSDL quốc gia về dân cư.",
     {("Bộ Tài chính", DC, "done")}),
    # a body named in full; "lên" and "qua" as prepositions; a system between the verb and "với"
    ("UBND tỉnh Quảng Nam đã tích hợp 100% dịch vụ công trực tuyến lên Cổng Dịch vụ công quốc gia.",
     {("Ủy ban nhân dân tỉnh Quảng Nam", DVC, "done")}),
    ("Mục tiêu đến năm 2025, tỉnh Lào Cai kết nối 100% hệ thống thông tin với nền tảng NDXP.",
     {("Lào Cai", NDXP, "planned")}),
    ("Thủ tướng yêu cầu Bộ Tài chính sớm kết nối Cơ sở dữ liệu quốc gia về bảo hiểm với CSDL quốc gia về dân cư.",
     {("Bộ Tài chính", DC, "planned")}),
    ("Theo Bộ Thông tin và Truyền thông, tỉnh Cà Mau đã kết nối với Trục liên thông văn bản quốc gia.",
     {("Cà Mau", "Trục liên thông văn bản quốc gia", "done")}),
    # no subject, a group as subject, or no national system as object: no fact
    ("CSDL quốc gia về dân cư kết nối với 11 bộ, ngành và 14 địa phương.", set()),
    ("Các bộ, ngành đã kết nối với Nền tảng NDXP.", set()),
    ("Cả 6 CSDL quốc gia đã kết nối qua nền tảng NDXP.", set()),
    ("Tỉnh Đồng Nai đã kết nối liên thông 4 cấp các hệ thống thông tin trọng yếu.", set()),
    ("Tỉnh Đồng Nai đã đồng bộ dữ liệu với cơ sở dữ liệu quốc gia.", set()),
    ("Hội nghị được kết nối trực tuyến với 63 tỉnh, thành phố.", set()),
    # a partner whose name the gazetteer does not know is still a partner; "chưa" denies
    ("Sở Y tế tỉnh Tây Ninh phối hợp với Bảo hiểm xã hội tỉnh kết nối dữ liệu khám chữa bệnh với "
     "Cơ sở dữ liệu quốc gia về bảo hiểm.", {("Sở Y tế tỉnh Tây Ninh", "Cơ sở dữ liệu quốc gia về bảo hiểm", "done")}),
    ("Bộ Y tế chưa kết nối với Cơ sở dữ liệu quốc gia về dân cư.", set()),
    # "đồng bộ" meaning "in step"
    ("Tỉnh Gia Lai đã triển khai đồng bộ Cổng Dịch vụ công quốc gia đến cấp xã.", set()),
    # the speaker is not the one connecting; a counted group is the subject
    ("Tại hội nghị, Bộ Thông tin và Truyền thông cho biết, 100% tỉnh đã kết nối với Nền tảng NDXP.", set()),
    ("Bộ Y tế cho biết, Bộ đã kết nối với CSDL quốc gia về dân cư.", {("Bộ Y tế", DC, "done")}),
    # the one asking is not the one connecting
    ("Bộ Công an đề nghị các địa phương kết nối với CSDL quốc gia về dân cư.", set()),
]


@pytest.mark.parametrize("text,expected", LINKS)
def test_links(text, expected):
    assert read(text) == expected


OPERATES = [
    ("Bộ Công an đã phối hợp với các bộ, ngành triển khai cơ sở dữ liệu quốc gia về dân cư.",
     {("Bộ Công an", DC)}),
    ("Nền tảng NDXP do Bộ Thông tin và Truyền thông quản lý, vận hành.", {("Bộ Thông tin và Truyền thông", NDXP)}),
    ("Tỉnh đã kết nối với hệ thống giám sát, đo lường mức độ cung cấp dịch vụ số của Bộ Thông tin và Truyền thông.",
     {("Bộ Thông tin và Truyền thông", "Hệ thống giám sát, đo lường mức độ cung cấp dịch vụ số")}),
    ("Bộ Công an là cơ quan chủ quản Cơ sở dữ liệu quốc gia về dân cư.", {("Bộ Công an", DC)}),
    ("Bộ Tư pháp được giao xây dựng Cơ sở dữ liệu quốc gia về pháp luật.",
     {("Bộ Tư pháp", "Cơ sở dữ liệu quốc gia về văn bản quy phạm pháp luật")}),
    ("Văn phòng Chính phủ là đơn vị chủ quản của Hệ thống e-Cabinet, chịu trách nhiệm vận hành.",
     {("Văn phòng Chính phủ", "Hệ thống thông tin phục vụ họp và xử lý công việc của Chính phủ")}),
    ("Bộ Nội vụ đã hoàn thành Cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức.",
     {("Bộ Nội vụ", "Cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức")}),
    # a head word before a name the gazetteer knows is one system
    ("Nền tảng NDOP của Bộ Công an đã chính thức vận hành.", {("Bộ Công an", "Nền tảng chia sẻ, điều phối dữ liệu quốc gia")}),
    # a province deploying a national portal does not operate it
    ("Tỉnh Nam Định triển khai Cổng Dịch vụ công quốc gia đến cấp xã.", set()),
    # a ministry asking others to deploy does not operate
    ("Bộ Nội vụ yêu cầu các tỉnh triển khai Cơ sở dữ liệu quốc gia về dân cư.", set()),
]


@pytest.mark.parametrize("text,expected", OPERATES)
def test_operates(text, expected):
    assert read(text, "operates") == expected


def test_the_system_named_before_is_the_subject_of_bare_he_thong():
    text = ("Cơ sở dữ liệu hộ tịch điện tử đã làm giàu cho CSDL quốc gia về dân cư. "
            "Hiện hệ thống đã kết nối với Cổng Dịch vụ công quốc gia.")
    assert ("Cơ sở dữ liệu hộ tịch điện tử toàn quốc", DVC, "done") in read(text)


def test_tokens_failing_the_start_letters_start_no_thing():
    """The per-token gate of `_things` skips only tokens where `_thing_at` finds nothing."""
    text = ("Tỉnh Sơn La đã kết nối hệ thống thông tin của tỉnh với CSDL quốc gia về dân cư; "
            "Bộ Công an và các bộ, ngành triển khai Nền tảng NDXP tại tỉnh Hà Giang.")
    doc = prepare(Article(id="t", text=text, date=dt.date(2023, 5, 10)))
    ctx = Context(doc)
    letters = links._start_letters(ctx.lex)
    for sentence in doc.sentences:
        toks = ctx.tokens(sentence)
        for i, tok in enumerate(toks):
            if tok.cap or tok.low in links.ANAPHORA or letters.may_start(doc.folded, tok.start):
                continue
            assert links._thing_at(ctx, sentence, toks, i, links.Memory()) is None, tok
    starts = [t for s in doc.sentences for t in ctx.tokens(s) if letters.may_start(doc.folded, t.start)]
    assert {"hệ", "csdl"} <= {t.low for t in starts}  # system heads pass the gate
