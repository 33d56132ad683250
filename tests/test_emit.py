"""The emitter writes exactly the RDF of docs/MODEL.md for each fact type; IRIs are deterministic."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from dtkg import __version__, dump, stream
from dtkg.model import Entity, Evidence, Fact
from dtkg.namespaces import DCTERMS, DTKG, ID, OA, ORG, PROV, RDF, RDFS, SCHEMA, XSD
from dtkg.rdf import emit, iris

TEXT = "Ông Lê Văn Lương, Chủ tịch UBND tỉnh Lai Châu, chủ trì phiên họp thứ ba."
EV = Evidence(0, len(TEXT), TEXT)


@dataclass
class Doc:
    id: str = "d1"
    text: str = TEXT
    url: str | None = "https://baolaichau.vn/tin 1"
    title: str | None = "Tiêu đề"
    date: dt.date | None = dt.date(2024, 4, 19)


LAI_CHAU = Entity("province", "Lai Châu", "Lai Châu", ref=str(ID["province/lai-chau"]))
UBND = Entity("org", "Ủy ban nhân dân tỉnh Lai Châu", "Ủy ban nhân dân tỉnh Lai Châu", cls="PeoplesCommittee", place=LAI_CHAU)
PERSON = Entity("person", "Lê Văn Lương", "Lê Văn Lương")
CHU_TICH = Entity("role", "Chủ tịch", "Chủ tịch", ref=str(ID["role/chu-tich"]))
PHO = Entity("role", "Phó Chủ tịch", "Phó Chủ tịch", ref=str(ID["role/pho-chu-tich"]))
POST = Entity("post", "Chủ tịch Ủy ban nhân dân tỉnh Lai Châu", "x", extra=(("role", CHU_TICH), ("org", UBND)))
MEETING = Entity("meeting", "Phiên họp thứ ba", "m", extra=(("org", UBND), ("ordinal", 3)))
SYSTEM = Entity("system", "Cơ sở dữ liệu quốc gia về dân cư", "Cơ sở dữ liệu quốc gia về dân cư", cls="NationalDatabase")
DOCUMENT = Entity("document", "Quyết định 749/QĐ-TTg", "d", extra=(("kind", "Quyết định"), ("number", "749/QĐ-TTg")))
OLD = Entity("org", "Bộ Thông tin và Truyền thông", "Bộ Thông tin và Truyền thông", cls="Ministry")
NEW = Entity("org", "Bộ Khoa học và Công nghệ", "Bộ Khoa học và Công nghệ", cls="Ministry")
HEADS = frozenset({str(ID["role/chu-tich"])})

U = ID["org/uy-ban-nhan-dan-tinh-lai-chau"]
P = ID["person/le-van-luong"]
M = ID["meeting/uy-ban-nhan-dan-tinh-lai-chau/3"]


def fact(type_, **args):
    return Fact(type_, args, EV, "posts@1.2")


def run(*facts, doc=None):
    return emit.rdflib_triples(emit.article_graph(doc or Doc(), list(facts), heads=HEADS))


def node_of(f):
    return iris.fact_node("d1", f)


# (fact, triples about its node and shortcuts that must be written)
CASES = [
    (fact("post", person=PERSON, role=CHU_TICH, org=UBND), lambda n: {
        (n, RDF.type, ORG.Membership), (n, ORG.member, P), (n, ORG.organization, U),
        (n, ORG.role, ID["role/chu-tich"]), (P, ORG.headOf, U)}),
    (fact("headed_by_post", org=UBND, post=POST), lambda n: {
        (n, RDF.type, DTKG.PostHeadship), (n, DTKG.headedOrganisation, U),
        (n, DTKG.headingPost, ID["post/uy-ban-nhan-dan-tinh-lai-chau/chu-tich"]),
        (U, DTKG.headedByPost, ID["post/uy-ban-nhan-dan-tinh-lai-chau/chu-tich"]),
        (ID["post/uy-ban-nhan-dan-tinh-lai-chau/chu-tich"], RDF.type, ORG.Post),
        (ID["post/uy-ban-nhan-dan-tinh-lai-chau/chu-tich"], ORG.postIn, U),
        (ID["post/uy-ban-nhan-dan-tinh-lai-chau/chu-tich"], ORG.role, ID["role/chu-tich"]),
        (ID["post/uy-ban-nhan-dan-tinh-lai-chau/chu-tich"], RDFS.label, Literal(POST.name, lang="vi"))}),
    (fact("presides", person=PERSON, meeting=MEETING, date=None), lambda n: {
        (n, RDF.type, DTKG.Chairing), (n, DTKG.chair, P), (n, DTKG.chairedMeeting, M), (M, DTKG.chairedBy, P)}),
    (fact("meeting", meeting=MEETING, org=UBND, date=dt.date(2024, 4, 18), ordinal=3), lambda n: {
        (M, RDF.type, DTKG.Meeting), (M, DTKG.organiser, U), (M, DCTERMS.date, Literal("2024-04-18", datatype=XSD.date)),
        (M, DTKG.ordinal, Literal("3", datatype=XSD.integer)), (M, RDFS.label, Literal("Phiên họp thứ ba", lang="vi"))}),
    (fact("links", subject=UBND, object=SYSTEM, status="done"), lambda n: {
        (n, RDF.type, DTKG.Connection), (n, DTKG.connectionFrom, U),
        (n, DTKG.connectionTo, ID["system/co-so-du-lieu-quoc-gia-ve-dan-cu"]), (n, DTKG.connectionStatus, DTKG.Done),
        (U, DTKG.connectedTo, ID["system/co-so-du-lieu-quoc-gia-ve-dan-cu"]),
        (ID["system/co-so-du-lieu-quoc-gia-ve-dan-cu"], RDF.type, DTKG.NationalDatabase)}),
    (fact("operates", org=UBND, system=SYSTEM), lambda n: {
        (n, RDF.type, DTKG.SystemOperation), (n, DTKG.operator, U),
        (n, DTKG.operatedSystem, ID["system/co-so-du-lieu-quoc-gia-ve-dan-cu"]),
        (U, DTKG.operates, ID["system/co-so-du-lieu-quoc-gia-ve-dan-cu"])}),
    (fact("ranking", entity=LAI_CHAU, index="DTI", year=2023, rank=12, score=0.5123), lambda n: {
        (n, RDF.type, DTKG.RankingEntry), (n, DTKG.rankedEntity, ID["province/lai-chau"]),
        (n, DTKG.rankingIndex, ID["index/dti"]), (n, DTKG.rankingYear, Literal("2023", datatype=XSD.gYear)),
        (n, DTKG.rank, Literal("12", datatype=XSD.integer)), (n, DTKG.score, Literal("0.5123", datatype=XSD.decimal))}),
    (fact("document", document=DOCUMENT, number="749/QĐ-TTg", kind="Quyết định", date=dt.date(2020, 6, 3), issuer=None),
     lambda n: {
        (n, RDF.type, DTKG.LegalDocument), (n, DTKG.documentNumber, Literal("749/QĐ-TTg")),
        (n, DTKG.documentKind, ID["document-kind/quyet-dinh"]), (n, DCTERMS.issued, Literal("2020-06-03", datatype=XSD.date))}),
    (fact("renamed", old=OLD, new=NEW, date=dt.date(2025, 3, 1)), lambda n: {
        (n, RDF.type, DTKG.Renaming), (n, ORG.originalOrganization, ID["org/bo-thong-tin-va-truyen-thong"]),
        (n, ORG.resultingOrganization, ID["org/bo-khoa-hoc-va-cong-nghe"]), (n, DCTERMS.date, Literal("2025-03-01", datatype=XSD.date)),
        (ID["org/bo-khoa-hoc-va-cong-nghe"], ORG.resultedFrom, n), (ID["org/bo-thong-tin-va-truyen-thong"], ORG.changedBy, n)}),
]


@pytest.mark.parametrize("f,expected", CASES, ids=[c[0].type for c in CASES])
def test_fact_triples_and_provenance(f, expected):
    triples = run(f)
    node = node_of(f)
    assert expected(node) <= set(triples)
    evidence = ID[f"evidence/d1/0-{len(TEXT)}"]
    agent = ID["agent/extractor/posts"]
    assert {
        (node, PROV.wasDerivedFrom, ID["article/d1"]), (node, DTKG.evidence, evidence),
        (node, PROV.wasAttributedTo, agent), (node, DTKG.observedOn, Literal("2024-04-19", datatype=XSD.date)),
        (evidence, OA.hasBody, node), (agent, DTKG.softwareVersion, Literal("1.2")),
    } <= set(triples)
    assert not any(isinstance(t, BNode) for triple in triples for t in triple)
    assert len(triples) == len(set(triples))


def test_post_graph_exactly():
    f = fact("post", person=PERSON, role=PHO, org=UBND)
    n, a = node_of(f), ID["article/d1"]
    ev = ID[f"evidence/d1/0-{len(TEXT)}"]
    target, quote, position = (URIRef(f"{ev}/{x}") for x in ("target", "quote", "position"))
    agent = ID["agent/extractor/posts"]
    expected = {
        (a, RDF.type, SCHEMA.NewsArticle), (a, DCTERMS.identifier, Literal("d1")),
        (a, SCHEMA.url, URIRef("https://baolaichau.vn/tin%201")), (a, DCTERMS.title, Literal("Tiêu đề", lang="vi")),
        (a, DCTERMS.date, Literal("2024-04-19", datatype=XSD.date)),
        (a, DTKG.textSha256, Literal(__import__("hashlib").sha256(TEXT.encode()).hexdigest())),
        (n, RDF.type, ORG.Membership), (n, ORG.member, P), (n, ORG.organization, U), (n, ORG.role, ID["role/pho-chu-tich"]),
        (P, RDF.type, DTKG.Person), (P, RDFS.label, Literal("Lê Văn Lương", lang="vi")),
        (ID["role/pho-chu-tich"], RDF.type, ORG.Role), (ID["role/pho-chu-tich"], RDFS.label, Literal("Phó Chủ tịch", lang="vi")),
        (U, RDF.type, DTKG.PeoplesCommittee), (U, RDFS.label, Literal("Ủy ban nhân dân tỉnh Lai Châu", lang="vi")),
        (U, DTKG.jurisdiction, ID["province/lai-chau"]),
        (ID["province/lai-chau"], RDF.type, DTKG.Province), (ID["province/lai-chau"], RDFS.label, Literal("Lai Châu", lang="vi")),
        (n, PROV.wasDerivedFrom, a), (n, DTKG.evidence, ev), (n, PROV.wasAttributedTo, agent),
        (n, DTKG.observedOn, Literal("2024-04-19", datatype=XSD.date)),
        (agent, RDF.type, PROV.SoftwareAgent), (agent, DTKG.softwareVersion, Literal("1.2")),
        (ev, RDF.type, OA.Annotation), (ev, OA.hasBody, n), (ev, OA.hasTarget, target),
        (target, RDF.type, OA.SpecificResource), (target, OA.hasSource, a),
        (target, OA.hasSelector, quote), (target, OA.hasSelector, position),
        (quote, RDF.type, OA.TextQuoteSelector), (quote, OA.exact, Literal(TEXT)),
        (position, RDF.type, OA.TextPositionSelector),
        (position, OA.start, Literal("0", datatype=XSD.nonNegativeInteger)),
        (position, OA.end, Literal(str(len(TEXT)), datatype=XSD.nonNegativeInteger)),
    }
    assert set(run(f)) == expected  # a deputy does not head: no org:headOf


def test_first_label_wins_and_no_date_no_observation():
    other = Entity("person", "Ông Lê Văn Lương", "Lê Văn Lương")
    triples = run(fact("post", person=PERSON, role=PHO, org=UBND), fact("post", person=other, role=PHO, org=UBND),
                  doc=Doc(date=None, url="ftp://x", title=None))
    labels = [o for s, p, o in triples if s == P and p == RDFS.label]
    assert labels == [Literal("Lê Văn Lương", lang="vi")]
    assert not [t for t in triples if t[1] in (DTKG.observedOn, SCHEMA.url, DCTERMS.title, DCTERMS.date)]


def test_unknown_class_is_an_error():
    bad = Entity("org", "X", "X", cls="NoSuchClass")
    with pytest.raises(AttributeError):
        run(fact("operates", org=bad, system=SYSTEM))


def test_emitted_graph_loads_as_the_article_graph():
    """What the build loads: the emitted lines cut into N-Quads by `stream.article_parts`."""
    lines = emit.article_graph(Doc(), [c[0] for c in CASES], heads=HEADS)
    graph = iris.article_graph_iri("d1")
    parts = stream.article_parts("d1", f"<{graph}>", lines, dump.abbreviator(), None)
    store = ox.Store()
    store.load(parts.nquads, ox.RdfFormat.N_QUADS)
    assert len(store) == len(lines) == parts.triples
    assert {q.graph_name.value for q in store} == {str(graph)}


@pytest.mark.parametrize("text", ['quote " and \\ backslash', "line\nbreak\r\tand tab", "Ủy ban", "\b\f"])
def test_literals_are_escaped(text):
    [triple] = ox.parse(f"<https://x/s> <https://x/p> {emit.plain(text)} .\n", ox.RdfFormat.N_TRIPLES)
    assert triple.object.value == text


@pytest.mark.parametrize("entity,iri", [
    (PERSON, "person/le-van-luong"),
    (Entity("person", "LÊ VĂN LƯƠNG", "Lê Văn Lương"), "person/le-van-luong"),
    (UBND, "org/uy-ban-nhan-dan-tinh-lai-chau"),
    (LAI_CHAU, "province/lai-chau"),
    (Entity("province", "Lai Châu", "Lai Châu 2025"), "province/lai-chau-2025"),
    (SYSTEM, "system/co-so-du-lieu-quoc-gia-ve-dan-cu"),
    (CHU_TICH, "role/chu-tich"),
    (Entity("role", "Phó Chủ tịch Thường trực", "Phó Chủ tịch Thường trực"), "role/pho-chu-tich-thuong-truc"),
    (POST, "post/uy-ban-nhan-dan-tinh-lai-chau/chu-tich"),
    (Entity("post", "Chủ tịch UBND tỉnh Lai Châu", "k", extra=(("role", "Chủ tịch"), ("org", UBND))),
     "post/uy-ban-nhan-dan-tinh-lai-chau/chu-tich"),
    (Entity("post", "Thủ tướng Chính phủ", "k", extra=(("role", "Thủ tướng"), ("role_iri", str(ID["role/thu-tuong"])),
                                                         ("org", Entity("org", "Chính phủ", "Chính phủ")))),
     "post/chinh-phu/thu-tuong"),
    (Entity("post", "Giám đốc Sở", "Giám đốc Sở"), "post/giam-doc-so"),
    (MEETING, "meeting/uy-ban-nhan-dan-tinh-lai-chau/3"),
    (Entity("meeting", "Hội nghị", "m", extra=(("org", UBND), ("date", dt.date(2024, 1, 2)))), "meeting/uy-ban-nhan-dan-tinh-lai-chau/2024-01-02"),
    (Entity("meeting", "Hội nghị sơ kết", "m", extra=(("org", UBND),)), "meeting/uy-ban-nhan-dan-tinh-lai-chau/hoi-nghi-so-ket"),
    (Entity("meeting", "Hội nghị", "Ủy ban Quốc gia/3"), "meeting/uy-ban-quoc-gia/3"),
    (DOCUMENT, "document/quyet-dinh-749-qd-ttg"),
    (Entity("document", "Kế hoạch 12", "d", extra=(("kind", "Kế hoạch"), ("number", "12"), ("issuer", UBND))),
     "document/ke-hoach-12-uy-ban-nhan-dan-tinh-lai-chau"),
])
def test_entity_iris(entity, iri):
    assert iris.entity_iri(entity) == ID[iri]


@pytest.mark.parametrize("doc_id,key", [
    ("p001", "p001"), ("000_9f3821bd46a4a2a4", "000_9f3821bd46a4a2a4"),
    ("bài báo 1", "bai-bao-1-" + __import__("hashlib").sha1("bài báo 1".encode()).hexdigest()[:8]),
    ("a/b", "a-b-" + __import__("hashlib").sha1(b"a/b").hexdigest()[:8]),
])
def test_doc_keys(doc_id, key):
    assert iris.doc_key(doc_id) == key
    assert iris.article_iri(doc_id) == ID[f"article/{key}"]


def test_fact_iri_depends_on_key_fields_only():
    a = fact("post", person=PERSON, role=CHU_TICH, org=UBND)
    b = Fact("post", dict(a.args), Evidence(5, 9, TEXT[5:9]), "other")
    c = fact("post", person=PERSON, role=PHO, org=UBND)
    assert iris.fact_iri("d1", a) == iris.fact_iri("d1", b) != iris.fact_iri("d1", c)
    assert str(iris.fact_iri("d1", a)).startswith(str(ID["fact/d1/post-"]))
    assert iris.fact_iri("d2", a) != iris.fact_iri("d1", a)


def test_version_defaults_to_package_version():
    triples = run(Fact("operates", {"org": UBND, "system": SYSTEM}, EV, "systems"))
    assert (ID["agent/extractor/systems"], DTKG.softwareVersion, Literal(__version__)) in triples


def test_post_with_role_given_as_title_and_iri():
    post = Entity("post", "Thủ tướng Chính phủ", "k", extra=(
        ("role", "Thủ tướng"), ("role_iri", str(ID["role/thu-tuong"])), ("org", Entity("org", "Chính phủ", "Chính phủ"))))
    triples = set(run(fact("headed_by_post", org=UBND, post=post)))
    p, role = ID["post/chinh-phu/thu-tuong"], ID["role/thu-tuong"]
    assert {(p, ORG.role, role), (role, RDF.type, ORG.Role), (role, RDFS.label, Literal("Thủ tướng", lang="vi")),
            (p, ORG.postIn, ID["org/chinh-phu"]), (U, DTKG.headedByPost, p)} <= triples


def test_a_chaired_meeting_gets_provenance_even_without_a_meeting_fact():
    f = fact("presides", person=PERSON, meeting=MEETING, date=None)
    triples = set(run(f))
    evidence = ID[f"evidence/d1/0-{len(TEXT)}"]
    assert {(M, PROV.wasDerivedFrom, ID["article/d1"]), (M, DTKG.evidence, evidence), (evidence, OA.hasBody, M),
            (M, RDF.type, DTKG.Meeting)} <= triples


@pytest.mark.parametrize("url,iri", [
    ("https://baothainguyen.vn/chinh-tri/202111/a-367A597", "https://baothainguyen.vn/chinh-tri/202111/a-367A597"),
    ("  https://a.vn/tin?id=1&p=2#top ", "https://a.vn/tin?id=1&p=2#top"),
    ("https://a.vn/x y", "https://a.vn/x%20y"),
    ("https://a.vn/50%-tang", "https://a.vn/50%25-tang"),  # a % that starts no escape
    ("https://a.vn/%C3%A1", "https://a.vn/%C3%A1"),  # an escape stays as it is
    ("http://a.vn/a[1]", "http://a.vn/a%5B1%5D"),
    ("HTTPS://A.VN/", "HTTPS://A.VN/"),
    ("ftp://a.vn/x", None), ("a.vn/x", None), ("", None), (None, None),
])
def test_web_iri(url, iri):
    assert iris.web_iri(url) == (URIRef(iri) if iri else None)
    if iri:
        ox.NamedNode(iri)  # what the store load will accept


@pytest.mark.parametrize("url", ["http://[::1/x", "http://a.vn:80x/"])
def test_web_iri_rejects_what_no_encoding_repairs(url):
    with pytest.raises(ValueError, match="invalid url"):
        iris.web_iri(url)
