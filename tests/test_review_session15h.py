"""Review of session 15's heads kernels (review15h): the faults found, each a test that failed before its fix.

- `word_codes` with a `CodeCache` noted every token of a text (its span and hash, 24 bytes) before looking them up,
  in room for one token per character of the longest text: a text of 1 M characters ("word " repeated) peaked at
  ~37 MB traced against ~13 MB without (codes 8 MB, the lower-cased copy 4 MB). Now at most 256 tokens are noted at a
  time (room on the stack): the same codes, no memory that grows with the text beyond its codes and copy.
Skipped when the kernels are not built.
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
    (codes, counts, missed, at), peak = _traced_peak(lambda: K.word_codes([text], cache, False, lower))
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
