"""Saved queries: headers, expected rows on the fixture graph, parameter binding, refusals."""
from __future__ import annotations

import time

import pytest
from rdflib import Literal, URIRef

from dtkg import guard, queries
from dtkg.cli import main
from fixture_graph import build_folder, memory_store

A, B = "fixture_a", "fixture_b"
UB_NB = "Ủy ban nhân dân tỉnh Ninh Bình"
BCD_NB = "Ban Chỉ đạo chuyển đổi số tỉnh Ninh Bình"
UBQG = "Ủy ban Quốc gia về chuyển đổi số"
DC = "Cơ sở dữ liệu quốc gia về dân cư"
DD = "Cơ sở dữ liệu quốc gia về đất đai"
MEETING3 = "Phiên họp thứ ba của Ủy ban Quốc gia về chuyển đổi số"
_ = None


@pytest.fixture(scope="module")
def store():
    return memory_store()


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return build_folder(tmp_path_factory.mktemp("build"))


def rows(result: queries.Result) -> list[tuple]:
    return [tuple(r[c] for c in result.columns) for r in result.records()]


# ---------------------------------------------------------------- expected rows per query

EXPECTED = [
    ("who-chairs-what", {}, [
        ("Nguyễn Văn An", UB_NB, A), ("Trần Minh Châu", "Chính phủ", B),
        ("Trần Minh Châu", UBQG, B), ("Đỗ Hữu Dũng", UB_NB, B)]),
    ("posts", {}, [
        ("Lê Thị Bình", "Phó Chủ tịch", UB_NB, A), ("Nguyễn Văn An", "Chủ tịch", UB_NB, A),
        ("Trần Minh Châu", "Thủ tướng", "Chính phủ", B), ("Trần Minh Châu", "Chủ tịch", UBQG, B),
        ("Đỗ Hữu Dũng", "Chủ tịch", UB_NB, B)]),
    ("headed-by-post", {}, [(BCD_NB, "Chủ tịch Ủy ban nhân dân tỉnh Ninh Bình", A)]),
    ("meetings-chaired", {}, [("Trần Minh Châu", MEETING3, "2024-09-24", B)]),
    ("province-links-database", {}, [(UB_NB, DC, "done", A), (UB_NB, DD, "planned", A)]),
    ("operators", {}, [("Bộ Công an", DC, B)]),
    ("rankings", {}, [("Ninh Bình", "DTI", "2023", "12", "0.5123", A), ("Hà Nội", "DTI", "2023", "1", _, B)]),
    ("documents", {}, [
        ("983/QĐ-UBND", "Quyết định", "2024-05-10", UB_NB, A), ("505/KH-UBQG", "Kế hoạch", _, UBQG, B)]),
    ("meetings", {}, [(MEETING3, UBQG, "2024-09-24", "3", B)]),
    ("renamed", {}, [("Ban Chỉ đạo xây dựng chính quyền điện tử tỉnh Ninh Bình", BCD_NB, "2021-03-15", A)]),
    ("current-heads", {}, [
        ("Chính phủ", "Thủ tướng", "Trần Minh Châu", "2024-09-24", B),
        (UBQG, "Chủ tịch", "Trần Minh Châu", "2024-09-24", B),
        (UB_NB, "Chủ tịch", "Đỗ Hữu Dũng", "2024-09-24", B)]),
    ("person", {"name": "nguyễn văn an"}, [("Nguyễn Văn An", "heads", "Chủ tịch", UB_NB, "2024-08-08", A)]),
    ("person", {"iri": "https://w3id.org/dtkg/id/person/tran-minh-chau"}, [
        ("Trần Minh Châu", "heads", "Thủ tướng", "Chính phủ", "2024-09-24", B),
        ("Trần Minh Châu", "heads", "Chủ tịch", UBQG, "2024-09-24", B),
        ("Trần Minh Châu", "presides", _, MEETING3, "2024-09-24", B)]),
    ("person", {"name": "Lê Thị Bình"}, [("Lê Thị Bình", "post", "Phó Chủ tịch", UB_NB, "2024-08-08", A)]),
    ("province", {"name": "Hà Nội"}, [("Hà Nội", "ranking", "Hà Nội", "DTI 2023", "rank 1, score ?", _, B)]),
    ("province", {"iri": "https://w3id.org/dtkg/id/province/ninh-binh"}, [
        ("Ninh Bình", "head", "Nguyễn Văn An", UB_NB, "Chủ tịch", "2024-08-08", A),
        ("Ninh Bình", "head", "Đỗ Hữu Dũng", UB_NB, "Chủ tịch", "2024-09-24", B),
        ("Ninh Bình", "links", UB_NB, DC, "done", "2024-08-08", A),
        ("Ninh Bình", "links", UB_NB, DD, "planned", "2024-08-08", A),
        ("Ninh Bình", "organisation", BCD_NB, _, _, _, A),
        ("Ninh Bình", "organisation", "Ban Chỉ đạo xây dựng chính quyền điện tử tỉnh Ninh Bình", _, _, _, A),
        ("Ninh Bình", "organisation", UB_NB, _, _, _, A),
        ("Ninh Bình", "organisation", UB_NB, _, _, _, B),
        ("Ninh Bình", "ranking", "Ninh Bình", "DTI 2023", "rank 12, score 0.5123", _, A)]),
    ("database-links", {"system": "DÂN CƯ"}, [(DC, UB_NB, "Ninh Bình", "done", A)]),
    ("database-links", {"system": "CSDLQG về dân cư"}, [(DC, UB_NB, "Ninh Bình", "done", A)]),
    ("database-links", {"iri": "https://w3id.org/dtkg/id/system/co-so-du-lieu-quoc-gia-ve-dat-dai"}, [
        (DD, UB_NB, "Ninh Bình", "planned", A)]),
    ("committee-meetings", {}, [("3", "2024-09-24", MEETING3, "Trần Minh Châu", B)]),
    ("dti-ranking", {"year": "2023"}, [("1", "Hà Nội", _, B), ("12", "Ninh Bình", "0.5123", A)]),
    ("dti-ranking", {"year": "2022"}, []),
]


@pytest.mark.parametrize(("name", "params", "expected"), EXPECTED, ids=[f"{n}-{i}" for i, (n, _p, _e) in enumerate(EXPECTED)])
def test_saved_query_rows(store, name, params, expected):
    result = queries.run_saved(name, params, store=store)
    assert result.columns == list(queries.load_query(name).columns)
    assert rows(result) == expected


def test_every_saved_query_has_a_test_and_a_header():
    tested = {name for name, _p, _e in EXPECTED} | {name for name, _s in BREAKS}
    for name, q in queries.saved_queries().items():
        assert q.title and q.description and q.columns, name
        assert name in tested, f"{name}.rq has no expected-rows test"


# ---------------------------------------------------------------- quality checks (OBO *-violation)

BREAKS = [
    ("evidence-quote-violation", 'DELETE WHERE { GRAPH ?g { ?q <http://www.w3.org/ns/oa#exact> ?x } }'),
    ("evidence-offsets-violation", 'DELETE WHERE { GRAPH ?g { ?q <http://www.w3.org/ns/oa#end> ?x } }'),
    ("membership-without-role-violation", 'DELETE WHERE { GRAPH ?g { ?m <http://www.w3.org/ns/org#role> ?r } }'),
    ("fact-provenance-violation", 'DELETE WHERE { GRAPH ?g { ?f <http://www.w3.org/ns/prov#wasAttributedTo> ?a } }'),
    ("entity-label-violation", 'DELETE WHERE { GRAPH <https://w3id.org/dtkg/graph/article/fixture_b> '
                               '{ <https://w3id.org/dtkg/id/org/bo-cong-an> <http://www.w3.org/2000/01/rdf-schema#label> ?l } }'),
    ("connection-status-violation", 'DELETE WHERE { GRAPH ?g { ?c <https://w3id.org/dtkg/ontology#connectionStatus> ?s } }'),
    ("ranking-value-violation", 'DELETE WHERE { GRAPH ?g { ?e <https://w3id.org/dtkg/ontology#rank> ?r } }'),
    ("blank-node-violation", 'INSERT DATA { GRAPH <https://w3id.org/dtkg/graph/article/fixture_a> '
                             '{ _:b <http://www.w3.org/2000/01/rdf-schema#label> "x" } }'),
]


@pytest.mark.parametrize(("name", "breakage"), BREAKS, ids=[b[0] for b in BREAKS])
def test_violation_query_passes_good_graph_and_catches_broken_one(store, name, breakage):
    assert queries.run_saved(name, store=store).rows == []
    broken = memory_store()
    broken.update(breakage)
    assert queries.run_saved(name, store=broken).rows, f"{name} did not catch: {breakage}"


def test_every_violation_query_is_tested():
    names = {n for n in queries.saved_queries() if n.endswith("-violation")}
    assert names == {n for n, _b in BREAKS}


ROLE = "<http://www.w3.org/ns/org#role>"
MISSING = [  # an optional piece removed: the row stays, once, with an empty cell (no cross product)
    ("posts", {}, f"DELETE WHERE {{ GRAPH ?g {{ <https://w3id.org/dtkg/id/fact/fixture_a/post-2b3c4d5e6f70> {ROLE} ?r }} }}", 5),
    ("person", {"iri": "https://w3id.org/dtkg/id/person/tran-minh-chau"},
     f"DELETE WHERE {{ GRAPH ?g {{ <https://w3id.org/dtkg/id/fact/fixture_b/post-708192a3b4c5> {ROLE} ?r }} }}", 3),
    ("documents", {}, "DELETE WHERE { GRAPH ?g { ?d <https://w3id.org/dtkg/ontology#documentKind> ?k } }", 2),
    ("database-links", {}, "DELETE WHERE { GRAPH ?g { ?o <https://w3id.org/dtkg/ontology#jurisdiction> ?p } }", 2),
    ("province-links-database", {}, "DELETE WHERE { GRAPH ?g { ?c <https://w3id.org/dtkg/ontology#connectionStatus> ?s } }", 2),
    ("meetings-chaired", {}, "DELETE WHERE { GRAPH ?g { ?m <http://purl.org/dc/terms/date> ?d } }", 1),
    ("rankings", {}, "DELETE WHERE { GRAPH ?g { ?e <https://w3id.org/dtkg/ontology#rankingIndex> ?i } }", 2),
    ("who-chairs-what", {}, "DELETE WHERE { GRAPH ?g { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l } }", 4),
]


@pytest.mark.parametrize(("name", "params", "breakage", "n"), MISSING, ids=[m[0] for m in MISSING])
def test_missing_optional_piece_keeps_one_row(name, params, breakage, n):
    broken = memory_store()
    broken.update(breakage)
    result = queries.run_saved(name, params, store=broken)
    assert len(result.rows) == n
    assert any(None in r or "" in r or any(str(c).startswith("https://") for c in r if c) for r in result.rows)


# ---------------------------------------------------------------- parameters as RDF terms

INJECTIONS = [
    ("person", "name", 'x" || true || "'),
    ("person", "name", '") } ; DROP ALL ; SELECT * WHERE { ("'),
    ("person", "name", "Nguyễn Văn An\" . ?s ?p ?o . FILTER(\"1\"=\"1"),
    ("province", "name", "x' || true || '"),
    ("database-links", "system", '"} UNION { ?s ?p ?o } #'),
    ("database-links", "system", "\\\" SERVICE <http://127.0.0.1:9/> {} #"),
]


@pytest.mark.parametrize(("name", "param", "payload"), INJECTIONS)
def test_injection_in_string_parameter_returns_no_rows(store, name, param, payload):
    assert queries.run_saved(name, {param: payload}, store=store).rows == []


BAD_IRIS = [
    "http://ex/x> ?p ?o } #",
    "https://w3id.org/dtkg/id/person/x> . ?s ?p ?o . <y",
    "https://w3id.org/dtkg/id/person/a b",
    'https://w3id.org/dtkg/id/person/"x"',
    "https://w3id.org/dtkg/id/person/{x}",
    "not an iri",
    "",
]


@pytest.mark.parametrize("payload", BAD_IRIS)
def test_bad_iri_parameter_is_a_clear_error(store, payload):
    with pytest.raises(queries.ParamError, match="not an absolute IRI"):
        queries.run_saved("person", {"iri": payload}, store=store)


@pytest.mark.parametrize(("name", "params", "message"), [
    ("dti-ranking", {}, "needs parameter"),
    ("dti-ranking", {"year": "2023 } #"}, "four-digit year"),
    ("dti-ranking", {"year": "20233"}, "four-digit year"),
    ("person", {"nam": "x"}, "has no parameter 'nam'"),
    ("who-chairs-what", {"x": "1"}, "has no parameter"),
    ("person", {"name": "\udcff\udcfe"}, "not valid UTF-8"),
])
def test_parameter_errors(store, name, params, message):
    with pytest.raises(queries.ParamError, match=message):
        queries.run_saved(name, params, store=store)


@pytest.mark.parametrize(("kind", "value", "n3"), [
    ("string", 'a"b', '"a\\"b"'),
    ("integer", "12", '"12"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("decimal", "0.5123", '"0.5123"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ("year", "2023", '"2023"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
    ("date", "2024-09-24", '"2024-09-24"^^<http://www.w3.org/2001/XMLSchema#date>'),
    ("iri", "https://w3id.org/dtkg/id/x", "<https://w3id.org/dtkg/id/x>"),
])
def test_make_term(kind, value, n3):
    assert queries.make_term(queries.Param("p", kind, ""), value).n3() == n3


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { VALUES (?x) { (<urn:x>) }  ?x ?p ?o }"),
    ("SELECT * { ?x ?p ?o }", "SELECT * { VALUES (?x) { (<urn:x>) }  ?x ?p ?o }"),
    ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "CONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { (<urn:x>) }  ?x ?p ?o }"),
    ("# where { \nSELECT ?x WHERE { ?x ?p \"{\" }", "# where { \nSELECT ?x WHERE { VALUES (?x) { (<urn:x>) }  ?x ?p \"{\" }"),
])
def test_values_block_goes_at_the_start_of_the_where_group(text, expected):
    assert queries.bind_terms(text, {"x": URIRef("urn:x")}) == expected


def test_values_block_goes_where_the_query_marks_its_parameters():
    text = "SELECT ?y WHERE {\n  {\n    # parameters: here\n    ?x ?p ?y\n  }\n  ?y ?q ?z\n}"
    bound = queries.bind_terms(text, {"x": URIRef("urn:x")})
    assert bound == "SELECT ?y WHERE {\n  {\n     VALUES (?x) { (<urn:x>) } # parameters: here\n    ?x ?p ?y\n  }\n  ?y ?q ?z\n}"
    assert queries.bind_terms(text, {}) == text


def _group_around(text: str, at: int) -> tuple[int, int]:
    """Offsets of the `{` … `}` group that encloses offset `at` (braces in the saved queries are all syntax)."""
    depth, start = 0, at
    while start > 0:
        start -= 1
        if text[start] == "}":
            depth += 1
        elif text[start] == "{":
            if depth == 0:
                break
            depth -= 1
    depth, end = 0, at
    while end < len(text):
        if text[end] == "{":
            depth += 1
        elif text[end] == "}":
            if depth == 0:
                break
            depth -= 1
        end += 1
    return start, end


@pytest.mark.parametrize("name", [n for n, q in queries.saved_queries().items() if "# parameters:" in q.text])
def test_marked_parameters_are_used_only_inside_their_group(name):
    """A VALUES block in the marked group joins the same rows as one at the start of the WHERE group
    when the group is joined at the top of the WHERE group and a parameter used outside it (the
    entity variable, e.g. ?iri) is bound inside it too; the others (?name, ?system) are used only in it."""
    import re

    q = queries.load_query(name)
    body = "\n".join(line for line in q.text.splitlines() if not line.lstrip().startswith("#") or "parameters:" in line)
    at = body.index("# parameters:")
    start, end = _group_around(body, at)
    where = body.index("{", body.index("WHERE"))
    assert _group_around(body, start) == (where, body.rindex("}")), f"{name}.rq: the parameter group is not at the top"
    for param in q.params:
        uses = [m.start() for m in re.finditer(rf"\?{param.name}\b", body)]
        inside = [u for u in uses if start < u < end]
        assert inside, f"{name}.rq: ?{param.name} is not used in its parameter group"
        if len(inside) < len(uses):
            group = body[start:end]
            assert re.search(rf"SELECT DISTINCT \?{param.name} WHERE", group), \
                f"{name}.rq uses ?{param.name} outside its parameter group, which does not bind it"


@pytest.mark.parametrize(("name", "params", "column", "value"), [
    ("province", {"iri": "https://w3id.org/dtkg/id/province/ninh-binh"}, "province", "Ninh Bình"),
    ("province", {"name": "ninh bình"}, "province", "Ninh Bình"),
    ("province", {"name": "Hà Nội"}, "province", "Hà Nội"),
    ("person", {"iri": "https://w3id.org/dtkg/id/person/tran-minh-chau"}, "person", "Trần Minh Châu"),
    ("person", {"name": "ĐỖ HỮU DŨNG"}, "person", "Đỗ Hữu Dũng"),
    ("database-links", {"iri": "https://w3id.org/dtkg/id/system/co-so-du-lieu-quoc-gia-ve-dan-cu"}, "database", DC),
    ("database-links", {"system": "đất đai"}, "database", DD),
])
def test_a_parameter_bound_first_gives_the_rows_of_the_whole_table_for_it(store, name, params, column, value):
    """The entity a parameter names is bound before the rest is looked up: the rows are exactly
    those the query without parameters gives for that entity, in the same order."""
    whole = queries.run_saved(name, {}, store=store).records()
    some = queries.run_saved(name, params, store=store).records()
    assert some and some == [r for r in whole if r[column] == value]


def test_unknown_entity_parameter_gives_no_rows(store):
    assert queries.run_saved("province", {"name": "Atlantis"}, store=store).rows == []
    assert queries.run_saved("person", {"iri": "https://w3id.org/dtkg/id/person/nobody"}, store=store).rows == []
    assert queries.run_saved("database-links", {"system": "no such system"}, store=store).rows == []


# ---------------------------------------------------------------- refused queries

REFUSED = [
    ("SERVICE", "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }"),
    ("SERVICE", "SELECT * WHERE { service SILENT <http://127.0.0.1:{port}/> { ?s ?p ?o } }"),
    ("SERVICE", "PREFIX ex: <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICEex:b { ?s ?p ?o } }"),
    ("SERVICE", "PREFIX : <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICE:a { ?s ?p ?o } }"),
    ("SERVICE", "SELECT * WHERE { SERV\\u0049CE <http://127.0.0.1:{port}/> { ?s ?p ?o } }"),
    ("SERVICE", "SELECT * WHERE {?s ?p ?o}SERVICE<http://127.0.0.1:{port}/>{?s ?p ?o}"),
    ("Update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
    ("Update", "DELETE WHERE { ?s ?p ?o }"),
    ("Update", "DROP ALL"),
    ("Update", "CLEAR DEFAULT"),
    ("Update", "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"),
    ("LOAD", "LOAD <http://127.0.0.1:{port}/data.ttl>"),
    ("LOAD", "LOAD <file:///etc/passwd> INTO GRAPH <urn:x>"),
    ("FROM", "SELECT * FROM <http://127.0.0.1:{port}/x> WHERE { ?s ?p ?o }"),
    ("FROM", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"),
    ("FROM", "SELECT * FROM NAMED <http://127.0.0.1:{port}/x> WHERE { GRAPH ?g { ?s ?p ?o } }"),
    ("FROM", "PREFIX d: <http://127.0.0.1:{port}/> SELECT * FROM d:x WHERE { ?s ?p ?o }"),
    ("FROM", "BASE <http://127.0.0.1:{port}/> SELECT * FROM <x> WHERE { ?s ?p ?o }"),
    ("FROM", "PREFIX d: <https://w3id.org/dtkg/graph/> PREFIX d: <http://127.0.0.1:{port}/> SELECT * FROM d:x WHERE { ?s ?p ?o }"),
    ("FROM", "SELECT * FROMex:x WHERE { ?s ?p ?o }"),
    ("size", "SELECT * WHERE { ?s ?p ?o } #" + "x" * guard.MAX_QUERY_BYTES),
    ("Unicode", 'SELECT * WHERE { ?s ?p "\udcff" }'),
]



@pytest.mark.parametrize(("what", "text"), REFUSED)
def test_refused_queries_open_no_connection(store, listener, what, text):
    port, seen = listener
    text = text.replace("{port}", str(port))
    with pytest.raises(guard.RefusedQuery, match="refused"):
        queries.run_text(text, store=store)
    time.sleep(0.05)
    assert seen == []


def test_the_listener_would_see_an_unguarded_service_call(store, listener):
    """Control: without the guard, the engine does call out (so the test above means something)."""
    port, seen = listener
    with pytest.raises(Exception):
        list(store.query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}"))
    deadline = time.time() + 2
    while not seen and time.time() < deadline:
        time.sleep(0.05)
    assert seen


@pytest.mark.parametrize("text", [
    "SELECT * FROM <https://w3id.org/dtkg/graph/article/fixture_a> WHERE { ?s a <http://schema.org/NewsArticle> }",
    'SELECT ?s WHERE { ?s ?p "SERVICE <http://x> {}" } # SERVICE LOAD DROP',
    "PREFIX schema: <http://schema.org/> SELECT ?s WHERE { ?s a schema:Service }",
    "SELECT ?service ?loaded WHERE { ?service ?p ?loaded } LIMIT 1",
])
def test_harmless_queries_are_allowed(store, text):
    queries.run_text(text, store=store)


def test_runaway_query_is_stopped_and_others_still_answer(store):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    start = time.perf_counter()
    with pytest.raises(queries.QueryTimeout):
        queries.run_text(slow, store=store, timeout=0.3)
    assert time.perf_counter() - start < 2
    quick = queries.run_saved("operators", store=store, timeout=5)
    assert len(quick.rows) == 1


# ---------------------------------------------------------------- the command

def test_cli_list(capsys):
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    assert "who-chairs-what\n  Who chairs what" in out
    assert "--param year=…" in out


def test_cli_table_csv_json(build, capsys):
    assert main(["query", "dti-ranking", "--param", "year=2023", "--graph", str(build)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["rank", "entity", "score", "doc"]
    assert table[2].split() == ["1", "Hà", "Nội", "fixture_b"]
    assert table[-1] == "(2 rows)"
    assert main(["query", "operators", "--graph", str(build), "--format", "csv"]) == 0
    assert capsys.readouterr().out == f"org,system,doc\nBộ Công an,{DC},fixture_b\n"
    assert main(["query", "operators", "--graph", str(build), "--format", "json"]) == 0
    assert '"system": "Cơ sở dữ liệu quốc gia về dân cư"' in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["query", "no-such-query"],
    ["query", "dti-ranking"],
    ["query", "dti-ranking", "--param", "yr=2023"],
    ["query", "dti-ranking", "--param", "2023"],
    ["query", "operators", "--endpoint", "not-a-url"],
    ["query", "operators", "--endpoint", "http://127.0.0.1:9/query", "--timeout", "2"],
    ["query", "--text", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"],
    ["query", "operators", "--graph", "/nonexistent/dtkg-out"],
])
def test_cli_errors_exit_2(build, capsys, argv):
    if "--graph" not in argv and "--endpoint" not in argv:
        argv = argv + ["--graph", str(build)]
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("dtkg query: ")


def test_result_cells_keep_their_terms(store):
    result = queries.run_text("SELECT ?r WHERE { GRAPH ?g { ?f <https://w3id.org/dtkg/ontology#rank> ?r } } ORDER BY ?r",
                              store=store)
    assert result.rows == [(Literal("1", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")),),
                           (Literal("12", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")),)]


def test_guard_refuses_every_variant_that_makes_the_engine_call_out(listener):
    """Differential check: run SERVICE variants on a bare engine; each one that calls out must be refused."""
    import itertools
    import random

    import pyoxigraph

    port, seen = listener
    before = ["?s ?p ex:a.", "?s ?p ex:a", "?s ?p _:b.", "?s ?p 1.", "?s ?p 1.e1", '?s ?p "x"@en.', "{}",
              "OPTIONAL{}", "?s ?p ex:a\\.", '?s ?p "x"^^ex:t.', "?s ?p true."]
    words = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT"]
    gaps = ["", " ", "\n", "#c\n"]
    combos = sorted(itertools.product(before, words, gaps, gaps, range(3)))
    engine = pyoxigraph.Store()
    texts = {}
    for i, (pre, word, gap1, gap2, form) in enumerate(random.Random(7).sample(combos, 300)):
        target = [f"<http://127.0.0.1:{port}/q{i}>", f"ex:q{i}", f"?v {{}} VALUES ?v {{ <http://127.0.0.1:{port}/q{i}> }}"][form]
        tail = "" if form == 2 else " {}"
        texts[f"/q{i}"] = f"PREFIX ex: <http://127.0.0.1:{port}/> SELECT * WHERE {{ {pre}{gap1}{word}{gap2}{target}{tail} }}"
        try:
            list(engine.query(texts[f"/q{i}"]))
        except (SyntaxError, OSError, RuntimeError, ValueError):
            pass
    time.sleep(0.3)
    called = {line.split()[1].decode() for line in seen if line.startswith(b"POST")}
    assert len(called) > 50  # the variants are real: the bare engine did call out
    for path in called:
        with pytest.raises(guard.RefusedQuery):
            guard.check_query(texts[path])


def test_province_lists_the_connections_the_province_itself_makes(tmp_path):
    """'Khánh Hòa đã kết nối …' (sample article 003): the province is the connection's subject."""
    from dtkg.build import Options, Progress, build
    from dtkg.resources import sample_corpus

    source = next(sample_corpus().glob("003_*.txt"))
    out = tmp_path / "out"
    assert build(Options(sources=[str(source)], out=out, validate=False), Progress(quiet=True)).status == "built"
    store = queries.open_store(out)
    rows = queries.run_saved("province", {"iri": "https://w3id.org/dtkg/id/province/khanh-hoa"}, store=store).records()
    links = [(r["subject"], r["object"], r["detail"]) for r in rows if r["relation"] == "links"]
    assert ("Khánh Hòa", "Hệ thống thu thập, đánh giá việc sử dụng thông tin và dịch vụ công trực tuyến", "done") in links
