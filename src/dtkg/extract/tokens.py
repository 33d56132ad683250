"""Word tokens of a sentence with offsets into the document text."""
from __future__ import annotations

import re
from typing import NamedTuple

TOKEN = re.compile(r"[A-ZĐ]{1,3}(?:-[A-ZĐ]{1,3})+(?![\w-])|\w+(?:[&'’]\w+)*(?:\.(?=\w)\w+)*\.?(?<!\.\.)|[^\w\s]")
# A TOKEN match starts at every character but white space, so the tokens of a text are what
# `(\s*)(TOKEN)` finds: the white space before each token, and the token. `findall` gives both as
# strings, quicker than a match object per token; the offsets follow from their lengths.
_SPACED_TOKEN = re.compile(r"(\s*)(" + TOKEN.pattern + ")")


class Tok(NamedTuple):
    """A token: `text` is the source spelling, `low` the folded (matching) form."""

    start: int
    end: int
    text: str
    low: str
    cap: bool  # starts with a capital letter
    word: bool  # a word, not punctuation


def tokenize(text: str, folded: str, start: int, end: int) -> list[Tok]:
    """Tokens of `text[start:end]`; a trailing full stop stays on abbreviations only."""
    toks: list[Tok] = []
    add = toks.append
    new = tuple.__new__  # Tok(...) without the Python-level __new__ of a NamedTuple
    e = start
    for space, word in _SPACED_TOKEN.findall(text, start, end):
        s = e + len(space)
        e = s + len(word)
        first = word[0]
        if word[-1] == "." and e - s > 1 and not _keeps_dot(word):
            add(new(Tok, (s, e - 1, word[:-1], folded[s:e - 1], first.isupper(), first.isalnum())))
            add(new(Tok, (e - 1, e, ".", ".", False, False)))
        else:
            add(new(Tok, (s, e, word, folded[s:e], first.isupper(), first.isalnum())))
    return toks


def _keeps_dot(word: str) -> bool:
    """Abbreviations that keep their full stop: TP., TS., ThS., GS.TS., T.Ư."""
    core = word[:-1]
    return "." in core or core in _DOT_ABBR


_DOT_ABBR = frozenset({"TP", "Tp", "TS", "ThS", "GS", "PGS", "KS", "BS", "TSKH", "ĐC", "Q", "P"})
