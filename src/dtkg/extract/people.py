"""People and their titles in a sentence: names, chains of titles, and who holds which post.

The grammar covers the ways news writes it:
  "đồng chí Phạm Quang Ngọc, Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh"  (name, then titles)
  "Bộ trưởng Bộ Tài chính Hồ Đức Phớc"                               (titles, then name)
  "Mai Sơn - Phó Chủ tịch Thường trực UBND tỉnh"                      (dash)
  "… do ông X, Bí thư Tỉnh ủy làm Trưởng ban"                         (copula: làm / là)
  "Phó Thủ tướng, Phó Trưởng BCĐ: Nguyễn Chí Dũng, Phạm Thị Thanh Trà" (titles, then a list)
Honorifics and ranks ("đồng chí", "ông", "TS.", "Đại tướng") are not part of the name.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache

from dtkg.extract.context import Context
from dtkg.extract.lexicon import Term, _read_lines
from dtkg.extract.orgs import org_first_words, org_heads_regex, parse_org, person_starts, role_at
from dtkg.extract.tokens import Tok
from dtkg.model import Entity
from dtkg.text.normalize import fold
from dtkg.text.sentences import Sentence

CHAIN_SEPARATORS = {",", "-", "–", "—"}
LIST_SEPARATORS = {",", ";", "và"}
COPULAS = ("làm", "là", "giữ chức", "được bầu làm", "được bổ nhiệm làm", "được giao làm",
           "đảm nhiệm vai trò", "đảm nhận vai trò", "giữ vai trò", "đảm nhiệm", "đảm nhận", "sẽ làm",
           "sẽ đảm nhiệm vai trò", "sẽ đảm nhiệm", "được phân công làm")
COPULA_WORDS = tuple(tuple(phrase.split()) for phrase in COPULAS)
COPULA_FIRST = frozenset(words[0] for words in COPULA_WORDS)
MAX_NAME_TOKENS = 4


@dataclass
class Title:
    """A role, with the organisation it belongs to when the text gives (or implies) one."""

    role: Term
    org: Entity | None
    i: int
    j: int
    used: bool = False


@dataclass
class Person:
    """A person's name at tokens[i:j] and the titles the sentence gives them."""

    entity: Entity
    i: int
    j: int
    titles: list[Title] = field(default_factory=list)
    h: int = -1  # first token, honorifics included ("ông", "đồng chí")

    def __post_init__(self) -> None:
        if self.h < 0:
            self.h = self.i

    @property
    def start(self) -> int:
        return min([self.h] + [t.i for t in self.titles])

    @property
    def end(self) -> int:
        return max([self.j] + [t.j for t in self.titles])


@dataclass
class Analysis:
    """Persons and titles of one sentence."""

    sentence: Sentence
    toks: list[Tok]
    people: list[Person]
    titles: list[Title]
    orgs: list[tuple[int, int, Entity]]


@lru_cache(maxsize=4)
def _honorific_index(lex) -> dict[str, list[tuple[str, ...]]]:
    """Honorifics by their first word (tokens folded; "TS." is the tokens "ts." or "ts", ".")."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for h in lex.honorifics:
        words = tuple(h.split())
        index.setdefault(words[0], []).append(words)
        if words[-1].endswith(".") and len(words) == 1:
            index.setdefault(words[0][:-1], []).append((words[0][:-1], "."))
    for options in index.values():
        options.sort(key=len, reverse=True)
    return index


def _honorific_end(ctx: Context, toks: list[Tok], k: int) -> int:
    """Index after any honorifics starting at k (k itself if none)."""
    index = _honorific_index(ctx.lex)
    while k < len(toks):
        for words in index.get(toks[k].low, ()):
            if tuple(t.low for t in toks[k:k + len(words)]) == words:
                k += len(words)
                break
        else:
            return k
    return k


def parse_name(ctx: Context, toks: list[Tok], k: int, after_honorific: bool = False) -> tuple[Entity, int] | None:
    """A person's name starting at token k: a family name and one to three capitalised syllables."""
    if k >= len(toks) or not (toks[k].cap and toks[k].word and toks[k].text.isalpha() or "'" in toks[k].text):
        return None
    if not (person_starts(ctx, toks, k) or (after_honorific and k + 1 < len(toks) and toks[k + 1].cap)):
        return None
    if ctx.match_at("province", toks[k].start):
        return None  # "Ninh Bình", "Hà Nội" are places, though Ninh and Hà are family names
    j = k + 1
    while j < len(toks) and j - k < MAX_NAME_TOKENS and toks[j].cap and toks[j].text.isalpha():
        if role_at(ctx, toks, j) or ctx.match_at("province", toks[j].start) or parse_org(ctx, toks, j):
            break
        j += 1
    if j - k < 2:
        return None
    name = " ".join(t.text for t in toks[k:j])
    return Entity(kind="person", name=name, key=fold(name)), j


def _role_hit(ctx: Context, toks: list[Tok], k: int):
    """A role title at k; "Trưởng BCĐ", "Phó trưởng Ban …" read as Trưởng ban / Phó Trưởng ban."""
    hit = role_at(ctx, toks, k)
    if hit is not None and hit.terms:
        return hit.terms[0], hit.end
    if k >= len(toks) or toks[k].low not in ("phó", "trưởng"):
        return None
    for prefix in (("phó", "trưởng"), ("trưởng",)):
        n = len(prefix)
        if tuple(t.low for t in toks[k:k + n]) == prefix and k + n < len(toks):
            p = parse_org(ctx, toks, k + n, lower_head=True)
            if p and fold(p.entity.name).startswith("ban"):
                terms = ctx.lex.lookup("role", " ".join(prefix) + " ban")
                if terms:
                    return terms[0], toks[k + n - 1].end
    return None


def parse_title(ctx: Context, toks: list[Tok], k: int) -> Title | None:
    """A role title at token k and the organisation that follows it, if any."""
    found = _role_hit(ctx, toks, k)
    if found is None:
        return None
    role, end = found
    r = k
    while r < len(toks) and toks[r].end <= end:
        r += 1
    if [t.low for t in toks[r:r + 2]] == ["phụ", "trách"]:
        r += 2
    org = None
    # "Trưởng Ban Chỉ đạo", "Chánh Văn phòng Trung ương Đảng": the role's last words begin the org
    for back in (1, 2):
        if r - back > k:
            p = parse_org(ctx, toks, r - back, lower_head=True)
            if p and p.j > r:
                org, r = p.entity, p.j
                break
    # "Ủy viên Bộ Chính trị", "Ủy viên dự khuyết Trung ương Đảng": a title written with its body
    if org is None:
        for cut in range(k + 1, r):
            p = parse_org(ctx, toks, cut)
            if not (p and p.j >= r):
                continue
            shorter = ctx.lex.lookup("role", " ".join(t.text for t in toks[k:cut]))
            if shorter:
                role, org, r = shorter[0], p.entity, p.j
                break
    if org is None:
        p = parse_org(ctx, toks, r, lower_head=True)
        if p:
            org, r = p.entity, p.j
    if org is None and role.name in ctx.lex.role_orgs:
        name = ctx.lex.role_orgs[role.name]
        terms = ctx.lex.lookup("org", name)
        org = ctx.org_entity(terms[0]) if terms else Entity(kind="org", name=name, key=fold(name), cls="Organisation")
    return Title(role, org, k, r)


def states_titles(ctx: Context, sentence: Sentence) -> bool:
    """Whether a sentence may name a title or a body worth remembering (a cheap gate: the
    others can state no post and complete no later name)."""
    found = ctx.titled.get(sentence.start)
    if found is None:
        found = ctx.titled[sentence.start] = (
            bool(ctx.hits("role", sentence.start, sentence.end))
            or "trưởng" in ctx.doc.folded[sentence.start:sentence.end]
            or bool(org_heads_regex(ctx.lex).search(ctx.doc.text, sentence.start, sentence.end)))
    return found


def analysis(ctx: Context, sentence: Sentence) -> Analysis:
    """The analysis of a sentence, computed once per document."""
    found = ctx.analyses.get(sentence.start)
    if found is None:
        found = ctx.analyses[sentence.start] = analyse(ctx, sentence)
    return found


def analyse(ctx: Context, sentence: Sentence) -> Analysis:
    """Find the persons and titles of a sentence and give each person their titles."""
    toks = ctx.tokens(sentence)
    people: list[Person] = []
    titles: list[Title] = []
    orgs: list[tuple[int, int, Entity]] = []
    honorifics = _honorific_index(ctx.lex)
    k = 0
    for start in _candidate_starts(ctx, toks, sentence):
        if start < k:
            continue  # inside what was read
        k = start
        h = _honorific_end(ctx, toks, k) if toks[k].low in honorifics else k
        found = parse_name(ctx, toks, h, after_honorific=h > k)
        if found:
            people.append(Person(found[0], h, found[1], h=k))
            k = found[1]
            continue
        title = parse_title(ctx, toks, k)
        if title:
            titles.append(title)
            k = max(title.j, k + 1)
            continue
        p = parse_org(ctx, toks, k)
        if p:
            orgs.append((p.i, p.j, p.entity))
            k = max(p.j, k + 1)
            continue
        k += 1
    _assign(ctx, toks, people, titles, orgs)
    return Analysis(sentence, toks, people, titles, orgs)


def _candidate_starts(ctx: Context, toks: list[Tok], sentence: Sentence) -> list[int]:
    """Token indices where a name, a title or an organisation may begin (cheap tests first), in order."""
    hit_starts = {h.start for kind in ("role", "org") for h in ctx.hits(kind, sentence.start, sentence.end)}
    words = _start_words(ctx.lex)
    surnames = ctx.lex.surnames
    return [k for k, t in enumerate(toks) if t.start in hit_starts or t.low in words or (t.cap and t.low in surnames)]


@lru_cache(maxsize=4)
def _start_words(lex) -> frozenset[str]:
    """Words a title, an organisation or an honorific may begin with."""
    return org_first_words(lex) | frozenset(_honorific_index(lex)) | {"phó", "trưởng"}


def _assign(ctx: Context, toks: list[Tok], people: list[Person], titles: list[Title], orgs) -> None:
    by_end = {t.j: t for t in titles}
    by_start = {t.i: t for t in titles}
    ends = {p.j for p in people}
    for p in people:
        _titles_before(toks, p, by_end, ends)
    for p in people:
        _titles_after(toks, p, by_start)
    _copula_groups(toks, people, by_start)
    _lists(toks, people, titles)
    _complete(ctx, toks, people, orgs)


def _titles_before(toks: list[Tok], p: Person, by_end: dict[int, Title], ends: set[int]) -> None:
    """Titles right before a name ("Bộ trưởng Bộ Tài chính Hồ Đức Phớc"), chained by commas or
    written back to back ("Bộ trưởng, Chủ nhiệm …"), maybe across a dash or "là" ("Trưởng ban là ông X")."""
    start = p.h
    t = by_end.get(start)
    if t is None and start >= 1 and (toks[start - 1].text in ("-", "–", "—") or toks[start - 1].low == "là"):
        t = by_end.get(start - 1)
    chain: list[Title] = []
    while t is not None and not t.used:
        chain.insert(0, t)
        prev = t.i - 1
        if prev in ends:  # "X - Trưởng ban, Chủ tịch … Y": the title after X's dash is X's
            if len(chain) > 1:
                chain.pop(0)
            break
        if prev >= 0 and toks[prev].text == ",":
            t = by_end.get(prev)
        elif prev >= 0 and toks[prev].low == "là" and by_end.get(prev) is not None:
            t = by_end.get(prev)  # "Trưởng ban là Phó Bí thư Tỉnh ủy, … - ông X"
        else:
            t = by_end.get(t.i)
    for t in chain:
        t.used = True
    p.titles += chain


def _titles_after(toks: list[Tok], p: Person, by_start: dict[int, Title]) -> None:
    """Titles after a name, after a comma or dash ("Mai Sơn - Phó Chủ tịch …, Phó Trưởng BCĐ")."""
    k = p.j
    while k < len(toks):
        if toks[k].text in CHAIN_SEPARATORS or toks[k].text == "(":
            k += 1
        elif _copula_end(toks, k):
            k = _copula_end(toks, k)
        else:
            break
        t = by_start.get(k)
        if t is None or t.used:
            break
        t.used = True
        p.titles.append(t)
        k = t.j


def _copula_groups(toks: list[Tok], people: list[Person], by_start: dict[int, Title]) -> None:
    """"X và Y là 2 Phó Trưởng ban": a title after a copula goes to every name joined before it."""
    for n, p in enumerate(people):
        k = _copula_end(toks, p.end)
        if not k:
            continue
        if k < len(toks) and toks[k].text.isdigit():
            k += 1
        t = by_start.get(k)
        if t is None:
            continue
        group = [p]
        for q in reversed(people[:n]):
            if all(x.low in ("và", ",") for x in toks[q.end:group[0].start]) and q.end < group[0].start:
                group.insert(0, q)
            else:
                break
        for q in group:
            if t not in q.titles:
                q.titles.append(t)
        t.used = True


def _copula_end(toks: list[Tok], k: int) -> int:
    """Index after "làm"/"là"/"trực tiếp làm" at k, or 0."""
    j = k
    if j < len(toks) and toks[j].low == "trực" and j + 1 < len(toks) and toks[j + 1].low == "tiếp":
        j += 2
    if j >= len(toks) or toks[j].low not in COPULA_FIRST:
        return 0
    for words in COPULA_WORDS:
        if tuple(t.low for t in toks[j:j + len(words)]) == words:
            return j + len(words)
    return 0


def _lists(toks: list[Tok], people: list[Person], titles: list[Title]) -> None:
    """Titles before a colon or "gồm" go to every name listed after it."""
    for t in titles:
        if t.used or t.j >= len(toks):
            continue
        if toks[t.j].text != ":" and toks[t.j].low != "gồm":
            continue
        chain = [t]
        prev = t.i - 1
        for other in reversed(titles):
            if other.j == prev and toks[prev].text == "," and not other.used:
                chain.insert(0, other)
                prev = other.i - 1
        k = t.j + 1
        for p in people:
            if p.start < k:
                continue
            gap = [x.low for x in toks[k:p.start]]
            if any(g not in LIST_SEPARATORS and g != ":" for g in gap):
                break
            p.titles = chain + p.titles
            k = p.end
        for c in chain:
            c.used = True


@lru_cache(maxsize=1)
def _role_classes() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for row in csv.reader(_read_lines("lexicon/role_classes.csv")):
        if len(row) >= 2:
            table.setdefault(row[0], set()).add(row[1])
    return table


def _complete(ctx: Context, toks: list[Tok], people: list[Person], orgs) -> None:
    """Give an organisation to titles that name none: the next title's, or the body in context."""
    for p in people:
        for n, t in enumerate(p.titles):
            if t.org is not None:
                continue
            nxt = p.titles[n + 1] if n + 1 < len(p.titles) else None
            if nxt is not None and nxt.org is not None and (nxt.i == t.j or (nxt.i == t.j + 1 and toks[t.j].text == ",")):
                t.org = nxt.org
            else:
                t.org = body_in_context(ctx, t, orgs)
    for p in people:
        for t in p.titles:
            if t.org is not None:
                ctx.holders[(t.role.name, t.org.key)] = p.entity


def body_in_context(ctx: Context, title: Title, orgs) -> Entity | None:
    """The body a title with no organisation belongs to: one of the kind the role fits that the
    sentence names before it ("Về phía Bộ X, Bộ trưởng Y"), else the article's ministry; for
    committee roles (Trưởng ban …) the committee in the sentence, else the last one named."""
    fitting = _role_classes().get(title.role.name, set())
    earlier = [e for i, j, e in orgs if j <= title.i and e.cls in fitting]
    if earlier:
        return earlier[-1]
    ministry = ctx.main_ministry()
    if ministry is not None and ministry.cls in fitting:
        return ctx.org_entity(ministry)
    name = fold(title.role.name)
    if name.endswith("ban") or name.endswith("ban thường trực"):
        committee = next((e for _, _, e in orgs if (e.cls or "").endswith("SteeringCommittee")), None)
        return committee or ctx.recall("SteeringCommittee")
    return None
