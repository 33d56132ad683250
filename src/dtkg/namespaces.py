"""Every RDF namespace dtkg uses, in one place (docs/MODEL.md).

`DTKG` is a closed `DefinedNamespace`: using a term it does not list raises, and
tests/test_namespaces.py checks that each listed term is defined in ontology/.
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME, VOID, XSD, DefinedNamespace

BASE = "https://w3id.org/dtkg/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")
ID = Namespace(BASE + "id/")  # resources of the data
GRAPH = Namespace(BASE + "graph/")  # named graphs

ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("http://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
SPDX = Namespace("http://spdx.org/rdf/terms#")  # checksums of the dumps (DCAT 3)


class DTKG(DefinedNamespace):
    """Terms of the dtkg ontology (ontology/dtkg.ttl)."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # people, organisations and their kinds
    Person: URIRef
    Organisation: URIRef
    Government: URIRef
    Ministry: URIRef
    MinisterialAgency: URIRef
    GovernmentAgency: URIRef
    PeoplesCommittee: URIRef
    PeoplesCouncil: URIRef
    PartyCommittee: URIRef
    PartyBody: URIRef
    ProvincialDepartment: URIRef
    SteeringCommittee: URIRef
    NationalSteeringCommittee: URIRef
    ProvincialSteeringCommittee: URIRef
    NationalCommittee: URIRef
    NationalAssembly: URIRef
    MinistryUnit: URIRef
    Enterprise: URIRef
    # places
    AdministrativeUnit: URIRef
    AdministrativeDivision: URIRef
    Province: URIRef
    Municipality: URIRef
    District: URIRef
    Commune: URIRef
    Country: URIRef
    # systems
    InformationSystem: URIRef
    NationalDatabase: URIRef
    NationalPlatform: URIRef
    Portal: URIRef
    Network: URIRef
    Application: URIRef
    # facts, events, documents
    Article: URIRef
    PostHeadship: URIRef
    Chairing: URIRef
    Meeting: URIRef
    Connection: URIRef
    ConnectionStatus: URIRef
    Done: URIRef
    Planned: URIRef
    SystemOperation: URIRef
    RankingIndex: URIRef
    RankingEntry: URIRef
    OfficialDocument: URIRef
    LegalDocument: URIRef
    PartyDocument: URIRef
    DocumentKind: URIRef
    Renaming: URIRef
    Merger: URIRef
    # properties
    evidence: URIRef
    observedOn: URIRef
    textSha256: URIRef
    softwareVersion: URIRef
    headsOrganisation: URIRef
    jurisdiction: URIRef
    headedOrganisation: URIRef
    headingPost: URIRef
    headedByPost: URIRef
    chair: URIRef
    chairedMeeting: URIRef
    chairedBy: URIRef
    chairs: URIRef
    organiser: URIRef
    ordinal: URIRef
    connectionFrom: URIRef
    connectionTo: URIRef
    connectionStatus: URIRef
    connectedTo: URIRef
    operator: URIRef
    operatedSystem: URIRef
    operates: URIRef
    operatedBy: URIRef
    rankedEntity: URIRef
    rankingIndex: URIRef
    rankingYear: URIRef
    rank: URIRef
    score: URIRef
    documentNumber: URIRef
    documentKind: URIRef
    gsoCode: URIRef
    iso3166_2: URIRef
    validFrom: URIRef
    validUntil: URIRef


__all__ = [
    "BASE", "ONTOLOGY_IRI", "ID", "GRAPH", "DTKG", "ORG", "OA", "SCHEMA", "SH", "WD", "SPDX",
    "DCAT", "DCTERMS", "FOAF", "OWL", "PROV", "RDF", "RDFS", "SKOS", "TIME", "VOID", "XSD",
]
