"""Organisation names: recognise one starting at a token and write it in full.

Gazetteer bodies (ministries, the Government, central Party bodies) are matched whole.
Other names are parsed: a head word ("Ủy ban nhân dân", "Ban Chỉ đạo", "Sở", "Tỉnh ủy" …),
then the words of the name (a vocabulary built from the reference graph and
data/lexicon/org_words.txt), then the place ("tỉnh Ninh Bình"), completed from the
article's context when the text leaves it out ("UBND tỉnh", "Ban Chỉ đạo tỉnh").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from dtkg.extract.context import Context
from dtkg.extract.lexicon import Lexicon, _read_lines, alternation
from dtkg.extract.tokens import Tok
from dtkg.extract.wordre import WordRegex
from dtkg.model import Entity
from dtkg.text.normalize import fold

LEVELS = {"tỉnh": "tỉnh", "thành phố": "thành phố", "tp.": "thành phố", "tp": "thành phố",
          "huyện": "huyện", "thị xã": "thị xã", "quận": "quận", "xã": "xã", "phường": "phường", "thị trấn": "thị trấn"}
PROVINCE_LEVELS = {"tỉnh", "thành phố"}
NATIONAL = ("quốc gia", "trung ương", "chính phủ", "tw", "t.ư")
CONNECTORS = {"và", "về", "của", ","}
MAX_WORDS = 30
CAPITAL_HEADS_ONLY = True
SUB_UNITS = {"Cục", "Vụ", "Trung tâm", "Văn phòng", "Viện"}  # "Cục X, Bộ Y": the parent follows
PARENTED = {"Cục", "Vụ", "Trung tâm", "Văn phòng"}  # units that belong to a ministry  # generic heads ("Ban", "Sở") count only when written with a capital


class OrgParse(NamedTuple):
    """An organisation found at tokens[i:j] (a NamedTuple: quick to make)."""

    entity: Entity
    i: int
    j: int


@dataclass(frozen=True)
class _Heads:
    table: dict[str, tuple[str, str, str]]  # folded head -> (canonical head, class, scope)
    phrases: Phrases


@lru_cache(maxsize=4)
def _heads(lex: Lexicon) -> _Heads:
    table = {fold(h): (h, cls, scope) for h, (cls, scope) in lex.org_heads.items()}
    for abbr, expansion in lex.abbreviations.items():
        if fold(expansion) in table:
            table[fold(abbr)] = table[fold(expansion)]
    return _Heads(table, Phrases.of(table))


@lru_cache(maxsize=4)
def org_first_words(lex: Lexicon) -> frozenset[str]:
    """Words an organisation name parsed by the grammar can begin with (head words)."""
    return frozenset(k.split()[0] for k in _heads(lex).table)


@lru_cache(maxsize=4)
def org_heads_regex(lex: Lexicon) -> WordRegex:
    """Head words as written with a capital (or abbreviated) in the source text."""
    heads = {h for h in lex.org_heads} | {a for a, e in lex.abbreviations.items() if e in lex.org_heads}
    return WordRegex("(?:" + alternation(heads) + r")(?!\w)", before=r"\w")


@lru_cache(maxsize=4)
def _vocabulary(lex: Lexicon) -> frozenset[str]:
    words = {w for line in _read_lines("lexicon/org_words.txt") for w in fold(line).split()}
    for label in lex.by_label.get("org", {}):
        words.update(w for w in label.replace(",", " ").split() if w.isalpha())
    return frozenset(words - _function_words())


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    return frozenset(fold(w) for w in _read_lines("lexicon/function_words.txt"))


@dataclass(frozen=True)
class Phrases:
    """A table keyed by folded phrases ("ủy ban nhân dân"), read from tokens word by word."""

    table: dict
    prefixes: frozenset[str]  # the first one, two, … words of the keys

    @classmethod
    def of(cls, table: dict) -> "Phrases":
        parts = [key.split(" ") for key in table]
        return cls(table, frozenset(" ".join(p[:n]) for p in parts for n in range(1, len(p) + 1)))


_LEVEL_PHRASES = Phrases.of(LEVELS)


def _phrase_at(toks: list[Tok], k: int, phrases: Phrases) -> tuple[str, int] | None:
    """The longest key of `phrases` spelled by tokens k… (folded, space-joined), and the index after it;
    words are read while they can still become a key."""
    if k >= len(toks):
        return None
    prefixes, table = phrases.prefixes, phrases.table
    key = toks[k].low
    if key not in prefixes:
        return None
    found, n = None, 1
    while True:
        if key in table:
            found = key, k + n
        if k + n >= len(toks):
            return found
        key = f"{key} {toks[k + n].low}"
        if key not in prefixes:
            return found
        n += 1


def _two_words(toks: list[Tok], k: int) -> str:
    """Tokens k and k+1 (folded, space-joined), or token k alone at the end."""
    return f"{toks[k].low} {toks[k + 1].low}" if k + 1 < len(toks) else toks[k].low


def _token_index(toks: list[Tok], offset: int, default: int) -> int:
    for idx, t in enumerate(toks):
        if t.start >= offset:
            return idx
    return default


def person_starts(ctx: Context, toks: list[Tok], k: int) -> bool:
    """A family name followed by a capitalised word begins a person's name here."""
    if k + 1 >= len(toks):
        return False
    return toks[k].cap and toks[k].low in ctx.lex.surnames and toks[k + 1].cap and toks[k + 1].word


def role_at(ctx: Context, toks: list[Tok], k: int):
    """The role title starting at token k, if any."""
    if k >= len(toks) or not toks[k].word:
        return None
    return ctx.match_at("role", toks[k].start)


def place_at(ctx: Context, toks: list[Tok], k: int) -> tuple[str | None, Entity | None, int]:
    """An optional level word and place name at token k: (level, place, next index)."""
    level, j = None, k
    hit = _phrase_at(toks, k, _LEVEL_PHRASES)
    if hit:
        level, j = LEVELS[hit[0]], hit[1]
    if j < len(toks) and toks[j].word:
        prov = ctx.match_at("province", toks[j].start)
        if prov and prov.terms and (toks[j].cap or level):
            unit = ctx.unit(prov.terms)
            end = _token_index(toks, prov.end, len(toks))
            if unit is not None:
                return level, ctx.place_entity(unit), end
    if level and level not in PROVINCE_LEVELS:
        run = j
        while run < len(toks) and toks[run].cap and toks[run].word and run - j < 4:
            run += 1
        if run > j:
            name = " ".join(t.text for t in toks[j:run])
            return level, Entity(kind="province", name=name, key=fold(name), cls="AdministrativeUnit"), run
    return level, None, j if level else k


def _place_name(level: str | None, place: Entity) -> str:
    """How a body's name ends: "tỉnh X", "thành phố X", "thị xã X"."""
    if place.cls == "Municipality":
        return f"thành phố {place.name}"
    if place.cls == "Province":
        return f"tỉnh {place.name}"
    return f"{level} {place.name}" if level else place.name


def expand(ctx: Context, word: str) -> str:
    """A word with its abbreviation written out (data/abbreviations.csv)."""
    return ctx.lex.abbreviations.get(word, word)


def parse_org(ctx: Context, toks: list[Tok], i: int, lower_head: bool = False) -> OrgParse | None:
    """The organisation whose name starts at token i, written in full, or None.

    `lower_head` accepts a head word written in lower case ("Trưởng ban chỉ đạo …").
    """
    if i >= len(toks) or not toks[i].word:
        return None
    hit = ctx.match_at("org", toks[i].start)
    if hit and hit.terms:
        j = _token_index(toks, hit.end, len(toks))
        if j == len(toks) or toks[j].start >= hit.end:
            ent = ctx.org_entity(hit.terms[0])
            ctx.remember(ent.cls or "org", ent)
            head = _phrase_at(toks, i, _heads(ctx.lex).phrases)
            if head:
                ctx.remember(_heads(ctx.lex).table[head[0]][0], ent)
            return OrgParse(ent, i, j)
    heads = _heads(ctx.lex)
    found = _phrase_at(toks, i, heads.phrases)
    if not found:
        return None
    head, cls, scope = heads.table[found[0]]
    if CAPITAL_HEADS_ONLY and not toks[i].cap and not lower_head:
        return None
    if _two_words(toks, i) in _function_words():
        return None  # "ban hành" is a verb, not "Ban …"
    j = found[1]
    if j < len(toks) and toks[j].low == "các":
        return None
    if scope == "local":
        return _local(ctx, toks, i, j, head, cls)
    return _named(ctx, toks, i, j, head, cls)


def _local(ctx: Context, toks: list[Tok], i: int, j: int, head: str, cls: str) -> OrgParse | None:
    """People's committees and councils, provincial Party committees, provincial police."""
    level, place, k = place_at(ctx, toks, j)
    if place is None and level in (None, "tỉnh", "thành phố") and ctx.province is not None:
        place = ctx.place_entity(ctx.province)
    if place is None:
        return None
    if head in ("Tỉnh ủy", "Thành ủy", "Ban Thường vụ Tỉnh ủy", "Ban Thường vụ Thành ủy"):
        if place.cls == "Municipality":
            head = head.replace("Tỉnh ủy", "Thành ủy")
        name = f"{head} {place.name}"
    else:
        name = f"{head} {_place_name(level, place)}"
    ent = Entity(kind="org", name=name, key=fold(name), cls=cls, place=place)
    ctx.remember(cls, ent)
    return OrgParse(ent, i, k)


def _named(ctx: Context, toks: list[Tok], i: int, j: int, head: str, cls: str) -> OrgParse | None:
    """Bodies named by a head word and a description: steering committees, departments, …"""
    vocab = _vocabulary(ctx.lex)
    words: list[str] = []
    place: Entity | None = None
    level: str | None = None
    nested = False
    k = j
    if k + 2 < len(toks) and toks[k].text == "(" and toks[k + 2].text == ")":
        k += 3  # "Ban chỉ đạo (BCĐ) Chuyển đổi số"
    function = _function_words()
    proper = True  # still in the capitalised run right after the head ("Viện Hàn lâm …")
    while k < len(toks) and len(words) < MAX_WORDS:
        t = toks[k]
        if t.text == ",":
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if nxt and nxt.word and nxt.low in vocab and not role_at(ctx, toks, k + 1) \
                    and not parse_org(ctx, toks, k + 1) and not person_starts(ctx, toks, k + 1):
                words.append(",")
                k += 1
                continue
            if nxt and head in SUB_UNITS:
                parent = parse_org(ctx, toks, k + 1)
                if parent and parent.entity.ref:
                    words += [",", parent.entity.name]
                    k = parent.j
                    nested = True
            break
        if t.text == "(" and head in SUB_UNITS and words:
            parent = parse_org(ctx, toks, k + 1)  # "Cục X (Bộ GD&ĐT)"
            if parent and parent.entity.ref and parent.j < len(toks) and toks[parent.j].text == ")":
                words += [",", parent.entity.name]
                k = parent.j + 1
                nested = True
            break
        if not t.word or (t.low == "và" and not words) or t.low in function or _two_words(toks, k) in function:
            break
        lvl, plc, nk = place_at(ctx, toks, k)
        if plc is not None:
            level, place, k = lvl, plc, nk
            break
        if lvl in PROVINCE_LEVELS:
            level, k = lvl, nk
            break
        if role_at(ctx, toks, k) and (t.cap or words) and t.low not in vocab:
            break
        if person_starts(ctx, toks, k):
            break
        if t.low == "của" or (t.cap and words and k > j and _phrase_at(toks, k, _heads(ctx.lex).phrases)):
            sub = parse_org(ctx, toks, k + 1 if t.low == "của" else k)
            if sub is None:
                break
            words += (["của"] if t.low == "của" else []) + [sub.entity.name]
            nested = True
            k = sub.j
            continue
        if t.low in vocab or t.text in ctx.lex.abbreviations or (t.cap and proper and t.low not in ctx.lex.surnames):
            proper = proper and t.cap
            words.append(expand(ctx, t.text))
            k += 1
            continue
        if t.text.isdigit() and words and fold(words[-1]) in ("án", "số"):
            words.append(t.text)
            k += 1
            continue
        break
    while words and words[-1].lower() in CONNECTORS:
        words.pop()
        k -= 1
    return _finish_named(ctx, toks, i, k, head, cls, words, level, place, nested)


def _finish_named(ctx, toks, i, k, head, cls, words, level, place, nested) -> OrgParse | None:
    body = " ".join(words).replace(" ,", ",")
    low = fold(body)
    national = nested or any(n in low for n in NATIONAL)  # (a word of low is in low)
    if place is None and level in PROVINCE_LEVELS and ctx.province is not None:
        place = ctx.place_entity(ctx.province)
    if not words and place is None:
        remembered = ctx.recall(head) or ctx.recall(cls)
        if remembered is None:
            return None
        return OrgParse(remembered, i, k)
    remembered = ctx.recall(head)
    if remembered is not None and place is None and fold(remembered.name).startswith(fold(f"{head} {body}") + " "):
        return OrgParse(remembered, i, k)
    if place is None and level in PROVINCE_LEVELS and ctx.province is not None:
        place = ctx.place_entity(ctx.province)
    parent = ctx.main_ministry()
    if head in PARENTED and words and not nested and place is None and parent is not None:
        body = f"{body}, {parent.name}"  # "Cục Công nghệ thông tin" in an article about a ministry
        nested = True
    if place is None and not national and cls in ("SteeringCommittee", "ProvincialDepartment") and ctx.province is not None:
        place = ctx.place_entity(ctx.province)
    if not words and place is not None and cls == "SteeringCommittee":
        remembered = ctx.recall(cls)
        if remembered is not None and remembered.place is not None and remembered.place.key == place.key:
            return OrgParse(remembered, i, k)
        body = "chuyển đổi số"
    name = " ".join(p for p in (head, body, _place_name(level, place) if place else "") if p)
    if cls == "SteeringCommittee":
        cls = "ProvincialSteeringCommittee" if place is not None else ("NationalSteeringCommittee" if national else cls)
    ent = Entity(kind="org", name=name, key=fold(name), cls=cls, place=place)
    if words:
        ctx.remember(cls, ent)
        ctx.remember(head, ent)
        if cls.endswith("SteeringCommittee"):
            ctx.remember("SteeringCommittee", ent)
    return OrgParse(ent, i, k)
