"""Word tokens of a sentence with offsets into the document text."""
from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN = re.compile(r"[A-ZĐ]{1,3}(?:-[A-ZĐ]{1,3})+(?![\w-])|\w+(?:[&'’]\w+)*(?:\.(?=\w)\w+)*\.?(?<!\.\.)|[^\w\s]")


@dataclass(frozen=True)
class Tok:
    """A token: `text` is the source spelling, `low` the folded (matching) form."""

    start: int
    end: int
    text: str
    low: str

    @property
    def cap(self) -> bool:
        """Starts with a capital letter."""
        return self.text[:1].isupper()

    @property
    def word(self) -> bool:
        """Is a word, not punctuation."""
        return self.text[:1].isalnum()


def tokenize(text: str, folded: str, start: int, end: int) -> list[Tok]:
    """Tokens of `text[start:end]`; a trailing full stop stays on abbreviations only."""
    toks: list[Tok] = []
    for m in TOKEN.finditer(text, start, end):
        s, e = m.start(), m.end()
        word = text[s:e]
        if word.endswith(".") and len(word) > 1 and not _keeps_dot(word):
            toks.append(Tok(s, e - 1, word[:-1], folded[s:e - 1]))
            toks.append(Tok(e - 1, e, ".", "."))
        else:
            toks.append(Tok(s, e, word, folded[s:e]))
    return toks


def _keeps_dot(word: str) -> bool:
    """Abbreviations that keep their full stop: TP., TS., ThS., GS.TS., T.Ư."""
    core = word[:-1]
    return "." in core or (core[:1].isupper() and len(core) <= 4 and not core.islower() and sum(c.isupper() for c in core) >= 1 and core in _DOT_ABBR)


_DOT_ABBR = {"TP", "Tp", "TS", "ThS", "GS", "PGS", "KS", "BS", "TSKH", "ĐC", "Q", "P"}
