"""Review of session 16's puretag changes (the span tagger's pure-Python paths): faults found, each held here.

The chunk cache (`_Chunks`) was bounded in entries only: a hostile article whose white-space separated chunks are 64
one-character tokens each (symbols outside Latin-1: a new string object per token) made each entry ~6 kB, so 20,000
entries held ~120 MB in a pure-Python worker (113 MB at e3b38cc; its docstring says "about 4 MB"). The word
properties cache (`_Properties`) kept words of any length, 200,000 of them: articles of long distinct words (a run of
letters is one token) filled it with megabytes per article until it was emptied."""
from __future__ import annotations

import random

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import kernels
from scorer.text.segment import split_article


def test_chunk_cache_is_bounded_in_the_words_it_holds_not_only_in_entries():
    rng = random.Random(16)
    symbols = [chr(c) for c in range(0x2190, 0x21FF)]  # arrows: each one a token of its own, outside Latin-1
    chunks = ["".join(rng.choice(symbols) for _ in range(64)) for _ in range(2000)]
    T._CHUNKS.clear()
    try:
        for i in range(0, len(chunks), 250):
            words = T._tokens(chunks[i:i + 250], list(range(250)))[0]
            assert words == [w for chunk in chunks[i:i + 250] for w in T.TOKEN.findall(chunk)]  # (the cache's tokens)
            held = sum(len(entry) // 2 for entry in T._CHUNKS.values())
            assert held <= T._Chunks.words_limit + 64, held  # (e3b38cc and puretag held 64 a chunk: 128,000 here)
        # ordinary chunks still stay (one or two words each: the entry limit comes first)
        T._CHUNKS.clear()
        T._tokens(["He said, “we will.”"], [0])
        assert set(T._CHUNKS) == {"He", "said,", "“we", "will.”"} and T._CHUNKS.held == 8
        T._CHUNKS.clear()
        assert T._CHUNKS.held == 0
    finally:
        T._CHUNKS.clear()


def test_word_properties_cache_keeps_no_long_word():
    long_word = "x" * 5000
    words, _, _, props = T._tokens([f"He said {long_word} today"], [0])
    assert words == ["He", "said", long_word, "today"]
    assert props[2] == T._word_properties(long_word) and props[2] >> T._LENGTH_SHIFT == 5000
    kept = long_word in T._PROPERTIES
    assert not kept and "today" in T._PROPERTIES
    assert max(map(len, T._PROPERTIES)) <= T._KEPT_LONGEST


def _long_words_held(cache) -> int:
    return sum(len(word) for word in cache if len(word) > T._KEPT_LONGEST)


@pytest.mark.parametrize("compiled", [False, True])
def test_word_cache_is_bounded_in_the_characters_of_its_long_words(compiled, monkeypatch):
    """The word cache (`_WordCache`, both paths) kept up to 50,000 words of any length: articles of long distinct
    words (5,000 letters each here) filled it with their text, e.g. ~250 MB at 50,000 such words."""
    if compiled and not kernels.ACTIVE:
        pytest.skip("compiled kernels not built")
    monkeypatch.setattr(kernels, "ACTIVE", compiled)
    monkeypatch.setattr(T, "_LONG_CHARS", 100_000, raising=False)
    rng = random.Random(5)
    weights = np.arange(3 * len(T.TAGS), dtype=np.float64).reshape(3, -1) / 7
    tagger = T.SpanTagger(["b", "w=said", "-1:w=said"], weights, np.eye(len(T.TAGS)))
    fresh = T.SpanTagger(["b", "w=said", "-1:w=said"], weights, np.eye(len(T.TAGS)))
    for _ in range(10):
        words = ["".join(rng.choice("abcdefghij") for _ in range(5000)) for _ in range(5)]
        text = " ".join(f"He said {w} today." for w in words)
        sentences = split_article(text)[0]
        got = tagger.spans_many([(text, sentences)])
        assert _long_words_held(tagger._words) <= 100_000 + 25_000  # (e3b38cc: 250,000 after the tenth call)
        fresh._words._restart()
        assert got == fresh.spans_many([(text, sentences)])  # (the cache changes no span)
