"""Turn one article's facts into the triples of its named graph (docs/MODEL.md, "RDF written").

`article_graph(document, facts)` returns the graph as N-Triples lines, in a deterministic
order, without duplicates and without blank nodes. Terms come only from `dtkg.namespaces`.

The emitter writes each term straight in N-Triples syntax (`term_nt` of the rdflib term it
stands for) and collects lines: making rdflib terms only to write them out again cost more
than the rest of the emitter. The lines keep the terms each was written from (`Lines.terms`),
so the steps after emit need not split them again; `rdflib_triples(lines)` reads them back
as rdflib triples (the build never does), and `nt_lines` writes rdflib triples (the tests'
reference for what the emitter writes).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Iterable

from rdflib import Literal, URIRef

from dtkg import __version__
from dtkg.model import Entity, Fact
from dtkg import namespaces
from dtkg.rdf import iris

Triple = tuple[URIRef, URIRef, URIRef | Literal]


class _Cached:
    """A namespace whose terms are written in N-Triples once: rdflib validates and builds a new
    URIRef on every attribute access, which costs more than the rest of the emitter."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        term = f"<{getattr(self._namespace, name)}>"  # unknown dtkg: terms still raise here
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> str:
        return getattr(self, name)


DCTERMS, DTKG, OA, ORG, PROV, RDF, RDFS, SCHEMA = (
    _Cached(getattr(namespaces, n)) for n in ("DCTERMS", "DTKG", "OA", "ORG", "PROV", "RDF", "RDFS", "SCHEMA")
)

DEFAULT_CLASS = {
    "person": DTKG.Person, "org": DTKG.Organisation, "province": DTKG.Province,
    "system": DTKG.InformationSystem, "role": ORG.Role, "post": ORG.Post,
    "meeting": DTKG.Meeting, "document": DTKG.LegalDocument, "country": DTKG.Country,
}
NODE_CLASS = {
    "post": ORG.Membership, "headed_by_post": DTKG.PostHeadship, "presides": DTKG.Chairing,
    "links": DTKG.Connection, "operates": DTKG.SystemOperation, "ranking": DTKG.RankingEntry,
    "renamed": DTKG.Renaming,
}
STATUS = {"done": DTKG.Done, "planned": DTKG.Planned}


@lru_cache(maxsize=1)
def head_roles() -> frozenset[str]:
    """IRIs of the roles that head their organisation (`dtkg:headsOrganisation true` in roles.ttl)."""
    import pyoxigraph as ox

    from dtkg.resources import folder

    path = folder("ontology") / "roles.ttl"
    if not path.exists():
        return frozenset()
    heads = set()
    with path.open("rb") as fh:
        for triple in ox.parse(fh, ox.RdfFormat.TURTLE):
            if triple.predicate.value == str(namespaces.DTKG.headsOrganisation) and triple.object.value in ("true", "1"):
                heads.add(triple.subject.value)
    return frozenset(heads)


# --- terms, written in N-Triples -----------------------------------------------------------

def iri(term: URIRef | None) -> str | None:
    """An IRI from `dtkg.rdf.iris` in N-Triples (None stays None: no triple)."""
    return None if term is None else f"<{term}>"


def plain(text: str) -> str:
    """A plain literal (as `term_nt(Literal(text))`: rdflib keeps a plain lexical form as it is)."""
    return '"' + escaped(text) + '"'


@lru_cache(maxsize=1 << 16)
def vi(text: str) -> str:
    """A Vietnamese label: NFC, whitespace collapsed (rdflib keeps a tagged lexical form as it is)."""
    return plain(" ".join(unicodedata.normalize("NFC", text).split())) + "@vi"


@lru_cache(maxsize=1 << 16)
def typed(lexical: str, datatype: str) -> str:
    """A typed literal as rdflib writes it (it may normalise the lexical form): made once per value."""
    return term_nt(Literal(lexical, datatype=getattr(namespaces.XSD, datatype)))


def date_literal(value: dt.date) -> str:
    return typed(value.isoformat(), "date")


def position_literal(value: int) -> str:
    """A character offset: xsd:nonNegativeInteger."""
    return typed(str(int(value)), "nonNegativeInteger")


def integer(value: int) -> str:
    return typed(str(int(value)), "integer")


def decimal(value: Any) -> str:
    """An xsd:decimal in Oxigraph's canonical notation ("0.7453", "2"; never "7.453E-1")."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    return typed(format(number.normalize(), "f"), "decimal")


@lru_cache(maxsize=256)
def software_agent(extractor: str) -> tuple[str, str]:
    """The agent of an extractor ('name@1.2') and its version literal: a handful per build, asked for per fact."""
    return iri(iris.agent_iri(extractor)), plain(iris.split_extractor(extractor)[1] or __version__)


class Emitter:
    """Collects the triples of one article graph (N-Triples terms), once each, in the order first written."""

    def __init__(self, document, heads: frozenset[str]):
        self.doc = document
        self.heads = heads
        self.article = iri(iris.article_iri(document.id))
        self.triples: dict[tuple[str, str, str], None] = {}
        self.labelled: set[str] = set()

    def add(self, s: str, p: str, o: str | None) -> None:
        if o is not None:
            self.triples[(s, p, o)] = None

    def article_resource(self) -> None:
        doc, a = self.doc, self.article
        self.add(a, RDF.type, SCHEMA.NewsArticle)
        self.add(a, DCTERMS.identifier, plain(doc.id))
        self.add(a, SCHEMA.url, iri(iris.web_iri(doc.url)))
        if doc.title and doc.title.strip():
            self.add(a, DCTERMS.title, vi(doc.title))
        if doc.date:
            self.add(a, DCTERMS.date, date_literal(doc.date))
        self.add(a, DTKG.textSha256, plain(hashlib.sha256(doc.text.encode("utf-8")).hexdigest()))

    def entity(self, entity: Entity) -> str:
        """Write an entity's class and (first) label; return its IRI."""
        node = iri(iris.entity_iri(entity))
        cls = DTKG[entity.cls] if entity.cls else DEFAULT_CLASS[entity.kind]
        self.add(node, RDF.type, cls)
        if node not in self.labelled and entity.name and entity.name.strip():
            self.labelled.add(node)
            self.add(node, RDFS.label, vi(entity.name))
        if entity.place is not None:
            self.add(node, DTKG.jurisdiction, self.entity(entity.place))
        return node

    def provenance(self, node: str, fact: Fact) -> None:
        """The provenance every fact node carries, and the evidence annotation."""
        ev = fact.evidence
        evidence = iri(iris.evidence_iri(self.doc.id, ev.start, ev.end))
        agent, version = software_agent(fact.extractor)
        self.add(node, PROV.wasDerivedFrom, self.article)
        self.add(node, DTKG.evidence, evidence)
        self.add(node, PROV.wasAttributedTo, agent)
        if self.doc.date:
            self.add(node, DTKG.observedOn, date_literal(self.doc.date))
        self.add(agent, RDF.type, PROV.SoftwareAgent)
        self.add(agent, DTKG.softwareVersion, version)
        target, quote_, position = (f"{evidence[:-1]}/{part}>" for part in ("target", "quote", "position"))
        self.add(evidence, RDF.type, OA.Annotation)
        self.add(evidence, OA.hasBody, node)
        self.add(evidence, OA.hasTarget, target)
        self.add(target, RDF.type, OA.SpecificResource)
        self.add(target, OA.hasSource, self.article)
        self.add(target, OA.hasSelector, quote_)
        self.add(target, OA.hasSelector, position)
        self.add(quote_, RDF.type, OA.TextQuoteSelector)
        self.add(quote_, OA.exact, plain(ev.quote))
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, position_literal(ev.start))
        self.add(position, OA.end, position_literal(ev.end))

    def fact(self, fact: Fact) -> None:
        """Write one fact: its node, its properties and shortcuts, its entities, its provenance."""
        node = iri(iris.fact_node(self.doc.id, fact))
        if fact.type in NODE_CLASS:
            self.add(node, RDF.type, NODE_CLASS[fact.type])
        getattr(self, f"fact_{fact.type}")(node, fact.args)
        self.provenance(node, fact)
        if fact.type == "presides":  # the article describes the meeting too (MODEL.md: it gets provenance)
            self.provenance(iri(iris.entity_iri(fact.args["meeting"])), fact)

    def fact_post(self, node: str, a: dict) -> None:
        person, role, org = self.entity(a["person"]), self.entity(a["role"]), self.entity(a["org"])
        self.add(node, ORG.member, person)
        self.add(node, ORG.organization, org)
        self.add(node, ORG.role, role)
        if role[1:-1] in self.heads:
            self.add(person, ORG.headOf, org)

    def fact_headed_by_post(self, node: str, a: dict) -> None:
        org, post_entity = self.entity(a["org"]), a["post"]
        post = self.entity(post_entity)
        self.add(node, DTKG.headedOrganisation, org)
        self.add(node, DTKG.headingPost, post)
        self.add(org, DTKG.headedByPost, post)
        post_org, role = post_entity.get("org"), post_entity.get("role")
        if isinstance(post_org, Entity):
            self.add(post, ORG.postIn, self.entity(post_org))
        if isinstance(role, Entity):
            self.add(post, ORG.role, self.entity(role))
        elif iris.post_role(post_entity) is not None:
            role_iri = iri(iris.post_role(post_entity))
            self.add(post, ORG.role, role_iri)
            self.add(role_iri, RDF.type, ORG.Role)
            if isinstance(role, str) and role.strip() and role_iri not in self.labelled:
                self.labelled.add(role_iri)
                self.add(role_iri, RDFS.label, vi(role))

    def fact_presides(self, node: str, a: dict) -> None:
        person, meeting = self.entity(a["person"]), self.entity(a["meeting"])
        self.add(node, DTKG.chair, person)
        self.add(node, DTKG.chairedMeeting, meeting)
        self.add(meeting, DTKG.chairedBy, person)

    def fact_meeting(self, node: str, a: dict) -> None:
        self.entity(a["meeting"])
        if a.get("org") is not None:
            self.add(node, DTKG.organiser, self.entity(a["org"]))
        if a.get("date"):
            self.add(node, DCTERMS.date, date_literal(a["date"]))
        if a.get("ordinal") is not None:
            self.add(node, DTKG.ordinal, integer(a["ordinal"]))

    def fact_links(self, node: str, a: dict) -> None:
        subject, system = self.entity(a["subject"]), self.entity(a["object"])
        status = STATUS[a.get("status") or "done"]
        self.add(node, DTKG.connectionFrom, subject)
        self.add(node, DTKG.connectionTo, system)
        self.add(node, DTKG.connectionStatus, status)
        if status == DTKG.Done:
            self.add(subject, DTKG.connectedTo, system)

    def fact_operates(self, node: str, a: dict) -> None:
        org, system = self.entity(a["org"]), self.entity(a["system"])
        self.add(node, DTKG.operator, org)
        self.add(node, DTKG.operatedSystem, system)
        self.add(org, DTKG.operates, system)

    def fact_ranking(self, node: str, a: dict) -> None:
        self.add(node, DTKG.rankedEntity, self.entity(a["entity"]))
        self.add(node, DTKG.rankingIndex, iri(iris.index_iri(a.get("index") or "DTI")))
        if a.get("year") is not None:
            self.add(node, DTKG.rankingYear, typed(f"{int(a['year']):04d}", "gYear"))
        if a.get("rank") is not None:
            self.add(node, DTKG.rank, integer(a["rank"]))
        if a.get("score") is not None:
            self.add(node, DTKG.score, decimal(a["score"]))

    def fact_document(self, node: str, a: dict) -> None:
        self.entity(a["document"])
        if a.get("number"):
            self.add(node, DTKG.documentNumber, plain(str(a["number"])))
        if a.get("kind"):
            self.add(node, DTKG.documentKind, iri(iris.document_kind_iri(a["kind"])))
        if a.get("date"):
            self.add(node, DCTERMS.issued, date_literal(a["date"]))
        if isinstance(a.get("issuer"), Entity):
            self.add(node, DCTERMS.creator, self.entity(a["issuer"]))

    def fact_renamed(self, node: str, a: dict) -> None:
        old, new = self.entity(a["old"]), self.entity(a["new"])
        self.add(node, ORG.originalOrganization, old)
        self.add(node, ORG.resultingOrganization, new)
        if a.get("date"):
            self.add(node, DCTERMS.date, date_literal(a["date"]))
        self.add(new, ORG.resultedFrom, node)
        self.add(old, ORG.changedBy, node)


def article_graph(document, facts: Iterable[Fact], heads: frozenset[str] | None = None) -> "Lines":
    """The N-Triples lines of one article's named graph: the article resource, its facts, their evidence."""
    emitter = Emitter(document, head_roles() if heads is None else heads)
    emitter.article_resource()
    for fact in facts:
        emitter.fact(fact)
    return Lines({f"{s} {p} {o} .\n": (s, p, o) for s, p, o in emitter.triples})


def rdflib_triples(lines: "Lines") -> list[Triple]:
    """The rdflib triples of emitted lines: IRIs are written as they are, literals escaped by `_ESCAPES`."""
    from dtkg.validate.terms import split_literal  # (that module reads _ESCAPES from here)

    def term(t: str):
        if t[0] == "<":
            return URIRef(t[1:-1])
        lexical, language, datatype = split_literal(t)
        return Literal(lexical, lang=language, datatype=None if datatype is None else URIRef(datatype))

    return [(URIRef(s[1:-1]), URIRef(p[1:-1]), term(o)) for s, p, o in lines.terms.values()]


# --- N-Triples syntax ---------------------------------------------------------------------

# Escapes as Oxigraph writes N-Triples, so a line reads the same whichever wrote it.
_ESCAPES = str.maketrans({
    **{chr(c): f"\\u{c:04X}" for c in (*range(0x20), 0x7F)},
    "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f",
})

_NEEDS_ESCAPE = re.compile("[" + "".join(re.escape(chr(c)) for c in _ESCAPES) + "]")


def escaped(text: str) -> str:
    """The text with `_ESCAPES` applied; searching for a character to escape is much faster than
    `translate`, and quotes and labels seldom hold one."""
    return text if _NEEDS_ESCAPE.search(text) is None else text.translate(_ESCAPES)


_IRI_NT: dict[str, str] = {}  # IRIs repeat (predicates, classes, entities): each is written once


def term_nt(term: URIRef | Literal) -> str:
    """A term in N-Triples syntax."""
    if type(term) is URIRef:
        nt = _IRI_NT.get(term)
        if nt is None:
            nt = f"<{term}>"
            if len(_IRI_NT) < 100_000:
                _IRI_NT[term] = nt
        return nt
    if isinstance(term, Literal):
        body = '"' + escaped(str(term)) + '"'
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype and term.datatype != namespaces.XSD.string:
            return f"{body}^^<{term.datatype}>"
        return body
    if isinstance(term, URIRef):
        return f"<{term}>"
    raise TypeError(f"not allowed in published data: {term!r}")


class Lines(list):
    """N-Triples lines that know the terms each was written from: `terms[line]` is what
    `line[:-3].split(" ", 2)` gives (IRIs hold no spaces), without splitting it again."""

    def __init__(self, terms: dict[str, tuple[str, str, str]]):
        super().__init__(terms)
        self.terms = terms


def nt_lines(triples: Iterable[Triple]) -> list[str]:
    """rdflib triples as N-Triples lines."""
    return [f"{term_nt(s)} {term_nt(p)} {term_nt(o)} .\n" for s, p, o in triples]
