"""Connections to national systems ("Tỉnh X đã kết nối với CSDL quốc gia về dân cư") and their operators.

A sentence is read as a list of things: national systems of the gazetteer, system names parsed
from a head word ("Hệ thống …", "CSDL …", "Nền tảng …", "Cổng …"), organisations, provinces,
and the anaphora "Bộ" / "tỉnh" / "hệ thống" resolved to the last such body or system the article
named. For each verb of connection the object is the national system after it ("kết nối với X",
"kết nối X với Y", "kết nối qua X"); the subject is the nearest body before it (partners after
"phối hợp với", agents after "theo"/"của" skipped), else the system or the owner of the system
between the verb and its preposition ("kết nối hệ thống thông tin của tỉnh với …"). A group
("các bộ, ngành", "6 CSDL quốc gia") is no subject. The status is planned when a cue of a task
or plan stands before the verb with no "đã" after it, else done. Operators are read from "X do
Bộ Y quản lý", "X của Bộ Y" and "Bộ Y … triển khai X". All cue words: data/patterns/links.csv.
"""
from __future__ import annotations

import csv
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from dtkg.extract.context import Context
from dtkg.extract.lexicon import Lexicon, phrases
from dtkg.extract.orgs import parse_org
from dtkg.extract.tokens import Tok
from dtkg.extract.wordre import FirstLetters, WordRegex
from dtkg.model import Entity, Fact
from dtkg.resources import data
from dtkg.text.normalize import fold
from dtkg.text.sentences import Sentence

NAME = "links"
VERSION = "1.0"
MAX_NAME_WORDS = 16
OBJECT_WINDOW = 100  # characters between a verb and its object
SYSTEM_CLASSES = {"cơ sở dữ liệu": "NationalDatabase", "nền tảng": "NationalPlatform", "cổng": "Portal"}


@dataclass(frozen=True)
class Words:
    """The cue words of data/patterns/links.csv, compiled once."""

    table: dict[str, dict[str, str]]
    verb: WordRegex
    head: WordRegex
    done: WordRegex
    planned: WordRegex
    later: WordRegex
    operate: WordRegex
    directive: WordRegex
    blocker: re.Pattern
    adverbial: re.Pattern
    companion: re.Pattern

    def has(self, kind: str, phrase: str) -> bool:
        """Is `phrase` (folded) one of the words of `kind`?"""
        return phrase in self.table[kind]


@lru_cache(maxsize=1)
def words() -> Words:
    """Load the cue table once."""
    table: dict[str, dict[str, str]] = defaultdict(dict)
    with data("patterns/links.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            table[row["kind"]][fold(row["phrase"])] = row["value"]
    return Words(
        table=dict(table), verb=phrases(table["verb"]), head=phrases(table["head"]),
        done=phrases(table["done"]), planned=phrases(table["planned"]), later=phrases(table["later"]),
        operate=phrases(table["operate"]), directive=phrases(table["directive"]),
        adverbial=re.compile("(?:" + "|".join(map(re.escape, table["adverbial"])) + r")$"),
        blocker=re.compile(phrases(table["report"]).pattern + r"|(?:\d+\s*(?:%|/\s*\d+)?|các|những|nhiều|toàn bộ)\s+(?:"
                           + "|".join(map(re.escape, table["group"])) + r")(?![\w])"),
        companion=re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, table["companion"])) + r")\s*$"),
    )


class Thing(NamedTuple):
    """A body, place or system named in a sentence: text[start:end] (a NamedTuple: quick to make)."""

    start: int
    end: int
    entity: Entity
    kind: str  # system | org | province
    national: bool = False
    specific: bool = True
    owner: "Thing | None" = None
    bare: bool = False  # "hệ thống" alone: an anaphora


@dataclass
class Memory:
    """What the article named so far: the last ministry and the last non-national system."""

    ministry: Thing | None = None
    system: Thing | None = None
    seen: set = field(default_factory=set)


def extract(ctx: Context) -> list[Fact]:
    """Links and operates facts, each once per article."""
    memory = Memory()
    facts: list[Fact] = []
    for sentence in ctx.doc.sentences:
        if not _worth_reading(ctx, sentence, memory):
            continue
        things = _things(ctx, sentence, memory)
        for fact in _links(ctx, sentence, things, memory) + _operates(ctx, sentence, things):
            a = fact.args
            key = (fact.type, *(v.key if isinstance(v, Entity) else v for k, v in sorted(a.items()) if k != "status"))
            if key not in memory.seen:
                memory.seen.add(key)
                facts.append(fact)
    return facts


def _worth_reading(ctx: Context, sentence: Sentence, memory: Memory) -> bool:
    """Does the sentence name a system? (A cheap test; a sentence that does not still tells which
    ministry a later "Bộ" means.)"""
    folded, w = ctx.doc.folded, words()
    if ctx.hits("system", sentence.start, sentence.end) or w.head.search(folded, sentence.start, sentence.end):
        return True
    for hit in ctx.hits("org", sentence.start, sentence.end):
        if hit.terms and hit.terms[0].cls == "Ministry":
            memory.ministry = Thing(hit.start, hit.end, ctx.org_entity(hit.terms[0]), "org")
    return False


# --- things ------------------------------------------------------------------------------------

def _things(ctx: Context, sentence: Sentence, memory: Memory) -> list[Thing]:
    found: list[Thing] = []
    toks = ctx.tokens(sentence)
    for hit in ctx.hits("system", sentence.start, sentence.end):
        if hit.terms:
            k = next((n for n, t in enumerate(toks) if t.start >= hit.end), len(toks))
            owner = _owner(ctx, sentence, toks, k, memory)
            found.append(Thing(hit.start, hit.end, ctx.system_entity(hit.terms[0]), "system", national=True, owner=owner))
    folded, letters = ctx.doc.folded, _start_letters(ctx.lex)
    known = [t.start for t in found]  # gazetteer systems: sorted, not overlapping
    reach = -1  # where the things read token by token end: each starts at its token, so a later token is inside one iff before this
    for i, tok in enumerate(toks):
        if tok.start < reach:
            continue
        p = tok.start
        if not (tok.cap or tok.low in ANAPHORA or letters.may_start(folded, p)):
            continue  # no head, organisation, province or anaphora starts here: _thing_at finds nothing
        if known:
            last = bisect_right(known, tok.start) - 1  # the one system that may hold the token
            if last >= 0 and tok.start < found[last].end:
                continue
        thing = _thing_at(ctx, sentence, toks, i, memory)
        if thing is not None:
            found.append(thing)
            reach = max(reach, thing.end)
            if thing.kind == "org" and thing.entity.cls == "Ministry":
                memory.ministry = thing
            if thing.kind == "system" and thing.specific and not thing.national:
                memory.system = thing
    inside = [t for t in found if any(o is not t and o.start <= t.start and t.end <= o.end for o in found)]
    return sorted((t for t in found if t not in inside), key=lambda t: t.start)


ANAPHORA = frozenset({"bộ", "tỉnh"})  # the words _anaphora reads


@lru_cache(maxsize=4)
def _start_letters(lex: Lexicon) -> FirstLetters:
    """The first letters of the system heads and province names: a lower-case token where they
    fail starts no thing but an anaphora."""
    return FirstLetters([*words().table["head"], *lex.by_label.get("province", {})])


def _thing_at(ctx: Context, sentence: Sentence, toks: list[Tok], i: int, memory: Memory) -> Thing | None:
    tok, folded = toks[i], ctx.doc.folded
    head = words().head.match(folded, tok.start)
    if head:
        return _system_at(ctx, sentence, toks, i, head, memory)
    if tok.cap:
        parsed = parse_org(ctx, toks, i)
        if parsed is not None and parsed.j > i:
            return Thing(tok.start, toks[parsed.j - 1].end, parsed.entity, "org")
    if tok.word:
        hit = ctx.match_at("province", tok.start)
        if hit and hit.terms and not ctx.doc.text[hit.start:hit.end].islower():
            unit = ctx.unit(hit.terms)
            if unit is not None and unit.cls != "Country":
                return Thing(hit.start, hit.end, ctx.place_entity(unit), "province")
    return _anaphora(ctx, toks, i, memory)


def _anaphora(ctx: Context, toks: list[Tok], i: int, memory: Memory) -> Thing | None:
    """"Bộ" for the last ministry named, "tỉnh" for the article's province."""
    tok = toks[i]
    if tok.low not in ANAPHORA:
        return None
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    prev = toks[i - 1].low if i > 0 else ""
    if words().has("plural", prev) or prev.isdigit() or (nxt is not None and nxt.cap and nxt.word):
        return None
    if ctx.match_at("role", tok.start):
        return None
    if (tok.text == "Bộ" or tok.low == "bộ" and prev == "của") and memory.ministry is not None:
        return Thing(tok.start, tok.end, memory.ministry.entity, "org")
    after_word = i == 0 or words().has("anaphora", prev) or tok.text == "Tỉnh"
    if tok.low == "tỉnh" and after_word and ctx.province is not None and (nxt is None or nxt.low not in ("ủy", "uỷ")):
        return Thing(tok.start, tok.end, ctx.place_entity(ctx.province), "province")
    return None


def _system_at(ctx: Context, sentence: Sentence, toks: list[Tok], i: int, head: re.Match, memory: Memory) -> Thing | None:
    """A system name parsed from its head word: "Hệ thống thu thập, đánh giá … của Bộ …"."""
    w = words()
    k = i
    while k < len(toks) and toks[k].end <= head.end():
        k += 1
    start_words = k
    while k < len(toks) and k - start_words < MAX_NAME_WORDS:
        t = toks[k]
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        two = f"{t.low} {nxt.low}" if nxt else t.low
        if w.has("stop", t.low) or w.has("stop", two) or w.verb.match(ctx.doc.folded, t.start) or w.head.match(ctx.doc.folded, t.start):
            break
        if t.text in (",",) or t.low == "và":
            if nxt is None or not nxt.word or nxt.cap and t.text == "," or w.has("stop", nxt.low) or w.has("plural", nxt.low) or w.verb.match(ctx.doc.folded, nxt.start) or w.head.match(ctx.doc.folded, nxt.start):
                break
        elif not t.word:
            break
        k += 1
    if k == start_words and k < len(toks) and w.head.match(ctx.doc.folded, toks[k].start):
        return None  # "hệ thống CSDL ngành …": the name starts at the second head
    known = ctx.match_at("system", toks[start_words].start) if start_words < len(toks) else None
    if known and known.terms:  # "Nền tảng NDOP": the head and a system the gazetteer knows
        after = next((n for n, t in enumerate(toks) if t.start >= known.end), len(toks))
        owner = _owner(ctx, sentence, toks, after, memory)
        return Thing(toks[i].start, known.end, ctx.system_entity(known.terms[0]), "system", national=True, owner=owner)
    end = toks[k - 1].end if k > start_words else head.end()
    body = [ctx.lex.abbreviations.get(t.text, t.text) for t in toks[start_words:k]]
    if body and fold(body[0]).startswith(head.group(0) + " "):
        body[0] = body[0][len(head.group(0)) + 1:]  # "Nền tảng LGSP": the expansion repeats the head
    content = [t.low for t in toks[start_words:k] if not w.has("generic", t.low)]
    owner = _owner(ctx, sentence, toks, k, memory)
    prev = toks[i - 1] if i > 0 else None
    plural = prev is not None and (w.has("plural", prev.low) or any(c.isdigit() for c in prev.text))
    name = " ".join([w.table["head"][head.group(0)], *body]).replace(" ,", ",")
    national = any(w.has("national", t.low) for t in toks[start_words:k]) or "quốc gia" in fold(name)
    national = national or (owner is not None and owner.kind == "org" and _central(owner.entity))
    entity = _system_entity(ctx, name, national)
    if entity.ref:
        return Thing(toks[i].start, end, entity, "system", national=True, specific=not plural, owner=owner)
    if not content and not plural and owner is None and memory.system is not None:
        return Thing(toks[i].start, end, memory.system.entity, "system", specific=True, bare=True)
    return Thing(toks[i].start, end, entity, "system", national=national, specific=bool(content) and not plural, owner=owner)


def _owner(ctx: Context, sentence: Sentence, toks: list[Tok], k: int, memory: Memory) -> Thing | None:
    """The body after "của" that owns a system ("hệ thống thông tin của tỉnh")."""
    if k + 1 >= len(toks) or toks[k].low != "của":
        return None
    return _thing_at(ctx, sentence, toks, k + 1, memory)


@lru_cache(maxsize=4)
def _system_labels(lex: Lexicon) -> list[tuple[frozenset[str], object]]:
    out = []
    for label, terms in lex.by_label.get("system", {}).items():
        if terms:
            out.append((frozenset(re.findall(r"\w+", label)), terms[0]))
    return out


def _system_entity(ctx: Context, name: str, national: bool) -> Entity:
    """The gazetteer system a parsed name stands for, else a system of that name.

    A name whose words all occur in one gazetteer name (and which says "quốc gia" when that one
    does) is that system: "CSDL quốc gia về công chức viên chức" is the national database of
    "cán bộ, công chức, viên chức".
    """
    terms = ctx.lex.lookup("system", name)
    if terms:
        return ctx.system_entity(terms[0])
    mine = frozenset(re.findall(r"\w+", fold(name))) - {"về", "của", "và"}
    if len(mine) >= 4:  # (a shorter name is no gazetteer system: no need to look)
        matches = {term for label, term in _system_labels(ctx.lex) if mine <= label and (national or "gia" not in label)}
        if len(matches) == 1:
            return ctx.system_entity(matches.pop())
    cls = next((c for h, c in SYSTEM_CLASSES.items() if fold(name).startswith(h)), "InformationSystem")
    return Entity(kind="system", name=name, key=fold(name), cls=cls if national else "InformationSystem")


# --- links -------------------------------------------------------------------------------------

def _links(ctx: Context, sentence: Sentence, things: list[Thing], memory: Memory) -> list[Fact]:
    folded, facts = ctx.doc.folded, []
    for v in words().verb.finditer(folded, sentence.start, sentence.end):
        if any(t.start <= v.start() < t.end for t in things) or words().adverbial.search(folded, sentence.start, v.end()):
            continue
        clause = _clause(folded, sentence, v.start())
        if any(words().has("negation", " ".join(g)) for g in _tails(_gap_words(folded, clause[0], v.start()))):
            continue
        found = _object(folded, v, things, clause[1])
        if found is None:
            continue
        obj, inner = found
        if not (obj.national and obj.specific):
            continue
        subject = _subject(folded, sentence, v.start(), things, obj) or _inner_subject(inner)
        if subject is None or subject.entity.key == obj.entity.key:
            continue
        if subject.kind == "system" and subject.specific:
            memory.system = subject
        status = _status(_masked(folded, things, *clause), v.start() - clause[0], v.end() - clause[0])
        args = {"subject": subject.entity, "object": obj.entity, "status": status}
        facts.append(Fact("links", args, ctx.evidence(sentence), NAME))
    return facts


def _tails(gap: list[str]) -> list[list[str]]:
    """The last one and two words before a verb."""
    return [gap[-1:], gap[-2:]] if gap else []


def _clause(folded: str, sentence: Sentence, pos: int) -> tuple[int, int]:
    start = folded.rfind(";", sentence.start, pos)
    end = folded.find(";", pos, sentence.end)
    return (start + 1 if start != -1 else sentence.start), (end if end != -1 else sentence.end)


def _gap_words(folded: str, start: int, end: int) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", folded[start:end])


def _is_filler(gap: list[str]) -> bool:
    w, i = words(), 0
    while i < len(gap):
        two = " ".join(gap[i:i + 2])
        if w.has("filler", two) or w.verb.fullmatch(two):
            i += 2
        elif w.has("filler", gap[i]):
            i += 1
        else:
            return False
    return True


def _object(folded: str, v: re.Match, things: list[Thing], limit: int) -> tuple[Thing, Thing | None] | None:
    """The system a verb connects to, and the system between the verb and its preposition.

    "kết nối với X" / "kết nối qua X" / "kết nối X": X; "kết nối Y với X" / "kết nối 100% hệ
    thống Y với X": X, with Y between.
    """
    w = words()
    after = [t for t in things if t.kind == "system" and v.end() <= t.start <= min(limit, v.end() + OBJECT_WINDOW)]
    if not after:
        return None
    first = after[0]
    gap = _gap_words(folded, v.end(), first.start)
    if any(g in (".", ";", ":", "(") or w.has("stop", g) and not (w.has("prep", g) or w.has("via", g)) for g in gap[:-1]):
        return None
    last = " ".join(gap[-2:]) if len(gap) >= 2 and w.has("via", " ".join(gap[-2:])) else (gap[-1] if gap else "")
    if gap and (w.has("prep", last) or w.has("via", last)) and len(gap) <= 8:
        return first, None
    if not _is_filler(gap) and len(gap) > 4:
        return None
    at = _after_prep(folded, first.owner.end if first.owner else first.end, limit)
    if at is not None:
        nxt = [t for t in after[1:] if t.start == at]
        return (nxt[0], first) if nxt else None
    return (first, None) if _is_filler(gap) else None


def _after_prep(folded: str, pos: int, limit: int) -> int | None:
    """Where the name after "với"/"vào"/… starts, when a preposition follows a system at `pos`
    (past an owner the grammar did not read: "hệ thống của các bệnh viện với …")."""
    tokens = list(re.finditer(r"\w+|[^\w\s]", folded[pos:limit]))[:5]
    tried = range(1, len(tokens)) if tokens and tokens[0].group() == "của" else range(min(1, len(tokens)))
    for i in tried:
        if words().has("prep", tokens[i].group()):
            rest = folded[pos + tokens[i].end():limit]
            return pos + tokens[i].end() + (len(rest) - len(rest.lstrip()))
        if not tokens[i].group().isalnum():
            return None
    return None


def _subject(folded: str, sentence: Sentence, pos: int, things: list[Thing], obj: Thing) -> Thing | None:
    """The nearest body before the verb that does the connecting."""
    w = words()
    for t in reversed([t for t in things if t.end <= pos and t is not obj and t is not obj.owner]):
        if any(o.owner is t for o in things):
            continue
        before = folded[sentence.start:t.start]
        if w.companion.search(before):
            continue
        if any(not folded[:m.start()].endswith("được ") and not any(o.start <= m.start() < o.end for o in things)
               for m in w.directive.finditer(folded, t.end, pos)):
            return None
        if any(not any(o.start <= m.start() < o.end for o in things) and not w.companion.search(folded, t.end, m.start())
               for m in w.blocker.finditer(folded, t.end, pos)):
            return None  # "Bộ … cho biết, …" / "Bộ …: 63/63 tỉnh đã kết nối": not the subject
        if t.kind == "system":
            if not _is_adverbs(_gap_words(folded, t.owner.end if t.owner else t.end, pos)):
                continue
            if t.owner is not None and t.owner.kind != "system" and not t.entity.ref:
                return t.owner  # "Hệ thống … của tỉnh X đã kết nối": the body that owns it
            return t if t.specific else None
        return t
    return None


def _is_adverbs(gap: list[str]) -> bool:
    w, i = words(), 0
    while i < len(gap):
        two = " ".join(gap[i:i + 2])
        if w.has("adverb", two):
            i += 2
        elif w.has("adverb", gap[i]) or gap[i].isdigit() or gap[i] in ("từ", "năm"):
            i += 1
        else:
            return False
    return True


def _inner_subject(inner: Thing | None) -> Thing | None:
    """"kết nối hệ thống CSDL ngành X với …": that system, or the body owning it."""
    if inner is None:
        return None
    if inner.specific and not inner.national:
        return inner
    return inner.owner


def _masked(folded: str, things: list[Thing], start: int, end: int) -> str:
    """`folded[start:end]` with the names of things blanked, so that cue words inside names
    ("giao" in "Bộ Ngoại giao") are not read as cues (offsets count from `start`; `_status`
    reads nothing outside the clause, so the rest of the text is not copied)."""
    chars = list(folded[start:end])
    for t in things:
        a, b = max(t.start, start), min(t.end, end)
        if a < b:
            chars[a - start:b - start] = " " * (b - a)
    return "".join(chars)


def _status(clause: str, verb_start: int, verb_end: int) -> str:
    """planned when a cue of a task stands before the verb with no "đã" after it, else done
    (`clause`: its folded text, names blanked; the verb at [verb_start, verb_end))."""
    w = words()
    before = clause[:verb_start]
    found = list(w.done.finditer(before))
    marks = [(m.end(), w.table["done"][m.group(0)] == "strong") for m in found]
    planned = [m.end() for m in w.planned.finditer(before) if not any(d.start() <= m.start() < d.end() for d in found)]
    done = [end for end, _ in marks]
    strong = [end for end, is_strong in marks if is_strong]
    if planned and (not strong or max(planned) > max(strong)):
        return "planned"
    if not done and w.later.search(clause, verb_end):
        return "planned"
    return "done"


def _central(entity: Entity) -> bool:
    """A ministry, ministerial or government agency, or the Government: a possible operator."""
    return entity.kind == "org" and words().has("central", fold(entity.cls or ""))


# --- operates ----------------------------------------------------------------------------------

def _operates(ctx: Context, sentence: Sentence, things: list[Thing]) -> list[Fact]:
    folded, w = ctx.doc.folded, words()
    pairs: list[tuple[Thing, Thing]] = []
    for s in (t for t in things if t.kind == "system" and t.national and t.specific and not t.bare):
        if s.owner is not None and s.owner.kind == "org" and _central(s.owner.entity):
            pairs.append((s.owner, s))
        m = re.match(r"\s*do\s+", folded[s.end:sentence.end])
        if m:
            org = next((t for t in things if t.start == s.end + m.end() and t.kind == "org"), None)
            if org is not None and _central(org.entity) and w.operate.search(folded, org.end, min(sentence.end, org.end + 25)):
                pairs.append((org, s))
    for op in w.operate.finditer(folded, sentence.start, sentence.end):
        at = re.match(r"\s+(?:của\s+)?", folded[op.end():sentence.end])
        s = next((t for t in things if t.kind == "system" and at and t.start == op.end() + at.end()), None)
        if s is None or not (s.national and s.specific) or s.bare:
            continue
        subject = _subject(folded, sentence, op.start(), things, s)
        if subject is not None and subject.kind == "org" and _central(subject.entity):
            pairs.append((subject, s))
    return [Fact("operates", {"org": o.entity, "system": s.entity}, ctx.evidence(sentence), NAME) for o, s in pairs]
