"""The session-13 kernels of the model inputs, heads and claim head equal their pure-Python twins, bit for bit:
`ngram_rows` (NgramCoder._ids_of_codes_python), `tfidf_scores` (CompiledHead.word_scores_python,
TfidfBlock.scores_python), `PhraseTrie` (cues.phrase_groups), `WordBits` (the word-list dicts cue_rows reads),
`CodeCache` (NgramCoder's dict word -> code, as word_codes reads it), on the PolNeAR sentences and on fuzzed input,
and each refuses a bad call. The compiled module is called even under SCORER_KERNELS=0 (the dispatch is pointed at
it), as the other parity tests do. Skipped when the kernels are not built, except when SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import re

import numpy as np
import pytest
from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.model import claims, cues, heads
from scorer.model.heads import HEADS_TOKEN_PATTERN, LONG_WORDS_PATTERN, NgramCoder
from scorer.text import kernels
from scorer.text.vocab import Vocabulary, encode

K = compiled_module()


@pytest.fixture
def compiled(monkeypatch):
    """The dispatch of scorer.text.kernels pointed at the compiled module (whatever SCORER_KERNELS says)."""
    monkeypatch.setattr(kernels, "compiled", K)


@pytest.fixture(scope="module")
def model():
    from scorer.pipeline import Scorer

    scorer = Scorer()
    return scorer.attribution, scorer.claims


@pytest.fixture(scope="module")
def sentences(polnear_sentences):
    return [s for article in polnear_sentences for s in article]


def batches(sentences: list[str], size: int = 700) -> list[list[str]]:
    return [sentences[a:a + size] for a in range(0, len(sentences), size)]


def coded(coder: NgramCoder, texts: list[str], long_words: bool) -> tuple[np.ndarray, np.ndarray]:
    """The word codes of the texts' tokens and the tokens per text, as `ids_compiled` makes them."""
    codes, lengths, missed, at = K.word_codes([t.lower() for t in texts], coder.cache, long_words)
    if missed:
        codes[at] = coder._resolve(missed)
    return codes, lengths


def same(a, b) -> bool:
    return all(x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes() for x, y in zip(a, b))


# -- ngram_rows ---------------------------------------------------------------------------------------------------

def test_ngram_rows_same_on_polnear(model, sentences, compiled):
    attribution, claim_model = model
    for vocabulary, long_words in ((attribution.tokens.union, False), (claim_model.words.vocabulary, True)):
        coder = NgramCoder(vocabulary, 2)
        for batch in batches(sentences):
            codes, lengths = coded(coder, batch, long_words)
            fast = kernels.ngram_rows(codes, lengths, coder.unigram_ids, coder.base, [coder._bucketed(2)])
            assert same(fast, coder._ids_of_codes_python(codes, lengths))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(-1, 6), max_size=9), max_size=6), st.integers(1, 3),
       st.lists(st.lists(st.integers(0, 6), min_size=1, max_size=3), max_size=40))
def test_ngram_rows_same_on_fuzzed_codes(texts, top, grams):
    """Any codes (unknown words -1, words only in longer terms), any n-gram size, terms of every length."""
    vocabulary = {}
    for gram in grams:
        vocabulary.setdefault(" ".join(f"w{c}" for c in gram[:top]), len(vocabulary))
    for k in range(7):
        vocabulary.setdefault(f"w{k}" if k % 3 else f"w{k} w{k}", len(vocabulary))
    coder = NgramCoder(vocabulary, top)
    if coder.exact_loop:
        return
    words = [[f"w{c}" if c >= 0 else "zz" for c in text] for text in texts]
    codes = coder._codes([w for ws in words for w in ws]) if words else np.zeros(0, dtype=np.int64)
    lengths = np.array([len(ws) for ws in words], dtype=np.int64)
    fast = K.ngram_rows(codes, lengths, coder.unigram_ids, coder.base, [coder._bucketed(n) for n in range(2, top + 1)])
    assert same(fast, coder._ids_of_codes_python(codes, lengths))


def test_ngram_rows_refuses_bad_calls():
    keys = np.array([3, 5, 9], dtype=np.int64)
    table = (keys, np.arange(3, dtype=np.int64), np.array([0, 1, 3], dtype=np.int64), 5)
    codes = np.array([0, 1, 1], dtype=np.int64)
    with pytest.raises(ValueError):
        K.ngram_rows(codes, np.array([4], dtype=np.int64), 10, 4, [table])  # lengths beyond the codes
    with pytest.raises(ValueError):
        K.ngram_rows(codes, np.array([-1, 4], dtype=np.int64), 10, 4, [table])
    with pytest.raises(ValueError):
        K.ngram_rows(codes, np.array([3], dtype=np.int64), 10, 4, [(keys, np.arange(2, dtype=np.int64),
                                                                  table[2], 5)])
    with pytest.raises(ValueError):  # a bucket beyond the keys
        K.ngram_rows(codes, np.array([3], dtype=np.int64), 10, 4, [(keys, table[1], np.array([0, 7]), 5)])
    with pytest.raises(ValueError):  # buckets not ascending
        K.ngram_rows(codes, np.array([3], dtype=np.int64), 10, 4, [(keys, table[1], np.array([2, 1]), 5)])
    with pytest.raises(ValueError):
        K.ngram_rows(codes, np.array([3], dtype=np.int64), 10, 4, [(keys, table[1], table[2], 0)])
    rows, ids = K.ngram_rows(codes, np.array([3], dtype=np.int64), 10, 4, [table])
    assert rows.tolist() == [0, 0, 0, 0] and ids.tolist() == [0, 1, 1, 1]  # the unigrams, then the bigram 1*4+1 = 5


# -- tfidf_scores -------------------------------------------------------------------------------------------------

def test_tfidf_scores_same_on_polnear(model, sentences, compiled):
    attribution, claim_model = model
    head_list = list(attribution.heads())
    for batch in batches(sentences, 900)[::3]:
        rows, ids = attribution.tokens.ids(batch)
        fast = kernels.tfidf_scores(rows, ids, [(h.columns, h.idf, h.coef_words) for h in head_list], len(batch),
                                    heads.tf_table)
        assert same(fast, [h.word_scores_python(rows, ids, len(batch)) for h in head_list])
        tokens = [claims.source_tokens(t[:20] or None, None, "said", "named_source", "name") for t in batch]
        for block, coef, texts in ((claim_model.words, claim_model.coef_words, batch),
                                   (claim_model.sources, claim_model.coef_sources, tokens)):
            rows, cols = block.lookup.ids(texts)
            fast = kernels.tfidf_scores(rows, cols, [(None, block.idf, coef)], len(texts), heads.tf_table)[0]
            assert fast.tobytes() == block.scores_python(texts, coef).tobytes()


def test_tf_table_is_the_twins_log():
    """numpy's float32 log of a count is the same in the table as in the count arrays the twin takes it of."""
    table = heads.tf_table(5000)
    counts = np.arange(1, 5001, dtype=np.int64)
    rng = np.random.default_rng(7)
    for _ in range(20):
        part = rng.choice(counts, size=int(rng.integers(1, 300)))
        assert np.array_equal(np.log(part.astype(np.float32)) + np.float32(1), table[part])


class _Head:
    def __init__(self, columns, idf, coef):
        self.columns, self.idf, self.n_words, self.coef_words = columns, idf, len(idf), coef

    word_scores_python = heads.CompiledHead.word_scores_python


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 6), st.integers(1, 9), st.integers(1, 12), st.integers(1, 3), st.integers(0, 2 ** 32 - 1),
       st.booleans())
def test_tfidf_scores_same_on_fuzzed_occurrences(n, n_words, n_ids, n_coef, seed, repeat):
    """Random occurrences in any row order, ids outside a head (column -1), terms counted up to 300 times (the tf
    table grows), rows with no term, no rows."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(0, 40)) if n else 0
    rows = rng.integers(0, max(n, 1), size=size)
    ids = rng.integers(0, n_ids, size=size)
    if repeat and size:
        rows, ids = np.r_[rows, np.full(300, rows[0])], np.r_[ids, np.full(300, ids[0])]
    columns = rng.integers(-1, n_words, size=n_ids)
    head = _Head(columns, rng.uniform(1, 5, size=n_words), rng.normal(size=(n_coef, n_words)))
    fast = K.tfidf_scores(rows.astype(np.int64), ids.astype(np.int64), [(columns.astype(np.int32), head.idf,
                                                                         head.coef_words)], n,
                          heads.tf_table)[0]
    assert fast.tobytes() == head.word_scores_python(rows, ids, n).tobytes()
    by_column = np.clip(ids, 0, n_words - 1).astype(np.int64)
    fast = K.tfidf_scores(rows.astype(np.int64), by_column, [(None, head.idf, head.coef_words)], n, heads.tf_table)[0]
    identity = _Head(np.arange(n_words), head.idf, head.coef_words)
    assert fast.tobytes() == identity.word_scores_python(rows, by_column, n).tobytes()


def test_tfidf_scores_refuses_bad_calls():
    one = np.array([0], dtype=np.int64)
    idf, coef = np.ones(3), np.ones((2, 3))
    ok = [(np.array([0, 1, 2], dtype=np.int32), idf, coef)]
    assert K.tfidf_scores(one, one, ok, 1, heads.tf_table)[0].shape == (1, 2)
    for rows, ids, head_list, n in (
            (np.array([1], dtype=np.int64), one, ok, 1),  # a row outside [0, n)
            (one, np.array([-1], dtype=np.int64), ok, 1),  # a negative id
            (one, np.array([3], dtype=np.int64), ok, 1),  # an id beyond the columns
            (one, one, [(np.array([5], dtype=np.int32), idf, coef)], 1),  # a column beyond the terms
            (one, np.array([3], dtype=np.int64), [(None, idf, coef)], 1),  # a column beyond the terms
            (one, one, [(None, idf, np.ones((2, 4)))], 1),  # coefficients of another width
            (one, np.zeros(2, dtype=np.int64), ok, 1),  # rows and ids differ in length
            (one, one, ok, -1)):
        with pytest.raises(ValueError):
            K.tfidf_scores(rows, ids, head_list, n, heads.tf_table)
    with pytest.raises(ValueError):  # (the wrapper) a column beyond int32
        kernels.tfidf_scores(one, one, [(np.array([2 ** 40], dtype=np.int64), idf, coef)], 1, heads.tf_table)
    with pytest.raises(ValueError):  # a table too short for the counts
        K.tfidf_scores(np.zeros(2, dtype=np.int64), np.zeros(2, dtype=np.int64), ok, 1,
                       lambda k: np.ones(2, dtype=np.float32))


# -- PhraseTrie, WordBits, cue_rows ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trie():
    saved, kernels.compiled = kernels.compiled, K
    try:
        return cues._phrase_trie()
    finally:
        kernels.compiled = saved


def bits(found: set[str]) -> int:
    return sum(1 << cues._PHRASE_GROUPS.index(g) for g in found)


def test_phrase_trie_same_on_polnear(sentences, trie):
    for text in sentences:
        low = text.lower()
        assert K.phrase_bits(trie, low) == bits(cues.phrase_groups(low)), text


_PHRASES = [p for p in cues._phrase_alternatives() if len(p) < 40][::3]
_AROUND = ["", " ", "a", "_", "é", "1", ".", "’", "-", "\n", "x ", "Ж"]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PHRASES), st.sampled_from(_AROUND), st.text(max_size=3)), max_size=12))
def test_phrase_trie_same_on_fuzzed_strings(trie, pieces):
    """Phrases next to word characters (the \\b conditions), overlapping and prefix of each other, any characters."""
    low = "".join(pieces)
    for text in (low, low.lower()):
        assert K.phrase_bits(trie, text) == bits(cues.phrase_groups(text))


def test_phrase_trie_refuses_bad_arrays():
    good = {"edges": [0, 1, 1], "chars": [97], "children": [1], "alternatives": [0, 0, 1], "order": [0], "bounded": [0], "group": [1]}
    assert K.phrase_bits(K.PhraseTrie(**good), "xa a") == 1
    for change in ({"children": [2]}, {"children": [0]}, {"edges": [0, 2, 2]}, {"alternatives": [0, 0, 2]},
                   {"edges": [0, 1]}, {"order": [0, 1]}, {"chars": [97, 98]}, {"edges": [1, 1, 1]}):
        with pytest.raises(ValueError):
            K.PhraseTrie(**{**good, **change})


def test_word_bits_are_the_dicts():
    for table in (cues._LOWER_BITS, cues._CASE_BITS, {"": 3, "a’b": 1, "\U0001f600": 2, "ß": 4}):
        words = K.WordBits(table)
        assert all(words[w] == b for w, b in table.items())
        assert all(words[w] == 0 for w in ("", "zz", "Said", "said ", "sai", "i", "\u0130") if w not in table)
    with pytest.raises(TypeError):
        K.WordBits({1: 2})


def cue_tables() -> tuple:
    return K.WordBits(cues._LOWER_BITS), K.WordBits(cues._CASE_BITS)


def test_cue_rows_with_tables_same_on_polnear(sentences, trie):
    lower, case = cue_tables()
    calls = (trie, *cues._CUE_CALLS[1:])
    for batch in batches(sentences, 2000)[::2]:
        out = np.full((len(batch), len(cues.CUE_FEATURES)), np.nan)
        K.cue_rows(batch, out, lower, case, cues._CASE_LONGEST, calls)
        assert out.tobytes() == cues.cue_matrix_python(batch).tobytes()


_CUE_PIECES = sorted(cues._LOWER_BITS)[::7] + sorted(cues._CASE_BITS) + [
    "“", "”", '"', "’", "‘", "'", ",", "?", "!", "—", "―", "–", "-", " ", "  ", "\n", "May 5", "1999", "٣", "İ", "ǅ",
    "said", ", ” he said", "?” she added", "need to", "has to", "ve to", "according to", "officials said", "A"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(_CUE_PIECES), st.text(max_size=3)), max_size=14).map(" ".join),
                min_size=1, max_size=4))
def test_cue_rows_with_tables_same_on_fuzzed_strings(trie, texts):
    lower, case = cue_tables()
    out = np.full((len(texts), len(cues.CUE_FEATURES)), np.nan)
    K.cue_rows(texts, out, lower, case, cues._CASE_LONGEST, (trie, *cues._CUE_CALLS[1:]))
    assert out.tobytes() == cues.cue_matrix_python(texts).tobytes()


def test_cue_rows_refuses_mixed_tables():
    out = np.zeros((1, len(cues.CUE_FEATURES)))
    with pytest.raises(TypeError):
        K.cue_rows(["a"], out, K.WordBits(cues._LOWER_BITS), cues._CASE_BITS, cues._CASE_LONGEST, cues._CUE_CALLS)
    with pytest.raises(TypeError):
        K.cue_rows(["a"], out, [], [], cues._CASE_LONGEST, cues._CUE_CALLS)


# -- CodeCache and word_codes -------------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["set", "clear", "get"]), st.text(max_size=4), st.integers(-3, 10 ** 12)),
                max_size=400))
def test_code_cache_is_a_dict(operations):
    """Any words (empty, lone surrogates, astral), overwritten, cleared, past the table's growth."""
    ref, cache = {}, K.CodeCache()
    for k, (op, word, code) in enumerate(operations):
        word = word + str(k % 97) if op == "set" and k % 2 else word
        if op == "set":
            ref[word] = code
            cache.update([(word, code)])
        elif op == "clear":
            ref.clear()
            cache.clear()
        assert cache.get(word, -7) == ref.get(word, -7) and (word in cache) == (word in ref)
    assert len(cache) == len(ref) and cache == ref and dict(cache.items()) == ref
    import pickle

    assert pickle.loads(pickle.dumps(cache)) == ref
    words = list(ref) + ["", "\ud800", "never seen"]
    assert cache.codes_of(words).tolist() == [ref.get(w, -2) for w in words]
    for word in words:
        if word not in ref:
            with pytest.raises(KeyError):
                cache[word]
        else:
            assert cache[word] == ref[word]


def test_word_codes_with_a_code_cache_same_as_with_a_dict(sentences):
    for long_words, pattern in ((False, re.compile(HEADS_TOKEN_PATTERN)), (True, re.compile(LONG_WORDS_PATTERN))):
        low = [t.lower() for t in sentences[:3000]]
        words = sorted({w for t in low[::3] for w in pattern.findall(t)})
        table = {w: k - 1 for k, w in enumerate(words)}
        cache = K.CodeCache()
        cache.update(table.items())
        a, b = K.word_codes(low, table, long_words), K.word_codes(low, cache, long_words)
        assert same(a[:2], b[:2]) and a[2] == b[2] and same(a[3:], b[3:])
    with pytest.raises(TypeError):
        K.word_codes(["a"], [], False)
    with pytest.raises(TypeError):
        K.CodeCache().codes_of([1])


# -- vocab_find ---------------------------------------------------------------------------------------------------

def test_vocab_find_same_on_polnear_words(model, sentences, compiled):
    attribution, claim_model = model
    words = sorted({w for t in sentences[::4] for w in t.lower().split()})
    for vocabulary in (attribution.tokens.union, claim_model.words.vocabulary, Vocabulary.from_terms(
            words[::3], values=np.arange(len(words[::3]), dtype=np.int64) * 7 + 5)):
        data, lengths = encode(words)
        assert np.array_equal(kernels.vocab_find(vocabulary, data, lengths), vocabulary._find_python(data, lengths))
        assert (kernels.vocab_find(vocabulary, data, lengths) >= 0).any()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=5), max_size=30, unique=True), st.lists(st.text(max_size=5), max_size=30))
def test_vocab_find_same_on_fuzzed_strings(terms, probes):
    vocabulary = Vocabulary.from_terms(terms)
    data, lengths = encode(probes + terms)
    saved, kernels.compiled = kernels.compiled, K
    try:
        fast = kernels.vocab_find(vocabulary, data, lengths)
    finally:
        kernels.compiled = saved
    assert np.array_equal(fast, vocabulary._find_python(data, lengths))


def test_vocab_find_refuses_bad_calls():
    v = Vocabulary.from_terms(["ab", "c"])
    args = [v.blob, v.starts, v.lengths, v.hashes, v.rows, None, v.base]
    data = np.frombuffer(b"abc", dtype=np.uint8)
    assert K.vocab_find(*args, data, np.array([2, 1], dtype=np.int64)).tolist() == [0, 1]
    with pytest.raises(ValueError):  # lengths beyond the data
        K.vocab_find(*args, data, np.array([2, 2], dtype=np.int64))
    with pytest.raises(ValueError):
        K.vocab_find(*args, data, np.array([-1], dtype=np.int64))
    with pytest.raises(ValueError):  # a term outside the blob
        K.vocab_find(v.blob, v.starts + 5, *args[2:], data, np.array([1], dtype=np.int64))
    with pytest.raises(ValueError):  # a row outside the terms
        K.vocab_find(*args[:4], v.rows + 2, None, v.base, data, np.array([1], dtype=np.int64))
    with pytest.raises(ValueError):  # values that do not fit the terms
        K.vocab_find(*args[:5], np.zeros(1, dtype=np.int64), v.base, data, np.array([1], dtype=np.int64))


# -- quote_states -------------------------------------------------------------------------------------------------

def compiled_quote_states(prev, texts, nxt):
    out = np.full((len(texts), 4), np.nan)
    assert K.quote_states(prev, texts, nxt, out)
    return out


def test_quote_states_same_on_polnear(polnear_sentences):
    rows = [(a[i - 1] if i else "", a[i], a[i + 1] if i + 1 < len(a) else "") for a in polnear_sentences
            for i in range(len(a))]
    prev, texts, nxt = map(list, zip(*rows))
    assert compiled_quote_states(prev, texts, nxt).tobytes() == cues.quote_states_python(prev, texts, nxt).tobytes()


_QUOTE_PIECES = ["“", "”", '"', "‘", "’", "'", "«", "»", "a", " ", "x y", ".", "\n", "\ud800", "é"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(*[st.lists(st.sampled_from(_QUOTE_PIECES), max_size=6).map("".join)] * 3), max_size=8))
def test_quote_states_same_on_fuzzed_strings(rows):
    prev, texts, nxt = (list(column) for column in zip(*rows)) if rows else ([], [], [])
    assert compiled_quote_states(prev, texts, nxt).tobytes() == cues.quote_states_python(prev, texts, nxt).tobytes()


def test_quote_states_leaves_other_values_to_the_twin_and_refuses_bad_shapes():
    assert not K.quote_states(["a"], [None], ["b"], np.zeros((1, 4)))
    with pytest.raises(ValueError):
        K.quote_states(["a"], ["b"], ["c"], np.zeros((2, 4)))
    with pytest.raises(ValueError):
        K.quote_states(["a"], ["b", "c"], ["c"], np.zeros((2, 4)))
