"""Faults found by the independent review of session 16's fixed16 changes (punkt_spans' closing-mark ends, batch
workers' n-gram coders built at their first batch, `vocab._same_bytes`): each test failed before its fix."""
from __future__ import annotations

import pytest

from scorer.model import heads


def _code_caches() -> dict:
    """The word caches a coder can have: the dict, and the compiled CodeCache when the kernels are built."""
    try:
        import _scorer_kernels as K
    except ImportError:
        K = None
    return {"dict": None, **({"CodeCache": K.CodeCache} if hasattr(K, "CodeCache") else {})}


@pytest.mark.parametrize("table", list(_code_caches()))
def test_one_batch_of_many_new_words_does_not_overfill_the_word_cache(monkeypatch, table):
    """`NgramCoder._resolve` emptied the word cache when the new words would not fit, then kept ALL of them: a batch
    with more than CACHE_WORDS distinct new words left the cache that much larger, and the CodeCache's buffers (4
    bytes a character, never given back by `clear`) stayed that large for the worker's life. A batch worker now builds
    its coder at its first batch (fixed16), so a single hostile sentence did it: one ~10 MB sentence of 150,000
    distinct 64-character words left 150,000 words cached and ~61 MB more RSS after the next, ordinary batch
    (kernels). The cache now keeps at most CACHE_WORDS words; the codes are the same."""
    monkeypatch.setattr(heads, "CACHE_WORDS", 100)
    monkeypatch.setattr(heads, "_CodeCache", _code_caches()[table])
    vocabulary = {"alpha": 0, "beta": 1, "alpha beta": 2, "gamma delta": 3}
    coder = heads.NgramCoder(vocabulary, 2)
    assert type(coder.cache).__name__ == table
    words = [f"w{k:05d}" for k in range(1000)] + ["alpha", "beta", "delta", "w00001"]
    codes = coder._resolve(words)
    assert len(coder.cache) <= 100
    expected = [-1] * 1000 + [0, 1, codes[1002], -1]
    assert codes[1002] >= 4  # ("delta": a word only in a longer term, coded after the ids)
    assert codes.tolist() == expected
    assert coder._codes(words).tolist() == expected  # (the cached ones and the others alike)
    assert len(coder.cache) <= 100
