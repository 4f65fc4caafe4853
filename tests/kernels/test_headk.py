"""The session-15 (headk) kernels and layouts of the heads and the claim head equal their pure-Python twins, bit for
bit: `tfidf_packed` (CompiledHead.word_scores_python, TfidfBlock.scores_python; with and without a `column_order`,
on packed tables and strided columns), `word_codes(..., lower=True)` (the texts lower-cased by str.lower first), the
reshaped `CodeCache` (a dict), on the PolNeAR sentences and on fuzzed input; `column_order` finds the shipped heads'
order and refuses inconsistent ones; each kernel refuses a bad call. The compiled module is called even under
SCORER_KERNELS=0. Skipped when the kernels are not built, except when SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import random

import numpy as np
import pytest
from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

from scorer.model import heads
from scorer.model.heads import (
    CompiledHead,
    column_order,
    packed_table,
    packed_views,
    tf_table,
)

K = compiled_module()


@pytest.fixture(scope="module")
def model():
    from scorer.pipeline import Scorer

    scorer = Scorer()
    return scorer.attribution, scorer.claims


@pytest.fixture(scope="module")
def sentences(polnear_sentences):
    return [s for article in polnear_sentences[:40] for s in article]


def same(a, b) -> bool:
    return len(a) == len(b) and all(x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
                                    for x, y in zip(a, b))


def packed(head_list) -> tuple[list, np.ndarray | None]:
    """The heads as tfidf_packed takes them (their own tables, built here when the kernels are not active), their
    columns side by side as the model packs them, and their column order."""
    columns = np.full((len(head_list[0].columns), 4), -1, dtype=np.int32)
    for k, h in enumerate(head_list):
        columns[:, k] = h.columns
    order = column_order([columns[:, k] for k in range(len(head_list))], len(columns))
    return [(columns[:, k], h.table if h.table is not None else packed_table(h.idf, h.coef_words), len(h.coef_words))
            for k, h in enumerate(head_list)], order


def test_packed_scores_equal_the_twins_on_the_corpus(model, sentences):
    attribution, claim_model = model
    head_list = list(attribution.heads())
    blocks, order = packed(head_list)
    assert order is not None  # the shipped heads' columns are their terms in alphabetical order
    for a in range(0, len(sentences), 500):
        texts = sentences[a:a + 500]
        rows, ids = attribution.tokens.ids(texts)
        twins = [h.word_scores_python(rows, ids, len(texts)) for h in head_list]
        assert same(K.tfidf_packed(rows, ids, blocks, len(texts), tf_table, order), twins)
        assert same(K.tfidf_packed(rows, ids, blocks, len(texts), tf_table), twins)
        assert same(heads.word_scores_many(head_list, rows, ids, len(texts)), twins)
        sources = [f"S_{t.split()[0].lower() if t.split() else ''} C_said T_named M_verb" for t in texts]
        for block, coef, inputs in ((claim_model.words, claim_model.coef_words, texts),
                                    (claim_model.sources, claim_model.coef_sources, sources)):
            # (the twin's bincount gives int64 zeros for a batch without a known term; the sums are the same)
            twin = block.scores_python(inputs, coef).astype(np.float64)
            assert same([block.scores(inputs, coef)], [twin])
            rows, cols = block.lookup.ids(inputs)
            got = K.tfidf_packed(rows.astype(np.int64), cols.astype(np.int64),
                                 [(None, packed_table(block.idf, coef), len(coef))], len(inputs), tf_table)
            assert same(got, [twin])


def test_model_arrays_are_views_of_the_packed_tables(model):
    """With the kernels, a head's idf and word coefficients are views of its packed table (no memory added) and hold
    the values the model file gives (tests/model/test_prefetch.py compares them with a second load)."""
    attribution, claim_model = model
    for h in attribution.heads():
        if h.table is None:
            pytest.skip("kernels not active in the scorer")
        assert np.shares_memory(h.idf, h.table) and np.shares_memory(h.coef_words, h.table)
        assert h.table.ctypes.data % 64 == 0 and h.table.shape[1] in (2, 4, 8)
        assert np.array_equal(h.table[:, 0], h.idf) and np.array_equal(h.table[:, 1:1 + len(h.coef_words)].T,
                                                                       h.coef_words)
        assert h.order is attribution.heads()[0].order
    table = claim_model.words.packed[1]
    assert np.shares_memory(claim_model.coef_words, table) and np.shares_memory(claim_model.words.idf, table)


def fuzz_heads(rng: np.random.Generator, n_ids: int, alphabetical: bool, first_all: bool = False) -> list[CompiledHead]:
    """Three heads over `n_ids` union ids, each on a random subset of them with 1, 3 or 5 classes (`first_all`: the
    first on all of them, as the shipped attributed head nearly is), the columns in one hidden order of the ids (as
    scikit-learn's alphabetical vocabularies) or in random orders."""
    hidden = rng.permutation(n_ids)
    out = []
    for n_coef in (1, 3, 5):
        chosen = np.flatnonzero(rng.random(n_ids) < (1.0 if first_all and n_coef == 1 else 0.7))
        columns = np.full(n_ids, -1, dtype=np.int64)
        chosen = chosen[np.argsort(hidden[chosen])] if alphabetical else rng.permutation(chosen)
        columns[chosen] = np.arange(len(chosen))
        idf = rng.random(len(chosen)) * 5 + 1
        coef = rng.normal(size=(n_coef, len(chosen)))
        out.append(CompiledHead(columns, idf, [], coef, np.zeros(n_coef), np.arange(max(n_coef, 2)), None))
    return out


@pytest.mark.parametrize("alphabetical", [True, False])
def test_packed_scores_equal_the_twins_on_fuzzed_heads(alphabetical):
    rng = np.random.default_rng(15 + alphabetical)
    for trial in range(12):
        n_ids = int(rng.integers(1, 300))
        head_list = fuzz_heads(rng, n_ids, alphabetical, first_all=trial % 2 == 0)
        blocks, order = packed(head_list)
        if alphabetical and trial % 2 == 0:
            assert order is not None
        n = int(rng.integers(0, 40))
        size = int(rng.integers(0, 600))
        rows = np.sort(rng.integers(0, max(n, 1), size)) if n else np.zeros(0, dtype=np.int64)
        ids = rng.integers(0, n_ids, len(rows))
        if trial % 3 == 0 and len(ids):  # a word said many times in one row (counts beyond 1)
            ids[: len(ids) // 2] = ids[0]
        twins = [h.word_scores_python(rows, ids, n) for h in head_list]
        assert same(K.tfidf_packed(rows, ids, blocks, n, tf_table, order), twins)
        assert same(K.tfidf_packed(rows, ids, blocks, n, tf_table), twins)
        # an order in which the columns do not ascend (random ranks): each row falls back on its own sort
        assert same(K.tfidf_packed(rows, ids, blocks, n, tf_table, rng.permutation(n_ids).astype(np.int32)), twins)
        # the ids in a shuffled occurrence order within rows give the same sums (grouped by row, sorted by column)
        shuffle = rng.permutation(len(rows))
        assert same(K.tfidf_packed(rows[shuffle], ids[shuffle], blocks, n, tf_table, order), twins)


def test_packed_scores_with_a_column_used_twice():
    """Columns that are not one-to-one (refused by the model loader, but the kernel may be called with them): the
    ranked path notices and sorts the row's columns as the twin counts them."""
    columns = np.array([0, 1, 0, 2, -1, 1], dtype=np.int64)
    head = CompiledHead(columns, np.array([1.5, 2.0, 0.5]), [], np.array([[0.25, -1.0, 3.0], [1.0, 2.0, -0.5]]),
                        np.zeros(2), np.arange(2), None)
    rows = np.array([0, 0, 0, 1, 1, 1, 1, 2])
    ids = np.array([0, 2, 5, 1, 3, 4, 5, 4])
    table = packed_table(head.idf, head.coef_words)
    twin = [head.word_scores_python(rows, ids, 3)]
    for order in (None, np.arange(6, dtype=np.int32), np.array([0, 0, 1, 1, 2, 2], dtype=np.int32)):
        assert same(K.tfidf_packed(rows, ids, [(columns.astype(np.int32), table, 2)], 3, tf_table, order), twin)


def test_column_order():
    rng = np.random.default_rng(7)
    head_list = fuzz_heads(rng, 500, True, first_all=True)
    cols = [h.columns for h in head_list]
    order = column_order(cols, 500)
    assert order is not None and sorted(order.tolist()) == list(range(500))
    for c in cols:
        ids = np.flatnonzero(c >= 0)
        assert (np.diff(c[ids[np.argsort(order[ids])]]) > 0).all()
    # two heads ordering the same ids in opposite ways: no order
    a = np.arange(10)
    assert column_order([a, a[::-1].copy()], 10) is None
    # not a permutation of 0..n_words-1
    assert column_order([np.array([0, 0, 1])], 3) is None
    assert column_order([np.array([0, 5, 1])], 3) is None
    assert column_order([np.full(4, -1)], 4) is not None


def test_packed_table_layout():
    for n_coef, width in ((0, 2), (1, 2), (2, 4), (3, 4), (4, 8), (7, 8), (8, 16), (17, 24)):
        idf = np.arange(5, dtype=np.float64) + 0.5
        coef = np.arange(5 * n_coef, dtype=np.float64).reshape(n_coef, 5)
        table = packed_table(idf, coef)
        assert table.shape == (5, width) and table.ctypes.data % 64 == 0 and table.flags.c_contiguous
        v_idf, v_coef = packed_views(table, n_coef)
        assert np.array_equal(v_idf, idf) and np.array_equal(v_coef, coef) and (table[:, n_coef + 1:] == 0).all()


def test_packed_scores_refuse_bad_calls():
    head = CompiledHead(np.array([0, 1, -1]), np.array([1.0, 2.0]), [], np.ones((1, 2)), np.zeros(1), np.arange(2),
                        None)
    table = packed_table(head.idf, head.coef_words)
    cols = head.columns.astype(np.int32)
    rows, ids = np.array([0, 0]), np.array([0, 1])
    good = [(cols, table, 1)]
    K.tfidf_packed(rows, ids, good, 1, tf_table)
    with pytest.raises(ValueError):
        K.tfidf_packed(rows, ids[:1], good, 1, tf_table)  # rows and ids differ in length
    with pytest.raises(ValueError):
        K.tfidf_packed(rows, ids, good, 0, tf_table)  # a row beyond n
    with pytest.raises(ValueError):
        K.tfidf_packed(rows, np.array([0, 3]), good, 1, tf_table)  # an id beyond the columns
    with pytest.raises(ValueError):
        K.tfidf_packed(rows, np.array([0, 3]), good, 1, tf_table, np.arange(3, dtype=np.int32))  # beyond the order
    with pytest.raises(ValueError):
        K.tfidf_packed(rows, ids, good, 1, tf_table, np.array([0, -1, 2], dtype=np.int32))  # a negative rank
    with pytest.raises(ValueError):
        K.tfidf_packed(rows, ids, [(np.array([0, 7, -1], dtype=np.int32), table, 1)], 1, tf_table)  # beyond the table
    with pytest.raises(ValueError):
        K.tfidf_packed(rows, ids, [(cols, table, 2)], 1, tf_table)  # a table too narrow for the classes and the idf
    with pytest.raises(ValueError):
        K.tfidf_packed(rows, ids, [(None, table[:1], 1)], 1, tf_table)  # an id beyond the table (ids are columns)
    with pytest.raises(ValueError):
        K.tfidf_packed(rows, ids, good, 1, lambda k: np.zeros(1, dtype=np.float32))  # a short tf table


# -- word_codes with lower=True, CodeCache -------------------------------------------------------------------------


def fuzz_texts(rng: random.Random, count: int) -> list[str]:
    pieces = ["The", "SAID", "İstanbul", "ΣΟΦΙΑ", "Straße", "ǅemal", "don’t", "it's", "“Hi”", "ß", "Ⅻ", "ﬁ", "\u0130",
              "Σ.", "a\u0301b", "\ud800", "x" * 80, "ÀÉÎ", "ÿ", " ", "  ", "\t", "?!:", "'", "’", "12", "_", "q"]
    texts = []
    for _ in range(count):
        parts = [rng.choice(pieces) if rng.random() < 0.6 else chr(rng.randrange(0x20, 0x3000)) for _ in
                 range(rng.randrange(0, 30))]
        texts.append("".join(p if rng.random() < 0.7 else " " + p for p in parts))
    return texts


def check_lower(texts, long_words: bool) -> None:
    for table in (True, False):
        ref_cache, cache = (K.CodeCache(), K.CodeCache()) if table else ({}, {})
        for batch in (texts[:len(texts) // 2], texts[len(texts) // 2:]):
            ref = K.word_codes([str(t).lower() for t in batch], ref_cache, long_words)
            got = K.word_codes(list(batch), cache, long_words, True)
            assert same([ref[0], ref[1], ref[3]], [got[0], got[1], got[3]]) and ref[2] == got[2]
            assert all(type(w) is str for w in got[2])
            new = [(word, k) for k, word in enumerate(dict.fromkeys(got[2]))]  # fill both caches alike
            ref_cache.update(new)
            cache.update(new)


@pytest.mark.parametrize("long_words", [False, True])
def test_word_codes_lower_equals_str_lower(sentences, long_words):
    check_lower(sentences[:1500], long_words)
    check_lower(fuzz_texts(random.Random(21 + long_words), 300), long_words)


def test_word_codes_lower_every_code_point():
    """Every code point that str.lower changes, and every other below U+3000 and a sample beyond (surrogates too),
    in a text with ASCII capitals around it: read as str.lower reads it (the ASCII fold is taken only where it gives
    the same characters)."""
    texts = [f"AB{chr(c)}Cd x{chr(c)}Y {chr(c)}" for c in range(0x110000)
             if c < 0x3000 or c % 101 == 0 or chr(c).lower() != chr(c)]
    check_lower(texts, False)
    check_lower(texts[::5], True)


def test_word_codes_lower_takes_str_subclasses():
    texts = [np.str_("The Minister SAID"), "İİ İ", np.str_("plain")]
    ref = K.word_codes([str(t).lower() for t in texts], {}, False)
    got = K.word_codes(texts, {}, False, True)
    assert same([ref[0], ref[1]], [got[0], got[1]]) and ref[2] == got[2]
    with pytest.raises(TypeError):
        K.word_codes([np.str_("x")], {}, False)  # (without lower, exact str only, as before)
    with pytest.raises(TypeError):
        K.word_codes([b"x"], {}, False, True)


def test_code_cache_equals_a_dict():
    rng = random.Random(5)
    cache, ref = K.CodeCache(), {}
    words = [f"w{rng.randrange(3000)}" * rng.randrange(0, 3) for _ in range(6000)] + ["", "İ", "\ud800", "é" * 70]
    for k, word in enumerate(words):
        code = k if rng.random() < 0.5 else -k
        cache.set(word, code)
        ref[word] = code
        if k % 997 == 0:
            assert cache == ref and len(cache) == len(ref)
    assert [w for w, _ in cache.items()] == list(ref) and dict(cache.items()) == ref
    assert all(cache.get(w) == c and w in cache for w, c in ref.items())
    assert cache.get("absent", -9) == -9 and "absent" not in cache
    cache.clear()
    assert len(cache) == 0 and cache.items() == [] and cache.get("w1") is None
