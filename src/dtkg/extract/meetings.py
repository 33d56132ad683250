"""`meeting` and `presides` facts: meetings held by a body (with their ordinal and date) and
who chaired them ("chủ trì", "đồng chủ trì"; attending — "dự", "tham dự" — is not chairing).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dtkg.extract.context import Context
from dtkg.extract.orgs import parse_org
from dtkg.extract.people import Analysis
from dtkg.extract.people import analysis as analysis_of
from dtkg.model import Entity, Fact
from dtkg.text.dates import ABSOLUTE, RELATIVE
from dtkg.text.normalize import fold

NAME = "meetings"
VERSION = "0.1.0"

ORDINAL_WORDS = {"nhất": 1, "đầu tiên": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6,
                 "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
MEETING = re.compile(
    r"\b(phiên họp|phiên|hội nghị|cuộc họp|họp)"
    r"(?:\s+(?:lần\s+)?thứ\s+(\d+|nhất|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười)\b|\s+(?:lần\s+)?(đầu tiên)\b)?"
)
MEETING_WORDS = re.compile("phiên|họp|hội nghị")  # one is in every MEETING match (a fast test)
HELD_BY = re.compile(r"(?:tổ chức|họp)\s*$")
CHAIR = re.compile(r"\b(đồng chủ trì|chủ trì)\b")
MEETING_NOUNS = ("phiên họp", "hội nghị", "cuộc họp", "họp", "buổi làm việc", "hội thảo")


@dataclass
class Meeting:
    entity: Entity
    org: Entity | None
    date: dt.date | None
    ordinal: int | None
    sentence_start: int


def _ordinal(match: re.Match) -> int | None:
    word = match.group(2) or match.group(3)
    if not word:
        return None
    return int(word) if word.isdigit() else ORDINAL_WORDS.get(word)


def _sentence_date(ctx: Context, start: int, end: int) -> dt.date | None:
    text = ctx.doc.folded[start:end]
    m = ABSOLUTE.search(text)
    if m and m.start() < 25:
        return ctx.resolve_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = RELATIVE.search(text)
    if m:
        return ctx.resolve_date(int(m.group(1)), int(m.group(2)))
    return None


def lead_date(ctx: Context) -> dt.date | None:
    """The date of the event the article reports: the first relative date of its lead, else its own date."""
    for sentence in ctx.doc.sentences[:6]:
        m = RELATIVE.search(ctx.doc.folded, sentence.start, sentence.end)
        if m:
            return ctx.resolve_date(int(m.group(1)), int(m.group(2)))
    return ctx.doc.date


def _org_near(ctx: Context, analysis: Analysis, start: int, end: int) -> Entity | None:
    """The body holding the meeting: "phiên họp thứ ba của X", "phiên họp X", or "X tổ chức phiên họp"."""
    toks = analysis.toks
    after = next((k for k, t in enumerate(toks) if t.start >= end), len(toks))
    if after < len(toks) and toks[after].low == "của":
        after += 1
    p = parse_org(ctx, toks, after) if after < len(toks) else None
    if p:
        return p.entity
    before = ctx.doc.folded[analysis.sentence.start:start]
    if HELD_BY.search(before):
        for i, j, ent in reversed(analysis.orgs):
            if toks[j - 1].end <= start:
                return ent
    return None


def _event_name(kind: str, ordinal_text: str, org: Entity) -> str:
    head = kind[:1].upper() + kind[1:]
    return f"{head} {ordinal_text} của {org.name}".replace("  ", " ")


def find_meetings(ctx: Context) -> list[tuple[Meeting, object]]:
    """Meetings the article names with the body that holds them."""
    found: dict[tuple[str, object], tuple[Meeting, object]] = {}
    for sentence in ctx.doc.sentences:
        if not MEETING_WORDS.search(ctx.doc.folded, sentence.start, sentence.end):
            continue
        matches = list(MEETING.finditer(ctx.doc.folded, sentence.start, sentence.end))
        if not matches:
            continue
        analysis = analysis_of(ctx, sentence)
        for m in matches:
            ordinal = _ordinal(m)
            org = _org_near(ctx, analysis, m.start(), m.end())
            if org is None or (ordinal is None and m.group(1) in ("phiên", "họp")):
                continue
            said = _sentence_date(ctx, sentence.start, sentence.end)
            held = HELD_BY.search(ctx.doc.folded[sentence.start:m.start()])
            if ordinal is None and said is None and not held:
                continue  # "các phiên họp của Chính phủ": no particular meeting
            date = said or lead_date(ctx)  # read only when needed: most articles name no meeting
            key = (org.key, ordinal if ordinal is not None else date)
            if key in found:
                continue
            ordinal_text = ctx.doc.text[m.start() + len(m.group(1)):m.end()].strip()
            name = _event_name(ctx.doc.text[m.start():m.start() + len(m.group(1))], ordinal_text, org)
            ent = Entity(kind="meeting", name=name, key=f"{org.key}|{ordinal or date}",
                         extra=(("org", org), ("ordinal", ordinal), ("date", date)))
            found[key] = (Meeting(ent, org, date, ordinal, sentence.start), sentence)
    return list(found.values())


def _chairs(ctx: Context, analysis: Analysis) -> list[Entity]:
    """People the sentence says chair ("X chủ trì", "do X chủ trì", "đồng chủ trì … có X, Y")."""
    people: list[Entity] = []
    toks = analysis.toks
    for m in CHAIR.finditer(ctx.doc.folded, analysis.sentence.start, analysis.sentence.end):
        k = next((i for i, t in enumerate(toks) if t.start >= m.start()), len(toks))
        before = [p for p in analysis.people if p.end <= k and _gap_ok(toks, p.end, k)]
        if before:
            group = [before[-1]]
            for p in reversed([p for p in analysis.people if p.end <= group[0].start]):
                if all(t.text in (";", ",", "và") for t in toks[p.end:group[0].start]) and p.end < group[0].start:
                    group.insert(0, p)
                else:
                    break
            people.extend(p.entity for p in group)
            continue
        titled = [t for t in analysis.titles if t.j <= k and _gap_ok(toks, t.j, k) and t.org is not None]
        if titled:
            holder = ctx.holders.get((titled[-1].role.name, titled[-1].org.key))
            if holder:
                people.append(holder)
                continue
        after = [p for p in analysis.people if p.i >= k]
        if after and not any(t.end <= m.start() and t.word and t.cap for t in toks[:3]):
            people.extend(p.entity for p in after)
    return people


def _gap_ok(toks, a: int, b: int) -> bool:
    """Only adverbs or punctuation stand between a name and the verb."""
    return all(t.low in {"đã", "trực", "tiếp", "cùng", ",", "sẽ", "đồng", "thân"} for t in toks[a:b]) and b - a <= 3


UNNAMED = re.compile(r"chủ trì\s+((?:" + "|".join(MEETING_NOUNS) + r")\b[^,.;:()]{0,80})")


def _unnamed_meeting(ctx: Context, sentence) -> Meeting | None:
    """A meeting chaired but held by no body the article names ("chủ trì hội nghị trực tuyến
    toàn quốc"): named by its own words, dated by the sentence or the article's lead."""
    m = UNNAMED.search(ctx.doc.folded, sentence.start, sentence.end)
    if m is None:
        return None
    words = ctx.doc.text[m.start(1):m.end(1)].strip()
    date = _sentence_date(ctx, sentence.start, sentence.end) or lead_date(ctx)
    name = words[:1].upper() + words[1:]
    ent = Entity(kind="meeting", name=name, key=f"{fold(name)}|{date}", extra=(("date", date),))
    return Meeting(ent, None, date, None, sentence.start)


def extract(ctx: Context) -> list[Fact]:
    """`meeting` facts for each meeting named, and `presides` for each person chairing one."""
    facts: list[Fact] = []
    meetings = find_meetings(ctx)
    for meeting, sentence in meetings:
        facts.append(Fact("meeting", {"meeting": meeting.entity, "org": meeting.org, "date": meeting.date,
                                      "ordinal": meeting.ordinal}, ctx.evidence(sentence), NAME))
    seen = set()
    for sentence in ctx.doc.sentences:
        if ctx.doc.folded.find("chủ trì", sentence.start, sentence.end) == -1 \
                or not CHAIR.search(ctx.doc.folded, sentence.start, sentence.end):
            continue
        chairs = _chairs(ctx, analysis_of(ctx, sentence))
        if not chairs:
            continue
        here = [mt for mt, s in meetings if mt.sentence_start == sentence.start]
        meeting = here[0] if here else (meetings[0][0] if meetings else _unnamed_meeting(ctx, sentence))
        if meeting is None:
            continue
        for person in chairs:
            key = (person.key, meeting.entity.key)
            if key in seen:
                continue
            seen.add(key)
            facts.append(Fact("presides", {"person": person, "meeting": meeting.entity, "date": meeting.date},
                              ctx.evidence(sentence), NAME))
    return facts
