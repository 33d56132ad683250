"""Numbered legal and party documents: "Quyết định số 1619/QĐ-TTg", "Nghị quyết 111-NQ/TU ngày 11/6/2021 của Tỉnh ủy".

A document is a kind label (the document-kind scheme of the lexicon) followed by a number, or a
"Số: 1964/QĐ-UBND" header whose kind is read from the number's kind code. The date is the one
written right after the number; the issuer is the organisation after "của", else the one the
number's issuing-body code stands for (data/patterns/documents.csv). A bare number ("Nghị quyết
01") counts only when written after a capitalised kind and not as a quantity ("Kế hoạch 5 năm").
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from dtkg.extract.context import Context
from dtkg.extract.lexicon import Lexicon, alternation
from dtkg.extract.orgs import parse_org
from dtkg.extract.wordre import WordRegex
from dtkg.model import Entity, Fact
from dtkg.resources import data
from dtkg.text.normalize import fold
from dtkg.text.sentences import Sentence

NAME = "documents"
VERSION = "1.0"

NUMBER = r"\d{1,5}(?:[/\-](?:\d{1,4}|[a-zđ&]+\d{0,2}))*"
_DATE_AFTER = re.compile(
    r"\s*,?\s*(?:\(\s*)?(?:được\s+)?(?:ban hành\s+|ký\s+)?ngày\s+(\d{1,2})"
    r"(?:\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*((?:19|20)\d{2}))?|\s+tháng\s+(\d{1,2})(?:\s+năm\s+((?:19|20)\d{2}))?)"
)
_DATELINE = re.compile(r"[ \t]*\n\s*[^\n,]{2,40},\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d{2})")
_OPENING_DATE = re.compile(r"\W*(?:\w+(?:\s+\w+){0,2},\s*)?(?:(?:sáng|chiều|tối|trưa)\s+)?(?:ngày\s+)?(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*((?:19|20)\d{2}))?\s*,")
_SIGNED = re.compile(r"\b(?:ký|ban hành|phê duyệt)\s*$")
_ISSUER_AFTER = re.compile(r"\s*,?\s*(?:của|do)\s+")
_DIGIT = re.compile(r"\d")
# "s(?<!\ws)ố" is "(?<!\w)số" with the look-behind after the "s": the engine skips to each "s".
_HEADER = re.compile(r"s(?<!\ws)ố(?:\s+hiệu)?\s*:\s*(" + NUMBER + r")(?![\w])")


@dataclass(frozen=True)
class Patterns:
    """The curated tables of data/patterns/documents.csv, folded for matching."""

    types: dict[str, str]  # folded kind code -> kind label
    issuers: dict[str, str]  # folded issuer code (or "kind/issuer") -> issuer name template
    notdoc: frozenset[tuple[str, str]]  # (folded kind, number) that name programmes
    named: frozenset[str]  # folded kinds after which a bare number needs "số"
    units: frozenset[str]  # folded words that make a bare number a quantity


@lru_cache(maxsize=1)
def patterns() -> Patterns:
    """Load data/patterns/documents.csv once."""
    types, issuers, notdoc, units, named = {}, {}, set(), set(), set()
    with data("patterns/documents.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            kind, code, value = row["kind"], fold(row["code"]), row["value"]
            if kind == "type":
                types[code] = value
            elif kind == "issuer":
                issuers[code] = value
            elif kind == "notdoc":
                notdoc.add((code, value))
            elif kind == "unit":
                units.add(fold(value))
            elif kind == "named":
                named.add(code)
    return Patterns(types, issuers, frozenset(notdoc), frozenset(named), frozenset(units))


@lru_cache(maxsize=4)
def _kinds(lex: Lexicon) -> tuple[WordRegex, dict[str, str]]:
    """The kind-then-number matcher and a map folded label -> canonical kind label."""
    labels = {label: terms[0].name for label, terms in lex.by_label.get("kind", {}).items() if terms}
    for kind in patterns().types.values():
        labels.setdefault(fold(kind), kind)
    regex = WordRegex("(" + alternation(labels) + r")\s+(số\s*:?\s*)?(" + NUMBER + r")(?![\w/])", before=r"\w")
    return regex, labels


@dataclass
class Mention:
    """One document as a sentence names it."""

    number: str
    kind: str
    date: dt.date | None
    issuer: Entity | None
    sentence: Sentence


def extract(ctx: Context) -> list[Fact]:
    """Every numbered document the article names, once, with the fullest details it gives."""
    mentions: list[Mention] = []
    for sentence in ctx.doc.sentences:
        mentions += _mentions(ctx, sentence)
    return [_fact(ctx, m) for m in _merge(mentions)]


def _mentions(ctx: Context, sentence: Sentence) -> list[Mention]:
    regex, labels = _kinds(ctx.lex)
    text, folded = ctx.doc.text, ctx.doc.folded
    found: list[Mention] = []
    if not _DIGIT.search(folded, sentence.start, sentence.end):
        return found  # every document number has a digit
    for m in regex.finditer(folded, sentence.start, sentence.end):
        number = text[m.start(3):m.end(3)]
        kind = _kind_written(folded, m.start(), labels[m.group(1)], number)
        if not _is_number(ctx, m, number, kind):
            continue
        found.append(_describe(ctx, sentence, number, kind, m.start(), m.end(3)))
    if folded.find("số", sentence.start, sentence.end) == -1:
        return found  # the patterns below need "số"
    for m in _titled(ctx.lex).finditer(folded, sentence.start, sentence.end):
        number = text[m.start(2):m.end(2)]
        if not any(x.number == number for x in found):
            found.append(_describe(ctx, sentence, number, labels[m.group(1)], m.start(), m.end(2)))
    for m in _HEADER.finditer(folded, sentence.start, sentence.end):
        number = text[m.start(1):m.end(1)]
        kind = _kind_from_code(number)
        if kind and not any(x.number == number for x in found):
            found.append(_describe(ctx, sentence, number, kind, m.start(), m.end(1)))
    return found


@lru_cache(maxsize=4)
def _titled(lex: Lexicon) -> WordRegex:
    """A kind, the document's title, then "số" and a full number: "Luật Giao dịch điện tử số 20/2023/QH15"."""
    labels = _kinds(lex)[1]
    return WordRegex("(" + alternation(labels) + r")\s+[^\d,.;:()]{3,80}?\s+số\s+(\d{1,5}(?:/\d{4})?[/\-][a-zđ&]+\d{0,2}(?:[/\-][a-zđ&]+\d{0,2})*)(?![\w/])",
                     before=r"\w")


def _kind_written(folded: str, start: int, kind: str, number: str) -> str:
    """The kind the number's code names when the text writes it just before ("Thông báo kết luận số 12-TB/TU")."""
    coded = _kind_from_code(number)
    if coded and coded != kind and folded[max(0, start - len(coded) - 1):start].strip() == fold(coded):
        return coded
    return kind


def _is_number(ctx: Context, m: re.Match, number: str, kind: str) -> bool:
    """A document number, not a quantity, a year or a programme name."""
    table = patterns()
    if (fold(kind), number) in table.notdoc:
        return False
    if not number.isdigit():
        return True
    after = ctx.doc.folded[m.end(3):m.end(3) + 12].split()
    if after and any(after[0].startswith(u) for u in table.units):
        return False
    if re.match(r"\s+ngày(?!\s+\d)", ctx.doc.folded[m.end(3):m.end(3) + 12]):
        return False  # "Kế hoạch 100 ngày": a span of days, not "ngày 3/4"
    if m.group(2):
        return True
    if fold(kind) in table.named:
        return False
    capital = ctx.doc.text[m.start(1)].isupper()
    return capital and not re.fullmatch(r"(?:19|20)\d\d", number)


def _kind_from_code(number: str) -> str | None:
    """The kind a number's kind code stands for ("983/QĐ-UBND" -> Quyết định)."""
    for part in re.split(r"[/\-]", number)[1:]:
        kind = patterns().types.get(fold(part))
        if kind:
            return kind
    return None


def _describe(ctx: Context, sentence: Sentence, number: str, kind: str, start: int, end: int) -> Mention:
    """Date and issuer written after the number (text[start:end] is the kind and number)."""
    date, pos = _date_after(ctx, number, end, sentence.end)
    issuer = None
    m = _ISSUER_AFTER.match(ctx.doc.folded, pos, sentence.end)
    if m:
        found = org_at(ctx, sentence, m.end())
        issuer = found[0] if found else None
    return Mention(number, kind, date or _date_signed(ctx, sentence, start), issuer, sentence)


def _date_after(ctx: Context, number: str, end: int, limit: int) -> tuple[dt.date | None, int]:
    """The date right after a number ("ngày 11/6/2021"), and where the text after it starts."""
    folded = ctx.doc.folded
    m = _DATE_AFTER.match(folded, end, limit)
    if m:
        day = int(m.group(1))
        month = int(m.group(2) or m.group(4))
        year = m.group(3) or m.group(5)
        if year is None:
            embedded = re.search(r"/((?:19|20)\d\d)/", number)
            year = embedded.group(1) if embedded else None
        return ctx.resolve_date(day, month, int(year) if year else None), m.end()
    line = _DATELINE.match(folded, end, min(len(folded), end + 90))
    if line:
        return ctx.resolve_date(int(line.group(1)), int(line.group(2)), int(line.group(3))), end
    return None, end


def _date_signed(ctx: Context, sentence: Sentence, start: int) -> dt.date | None:
    """The date of "Ngày 17/11/2021, Chủ tịch UBND tỉnh đã ký Quyết định số 3157": a date that
    opens the sentence, with a verb of signing between it and the document."""
    head = ctx.doc.folded[sentence.start:start]
    m = _OPENING_DATE.match(head)
    if not m or not _SIGNED.search(head, m.end()):
        return None
    return ctx.resolve_date(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)


def org_at(ctx: Context, sentence: Sentence, pos: int) -> tuple[Entity, int] | None:
    """The organisation whose name starts at text offset `pos` of `sentence`, and where it ends."""
    toks = ctx.tokens(sentence)
    for i, tok in enumerate(toks):
        if tok.start == pos:
            found = parse_org(ctx, toks, i)
            if found is None:
                return None
            return found.entity, (toks[found.j - 1].end if found.j > i else pos)
        if tok.start > pos:
            break
    return None


def _place(ctx: Context) -> tuple[str, str] | None:
    """The article's province as ("tỉnh X" / "thành phố X", "X")."""
    if ctx.province is None:
        return None
    name = ctx.province.name
    level = "thành phố" if ctx.province.cls == "Municipality" else "tỉnh"
    return f"{level} {name}", name


def _issuer_from_code(ctx: Context, number: str) -> Entity | None:
    """The issuer a number's issuing-body code stands for ("…/QĐ-TTg" -> Thủ tướng Chính phủ)."""
    parts = [p for p in re.split(r"[/\-]", number)[1:] if not p.isdigit()]
    if not parts:
        return None
    table = patterns().issuers
    template = None
    for part in reversed(parts):
        code = fold(part)
        template = table.get(f"{fold(parts[0])}/{code}") or table.get(code)
        if template is None and re.fullmatch(r"qh\d+", code):
            template = table.get("qh")
        if template is not None:
            break
    if template is None:
        return None
    if "{" in template:
        place = _place(ctx)
        if place is None:
            return None
        template = template.format(place=place[0], name=place[1])
    terms = ctx.lex.lookup("org", template)
    if terms:
        return ctx.org_entity(terms[0])
    return Entity(kind="org", name=template, key=fold(template))


def _merge(mentions: list[Mention]) -> list[Mention]:
    """One mention per document, with the date and issuer any mention gives.

    Two spellings of one number with the same kind, leading digits and date are a typo of one
    document ("09-NQ/TW" once, "09-NQ/TU" twice): the spelling written most often wins.
    """
    spelled = Counter(m.number for m in mentions)
    canon: dict[tuple, str] = {}
    for m in mentions:
        if m.date is not None and not m.number.isdigit():
            key = (fold(m.kind), re.match(r"\d+", m.number).group(0), m.date)
            best = canon.get(key)
            if best is None or spelled[m.number] > spelled[best]:
                canon[key] = m.number
    merged: dict[tuple[str, str], Mention] = {}
    for m in mentions:
        if m.date is not None and not m.number.isdigit():
            m.number = canon[(fold(m.kind), re.match(r"\d+", m.number).group(0), m.date)]
        key = (fold(m.kind), fold(m.number))
        first = merged.setdefault(key, m)
        if first is not m:
            first.date = first.date or m.date
            first.issuer = first.issuer or m.issuer
    return list(merged.values())


def _fact(ctx: Context, m: Mention) -> Fact:
    m.issuer = m.issuer or _issuer_from_code(ctx, m.number)
    name = f"{m.kind} {m.number}"
    key = fold(name if not m.number.isdigit() or m.issuer is None else f"{name} {m.issuer.name}")
    document = Entity(kind="document", name=name, key=key, cls="PartyDocument" if _party(m) else "LegalDocument")
    args = {"document": document, "number": m.number, "kind": m.kind, "date": m.date, "issuer": m.issuer}
    return Fact("document", args, ctx.evidence(m.sentence), NAME)


def _party(m: Mention) -> bool:
    """A Party document: numbered "…-NQ/TW", "…-NQ/TU", or issued by a Party body."""
    if re.search(r"\d-[a-zđ]+/", fold(m.number)):
        return True
    return bool(m.issuer and m.issuer.cls in ("PartyBody", "PartyCommittee"))
