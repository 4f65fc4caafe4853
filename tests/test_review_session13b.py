"""Review of session 13's span tagger kernels (`# ---- tagk (session 13) ----` in _scorer_kernels.pyx): faults found
by the independent review, each pinned by a test here. Skipped without the compiled kernels (an error under
SCORER_REQUIRE_KERNELS=1, as tests/kernels does)."""
from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "kernels"))
from compiled_kernels import compiled_module  # noqa: E402  (tests/kernels/compiled_kernels.py)

from scorer.text import kernels  # noqa: E402

K = compiled_module()


def _traced(fn):
    """(fn's result, the bytes still allocated after it that the result holds, the peak bytes during it)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = fn()
        now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, now - before, peak - before


def test_lookup_keeps_no_array_of_the_texts_length():
    """tagger_lookup sized its three arrays by the texts' characters (a token a character at most) and returned views
    of their first n_tok entries: the whole arrays (24 bytes a character) stayed alive with the result through the
    rest of the tagging (`cb3ef4e`'s tagger_tokens returned a copy). A 400,000-character word is one token."""
    word, rows_of = "a" * 400_000, K.WordRows()
    rows_of.add(word, 5)
    out, held, _ = _traced(lambda: kernels.tagger_lookup([word, " " * 400_000], [0, 0], rows_of))
    assert out[2].tolist() == [1, 0] and out[0].tolist() == [0] and out[1].tolist() == [400_000]
    assert out[3].tolist() == [5] and out[4] == []
    assert held < 200_000, f"the result holds {held} bytes for 1 token"
