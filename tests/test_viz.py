"""dtkg.viz: graphs from the store and from query rows, offline HTML, PNG/SVG, analytics, `dtkg viz`."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import matplotlib.image
import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Dataset

from dtkg.viz import analytics, attach_evidence, draw, from_graph, from_rows
from dtkg.viz.graph import add_edge, add_node
from dtkg.viz.html import page
from dtkg.viz.layout import layout, place_labels
from dtkg.viz.rows import guess_kind

FIXTURE = Path(__file__).parent / "fixtures" / "viz" / "sample.trig"
ID = "https://w3id.org/dtkg/id/"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    s.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return s


@pytest.fixture(scope="module")
def graph(store) -> nx.MultiDiGraph:
    return from_graph(store)


def by_label(g: nx.MultiDiGraph, label: str) -> str:
    (node,) = [n for n, d in g.nodes(data=True) if d["label"] == label]
    return node


@pytest.mark.parametrize("iri, kind, label", [
    ("person/pham-minh-chinh", "person", "Phạm Minh Chính"),
    ("org/uy-ban-nhan-dan-tinh-ninh-binh", "organisation", "Ủy ban nhân dân tỉnh Ninh Bình"),
    ("province/ninh-binh", "province", "Ninh Bình"),
    ("system/co-so-du-lieu-quoc-gia-ve-dan-cu", "system", "Cơ sở dữ liệu quốc gia về dân cư"),
    ("meeting/uy-ban-quoc-gia-ve-chuyen-doi-so/3", "meeting", "Phiên họp thứ ba của Ủy ban Quốc gia về chuyển đổi số"),
    ("index/dti", "ranking", "Chỉ số chuyển đổi số (DTI)"),
])
def test_node_kind_and_label(graph, iri, kind, label):
    attrs = graph.nodes[ID + iri]
    assert (attrs["kind"], attrs["label"], attrs["iri"]) == (kind, label, ID + iri)


def test_organisation_keeps_its_province(graph):
    attrs = graph.nodes[ID + "org/ban-chi-dao-chuyen-doi-so-tinh-ninh-binh"]
    assert (attrs["province"], attrs["province_name"]) == (ID + "province/ninh-binh", "Ninh Bình")


@pytest.mark.parametrize("source, target, kind, label, doc, quote_start, date", [
    ("Phạm Minh Chính", "Ủy ban Quốc gia về chuyển đổi số", "heads", "Chủ tịch", "a1-phien-hop-thu-ba",
     "Thủ tướng Chính phủ Phạm Minh Chính, Chủ tịch", "2022-08-08"),
    ("Phạm Quang Ngọc", "Tỉnh ủy Ninh Bình", "membership", "Phó Bí thư", "c3-ninh-binh", "Dự phiên họp tại điểm cầu tỉnh Ninh Bình", "2022-08-09"),
    ("Phạm Minh Chính", "Phiên họp lần thứ 2 của Ủy ban Quốc gia về chuyển đổi số", "chairs", "chủ trì", "b2-phien-hop-lan-2",
     "Phiên họp do Thủ tướng", "2022-04-27"),
    ("Phiên họp thứ ba của Ủy ban Quốc gia về chuyển đổi số", "Ủy ban Quốc gia về chuyển đổi số", "organiser", "tổ chức",
     "a1-phien-hop-thu-ba", "Sáng nay (08/8)", "2022-08-08"),
    ("Ninh Bình", "Cơ sở dữ liệu quốc gia về dân cư", "links", "kế hoạch", "b2-phien-hop-lan-2", "Tỉnh Ninh Bình sẽ kết nối", "2022-04-27"),
    ("Bộ Công an", "Cơ sở dữ liệu quốc gia về dân cư", "operates", "vận hành", "b2-phien-hop-lan-2", "Bộ Công an đã tích cực", "2022-04-27"),
    ("Đà Nẵng", "Chỉ số chuyển đổi số (DTI)", "ranking", "DTI 2021 · hạng 1 · 0.6419", "a1-phien-hop-thu-ba", "Thành phố Đà Nẵng", "2022-08-08"),
])
def test_edge_carries_evidence(graph, source, target, kind, label, doc, quote_start, date):
    edges = graph.get_edge_data(by_label(graph, source), by_label(graph, target)).values()
    (edge,) = [e for e in edges if e["doc"] == doc and e["kind"] == kind]
    assert edge["label"] == label
    assert edge["quote"].startswith(quote_start)
    assert (edge["date"], edge["url"]) == (date, f"https://example.org/tin/{doc}.html")
    assert edge["evidence"][0]["quote"] == edge["quote"]


def test_one_edge_per_article_that_states_a_fact(graph):
    edges = graph.get_edge_data(ID + "person/pham-minh-chinh", ID + "org/chinh-phu").values()
    assert sorted(e["doc"] for e in edges) == ["a1-phien-hop-thu-ba", "b2-phien-hop-lan-2"]


@pytest.mark.parametrize("kinds, expected", [
    ({"heads"}, {"heads"}),
    ({"membership"}, {"membership"}),
    ({"links", "operates"}, {"links", "operates"}),
    ({"ranking"}, {"ranking"}),
])
def test_kinds_select_edges(store, kinds, expected):
    assert {d["kind"] for _, _, d in from_graph(store, kinds=kinds).edges(data=True)} == expected


def test_unknown_kind_is_refused(store):
    with pytest.raises(ValueError, match="unknown edge kinds"):
        from_graph(store, kinds={"friendship"})


def test_rdflib_dataset_gives_the_same_graph(graph):
    ds = Dataset(default_union=True)
    ds.parse(FIXTURE, format="trig")
    other = from_graph(ds)
    assert sorted(other.edges(keys=True)) == sorted(graph.edges(keys=True))


@pytest.mark.parametrize("name, kind", [
    ("Ninh Bình", "province"), ("Thành phố Đà Nẵng", "province"), ("tỉnh Khánh Hòa", "province"),
    ("Cơ sở dữ liệu quốc gia về dân cư", "system"), ("Hệ thống thông tin giải quyết thủ tục hành chính", "system"),
    ("VNeID", "system"),
    ("Bộ Giáo dục và Đào tạo", "organisation"), ("Ủy ban nhân dân tỉnh Ninh Bình", "organisation"),
])
def test_guess_kind(name, kind):
    assert guess_kind(name) == kind


@pytest.mark.parametrize("query, rows, edge", [
    ("who-chairs-what", [{"person": "Phạm Minh Chính", "org": "Chính phủ", "doc": "a1"}],
     ("person:Phạm Minh Chính", "organisation:Chính phủ", "heads", "đứng đầu")),
    ("posts", [{"person": "Giàng A Tính", "role": "Phó Chủ tịch", "org": "Ủy ban nhân dân tỉnh Lai Châu", "doc": "a1"}],
     ("person:Giàng A Tính", "organisation:Ủy ban nhân dân tỉnh Lai Châu", "membership", "Phó Chủ tịch")),
    ("province-links-database", [{"subject": "Khánh Hòa", "object": "Cơ sở dữ liệu quốc gia về dân cư", "status": "done", "doc": "c3"}],
     ("province:Khánh Hòa", "system:Cơ sở dữ liệu quốc gia về dân cư", "links", "đã kết nối")),
    ("dti-ranking", [{"rank": "5", "entity": "Ninh Bình", "score": "", "doc": "c3"}],
     ("province:Ninh Bình", "ranking:DTI", "ranking", "DTI 2021 · hạng 5")),
    ("committee-meetings", [{"ordinal": "3", "date": "2022-08-08", "event": "Phiên họp thứ ba", "chair": "Phạm Minh Chính", "doc": "a1"}],
     ("person:Phạm Minh Chính", "meeting:Phiên họp thứ ba", "chairs", "chủ trì")),
    ("documents", [{"number": "983/QĐ-UBND", "kind": "Quyết định", "date": "2022-08-04", "issuer": "Ủy ban nhân dân tỉnh Lai Châu", "doc": "a1"}],
     ("document:983/QĐ-UBND", "organisation:Ủy ban nhân dân tỉnh Lai Châu", "issued", "ban hành")),
    ("person", [{"person": "Phạm Minh Chính", "relation": "post", "role": "Thủ tướng", "object": "Chính phủ", "date": "", "doc": "a1"}],
     ("person:Phạm Minh Chính", "organisation:Chính phủ", "membership", "Thủ tướng")),
    ("person", [{"person": "Phạm Minh Chính", "relation": "presides", "role": "", "object": "Phiên họp thứ ba", "date": "2022-08-08", "doc": "a1"}],
     ("person:Phạm Minh Chính", "meeting:Phiên họp thứ ba", "chairs", "chủ trì")),
    ("province", [{"province": "Ninh Bình", "relation": "head", "subject": "Phạm Quang Ngọc", "object": "Tỉnh ủy Ninh Bình",
                   "detail": "Bí thư", "date": "", "doc": "c3"}],
     ("person:Phạm Quang Ngọc", "organisation:Tỉnh ủy Ninh Bình", "heads", "Bí thư")),
    ("province", [{"province": "Ninh Bình", "relation": "organisation", "subject": "Tỉnh ủy Ninh Bình", "object": "",
                   "detail": "", "date": "", "doc": "c3"}],
     ("organisation:Tỉnh ủy Ninh Bình", "province:Ninh Bình", "in_province", "thuộc tỉnh")),
    ("province", [{"province": "Ninh Bình", "relation": "ranking", "subject": "Ninh Bình", "object": "DTI 2020",
                   "detail": "rank 8, score ?", "date": "", "doc": "c3"}],
     ("province:Ninh Bình", "ranking:DTI", "ranking", "DTI 2020 · rank 8, score ?")),
])
def test_from_rows(query, rows, edge):
    g = from_rows(query, rows, params={"year": "2021"} if query == "dti-ranking" else None)
    ((u, v, d),) = g.edges(data=True)
    assert (u, v, d["kind"], d["label"]) == edge
    assert d["doc"] == rows[0]["doc"]


def test_document_rows_are_labelled_with_their_kind():
    g = from_rows("documents", [{"number": "983/QĐ-UBND", "kind": "Quyết định", "issuer": "UBND", "doc": "a1"}])
    assert g.nodes["document:983/QĐ-UBND"]["label"] == "Quyết định 983/QĐ-UBND"
    ((_, _, edge),) = g.edges(data=True)
    assert edge["document_kind"] == "Quyết định"


def test_rows_get_evidence_and_role_from_the_store(store):
    g = from_rows("who-chairs-what", [
        {"person": "Phạm Quang Ngọc", "org": "Ban Chỉ đạo chuyển đổi số tỉnh Ninh Bình", "doc": "c3-ninh-binh"},
        {"person": "Nobody", "org": "Chính phủ", "doc": "a1-phien-hop-thu-ba"},
    ])
    assert attach_evidence(g, store) == 1
    edge = g.get_edge_data("person:Phạm Quang Ngọc", "organisation:Ban Chỉ đạo chuyển đổi số tỉnh Ninh Bình")[0]
    assert (edge["role"], edge["label"], edge["date"]) == ("Trưởng ban", "Trưởng ban", "2022-08-09")
    assert edge["quote"].startswith("Dự phiên họp tại điểm cầu tỉnh Ninh Bình")


def test_html_is_offline_and_holds_the_evidence(graph):
    text = page(graph, title="fixture")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*[\"']?(https?:)?//", text, re.I)
    assert not re.search(r"@import|url\(\s*[\"']?https?:", text, re.I)
    payload = re.search(r'<script id="data" type="application/json">(.*?)</script>', text, re.S).group(1)
    data = json.loads(payload)
    quotes = {ev["quote"] for e in data["edges"] for f in e["facts"] for ev in f["evidence"]}
    assert "Bộ Công an đã tích cực, phối hợp với các bộ, ngành triển khai CSDL quốc gia về dân cư." in quotes
    assert {n["label"] for n in data["nodes"]} >= {"Phạm Minh Chính", "Đà Nẵng"}
    assert "</script" not in payload.lower()


def test_html_escapes_markup_in_names():
    g = nx.MultiDiGraph(title="<b>t</b>")
    add_node(g, "a", "person", "</script><script>alert(1)</script>")
    add_node(g, "b", "organisation", "B")
    add_edge(g, "a", "b", "heads", "Chủ tịch", [{"doc": "d", "quote": "a < b & c"}])
    text = page(g)
    assert text.count("<script") == 2 and "<title>&lt;b&gt;t&lt;/b&gt;</title>" in text


def synthetic(provinces: int = 60) -> nx.MultiDiGraph:
    """A who-chairs-what graph of ~300 nodes: per province a chair, a secretary and three bodies."""
    g = nx.MultiDiGraph(title="synthetic")
    ev = [{"doc": "d", "quote": "câu", "date": "2022-01-01"}]
    hub = "Ủy ban Quốc gia về chuyển đổi số"
    add_node(g, hub, "organisation", hub)
    for i in range(provinces):
        place = f"Tỉnh Thử Nghiệm Số {i}"
        chair, secretary = f"Nguyễn Văn Đức {i}", f"Trần Thị Hương {i}"
        for person in (chair, secretary):
            add_node(g, person, "person", person)
        for org in (f"Ủy ban nhân dân {place}", f"Ban Chỉ đạo chuyển đổi số {place}", f"Tỉnh ủy {place}"):
            add_node(g, org, "organisation", org)
        add_edge(g, chair, f"Ủy ban nhân dân {place}", "heads", "Chủ tịch", ev)
        add_edge(g, chair, f"Ban Chỉ đạo chuyển đổi số {place}", "heads", "Trưởng ban", ev)
        add_edge(g, secretary, f"Tỉnh ủy {place}", "heads", "Bí thư", ev)
        if i % 5 == 0:
            add_edge(g, chair, hub, "membership", "Ủy viên", ev)
    return g


def test_labels_of_a_big_graph_do_not_overlap():
    g = synthetic()
    assert g.number_of_nodes() > 280
    pos = layout(g)
    node_labels, edge_labels = place_labels(g, pos)
    boxes = [lab.box for lab in [*node_labels.values(), *edge_labels.values()]]
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert overlaps == []
    assert len(node_labels) >= 0.9 * g.number_of_nodes()


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_static_picture(tmp_path, graph, suffix):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a Vietnamese glyph missing from the font would warn
        out = draw(graph, tmp_path / f"g{suffix}", title="Thử nghiệm: Ủy ban, Đà Nẵng, Ngọc")
    assert out.stat().st_size > 20_000
    if suffix == ".png":
        height, width = matplotlib.image.imread(out).shape[:2]
        assert width > 600 and height > 400
    else:
        assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_big_picture_is_drawn(tmp_path):
    out = draw(synthetic(), tmp_path / "big.png")
    height, width = matplotlib.image.imread(out).shape[:2]
    assert width > 2000 and height > 1000


def test_unknown_picture_format(tmp_path, graph):
    with pytest.raises(ValueError, match=".html, .png, .svg"):
        draw(graph, tmp_path / "g.gif")


def known_graph() -> nx.MultiDiGraph:
    """A small graph with a known answer to every analytics question."""
    g = nx.MultiDiGraph()
    ev = [{"doc": "d1"}]
    for node, kind in [("A", "person"), ("B", "person"), ("X", "organisation"), ("Y", "organisation"),
                       ("Z", "organisation"), ("P", "province"), ("Q", "province"), ("S1", "system"), ("S2", "system")]:
        add_node(g, node, kind, node)
    g.nodes["Y"]["province"] = "Q"
    for u, v in [("A", "X"), ("A", "Y"), ("A", "Z"), ("B", "X"), ("B", "X")]:
        add_edge(g, u, v, "heads", "Chủ tịch", ev)
    add_edge(g, "P", "S1", "links", "", ev, status="done")
    add_edge(g, "P", "S2", "links", "", ev, status="planned")
    add_edge(g, "P", "S2", "links", "", [{"doc": "d2"}], status="done")
    add_edge(g, "Y", "S1", "links", "", ev, status="planned")
    return g


def test_most_connected():
    rows = analytics.most_connected(known_graph(), top=3)
    assert [(r["name"], r["neighbours"], r["facts"]) for r in rows] == [("A", 3, 3), ("X", 2, 3), ("Y", 2, 2)]


def test_provinces_by_system_links():
    rows = analytics.provinces_by_system_links(known_graph())
    assert [(r["province"], r["systems"], r["done"], r["planned"]) for r in rows] == [("P", 2, 2, 0), ("Q", 1, 0, 1)]


def test_components():
    rows = analytics.components(known_graph())
    assert [(r["size"], r["hub"]) for r in rows] == [(8, "A"), (1, "Q")]
    g = known_graph()
    g.remove_edge("Y", "S1")
    assert [(r["size"], r["hub"]) for r in analytics.components(g)] == [(5, "A"), (3, "P"), (1, "Q")]


def test_heads_table(graph):
    rows = analytics.heads_table(graph)
    assert {(r["person"], r["org"], r["roles"]) for r in rows} == {
        ("Phạm Minh Chính", "Chính phủ", "Thủ tướng"),
        ("Phạm Minh Chính", "Ủy ban Quốc gia về chuyển đổi số", "Chủ tịch"),
        ("Phạm Quang Ngọc", "Ủy ban nhân dân tỉnh Ninh Bình", "Chủ tịch"),
        ("Phạm Quang Ngọc", "Ban Chỉ đạo chuyển đổi số tỉnh Ninh Bình", "Trưởng ban"),
    }


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    """A build folder (OUT/store) holding the fixture, as `dtkg build --out OUT` lays it out."""
    out = tmp_path_factory.mktemp("build")
    on_disk = ox.Store(str(out / "store"))
    on_disk.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    on_disk.flush()
    del on_disk
    return out


@pytest.mark.parametrize("argv, picture, expected", [
    (["who-chairs-what"], "g.html", "Thủ tướng Chính phủ Phạm Minh Chính, Chủ tịch Ủy ban Quốc gia"),
    (["province-links-database"], "g.html", "Tỉnh Ninh Bình sẽ kết nối cơ sở dữ liệu hộ tịch"),
    (["dti-ranking", "--param", "year=2021"], "g.html", "hạng 5"),
    (["who-chairs-what"], "g.png", None),
    (["committee-meetings"], "g.svg", None),
])
def test_cli_writes_the_picture(build_dir, tmp_path, capsys, argv, picture, expected):
    from dtkg.cli import main

    out = tmp_path / picture
    assert main(["viz", *argv, "--graph", str(build_dir), "--out", str(out)]) == 0
    assert out.stat().st_size > 5_000
    if expected:
        assert expected in out.read_text(encoding="utf-8")
    assert "with their sentence" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["no-such-query"], "no saved query"),
    (["dti-ranking"], "needs parameter"),
    (["who-chairs-what", "--param", "year"], "want NAME=VALUE"),
])
def test_cli_refuses_bad_usage(build_dir, tmp_path, capsys, argv, message):
    from dtkg.cli import main

    assert main(["viz", *argv, "--graph", str(build_dir), "--out", str(tmp_path / "g.png")]) == 2
    assert message in capsys.readouterr().err


def test_cli_refuses_unknown_format_and_missing_graph(build_dir, tmp_path, capsys):
    from dtkg.cli import main

    assert main(["viz", "who-chairs-what", "--graph", str(build_dir), "--out", str(tmp_path / "g.gif")]) == 2
    assert main(["viz", "who-chairs-what", "--graph", str(tmp_path / "none"), "--out", str(tmp_path / "g.png")]) == 2
    assert "no dtkg store" in capsys.readouterr().err


def test_reference_facts_only_on_request(store):
    renamed = ("https://w3id.org/dtkg/id/org/uy-ban-quoc-gia-ve-chinh-phu-dien-tu", ID + "org/uy-ban-quoc-gia-ve-chuyen-doi-so")
    assert not from_graph(store).has_edge(*renamed)
    with_reference = from_graph(store, reference=True)
    (edge,) = with_reference.get_edge_data(*renamed).values()
    assert (edge["kind"], edge["event_date"], edge["evidence"]) == ("renamed", "2021-09-24", [])


def test_vietnamese_label_wins_over_english(graph):
    assert graph.nodes[ID + "org/bo-cong-an"]["label"] == "Bộ Công an"


MEETING_ROWS = [
    {"ordinal": "1", "date": "2021-11-30", "event": "Phiên họp thứ nhất", "chair": "Phạm Minh Chính", "doc": "d3"},
    {"ordinal": "3", "date": "2022-08-08", "event": "Phiên họp thứ ba", "chair": None, "doc": "d0"},
    {"ordinal": "3", "date": "2022-08-08", "event": "Phiên họp thứ ba", "chair": "Phạm Minh Chính", "doc": "d2"},
    {"ordinal": "", "date": "", "event": "Hội nghị không rõ ngày", "chair": "X", "doc": "d9"},
]
RANKING_ROWS = [
    {"entity": "Đà Nẵng", "index": "DTI", "year": "2021", "rank": "1", "score": "0.6419", "doc": "d2"},
    {"entity": "Ninh Bình", "index": "DTI", "year": "2021", "rank": "5", "score": "", "doc": "d0"},
    {"entity": "Ninh Bình", "index": "DTI", "year": "2020", "rank": "8", "score": "", "doc": "d0"},
    {"entity": "Bộ Tài chính", "index": "DTI", "year": "2021", "rank": "1", "score": "0.6321", "doc": "d2"},
    {"entity": "Bộ Tài chính", "index": "DTI", "year": "2021", "rank": "", "score": "", "doc": "d0"},
]


def test_meetings_merge_articles_and_skip_undated():
    from dtkg.viz import charts

    got = [(m["ordinal"], m["date"].isoformat(), sorted(m["chairs"]), sorted(m["docs"])) for m in charts.meetings(MEETING_ROWS)]
    assert got == [(1, "2021-11-30", ["Phạm Minh Chính"], ["d3"]), (3, "2022-08-08", ["Phạm Minh Chính"], ["d0", "d2"])]
    assert len(charts.meeting_timeline(MEETING_ROWS).axes[0].texts) == 2


def test_rankings_by_entity_and_year():
    from dtkg.viz import charts

    table = charts.rankings(RANKING_ROWS)
    assert {(e, y, v["rank"], v["score"]) for e, by in table.items() for y, v in by.items()} == {
        ("Đà Nẵng", 2021, 1, 0.6419), ("Ninh Bình", 2021, 5, None), ("Ninh Bình", 2020, 8, None),
        ("Bộ Tài chính", 2021, 1, 0.6321)}
    ticks = [t.get_text() for t in charts.ranking_chart(RANKING_ROWS).axes[0].get_yticklabels()]
    assert ticks == ["Bộ Tài chính", "Đà Nẵng", "Ninh Bình"]


def test_notebook_helpers(graph):
    from dtkg.viz import inline, picture, table

    shown = table([{"a": 1, "b": "x"}, {"a": 22}], limit=1)
    assert repr(shown).splitlines() == ["a  b", "1  x", "… and 1 more rows"]
    assert "<td>x</td>" in shown._repr_html_()
    frame = inline(graph)._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "<script" not in frame and "&lt;script" in frame
    assert picture(graph)._repr_png_().startswith(b"\x89PNG")


def test_edge_text_keeps_the_fullest_of_similar_labels():
    from dtkg.viz.layout import edge_texts

    g = nx.MultiDiGraph()
    for label in ("DTI 2021 · hạng 1", "DTI 2021 · hạng 1 · 0.6321", "DTI 2020 · hạng 3"):
        add_edge(g, "a", "b", "ranking", label, [])
    assert edge_texts(g) == {("a", "b"): "DTI 2020 · hạng 3, DTI 2021 · hạng 1 · 0.6321"}


def test_posts_that_head_become_heads_edges(store):
    g = from_rows("posts", [
        {"person": "Phạm Quang Ngọc", "role": "Chủ tịch", "org": "Ủy ban nhân dân tỉnh Ninh Bình", "doc": "c3-ninh-binh"},
        {"person": "Phạm Quang Ngọc", "role": "Phó Bí thư", "org": "Tỉnh ủy Ninh Bình", "doc": "c3-ninh-binh"},
    ])
    attach_evidence(g, store)
    assert sorted((d["role"], d["kind"]) for _, _, d in g.edges(data=True)) == [("Chủ tịch", "heads"), ("Phó Bí thư", "membership")]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: the page script is not run")
def test_html_page_script_runs(graph, tmp_path):
    out = draw(graph, tmp_path / "g.html")
    shim = Path(__file__).parent / "fixtures" / "viz" / "dom-shim.js"
    result = json.loads(subprocess.run(["node", str(shim), str(out)], capture_output=True, text=True, check=True).stdout)
    assert result["circles"] == graph.number_of_nodes()
    assert result["edges"] == len({(u, v) for u, v in graph.edges()})
    assert "người (person)" in result["legend"] and "đứng đầu (heads)" in result["legend"]
    assert any(d["quote"] in result["edgePanel"] for _, _, d in graph.edges(data=True))
    assert result["faded"] > 0 and result["fadedAfterClear"] == 0
    width = lambda box: float(box.split()[2])  # noqa: E731
    assert width(result["zoomed"]) < width(result["viewBox"])
    assert result["panned"].split()[0] != result["zoomed"].split()[0]
    assert "Thủ tướng Chính phủ Phạm Minh Chính, Chủ tịch Ủy ban Quốc gia" in result["searchPanel"]


def test_provinces_by_system_links_in_the_fixture(graph):
    rows = analytics.provinces_by_system_links(graph)  # Bộ Giáo dục và Đào tạo belongs to the country, not a province
    assert [(r["province"], r["systems"], r["done"], r["planned"]) for r in rows] == [("Khánh Hòa", 1, 1, 0), ("Ninh Bình", 1, 0, 1)]


def test_a_folder_without_a_store_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="no dtkg store at .*dtkg build"):
        from_graph(tmp_path)


def test_layout_of_a_component_larger_than_networkx_dense_limit():
    tree = nx.MultiDiGraph(nx.bfs_tree(nx.balanced_tree(8, 3), 0))  # 585 nodes, one component
    pos = layout(tree)
    assert len(pos) == tree.number_of_nodes()
    xy = sorted(pos.values())
    assert all(a != b for a, b in zip(xy, xy[1:]))


@pytest.mark.parametrize("suffix", [".html", ".png", ".svg"])
def test_same_graph_same_bytes(tmp_path, graph, suffix):
    first, second = draw(graph, tmp_path / f"a{suffix}"), draw(graph, tmp_path / f"b{suffix}")
    assert first.read_bytes() == second.read_bytes()


def test_cli_draws_from_an_endpoint(tmp_path, capsys):
    """--endpoint: the rows come from a SPARQL endpoint (a stub answering SPARQL JSON), edges carry the article id."""
    import http.server
    import threading

    from dtkg.cli import main

    answer = {"head": {"vars": ["person", "org", "doc"]}, "results": {"bindings": [
        {"person": {"type": "literal", "value": "Phạm Minh Chính"}, "org": {"type": "literal", "value": "Chính phủ"},
         "doc": {"type": "literal", "value": "a1"}}]}}

    class Endpoint(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/query"
        out = tmp_path / "g.html"
        assert main(["viz", "who-chairs-what", "--endpoint", url, "--out", str(out)]) == 0
    finally:
        server.shutdown()
    assert "(2 nodes, 1 facts)" in capsys.readouterr().out
    assert "Phạm Minh Chính" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, code, message", [
    (["rankings", "--chart"], 0, "chart of 3 rows"),
    (["dti-ranking", "--param", "year=2021", "--chart"], 0, "chart of 2 rows"),
    (["committee-meetings", "--chart"], 0, "chart of 2 rows"),
    (["posts", "--chart"], 2, "no chart for 'posts'"),
])
def test_cli_chart(build_dir, tmp_path, capsys, argv, code, message):
    from dtkg.cli import main

    out = tmp_path / "c.png"
    assert main(["viz", *argv, "--graph", str(build_dir), "--out", str(out)]) == code
    captured = capsys.readouterr()
    assert message in (captured.out if code == 0 else captured.err)
    assert out.exists() == (code == 0)


def test_chart_picks_by_columns():
    from dtkg.viz import charts

    assert charts.chart(RANKING_ROWS, ["entity", "index", "year", "rank", "score", "doc"]) is not None
    assert charts.chart(MEETING_ROWS, ["ordinal", "date", "event", "chair", "doc"]) is not None
    assert charts.chart([], ["person", "role", "org", "doc"]) is None


def test_many_meetings_go_down_a_vertical_timeline_without_touching():
    from dtkg.viz import charts

    rows = [{"ordinal": str(i), "date": f"2022-01-{1 + i:02d}", "event": f"Phiên họp thứ {i}", "org": "Ban Chỉ đạo", "doc": "d"}
            for i in range(12)]  # twelve meetings on twelve consecutive days
    ax = charts.meeting_timeline(rows).axes[0]
    ys = sorted(t.get_position()[1] for t in ax.texts)
    assert len(ys) == 12
    assert min(b - a for a, b in zip(ys, ys[1:])) >= charts.LINE_GAP - 1e-9
    assert "Phiên họp thứ 3 (Ban Chỉ đạo)" in " ".join(t.get_text() for t in ax.texts)
