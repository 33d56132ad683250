"""The IRI slug rule of docs/MODEL.md, and the tone-placement folding it starts from.

`slug("Ủy ban nhân dân tỉnh Khánh Hoà")` → `"uy-ban-nhan-dan-tinh-khanh-hoa"`.

Vietnamese writes the tone of an open syllable ending in -oa, -oe, -uy in two places:
on the first vowel ("hòa", "ủy": the placement dtkg uses) or on the second ("hoà", "uỷ").
`canonical_tones` folds the second style into the first; `other_tones` does the reverse
(the reference graph uses it to list both spellings as labels).
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["slug", "canonical_tones", "tones_first", "other_tones", "strip_tones"]

# The five tone marks as combining characters (NFD): grave, acute, hook above, tilde, dot below.
_TONES = "\u0300\u0301\u0309\u0303\u0323"
# First vowel, second vowel of the rising diphthongs whose tone placement varies.
_PAIRS = {"o": "ae", "u": "y"}


def _with_tone(char: str, tone: str) -> str:
    return unicodedata.normalize("NFC", char + tone)


def _table(to_first: bool) -> dict[str, str]:
    """Map each two-letter spelling to its other placement, e.g. "oà" → "òa" (to_first)."""
    table: dict[str, str] = {}
    for first, seconds in _PAIRS.items():
        for second in seconds:
            for tone in _TONES:
                for a, b in ((first, second), (first.upper(), second), (first.upper(), second.upper())):
                    on_second = a + _with_tone(b, tone)
                    on_first = _with_tone(a, tone) + b
                    if to_first:
                        table[on_second] = on_first
                    else:
                        table[on_first] = on_second
    return table


_TO_FIRST = _table(True)
_TO_SECOND = _table(False)


def _pattern(table: dict[str, str]) -> re.Pattern[str]:
    # Not after q (in "quý" the u belongs to the consonant) and only at the
    # end of a syllable: "hoàng", "toán" have one spelling only.
    alternatives = "|".join(sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<![qQ])({alternatives})(?!\w)")


_TO_FIRST_RE = _pattern(_TO_FIRST)
_TO_SECOND_RE = _pattern(_TO_SECOND)


def canonical_tones(text: str) -> str:
    """Return `text` in NFC with tones of -oa/-oe/-uy syllables on the first vowel ("hoà" → "hòa")."""
    return tones_first(unicodedata.normalize("NFC", text))


def tones_first(text: str) -> str:
    """Move the tone of -oa/-oe/-uy syllables to the first vowel in NFC `text`; the length is kept."""
    return _TO_FIRST_RE.sub(lambda m: _TO_FIRST[m.group(1)], text)


def other_tones(text: str) -> str:
    """Return `text` in NFC with tones of -oa/-oe/-uy syllables on the second vowel ("hòa" → "hoà")."""
    text = unicodedata.normalize("NFC", text)
    return _TO_SECOND_RE.sub(lambda m: _TO_SECOND[m.group(1)], text)


def strip_tones(text: str) -> str:
    """Return `text` without any diacritic, with đ→d and Đ→D ("Đắk Lắk" → "Dak Lak")."""
    text = canonical_tones(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Return the IRI slug of `text` (docs/MODEL.md): ASCII lower case, words joined by '-'."""
    return _NON_ALNUM.sub("-", strip_tones(text).lower()).strip("-")
