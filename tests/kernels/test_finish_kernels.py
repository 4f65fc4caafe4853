"""The kernels of the section "segmentation and finish" (`_scorer_kernels.pyx`) give what their pure-Python twins
give: `content_words` (support._content_words_python) and `corroboration` (support._corroborate_python), on the
PolNeAR dev texts and a third of train, on every code point and on fuzzed input. Skipped when the kernels are not
built, except when SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import random
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.labels import LABELS
from scorer.model import support
from scorer.text import kernels

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()

OPINION = "editorial_opinion"


def compiled_words(text: str) -> frozenset[str]:
    return K.content_words(text, support._STOP)


def compiled_corroboration(words, labels, min_shared=3):
    return K.corroboration(list(words), list(labels), min_shared, OPINION)



def _labellings(n: int, rng: random.Random) -> list[list[str]]:
    """Random, mostly one type, two types alternating (many candidates per sentence), all the writer's opinion."""
    return [[rng.choice(LABELS) for _ in range(n)], [rng.choices(LABELS, weights=(10, 1, 1, 1))[0] for _ in range(n)],
            [LABELS[(i % 2) * 2] for i in range(n)], [OPINION] * n]


def test_content_words_and_corroboration_same_on_polnear(polnear_sentences):
    rng = random.Random(21)
    found = 0
    for sents in polnear_sentences:
        words = [support._content_words_python(s) for s in sents]
        assert [compiled_words(s) for s in sents] == words
        for labels in _labellings(len(sents), rng):
            for min_shared in (3, 1, 0, 6):
                new = compiled_corroboration(words, labels, min_shared)
                assert new == support._corroborate_python(words, labels, min_shared)
                found += sum(c is not None for c in new)
    assert found > 5_000  # the corpus exercises the choice, not only "None"


def test_content_words_same_for_every_code_point():
    """Every code point after a digit, inside and after ASCII words, alone: the regex's \\d, letters, lower case."""
    chars = [chr(c) for c in range(sys.maxunicode + 1)]
    for start in range(0, len(chars), 4096):
        block = chars[start:start + 4096]
        for joiner in ("1", "Abcd", "AB", "12,3."):
            text = joiner.join(block)
            assert compiled_words(text) == support._content_words_python(text), (start, joiner)


_WORDISH = ["Trump", "TRUMP", "iPhone", "McDonald", "said", "that", "That", "THAT", "abc", "abcd", "Ab", "A", "1,000.5",
            "2020", ".", ",", "٣", "１２", "é", "Über", "ſ", "\u212a", "İ", " ", "-", "_", "\n", "Officials", "x" * 70,
            "Q" * 65, "\ud800"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDISH), st.text(max_size=4)), max_size=30).map("".join))
def test_content_words_same_on_fuzzed_strings(text):
    assert compiled_words(text) == support._content_words_python(text)


_VOCAB = ["Trump", "Russia", "Moscow", "officials", "bounties", "2020", "12,000", "Taliban", "said", "intel", "Report",
          "troops", "ab", "Über", "x"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_VOCAB), max_size=8).map(" ".join), max_size=70),
       st.lists(st.sampled_from(LABELS), min_size=70, max_size=70), st.integers(-1, 5))
def test_corroboration_same_on_fuzzed_sentences(texts, labels, min_shared):
    """Small vocabularies: words shared by many sentences (some by more than 50), ties are frequent."""
    labels = labels[:len(texts)]
    words = [support._content_words_python(t) for t in texts]
    assert compiled_corroboration(words, labels, min_shared) == support._corroborate_python(words, labels, min_shared)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "d", 7]), max_size=6), max_size=60),
       st.lists(st.sampled_from(list(LABELS) + ["other"]), min_size=60, max_size=60), st.integers(-1, 4))
def test_corroboration_same_on_word_lists_with_repeats(words, labels, min_shared):
    """Any iterables of words (a word listed twice counts twice in both) and labels outside the four."""
    labels = labels[:len(words)]
    assert compiled_corroboration(words, labels, min_shared) == support._corroborate_python(words, labels, min_shared)


def test_corroboration_too_few_labels_raises_like_the_twin():
    words = [frozenset({"alpha", "beta"})] * 3
    for labels in ([], ["named_source"]):
        with pytest.raises(IndexError):
            support._corroborate_python(words, labels)
        with pytest.raises(IndexError):
            compiled_corroboration(words, labels)
    assert compiled_corroboration([], []) == support._corroborate_python([], []) == []


def test_dispatch_follows_the_switch():
    """support uses the compiled pair when the kernels are active, the twins otherwise."""
    if kernels.ACTIVE:
        assert support._corroborate is support._corroborate_compiled
        assert support._content_words.__wrapped__ is support._content_words_compiled
    else:
        assert support._corroborate is support._corroborate_python
        assert support._content_words.__wrapped__ is support._content_words_python


# ---------------------------------------------------------------------------------------------------------------
# looks_english's ASCII path: english_counts

def ref_english_counts(text: str, function_words=None) -> tuple[int, int, int]:
    """The counts of looks_english's ASCII path, as it computes them."""
    from scorer.text import language

    words = language._ASCII_WORD.findall(text.lower())
    function_words = language._FUNCTION_WORDS if function_words is None else function_words
    return len("".join(words)), len(words), sum(map(function_words.__contains__, words))


def _ascii_path(text: str) -> bool:
    from scorer.text import language

    return text.isascii() or not language._NON_ASCII_WORD_CHAR.search(text)


def expected_counts(text: str, function_words=None):
    """What english_counts gives: the ASCII path's counts, or None for text that does not take that path."""
    return ref_english_counts(text, function_words) if _ascii_path(text) else None


def test_english_counts_and_looks_english_same_on_polnear(shared_data, polnear_sentences, monkeypatch):
    from scorer.text import language

    paths = sorted((shared_data / "polnear" / "data" / "dev" / "text").glob("*.txt"))
    paths += sorted((shared_data / "polnear" / "data" / "train" / "text").glob("*.txt"))[::4]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    flat = [s for sents in polnear_sentences for s in sents]
    items = texts + [t.upper() for t in texts[:50]] + [t[:n] for t in texts[:50] for n in (40, 90, 160)] + flat[:6000]
    heads = [t[:20000] for t in items]
    assert sum(map(_ascii_path, heads)) > 3000
    fw = language._FUNCTION_WORDS
    assert [K.english_counts(t, fw) for t in heads] == [expected_counts(t) for t in heads]
    monkeypatch.setattr(language, "_english_counts", K.english_counts)
    compiled = [language.looks_english(t) for t in items]
    monkeypatch.setattr(language, "_english_counts", None)
    assert compiled == [language.looks_english(t) for t in items]
    assert 0 < sum(compiled) < len(compiled)  # short texts and upper-case ones: both answers occur


def test_english_counts_same_for_every_code_point():
    """Every code point the ASCII path allows (not a word character outside ASCII), between and inside words; and
    every other one gives None, alone and inside such text."""
    from scorer.text import language

    fw = language._FUNCTION_WORDS
    allowed, refused = [], []
    for c in range(sys.maxunicode + 1):
        (allowed if _ascii_path(chr(c)) else refused).append(chr(c))
    assert len(allowed) > 100_000 and len(refused) > 100_000
    for start in range(0, len(allowed), 4096):
        block = allowed[start:start + 4096]
        for joiner in ("The", "a", "x", ""):
            text = joiner.join(block)
            assert K.english_counts(text, fw) == ref_english_counts(text), (start, joiner)
    assert [c for c in refused if K.english_counts(c, fw) is not None] == []
    assert [c for c in refused[::97] if K.english_counts("The cat " + c + " sat", fw) is not None] == []


_ENGLISHY = ["the", "The", "THE", "and", "because", "becausee", "said", "says", "Said", "i", "I", "a", "abcdefghijkl",
             "abcdefghijklm", "Trump", "z" * 30, " ", ",", ".", "“", "”", "\u00a0", "\n", "-", "'", "1", "_", "é"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_ENGLISHY), st.text(max_size=3)), max_size=60).map("".join))
def test_english_counts_same_on_fuzzed_strings(text):
    from scorer.text import language

    assert K.english_counts(text, language._FUNCTION_WORDS) == expected_counts(text)


def test_english_counts_with_other_word_sets():
    """Another set is read afresh (the codes are kept per set); words it cannot hold are refused or never match."""
    text = "The abcdefghijkl Abcdefghijkl THE zebra Zebra “zebras” zebra-the"
    for words in (frozenset({"zebra", "abcdefghijkl"}), frozenset(), frozenset({"Zebra", "über", "the", 7}),
                  frozenset({"the"})):
        assert K.english_counts(text, words) == expected_counts(text, words), words
    with pytest.raises(ValueError):
        K.english_counts(text, frozenset({"abcdefghijklm"}))


def test_kernels_refuse_none_and_wrong_types():
    """Typed arguments: a wrong type is a TypeError, never a read of a bad pointer."""
    from scorer.text import language

    for call in (lambda: K.content_words(None, support._STOP), lambda: K.content_words(b"abc", support._STOP),
                 lambda: K.content_words("abc", None), lambda: K.corroboration(None, [], 3, OPINION),
                 lambda: K.corroboration([], None, 3, OPINION), lambda: K.corroboration([], [], 3, None),
                 lambda: K.english_counts(None, language._FUNCTION_WORDS), lambda: K.english_counts("the", None)):
        with pytest.raises(TypeError):
            call()
