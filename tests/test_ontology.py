"""The ontology: consistent and satisfiable under HermiT, inside OWL 2 DL, documented, and
the role and document-kind schemes complete (ontology/dtkg.ttl, roles.ttl, vocab.ttl)."""
from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import owlready2
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from dtkg import resources
from dtkg.namespaces import DTKG, ID, ONTOLOGY_IRI, ORG
from dtkg.slug import slug

ONTOLOGY = resources.folder("ontology")
TBOX = ("dtkg.ttl", "roles.ttl", "vocab.ttl")
NS = str(DTKG._NS)
HERMIT_JAR = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"


def load(*names: str) -> Graph:
    g = Graph()
    for name in names:
        g.parse(ONTOLOGY / name, format="turtle")
    return g


def for_reasoner(g: Graph, path: Path) -> Path:
    """Write `g` as N-Triples for owlready2, without owl:imports (never followed) and with
    xsd:date/xsd:gYear values as plain literals: OWL 2 has neither datatype, SHACL checks them."""
    out = Graph()
    for s, p, o in g:
        if p == OWL.imports:
            continue
        if isinstance(o, Literal) and o.datatype in (XSD.date, XSD.gYear):
            o = Literal(str(o))
        out.add((s, p, o))
    out.serialize(path, format="nt", encoding="utf-8")
    return path


def hermit(g: Graph, tmp_path: Path) -> list[str]:
    """Run HermiT on `g`; return the IRIs of unsatisfiable classes (raises when inconsistent)."""
    world = owlready2.World()
    world.get_ontology(for_reasoner(g, tmp_path / "input.nt").as_uri()).load(format="ntriples")
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return sorted(c.iri for c in world.inconsistent_classes() if c.iri != str(OWL.Nothing))


@pytest.fixture(scope="module")
def tbox() -> Graph:
    return load(*TBOX)


def test_hermit_ontology_is_consistent_and_every_class_satisfiable(tbox: Graph, tmp_path: Path) -> None:
    assert hermit(tbox, tmp_path) == []


def test_hermit_reference_graph_is_consistent_with_the_ontology(tbox: Graph, tmp_path: Path) -> None:
    assert hermit(tbox + load("reference.ttl"), tmp_path) == []


def test_hermit_reports_an_unsatisfiable_class(tbox: Graph, tmp_path: Path) -> None:
    broken = URIRef(NS + "ProvinceAndMunicipality")
    g = tbox + Graph()
    g.add((broken, RDF.type, OWL.Class))
    g.add((broken, RDFS.subClassOf, DTKG.Province))
    g.add((broken, RDFS.subClassOf, DTKG.Municipality))
    assert hermit(g, tmp_path) == [str(broken)]


def test_hermit_reports_inconsistent_data(tbox: Graph, tmp_path: Path) -> None:
    g = tbox + Graph()
    g.add((ID["province/ha-noi"], RDF.type, DTKG.Province))
    g.add((ID["province/ha-noi"], RDF.type, DTKG.Person))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit(g, tmp_path)


DL_PROFILE_JAVA = """
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class DLProfile {
    public static void main(String[] args) throws Exception {
        OWLOntology o = OWLManager.createOWLOntologyManager().loadOntologyFromOntologyDocument(new File(args[0]));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(o);
        for (OWLProfileViolation v : report.getViolations()) System.out.println("VIOLATION " + v);
        System.out.println(report.isInProfile() ? "IN OWL 2 DL" : "NOT IN OWL 2 DL");
    }
}
"""


def dl_violations(g: Graph, tmp_path: Path) -> list[str]:
    """OWL 2 DL profile violations found by the OWL API that ships inside HermiT.jar."""
    if not shutil.which("java") or not shutil.which("javac"):
        pytest.skip("the OWL 2 DL profile check needs a JDK (java and javac)")
    source = tmp_path / "DLProfile.java"
    source.write_text(DL_PROFILE_JAVA, encoding="utf-8")
    owl = tmp_path / "ontology.owl"
    g.serialize(owl, format="xml")
    run = subprocess.run(["java", "-cp", str(HERMIT_JAR), str(source), str(owl)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "OWL 2 DL" in run.stdout, run.stdout
    return [line for line in run.stdout.splitlines() if line.startswith("VIOLATION")]


def test_ontology_is_in_the_owl2_dl_profile(tbox: Graph, tmp_path: Path) -> None:
    assert dl_violations(tbox, tmp_path) == []


def test_profile_check_reports_punning_between_properties(tbox: Graph, tmp_path: Path) -> None:
    g = tbox + Graph()
    g.add((DTKG.rank, RDF.type, OWL.ObjectProperty))  # rank is a datatype property
    assert any("pun" in v for v in dl_violations(g, tmp_path))


def test_header(tbox: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in tbox
    assert tbox.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/dtkg/ontology/0.1.0")
    assert str(tbox.value(ONTOLOGY_IRI, DCTERMS.license)).startswith("https://creativecommons.org/")
    assert {t.language for t in tbox.objects(ONTOLOGY_IRI, DCTERMS.title)} == {"vi", "en"}
    assert {t.language for t in tbox.objects(ONTOLOGY_IRI, DCTERMS.description)} == {"vi", "en"}


DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)


def dtkg_terms(g: Graph) -> set[URIRef]:
    return {s for t in DECLARATIONS for s in g.subjects(RDF.type, t) if str(s).startswith(NS)}


def test_every_term_has_labels_in_both_languages_and_a_definition(tbox: Graph) -> None:
    terms = dtkg_terms(tbox)
    assert len(terms) > 80
    for term in terms:
        assert {lit.language for lit in tbox.objects(term, RDFS.label)} >= {"vi", "en"}, term
        assert {lit.language for lit in tbox.objects(term, SKOS.definition)} >= {"en", "vi"}, term


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    [
        (ORG.headOf, RDFS.subPropertyOf, ORG.memberOf),
        (DTKG.operatedBy, OWL.inverseOf, DTKG.operates),
        (DTKG.chairedBy, OWL.inverseOf, DTKG.chairs),
        (DTKG.Renaming, RDFS.subClassOf, ORG.ChangeEvent),
        (DTKG.Merger, RDFS.subClassOf, ORG.ChangeEvent),
        (DTKG.Organisation, RDFS.subClassOf, ORG.FormalOrganization),
        (DTKG.Article, OWL.equivalentClass, URIRef("http://schema.org/NewsArticle")),
        (DTKG.Done, RDF.type, DTKG.ConnectionStatus),
        (DTKG.Planned, RDF.type, DTKG.ConnectionStatus),
    ],
)
def test_alignment_axioms(tbox: Graph, subject: URIRef, predicate: URIRef, obj: URIRef) -> None:
    assert (subject, predicate, obj) in tbox


@pytest.mark.parametrize("name", sorted(p.name for p in ONTOLOGY.glob("*.ttl")))
def test_no_owl_same_as_and_no_imports(name: str) -> None:
    g = load(name)
    assert not list(g.triples((None, OWL.sameAs, None)))
    assert not list(g.triples((None, OWL.imports, None)))


# --- the role scheme ----------------------------------------------------------

# The heads of ../shared/eval/GOLD.md ("heads" fact type), and the double title
# "Bộ trưởng, Chủ nhiệm" that GOLD facts use for the head of Văn phòng Chính phủ.
HEADS = {"Bộ trưởng, Chủ nhiệm",
    "Chủ tịch", "Chủ tịch nước", "Trưởng ban", "Bộ trưởng", "Thủ tướng", "Giám đốc", "Bí thư",
    "Tổng Bí thư", "Thống đốc", "Tổng Giám đốc", "Chủ nhiệm", "Chánh Văn phòng", "Cục trưởng",
    "Vụ trưởng", "Viện trưởng", "Tổng Thanh tra", "Tư lệnh", "Tổ trưởng", "Trưởng nhóm", "Trưởng đoàn",
}
REQUIRED_ROLES = HEADS | {
    "Phó Chủ tịch", "Phó Chủ tịch Thường trực", "Phó Thủ tướng", "Phó Thủ tướng Thường trực", "Thứ trưởng",
    "Thứ trưởng Thường trực", "Phó Trưởng ban", "Phó Trưởng ban Thường trực", "Ủy viên", "Thành viên",
    "Phó Bí thư", "Phó Bí thư Thường trực", "Ủy viên Bộ Chính trị", "Ủy viên Trung ương Đảng",
    "Ủy viên Ban Thường vụ", "Bí thư Trung ương Đảng", "Phó Giám đốc", "Phó Tổng Giám đốc", "Phó Thống đốc",
    "Phó Chủ nhiệm", "Phó Chánh Văn phòng", "Phó Cục trưởng", "Phó Vụ trưởng", "Viện phó",
    "Phó Tổng Thanh tra", "Tổ phó", "Chủ tịch Hội đồng quản trị", "Trưởng phòng", "Phó Trưởng phòng",
    "Chánh Thanh tra", "Quyền Giám đốc", "Thành viên Thường trực", "Thường trực", "Ủy viên dự khuyết",
    "Phó Giám đốc phụ trách", "Thứ trưởng, Phó Chủ nhiệm",
}


@pytest.fixture(scope="module")
def roles() -> Graph:
    return load("roles.ttl")


def vi_title(g: Graph, concept: URIRef) -> str:
    return next(str(lit) for lit in g.objects(concept, SKOS.prefLabel) if lit.language == "vi")


def test_every_required_role_is_a_concept_of_the_scheme(roles: Graph) -> None:
    scheme = ID["scheme/roles"]
    for title in REQUIRED_ROLES:
        role = ID[f"role/{slug(title)}"]
        assert (role, RDF.type, ORG.Role) in roles and (role, RDF.type, SKOS.Concept) in roles, title
        assert (role, SKOS.inScheme, scheme) in roles
        assert (role, SKOS.prefLabel, Literal(title, lang="vi")) in roles


def test_heads_flag_is_exactly_the_gold_heads(roles: Graph) -> None:
    flags = {vi_title(roles, r): roles.value(r, DTKG.headsOrganisation) for r in roles.subjects(RDF.type, ORG.Role)}
    assert all(flag is not None for flag in flags.values())
    assert {title for title, flag in flags.items() if flag.toPython() is True} == HEADS


def test_labels_are_unique_across_roles(roles: Graph) -> None:
    labels = Counter((str(o), o.language) for p in (SKOS.prefLabel, SKOS.altLabel) for o in roles.objects(None, p))
    assert [label for label, n in labels.items() if n > 1] == []
    for role in roles.subjects(RDF.type, ORG.Role):
        assert {lit.language for lit in roles.objects(role, SKOS.prefLabel)} == {"vi", "en"}


@pytest.mark.parametrize(
    ("alt", "title"),
    [
        ("UVBTV", "Ủy viên Ban Thường vụ"), ("Ủy viên BTV", "Ủy viên Ban Thường vụ"),
        ("UV BTV", "Ủy viên Ban Thường vụ"), ("Ủy viên Thường vụ", "Ủy viên Ban Thường vụ"),
        ("Uỷ viên Ban Thường vụ", "Ủy viên Ban Thường vụ"), ("Phó trưởng ban", "Phó Trưởng ban"),
        ("Phó Trưởng Ban", "Phó Trưởng ban"), ("PCT", "Phó Chủ tịch"),
        ("Phó Chủ tịch thường trực", "Phó Chủ tịch Thường trực"), ("Thủ tướng Chính phủ", "Thủ tướng"),
        ("Chủ tịch HĐQT", "Chủ tịch Hội đồng quản trị"), ("Bí thư TW Đảng", "Bí thư Trung ương Đảng"),
        ("UVBCT", "Ủy viên Bộ Chính trị"), ("Phó Viện trưởng", "Viện phó"),
    ],
)
def test_press_forms_of_roles(roles: Graph, alt: str, title: str) -> None:
    lit = Literal(alt) if alt.isascii() else Literal(alt, lang="vi")
    assert (ID[f"role/{slug(title)}"], SKOS.altLabel, lit) in roles


# --- the document-kind scheme -------------------------------------------------

KINDS = {
    "Nghị quyết": "both", "Quyết định": "both", "Kế hoạch": "both", "Chỉ thị": "both", "Thông báo": "both",
    "Thông tư": "state", "Nghị định": "state", "Luật": "state", "Công văn": "both",
    "Chương trình hành động": "both", "Đề án": "both", "Kết luận": "party", "Hướng dẫn": "both",
    "Báo cáo": "both", "Tờ trình": "both",
}


@pytest.mark.parametrize(("title", "sphere"), sorted(KINDS.items()))
def test_document_kinds(title: str, sphere: str) -> None:
    g = load("vocab.ttl")
    kind = ID[f"document-kind/{slug(title)}"]
    assert (kind, RDF.type, DTKG.DocumentKind) in g
    assert (kind, SKOS.inScheme, ID["scheme/document-kinds"]) in g
    assert {lit.language for lit in g.objects(kind, SKOS.prefLabel)} == {"vi", "en"}
    party = (ID["scheme/document-kinds-party"], SKOS.member, kind) in g
    state = (ID["scheme/document-kinds-state"], SKOS.member, kind) in g
    assert {"both": (True, True), "party": (True, False), "state": (False, True)}[sphere] == (party, state)
