"""Dates in Vietnamese news: absolute ("ngày 11/6/2021", "24-9-2021", "ngày 23 tháng 8 năm 2019")
and relative to the article ("Sáng 8/8", "Chiều 30-11", "ngày 24-9", "Chiều 24.9").
"""
from __future__ import annotations

import datetime as dt
import re

_SEP = r"\s*[/\-.]\s*"
# ABSOLUTE and YEAR test the character before a match with a look-behind written after its first
# digit(s) ("\d(?<![\d/.\-]\d)" is "(?<![\d/.\-])\d"): the same matches, but the engine skips
# to the next digit instead of trying the look-behind at every position of a text.
# day/month/year, with optional "ngày"
ABSOLUTE = re.compile(
    r"(\d(?<![\d/.\-]\d)\d?)" + _SEP + r"(\d{1,2})" + _SEP + r"((?:19|20)\d{2})(?![\d/])"
)
WORDY = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d{2})", re.I)
# day/month without a year (relative to the article date)
DAY_MONTH = re.compile(r"(?<![\d/.\-,])(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?![\d]|\s*[/\-.]\s*\d|,\d)")
TIME_OF_DAY = r"(?:sáng|trưa|chiều|tối|đêm|ngày|hôm|sáng nay|chiều nay|tối nay|trưa nay|hôm nay)"
RELATIVE = re.compile(
    r"\b" + TIME_OF_DAY + r"(?:\s+(?:thứ\s+\w+|chủ nhật|nay))?\s*\(?\s*(?:ngày\s+)?(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?![\d]|\s*[/\-.]\s*\d)",
    re.I,
)
YEAR = re.compile(r"((?:19|20)(?<![\d/.\-]..)\d{2})(?![\d/])")


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """A date, or None when the numbers are not a calendar date."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_absolute(text: str) -> dt.date | None:
    """The first full date written in `text`, or None."""
    found = [(m.start(), make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))) for m in ABSOLUTE.finditer(text)]
    found += [(m.start(), make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))) for m in WORDY.finditer(text)]
    found = sorted((pos, d) for pos, d in found if d)
    return found[0][1] if found else None


def resolve_day_month(day: int, month: int, reference: dt.date | None, year_hint: int | None = None) -> dt.date | None:
    """Resolve "8/8" against the article date: the latest such date not after it (a news report
    speaks of the recent past); with no article date, use `year_hint`."""
    if reference is not None:
        for year in (reference.year, reference.year - 1):
            d = make_date(year, month, day)
            if d and d <= reference + dt.timedelta(days=7):
                return d
        return None
    if year_hint:
        return make_date(year_hint, month, day)
    return None


_RANGE = re.compile(r"((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})")


def year_hint(text: str) -> int | None:
    """The latest year the text reports on — a fallback for undated articles.

    Years that name a plan's horizon ("đến năm 2030", "giai đoạn 2021-2025") are not counted.
    """
    years = [int(m.group(3)) for m in ABSOLUTE.finditer(text)]  # full dates report past events
    text = _RANGE.sub(" ", text)
    for m in YEAR.finditer(text):
        before = text[max(0, m.start() - 16):m.start()]
        if re.search(r"(?:đến|tới|trước|sau|tầm nhìn|định hướng|giai đoạn)\s*(?:năm\s*)?$", before, re.I):
            continue
        years.append(int(m.group(1)))
    return max(years) if years else None


def find_relative(text: str) -> list[tuple[int, int, int, int]]:
    """All relative day-month mentions in `text` as (start, end, day, month)."""
    return [(m.start(), m.end(), int(m.group(1)), int(m.group(2))) for m in RELATIVE.finditer(text)]
