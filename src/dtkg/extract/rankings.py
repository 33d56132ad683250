"""DTI rankings: "Chỉ số chuyển đổi số (DTI) năm 2020 tỉnh Bắc Giang xếp hạng thứ 10/63", "dẫn đầu", scores.

Only the overall DTI index: a rank given for a pillar (chính quyền số, kinh tế số, xã hội số)
or in a clause about another index is skipped. The ranked entity is a province (the 2008 or
2025 unit by the article's date), a ministry or agency, or Việt Nam ("cấp quốc gia"). Each
clause (sentences split at ";") is read on its own: a rank cue ("xếp thứ 24/63", "vị trí thứ
nhất", "dẫn đầu") ranks the nearest entity before it, or the one after it in "Ở vị trí thứ 2
là …". The year is the one written with the rank ("từ vị trí thứ 8 năm 2020"), else in the
clause, the sentence, the sentences before, the article's DTI year, or the year before the
article's (DTI for a year is published the next year). Cue words live in
data/patterns/rankings.csv.
"""
from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from dtkg.extract.context import Context
from dtkg.extract.lexicon import alternation, phrases
from dtkg.extract.wordre import WordRegex
from dtkg.model import Entity, Fact
from dtkg.resources import data
from dtkg.text.normalize import fold
from dtkg.text.sentences import Sentence

NAME = "rankings"
VERSION = "1.0"
INDEX = "DTI"
RANKED_ORGS = {"Ministry", "MinisterialAgency", "GovernmentAgency"}
MAX_RANK = 70  # 63 provinces (34 from 2025), about 20 ministries
# These patterns test the character before a match with a look-behind written after the match's
# first character(s) ("x(?<!\wx)ếp" is "(?<!\w)xếp"): the same matches, but the engine can skip
# straight to that first character instead of trying the look-behind at every position.
_YEAR = re.compile(r"((?:19|20)(?<![\d/.\-]..)\d\d)(?![\d/]|\s*[-–]\s*(?:19|20)\d\d)")
_DECIMAL = re.compile(r"(0(?<![\d,.]0)[,.]\d{2,4}|1(?<![\d,.]1)[,.]0{1,4})(?![\d,.]*\s*%)(?![\d])")
_RANK_THU = r"t(?<!\wt)hứ\s+(\d{{1,2}}|{words})(?![\w])(?:\s*/\s*(\d{{2,3}}))?"
_RANK_XEP = re.compile(r"x(?<!\wx)ếp(?:\s+hạng\s+(\d{1,2})(?![\d/,.]|\s*(?:bậc|%|điểm))|(?:\s+hạng)?\s+(\d{1,2})\s*/\s*(\d{2,3}))")


@dataclass(frozen=True)
class Cues:
    """The cue words of data/patterns/rankings.csv, compiled once."""

    first: WordRegex
    ordinal: dict[str, int]
    thu: re.Pattern
    intro: frozenset[str]
    notrank: frozenset[str]
    inverted: re.Pattern
    context: WordRegex
    topic: WordRegex
    pillar: WordRegex
    other: WordRegex
    plural: re.Pattern
    agent: re.Pattern
    national: WordRegex
    regional: re.Pattern
    score: re.Pattern
    comparison: re.Pattern
    gate: re.Pattern  # a word without which a clause states no rank and no score (a fast test)


@lru_cache(maxsize=1)
def cues() -> Cues:
    """Load the cue table once."""
    table: dict[str, dict[str, str]] = defaultdict(dict)
    with data("patterns/rankings.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            table[row["kind"]][fold(row["phrase"])] = row["value"]
    ordinal = {k: int(v) for k, v in table["ordinal"].items()}
    words = "|".join(sorted(ordinal, key=len, reverse=True))
    counted = "|".join(re.escape(w) for w in table["counted"])
    return Cues(
        first=phrases(table["first"]),
        ordinal=ordinal,
        thu=re.compile(_RANK_THU.format(words=words)),
        intro=frozenset(table["intro"]),
        notrank=frozenset(table["notrank"]),
        inverted=re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, table["inverted"])) + r")\s+"),
        context=phrases(table["context"]),
        topic=phrases(table["topic"]),
        pillar=phrases(table["pillar"]),
        other=phrases(table["other"]),
        plural=re.compile(phrases(table["plural"]).pattern + r"|\d+\s+(?:" + counted + r")(?![\w])"),
        agent=re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, table["agent"])) + r")\s*$"),
        national=phrases(table["national"]),
        regional=re.compile(r"\W*(?:\d+\s*/\s*\d+\s+)?(?:\w+\s+){0,2}?(?:" + "|".join(map(re.escape, table["regional"])) + r")(?![\w])"),
        score=re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, table["score"])) + r")\W{0,3}(?:\w+\W+){0,2}$"),
        comparison=re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, table["comparison"])) + r")\s+(?:năm\s+)?$"),
        gate=re.compile(alternation([*table["first"], *table["context"], "thứ", "xếp"])),
    )


@dataclass(frozen=True)
class Mention:
    """An entity named in a clause."""

    start: int
    end: int
    entity: Entity


@dataclass(frozen=True)
class Cue:
    """A rank cue in a clause: text[start:end] gives `rank` (or a score)."""

    start: int
    end: int
    rank: int | None
    score: float | None = None


@dataclass
class Entry:
    """One ranking read from one clause."""

    entity: Entity
    year: int | None
    rank: int | None
    score: float | None
    sentence: Sentence


def extract(ctx: Context) -> list[Fact]:
    """The DTI ranks and scores the article states, one fact per entity and year."""
    folded = ctx.doc.folded
    if not cues().context.search(folded):
        return []
    entries: list[Entry] = []
    for n, sentence in enumerate(ctx.doc.sentences):
        for start, end in _clauses(folded, sentence):
            entries += _read_clause(ctx, n, sentence, start, end)
    entries += _table_entries(ctx)
    if not entries:
        return []  # (the article's year is worth reading only for an entry)
    default = _article_year(ctx)
    for e in entries:
        e.year = e.year or default
    return _vote(ctx, [e for e in entries if e.year])


def _clauses(folded: str, sentence: Sentence) -> list[tuple[int, int]]:
    spans, start = [], sentence.start
    cut = folded.find(";", start, sentence.end)
    while cut != -1:
        spans.append((start, cut))
        start = cut + 1
        cut = folded.find(";", start, sentence.end)
    spans.append((start, sentence.end))
    return spans


def _read_clause(ctx: Context, n: int, sentence: Sentence, start: int, end: int) -> list[Entry]:
    c, folded = cues(), ctx.doc.folded
    if not c.gate.search(folded, start, end):
        return []  # no rank cue (first, "thứ", "xếp") and no DTI context: nothing to read
    clause = folded[start:end]
    if c.other.search(clause):
        return []
    ranks = _rank_cues(folded, start, end)
    if ranks and not _about_dti(ctx, n, clause):
        ranks = []
    scores = _score_cues(folded, start, end) if c.context.search(clause) or ranks else []
    if not ranks and not scores:
        return []
    mentions = sorted(_entities(ctx, start, end) + _this_province(ctx, start, end), key=lambda m: m.start)
    entries: list[Entry] = []
    used: set[int] = set()
    for cue in ranks:
        mention = _inverted(folded, cue, mentions, end)
        if mention is not None:
            used.add(mention.start)
        else:
            mention = _subject(folded, cue, mentions, start, used)
        if mention is None or mention.entity.kind == "country":
            continue
        score = _score_for(cue, ranks, scores)
        entries.append(Entry(mention.entity, _year_of(ctx, n, cue, ranks, start, end), cue.rank, score, sentence))
    if not ranks:
        for cue in scores:
            mention = _subject(folded, cue, mentions, start, used) or _nation(ctx, clause)
            if mention is not None:
                entries.append(Entry(mention.entity, _year_of(ctx, n, cue, [], start, end), None, cue.score, sentence))
    return entries


def _score_for(cue: Cue, ranks: list[Cue], scores: list[Cue]) -> float | None:
    """The score told with a rank: the one after it, or the only one when the clause has one rank."""
    after = [s for s in scores if s.start > cue.end and not any(cue.end < r.start < s.start for r in ranks)]
    if after:
        return after[0].score
    if len(ranks) == 1 and len(scores) == 1:
        return scores[0].score
    return None


def _entities(ctx: Context, start: int, end: int) -> list[Mention]:
    """Provinces, ministries and agencies, and Việt Nam, named in text[start:end]."""
    text = ctx.doc.text
    found: list[Mention] = []
    for hit in ctx.hits("org", start, end):
        if hit.terms and hit.terms[0].cls in RANKED_ORGS:
            found.append(Mention(hit.start, hit.end, ctx.org_entity(hit.terms[0])))
    for hit in ctx.hits("province", start, end):
        if any(m.start <= hit.start < m.end for m in found) or text[hit.start:hit.end].islower():
            continue
        unit = ctx.unit(hit.terms) if hit.terms else None
        if unit is not None:
            found.append(Mention(hit.start, hit.end, _place(ctx, unit)))
    return sorted(found, key=lambda m: m.start)


_THIS_PROVINCE = re.compile(r"(?:^\W*|(?<=của )|(?<=, ))tỉnh(?=\s+[a-zà-ỹđ])(?!\s+(?:ủy|uỷ|thành|bạn|nhà))")


def _this_province(ctx: Context, start: int, end: int) -> list[Mention]:
    """"Tỉnh xếp thứ 30/63", "DTI của tỉnh đạt …": the province the article is about."""
    if ctx.province is None or ctx.province.cls != "Province":
        return []
    found = []
    for m in _THIS_PROVINCE.finditer(ctx.doc.folded[start:end]):
        if ctx.doc.text[start + m.start():start + m.end()].strip(" ,").lower() == "tỉnh":
            found.append(Mention(start + m.end() - 4, start + m.end(), ctx.place_entity(ctx.province)))
    return found


def _place(ctx: Context, term) -> Entity:
    if term.cls == "Country":
        return Entity(kind="country", name=term.name, key=fold(term.name), ref=term.iri, cls=term.cls)
    return ctx.place_entity(term)


def _rank_cues(folded: str, start: int, end: int) -> list[Cue]:
    c = cues()
    found = [Cue(m.start(), m.end(), 1) for m in c.first.finditer(folded, start, end)]
    for m in c.thu.finditer(folded, start, end):
        before = folded[start:m.start()].split()[-3:]
        if before and before[-1] in c.notrank:
            continue
        inverted = c.inverted.match(folded, m.end() + 1) if m.end() < end else None
        if not (set(before) & c.intro or "trí" in before or inverted):
            continue
        value = m.group(1)
        rank = int(value) if value.isdigit() else c.ordinal[value]
        if 0 < rank <= MAX_RANK and (m.group(2) is None or int(m.group(2)) <= MAX_RANK):
            found.append(Cue(m.start(), m.end(), rank))
    for m in _RANK_XEP.finditer(folded, start, end):
        rank, total = int(m.group(1) or m.group(2)), int(m.group(3) or 0)
        if 0 < rank <= MAX_RANK and total <= MAX_RANK and not any(f.start <= m.start() < f.end for f in found):
            found.append(Cue(m.start(), m.end(), rank))
    return sorted(found, key=lambda cue: cue.start)


def _score_cues(folded: str, start: int, end: int) -> list[Cue]:
    c = cues()
    found = []
    for m in _DECIMAL.finditer(folded, start, end):
        before = folded[max(start, m.start() - 24):m.start()]
        if before.rstrip().endswith("(") or not c.score.search(before):
            continue
        if c.comparison.search(folded[max(start, m.start() - 40):m.start()].split("(")[0]):
            continue
        found.append(Cue(m.start(), m.end(), None, float(m.group(1).replace(",", "."))))
    return found


def _about_dti(ctx: Context, n: int, clause: str) -> bool:
    """The clause, its sentence, or one of the three sentences before it, speaks of the DTI ranking."""
    c = cues()
    sentence = ctx.doc.sentences[n]
    if c.topic.search(clause) or c.context.search(ctx.doc.folded, sentence.start, sentence.end):
        return True
    for prev in ctx.doc.sentences[max(0, n - 3):n]:
        if c.topic.search(ctx.doc.folded, prev.start, prev.end):
            return True
    return False


def _inverted(folded: str, cue: Cue, mentions: list[Mention], end: int) -> Mention | None:
    """The entity of "Ở vị trí thứ 2 là X" / "Vị trí thứ 3 … thuộc về X" (not a list "là A, B và C")."""
    window = folded[cue.end:min(end, cue.end + 40)]
    m = cues().inverted.search(window)
    if m is None or "," in window[:m.start()]:
        return None
    at = cue.end + m.end()
    following = [x for x in mentions if at <= x.start <= at + 4]
    if not following:
        return None
    mention = following[0]
    rest = folded[mention.end:mention.end + 6].lstrip()
    if rest.startswith(",") or rest.startswith("và "):
        nxt = [x for x in mentions if mention.end < x.start <= mention.end + 8]
        if nxt:
            return None
    return mention


def _subject(folded: str, cue: Cue, mentions: list[Mention], start: int, used: set[int]) -> Mention | None:
    """The nearest entity before the cue that is its subject (not an agent, no pillar between)."""
    c = cues()
    before = [m for m in mentions if m.end <= cue.start and m.start not in used]
    for mention in reversed(before):
        if c.agent.search(folded[start:mention.start]):
            continue
        if c.pillar.search(folded[start:mention.start]) and folded[start:mention.start].rstrip().endswith("của"):
            return None
        between = folded[mention.end:cue.start]
        if c.pillar.search(between) or c.plural.search(between) or c.other.search(between):
            return None
        if not _overall(folded, cue):
            return None
        return mention
    return None


_ABOUT = re.compile(r"\s*(?:/\s*\d+\s*)?(?:(?:các\s+)?(?:tỉnh|thành phố|cả nước|toàn quốc|trong|trên|,)\s*)*(?:về|ở)\s+")


def _overall(folded: str, cue: Cue) -> bool:
    """The rank is for DTI itself in the whole country, not for what follows "về …" ("đứng thứ 2 về
    tỷ lệ hồ sơ trực tuyến") nor within a region ("dẫn đầu khu vực Tây Nguyên")."""
    if cues().regional.match(folded, cue.end):
        return False
    m = _ABOUT.match(folded, cue.end)
    if m is None:
        return True
    rest = folded[m.end():m.end() + 40]
    if cues().pillar.match(rest.lstrip("\"“ ")):
        return False
    rest = re.sub(r"^(?:bộ\s+)?chỉ số\s+", "", rest)
    return cues().topic.match(rest) is not None or re.match(r"(?:cả\s+)?\d+\s+trụ cột", rest) is not None


def _nation(ctx: Context, clause: str) -> Mention | None:
    """Việt Nam, when a score is given for the country ("ở cấp quốc gia, chỉ số DTI … đạt 0,7955")."""
    if not cues().national.search(clause):
        return None
    for term in ctx.lex.lookup("province", "Việt Nam"):
        if term.cls == "Country":
            return Mention(0, 0, _place(ctx, term))
    return None


def _year_of(ctx: Context, n: int, cue: Cue, ranks: list[Cue], start: int, end: int) -> int | None:
    """The year a rank or score is for: attached to it, else the clause's, sentence's or context's."""
    folded = ctx.doc.folded
    attached = re.match(r"\s*(?:năm\s+)?((?:19|20)\d\d)(?![\d/])", folded[cue.end:cue.end + 12])
    if attached:
        return int(attached.group(1))
    taken = {r.end for r in ranks}
    for year, pos in _years(folded, start, end):
        if not any(0 <= pos - t <= 12 for t in taken):
            return year
    sentence = ctx.doc.sentences[n]
    for year, pos in _years(folded, sentence.start, sentence.end):
        if not any(0 <= pos - t <= 12 for t in taken):
            return year
    for prev in reversed(ctx.doc.sentences[max(0, n - 3):n]):
        if cues().context.search(folded, prev.start, prev.end):
            years = _years(folded, prev.start, prev.end)
            if years:
                return years[0][0]
    return None


def _years(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """Years written in text[start:end] that are not comparisons or plan horizons."""
    out = []
    comparison = cues().comparison
    for m in _YEAR.finditer(folded, start, end):
        if comparison.search(folded[max(start, m.start() - 20):m.start()]):
            continue
        out.append((int(m.group(1)), m.start()))
    return out


def _article_year(ctx: Context) -> int | None:
    """The year the article's DTI sentences speak of most, else the year before the article's."""
    counts: Counter[int] = Counter()
    for s in ctx.doc.sentences:
        if cues().context.search(ctx.doc.folded, s.start, s.end):
            counts.update(y for y, _ in _years(ctx.doc.folded, s.start, s.end))
    if counts:
        return counts.most_common(1)[0][0]
    if ctx.doc.date is not None:
        return ctx.doc.date.year - 1
    return ctx.doc.year_hint


def _vote(ctx: Context, entries: list[Entry]) -> list[Fact]:
    """One fact per (entity, year): the rank stated most often, and any score stated."""
    groups: dict[tuple[str, int], list[Entry]] = defaultdict(list)
    for e in entries:
        groups[(e.entity.key, e.year)].append(e)
    facts = []
    for (_, year), group in groups.items():
        ranks = Counter(e.rank for e in group if e.rank is not None)
        rank = max(ranks, key=lambda r: (ranks[r], -min(i for i, e in enumerate(group) if e.rank == r))) if ranks else None
        score = next((e.score for e in group if e.score is not None), None)
        first = next((e for e in group if e.rank == rank), group[0])
        args = {"entity": first.entity, "index": INDEX, "year": year, "rank": rank, "score": score}
        facts.append(Fact("ranking", args, ctx.evidence(first.sentence), NAME))
    return facts


# --- tables: "1 | Đà Nẵng | 0,6419" on one line, or one cell per line ------------------------

_CELL = re.compile(r"[^|\t\s](?:[^|\t]*?[^|\t\s])?(?=\s*(?:\||\t|\s{3,}|$))")
_NUMBER_CELL = re.compile(r"(\d{1,2})|(0[,.]\d{2,4}|1[,.]0{1,4})")


@dataclass(frozen=True)
class Cell:
    """One table cell: text[start:end] of sentence number n."""

    start: int
    end: int
    n: int


def _cells(ctx: Context) -> list[Cell]:
    out = []
    for n, s in enumerate(ctx.doc.sentences):
        if len(s.text) <= 40 and "|" not in s.text and "\t" not in s.text:
            out.append(Cell(s.start, s.end, n))
        elif len(s.text) <= 160 and ("|" in s.text or "\t" in s.text or "   " in s.text):
            out += [Cell(m.start() + s.start, m.end() + s.start, n) for m in _CELL.finditer(s.text) if m.group().strip()]
    return out


def _cell_entity(ctx: Context, cell: Cell) -> Entity | None:
    """The province or ministry a whole cell names."""
    for kind in ("org", "province"):
        hit = ctx.match_at(kind, cell.start)
        if hit and hit.terms and hit.end == cell.end:
            if kind == "org" and hit.terms[0].cls not in RANKED_ORGS:
                return None
            unit = hit.terms[0] if kind == "org" else ctx.unit(hit.terms)
            return ctx.org_entity(unit) if kind == "org" else _place(ctx, unit)
    return None


def _table_entries(ctx: Context) -> list[Entry]:
    """Rows of ranking tables: an entity cell with a rank and/or a DTI score around it."""
    cells = _cells(ctx)
    folded = ctx.doc.folded
    rows = [(i, e) for i, c in enumerate(cells) for e in [_cell_entity(ctx, c)] if e is not None]
    tables, current = [], []
    for i, e in rows:
        numeric = all(_NUMBER_CELL.fullmatch(folded[c.start:c.end]) for c in cells[current[-1][0] + 1:i]) if current else True
        if current and (not numeric or i - current[-1][0] > 6):
            tables.append(current)
            current = []
        current.append((i, e))
    tables.append(current)
    entries = []
    for table in (t for t in tables if len(t) >= 3):
        entries += _read_table(ctx, cells, table)
    return entries


def _read_table(ctx: Context, cells: list[Cell], table) -> list[Entry]:
    folded = ctx.doc.folded
    first = table[0][0]
    leading = first > 0 and _NUMBER_CELL.fullmatch(folded[cells[first - 1].start:cells[first - 1].end]) is not None
    top = first - 1 if leading else first
    header = [folded[c.start:c.end] for c in cells[max(0, top - 8):top] if c.n >= cells[top].n - 8]
    caption = " ".join(folded[s.start:s.end] for s in ctx.doc.sentences[max(0, cells[top].n - 3):cells[top].n])
    c = cues()
    if not c.context.search(caption + " " + " ".join(header)) or c.pillar.search(caption) or c.other.search(caption):
        return []
    year = next((y for y, _ in reversed(_years(caption, 0, len(caption)))), None)
    out = []
    for k, (i, entity) in enumerate(table):
        end = table[k + 1][0] - (1 if leading else 0) if k + 1 < len(table) else min(len(cells), i + 6)
        nums = [_NUMBER_CELL.fullmatch(folded[x.start:x.end]) for x in cells[i + 1:end]]
        nums = [m for m in nums if m is not None]
        scores = [float(m.group(2).replace(",", ".")) for m in nums if m.group(2)]
        ranks = [int(m.group(1)) for m in nums if m.group(1)]
        if leading:
            ranks = [int(folded[cells[i - 1].start:cells[i - 1].end])]
        rank = ranks[0] if len(ranks) == 1 and 0 < ranks[0] <= MAX_RANK else None
        score = scores[0] if len(scores) == 1 else None
        if rank is not None or score is not None:
            out.append(Entry(entity, year, rank, score, ctx.doc.sentences[cells[i].n]))
    return out
