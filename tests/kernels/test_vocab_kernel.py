"""The compiled term hashing (`_scorer_kernels.vocab_hashes`) equals its twin `vocab._hash_grouped_python`: on every
vocabulary of the shipped model under every base, on random byte strings of every length up to 300 (and empty
ones), and it refuses ranges outside the blob. Skipped when the kernels are not built, except when
SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import numpy as np
import pytest

from scorer.text import vocab

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()


@pytest.fixture()
def compiled(monkeypatch):
    """`_hash_grouped` through the kernel, even under SCORER_KERNELS=0 (as the other parity tests call it)."""
    monkeypatch.setattr(vocab, "_vocab_hashes", K.vocab_hashes)
    return vocab._hash_grouped


def _vocabularies():
    from scorer.model.store import load_bundle

    bundle = load_bundle()
    found = []
    for part in bundle.values():
        for value in vars(part).values() if hasattr(part, "__dict__") else ():
            for inner in [value, *(vars(value).values() if hasattr(value, "__dict__") else ())]:
                if isinstance(inner, vocab.Vocabulary) and all(inner is not v for v in found):
                    found.append(inner)
    return found


def test_same_hashes_on_the_shipped_vocabularies(compiled):
    vocabularies = _vocabularies()
    assert len(vocabularies) >= 3 and sum(len(v.starts) for v in vocabularies) > 100_000
    for v in vocabularies:
        for base in vocab._BASES:
            assert np.array_equal(compiled(v.blob, v.starts, v.lengths, base),
                                  vocab._hash_grouped_python(v.blob, v.starts, v.lengths, base))


def test_same_hashes_on_random_bytes(compiled):
    rng = np.random.default_rng(11)
    lengths = rng.integers(0, 300, size=2_000)
    lengths[::97] = 0
    blob = rng.integers(0, 256, size=int(lengths.sum()), dtype=np.uint8)
    starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    for base in vocab._BASES:
        assert np.array_equal(compiled(blob, starts, lengths, base),
                              vocab._hash_grouped_python(blob, starts, lengths, base))


@pytest.mark.parametrize("starts, lengths", [([0, 5], [3, 6]), ([-1], [2]), ([0], [-1]), ([0, 1], [1])])
def test_ranges_outside_the_blob_are_refused(starts, lengths):
    blob = np.zeros(10, dtype=np.uint8)
    out = np.empty(len(starts), dtype=np.uint64)
    with pytest.raises(ValueError, match="vocab_hashes"):
        K.vocab_hashes(blob, np.array(starts, dtype=np.int64), np.array(lengths, dtype=np.int64), 3, out)
