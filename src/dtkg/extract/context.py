"""Per-article context: the gazetteers, the article's province, and what the article named so far.

Incomplete names are completed from here: "UBND tỉnh" in an article about Ninh Bình is the
Ninh Bình People's Committee; "Ban Chỉ đạo tỉnh" is the steering committee the article named
in full; "Ủy ban" after the National Committee is named is that committee.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from dtkg.extract import lexicon
from dtkg.extract.lexicon import Hit, Lexicon, Term, current_units
from dtkg.extract.tokens import Tok, tokenize
from dtkg.model import Entity, Evidence
from dtkg.text import Document
from dtkg.text.dates import resolve_day_month
from dtkg.text.normalize import fold
from dtkg.text.sentences import Sentence


@dataclass
class Context:
    """What extractors share while reading one document."""

    doc: Document
    lex: Lexicon = field(default_factory=lexicon.load)
    province: Term | None = None
    memory: dict[str, Entity] = field(default_factory=dict)  # last full name per org class / head
    holders: dict[tuple[str, str], Entity] = field(default_factory=dict)  # (role, org key) -> person
    analyses: dict[int, object] = field(default_factory=dict)  # sentence start -> people.Analysis
    titled: dict[int, bool] = field(default_factory=dict)  # sentence start -> people.states_titles
    _tokens: dict[int, list[Tok]] = field(default_factory=dict, repr=False)
    _hits: dict[str, list[Hit]] = field(default_factory=dict, repr=False)
    _hit_starts: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _entities: dict[tuple[str, int], tuple[Term, Entity]] = field(default_factory=dict, repr=False)
    _hits_between: dict[tuple[str, int, int | None], list[Hit]] = field(default_factory=dict, repr=False)
    _in_sentences: dict[str, list[Hit]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # match_at(kind, pos): the longest `kind` name starting exactly at text offset `pos`, if any
        self.match_at: Callable[[str, int], Hit | None] = self.lex.matcher(self.doc.folded)
        self.province = self._main_province()

    # --- places -------------------------------------------------------------------------
    def _main_province(self) -> Term | None:
        """The province the article is about: the one it names most (title counts double)."""
        counts: Counter[str] = Counter()
        terms: dict[str, Term] = {}
        for hit in self.sentence_hits("province"):
            units = current_units(hit.terms, self.doc.date)
            if units:
                counts[units[0].iri or units[0].name] += 1
                terms[units[0].iri or units[0].name] = units[0]
        if self.doc.title:
            for hit in self.lex.scan("province", fold(self.doc.title)):
                units = current_units(hit.terms, self.doc.date)
                if units:
                    counts[units[0].iri or units[0].name] += 1
                    terms.setdefault(units[0].iri or units[0].name, units[0])
        if not counts:
            return None
        return terms[counts.most_common(1)[0][0]]

    def main_ministry(self) -> Term | None:
        """The ministry-level body the article names most (ties: none): the parent of a
        "Cục" or "Vụ" the article names without one."""
        if "_ministry" not in self.__dict__:
            counts: Counter[str] = Counter()
            terms: dict[str, Term] = {}
            for hit in self.sentence_hits("org"):
                for term in hit.terms[:1]:
                    if term.cls in ("Ministry", "MinisterialAgency"):
                        counts[term.name] += 1
                        terms[term.name] = term
            top = counts.most_common(2)
            unique = top and (len(top) == 1 or top[0][1] > top[1][1])
            self.__dict__["_ministry"] = terms[top[0][0]] if unique else None
        return self.__dict__["_ministry"]

    def unit(self, terms) -> Term | None:
        """The administrative unit a place name meant on the article's date."""
        units = current_units(terms, self.doc.date)
        return units[0] if units else None

    def place_entity(self, term: Term) -> Entity:
        """An Entity for a reference place."""
        return self._entity("province", term)

    def system_entity(self, term: Term) -> Entity:
        """An Entity for a reference national system."""
        return self._entity("system", term)

    def org_entity(self, term: Term) -> Entity:
        """An Entity for a reference or curated organisation."""
        return self._entity("org", term)

    def _entity(self, kind: str, term: Term) -> Entity:
        """The Entity of a gazetteer term (made once per document: entities are immutable; the
        term is kept beside it, so its id cannot be reused by another)."""
        made = self._entities.get((kind, id(term)))
        if made is None:
            made = self._entities[(kind, id(term))] = (term, Entity(
                kind=kind, name=term.name, key=fold(term.name), ref=term.iri, cls=term.cls))
        return made[1]

    # --- text ---------------------------------------------------------------------------
    def hits(self, kind: str, start: int = 0, end: int | None = None) -> list[Hit]:
        """Gazetteer matches of `kind` in the document between two offsets (one scan per kind;
        the list is shared: do not change it)."""
        if kind not in self._hits:
            self._scan(kind)  # (which fills the entries of every sentence)
        key = (kind, start, end)
        found = self._hits_between.get(key)
        if found is None:
            found = self._hits_between[key] = self._hits_in(kind, start, end)
        return found

    def sentence_hits(self, kind: str) -> list[Hit]:
        """The matches of `hits(kind, s.start, s.end)` for every sentence s in turn, as one list."""
        self._scan(kind)
        found = self._in_sentences.get(kind)
        if found is None:
            found = self._in_sentences[kind] = [h for s in self.doc.sentences for h in self.hits(kind, s.start, s.end)]
        return found

    def _scan(self, kind: str) -> list[Hit]:
        """All matches of `kind` in the document (scanned once)."""
        found = self._hits.get(kind)
        if found is None:
            found = self._hits[kind] = self.lex.scan(kind, self.doc.folded)
            self._hit_starts[kind] = [h.start for h in found]
            self._hits_by_sentence(kind, found)
        return found

    def _hits_in(self, kind: str, start: int, end: int | None) -> list[Hit]:
        found, starts = self._hits[kind], self._hit_starts[kind]
        lo = bisect_left(starts, start)
        hi = len(starts) if end is None else bisect_left(starts, end)
        return [h for h in found[lo:hi] if end is None or h.end <= end]

    def _hits_by_sentence(self, kind: str, found: list[Hit]) -> None:
        """Fill the cache of `hits` for every sentence at once, and `sentence_hits`: `hits(kind,
        s.start, s.end)` is asked for most sentences, and one pass over the sorted hits and
        sentences is cheaper than a search for each. (Sentences out of order, never made by
        `prepare`: left to `_hits_in`.)"""
        sentences = self.doc.sentences
        if not self._sentences_in_order():
            return
        between, n, count = self._hits_between, 0, len(found)
        every: list[Hit] = []
        for sent in sentences:
            while n < count and found[n].start < sent.start:
                n += 1
            inside = []
            while n < count and found[n].start < sent.end:
                if found[n].end <= sent.end:
                    inside.append(found[n])
                n += 1
            between[(kind, sent.start, sent.end)] = inside
            every += inside
        self._in_sentences[kind] = every

    def _sentences_in_order(self) -> bool:
        """Whether the sentences follow one another without overlapping (as `prepare` makes them)."""
        if "_in_order" not in self.__dict__:
            sentences = self.doc.sentences
            self.__dict__["_in_order"] = all(a.end <= b.start for a, b in zip(sentences, sentences[1:]))
        return self.__dict__["_in_order"]

    def tokens(self, sentence: Sentence) -> list[Tok]:
        """Tokens of a sentence (cached)."""
        toks = self._tokens.get(sentence.start)
        if toks is None:
            toks = tokenize(self.doc.text, self.doc.folded, sentence.start, sentence.end)
            self._tokens[sentence.start] = toks
        return toks

    def evidence(self, sentence: Sentence) -> Evidence:
        """The evidence for a fact stated by `sentence`."""
        return Evidence(sentence.start, sentence.end, self.doc.text[sentence.start:sentence.end])

    def resolve_date(self, day: int, month: int, year: int | None = None) -> dt.date | None:
        """A day and month (and maybe year) as a date, against the article's date."""
        if year:
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
        return resolve_day_month(day, month, self.doc.date, self.doc.year_hint)

    # --- memory -------------------------------------------------------------------------
    def remember(self, slot: str, entity: Entity) -> None:
        """Note the last organisation named in full for a kind of body (e.g. 'SteeringCommittee')."""
        self.memory[slot] = entity

    def recall(self, slot: str) -> Entity | None:
        """The last organisation of this kind the article named in full."""
        return self.memory.get(slot)
