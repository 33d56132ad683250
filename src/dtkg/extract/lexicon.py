"""Gazetteers for the extractors, built from the reference graph, the role scheme and data files.

Every name the extractors recognise comes from here: provinces, ministries, national systems
and central bodies (ontology/reference.ttl), role titles and document kinds
(ontology/roles.ttl, ontology/vocab.ttl), abbreviations, family names, honorifics and
organisation head words (src/dtkg/data/). Matching runs on `fold()`ed text.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from dtkg.extract.wordre import WordRegex
from dtkg.namespaces import DTKG
from dtkg.resources import data, folder
from dtkg.text.normalize import fold

SYSTEM_CLASSES = {"NationalDatabase", "NationalPlatform", "Portal", "Network", "Application", "InformationSystem"}
PLACE_CLASSES = {"Province", "Municipality", "AdministrativeUnit", "Country"}
ORG_CLASSES = {
    "Government", "Ministry", "MinisterialAgency", "GovernmentAgency", "NationalCommittee", "NationalAssembly",
    "PartyBody", "PartyCommittee", "Organisation", "SteeringCommittee", "NationalSteeringCommittee",
    "ProvincialSteeringCommittee", "PeoplesCommittee", "MinistryUnit", "Enterprise",
}
REORGANISATION_2025 = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class Term:
    """One named thing a gazetteer knows."""

    name: str  # preferred Vietnamese name
    kind: str  # province | org | system | role | kind
    iri: str | None = None
    cls: str | None = None
    heads: bool = False
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class Hit(NamedTuple):
    """A gazetteer match in folded text (a NamedTuple: made for most names of a text, quickly)."""

    start: int
    end: int
    terms: tuple[Term, ...]


def _read_lines(name: str) -> list[str]:
    with data(name).open(encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip() and not line.startswith("#")]


def _read_csv(name: str) -> list[dict[str, str]]:
    with data(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def alternation(words) -> str:
    """A regex alternation of literal `words` that matches as `"|".join(longest first)` does, but
    fast: shared by prefix (the engine tries one branch per letter, not every word)."""
    return _trie_pattern(sorted(set(words)))


def phrases(words) -> WordRegex:
    """One regex matching any of `words` as a whole word, longest first (a trie: fast to match)."""
    return WordRegex("(?:" + alternation(words) + r")(?![\w&])", words=words)


def _trie_pattern(words: list[str]) -> str:
    """A regex alternation of `words` shared by prefix: ("bộ công an", "bộ tài chính") → "bộ\\ (?:công an|tài chính)".

    Alternatives are tried longest first so the longest label wins, as with a plain alternation.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True
    return _node_pattern(trie)


def _node_pattern(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _node_pattern(child) for ch, child in node.items() if ch != ""]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


@dataclass(eq=False)
class Lexicon:
    """All gazetteers, with one compiled matcher per kind."""

    by_label: dict[str, dict[str, list[Term]]] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)
    surnames: frozenset[str] = frozenset()
    honorifics: tuple[str, ...] = ()
    org_heads: dict[str, tuple[str, str]] = field(default_factory=dict)
    role_orgs: dict[str, str] = field(default_factory=dict)
    _words: dict[str, WordRegex | None] = field(default_factory=dict, repr=False)

    def add(self, kind: str, label: str, term: Term) -> None:
        """Register `label` (any spelling) for `term`."""
        key = fold(label.strip())
        if key:
            bucket = self.by_label.setdefault(kind, {}).setdefault(key, [])
            if term not in bucket:
                bucket.append(term)

    def compile(self) -> "Lexicon":
        """Build the matchers once all labels are in."""
        heads = [fold(h) for h in self.org_heads]
        self._words = {kind: phrases(labels) if labels else None for kind, labels in self.by_label.items()}
        self._words["org_head"] = phrases(heads) if heads else None
        return self

    def scan(self, kind: str, folded: str, start: int = 0, end: int | None = None) -> list[Hit]:
        """All non-overlapping matches of `kind` names in `folded[start:end]`, longest first."""
        regex = self._words.get(kind)
        if regex is None:
            return []
        table = self.by_label.get(kind, {})
        return [Hit(m.start(), m.end(), tuple(table.get(m.group(0), ())))
                for m in regex.finditer(folded, start, len(folded) if end is None else end)]

    def matcher(self, folded: str):
        """`match_at` for one text: (kind, pos) -> Hit | None, the tables bound once (it runs for
        most tokens of a document; the first-letters test skips the regex for most)."""
        gates = self._gates()

        def match_at(kind: str, pos: int) -> Hit | None:
            gate = gates.get(kind)
            if gate is None:
                return None
            three, short, match, table = gate
            if folded[pos:pos + 3] not in three:  # FirstLetters.may_start, written out: this runs for most tokens
                if not short or (folded[pos:pos + 2] not in short and folded[pos:pos + 1] not in short):
                    return None
            m = match(folded, pos)
            if not m:
                return None
            return Hit(m.start(), m.end(), tuple(table.get(m.group(0), ())))

        return match_at

    def _gates(self) -> dict[str, tuple]:
        """kind -> (first three letters, short names, match of the whole regex, label table): what
        `match_at` reads, looked up once per text."""
        return {kind: (regex.first.three, regex.first.short, regex.whole.match, self.by_label.get(kind, {}))
                for kind, regex in self._words.items() if regex is not None}

    def lookup(self, kind: str, name: str) -> list[Term]:
        """Terms of `kind` with this exact name (folded)."""
        return list(self.by_label.get(kind, {}).get(fold(name.strip()), ()))


def _date(value) -> dt.date | None:
    return value.toPython() if isinstance(value, Literal) and isinstance(value.toPython(), dt.date) else None


def _kind_of(classes: set[str]) -> str | None:
    if classes & PLACE_CLASSES:
        return "province"
    if classes & SYSTEM_CLASSES:
        return "system"
    if classes & ORG_CLASSES:
        return "org"
    return None


def _load_graph(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        if path.exists():
            graph.parse(path, format="turtle")
    return graph


def _add_reference(lex: Lexicon, graph: Graph) -> None:
    """Provinces, organisations and systems of the reference graph."""
    for subject in set(graph.subjects(SKOS.prefLabel, None)):
        classes = {str(c).rsplit("#", 1)[-1] for c in graph.objects(subject, RDF.type)}
        kind = _kind_of(classes)
        if kind is None:
            continue
        names = [str(v) for v in graph.objects(subject, SKOS.prefLabel) if getattr(v, "language", None) in ("vi", None)]
        if not names:
            continue
        cls = sorted(classes & (PLACE_CLASSES | SYSTEM_CLASSES | ORG_CLASSES))[0]
        term = Term(
            name=sorted(names)[0], kind=kind, iri=str(subject), cls=cls,
            valid_from=_date(graph.value(subject, DTKG.validFrom)),
            valid_until=_date(graph.value(subject, DTKG.validUntil)),
        )
        for label in list(graph.objects(subject, SKOS.prefLabel)) + list(graph.objects(subject, SKOS.altLabel)):
            if getattr(label, "language", None) in ("vi", None):
                lex.add(kind, str(label), term)


def _add_schemes(lex: Lexicon, graph: Graph) -> None:
    """Role titles and document kinds of the SKOS schemes."""
    for subject in set(graph.subjects(RDF.type, SKOS.Concept)):
        classes = {str(c).rsplit("#", 1)[-1] for c in graph.objects(subject, RDF.type)}
        kind = "kind" if "DocumentKind" in classes else "role"
        names = [str(v) for v in graph.objects(subject, SKOS.prefLabel) if getattr(v, "language", None) == "vi"]
        if not names:
            continue
        heads = any(bool(v.toPython()) for v in graph.objects(subject, DTKG.headsOrganisation))
        term = Term(name=names[0], kind=kind, iri=str(subject), heads=heads)
        for label in list(graph.objects(subject, SKOS.prefLabel)) + list(graph.objects(subject, SKOS.altLabel)):
            if getattr(label, "language", None) == "vi":
                lex.add(kind, str(label), term)


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """The lexicon of this install (cached: built once per process)."""
    onto = folder("ontology")
    lex = Lexicon()
    _add_reference(lex, _load_graph([onto / "reference.ttl"]))
    _add_schemes(lex, _load_graph([onto / "roles.ttl", onto / "vocab.ttl", onto / "dtkg.ttl"]))
    lex.abbreviations = {row[0]: row[1] for row in csv.reader(_read_lines("abbreviations.csv")) if len(row) >= 2}
    for abbr, expansion in lex.abbreviations.items():  # "UVBTV" is a title, "VPCP" a body
        for kind in ("role", "org"):
            for term in lex.lookup(kind, expansion):
                lex.add(kind, abbr, term)
    lex.surnames = frozenset(fold(s) for s in _read_lines("lexicon/surnames.txt"))
    lex.honorifics = tuple(sorted((fold(h) for h in _read_lines("lexicon/honorifics.txt")), key=len, reverse=True))
    lex.org_heads = {row["head"]: (row["class"], row["scope"]) for row in _read_csv("lexicon/org_heads.csv")}
    lex.role_orgs = {row[0]: row[1] for row in csv.reader(_read_lines("lexicon/role_orgs.csv")) if len(row) >= 2}
    return lex.compile()


def current_units(terms: tuple[Term, ...] | list[Term], on: dt.date | None) -> list[Term]:
    """The administrative units valid on `on` (before the 2025 reorganisation when unknown)."""
    day = on or (REORGANISATION_2025 - dt.timedelta(days=1))
    valid = [t for t in terms if (t.valid_from is None or t.valid_from <= day) and (t.valid_until is None or day <= t.valid_until)]
    return valid or list(terms)
