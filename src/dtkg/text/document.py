"""The normalised document every extractor reads: clean text, sentences, the article's own date."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from dtkg.model import Article
from dtkg.text import dates
from dtkg.text.normalize import clean, fold
from dtkg.text.sentences import Sentence, paragraphs, split

HEADER_PARAGRAPHS = 15  # a dateline is in the first lines of a page
DATELINE_MAX = 90  # a dateline is a short line


@dataclass
class Document:
    """An article after clean-up: evidence offsets index into `text`."""

    id: str
    text: str
    sentences: list[Sentence]
    date: dt.date | None = None
    url: str | None = None
    title: str | None = None
    year_hint: int | None = None  # for undated articles: the year the text speaks of most
    folded: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.folded:
            self.folded = fold(self.text)


_DATE_BITS = re.compile(r"\d{1,4}|thứ \w+|chủ nhật|ngày|tháng|năm|gmt|sa|ch|am|pm|cập nhật|đăng", re.I)


def _is_dateline(line: str) -> bool:
    """A short line that is mostly a date and time (maybe with a weekday or an author), not a sentence."""
    if len(line) > DATELINE_MAX or line.rstrip().endswith(".") or not dates.parse_absolute(line):
        return False
    rest = _DATE_BITS.sub(" ", line)
    return len([w for w in re.split(r"[\W_]+", rest) if w]) <= 5


def article_date(text: str) -> dt.date | None:
    """The article's own date from its dateline, not a site-header date or a related-links date.

    Datelines are short lines near the top that hold a full date. A site header shows the day
    the page was fetched (later than the article) or a stale date (earlier than events the
    article reports), so the earliest dateline not before the latest full date in the body wins.
    """
    paras = paragraphs(text)
    head, body = paras[:HEADER_PARAGRAPHS], paras
    candidates: list[tuple[dt.date, int]] = []
    for start, end in head:
        line = text[start:end]
        if _is_dateline(line):
            d = dates.parse_absolute(line)
            if d:
                candidates.append((d, start))
    if not candidates:
        return None
    dateline_starts = {s for _, s in candidates}
    body_dates = [
        m for start, end in body if start not in dateline_starts
        for m in [dates.parse_absolute(text[start:end])] if m
    ]
    floor = max(body_dates) if body_dates else None
    ok = sorted(d for d, _ in candidates if floor is None or d >= floor)
    return ok[0] if ok else max(d for d, _ in candidates)


def prepare(article: Article) -> Document:
    """Clean an article and find its sentences and date."""
    text = clean(article.text)
    sentences = split(text)
    date = article.date or article_date(text)
    title = article.title or next((s.text for s in sentences[:1] if len(s.text) < 200), None)
    hint = None if date else dates.year_hint(" ".join(s.text for s in sentences))
    return Document(
        id=article.id,
        text=text,
        sentences=sentences,
        date=date or lead_date(text, sentences, hint),
        url=article.url,
        title=title,
        year_hint=hint,
    )


LEAD_SENTENCES = 3


def lead_date(text: str, sentences: list[Sentence], year: int | None) -> dt.date | None:
    """For a page with no dateline: the day its lead reports ("Sáng 8/8, …" in a text about 2022),
    which a news report is written on — the best date to observe its facts on."""
    if year is None:
        return None
    for s in sentences[:LEAD_SENTENCES]:
        m = dates.RELATIVE.search(text, s.start, s.end)
        if m:
            return dates.make_date(year, int(m.group(2)), int(m.group(1)))
    return None
