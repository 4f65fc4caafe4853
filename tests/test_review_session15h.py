"""Review of session 15's heads kernels (review15h): the faults found, each a test that failed before its fix.

- `word_codes` with a `CodeCache` noted every token of a text (its span and hash, 24 bytes) before looking them up,
  in room for one token per character of the longest text: a text of 1 M characters ("word " repeated) peaked at
  32 bytes a character traced (36 with `lower`) against 8 (12) without: the codes, 8 bytes a character, and the
  lower-cased copy, 4. Now at most 256 tokens are noted at a time (room on the stack): the same codes.
- `ngram_rows` likewise noted every n-gram of a text (key and bucket range, 24 bytes) before searching them, in room
  for the longest text's codes: 72 bytes a code against 48 at db44292 (a text of 1 M codes). Now 256 at a time.
- With the kernels, a head's idf and word coefficients are copied into its packed table, but a one-row head's
  `coef_dense` (coef[:, n_words:], contiguous) was a view that kept the whole loaded coefficients alive: the shipped
  `attributed` head's 0.66 MB of word coefficients held twice (traced memory after load +1.27 MB against the same
  code without packing; +0.59 MB now). Now `coef_dense` is a copy of its 86 values.
- `tfidf_packed` took its heads' block (PyMem_Malloc) before it read and checked `order`: a bad order (2-D, of another
  type, not aligned on int32 values) raised and leaked the block (64 bytes a head each call). Now `order` is checked
  first.
The kernel tests are skipped when the kernels are not built.
"""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from scorer.text import kernels

K = kernels.compiled if getattr(kernels.compiled, "tfidf_packed", None) is not None else None
if K is None:
    try:
        import _scorer_kernels as K  # (SCORER_KERNELS=0: the build itself)
    except ImportError:  # pragma: no cover - no build
        K = None
needs_kernels = pytest.mark.skipif(K is None or not hasattr(K, "tfidf_packed"), reason="kernels (v10) not built")


def _traced_peak(fn) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@needs_kernels
@pytest.mark.parametrize("lower", [False, True])
def test_word_codes_memory_does_not_grow_with_the_longest_text(lower):
    text = "Word " * 200_000 if lower else "word " * 200_000
    cache = K.CodeCache()
    cache.set("word", 7)
    K.word_codes(["Word word"], cache, False, lower)  # (a first call's one-off allocations are not the point)
    (codes, counts, missed, _), peak = _traced_peak(lambda: K.word_codes([text], cache, False, lower))
    assert len(codes) == 200_000 and (codes == 7).all() and counts.tolist() == [200_000] and not missed
    # the codes (8 bytes a character, sized by the characters), the lower-cased copy (4 bytes a character) and a
    # little more; before the fix, 24 bytes a character more
    assert peak < 14 * len(text), peak / len(text)


@needs_kernels
def test_word_codes_chunked_lookups_keep_the_order_of_missed_tokens():
    # more tokens than one chunk of lookups, hits and misses mixed, in several texts: codes, missed and their places
    # as a dict gives them
    rng = np.random.default_rng(5)
    words = [f"w{k}" for k in range(40)]
    texts = [" ".join(rng.choice(words, size=int(n)).tolist()) for n in (0, 1, 255, 256, 257, 700)]
    cache, table = {}, K.CodeCache()
    for k, word in enumerate(words[::2]):
        cache[word] = k
        table.set(word, k)
    for lower in (False, True):
        got, want = K.word_codes(texts, table, False, lower), K.word_codes(texts, cache, False, lower)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
        assert got[2] == want[2] and np.array_equal(got[3], want[3])


def _ngram_rows_reference(codes, lengths, unigram_ids, base, tables):
    """What `ngram_rows` returns, in Python: per text its unigrams, then its known bigrams, ... in text order."""
    rows, ids, pos = [], [], 0
    for r, m in enumerate(lengths.tolist()):
        text = codes[pos:pos + m].tolist()
        rows += [r for c in text if 0 <= c < unigram_ids]
        ids += [c for c in text if 0 <= c < unigram_ids]
        for n, (keys, values, _, _) in enumerate(tables, start=2):
            known = dict(zip(keys.tolist(), values.tolist()))
            for i in range(m - n + 1):
                gram = text[i:i + n]
                if min(gram) >= 0:
                    key = 0
                    for c in gram:
                        key = key * base + c
                    if key in known:
                        rows.append(r)
                        ids.append(known[key])
        pos += m
    return rows, ids


def _tables(rng, base, n_keys, step):
    tables = []
    for n in (2, 3):
        keys = np.unique(rng.integers(0, base ** n, n_keys))
        values = rng.integers(0, 10 ** 6, len(keys))
        buckets = np.searchsorted(keys, np.arange(0, keys[-1] // step + 1) * step).astype(np.int64)
        tables.append((keys.astype(np.int64), values.astype(np.int64), buckets, step))
    return tables


@needs_kernels
def test_ngram_rows_chunked_searches_equal_the_reference():
    rng = np.random.default_rng(7)
    base = 6
    tables = _tables(rng, base, 60, 4)
    lengths = np.array([0, 1, 2, 257, 258, 600, 3], dtype=np.int64)
    codes = rng.integers(-1, base, int(lengths.sum())).astype(np.int64)
    rows, ids = K.ngram_rows(codes, lengths, 4, base, tables)
    want_rows, want_ids = _ngram_rows_reference(codes, lengths, 4, base, tables)
    assert rows.tolist() == want_rows and ids.tolist() == want_ids


@needs_kernels
def test_ngram_rows_memory_does_not_grow_with_the_longest_text():
    n = 300_000
    codes = np.zeros(n, dtype=np.int64)  # one word said n times: n unigrams, n - 1 bigrams, n - 2 trigrams
    keys, values, buckets = np.array([0, 5], dtype=np.int64), np.array([100, 101], dtype=np.int64), np.array([0, 2])
    tables = [(keys, values, buckets, 1 << 20)] * 2
    K.ngram_rows(codes[:10], np.array([10]), 10, 1000, tables)
    (rows, ids), peak = _traced_peak(lambda: K.ngram_rows(codes, np.array([n]), 10, 1000, tables))
    assert len(rows) == 3 * n - 3 and ids[-1] == 100
    # rows and ids, 2 x 8 bytes for each of up to 3 n-grams a code; before the fix 24 bytes a code more
    assert peak < 56 * n, peak / n


def test_heads_dense_coefficients_do_not_keep_the_loaded_coefficients_alive():
    from scorer.pipeline import Scorer

    for head in Scorer(None).attribution.heads():
        assert head.coef_dense.base is None and head.coef_dense.flags.c_contiguous, head.coef_dense.shape


@needs_kernels
def test_tfidf_packed_refusing_a_bad_order_leaks_nothing():
    from scorer.model.heads import packed_table, tf_table

    table = packed_table(np.ones(10), np.ones((3, 10)))
    rows, ids = np.zeros(5, dtype=np.int64), np.arange(5, dtype=np.int64)
    heads = [(None, table, 3)] * 50
    bad = np.zeros((10, 2), dtype=np.int32)

    def refused():
        with pytest.raises(ValueError):
            K.tfidf_packed(rows, ids, heads, 1, tf_table, bad)

    refused()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(200):
            refused()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 200 * 64, grown  # (a leak: 51 x 64 bytes a call)
