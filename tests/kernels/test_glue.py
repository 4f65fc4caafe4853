"""Session 15, glue (issue #21): `_alternative_end` (which `alternation_spans` and `specific_words` call) tries at a
word's start only the words that begin with its letter (`FirstLetters`, in their order). The matches are those of the
loop over every word it replaces (`ref_spans`, that loop in Python), for any tuple of words (shared first letters,
one word the start of another, upper-case, non-ASCII or empty words), and those of the regex for the tuples the
callers pass. Skipped when the kernels are not built, except when SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import random
import re

from scorer.attribution.lexicon import HEDGES
from scorer.model import support

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()


def _w(ch: str) -> bool:
    """The regex engine's \\w for str patterns, one character."""
    return ch.isalnum() or ch == "_"


def _ref_end(text: str, p: int, words: tuple) -> int:
    """`_alternative_end` as it was (db44292): every word tried in order."""
    n = len(text)
    first = text[p].lower() if "A" <= text[p] <= "Z" else text[p]
    if ord(first) >= 128:
        return -1
    for word in words:
        m = len(word)
        if m == 0 or p + m > n or word[0] != first:
            continue
        j = 1
        while j < m and (text[p + j].lower() if "A" <= text[p + j] <= "Z" else text[p + j]) == word[j]:
            j += 1
        if j == m and (_w(text[p + m - 1]) != (p + m < n and _w(text[p + m]))):
            return p + m
    return -1


def ref_spans(text: str, words: tuple):
    """`alternation_spans` with `_ref_end` (None for text with a word character outside ASCII)."""
    if any(ord(c) >= 128 and _w(c) for c in text):
        return None
    n, out, p = len(text), [], 0
    while p < n:
        if _w(text[p]) and not (p and _w(text[p - 1])):
            q = _ref_end(text, p, words)
            if q >= 0:
                out.append((p, q))
                p = q
                continue
            while p < n and _w(text[p]):
                p += 1
            continue
        p += 1
    return out


_LETTERS = "mMaAyYoO'_1 "
_PIECES = ["may", "mayor", "May", "MAY", "ma", "one", "on", "oneself", "sept", "september", "Sept.", "a", "an", "any",
           " ", " ", "  ", ",", ".", "-", "’", "“", "”", "—", "\u00a0", "_", "1", "2019", "é", "x" * 20]


def _fuzzed_words(rng: random.Random) -> tuple:
    words = []
    for _ in range(rng.randrange(0, 9)):
        kind = rng.random()
        if kind < 0.7:
            words.append("".join(rng.choice("mayonestp") for _ in range(rng.randrange(1, 5))))
        elif kind < 0.8:
            words.append(rng.choice(["May", "é", "ém", "", "a b", "may be", "1st", "_x"]))
        else:
            words.append(rng.choice(words) if words else "a")
    return tuple(words)


def test_alternation_spans_as_every_word_tried():
    rng = random.Random(15)
    for _ in range(3000):
        words = _fuzzed_words(rng)
        text = "".join(rng.choice(_PIECES) if rng.random() < 0.6 else rng.choice(_LETTERS)
                       for _ in range(rng.randrange(0, 12)))
        assert K.alternation_spans(text, words) == ref_spans(text, words), (text, words)


def test_alternation_spans_as_the_regex(polnear_sentences):
    """The hedges, as `support.hedge_words` asks for them, on PolNeAR sentences: the regex's matches."""
    words = support._HEDGE_WORDS
    assert words is not None
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
    checked = found = 0
    for sentences in polnear_sentences[:60]:
        for text in sentences:
            spans = K.alternation_spans(text, words)
            if spans is None:
                continue
            assert spans == [m.span() for m in pattern.finditer(text)], text
            assert spans == ref_spans(text, words)
            checked += 1
            found += len(spans)
    assert checked > 1500 and found > 100
    assert set(HEDGES) >= set(words)


def test_specific_words_unchanged_on_polnear(polnear_sentences):
    """The numbers and dates (whose word lists share first letters: "monday", "march", "may"; "sept", "september")."""
    found = 0
    for sentences in polnear_sentences[:60]:
        for text in sentences:
            new = K.specific_words(text, support._NUMBER_WORDS, support._DATE_WORDS, support.RELATIVE_DATES)
            if new is not None:
                assert new == support.specific_words(text), text
                found += len(new)
    assert found > 500


def test_first_letters_tables_are_reused_and_bounded():
    """Many distinct tuples (a caller passing new ones each time) keep at most 17 tables, and the answers stay right."""
    for k in range(200):
        words = (f"w{k}", "may", "mayor"[: 3 + k % 3])
        text = f"w{k} mayor may w{k + 1}"
        assert K.alternation_spans(text, words) == ref_spans(text, words)
        assert K.alternation_spans(text, tuple(words)) == ref_spans(text, words)  # (an equal tuple, another object)
    assert K.alternation_spans("May", ("may",)) == [(0, 3)]
    assert K.alternation_spans("anything", ()) == []
