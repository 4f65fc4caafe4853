"""Faults found by the independent review of session 13's model-input, head and claim-head kernels (part C): each
test failed before its fix. Skipped when the compiled kernels are not built."""
from __future__ import annotations

import itertools
import random
import time

import pytest

from scorer.text import kernels

K = pytest.importorskip("_scorer_kernels")
if getattr(K, "VERSION", None) != kernels.VERSION:
    pytest.skip("stale compiled kernels", allow_module_level=True)

# 13 pairs of 3-character words, each pair's two words leading FNV-1a (the CodeCache's hash before the fix: offset
# basis 14695981039346656037, prime 1099511628211, over the code points) from the state the previous pairs end in
# to the same 64-bit state: the 2 ** 13 words made of one word of each pair all have the same hash (found offline
# in ~30 s of numpy: a birthday search on the state's 43 high bits, the last character fixing the 21 low ones). An
# article of such words (all word characters: one token each) piled them into one probe chain.
_FNV_PAIRS = [
    ('\u4f12\u86c7\u6000', '\u4f1d\u86d7\U0003033b'),
    ('\u7d8b\u5074\u2070', '\u7d88\u5572\U00030499'),
    ('\u6003\u5e0f\u2070', '\u6002\u5daf\U00030559'),
    ('\u578b\u52390', '\u578a\u5135\U0002e559'),
    ('\u515a\u5748\u2070', '\u515b\u5752\U00030f2f'),
    ('\u9cc3\u63dc\u2070', '\u9cc0\u601e\U00030529'),
    ('\u7baa\u81d8\u0400', '\u7bab\u8516\U0002f8d7'),
    ('\u8ae3\u88450', '\u8ae4\u8c65\U0002e31f'),
    ('\u875b\u8165\ufc00', '\u875a\u9d81\U00031139'),
    ('\u5acc\u7d61\u2070', '\u5acb\u6199\U00030d47'),
    ('\u8858\u8964\u2070', '\u885b\u8e4a\U00030499'),
    ('\u8686\u5681\u6000', '\u8687\u56ed\U000303e9'),
    ('\u598a\u6bda\u2070', '\u598d\u6ba0\U00030309'),
]


def _fnv1a(word: str) -> int:
    h = 14695981039346656037
    for ch in word:
        h = ((h ^ ord(ch)) * 1099511628211) & (2 ** 64 - 1)
    return h


def _cache_seconds(words: list[str]) -> float:
    """Best of 3: a fresh CodeCache filled with the words, then each looked up (as NgramCoder uses it)."""
    best = float("inf")
    for _ in range(3):
        cache = K.CodeCache()
        start = time.perf_counter()
        cache.update(zip(words, range(len(words))))
        codes = cache.codes_of(words)
        best = min(best, time.perf_counter() - start)
        assert codes.tolist() == list(range(len(words)))
    return best


def test_code_cache_is_not_flooded_by_words_built_to_collide():
    """Article text is untrusted and the word cache lives as long as the process (up to 100,000 words): words built
    to share the cache's hash must not make filling and reading it quadratic (8,192 such words took ~150x the time of
    8,192 other words with the fixed, unkeyed FNV-1a; a full cache of them minutes per batch)."""
    colliding = ["".join(parts) for parts in itertools.product(*_FNV_PAIRS)]
    assert len({_fnv1a(w) for w in colliding}) == 1 and len(set(colliding)) == 2 ** 13  # the attack is real
    rng = random.Random(13)
    others = ["".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(39)) for _ in colliding]
    assert _cache_seconds(colliding) < 10 * _cache_seconds(others) + 0.01


@pytest.mark.parametrize("table", ["CodeCache", "dict"])
def test_word_cache_memory_is_bounded_by_characters_too(monkeypatch, table):
    """The coder's word cache was bounded by its number of words only (CACHE_WORDS) and kept every long word: one
    2,000,000-character token (a 10 MB article may be one word) held 8.4 MB in the CodeCache (4 bytes a character,
    its buffer doubled, never given back by clear) and 2 MB in the dict, until 100,000 other words came; 100,000
    articles of such words held them all. A word too long to be worth caching is looked up, not kept."""
    import tracemalloc

    from scorer.model import heads

    monkeypatch.setattr(heads, "_CodeCache", K.CodeCache if table == "CodeCache" else None)
    coder = heads.NgramCoder({"alpha": 0, "beta": 1, "alpha beta": 2}, 2)
    assert type(coder.cache).__name__ == table
    coder._resolve(["alpha"])  # the cache's own first allocations
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        long_word = "é" + "x" * 2_000_000  # (the article's token: gone once the article is scored)
        codes = coder._resolve([long_word, "beta", long_word, "gamma"])
        codes_again = coder._codes([long_word, "alpha", "beta"])
        del long_word
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert codes.tolist() == [-1, 1, -1, -1] and codes_again.tolist() == [-1, 0, 1]
    assert held < 200_000, held


def test_kernels_are_compiled_without_fused_multiply_add(monkeypatch):
    """The kernels' float sums are bit-identical to numpy's only if every a * b + c rounds twice: GCC contracts them
    into fused multiply-adds by default wherever the target has them, and a build with CFLAGS=-march=native gave
    tfidf_scores other bits than its twin in 2,015 of 3,935 PolNeAR sentences' rows (first head). setup.py's
    build_ext passes -ffp-contract=off to every compiler but MSVC (checked on its build_extension, with setup() and
    cythonize stubbed: no build runs, so the test runs wherever the suite does)."""
    import runpy
    import sys
    import types
    from pathlib import Path

    import setuptools
    from setuptools import Extension
    from setuptools.command.build_ext import build_ext

    monkeypatch.setattr(setuptools, "setup", lambda **kwargs: None)
    cython = types.ModuleType("Cython")
    cython_build = types.ModuleType("Cython.Build")
    cython_build.cythonize = lambda *args, **kwargs: []
    monkeypatch.setitem(sys.modules, "Cython", cython)
    monkeypatch.setitem(sys.modules, "Cython.Build", cython_build)
    command = runpy.run_path(str(Path(__file__).resolve().parent.parent / "setup.py"))["OptionalBuildExt"]
    seen = []
    monkeypatch.setattr(build_ext, "build_extension", lambda self, ext: seen.append(list(ext.extra_compile_args)))
    for kind in ("unix", "mingw32", "msvc"):
        cmd = command.__new__(command)
        cmd.compiler = types.SimpleNamespace(compiler_type=kind)
        cmd.build_extension(Extension("_scorer_kernels", ["_scorer_kernels.pyx"]))
    assert seen == [["-ffp-contract=off"], ["-ffp-contract=off"], []]


def test_tfidf_scores_refuses_a_row_count_its_work_arrays_cannot_hold():
    """tfidf_scores sized its work arrays (3 * occurrences + 2 * rows + 2) * 8 bytes in C: a huge row count passed
    through the wrapper wrapped the size to 16 bytes and the row loop wrote far past them (a segmentation fault)."""
    import numpy as np

    empty = np.zeros(0, dtype=np.int64)
    with pytest.raises(MemoryError):
        K.tfidf_scores(empty, empty, [(None, np.ones(2), np.ones((1, 2)))], 2 ** 61, lambda k: np.ones(k + 1, np.float32))


def test_ngram_rows_refuses_keys_that_overflow():
    """ngram_rows trusted its caller that no key overflows int64: codes whose key wrapped negative read the buckets at
    a negative place (a segmentation fault through the wrapper). It refuses a base whose keys do not fit, and codes
    not below the base; the coder's own tables are read as before."""
    import numpy as np

    from scorer.text import kernels as dispatch

    keys = np.arange(8, dtype=np.int64)
    tables = [(keys, keys.copy(), np.arange(9, dtype=np.int64), 1)]
    big = 31 * 10 ** 8  # big * (big + 1) + big > 2 ** 63
    with pytest.raises(ValueError, match="fit in int64"):
        K.ngram_rows(np.array([big, big], dtype=np.int64), np.array([2], dtype=np.int64), 10, big + 1, tables)
    with pytest.raises(ValueError, match="not below the base"):
        K.ngram_rows(np.array([3, 12], dtype=np.int64), np.array([2], dtype=np.int64), 10, 10, tables)
    monkey = dispatch.compiled
    try:
        dispatch.compiled = K
        rows, ids = dispatch.ngram_rows(np.array([0, 5, 1, 2], dtype=np.int64), np.array([4], dtype=np.int64), 6, 6,
                                        tables)
    finally:
        dispatch.compiled = monkey
    assert rows.tolist() == [0, 0, 0, 0, 0] and ids.tolist() == [0, 5, 1, 2, 5]  # unigrams, then key 0 * 6 + 5


def test_phrase_trie_refuses_a_char_outside_the_code_points():
    """PhraseTrie checked its nodes, children and ranges but not its chars: a negative char of the root was written
    at root[char], before the table (memory of the object itself)."""
    with pytest.raises(ValueError, match="code points"):
        K.PhraseTrie([0, 1, 1], [-5], [1], [0, 0, 0], [], [], [])
    trie = K.PhraseTrie([0, 1, 1], [ord("a")], [1], [0, 0, 1], [0], [0], [4])
    assert K.phrase_bits(trie, "xa") == 4 and K.phrase_bits(trie, "xb") == 0


def test_vocab_find_checks_ranges_without_overflow():
    """vocab_find checked `start + length > len(blob)` and the data lengths' sum against the data: huge values wrapped
    the sums below the limits and the unchecked loop read far outside the arrays (a segmentation fault, through the
    wrapper for the data lengths)."""
    import numpy as np

    from scorer.text import kernels as dispatch
    from scorer.text.vocab import Vocabulary

    v = Vocabulary.from_terms(["alpha", "beta"])
    data = np.frombuffer(b"alphabeta", dtype=np.uint8)
    monkey = dispatch.compiled
    try:
        dispatch.compiled = K
        with pytest.raises(ValueError, match="beyond the data"):
            dispatch.vocab_find(v, data, np.array([2 ** 62] * 4, dtype=np.int64))
        assert dispatch.vocab_find(v, data, np.array([5, 4], dtype=np.int64)).tolist() == [0, 1]
    finally:
        dispatch.compiled = monkey
    starts, lengths = np.array([2 ** 63 - 2, 5], dtype=np.int64), np.array([5, 4], dtype=np.int32)
    with pytest.raises(ValueError, match="outside the blob"):
        K.vocab_find(data, starts, lengths, v.hashes, v.rows, None, v.base, data, np.array([5], dtype=np.int64))


def test_ngram_rows_checks_the_lengths_without_overflow():
    """ngram_rows checked that the lengths sum to the number of codes with a sum that huge lengths wrapped (2 ** 63 -
    1 twice, then 4, 'sum' to 2): the loop then read the codes far past their end (a segmentation fault through the
    wrapper)."""
    import numpy as np

    keys = np.arange(8, dtype=np.int64)
    tables = [(keys, keys.copy(), np.arange(9, dtype=np.int64), 1)]
    with pytest.raises(ValueError, match="lengths sum to"):
        K.ngram_rows(np.array([1, 2], dtype=np.int64), np.array([2 ** 63 - 1, 2 ** 63 - 1, 4], dtype=np.int64), 6, 6,
                     tables)
    with pytest.raises(ValueError, match="lengths sum to"):
        K.ngram_rows(np.array([1, 2], dtype=np.int64), np.array([1], dtype=np.int64), 6, 6, tables)


def test_tf_table_does_not_keep_a_huge_count():
    """The compiled word scores' table of sublinear term frequencies grew to the largest count ever asked and stayed:
    one sentence of a word said 2,000,000 times left 8 MB held by the process. A count beyond _TF_KEPT gets a table
    made for the call (the same values: the word scores equal the twin's)."""
    import numpy as np

    from scorer.model import heads

    kept = len(heads._TF)
    table = heads.tf_table(2_000_000)
    assert len(table) > 2_000_000 and len(heads._TF) == kept
    counts = np.array([1, 2, 3, 70_000], dtype=np.float32)
    assert np.array_equal(table[[1, 2, 3, 70_000]], np.log(counts) + np.float32(1))
    rows = np.zeros(70_003, dtype=np.int64)
    ids = np.r_[np.zeros(70_000, dtype=np.int64), [1, 2, 2]]
    head = heads.CompiledHead(np.array([0, 1, -1], dtype=np.int64), np.array([1.5, 2.25]), [],
                              np.array([[0.5, -1.0], [2.0, 0.25]]), np.zeros(2), np.array([0, 1]), None)
    got = K.tfidf_scores(rows, ids, [(head.columns, head.idf, head.coef_words)], 1, heads.tf_table)[0]
    assert np.array_equal(got, head.word_scores_python(rows, ids, 1)) and len(heads._TF) == kept
