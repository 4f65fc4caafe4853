"""`furniture_reason` tries its two whole-line rules only when one of their literals is in the line (issue #21): the
same reasons as trying every rule, on every line of the PolNeAR dev texts and a third of train, on fuzzed lines and
for every code point the regex engine folds to an ASCII letter."""
from __future__ import annotations

import random
import re
import string
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.text import furniture
from scorer.text.furniture import _RULES, furniture_reason


def ref_furniture_reason(line: str) -> str | None:
    """The rules tried one after another, as before the literals (the reference)."""
    if not line or len(line) > 400:
        return None
    for reason, pattern in _RULES:
        if pattern.match(line):
            return reason
    return None


def test_folding_finds_every_literal_ignorecase_would_match():
    """Every code point that IGNORECASE matches to an ASCII letter (or the letter in another case) becomes that
    letter in `_folded`, alone and inside a word."""
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1))
    for letter in string.ascii_lowercase:
        matched = re.compile(letter, re.I).findall(everything)
        assert len(matched) >= 2
        for char in matched:
            assert furniture._folded(char) == letter, (letter, hex(ord(char)))
            assert furniture._folded("x" + char + "y") == "x" + letter + "y"


def test_the_literals_are_lower_case_ascii():
    for literals in furniture._LITERALS.values():
        assert all(lit.isascii() and lit == lit.lower() for lit in literals)
    assert set(furniture._LITERALS) <= {reason for reason, _ in _RULES}


def test_same_reasons_on_polnear_lines(polnear_texts):
    lines = [raw.strip() for text in polnear_texts for raw in text.splitlines()]
    lines = [line for line in lines if line]
    assert len(lines) > 4_000
    assert [furniture_reason(line) for line in lines] == [ref_furniture_reason(line) for line in lines]
    # and every 40-character window of them, which cuts sentences into short lines that the rules try in full
    windows = [line[k:k + 40].strip() for line in lines[:3000] for k in range(0, len(line), 17)]
    assert [furniture_reason(w) for w in windows] == [ref_furniture_reason(w) for w in windows]


_PIECES = ["cookie", "COOKIES", "Cookies", "cooKie", "coo\u212aie", "cook\u0130e", "cook\u0131e", "We use", "accept",
           "privacy", "settings", "consent", "Photo", "PHOTO", "photograph", "image", "Image copyright", "picture",
           "video", "Graphic", "illustration", "Getty Images", "AFP via Getty", "AP Photo", "Reuters/Kevin",
           "REUTERS/", "Shutterstock", "file photo", "Credit:", "credit", "by", ":", "/", "(", ")", ".", " ", "  ",
           "\u00a0", "“", "”", "é", "ſ", "\u212a", "İ", "ı", "K", "x", "Jane Doe", "said", "\u2028", "Photo by",
           "Share", "Advertisement", "By John Smith", "WASHINGTON —", "Published 5 June 2020", "©", "2020"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=14).map("".join))
def test_same_reasons_on_fuzzed_lines(line):
    line = line.strip()
    assert furniture_reason(line) == ref_furniture_reason(line)


def test_same_reasons_on_seeded_lines():
    rng = random.Random(21)
    hits = 0
    for _ in range(20_000):
        parts = [rng.choice(_PIECES) for _ in range(rng.randrange(1, 8))]
        line = "".join(p.upper() if rng.random() < 0.2 else p for p in parts).strip()
        reason = furniture_reason(line)
        assert reason == ref_furniture_reason(line), line
        hits += reason in furniture._LITERALS
    assert hits > 500  # the two guarded rules do match these lines
