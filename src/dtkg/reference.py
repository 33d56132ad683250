"""Build the reference graph (ontology/reference.ttl) from the curated CSVs in src/dtkg/data/reference.

The graph holds the provincial-level units (the 63 of 2008 – June 2025 and the 34 from
July 2025), the ministries, the national systems and their operators, the bodies of
bodies.csv, the 2025 reorganisations as change events, and one resource per source.
Run `python -m dtkg.reference` to rewrite the Turtle; a test checks it is unchanged.

Strict on purpose: a name that does not resolve, a code that disagrees between files, or
an unknown class raises instead of being skipped.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from dtkg import resources
from dtkg.namespaces import DCAT, DCTERMS, DTKG, GRAPH, ID, ONTOLOGY_IRI, ORG, PROV, RDF, SCHEMA, SKOS, WD, XSD
from dtkg.slug import canonical_tones, other_tones, slug
from dtkg.ttlwriter import write_turtle

CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
COUNTRY = ID["country/viet-nam"]
GOVERNMENT_NAME = "Chính phủ"
PROVINCE_REFORM, MINISTRY_REFORM = "nq-202-2025-qh15", "nq-176-2025-qh15"
DIVISIONS = {"2008": "provinces-2021", "2025": "provinces-2025"}
SYSTEM_CLASSES = {"database": "NationalDatabase", "platform": "NationalPlatform", "portal": "Portal",
                  "network": "Network", "app": "Application"}
MINISTRY_CLASSES = {"bộ": "Ministry", "cơ quan ngang bộ": "MinisterialAgency"}


def read(name: str) -> list[dict[str, str]]:
    """Rows of one CSV of src/dtkg/data/reference, cells stripped."""
    with open(resources.data("reference") / name, encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def cells(value: str) -> list[str]:
    """The items of a `;`-separated list cell."""
    return [item.strip() for item in value.split(";") if item.strip()]


def date(value: str) -> Literal:
    """An xsd:date literal from an ISO date (raises on a malformed date)."""
    return Literal(dt.date.fromisoformat(value).isoformat(), datatype=XSD.date)


def day_before(value: str) -> str:
    """The ISO date of the day before: the last day of a unit that ends when another begins."""
    return (dt.date.fromisoformat(value) - dt.timedelta(days=1)).isoformat()


def label(text: str) -> Literal:
    """A label: @vi when it has Vietnamese letters, else a plain (language-neutral) string."""
    return Literal(text, lang="vi") if not text.isascii() else Literal(text)


def dtkg(name: str) -> URIRef:
    """The dtkg: term named in a CSV cell; raises for a name the ontology does not define."""
    return DTKG[name]


class Builder:
    """Collects the reference graph, row by row, and resolves names to IRIs."""

    def __init__(self) -> None:
        self.g = Graph()
        self.orgs: dict[str, URIRef] = {}  # name_vi → IRI
        self.sources = {row["id"]: row for row in read("sources.csv")}

    # ---------------------------------------------------------------- helpers
    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.g.add((s, p, o))

    def labels(self, s: URIRef, pref: str, alts: list[str], en: str = "") -> None:
        """prefLabel@vi (and @en), every alternative name and both tone placements as altLabel."""
        self.add(s, SKOS.prefLabel, Literal(pref, lang="vi"))
        if en:
            self.add(s, SKOS.prefLabel, Literal(en, lang="en"))
        for alt in [pref, *alts]:
            for form in {alt, canonical_tones(alt), other_tones(alt)}:
                if form not in (pref, en):
                    self.add(s, SKOS.altLabel, label(form))

    def source(self, key: str) -> URIRef:
        """The IRI of a row of sources.csv (documents follow the document IRI rule)."""
        row = self.sources[key]
        if row["type"] in ("document", "party-document"):
            return ID[f"document/{slug(row['kind'])}-{slug(row['number'])}"]
        return ID[f"source/{key}"]

    def cite(self, s: URIRef, *keys: str) -> None:
        """`s dct:source` each of the sources.csv rows `keys`."""
        for key in keys:
            self.add(s, DCTERMS.source, self.source(key))

    def org(self, name: str) -> URIRef:
        """The IRI of an organisation already read, by its Vietnamese name."""
        if name not in self.orgs:
            raise KeyError(f"organisation {name!r} is not in ministries.csv or bodies.csv")
        return self.orgs[name]

    def change(self, cls: str, originals: list[URIRef], result: URIRef, doc: str, names: tuple[str, str]) -> None:
        """A change event: originals → result on the day the document took effect."""
        old = "_".join(sorted(str(o).rsplit("/", 1)[1] for o in originals))
        event = ID[f"change/{old}--{str(result).rsplit('/', 1)[1]}"]
        self.add(event, RDF.type, dtkg(cls))
        for o in originals:
            self.add(event, ORG.originalOrganization, o)
            self.add(o, ORG.changedBy, event)
        self.add(event, ORG.resultingOrganization, result)
        self.add(result, ORG.resultedFrom, event)
        self.add(event, DCTERMS.date, date(self.sources[doc]["effective"]))
        self.add(event, PROV.wasDerivedFrom, self.source(doc))
        self.cite(event, doc)
        verb = {"Merger": ("Sắp xếp, hợp nhất", "Merger of"), "Renaming": ("Đổi tên", "Renaming of")}[cls]
        self.add(event, SKOS.prefLabel, Literal(f"{verb[0]} {names[0]} thành {names[1]}", lang="vi"))
        self.add(event, SKOS.prefLabel, Literal(f"{verb[1]} {names[0]} into {names[1]}", lang="en"))

    # ---------------------------------------------------------------- sources
    def add_sources(self) -> None:
        """One resource per row of sources.csv: files and data sets, legal and party documents."""
        for key, row in self.sources.items():
            s = self.source(key)
            if row["type"] in ("document", "party-document"):
                cls = "LegalDocument" if row["type"] == "document" else "PartyDocument"
                self.add(s, RDF.type, dtkg(cls))
                self.add(s, DTKG.documentNumber, Literal(row["number"]))
                self.add(s, DTKG.documentKind, ID[f"document-kind/{slug(row['kind'])}"])
                self.labels(s, f"{row['kind']} {row['number']}", [f"{row['kind']} số {row['number']}"])
                if row["date"]:
                    self.add(s, DCTERMS.issued, date(row["date"]))
            else:
                self.add(s, RDF.type, PROV.Entity)
                self.add(s, RDF.type, DCAT.Dataset)
            for lang in ("vi", "en"):
                if row[f"title_{lang}"]:
                    self.add(s, DCTERMS.title, Literal(row[f"title_{lang}"], lang=lang))
            for cited in cells(row["cites"]):
                self.add(s, PROV.wasDerivedFrom, self.source(cited))
            if row["citation"]:
                self.add(s, DCTERMS.bibliographicCitation, Literal(row["citation"]))
            if row["note"]:
                self.add(s, SKOS.note, Literal(row["note"], lang="en"))

    def link_orgs(self) -> None:
        """Issuers of documents and parents of units, once every organisation is known."""
        for key, row in self.sources.items():
            if row["issuer"]:
                self.add(self.source(key), DCTERMS.creator, self.org(row["issuer"]))
        for row in read("bodies.csv"):
            if row["parent"]:
                self.add(self.org(row["name_vi"]), ORG.subOrganizationOf, self.org(row["parent"]))

    # ---------------------------------------------------------------- bodies
    def add_bodies(self) -> None:
        """The country, the Government and the other bodies of bodies.csv, and the DTI index."""
        for row in read("bodies.csv"):
            kind = row["kind"]
            s = ID[f"{kind}/{slug(row['key'] or row['name_vi'])}"]
            if kind == "org":
                self.orgs[row["name_vi"]] = s
            self.add(s, RDF.type, dtkg(row["class"]))
            self.labels(s, row["name_vi"], cells(row["alt_names"]), row["name_en"])
            self.cite(s, *cells(row["sources"]))
            if row["wikidata"]:
                self.same_as(s, row["wikidata"])
            for prop, col in ((DTKG.validFrom, "valid_from"), (DTKG.validUntil, "valid_until")):
                if row[col]:
                    self.add(s, prop, date(row[col]))
            if row["notes"]:
                self.add(s, SKOS.note, Literal(row["notes"], lang="en"))
            if kind == "org" and row["class"] not in ("MinistryUnit", "Enterprise"):
                self.add(s, DTKG.jurisdiction, COUNTRY)

    def same_as(self, s: URIRef, qid: str) -> None:
        """Link `s` to a Wikidata item with skos:exactMatch and schema:sameAs (never owl:sameAs)."""
        if not re.fullmatch(r"Q[1-9][0-9]*", qid):
            raise ValueError(f"not a Wikidata item id: {qid!r}")
        self.add(s, SKOS.exactMatch, WD[qid])
        self.add(s, SCHEMA.sameAs, WD[qid])

    # ---------------------------------------------------------------- provinces
    def province(self, row: dict[str, str], s: URIRef, division: str, file: str) -> None:
        """The facts one row of provinces-20xx.csv states about unit `s`."""
        name = row["name_vi"]
        city = row["type"] == "thành phố trực thuộc trung ương"
        if not city and row["type"] != "tỉnh":
            raise ValueError(f"unknown unit type {row['type']!r} for {name}")
        forms = ("thành phố", "Thành phố", "TP", "TP.") if city else ("tỉnh", "Tỉnh")
        alts = [row["official_name_vi"], *cells(row["alt_names"]), *(f"{f} {name}" for f in forms), row["name_ascii"]]
        self.add(s, RDF.type, DTKG.Municipality if city else DTKG.Province)
        self.labels(s, name, alts + ([f"TP.{name}"] if city else []))
        self.add(s, DTKG.gsoCode, Literal(row["gso_code"]))
        self.add(s, DCTERMS.isPartOf, ID[f"division/{division}"])
        self.cite(s, file, *cells(self.sources[file]["cites"]))
        if row.get("iso_3166_2"):
            self.add(s, DTKG.iso3166_2, Literal(row["iso_3166_2"]))
        if row.get("wikidata_qid"):
            self.same_as(s, row["wikidata_qid"])
        if row["notes"]:
            self.add(s, SKOS.note, Literal(row["notes"], lang="en"))

    def add_provinces(self) -> None:
        """The 63 units of 2008, the 34 of 2025 (one resource when unchanged) and the change events between them."""
        old = {row["name_vi"]: row for row in read("provinces-2021.csv")}
        iris = {name: ID[f"province/{slug(name)}"] for name in old}
        for name, row in old.items():
            self.province(row, iris[name], "2008", "provinces-2021")
        renames = {r["original"]: r for r in read("changes.csv") if r["scope"] == "province"}
        reform = self.sources[PROVINCE_REFORM]["effective"]
        for row in read("provinces-2025.csv"):
            name, parts = row["name_vi"], cells(row["merged_from"])
            codes = sorted(old[p]["gso_code"] for p in parts)  # KeyError: an unknown old unit
            if codes != sorted(cells(row["merged_from_gso_codes"])):
                raise ValueError(f"{name}: merged_from and merged_from_gso_codes disagree")
            if row["status"] == "merged":
                s = ID[f"province/{slug(name)}-2025"]
                self.add(s, DTKG.validFrom, date(reform))
                for part in parts:
                    self.add(iris[part], DTKG.validUntil, date(day_before(reform)))
                names = (", ".join(parts), name)
                self.change("Merger", [iris[p] for p in parts], s, PROVINCE_REFORM, names)
            elif parts == [name]:
                s = iris[name]
                if old[name]["gso_code"] != row["gso_code"]:
                    raise ValueError(f"{name}: unchanged unit with a new GSO code")
            else:
                (part,) = parts
                rename = renames[part]  # KeyError: a renamed unit changes.csv does not explain
                s = ID[f"province/{slug(name)}"]
                start = self.sources[rename["source"]]["effective"]
                self.add(s, DTKG.validFrom, date(start))
                self.add(iris[part], DTKG.validUntil, date(day_before(start)))
                self.change(rename["class"], [iris[part]], s, rename["source"], (part, name))
                self.cite(s, rename["source"])
                self.add(s, SKOS.note, Literal(rename["note"], lang="en"))
            self.province(row, s, "2025", "provinces-2025")

    def add_divisions(self) -> None:
        """The two sets of provincial-level units, 2008 – June 2025 and from July 2025."""
        titles = {
            "2008": ("Các đơn vị hành chính cấp tỉnh (2008 – 6/2025)", "Provincial-level units, 2008 to June 2025"),
            "2025": ("Các đơn vị hành chính cấp tỉnh (từ 7/2025)", "Provincial-level units from July 2025"),
        }
        reform = self.sources[PROVINCE_REFORM]["effective"]
        for key, file in DIVISIONS.items():
            s = ID[f"division/{key}"]
            self.add(s, RDF.type, DTKG.AdministrativeDivision)
            self.add(s, SKOS.prefLabel, Literal(titles[key][0], lang="vi"))
            self.add(s, SKOS.prefLabel, Literal(titles[key][1], lang="en"))
            self.cite(s, file)
        self.add(ID["division/2008"], DTKG.validUntil, date(day_before(reform)))
        self.add(ID["division/2025"], DTKG.validFrom, date(reform))
        self.cite(ID["division/2025"], PROVINCE_REFORM)

    # ---------------------------------------------------------------- ministries
    def add_ministries(self) -> None:
        """Ministries and ministerial-level agencies, and their 2025 mergers and renamings."""
        rows = read("ministries.csv")
        start = self.sources[MINISTRY_REFORM]["effective"]
        government = self.org(GOVERNMENT_NAME)
        for row in rows:
            s = ID[f"org/{slug(row['name_vi'])}"]
            self.orgs[row["name_vi"]] = s
            self.add(s, RDF.type, dtkg(MINISTRY_CLASSES[row["kind"]]))
            self.labels(s, row["name_vi"], cells(row["abbreviations"]) + cells(row["alt_names"]), row["name_en"])
            self.add(s, ORG.subOrganizationOf, government)
            self.add(s, DTKG.jurisdiction, COUNTRY)
            self.cite(s, "ministries", MINISTRY_REFORM)
            if row["in_structure_2021"] == "yes":
                self.cite(s, "nq-08-2021-qh15", "tt-03-2009-tt-bng")
            else:
                self.add(s, DTKG.validFrom, date(start))
            if row["in_structure_2025"] == "no":
                self.add(s, DTKG.validUntil, date(day_before(start)))
            if row["change_2025"]:
                self.add(s, SKOS.note, Literal(f"2025: {row['change_2025']}", lang="en"))
        gone: dict[str, list[str]] = {}
        for row in rows:
            if row["in_structure_2025"] == "no":
                gone.setdefault(row["after_2025"], []).append(row["name_vi"])
        new = {row["name_vi"] for row in rows if row["in_structure_2021"] == "no"}
        for result, parts in sorted(gone.items()):
            cls = "Renaming" if result in new and len(parts) == 1 else "Merger"
            names = (", ".join(parts), result)
            self.change(cls, [self.org(p) for p in parts], self.org(result), MINISTRY_REFORM, names)

    def add_org_changes(self) -> None:
        """Renamings of organisations listed in changes.csv."""
        for row in read("changes.csv"):
            if row["scope"] == "org":
                originals = [self.org(row["original"])]
                names = (row["original"], row["resulting"])
                self.change(row["class"], originals, self.org(row["resulting"]), row["source"], names)

    # ---------------------------------------------------------------- systems
    def add_systems(self) -> None:
        for file in ("national-systems", "systems-extra"):
            for row in read(f"{file}.csv"):
                self.system(row, file)

    def system(self, row: dict[str, str], file: str) -> None:
        """One national system with its labels and operators."""
        s = ID[f"system/{slug(row['name_vi'])}"]
        self.add(s, RDF.type, dtkg(SYSTEM_CLASSES[row["kind"]]))
        alts = [a for a in cells(row["alt_names"]) if a != row["name_en"]]
        self.labels(s, row["name_vi"], alts + abbreviated(row["name_vi"]), row["name_en"])
        self.cite(s, file)
        after = re.sub(r"\s*\(.*\)$", "", row["operator_after_2025"])
        for name in {row["operator"], row["operator_unit"], after} - {""}:
            self.add(s, DTKG.operatedBy, self.org(name))
        for col in ("notes", "verification"):
            if row[col]:
                self.add(s, SKOS.note, Literal(f"{col}: {row[col]}", lang="en"))

    # ---------------------------------------------------------------- header
    def add_header(self) -> None:
        """The description of the reference graph itself (dtkgg:reference)."""
        s = GRAPH.reference
        self.add(s, RDF.type, DCAT.Dataset)
        self.add(s, DCTERMS.title, Literal("Dữ liệu tham chiếu của dtkg", lang="vi"))
        self.add(s, DCTERMS.title, Literal("dtkg reference graph", lang="en"))
        self.add(s, DCTERMS.description, Literal(
            "Provincial-level units of Viet Nam (63 from 2008 to June 2025, 34 from July 2025), ministries "
            "and ministerial-level agencies with their 2025 changes, national databases and platforms with "
            "their operators, and the sources of each.", lang="en"))
        self.add(s, DCTERMS.license, CC0)
        self.add(s, DCTERMS.conformsTo, ONTOLOGY_IRI)
        for key in self.sources:
            self.add(s, DCTERMS.source, self.source(key))


def abbreviated(name: str) -> list[str]:
    """Press short forms of a system name: "Cơ sở dữ liệu quốc gia về X" → "CSDL quốc gia về X", …"""
    if not name.startswith("Cơ sở dữ liệu "):
        return []
    short = "CSDL " + name[len("Cơ sở dữ liệu "):]
    return [short, short.replace(" quốc gia", " QG")] + ([short.replace("CSDL quốc gia", "CSDLQG")] if "CSDL quốc gia" in short else [])


def build() -> Graph:
    """The whole reference graph."""
    b = Builder()
    b.add_sources()
    b.add_bodies()
    b.add_ministries()
    b.link_orgs()
    b.add_org_changes()
    b.add_divisions()
    b.add_provinces()
    b.add_systems()
    b.add_header()
    return b.g


PREFIXES = [
    ("dtkg", str(DTKG._NS)), ("dtkgr", str(ID)), ("dtkgg", str(GRAPH)), ("org", str(ORG)), ("prov", str(PROV)),
    ("skos", str(SKOS)), ("dct", str(DCTERMS)), ("dcat", str(DCAT)), ("schema", str(SCHEMA)), ("wd", str(WD)),
    ("xsd", str(XSD)), ("province", f"{ID}province/"), ("organisation", f"{ID}org/"), ("system", f"{ID}system/"),
    ("change", f"{ID}change/"), ("document", f"{ID}document/"), ("source", f"{ID}source/"),
    ("division", f"{ID}division/"), ("kind", f"{ID}document-kind/"), ("country", f"{ID}country/"),
    ("index", f"{ID}index/"),
]


def _under(path: str):
    """A section test: the subject's IRI is under dtkgr:{path}."""
    return lambda s: str(s).startswith(f"{ID}{path}")


SECTIONS = [
    ("The reference graph", lambda s: s == GRAPH.reference),
    ("Sources: the compiled files and the data sets they come from", _under("source/")),
    ("Legal and party documents cited as sources", _under("document/")),
    ("The country", _under("country/")),
    ("Organisations: the Government, ministries, agencies, committees, units", _under("org/")),
    ("Sets of provincial-level units", _under("division/")),
    ("Provincial-level units (2008 units, unchanged units, and units formed in 2025)", _under("province/")),
    ("Change events: the 2025 reorganisations and other renamings", _under("change/")),
    ("National databases, platforms, portals, networks and applications", _under("system/")),
    ("Ranking indices", _under("index/")),
]

HEADER = """# dtkg reference graph: provinces, ministries, national systems, 2025 changes.
# GENERATED by `python -m dtkg.reference` from src/dtkg/data/reference/*.csv; do not edit by hand.
# Sources: src/dtkg/data/reference/SOURCES.md and EXTRA.md. Licence: CC0 1.0.
"""


def turtle() -> str:
    """The reference graph as the Turtle committed in ontology/reference.ttl."""
    return write_turtle(build(), PREFIXES, SECTIONS, HEADER)


def output_path() -> Path:
    """Where the committed reference graph lives (ontology/reference.ttl)."""
    return resources.folder("ontology") / "reference.ttl"


def main(argv: list[str] | None = None) -> int:
    """Write ontology/reference.ttl (or the path given)."""
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else output_path()
    path.write_text(turtle(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
