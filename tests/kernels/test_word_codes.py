"""The compiled tokeniser and coder (`_scorer_kernels.word_codes`) equal their twin: `findall` of the lower-cased
texts with the heads' token pattern or the claim head's, then the coder's word codes (`NgramCoder._codes`); and the
n-gram ids through it (`NgramCoder.ids_compiled`) equal `NgramCoder.ids`, on the sentences of the PolNeAR dev texts
and of every fourth train text and on fuzzed strings. Skipped when the kernels are not built, except when
SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.model.heads import HEADS_TOKEN_PATTERN, LONG_WORDS_PATTERN, NgramCoder

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()

PATTERNS = {False: re.compile(HEADS_TOKEN_PATTERN), True: re.compile(LONG_WORDS_PATTERN)}


def check_tokens(texts: list[str]) -> None:
    """With an empty cache every token is missed: the missed tokens are findall's, text by text."""
    low = [t.lower() for t in texts]
    for long_words, pattern in PATTERNS.items():
        tokens = [pattern.findall(t) for t in low]
        codes, counts, missed, at = K.word_codes(low, {}, long_words)
        assert missed == [w for ws in tokens for w in ws]
        assert counts.tolist() == [len(ws) for ws in tokens]
        assert np.array_equal(at, np.arange(len(missed))) and np.all(codes == -2)
        # with every other word in the cache: those coded, the rest missed in order
        cache = {w: k for k, w in enumerate(sorted(set(missed))[::2])}
        codes, counts, missed2, at = K.word_codes(low, cache, long_words)
        flat = [w for ws in tokens for w in ws]
        assert codes.tolist() == [cache.get(w, -2) for w in flat]
        assert missed2 == [w for w in flat if w not in cache] and at.tolist() == [k for k, w in enumerate(flat)
                                                                                  if w not in cache]


@pytest.fixture(scope="module")
def sentences(shared_data):
    from scorer.text.segment import split_article

    base = shared_data / "polnear" / "data"
    paths = sorted((base / "dev" / "text").glob("*.txt")) + sorted((base / "train" / "text").glob("*.txt"))[::4]
    return [s.text for p in paths for s in split_article(p.read_text(encoding="utf-8"))[0]]


def test_word_codes_tokens_same_on_polnear(sentences):
    assert len(sentences) > 10_000
    check_tokens(sentences)


_PIECES = ["don't", "rock''n", "o’neill", "'tis", "’", "'", "_", "a", "ab", "x_y", "٣٤", "é", "Ж", "中文", "İ", "\u212a",
           "“", "”", '"', "?", "!", ":", " ", "\n", "-", "1", "12", "ǅ", "\u0301", "a\u0301", "\ud800", "ß", "Σ"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=20).map("".join),
                max_size=5))
def test_word_codes_tokens_same_on_fuzzed_strings(texts):
    check_tokens(texts)


def test_word_codes_refuses_a_non_str():
    with pytest.raises(TypeError, match="not a str"):
        K.word_codes(["a", None], {}, False)
    with pytest.raises(TypeError):
        K.word_codes(["a"], {"a": "x"}, False)  # a code that is not an int


@pytest.fixture(scope="module")
def bundle():
    from scorer.model.store import load_bundle

    return load_bundle()


def test_ids_compiled_same_as_ids_on_polnear(sentences, bundle, monkeypatch):
    """The heads' and the claim head's n-gram ids through the kernel equal the coder's own, batch by batch (the
    cache filling up as it goes), for fresh coders of the shipped vocabularies (the compiled module is called even
    under SCORER_KERNELS=0, as the other parity tests do)."""
    from scorer.model import heads

    monkeypatch.setattr(heads, "_word_codes", K.word_codes)
    cases = [(bundle["attribution"].tokens.union, 2, PATTERNS[False]), (bundle["claims"].words.vocabulary, 2,
                                                                        PATTERNS[True])]
    for vocabulary, top, pattern in cases:
        twin, compiled = NgramCoder(vocabulary, top), NgramCoder(vocabulary, top)
        for a in range(0, len(sentences), 1500):
            batch = sentences[a:a + 1500]
            rows, ids = twin.ids(batch, pattern.findall)
            rows2, ids2 = compiled.ids_compiled(batch, pattern is PATTERNS[True])
            assert np.array_equal(rows, rows2) and np.array_equal(ids, ids2)
        assert twin.cache == compiled.cache
