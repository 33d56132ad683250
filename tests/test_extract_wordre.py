"""WordRegex finds exactly the matches of the look-behind pattern it stands for."""
from __future__ import annotations

import random
import re

import pytest

from dtkg.extract.lexicon import alternation
from dtkg.extract.wordre import WordRegex

WORDS = ["bộ", "bộ công an", "công", "an", "ab", "b&c", "ba"]


def _texts():
    rng = random.Random(7)
    pieces = ["bộ", "công", "an", " ", "x", "&", "b", "a", "c", ",", "ba", "ab"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 20))) for _ in range(400)]


@pytest.mark.parametrize("before", [r"[\w&]", r"\w"])
def test_same_matches_as_look_behind(before):
    body = "(?:" + alternation(WORDS) + r")(?![\w&])"
    fast, slow = WordRegex(body, before=before), re.compile(f"(?<!{before})" + body)
    for text in _texts():
        for pos, end in ((0, len(text)), (1, max(1, len(text) - 1)), (3, len(text))):
            assert [m.span() for m in fast.finditer(text, pos, end)] == [m.span() for m in slow.finditer(text, pos, end)]
            a, b = fast.search(text, pos, end), slow.search(text, pos, end)
            assert (a and a.span()) == (b and b.span())
            assert (fast.match(text, pos) and fast.match(text, pos).span()) == (slow.match(text, pos) and slow.match(text, pos).span())


def test_alternation_prefers_the_longest_word():
    regex = re.compile("(?:" + alternation(WORDS) + ")")
    assert regex.match("bộ công an x").group() == "bộ công an"
    assert regex.match("bộ công x").group() == "bộ"


def test_empty_word_list_does_not_hang():
    """An empty list matches the empty string where no word is around: finditer moves on after each
    such match and stops at the end of the text (it used to search the same place forever)."""
    regex = WordRegex("(?:" + alternation([]) + r")(?![\w&])")
    assert [m.start() for m in regex.finditer("ab c")] == []
    assert [m.start() for m in regex.finditer(" ab  c ")] == [0, 4, 7]
