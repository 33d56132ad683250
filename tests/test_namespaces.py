"""Ontology terms are used only through dtkg.namespaces, and only terms the ontology defines."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

import dtkg
from dtkg import resources
from dtkg.namespaces import DTKG

NS = str(DTKG._NS)
SRC = Path(dtkg.__file__).parent
ATTRIBUTE = re.compile(r"\bDTKG\.([A-Za-z_][A-Za-z0-9_]*)")
ITEM = re.compile(r"""\bDTKG\[\s*(['"])([^'"]+)\1\s*\]""")
PREFIXED = re.compile(r"(?<![\w:/#])dtkg:([A-Za-z_][A-Za-z0-9_]*)")
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)


def defined_terms() -> set[str]:
    g = Graph().parse(resources.folder("ontology") / "dtkg.ttl", format="turtle")
    return {str(s)[len(NS):] for t in DECLARATIONS for s in g.subjects(RDF.type, t) if str(s).startswith(NS)}


DEFINED = defined_terms()
LISTED = {name for name in DTKG.__annotations__ if not name.startswith("_")}


def python_files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("term", sorted(LISTED))
def test_every_listed_term_is_defined_in_the_ontology(term: str) -> None:
    assert term in DEFINED


def test_every_ontology_term_is_listed_in_the_namespace_module() -> None:
    assert DEFINED - LISTED == set()


def test_closed_namespace_refuses_unknown_terms() -> None:
    with pytest.raises(AttributeError):
        DTKG.NoSuchTerm  # noqa: B018
    assert DTKG.Person == URIRef(NS + "Person")


def uses(text: str) -> set[str]:
    """Names of dtkg terms a Python source uses as DTKG.x or DTKG["x"]."""
    return {m.group(1) for m in ATTRIBUTE.finditer(text)} | {m.group(2) for m in ITEM.finditer(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("g.add((s, RDF.type, DTKG.Person))", {"Person"}),
        ('DTKG["gsoCode"], DTKG[\'rank\']', {"gsoCode", "rank"}),
        ("x = MYDTKG.Other; DTKG._NS", {"_NS"}),
    ],
)
def test_scanner_finds_uses(text: str, expected: set[str]) -> None:
    assert uses(text) == expected


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_python_uses_only_defined_terms(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    used = {name for name in uses(text) if not name.startswith("_")}
    assert used - DEFINED == set(), f"{path.name} uses dtkg terms the ontology does not define"
    if path.name != "namespaces.py":
        assert NS not in text, f"{path.name} spells the dtkg namespace; use dtkg.namespaces.DTKG"


def rdf_files() -> list[Path]:
    root = resources.folder("ontology").parent
    found = [p for folder in ("ontology", "shapes", "queries") if (root / folder).is_dir()
             for p in sorted((root / folder).iterdir()) if p.suffix in (".ttl", ".rq")]
    return found


@pytest.mark.parametrize("path", rdf_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_turtle_and_queries_use_only_defined_terms(path: Path) -> None:
    """dtkg:x names in the ontology folder, the shapes and the saved queries exist."""
    text = re.sub(r"#[^\n<>\"]*$", "", path.read_text(encoding="utf-8"), flags=re.M)  # drop comments
    used = {m.group(1) for m in PREFIXED.finditer(text)}
    assert used - DEFINED == set()
