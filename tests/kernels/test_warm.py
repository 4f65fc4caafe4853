"""The compiled new-word rows of the span tagger (`# ---- warm (session 15) ----` in _scorer_kernels.pyx:
`tagger_word_rows`) against their pure-Python twin `_WordCache._sum_features(block, _WordCache._feature_ids(words))`:
the same rows bit for bit on the words of the PolNeAR texts with the shipped model, on fuzzed words (every kind of
quote, unicode letters and digits, combining marks, lone surrogates, very long and empty-ish words) with a vocabulary
of their own features and weights whose order of additions shows, and through `_WordCache` itself; the kernel refuses
arguments that do not fit. Skipped without the compiled kernels, except under SCORER_REQUIRE_KERNELS=1.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import kernels
from scorer.text.vocab import Vocabulary

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()

_CHARS = ("aAzZmQ09-'’‘“”\"«»„.,;&_ \n\t\u00a0éÉİıΣσςßǅẞﬃ\u0301\u0308٣²Ⅻ𝐀😀\ud800\udfff\u2028中"
          "AbcDefGhi")


@pytest.fixture
def compiled(monkeypatch):
    monkeypatch.setattr(kernels, "compiled", K)
    monkeypatch.setattr(kernels, "ACTIVE", True)
    return K


@pytest.fixture(scope="module")
def shipped_tagger():
    from scorer.model.store import load_bundle

    return load_bundle()["spans"]


def twin_rows(cache: T._WordCache, words: list[str]) -> np.ndarray:
    block = np.full((len(words), len(T.OFFSETS), cache.weights.shape[1]), np.nan)
    cache._sum_features(block, cache._feature_ids(words))
    return block


def kernel_rows(cache: T._WordCache, words: list[str]) -> np.ndarray:
    block = np.full((len(words), len(T.OFFSETS), cache.weights.shape[1]), np.nan)  # (every cell is written)
    kernels.tagger_word_rows(cache.index, words, block, cache.weights, T._LISTS_OF, cache._list_ids, T._PREFIXES)
    return block


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def fuzzed_words(rng: random.Random, count: int) -> list[str]:
    words = {"".join(rng.choice(_CHARS) for _ in range(rng.randint(1, 9))) for _ in range(count)}
    words |= {"Σ", "ΑΣ", "İstanbul", "STRASSE", "Straße", "ǅemal", "x" * 5000, "X" * 70 + "é" * 70, "\n\n", "aa\n\nbb",
              "ab\u0301\u0301", "’", "“", "”", '"', ",", "said", "Said", "SAID", "officials", "Anonymous", "he", "the"}
    lexicon = sorted(T._LISTS_OF)
    words |= {rng.choice(lexicon) for _ in range(60)} | {rng.choice(lexicon).title() for _ in range(30)}
    return sorted(words)


def fuzzed_cache(rng: random.Random, words: list[str], tags: int = 7, values=None) -> T._WordCache:
    """A word cache over a vocabulary of most of the words' own features (and a few others), with weights of random
    signs and magnitudes (sums in another order would differ), zeros and negative zeros among them."""
    names = {T.feature_name(off, f) for w in words for off, feats in T.word_features(w).items() for f in feats}
    names |= {T.feature_name(off, f"L={name}") for name, _ in T._LISTS for off in T.OFFSETS}
    names = sorted(n for n in names if rng.random() < 0.8) + ["b", "q=1", "-1:w=<s>", "1:w=</s>"]
    rng.shuffle(names)
    nrng = np.random.default_rng(rng.randrange(2 ** 32))
    weights = nrng.standard_normal((len(names), tags)) * 10.0 ** nrng.integers(-12, 12, size=(len(names), tags))
    weights[nrng.random(weights.shape) < 0.05] = 0.0
    weights[nrng.random(weights.shape) < 0.05] = -0.0
    return T._WordCache(Vocabulary.from_terms(names, values), weights)


def test_same_rows_as_twin_on_polnear(compiled, polnear_texts, shipped_tagger):
    words = sorted({w for text in polnear_texts[::3] for w in T.TOKEN.findall(text)})
    cache = shipped_tagger._words
    assert len(words) > 5000
    twin, fast = twin_rows(cache, words), kernel_rows(cache, words)
    assert same_bits(twin, fast)
    assert np.count_nonzero(np.any(fast != 0, axis=2)) > 5 * len(words)  # (most cells hold features)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_rows_as_twin_on_fuzzed_words(compiled, seed):
    rng = random.Random(seed)
    words = fuzzed_words(rng, 600)
    cache = fuzzed_cache(rng, words)
    twin, fast = twin_rows(cache, words), kernel_rows(cache, words)
    assert same_bits(twin, fast)
    # the weights make the order of additions show: summed left to right, some rows differ
    ids = cache._feature_ids(words).reshape(-1, cache._feature_ids(words).shape[-1])
    plain = np.zeros((len(ids), cache.weights.shape[1]))
    for r, row in enumerate(ids):
        for i in row[row >= 0]:
            plain[r] += cache.weights[i]
    assert not same_bits(plain, twin.reshape(plain.shape))


def test_same_rows_with_mapped_ids(compiled):
    # a vocabulary whose ids are values, some negative (not a feature, as in the twin)
    rng = random.Random(7)
    words = fuzzed_words(rng, 200)
    plain = fuzzed_cache(random.Random(8), words)
    n = len(plain.index)
    values = np.array(random.Random(9).sample(range(n), n), dtype=np.int64)
    values[::7] = -3
    cache = fuzzed_cache(random.Random(8), words, values=values)
    assert same_bits(twin_rows(cache, words), kernel_rows(cache, words))


def test_word_cache_table_the_same_with_and_without_kernel(compiled, monkeypatch, polnear_texts, shipped_tagger):
    words = [w for text in polnear_texts[:6] for w in T.TOKEN.findall(text)]
    tables = []
    for active in (True, False):
        monkeypatch.setattr(kernels, "ACTIVE", active)
        cache = T._WordCache(shipped_tagger._words.index, shipped_tagger.weights)
        rows = cache.rows(words[:len(words) // 2])
        rows = np.r_[rows, cache.rows(words)]
        tables.append((rows, cache.table[:len(cache) + 1].copy(), cache.props[:len(cache) + 1].copy()))
    (rows_a, table_a, props_a), (rows_b, table_b, props_b) = tables
    assert np.array_equal(rows_a, rows_b) and np.array_equal(props_a, props_b) and same_bits(table_a, table_b)


def test_arguments_that_do_not_fit_are_refused(compiled):
    rng = random.Random(3)
    words = ["said", "Officials", "x"]
    cache = fuzzed_cache(rng, words)
    v = cache.index
    arrays = [v.blob, v.starts, v.lengths, v.hashes, v.rows, v.values]
    tags = cache.weights.shape[1]

    def call(words=words, block=None, weights=cache.weights, lists_of=T._LISTS_OF, list_ids=cache._list_ids,
             prefixes=T._PREFIXES, arrays=arrays, checked=False, buckets=None):
        block = np.zeros((len(words), len(prefixes), tags)) if block is None else block
        K.tagger_word_rows(words, block, weights, lists_of, list_ids, prefixes, *arrays, int(v.base), checked,
                           buckets)
        return block

    full = call()
    assert same_bits(call(buckets=kernels._hash_buckets(v, v.hashes)), full)
    n = len(v.hashes)
    for bad in ([0, 0, 0, 0], [0, 0], [0, 2, 1], [-1, 0, n], [0, 1, n + 1]):  # not 2^b + 1, out of order, outside
        with pytest.raises(ValueError):
            call(buckets=np.array(bad, dtype=np.int32))
    # a wrong index in order only misses terms (the bytes are compared): the words' own features are not found
    assert not same_bits(call(buckets=np.array([n, n, n], dtype=np.int32)), full)
    with pytest.raises(ValueError):
        call(block=np.zeros((2, 7, tags)))
    with pytest.raises(ValueError):
        call(block=np.zeros((3, 7, tags + 1)))
    with pytest.raises(ValueError):  # the empty prefix (offset 0) first
        call(prefixes=("", "-1:", "-2:", "1:", "2:", "-3:", "3:"))
    with pytest.raises(ValueError):
        call(prefixes=T._PREFIXES[:-1] + ("3é:",))
    with pytest.raises(TypeError):
        call(words=["said", 3, "x"])
    with pytest.raises(ValueError):  # a word list outside list_ids
        call(lists_of={"said": (0, len(T._LISTS))})
    with pytest.raises(IndexError):  # a feature id beyond the weights
        call(weights=cache.weights[:2])
    bad_ids = cache._list_ids.copy()
    bad_ids[0, 0] = len(cache.weights)
    with pytest.raises(IndexError):
        call(list_ids=bad_ids)
    bad_starts = v.starts.copy()
    bad_starts[-1] = len(v.blob)
    with pytest.raises(ValueError):  # a term outside the blob
        call(arrays=[v.blob, bad_starts, *arrays[2:]])
    bad_rows = v.rows.copy()
    bad_rows[0] = len(v.starts)
    with pytest.raises(ValueError):  # a row outside the terms
        call(arrays=[*arrays[:4], bad_rows, None])
    with pytest.raises(ValueError):
        call(arrays=[*arrays[:4], v.rows[:-1], None])
    with pytest.raises(ValueError):
        call(arrays=[*arrays[:5], np.zeros(len(v.starts) - 1, dtype=np.int64)])
    with pytest.raises(IndexError):  # an empty word has no first character (the twin's `w[0]`: the same error)
        T._WordCache(v, cache.weights)._add([""])
