"""The SHACL shapes: each shape accepts a graph that follows docs/MODEL.md and rejects one that breaks it.

Every fixture in tests/shapes/ is added to tests/shapes/_base.ttl (a small conforming
article graph) and validated with tests/shapes/_vocab.ttl (the class hierarchy).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS

from dtkg import resources
from dtkg.namespaces import DTKG, GRAPH, ID, SH
from dtkg.validate import SHAPES_NS, check_shapes, load_shapes, load_vocabulary, validate, validate_per_graph

FIXTURES = Path(__file__).parent / "shapes"
ONTOLOGY = resources.folder("ontology")
SHAPE = str(SHAPES_NS)


PREFIXES = (FIXTURES / "_base.ttl").read_text(encoding="utf-8").split("\n\n")[0]


def _graph(*names: str, doc: str = "a1") -> Graph:
    """Base graph plus fixtures (file names, or Turtle text with `<` in it), re-written as read from `doc`."""
    graph = Graph()
    for name in ("_base", *names):
        text = PREFIXES + "\n" + name if "<" in name else (FIXTURES / f"{name}.ttl").read_text(encoding="utf-8")
        if doc != "a1":
            text = text.replace("/a1/", f"/{doc}/").replace("article/a1>", f"article/{doc}>")
            text = text.replace('"a1"', f'"{doc}"')
        graph.parse(data=text, format="turtle")
    return graph


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return Graph().parse(FIXTURES / "_vocab.ttl")


OK = sorted(p.stem for p in FIXTURES.glob("*-ok.ttl"))

# fixture, focus node (under dtkgr:, "_:" for a blank node), shape (local name), part of the message, severity
BAD = [
    ("article-bad-date", "article/a2", "ArticleShape", "dct:date", "Violation"),
    ("article-ill-typed-date", "article/a2", "ArticleShape", "dct:date", "Violation"),
    ("article-no-id", "article/a2", "ArticleShape", "exactly one dct:identifier", "Violation"),
    ("article-url-string", "article/a2", "ArticleShape", "schema:url", "Violation"),
    ("evidence-no-target", "evidence/a1/59-120", "EvidenceShape", "oa:hasTarget", "Violation"),
    ("evidence-uncited", "evidence/a1/59-120", "EvidenceShape", "cited by at least one fact", "Violation"),
    ("target-no-position", "evidence/a1/59-120/target", "EvidenceTargetShape", "TextPositionSelector", "Violation"),
    ("quote-empty", "evidence/a1/59-120/quote", "QuoteSelectorShape", "oa:exact", "Violation"),
    ("position-reversed", "evidence/a1/59-120/position", "PositionSelectorShape", "not be greater", "Violation"),
    ("position-negative", "evidence/a1/59-120/position", "PositionSelectorShape", "non-negative integer", "Violation"),
    ("position-decimal", "evidence/a1/59-120/position", "PositionSelectorShape", "non-negative integer", "Violation"),
    ("fact-no-article", "fact/a1/post-0a1b2c3d4e5f", "FactShape", "prov:wasDerivedFrom", "Violation"),
    ("fact-no-evidence", "fact/a1/post-0a1b2c3d4e5f", "FactShape", "dtkg:evidence", "Violation"),
    ("fact-blank-node", "_:", "FactShape", "named by an IRI", "Violation"),
    ("fact-date-string", "fact/a1/post-0a1b2c3d4e5f", "FactShape", "xsd:date", "Violation"),
    ("fact-no-date", "fact/a2/post-0a1b2c3d4e5f", "FactShape", "no dtkg:observedOn", "Warning"),
    ("fact-other-article", "fact/a1/post-0a1b2c3d4e5f", "FactConsistencyShape", "evidence quotes", "Violation"),
    ("fact-date-mismatch", "fact/a1/post-0a1b2c3d4e5f", "FactConsistencyShape", "article's dct:date", "Violation"),
    ("membership-no-role", "fact/a1/post-0a1b2c3d4e5f", "MembershipShape", "org:role", "Violation"),
    ("membership-two-members", "fact/a1/post-0a1b2c3d4e5f", "MembershipShape", "exactly one org:member", "Violation"),
    ("membership-member-not-person", "fact/a1/post-0a1b2c3d4e5f", "MembershipShape", "dtkg:Person", "Violation"),
    ("postheadship-role-not-post", "fact/a1/headed_by_post-00aa11bb22cc", "PostHeadshipShape", "org:Post", "Violation"),
    ("post-no-org", "post/uy-ban-nhan-dan-thanh-pho-ha-noi/chu-tich", "PostShape", "org:postIn", "Violation"),
    ("chairing-no-meeting", "fact/a1/presides-ffeeddccbbaa", "ChairingShape", "dtkg:chairedMeeting", "Violation"),
    ("meeting-date-string", "meeting/ban-chi-dao-chuyen-doi-so-thanh-pho-ha-noi/3", "MeetingShape", "dct:date", "Violation"),
    ("meeting-ordinal-zero", "meeting/ban-chi-dao-chuyen-doi-so-thanh-pho-ha-noi/3", "MeetingShape", "dtkg:ordinal", "Violation"),
    ("meeting-unsourced", "meeting/ban-chi-dao-chuyen-doi-so-thanh-pho-ha-noi/3", "SourcedShape", "where it comes from", "Violation"),
    ("connection-no-system", "fact/a1/links-abcdefabcdef", "ConnectionShape", "name the system", "Violation"),
    ("connection-to-org", "fact/a1/links-abcdefabcdef", "ConnectionShape", "dtkg:InformationSystem", "Violation"),
    ("connection-bad-status", "fact/a1/links-abcdefabcdef", "ConnectionShape", "dtkg:Done or dtkg:Planned", "Violation"),
    ("operation-system-as-operator", "fact/a1/operates-abcabcabcabc", "SystemOperationShape", "dtkg:operator", "Violation"),
    ("ranking-no-rank-or-score", "fact/a1/ranking-1234567890ab", "RankingEntryShape", "it has neither", "Violation"),
    ("ranking-no-index", "fact/a1/ranking-1234567890ab", "RankingEntryShape", "dtkg:rankingIndex", "Violation"),
    ("ranking-year-integer", "fact/a1/ranking-1234567890ab", "RankingEntryShape", "xsd:gYear", "Violation"),
    ("ranking-rank-zero", "fact/a1/ranking-1234567890ab", "RankingEntryShape", "at least 1", "Violation"),
    ("ranking-score-double", "fact/a1/ranking-1234567890ab", "RankingEntryShape", "xsd:decimal", "Violation"),
    ("document-no-number", "document/quyet-dinh-983-qd-ubnd", "DocumentShape", "dtkg:documentNumber", "Violation"),
    ("document-date-string", "document/quyet-dinh-983-qd-ubnd", "DocumentShape", "dct:issued", "Violation"),
    ("renaming-no-result", "change/so-thong-tin-va-truyen-thong--so-khoa-hoc-va-cong-nghe", "ChangeEventShape",
     "org:resultingOrganization", "Violation"),
    ("person-no-label", "person/nguyen-van-a", "PersonShape", "rdfs:label", "Violation"),
    ("person-english-label", "person/nguyen-van-a", "PersonShape", "(@vi)", "Violation"),
    ("person-blank-node", "_:", "PersonShape", "named by an IRI", "Violation"),
    ("organisation-no-vi-name", "org/so-khoa-hoc-va-cong-nghe-ha-noi", "VietnameseName", "Vietnamese name", "Violation"),
    ("organisation-untagged-label", "org/so-khoa-hoc-va-cong-nghe-ha-noi", "TaggedLabels", "language tag", "Violation"),
    ("organisation-bad-jurisdiction", "org/so-khoa-hoc-va-cong-nghe-ha-noi", "OrganisationShape",
     "dtkg:jurisdiction", "Violation"),
    ("role-bad-flag", "role/pho-chu-tich", "RoleShape", "xsd:boolean", "Violation"),
    ("system-no-name", "system/nen-tang-tich-hop-chia-se-du-lieu-quoc-gia", "VietnameseName", "Vietnamese name",
     "Violation"),
    ("system-blank-node", "_:", "SystemShape", "named by an IRI", "Violation"),
    ("unit-no-name", "municipality/phuong-ba-dinh", "VietnameseName", "Vietnamese name", "Violation"),
    ("unit-blank-node", "_:", "AdministrativeUnitShape", "named by an IRI", "Violation"),
    ("province-two-preflabels", "province/ha-noi", "ProvinceShape", "exactly one skos:prefLabel", "Violation"),
    ("province-bad-gso", "province/cao-bang", "ProvinceShape", "dtkg:gsoCode", "Violation"),
    ("province-wikidata-string", "province/cao-bang", "ProvinceShape", "Wikidata entity IRI", "Violation"),
    ("validity-date-string", "org/so-thong-tin-va-truyen-thong-ha-noi", "ValidityShape", "dtkg:validUntil must be",
     "Violation"),
    ("validity-reversed", "org/so-thong-tin-va-truyen-thong-ha-noi", "ValidityShape", "not be later", "Violation"),
    ("province-owl-sameas", "province/ha-noi", "OwlSameAsShape", "never owl:sameAs", "Violation"),
]


def test_base_graph_conforms(vocab):
    result = validate(_graph(), ont_graph=vocab)
    assert result.conforms, result.text
    assert result.violations == []


@pytest.mark.parametrize("name", OK)
def test_conforming_fixture(name, vocab):
    result = validate(_graph(name), ont_graph=vocab)
    assert result.conforms, result.text
    assert result.violations == [], result.text


@pytest.mark.parametrize("name, focus, shape, fragment, severity", BAD, ids=[row[0] for row in BAD])
def test_breaking_fixture(name, focus, shape, fragment, severity, vocab):
    result = validate(_graph(name), ont_graph=vocab)
    assert result.conforms is (severity != "Violation"), result.text
    matches = [
        v for v in result.violations
        if v.shape == URIRef(SHAPE + shape) and fragment in v.message and v.severity == severity
        and (isinstance(v.focus, BNode) if focus == "_:" else v.focus == ID[focus])
    ]
    assert matches, result.text
    assert f"breaks dtkgsh:{shape}:" in result.text


def test_every_fixture_is_in_a_table():
    named = set(OK) | {row[0] for row in BAD}
    on_disk = {p.stem for p in FIXTURES.glob("*.ttl") if not p.stem.startswith("_")}
    assert on_disk == named


def _targeted_shapes(shapes: Graph) -> set[URIRef]:
    kinds = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
    return {s for k in kinds for s in shapes.subjects(k, None)}


def _shapes_targeting(shapes: Graph, data: Graph, nodes: set) -> set[URIRef]:
    """The shapes whose targets select one of `nodes` in `data` (classes through rdfs:subClassOf*)."""
    hit = set()
    for shape in _targeted_shapes(shapes):
        for cls in shapes.objects(shape, SH.targetClass):
            members = set(data.query(
                "SELECT ?s WHERE { ?s a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }",
                initBindings={"c": cls}))
            if {row[0] for row in members} & nodes:
                hit.add(shape)
        for prop in shapes.objects(shape, SH.targetSubjectsOf):
            if set(data.subjects(prop, None)) & nodes:
                hit.add(shape)
    return hit


def test_every_targeted_shape_has_a_passing_and_a_failing_fixture(vocab):
    shapes = load_shapes()
    targeted = _targeted_shapes(shapes)
    failing = {URIRef(SHAPE + row[2]) for row in BAD}
    passing = set()
    for name in OK:
        added = Graph().parse(FIXTURES / f"{name}.ttl")
        passing |= _shapes_targeting(shapes, _graph(name) + vocab, set(added.subjects()))
    assert targeted - failing == set()
    assert targeted - passing == set()


def test_shapes_graph_is_valid_shacl():
    assert check_shapes(load_shapes()) is None


def test_shacl_for_shacl_check_catches_a_broken_shape():
    broken = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:Shape> a sh:NodeShape ; sh:property [ sh:path <urn:x:p> ; sh:minCount "one" ] .
    """, format="turtle")
    problem = check_shapes(broken)
    assert problem is not None and "minCount" in problem


def test_every_shape_is_documented_and_every_constraint_has_a_message():
    shapes = load_shapes()
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    for shape in node_shapes | set(shapes.subjects(RDF.type, SH.PropertyShape)):
        assert shapes.value(shape, SH.name) is not None, shape
        assert shapes.value(shape, RDFS.comment) is not None, shape
    node_level = (SH.nodeKind, SH.pattern, SH["or"], SH["class"], SH.datatype)
    for shape in node_shapes:
        if any(shapes.value(shape, p) is not None for p in node_level):
            assert shapes.value(shape, SH.message) is not None, shape
    for prop in set(shapes.subjects(SH.path, None)):
        assert shapes.value(prop, SH.message) is not None, prop
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message) is not None, constraint


def test_every_message_is_in_english_and_vietnamese():
    shapes = load_shapes()
    for owner in set(shapes.subjects(SH.message, None)):
        languages = sorted(m.language for m in shapes.objects(owner, SH.message))
        assert languages == ["en", "vi"], owner


def test_report_in_vietnamese(vocab):
    result = validate(_graph("membership-no-role"), ont_graph=vocab, lang="vi")
    assert result.text.splitlines() == [
        "Đồ thị KHÔNG đạt các ràng buộc của dtkg: 1 vi phạm, 0 cảnh báo.",
        "[Vi phạm] dtkgr:fact/a1/post-0a1b2c3d4e5f vi phạm dtkgsh:MembershipShape: Một quan hệ giữ chức vụ phải "
        "có đúng một org:role là một chức danh (org:Role hoặc skos:Concept). (thuộc tính org:role)",
    ]


def test_shapes_use_only_terms_the_namespace_module_defines():
    used = {t for triple in load_shapes() for t in triple if isinstance(t, URIRef)}
    ours = {t for t in used if str(t).startswith(str(DTKG._NS))}
    unknown = {t for t in ours if str(t)[len(str(DTKG._NS)):] not in DTKG.__annotations__}
    assert ours and not unknown


@pytest.mark.skipif(
    not all((ONTOLOGY / name).is_file() for name in ("reference.ttl", "dtkg.ttl")),
    reason="ontology/reference.ttl or ontology/dtkg.ttl (its class hierarchy) not written yet",
)
def test_reference_graph_conforms():
    reference = Graph().parse(ONTOLOGY / "reference.ttl")
    result = validate(reference, ont_graph=load_vocabulary())
    assert result.conforms, result.text


@pytest.mark.skipif(not (ONTOLOGY / "dtkg.ttl").is_file(), reason="ontology/dtkg.ttl not written yet")
def test_fixture_class_hierarchy_matches_the_ontology(vocab):
    ontology = Graph().parse(ONTOLOGY / "dtkg.ttl")
    for sub, sup in vocab.subject_objects(RDFS.subClassOf):
        assert sup in set(ontology.transitive_objects(sub, RDFS.subClassOf)), f"{sub} is not a subclass of {sup}"


def _dataset(vocab: Graph, extra: dict[str, list[str]], reference: list[str] = (), inferred: str = "") -> Dataset:
    ds = Dataset()
    for triple in vocab:
        ds.graph(GRAPH["ontology"]).add(triple)
    for doc, names in extra.items():
        for triple in _graph(*names, doc=doc):
            ds.graph(GRAPH[f"article/{doc}"]).add(triple)
    for name in reference:
        ds.graph(GRAPH["reference"]).parse(FIXTURES / f"{name}.ttl")
    if inferred:
        ds.graph(GRAPH["inferred"]).parse(data=inferred, format="turtle")
    return ds


def _connection_to(system: str) -> str:
    return f"""<fact/a1/links-0f0f0f0f0f0f> a dtkg:Connection ;
        dtkg:connectionFrom <province/ha-noi> ; dtkg:connectionTo <{system}> ; dtkg:connectionStatus dtkg:Planned ;
        prov:wasDerivedFrom <article/a1> ; dtkg:evidence <evidence/a1/0-58> ;
        prov:wasAttributedTo <agent/extractor/links> ; dtkg:observedOn "2025-03-14"^^xsd:date ."""


PER_GRAPH_CASES = {
    "value typed in the reference graph only": (
        {"a1": [_connection_to("system/nen-tang-tich-hop-chia-se-du-lieu-quoc-gia")]}, ["system-ok"]),
    "value of the wrong class in the reference graph": (
        {"a1": [_connection_to("role/pho-chu-tich")]}, ["role-ok"]),
    "all conform": ({"a1": ["membership-ok", "chairing-ok"], "a2": ["ranking-rank-ok", "connection-ok"]}, []),
    "one article breaks a rule": ({"a1": ["membership-ok"], "a2": ["ranking-no-rank-or-score"]}, []),
    "two articles break rules": ({"a1": ["membership-no-role"], "a2": ["meeting-ordinal-zero"]}, []),
    "warning only": ({"a1": ["fact-no-date"], "a2": ["document-ok"]}, []),
    "reference breaks a rule": ({"a1": ["post-ok"], "a2": ["operation-ok"]}, ["province-bad-gso"]),
    "blank node in an article": ({"a1": ["person-blank-node"], "a2": ["role-ok"]}, []),
}


@pytest.mark.parametrize("case", sorted(PER_GRAPH_CASES))
def test_per_graph_validation_gives_the_whole_graph_verdict(case, vocab):
    articles, reference = PER_GRAPH_CASES[case]
    ds = _dataset(vocab, articles, reference)
    whole = validate(ds)
    split = validate_per_graph(ds)
    assert split.conforms == whole.conforms
    keyed = lambda r: {(v.severity, v.shape, v.message, v.path, "_:" if isinstance(v.focus, BNode) else v.focus)
                       for v in r.violations}
    assert keyed(split) == keyed(whole)
    assert len(list(split.report_graph.subjects(RDF.type, SH.ValidationResult))) >= len(whole.errors)


def test_per_graph_validation_in_worker_processes(vocab, monkeypatch):
    from dtkg.validate import per_graph

    pooled = []
    real = per_graph._run_in_processes
    monkeypatch.setattr(per_graph, "_run_in_processes", lambda *a: pooled.append(len(a[0])) or real(*a))
    ds = _dataset(vocab, {"a1": ["membership-no-role"], "a2": ["connection-ok"], "a3": ["document-ok"]})
    one = validate_per_graph(ds, jobs=1)
    for jobs, batch in ((1, 1), (3, 1), (2, 2)):
        run = validate_per_graph(ds, jobs=jobs, batch=batch)
        assert (run.conforms, run.violations, run.text) == (one.conforms, one.violations, one.text)
    assert not one.conforms
    assert pooled == [3, 2]  # batches sent to worker processes


def test_inferred_graph_is_not_validated(vocab):
    ds = _dataset(vocab, {"a1": ["membership-ok"]}, inferred="<urn:x> a <https://w3id.org/dtkg/ontology#Person> .")
    assert validate(ds).conforms
    assert validate_per_graph(ds).conforms


def test_text_report_is_sorted_and_in_plain_words(vocab):
    result = validate(_graph("ranking-no-index", "fact-no-date", "connection-no-system"), ont_graph=vocab)
    lines = result.text.splitlines()
    assert lines[0] == "The graph does NOT conform to the dtkg shapes: 2 violation(s), 1 warning(s)."
    assert lines[1:] == [v.describe() for v in result.violations]
    assert lines[1] == ("[Violation] dtkgr:fact/a1/links-abcdefabcdef breaks dtkgsh:ConnectionShape: A connection "
                        "must name the system it connects to: exactly one dtkg:connectionTo, a "
                        "dtkg:InformationSystem. (path dtkg:connectionTo)")
    assert lines[2].startswith("[Violation] dtkgr:fact/a1/ranking-1234567890ab breaks dtkgsh:RankingEntryShape:")
    assert lines[3].startswith("[Warning] dtkgr:fact/a2/post-0a1b2c3d4e5f breaks dtkgsh:FactShape:")


def test_validate_leaves_the_input_graphs_unchanged(vocab):
    data = _graph("membership-no-role")
    before, vocab_before = len(data), len(vocab)
    validate(data, ont_graph=vocab)
    validate(data)
    assert (len(data), len(vocab)) == (before, vocab_before)


def test_readme_lists_every_shape():
    readme = (resources.folder("shapes") / "README.md").read_text(encoding="utf-8")
    shapes = load_shapes()
    named = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    missing = {s for s in named if isinstance(s, URIRef) and f"`dtkgsh:{s.split('#')[1]}`" not in readme}
    assert not missing


@pytest.mark.parametrize("call", [
    lambda: validate("https://example.org/data.ttl"),
    lambda: validate(Graph(), shapes="shapes/dtkg-shapes.ttl"),
    lambda: validate(Graph(), ont_graph=b"<a> <b> <c> ."),
    lambda: validate_per_graph("dtkg-out/dtkg.trig"),
    lambda: check_shapes("https://example.org/shapes.ttl"),
])
def test_only_rdflib_graphs_are_accepted_never_paths_or_urls(call):
    with pytest.raises(TypeError, match="must be an rdflib Graph"):
        call()
