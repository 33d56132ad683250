"""Regexes that must start a word, searched fast.

`(?<![\\w&])(?:bộ công an|…)` finds the same matches as `(?:bộ công an|…)` started where the letter
before is not part of a word. Python's engine scans a pattern that opens with a look-behind one
position at a time; without it, it skips straight to a possible first letter. `WordRegex` searches
the body alone and tests the letter before each match apart (looking on one letter when it fails),
which gives exactly the matches of the look-behind pattern.
"""
from __future__ import annotations

import re
import sys
from typing import Iterator


class FirstLetters:
    """A fast test that must pass where one of `words` starts: its first three letters are
    there (or, for a shorter word, the whole word)."""

    def __init__(self, words) -> None:
        self.three = frozenset(w[:3] for w in words if len(w) >= 3)
        self.short = frozenset(w for w in words if len(w) < 3)

    def may_start(self, string: str, pos: int) -> bool:
        """Whether one of the words may start at `pos` (False: none does)."""
        return string[pos:pos + 3] in self.three or self.short_at(string, pos)

    def short_at(self, string: str, pos: int) -> bool:
        """Whether one of the words shorter than three letters starts at `pos`."""
        return bool(self.short) and (string[pos:pos + 2] in self.short or string[pos:pos + 1] in self.short)


class WordRegex:
    """`(?<!BEFORE)(?:BODY)` with the `search` / `finditer` / `match` of a compiled pattern.

    `words`, when the body matches only words of that list (then maybe more), lets `match` skip
    the regex where none of them starts.
    """

    def __init__(self, body: str, before: str = r"[\w&]", words=None) -> None:
        self.body = re.compile(body)
        self.whole = re.compile(rf"(?<!{before})(?:{body})")
        self._before = re.compile(before)
        self._search_body, self._letter_before = self.body.search, self._before.match  # bound once: search runs often
        self.pattern = self.whole.pattern
        self.first = FirstLetters(words) if words is not None else None

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        """The first match in string[pos:endpos] that starts a word."""
        search_body, letter_before = self._search_body, self._letter_before
        last = endpos if endpos < len(string) else len(string)
        while pos <= last and (m := search_body(string, pos, endpos)) is not None:
            at = m.start()
            if at == 0 or not letter_before(string, at - 1):
                return m
            pos = at + 1
        return None

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match]:
        """Every non-overlapping match in string[pos:endpos] that starts a word, left to right
        (meant for bodies that never match the empty string: an empty match only moves on)."""
        while (m := self.search(string, pos, endpos)) is not None:
            yield m
            pos = m.end() if m.end() > m.start() else m.start() + 1

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        """A match starting exactly at `pos` (and a word)."""
        first = self.first
        if first is not None and string[pos:pos + 3] not in first.three:
            short = first.short  # first.may_start, written out: this runs for most tokens
            if not short or (string[pos:pos + 2] not in short and string[pos:pos + 1] not in short):
                return None
        return self.whole.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        """A match of all of string[pos:endpos]."""
        return self.whole.fullmatch(string, pos, endpos)
