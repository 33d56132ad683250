"""Split normalised text into sentences with character offsets, skipping page furniture."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from dtkg.resources import data


@dataclass(frozen=True)
class Sentence:
    """A sentence of the normalised text: `text[start:end]`."""

    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _furniture() -> tuple[re.Pattern, re.Pattern]:
    """(stop pattern, single-line pattern) from data/furniture.csv."""
    stops, lines = [], []
    with data("furniture.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            (stops if row["kind"] == "stop" else lines).append(row["pattern"])
    def join(ps: list[str]) -> re.Pattern:
        return re.compile(r"^\s*(?:" + "|".join(ps) + r")\s*$", re.I)
    return join(stops), join(lines)


# Abbreviations after which a full stop does not end a sentence.
_NO_BREAK = re.compile(r"(?:\b(?:TP|Tp|tp|TS|ThS|PGS|GS|BS|KS|Th\.S|Q|P|St|Mr|Ms|Dr|No|TT|T\.Ư|TƯ)|\b[A-ZĐ])\.$")
# Written to start with a character class, so the engine skips to the next stop: "[.!?…]+" or "./.".
_BOUNDARY = re.compile(r"[.!?…](?:[.!?…]*|(?<=\.)/\.)[\"”’)\]]*\s+(?=[\"“(\[]?[A-ZÀ-ỸĐ0-9])")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines of `text` that are not page furniture, as (start, end) offsets."""
    stop, single = _furniture()
    spans, pos = [], 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        if stop.match(line):
            break
        if single.match(line):
            continue
        spans.append((start, end))
    return spans


def split(text: str) -> list[Sentence]:
    """Sentences of the article body, in order, with offsets into `text`."""
    out: list[Sentence] = []
    for p_start, p_end in paragraphs(text):
        para = text[p_start:p_end]
        cut = 0
        for m in _BOUNDARY.finditer(para):
            head = para[cut:m.start() + len(m.group(0).rstrip())]
            if _NO_BREAK.search(para[max(0, m.start() - 6):m.start() + 1]):
                continue
            _add(out, text, p_start + cut, p_start + cut + len(head))
            cut = m.end()
        _add(out, text, p_start + cut, p_end)
    return out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end]))
