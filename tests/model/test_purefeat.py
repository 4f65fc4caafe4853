"""Session 16 (purefeat, issue #21): the pure-Python cue rows and the reasons' searches give exactly what they gave
before. The cue rows read the phrase groups as bits over the batch (`cues._phrase_bits_many`) and search a year only in
texts holding "19" or "20"; `support.specific_words` searches NUMBER_RE and DATE_RE written as word tries
(`support._fast_twins`). Each is compared with the code or pattern it replaces on PolNeAR sentences and fuzzed strings
(the whole cue rows and specific_words against their frozen references: tests/model/test_cues_session12.py,
tests/model/test_speed_same_finish.py)."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.model import cues as c
from scorer.model import support

_GROUP_BITS = {name: 1 << k for k, name in enumerate(c._PHRASE_GROUPS)}


def _bits_of(groups: set[str]) -> int:
    return sum(_GROUP_BITS[g] for g in groups)


def test_phrase_bits_many_are_the_phrase_groups(polnear_sentences):
    lows = [s.lower() for article in polnear_sentences[:60] for s in article]
    bits = c._phrase_bits_many(lows).tolist()
    assert bits == [_bits_of(found) for found in c.phrase_groups_many(lows)]
    assert sum(map(bool, bits)) > 100 and len({b for b in bits if b}) > 3
    assert c._phrase_bits_many([]).tolist() == []
    # the groups' bits as the cue rows read them
    assert (c._DENIAL_GROUP, c._ANON_GROUP, c._REPORT_GROUP, c._OUTLET_GROUP, c._HEDGE_GROUP) == (1, 2, 4, 8, 16)


_PHRASEISH = ["according to", "ap", "AP", "in a statement", "declined to comment", "did not respond", "times",
              "new york times", "reportedly", "may be", "sources", "\n", " ", "", "x", "“", "'", "ΣΑΣ", "İ"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(_PHRASEISH), st.text(max_size=3)), max_size=12).map("".join),
                max_size=8))
def test_phrase_bits_many_same_on_fuzzed_texts(texts):
    lows = [t.lower() for t in texts]
    assert c._phrase_bits_many(lows).tolist() == [_bits_of(c.phrase_groups(low)) for low in lows]


# --------------------------------------------------------------------------------------------------------------------
# specific_words' searches

def _spans(pattern: re.Pattern[str], lowered: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in support._matches(pattern, lowered, text)]


def _same_matches(text: str) -> None:
    for (fast, fast_low), pattern in ((support._NUMBER_FAST, support.NUMBER_RE), (support._DATE_FAST, support.DATE_RE)):
        want = [m.span() for m in pattern.finditer(text)]
        assert _spans(fast, fast_low, text) == want  # as specific_words searches it (ASCII text lower-cased)
        assert [m.span() for m in fast.finditer(text)] == want  # and the case-insensitive form on any text


def test_fast_twins_are_tries_of_the_patterns_words():
    # the patterns' words were found (else the twins are the patterns themselves, as before)
    assert support._NUMBER_FAST[0] is not support.NUMBER_RE and support._DATE_FAST[0] is not support.DATE_RE
    assert support._NUMBER_FAST[0].flags & re.I and not support._NUMBER_FAST[1].flags & re.I
    assert "j(?:an(?:uary)?|" in support._DATE_FAST[1].pattern


def test_fast_twins_same_matches_on_polnear(polnear_sentences, polnear_texts):
    flat = [s for article in polnear_sentences[:80] for s in article]
    for text in flat + polnear_texts[:40]:
        _same_matches(text)
    assert sum(bool(support.specific_words(s)) for s in flat) > 300


# the words, their prefixes and extensions, case variants, characters that match ASCII letters case-insensitively
# (long s, Kelvin sign, dotted I), digits of other scripts, word characters and boundaries around them
_NUMBERISH = ["one", "ONE", "One", "ones", "someone", "ten", "tens", "often", "thousand", "thousands", "hundred",
              "billion", "1", "1,000", "2.5.", "1999", "2020", "20", "19", "٢٠٢٠", "1٩99", "jan", "January", "JANUARY",
              "janu", "sept", "Sept.", "september", "septembers", "may", "march", "Monday", "mondays", "today",
              "yesterday", "ſunday", "ſix", "\u212aen", "\u212a", "İ", "é", "_", "x", " ", "-", "'", ".", ",", "day"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_NUMBERISH), st.text(max_size=3)), max_size=16).map("".join))
def test_fast_twins_same_matches_on_fuzzed_strings(text):
    _same_matches(text)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="abcn", min_size=1, max_size=5), min_size=1, max_size=8, unique=True),
       st.lists(st.sampled_from(["a", "b", "c", "n", "ab", " ", "abc", "x", "_", "1"]), max_size=20).map("".join))
def test_word_trie_matches_as_the_alternation(words, text):
    """With \\b after the words, the trie finds what the plain alternation finds, whatever the words' order and
    prefixes (the condition `_fast_twins` relies on)."""
    plain = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")
    trie = re.compile(r"\b(?:" + support._word_trie(words) + r")\b")
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert all(trie.fullmatch(w) for w in words)


def test_fast_twins_fall_back_to_the_pattern():
    pattern = re.compile(r"\b(one|two)\b", re.I)
    assert support._fast_twins(pattern, None, r"\b(?:{})\b")[0] is pattern
    assert support._fast_twins(pattern, ("one", ""), r"\b(?:{})\b")[0] is pattern


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["19", "20", "1", "9", "2", "0", "٩", "١", "1999", "2020", " ", "x", "_", "May 5"]),
                max_size=10).map("".join))
def test_year_pre_check_never_skips_a_year(text):
    """The cue rows search _YEAR only in texts holding "19" or "20"."""
    if c._YEAR.search(text):
        assert "19" in text or "20" in text
