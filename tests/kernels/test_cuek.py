"""Session 14's changes to the heads' kernels keep them equal to their pure-Python twins, bit for bit: `tfidf_scores`
sorts a row's columns by insertion-sorted runs merged without branches and sums a head's classes side by side
(CompiledHead.word_scores_python, on rows of every length around the runs and merges, up to thousands of terms), and
`ngram_rows` finds a bucket by a shift when the step is a power of two, as `NgramCoder._bucketed` now makes it
(NgramCoder._ids_of_codes_python; the same rows with any step); `PhraseMachine`, the phrase trie run as an
automaton, finds the groups of `cues.phrase_groups` and of the trie's walk (`PhraseTrie`), on the PolNeAR sentences,
fuzzed strings and made-up phrase lists (characters beyond ASCII, phrases inside others, \\b). Skipped when the kernels are not built, except when
SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import re

import numpy as np
import pytest
from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.model import cues, heads
from scorer.model.heads import NgramCoder
from scorer.text import kernels

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
    keys, _, buckets, step = coder._bucketed(2)
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


# -- PhraseMachine ------------------------------------------------------------------------------------------------

def _trie_arrays(alternatives):
    """The arrays `cues._phrase_trie` passes, captured by building it with a recording class."""
    captured = []

    class Recorder:
        def __init__(self, *arrays):
            captured.extend(arrays)

    class Module:
        PhraseTrie = Recorder

    saved, kernels.compiled = kernels.compiled, Module
    try:
        cues._phrase_trie(alternatives)
    finally:
        kernels.compiled = saved
    return captured


@pytest.fixture(scope="module")
def machines():
    saved, kernels.compiled = kernels.compiled, K
    try:
        machine = cues._phrase_trie()  # as cue_rows gets it
    finally:
        kernels.compiled = saved
    return machine, K.PhraseTrie(*_trie_arrays(None))


def _bits(found: set[str]) -> int:
    return sum(1 << cues._PHRASE_GROUPS.index(g) for g in found)


def test_phrase_machine_same_on_polnear(polnear_sentences, machines):
    machine, trie = machines
    assert type(machine) is K.PhraseMachine
    for article in polnear_sentences[::2]:
        for text in article:
            low = text.lower()
            assert K.phrase_bits(machine, low) == K.phrase_bits(trie, low) == _bits(cues.phrase_groups(low)), text


_PHRASES = [p for p in cues._phrase_alternatives() if len(p) < 40][1::3]
_AROUND = ["", " ", "a", "_", "é", "1", ".", "’", "-", "\n", "x ", "Ж", "\u0301", "\ud800", "İ"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PHRASES), st.sampled_from(_AROUND), st.text(max_size=3)), max_size=14))
def test_phrase_machine_same_on_fuzzed_strings(machines, pieces):
    """Phrases beside word characters (the \\b conditions), overlapping, one a prefix or suffix of another, any
    characters (combining marks, a lone surrogate)."""
    machine, trie = machines
    low = "".join(pieces)
    for text in (low, low.lower()):
        assert K.phrase_bits(machine, text) == K.phrase_bits(trie, text) == _bits(cues.phrase_groups(text))


def _regex_bits(alternatives: dict, text: str) -> int:
    """The groups the phrase regex would find, spelled out: at each position the alternative first in order that
    matches there with its \\b conditions, then on from its end."""
    entries = sorted((order, literal, bounded, group) for literal, alts in alternatives.items()
                     for order, bounded, group in alts)
    found, p = 0, 0
    while p < len(text):
        for order, literal, bounded, group in entries:
            end = p + len(literal)
            if text.startswith(literal, p) and not (bounded and ((p and re.match(r"\w", text[p - 1]))
                                                               or (end < len(text) and re.match(r"\w", text[end])))):
                found |= 1 << cues._PHRASE_GROUPS.index(group)
                p = end
                break
        else:
            p += 1
    return found


_LETTERS = "ab é’—ж_1"


@settings(max_examples=120, deadline=None)
@given(st.lists(st.text(_LETTERS, min_size=1, max_size=5), min_size=1, max_size=10),
       st.lists(st.text(_LETTERS + "xc", max_size=25), min_size=1, max_size=4), st.integers(0, 2 ** 32 - 1))
def test_phrase_machine_same_on_made_up_phrases(literals, texts, seed):
    """Any list of phrases (characters beyond ASCII, phrases inside others, several alternatives of one phrase), each
    bounded by \\b or not when it starts and ends with a word character, in any group."""
    rng = np.random.default_rng(seed)
    alternatives: dict = {}
    for order, literal in enumerate(literals + literals[:2]):
        bounded = bool(rng.integers(2)) and bool(re.match(r"\w", literal[0])) and bool(re.match(r"\w", literal[-1]))
        alternatives.setdefault(literal, []).append((order, bounded, cues._PHRASE_GROUPS[int(rng.integers(5))]))
    machine, trie = K.PhraseMachine(*_trie_arrays(alternatives)), K.PhraseTrie(*_trie_arrays(alternatives))
    for text in texts + ["".join(literals), " ".join(literals)]:
        want = _regex_bits(alternatives, text)
        assert K.phrase_bits(machine, text) == K.phrase_bits(trie, text) == want, (alternatives, text)


def test_phrase_machine_refuses_bad_arrays():
    good = {"edges": [0, 1, 1], "chars": [97], "children": [1], "alternatives": [0, 0, 1], "order": [0], "bounded": [0],
            "group": [1]}
    assert K.phrase_bits(K.PhraseMachine(**good), "xa a") == 1
    for change in ({"children": [2]}, {"children": [0]}, {"edges": [0, 2, 2]}, {"alternatives": [0, 0, 2]},
                   {"edges": [0, 1]}, {"order": [0, 1]}, {"chars": [97, 98]}, {"edges": [1, 1, 1]}):
        with pytest.raises(ValueError):
            K.PhraseMachine(**{**good, **change})
    two_parents = {"edges": [0, 2, 3, 3], "chars": [97, 98, 99], "children": [1, 2, 2], "alternatives": [0, 0, 0, 1],
                   "order": [0], "bounded": [0], "group": [1]}
    with pytest.raises(ValueError):  # a node reached twice: not a tree
        K.PhraseMachine(**two_parents)
    shared_and_unreached = {"edges": [0, 2, 2, 2], "chars": [97, 98], "children": [1, 1], "alternatives": [0, 0, 1, 1],
                            "order": [0], "bounded": [0], "group": [1]}
    with pytest.raises(ValueError):  # one node reached twice and one never: as many visits as nodes, still refused
        K.PhraseMachine(**shared_and_unreached)


# -- cue_rows -----------------------------------------------------------------------------------------------------

def _cue_rows(texts, tables: str, any_case: bool) -> np.ndarray:
    lower, case = (cues._PYTHON_BITS, cues._CASE_BITS) if any_case else (cues._LOWER_BITS, cues._CASE_BITS)
    if tables == "WordBits":
        lower, case = K.WordBits(lower), K.WordBits(case)
    out = np.full((len(texts), len(cues.CUE_FEATURES)), np.nan)
    K.cue_rows(list(texts), out, lower, case, cues._CASE_LONGEST, cues._CUE_CALLS,
               *([cues._ANY_CASE_BIT] if any_case else []))
    return out


_MODES = [("WordBits", True), ("WordBits", False), ("dict", True), ("dict", False)]


def test_cue_rows_same_on_polnear(polnear_sentences):
    texts = [s for article in polnear_sentences[1::2] for s in article]
    want = cues.cue_matrix_python(texts).tobytes()
    for tables, any_case in _MODES:
        assert _cue_rows(texts, tables, any_case).tobytes() == want, (tables, any_case)


# what the kernel now reads itself: numbers (\d as Unicode decimal digits, with , and .), years and "May " dates with
# their \b, "according to" and the modal hints, a reporting verb among five words within 60 characters after a
# closing quote; words of the case-sensitive lists in every casing
_PIECES = ["1", "1,000.5", "19", "20", "1999", "2020", "_", "x", "May ", "may ", "May", "٣", "١٩٩٩", "²", "Ⅻ", "..",
           ",", ".", " ", "  ", "\n", "\u00a0", "according to", "ACCORDING TO", "need", "ve to", "has to", "HAS TO",
           "have to", ", ”", '? "', "! ’", ",”", "said", "Said", "SAID", "he", "told", "we", "We", "WE", "I", "i",
           "you", "YOUR", "The", "But", "My", "our", "’s", "-", "—", "“", "”", '"', "a" * 30, "İ", "ǅ", "\u0301",
           "\ud800", "é"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=24), min_size=1,
                max_size=4))
def test_cue_rows_same_on_fuzzed_strings(rows):
    texts = ["".join(pieces) for pieces in rows]
    want = cues.cue_matrix_python(texts).tobytes()
    for tables, any_case in _MODES:
        assert _cue_rows(texts, tables, any_case).tobytes() == want, (tables, any_case, texts)


def test_cue_rows_same_on_long_and_empty_texts():
    """Texts beyond the stack's room (allocated), a verb exactly at the end of the 60 characters after a quote."""
    texts = ["", " ", "a", ("Officials said ‘no’, ” he said in May 1999. " * 40), "w " * 5000,
             ", ” a b c d e said", ", ” a b c d said", "٣" * 300 + " 2001 " + "May ٣"]
    texts += [",” " + "x" * k + " said" for k in range(53, 59)]  # "said" whole, cut, beyond the 60 characters
    assert cues.cue_matrix_python(texts[-6:])[:, 5].tolist() == [1, 1, 1, 0, 0, 0]
    want = cues.cue_matrix_python(texts).tobytes()
    for tables, any_case in _MODES:
        assert _cue_rows(texts, tables, any_case).tobytes() == want


# -- term_word_codes (NgramCoder's start) -------------------------------------------------------------------------

def _coders(vocabulary, top: int = 2, monkeypatch=None):
    """NgramCoder of the vocabulary with the compiled start, and with the numpy one."""
    fast = NgramCoder(vocabulary, top)
    monkeypatch.setattr(heads, "_term_word_codes", None)
    slow = NgramCoder(vocabulary, top)
    monkeypatch.undo()
    return fast, slow


def _same_coders(a: NgramCoder, b: NgramCoder) -> bool:
    same_extra = (a.extra is None and b.extra is None) or (
        a.extra is not None and b.extra is not None and a.extra.terms() == b.extra.terms()
        and np.array_equal(a.extra.id_array(), b.extra.id_array()))
    return (a.base, a.unigram_ids, a.exact_loop) == (b.base, b.unigram_ids, b.exact_loop) and same_extra \
        and a.keys.keys() == b.keys.keys() and all(x.dtype == y.dtype and np.array_equal(x, y)
                                                    for n in a.keys for x, y in zip(a.keys[n], b.keys[n]))


def test_term_word_codes_same_coder_for_the_shipped_model(monkeypatch):
    from scorer.pipeline import Scorer

    scorer = Scorer()
    for vocabulary, top in ((scorer.attribution.tokens.union, 2), (scorer.claims.words.vocabulary, 2)):
        monkeypatch.setattr(kernels, "compiled", K)  # (the compiled start, whatever SCORER_KERNELS says)
        monkeypatch.setattr(heads, "_term_word_codes", K.term_word_codes)
        assert kernels.term_word_codes(vocabulary if isinstance(vocabulary, heads.Vocabulary)
                                       else heads.Vocabulary.from_mapping(vocabulary)) is not None
        assert _same_coders(*_coders(vocabulary, top, monkeypatch))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text("ab é ", max_size=7), min_size=1, max_size=25, unique=True), st.integers(1, 3),
       st.booleans(), st.integers(0, 2 ** 32 - 1))
def test_term_word_codes_same_coder_on_fuzzed_vocabularies(terms, top, shuffle_ids, seed):
    """Terms with one or more spaces, leading, trailing and double spaces, an empty term, words beyond ASCII, words
    that are no term (the numpy path, the same coder), ids in any order."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(len(terms)) if shuffle_ids else np.arange(len(terms))
    vocabulary = dict(zip(terms, ids.tolist()))
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(kernels, "compiled", K)
        mp.setattr(heads, "_term_word_codes", K.term_word_codes)
        fast, slow = _coders(vocabulary, top, mp)
    finally:
        mp.undo()
    assert _same_coders(fast, slow)


def test_term_word_codes_declines_and_refuses(monkeypatch):
    from scorer.text.vocab import Vocabulary

    monkeypatch.setattr(kernels, "compiled", K)

    vocab = Vocabulary.from_terms(["a", "b", "a b", "b a"])
    longer, counts, codes = kernels.term_word_codes(vocab)
    assert longer.tolist() == [2, 3] and counts.tolist() == [2, 2] and codes.tolist() == [0, 1, 1, 0]
    assert kernels.term_word_codes(Vocabulary.from_terms(["a", "a c"])) is None  # "c" is no term
    blob = np.frombuffer(b"a ba", dtype=np.uint8)
    overlapping = Vocabulary(blob, np.array([0, 2, 0]), np.array([1, 1, 3]))  # "a", "b", "a b" over the same bytes
    assert kernels.term_word_codes(overlapping) is None
    args = [np.ascontiguousarray(a) for a in (vocab.blob, vocab.starts, vocab.lengths, vocab.hashes, vocab.rows)]
    with pytest.raises(ValueError):  # a term beyond the blob
        K.term_word_codes(args[0][:3], *args[1:], None, vocab.base)
    with pytest.raises(ValueError):  # a row beyond the terms
        K.term_word_codes(*args[:4], args[4] + 4, None, vocab.base)
    with pytest.raises(ValueError):
        K.term_word_codes(*args[:4], args[4][:2], None, vocab.base)
    with pytest.raises(ValueError):
        K.term_word_codes(*args, np.zeros(2, dtype=np.int64), vocab.base)


# -- the claim head's source block, once per distinct token string -------------------------------------------------

def test_claim_source_scores_once_per_distinct_string():
    from scorer.model.claims import source_tokens
    from scorer.pipeline import Scorer

    model = Scorer().claims
    rows = [(None, None, None, "none", ""), ("Officials", None, "said", "anonymous", "rule"),
            ("John Smith", None, "told", "named", "pronoun resolved"), (None, "the agency", None, "outlet", "quote")]
    rng = np.random.default_rng(3)
    for size in (0, 1, 2, 7, 40):
        tokens = [source_tokens(*rows[k]) for k in rng.integers(0, len(rows), size=size)]
        assert model._source_scores(tokens).tobytes() == model.sources.scores(tokens, model.coef_sources).tobytes()
    distinct = [source_tokens(*row) for row in rows]
    assert model._source_scores(distinct).tobytes() == model.sources.scores(distinct, model.coef_sources).tobytes()


def test_lowered_once_per_batch():
    """The claim head's lookup reuses the heads' lower-cased texts only for the same texts, even when the caller's
    list was changed in between."""
    texts = ["Officials SAID", "İstanbul", "ǅ x"]
    first = heads._lowered(texts)
    assert first == [t.lower() for t in texts] and heads._lowered(list(texts)) is first
    texts[0] = "Other"
    again = heads._lowered(texts)
    assert again == [t.lower() for t in texts] and heads._lowered(texts) is again
    assert heads._lowered(["x"]) == ["x"] and heads._lowered(texts) == [t.lower() for t in texts]
