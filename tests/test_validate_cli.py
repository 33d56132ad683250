"""`dtkg validate`: exit codes 0 (conforms), 1 (does not conform, says why), 2 (cannot read input)."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from dtkg.cli import main
from dtkg.namespaces import GRAPH, SH

FIXTURES = Path(__file__).parent / "shapes"
VOCAB = str(FIXTURES / "_vocab.ttl")
BROKEN_LINE = "dtkgr:fact/a1/post-0a1b2c3d4e5f breaks dtkgsh:MembershipShape: A membership must have exactly one org:role"


def _fixture(*names: str) -> Graph:
    graph = Graph()
    for name in ("_base", *names):
        graph.parse(FIXTURES / f"{name}.ttl")
    return graph


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail loudly if anything tries to open a network connection."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network use attempted: {args!r}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _write(tmp_path: Path, graph: Graph, name: str, fmt: str) -> str:
    path = tmp_path / name
    path.write_text(graph.serialize(format=fmt), encoding="utf-8")
    return str(path)


def test_conforming_file_exits_0(tmp_path, capsys):
    path = _write(tmp_path, _fixture("membership-ok"), "ok.ttl", "turtle")
    assert main(["validate", path, "--ontology", VOCAB]) == 0
    assert "conforms" in capsys.readouterr().out


def test_breaking_file_exits_1_and_says_which_node_broke_which_rule(tmp_path, capsys):
    path = _write(tmp_path, _fixture("membership-no-role"), "bad.ttl", "turtle")
    assert main(["validate", path, "--ontology", VOCAB]) == 1
    out = capsys.readouterr().out
    assert "does NOT conform" in out
    assert BROKEN_LINE in out


def test_report_language_option(tmp_path, capsys):
    path = _write(tmp_path, _fixture("membership-no-role"), "bad.ttl", "turtle")
    assert main(["validate", path, "--ontology", VOCAB, "--lang", "vi"]) == 1
    out = capsys.readouterr().out
    assert "vi phạm dtkgsh:MembershipShape: Một quan hệ giữ chức vụ phải có đúng một org:role" in out


def test_several_files_are_validated_together(capsys):
    files = [str(FIXTURES / "_base.ttl"), str(FIXTURES / "membership-no-role.ttl")]
    assert main(["validate", *files, "--ontology", VOCAB]) == 1
    assert BROKEN_LINE in capsys.readouterr().out


def test_warnings_are_printed_but_do_not_fail(tmp_path, capsys):
    path = _write(tmp_path, _fixture("fact-no-date"), "warn.ttl", "turtle")
    assert main(["validate", path, "--ontology", VOCAB]) == 0
    assert "[Warning] dtkgr:fact/a2/post-0a1b2c3d4e5f" in capsys.readouterr().out


@pytest.mark.parametrize("suffix, fmt", [
    (".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld"), (".rdf", "xml"), (".trig", "trig"), (".nq", "nquads"),
])
def test_every_rdf_syntax_is_read_by_extension(tmp_path, suffix, fmt):
    graph = _fixture("membership-no-role")
    if fmt in ("trig", "nquads"):
        dataset = Dataset()
        for triple in graph:
            dataset.graph(GRAPH["article/a1"]).add(triple)
        graph = dataset
    path = _write(tmp_path, graph, "data" + suffix, fmt)
    assert main(["validate", path, "--ontology", VOCAB]) == 1


def _build_dir(tmp_path: Path, *articles: str) -> Path:
    """A build folder whose dtkg.trig holds the ontology and reference graphs and one article graph."""
    dataset = Dataset()
    dataset.graph(GRAPH["ontology"]).parse(VOCAB)
    dataset.graph(GRAPH["reference"]).parse(FIXTURES / "province-ok.ttl")
    for triple in _fixture(*articles):
        dataset.graph(GRAPH["article/a1"]).add(triple)
    out = tmp_path / "out"
    out.mkdir()
    (out / "dtkg.trig").write_text(dataset.serialize(format="trig"), encoding="utf-8")
    return out


@pytest.mark.parametrize("article, jobs, code", [
    ("membership-ok", "1", 0), ("membership-no-role", "1", 1), ("membership-ok", "2", 0), ("membership-no-role", "2", 1),
])
def test_graph_option_reads_the_build_dump(tmp_path, capsys, article, jobs, code):
    out = _build_dir(tmp_path, article)
    assert main(["validate", "--graph", str(out), "--jobs", jobs]) == code
    assert (BROKEN_LINE in capsys.readouterr().out) is (code == 1)


@pytest.mark.parametrize("make, reason", [
    (lambda d: d / "missing.ttl", "No such file or directory"),
    (lambda d: _text(d / "bad.ttl", "<a> <b> ."), "Bad syntax"),
    (lambda d: _text(d / "bad.nt", "<a> <b> <c>"), "cannot read"),
    (lambda d: _text(d / "notes.md", "# not RDF"), "unknown extension '.md'"),
    (lambda d: _text(d / "bad.jsonld", "{not json"), "not JSON"),
    (lambda d: _text(d / "bad.rdf", "<rdf:RDF"), "cannot read"),
])
def test_unreadable_input_exits_2_with_the_reason(tmp_path, capsys, make, reason):
    path = make(tmp_path)
    assert main(["validate", str(path), "--ontology", VOCAB]) == 2
    err = capsys.readouterr().err
    assert f"cannot read {path}: " in err
    assert reason in err


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_build_folder_exits_2(tmp_path, capsys):
    assert main(["validate", "--graph", str(tmp_path / "nowhere")]) == 2
    assert f"cannot read {tmp_path / 'nowhere' / 'dtkg.trig'}" in capsys.readouterr().err


def test_no_input_exits_2(capsys):
    assert main(["validate"]) == 2
    assert "give FILE(s) or --graph OUTDIR" in capsys.readouterr().err


def test_turtle_report(tmp_path, capsys):
    path = _write(tmp_path, _fixture("membership-no-role"), "bad.ttl", "turtle")
    assert main(["validate", path, "--ontology", VOCAB, "--format", "turtle"]) == 1
    report = Graph().parse(data=capsys.readouterr().out, format="turtle")
    top = next(report.subjects(None, SH.ValidationReport))
    assert report.value(top, SH.conforms).toPython() is False
    assert len(list(report.objects(top, SH.result))) == 1


def test_help_explains_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["validate", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out
    assert "0  the graph conforms" in out and "1  the graph does not conform" in out and "2  a file could not" in out


REMOTE_JSONLD = [
    '{"@context": "https://schema.org/", "@id": "https://w3id.org/dtkg/id/article/a9", "@type": "NewsArticle"}',
    '{"@context": [{"dct": "http://purl.org/dc/terms/"}, "https://example.org/context.jsonld"], "@id": "urn:x"}',
    '{"@graph": [{"@context": "http://example.org/nested.jsonld", "@id": "urn:y"}]}',
    '{"@context": {"@import": "https://example.org/imported.jsonld"}, "@id": "urn:z"}',
]


@pytest.mark.parametrize("text", REMOTE_JSONLD)
def test_jsonld_with_a_remote_context_is_refused_without_network_use(tmp_path, capsys, text):
    path = _text(tmp_path / "remote.jsonld", text)
    assert main(["validate", str(path), "--ontology", VOCAB]) == 2
    err = capsys.readouterr().err
    assert f"cannot read {path}: JSON-LD context" in err
    assert "never fetches" in err


def test_jsonld_with_an_inline_context_is_read(tmp_path):
    path = _text(tmp_path / "inline.jsonld", """{
      "@context": {"schema": "http://schema.org/", "dct": "http://purl.org/dc/terms/"},
      "@id": "https://w3id.org/dtkg/id/article/a9", "@type": "schema:NewsArticle", "dct:identifier": "a9"}""")
    assert main(["validate", str(path), "--ontology", VOCAB]) == 0


@pytest.mark.parametrize("entity", [
    '<!ENTITY ext SYSTEM "http://example.org/secret.txt">',
    '<!ENTITY ext PUBLIC "-//X//EN" "file:///etc/passwd">',
    '<!ENTITY % ext SYSTEM "http://example.org/parameter.dtd"> %ext;',
    '<!ENTITY ext "text">',
    "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10 if i else "lol"}">' for i in range(6)) + '<!ENTITY ext "&l5;">',
])
def test_rdfxml_with_entity_declarations_is_refused_without_network_use(tmp_path, capsys, entity):
    path = _text(tmp_path / "entity.rdf", f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {entity} ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="urn:x"><dct:title>&ext;</dct:title></rdf:Description>
</rdf:RDF>""")
    assert main(["validate", str(path), "--ontology", VOCAB]) == 2
    assert "XML entity declarations are not allowed" in capsys.readouterr().err


def test_rdfxml_external_dtd_is_not_fetched(tmp_path):
    path = _text(tmp_path / "dtd.rdf", """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF SYSTEM "http://example.org/rdf.dtd">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="urn:x"><dct:title>t</dct:title></rdf:Description>
</rdf:RDF>""")
    assert main(["validate", str(path), "--ontology", VOCAB]) == 0


def test_console_script(tmp_path):
    script = Path(sys.executable).parent / "dtkg"
    if not script.exists():
        pytest.skip("the dtkg console script is not installed next to this Python")
    bad = _write(tmp_path, _fixture("membership-no-role"), "bad.ttl", "turtle")
    good = _write(tmp_path, _fixture("membership-ok"), "good.ttl", "turtle")
    runs = {
        path: subprocess.run([str(script), "validate", path, "--ontology", VOCAB], capture_output=True, text=True,
                             timeout=120)
        for path in (good, bad, str(tmp_path / "missing.ttl"))
    }
    assert [run.returncode for run in runs.values()] == [0, 1, 2]
    assert BROKEN_LINE in runs[bad].stdout
    assert "cannot read" in runs[str(tmp_path / "missing.ttl")].stderr


def test_the_sample_build_conforms(tmp_path, capsys):
    """The emitter and the shapes agree: the bundled sample corpus builds into a conforming graph."""
    pytest.importorskip("dtkg.commands.build")
    out = tmp_path / "out"
    assert main(["build", "--out", str(out), "--quiet"]) in (0, 1)
    capsys.readouterr()
    assert main(["validate", "--graph", str(out)]) == 0, capsys.readouterr().out


def test_custom_shapes_are_used(tmp_path, capsys):
    shapes = _text(tmp_path / "shapes.ttl", """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix dtkg: <https://w3id.org/dtkg/ontology#> .
        <urn:x:NoPersons> a sh:NodeShape ; sh:targetClass dtkg:Person ;
            sh:property [ sh:path <urn:x:never> ; sh:minCount 1 ; sh:message "persons need urn:x:never" ] .""")
    assert main(["validate", str(FIXTURES / "_base.ttl"), "--no-ontology", "--shapes", str(shapes)]) == 1
    assert "persons need urn:x:never" in capsys.readouterr().out


def test_invalid_custom_shapes_exit_2(tmp_path, capsys):
    shapes = _text(tmp_path / "shapes.ttl", """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:S> a sh:NodeShape ; sh:property [ sh:path <urn:x:p> ; sh:maxCount "one" ] .""")
    assert main(["validate", str(FIXTURES / "_base.ttl"), "--shapes", str(shapes)]) == 2
    assert "is not valid SHACL" in capsys.readouterr().err


def test_ill_typed_literal_is_a_violation_without_a_traceback(tmp_path, capsys):
    path = _text(tmp_path / "ill.ttl", """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/dtkg/id/article/a2> a <http://schema.org/NewsArticle> ;
            <http://purl.org/dc/terms/identifier> "a2" ;
            <http://purl.org/dc/terms/date> "2025-13-45"^^xsd:date .""")
    assert main(["validate", str(path), "--ontology", VOCAB]) == 1
    captured = capsys.readouterr()
    assert 'breaks dtkgsh:ArticleShape' in captured.out and '"2025-13-45"^^xsd:date' in captured.out
    assert "Traceback" not in captured.err


def test_a_validator_failure_exits_2(tmp_path, capsys):
    shapes = _text(tmp_path / "shapes.ttl", """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:S> a sh:NodeShape ; sh:targetClass <http://schema.org/NewsArticle> ;
            sh:sparql [ a sh:SPARQLConstraint ; sh:message "m" ; sh:select "SELECT $this WHERE { this is not SPARQL" ] .""")
    assert main(["validate", str(FIXTURES / "_base.ttl"), "--no-ontology", "--shapes", str(shapes)]) == 2
    assert "validation could not run" in capsys.readouterr().err
