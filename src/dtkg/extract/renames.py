"""Renamings: "kiện toàn và đổi tên A thành B", with the date the sentence gives.

The old name is the text between "đổi tên" and "thành", the new one what follows "thành"; each
is read by the organisation grammar (gazetteer bodies, "Ban Chỉ đạo …", "UBND tỉnh …"
completed from context) and, when the grammar does not cover the whole span, written from the
span itself with abbreviations expanded and the province made explicit.
"""
from __future__ import annotations

import re

from dtkg.extract.context import Context
from dtkg.extract.documents import org_at
from dtkg.model import Entity, Fact
from dtkg.text import dates
from dtkg.text.normalize import fold
from dtkg.text.sentences import Sentence

NAME = "renames"
VERSION = "1.0"

_RENAME = re.compile(r"(?<![\w])đổi tên\s+(?:gọi\s+)?(?:của\s+)?")
_PASSIVE = re.compile(r"\s*,?\s*(?:(?:đã|vừa|chính thức|sẽ)\s+)*(?:được|bị)\s+(?:(?:kiện toàn|sáp nhập),?\s+(?:và\s+)?)?$")
_DIRECT = re.compile(r"thành\s+(?!phố|viên|lập|công|tựu|quả)")
_INTO = re.compile(r"\s+thành\s+(?!phố|viên|lập|công|tựu|quả)")
_NEW_END = re.compile(r"\s*(?:[.;:()\"“”]|,\s|\s(?:là|do|theo|nhằm|để|với|kể từ|từ ngày|trực thuộc|được|có|sẽ|đã)\s)")
_TRAILING_PLACE = re.compile(r"\s(tỉnh|thành phố)$")
MAX_NAME = 160


def extract(ctx: Context) -> list[Fact]:
    """Each renaming the article states, once."""
    facts, seen = [], set()
    for sentence in ctx.doc.sentences:
        for old, new, date in _renamings(ctx, sentence):
            key = (old.key, new.key)
            if key in seen or old.key == new.key:
                continue
            seen.add(key)
            facts.append(Fact("renamed", {"old": old, "new": new, "date": date}, ctx.evidence(sentence), NAME))
    return facts


def _renamings(ctx: Context, sentence: Sentence):
    folded = ctx.doc.folded
    if folded.find("đổi tên", sentence.start, sentence.end) == -1:
        return  # a fast test: _RENAME needs these words
    for m in _RENAME.finditer(folded, sentence.start, sentence.end):
        into = _DIRECT.match(folded, m.end())
        if into is not None:  # "A (đã) được đổi tên thành B"
            old = _subject_before(ctx, sentence, m.start())
        else:
            into = _INTO.search(folded, m.end(), min(sentence.end, m.end() + MAX_NAME))
            if into is None:
                continue
            old = _name(ctx, sentence, m.end(), into.start())
        stop = _NEW_END.search(folded, into.end(), sentence.end)
        new = _name(ctx, sentence, into.end(), stop.start() if stop else sentence.end, bounded=False)
        if old is not None and new is not None:
            yield old, new, _date(ctx, sentence, m.start())


def _subject_before(ctx: Context, sentence: Sentence, pos: int) -> Entity | None:
    """The organisation that ends right before "(đã) được đổi tên"."""
    folded = ctx.doc.folded
    for tok in ctx.tokens(sentence):
        if tok.start >= pos:
            break
        if not tok.cap:
            continue
        found = org_at(ctx, sentence, tok.start)
        if found is not None and _PASSIVE.fullmatch(folded, found[1], pos):
            return found[0]
    return None


def _name(ctx: Context, sentence: Sentence, start: int, end: int, bounded: bool = True) -> Entity | None:
    """The organisation named by text[start:end]; when not `bounded`, the name may end earlier."""
    if end <= start or end - start > MAX_NAME:
        return None
    found = org_at(ctx, sentence, start)
    if found is not None and (found[1] >= end or not bounded):
        return found[0]
    text = ctx.doc.text[start:end].strip(" ,")
    if not text[:1].isupper():
        return None
    words = [ctx.lex.abbreviations.get(w, w) for w in text.split()]
    name = " ".join(words)
    place = _TRAILING_PLACE.search(name)
    if place and ctx.province is not None:
        name = f"{name} {ctx.province.name}"
    terms = ctx.lex.lookup("org", name)
    if terms:
        return ctx.org_entity(terms[0])
    return Entity(kind="org", name=name, key=fold(name))


def _date(ctx: Context, sentence: Sentence, before: int):
    """The date the sentence gives before the renaming ("Ngày 24-9", "ngày 17/11/2021")."""
    head = ctx.doc.text[sentence.start:before]
    full = dates.parse_absolute(head)
    if full is not None:
        return full
    relative = dates.find_relative(head)
    if relative:
        _, _, day, month = relative[0]
        return ctx.resolve_date(day, month)
    return None
