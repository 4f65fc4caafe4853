"""Session 14's changes to the heads' kernels keep them equal to their pure-Python twins, bit for bit: `tfidf_scores`
sorts a row's columns by insertion-sorted runs merged without branches and sums a head's classes side by side
(CompiledHead.word_scores_python, on rows of every length around the runs and merges, up to thousands of terms), and
`ngram_rows` finds a bucket by a shift when the step is a power of two, as `NgramCoder._bucketed` now makes it
(NgramCoder._ids_of_codes_python; the same rows with any step). Skipped when the kernels are not built, except when
SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import numpy as np
from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.model import heads
from scorer.model.heads import NgramCoder

K = compiled_module()


class _Head:
    def __init__(self, columns, idf, coef):
        self.columns, self.idf, self.n_words, self.coef_words = columns, idf, len(idf), coef

    word_scores_python = heads.CompiledHead.word_scores_python


def _same_scores(rows, ids, n, head) -> bool:
    fast = K.tfidf_scores(rows.astype(np.int64), ids.astype(np.int64),
                          [(head.columns.astype(np.int32), head.idf, head.coef_words)], n, heads.tf_table)[0]
    return fast.tobytes() == head.word_scores_python(rows, ids, n).tobytes()


def test_tfidf_scores_same_on_rows_of_every_length():
    """Rows of 0 to 70 terms (the insertion sort, the runs of 8, merges of uneven halves), then 300, 1,000 and
    5,000, in random and in reverse order, with repeated terms, for heads of 1 to 7 classes."""
    rng = np.random.default_rng(14)
    sizes = list(range(71)) + [300, 1000, 5000]
    n_words, n_ids = 20_000, 30_000
    columns = rng.integers(-1, n_words, size=n_ids)
    for n_coef in (1, 3, 7):
        head = _Head(columns, rng.uniform(1, 5, size=n_words), rng.normal(size=(n_coef, n_words)))
        rows = np.repeat(np.arange(len(sizes)), sizes)
        ids = rng.integers(0, n_ids, size=len(rows))
        assert _same_scores(rows, ids, len(sizes), head)
        # each row's ids in descending order of their column (the merges' worst case), and drawn from a few ids
        ids = np.concatenate([rng.integers(0, n_ids, size=s)[np.argsort(-columns[rng.integers(0, n_ids, size=s)])]
                              for s in sizes])
        assert _same_scores(rows, ids, len(sizes), head)
        ids = rng.integers(0, 5, size=len(rows))
        assert _same_scores(rows, ids, len(sizes), head)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=5), st.integers(1, 60), st.integers(1, 4), st.integers(0, 2 ** 32 - 1))
def test_tfidf_scores_same_on_fuzzed_rows(sizes, n_words, n_coef, seed):
    """Rows in any order of occurrence (rows interleaved), few or many distinct columns."""
    rng = np.random.default_rng(seed)
    rows = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    ids = rng.integers(0, n_words + 3, size=len(rows))
    head = _Head(rng.integers(-1, n_words, size=n_words + 3), rng.uniform(1, 5, size=n_words),
                 rng.normal(size=(n_coef, n_words)))
    assert _same_scores(rows, ids, len(sizes), head)


def test_bucketed_step_is_a_power_of_two_and_covers_every_key():
    vocabulary = {f"w{k}": k for k in range(50)} | {f"w{k} w{k + 1}": 50 + k for k in range(0, 49, 2)}
    coder = NgramCoder(vocabulary, 2)
    keys, values, buckets, step = coder._bucketed(2)
    assert step & (step - 1) == 0 and (len(buckets) - 1) * step >= coder.base ** 2
    assert buckets[-1] == len(keys) and np.all(np.diff(buckets) >= 0)
    assert all(np.all(keys[buckets[j]:buckets[j + 1]] // step == j) for j in range(len(buckets) - 1))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(-1, 30), max_size=12), max_size=6), st.integers(1, 3),
       st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=3), max_size=60), st.integers(1, 5000))
def test_ngram_rows_same_with_any_step(texts, top, grams, odd_step):
    """The rows and ids of the twin, with the coder's power-of-two steps (a shift) and with any other step (a
    division), the buckets made for that step."""
    vocabulary = {}
    for gram in grams:
        vocabulary.setdefault(" ".join(f"w{c}" for c in gram[:top]), len(vocabulary))
    for k in range(31):
        vocabulary.setdefault(f"w{k}" if k % 3 else f"w{k} w{k}", len(vocabulary))
    coder = NgramCoder(vocabulary, top)
    if coder.exact_loop:
        return
    words = [[f"w{c}" if c >= 0 else "zz" for c in text] for text in texts]
    codes = coder._codes([w for ws in words for w in ws]) if words else np.zeros(0, dtype=np.int64)
    lengths = np.array([len(ws) for ws in words], dtype=np.int64)
    want = coder._ids_of_codes_python(codes, lengths)
    tables = [coder._bucketed(n) for n in range(2, top + 1)]
    odd = []
    for n, (keys, values, _, _) in zip(range(2, top + 1), tables):
        step = odd_step | 1 if odd_step > 2 else odd_step
        count = max(-(-coder.base ** n // step), 1)
        odd.append((keys, values, np.searchsorted(keys, np.arange(count + 1, dtype=np.int64) * step).astype(np.int64),
                    step))
    for table in (tables, odd):
        got = K.ngram_rows(codes, lengths, coder.unigram_ids, coder.base, table)
        assert all(a.dtype == b.dtype and a.tobytes() == b.tobytes() for a, b in zip(got, want))
