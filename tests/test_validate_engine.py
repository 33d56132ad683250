"""The compiled SHACL engine (dtkg.validate.engine) gives exactly pySHACL's results.

pySHACL is the reference: every fixture of tests/shapes/ and every article graph of the
sample build, as built and after deterministic mutations that break each kind of
constraint the shapes use, is checked by both, and the Violation sets and verdicts must
be equal. Each mutation must also produce results (a comparison of two empty sets
proves nothing), and together the mutations exercise every constraint component of
shapes/dtkg-shapes.ttl.
"""
from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from dtkg import dump, store as st
from dtkg.build import Options, Progress, build
from dtkg.namespaces import SH
from dtkg.validate import SHAPES_NS, load_shapes, validate, validate_per_graph
from dtkg.validate.compiler import UnsupportedShape
from dtkg.validate.engine import Engine
from dtkg.validate.per_graph import UnitChecker
from dtkg.validate.report import Violation, sort_key
from dtkg.validate.terms import to_nt

FIXTURES = Path(__file__).parent / "shapes"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
OA, ORG, DTKG, DCT = "http://www.w3.org/ns/oa#", "http://www.w3.org/ns/org#", "https://w3id.org/dtkg/ontology#", \
    "http://purl.org/dc/terms/"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def lines_of(graph: Graph) -> list[str]:
    return [f"{to_nt(s)} {to_nt(p)} {to_nt(o)} .\n" for s, p, o in graph]


# ---------------------------------------------------------------- tests/shapes fixtures


def _fixture_graph(name: str) -> Graph:
    graph = Graph()
    for part in ("_base", name):
        graph.parse(FIXTURES / f"{part}.ttl", format="turtle")
    return graph


def test_every_shapes_fixture_gives_pyshacls_results():
    vocab = Graph().parse(FIXTURES / "_vocab.ttl")
    engine = Engine(load_shapes(), vocab)
    names = sorted(p.stem for p in FIXTURES.glob("*.ttl") if not p.stem.startswith("_"))
    failing = 0
    for name in names:
        graph = _fixture_graph(name)
        reference = validate(graph, ont_graph=vocab)
        ours = engine.result(engine.check(lines_of(graph)))
        assert set(ours.violations) == set(reference.violations), name
        assert ours.conforms == reference.conforms, name
        assert sorted(ours.text.splitlines()) == sorted(reference.text.splitlines()), name  # ties: any order
        failing += bool(reference.violations)
    assert failing >= 50 and len(names) >= 80


# ---------------------------------------------------------------- the sample build


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("engine") / "out"
    build(Options(out=out, validate=False), Progress(quiet=True))
    store = st.open_read_only(out / "store")
    vocabulary = Graph()
    for graph in (st.ONTOLOGY, st.REFERENCE):
        vocabulary.parse(data="".join(dump.graph_lines(store, graph)), format="nt")
    graphs = sorted((g for g in store.named_graphs() if st.is_article_graph(g)), key=lambda g: g.value)
    articles = {g.value: list(dump.graph_lines(store, g)) for g in graphs}
    del store
    return vocabulary, articles


@pytest.fixture(scope="module")
def engines(sample):
    vocabulary, _ = sample
    return Engine(load_shapes(), vocabulary), UnitChecker(load_shapes(), vocabulary)


def _compare(engine: Engine, checker: UnitChecker, lines: list[str]) -> tuple[list[Violation], set[str]]:
    """Both engines on one article graph: equal results checked; the engine's results and the
    components pySHACL's report names (sh:sourceConstraintComponent, e.g. "minCount")."""
    conforms, reference, report = checker.check(Graph().parse(data="".join(lines), format="nt"))
    ours = engine.check(lines)
    assert len(set(ours)) == len(ours) and [sort_key(v) for v in ours] == sorted(map(sort_key, ours))
    assert set(ours) == set(reference)
    assert engine.result(ours).conforms == conforms
    return ours, _components(report)


def _components(report: Graph) -> set[str]:
    components = {re.sub(r"ConstraintComponent$", "", str(c).rsplit("#", 1)[-1])
                  for c in report.objects(None, SH.sourceConstraintComponent)}
    return {"sparql" if c == "SPARQL" else c[0].lower() + c[1:] for c in components}


def test_sample_build_conforms_in_both_engines(sample, engines):
    _, articles = sample
    engine, checker = engines
    assert len(articles) == 5
    for lines in articles.values():
        assert _compare(engine, checker, lines) == ([], set())
    assert engine.check_vocabulary() == checker.check_vocabulary(exclude=set())[1] == []


def test_whole_dataset_per_graph_validation_equals_the_engine(sample):
    vocabulary, articles = sample
    ds = Dataset()
    broken = _mutated(articles, MUTATIONS[0][2])
    for index, (gid, lines) in enumerate(sorted(articles.items())):
        ds.graph(URIRef(gid)).parse(data="".join(broken if index == 0 else lines), format="nt")
    reference = validate_per_graph(ds, ont_graph=vocabulary)
    engine = Engine(load_shapes(), vocabulary)
    found = set(engine.check_vocabulary())
    for index, (_, lines) in enumerate(sorted(articles.items())):
        found |= set(engine.check(broken if index == 0 else lines))
    result = engine.result(found)
    assert result.violations and set(result.violations) == set(reference.violations)
    assert result.conforms == reference.conforms
    assert sorted(result.text.splitlines()) == sorted(reference.text.splitlines())


# ---------------------------------------------------------------- mutations


def _find(lines: list[str], pattern: str) -> int:
    """Index of the first line matching `pattern` (a regular expression)."""
    regex = re.compile(pattern)
    return next(i for i, line in enumerate(lines) if regex.search(line))


def _subject(line: str) -> str:
    return line.split(" ", 1)[0]


def _object(line: str) -> str:
    return line.split(" ", 2)[2].rsplit(" .", 1)[0]


def _typed(lines, cls: str) -> str:
    return _subject(lines[_find(lines, f"{re.escape(RDF_TYPE)} <{re.escape(cls)}> ")])


def drop(pattern):
    def mutate(lines):
        i = _find(lines, pattern)
        return lines[:i] + lines[i + 1:]
    return mutate


def drop_all(pattern):
    return lambda lines: [x for x in lines if not re.search(pattern, x)]


def replace_object(pattern, new):
    def mutate(lines):
        i = _find(lines, pattern)
        line = lines[i]
        value = new(_object(line), lines) if callable(new) else new
        return lines[:i] + [line[:len(line) - len(_object(line) + " .\n")] + value + " .\n"] + lines[i + 1:]
    return mutate


def add(make):
    return lambda lines: lines + [line if line.endswith("\n") else line + " .\n" for line in make(lines)]


def second_value(pattern, other_class):
    """Give the subject of the first line matching `pattern` a second value: a node of `other_class`."""
    def mutate(lines):
        line = lines[_find(lines, pattern)]
        s, p, o = line.split(" ", 2)
        others = [x for x in {_typed(lines, other_class)} | {_subject(y) for y in lines if f"<{other_class}>" in y
                  and RDF_TYPE in y} if x != _object(line)]
        return lines + [f"{s} {p} {sorted(others)[0]} .\n"]
    return mutate


def swap_span(lines):
    start = _find(lines, f"<{OA}start>")
    node = _subject(lines[start])
    end = _find(lines, f"^{re.escape(node)} <{OA}end>")
    a, b = _object(lines[start]), _object(lines[end])
    out = list(lines)
    out[start] = f"{node} <{OA}start> {b} .\n"
    out[end] = f"{node} <{OA}end> {a} .\n"
    return out


def second_quote_selector(lines):
    target = _typed(lines, OA + "SpecificResource")
    extra = target[:-1] + "/quote2>"
    return lines + [f"{target} <{OA}hasSelector> {extra} .\n", f"{extra} {RDF_TYPE} <{OA}TextQuoteSelector> .\n",
                    f'{extra} <{OA}exact> "x" .\n']


def subclass_in_article(lines):
    node = "<https://w3id.org/dtkg/id/person/khong-ten>"
    cls = "<https://w3id.org/dtkg/id/class/nguoi-la>"
    return lines + [f"{cls} <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{DTKG}Person> .\n",
                    f"{node} {RDF_TYPE} {cls} .\n", f'{node} {RDFS_LABEL} "Unknown"@en .\n']


# name, SHACL components (local names) the mutation must break, the mutation
MUTATIONS = [
    ("drop evidence target", {"minCount"}, drop(f"<{OA}hasTarget>")),
    ("second member", {"maxCount"}, second_value(f"<{ORG}member>", DTKG + "Person")),
    ("ill-typed article date", {"datatype", "equals"},
     replace_object(f"<{DCT}date>", f'"2022-13-45"^^<{XSD}date>')),
    ("English person label", {"languageIn"},
     lambda lines: replace_object(f"^{re.escape(_typed(lines, DTKG + 'Person'))} {re.escape(RDFS_LABEL)}",
                                  lambda o, _: o.rsplit("@", 1)[0] + "@en")(lines)),
    ("post without a Vietnamese name", {"qualifiedMinCount"},
     lambda lines: replace_object(f"^{re.escape(_typed(lines, ORG + 'Post'))} {re.escape(RDFS_LABEL)}",
                                  lambda o, _: o.rsplit("@", 1)[0] + "@en")(lines)),
    ("bad checksum", {"pattern"}, replace_object(f"<{DTKG}textSha256>", '"XYZ"')),
    ("member is an organisation", {"class"},
     lambda lines: replace_object(f"<{ORG}member>", _typed(lines, DTKG + "Ministry"))(lines)),
    ("negative start", {"minInclusive"}, replace_object(f"<{OA}start>", f'"-5"^^<{XSD}integer>')),
    ("ill-typed start", {"or"}, replace_object(f"<{OA}start>", f'"-5"^^<{XSD}nonNegativeInteger>')),
    ("start after end", {"lessThanOrEquals"}, swap_span),
    ("owl:sameAs", {"sparql"}, lambda lines: lines + [
        f"{_typed(lines, DTKG + 'Person')} <http://www.w3.org/2002/07/owl#sameAs> "
        "<http://www.wikidata.org/entity/Q1> .\n"]),
    ("article address as a string", {"nodeKind"},
     add(lambda lines: [f'{_typed(lines, "http://schema.org/NewsArticle")} <http://schema.org/url> "x"'])),
    ("empty quote", {"minLength"}, replace_object(f"<{OA}exact>", '""')),
    ("unknown connection status", {"in"}, replace_object(f"<{DTKG}connectionStatus>", f"<{DTKG}Unknown>")),
    ("role is a person", {"or"}, lambda lines: replace_object(f"<{ORG}role>", _typed(lines, DTKG + "Person"))(lines)),
    ("ranking without rank or score", {"or"}, drop_all(f"<{DTKG}(rank|score)>")),
    ("second quote selector", {"qualifiedMaxCount"}, second_quote_selector),
    ("uncited evidence", {"minCount"}, lambda lines: drop_all(
        f"<{DTKG}evidence> {re.escape(_typed(lines, OA + 'Annotation'))}")(lines)),
    ("untagged organisation label", {"datatype"}, lambda lines: replace_object(
        f"^{re.escape(_typed(lines, DTKG + 'Ministry'))} {re.escape(RDFS_LABEL)}",
        lambda o, _: o.rsplit("@", 1)[0])(lines)),
    ("fact without a date", {"minCount", "equals"}, drop(f"<{DTKG}observedOn>")),
    ("validity date as a string", {"datatype"},
     add(lambda lines: [f'{_typed(lines, DTKG + "Ministry")} <{DTKG}validFrom> "2020"'])),
    ("meeting without a source", {"or"},
     lambda lines: drop(f"^{re.escape(_typed(lines, DTKG + 'Meeting'))} <http://www.w3.org/ns/prov#wasDerivedFrom>")(
         lines)),
    ("ranking year as integer", {"datatype"}, replace_object(f"<{DTKG}rankingYear>", f'"2022"^^<{XSD}integer>')),
    ("negative score", {"minInclusive"}, lambda lines: add(lambda ls: [
        f'{_typed(ls, DTKG + "RankingEntry")} <{DTKG}score> "-1.5"^^<{XSD}decimal>'])(drop_all(f"<{DTKG}score>")(lines))),
    ("subclass declared in the article", {"languageIn"}, subclass_in_article),
]


def _mutated(articles: dict, mutate) -> list[str]:
    """The mutation applied to the first article graph (in IRI order) it applies to."""
    for _, lines in sorted(articles.items()):
        try:
            changed = mutate(list(lines))
        except StopIteration:
            continue
        if changed != lines:
            return changed
    raise AssertionError("the mutation applies to no article graph of the sample build")


@pytest.mark.parametrize("name, components, mutate", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutated_article_graph_gives_pyshacls_results(name, components, mutate, sample, engines):
    _, articles = sample
    engine, checker = engines
    found, broken = _compare(engine, checker, _mutated(articles, mutate))
    assert found, f"{name}: the mutation broke nothing, the comparison proves nothing"
    assert components <= broken, f"{name}: pySHACL's report names {broken}"


def test_messages_in_vietnamese_equal_pyshacls(sample):
    vocabulary, articles = sample
    engine, checker = Engine(load_shapes(), vocabulary, "vi"), UnitChecker(load_shapes(), vocabulary, "vi")
    found = []
    for _, _, mutate in MUTATIONS:
        found += _compare(engine, checker, _mutated(articles, mutate))[0]
    assert any("phải" in v.message for v in found)


def test_deactivated_shapes_give_no_results():
    vocab = Graph().parse(FIXTURES / "_vocab.ttl")
    shapes = Graph()
    for triple in load_shapes():
        shapes.add(triple)
    shapes.parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://w3id.org/dtkg/shapes#PersonShape> sh:deactivated true .
        <https://w3id.org/dtkg/shapes#TaggedLabels> sh:deactivated true .""", format="turtle")
    for name in ("person-no-label", "organisation-untagged-label"):
        graph = _fixture_graph(name)
        assert validate(graph, ont_graph=vocab).violations  # the shapes as they are: a result
        reference = validate(graph, shapes=shapes, ont_graph=vocab)
        assert Engine(shapes, vocab).check(lines_of(graph)) == reference.violations == []


def test_mutations_exercise_every_constraint_component_of_the_shapes():
    shapes = load_shapes()
    used = {str(p)[len(str(SH)):] for p in shapes.predicates() if str(p).startswith(str(SH))}
    components = used & {
        "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "minLength", "pattern",
        "languageIn", "lessThanOrEquals", "equals", "in", "or", "sparql", "qualifiedMinCount", "qualifiedMaxCount",
        "maxInclusive", "maxLength", "hasValue", "node", "not", "and", "xone", "closed", "uniqueLang", "disjoint",
        "lessThan", "minExclusive", "maxExclusive",
    }
    exercised = set().union(*(m[1] for m in MUTATIONS))
    assert components - exercised == set()


# ---------------------------------------------------------------- the engine's own contract


def test_unknown_constraint_component_is_refused():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:S> a sh:NodeShape ; sh:targetClass <urn:x:C> ;
            sh:property [ sh:path <urn:x:p> ; sh:maxLength 3 ; sh:message "m" ] .
    """, format="turtle")
    with pytest.raises(UnsupportedShape, match="maxLength"):
        Engine(shapes, Graph())


def test_default_engine_is_cached_and_results_pickle(sample):
    _, articles = sample
    engine = Engine.default("vi")
    assert Engine.default("vi") is engine and Engine.default("en") is not engine
    lines = _mutated(articles, MUTATIONS[0][2])
    found = engine.check(lines)
    assert found and pickle.loads(pickle.dumps(found)) == found
    assert all(str(v.shape).startswith(SHAPES_NS) for v in found)


def test_engine_runs_in_spawned_worker_processes(sample):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from dtkg.validate.engine import check_lines

    _, articles = sample
    graphs = [_mutated(articles, MUTATIONS[0][2]), _mutated(articles, MUTATIONS[4][2])]
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        found = list(pool.map(check_lines, graphs))
    assert all(found) and found == [Engine.default().check(lines) for lines in graphs]


def test_report_graph_is_deterministic(sample):
    _, articles = sample
    engine = Engine.default("en")
    found = engine.check(_mutated(articles, MUTATIONS[2][2]))
    first = engine.result(found).report_graph.serialize(format="turtle")
    again = engine.result(list(reversed(found))).report_graph.serialize(format="turtle")
    assert first == again and "sh:ValidationReport" in first and "sh:resultPath" in first
    result = engine.result(found)
    assert not result.conforms and len(list(result.report_graph.subjects(SH.focusNode, None))) == len(found)
