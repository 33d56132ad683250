"""Text clean-up before anything else: HTML, look-alike letters, invisible characters, spacing.

`clean()` gives the normalised text that every evidence offset indexes into; it keeps
the source spelling. `fold()` gives a same-length matching key (lower case, one tone-mark
placement) so that "Khánh Hoà" matches "Khánh Hòa" and "Tỉnh uỷ" matches "Tỉnh ủy".
"""
from __future__ import annotations

import csv
import html
import re
import unicodedata
from functools import lru_cache

from dtkg.resources import data
from dtkg.slug import _TO_FIRST, tones_first

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


@lru_cache(maxsize=1)
def _lookalikes() -> dict[int, str]:
    """Map of code point -> replacement, from data/lookalikes.csv."""
    table: dict[int, str] = {}
    with data("lookalikes.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(line for line in fh if not line.startswith("#")):
            if not row or not row[0].startswith("U+"):
                continue
            table[int(row[0][2:], 16)] = row[1].replace("\\n", "\n")
    return table


@lru_cache(maxsize=1)
def _lookalike_regex() -> re.Pattern:
    """Any character of data/lookalikes.csv (most texts have none: skip the translation)."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c, to in _lookalikes().items() if chr(c) != to) + "]")


_HTML_HINT = re.compile(r"<(html|body|div|p|br|span|a|script|style|article|section|h[1-6]|li|td|table)\b", re.I)
_DROP_BLOCKS = re.compile(r"<(script|style|noscript|template|svg|head)\b.*?</\1\s*>", re.I | re.S)
_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_BLOCK_TAGS = re.compile(r"</?(p|div|br|li|ul|ol|tr|td|th|table|h[1-6]|section|article|header|footer|nav|blockquote|figure|figcaption|title)\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]{0,2000}>")


def looks_like_html(raw: str) -> bool:
    """True when the text carries HTML markup that must be stripped."""
    return bool(_HTML_HINT.search(raw[:20000]))


def strip_html(raw: str) -> str:
    """Turn an HTML page into plain text with one line per block; scripts and styles are dropped."""
    text = _COMMENTS.sub(" ", raw)
    text = _DROP_BLOCKS.sub("\n", text)
    text = _BLOCK_TAGS.sub("\n", text)
    text = _TAGS.sub("", text)
    return html.unescape(text)


_SPACES = re.compile(r"[ \t\f\v](?:[ \t\f\v]+|(?<=[\t\f\v]))")  # runs of spacing other than one space
_MANY_NEWLINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def clean(raw: str, is_html: bool | None = None) -> str:
    """Return the normalised text of an article (NFC, no markup, no invisible characters)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if is_html or (is_html is None and looks_like_html(text)):
        text = strip_html(text)
    elif "&" in text and re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", text, re.I):
        text = html.unescape(text)
    text = normalized = unicodedata.normalize("NFC", text)
    if _lookalike_regex().search(text):
        text = text.translate(_lookalikes())
    text = _CONTROL.sub("", text)
    if text != normalized:  # NFC again only if a letter was replaced or removed (most texts: none)
        text = unicodedata.normalize("NFC", text)
    if "  " in text or "\t" in text or "\f" in text or "\v" in text:  # else _SPACES finds nothing (a fast test)
        text = _SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines).strip()
    if "\n\n\n" not in text:  # a fast test: the regex would try every position to find nothing
        return text
    return _MANY_NEWLINES.sub("\n\n", text)


# --- folding: a same-length key for matching -------------------------------------------

def fold(text: str) -> str:
    """Lower-case `text` and put tone marks in one place ("hoà"→"hòa", "uỷ"→"ủy"); same length."""
    return _fold_short(text) if len(text) <= 120 else _fold(text)


@lru_cache(maxsize=65536)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer (İ): keep it as it is
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    folded = tones_first(low) if _has_second_placed_tone(low) else low
    assert len(folded) == len(text)
    return folded


def _has_second_placed_tone(text: str) -> bool:
    """Whether tones_first could rewrite `text` (a fast test: most texts need no rewriting)."""
    return any(m.start() == 0 or text[m.start() - 1] not in "qQ" for m in _SECOND_PLACED.finditer(text))


# The syllable ends tones_first rewrites ("oà", "uỷ", …), or a few more, without its slow look-behind.
_SECOND_PLACED = re.compile("[" + "".join(sorted({k[0] for k in _TO_FIRST})) + "]["
                            + "".join(sorted({k[1] for k in _TO_FIRST})) + r"](?!\w)")


def strip_tones(text: str) -> str:
    """Remove tone marks (keeps ă â ê ô ơ ư đ): a looser key for names."""
    d = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in d if c not in TONE_MARKS))
