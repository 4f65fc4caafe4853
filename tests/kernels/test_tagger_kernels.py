"""The span tagger's compiled kernels (`# ---- span tagger ----` in _scorer_kernels.pyx) against their pure-Python
twins in scorer/attribution/tagger.py: the same emissions bit for bit, so the same tags, confidences and spans, on the
PolNeAR dev texts and a quarter of train, on fuzzed text with random weights and on random tables; and their entry
points refuse arguments that do not fit. Skipped without the compiled kernels, except under SCORER_REQUIRE_KERNELS=1.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import kernels
from scorer.text.segment import Sentence, split_article

from compiled_kernels import both, compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()


@pytest.fixture(autouse=True)
def compiled_kernels(monkeypatch):
    """The dispatch points at the compiled module even under SCORER_KERNELS=0: these tests call both."""
    monkeypatch.setattr(kernels, "compiled", K)



def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


@pytest.fixture(scope="module")
def polnear_articles(shared_data):
    root = shared_data / "polnear" / "data"
    paths = sorted((root / "dev" / "text").glob("*.txt")) + sorted((root / "train" / "text").glob("*.txt"))[::4]
    return [(t, split_article(t)[0]) for t in (p.read_text(encoding="utf-8") for p in paths)]


def test_tagger_same_on_polnear(polnear_articles, monkeypatch):
    from scorer.model.store import load_bundle

    tagger = load_bundle()["spans"]
    sources = 0
    for b in range(0, len(polnear_articles), 32):
        batch = polnear_articles[b:b + 32]
        tokens = T.batch_tokens(batch)
        fast, slow = both(monkeypatch, lambda: tagger.emissions(tokens))
        assert same(fast, slow)
        fast, slow = both(monkeypatch, lambda: tagger.spans_many(batch))
        assert fast == slow
        sources += sum(len(s["SOURCE"]) for article in slow for s in article)
    assert sources > 1000


_WORDS = ("said", "he", "U.S.", "officials", "“", "”", '"', ",", ".", "Trump", "according", "to", "a", "the", "x")


@pytest.mark.parametrize("seed", range(4))
def test_emissions_same_on_fuzzed_sentences_with_random_weights(seed, monkeypatch):
    """Random weights (small integers half the time: many equal sums) over the features of random words, in
    sentences of every length from none to long; unknown features and a word cache that fills up on the way."""
    rng = random.Random(seed)
    text_parts = [rng.choice(_WORDS) if rng.random() < 0.7 else chr(rng.randrange(0x21, 0x3000))
                  for _ in range(600)]
    text = " ".join(text_parts)
    cuts = sorted(rng.sample(range(len(text) + 1), 40))
    articles = [(text, [Sentence(a, b, text[a:b]) for a, b in zip(cuts[::2], cuts[1::2])] + [Sentence(0, 0, "")])]
    tokens = T.batch_tokens(articles)
    names = sorted({a for sent in T.crf_items(tokens) for attrs in sent for a in attrs})
    nrng = np.random.default_rng(seed)
    names = [n for n in names if nrng.random() < 0.8]
    shape = (len(names), len(T.TAGS))
    weights = nrng.integers(-2, 3, size=shape).astype(float) if seed % 2 else nrng.normal(size=shape) * 1e3
    tagger = T.SpanTagger(names, weights, nrng.normal(size=(7, 7)), source_threshold=0.5)
    tagger._words.limit = 50  # emptied and refilled between calls
    for _ in range(2):
        fast, slow = both(monkeypatch, lambda: tagger.emissions(tokens))
        assert same(fast, slow)
        fast, slow = both(monkeypatch, lambda: tagger.spans_many(articles))
        assert fast == slow


def test_emissions_kernel_same_as_twin_on_random_tables(monkeypatch):
    """Any number of tags and offsets (an odd count), any rows and codes: the kernel's sums are the twin's."""
    rng = np.random.default_rng(9)
    for trial in range(100):
        n_tags = int(rng.integers(1, 9))
        lengths = rng.integers(0, 9, size=int(rng.integers(0, 12)))
        n_tok = int(lengths.sum())
        table = rng.normal(size=(int(rng.integers(1, 30)), 7, n_tags)) * 10.0 ** int(rng.integers(-3, 4))
        joint = rng.normal(size=(int(rng.integers(1, 20)), n_tags))
        rows = rng.integers(0, len(table), size=n_tok)
        codes = rng.integers(0, len(joint), size=(n_tok, len(T._JOINT)))
        bias = rng.normal(size=n_tags)
        fast = kernels.tagger_emissions(rows, lengths, table, bias, joint, codes)
        # the twin: the same rows in the tagger's numpy code
        tagger = T.SpanTagger.__new__(T.SpanTagger)
        tagger.weights, tagger.bias, tagger.joint = np.zeros((1, n_tags)), bias, joint
        tagger._words = type("W", (), {"table": table, "rows": staticmethod(lambda words: rows)})()
        tagger._joint_codes = lambda tokens: codes
        tokens = T.Tokens(["w"] * n_tok, None, None, lengths.tolist(), None)
        monkeypatch.setattr(kernels, "ACTIVE", False)
        slow = tagger.emissions(tokens, chunk=int(rng.integers(1, 50)))
        assert same(fast, slow), trial


@pytest.mark.parametrize("change", ["row past the table", "negative row", "code past joint", "lengths too long",
                                    "lengths too short", "negative length", "tags differ", "even offsets"])
def test_emissions_kernel_refuses_arguments_that_do_not_fit(change):
    rows, lengths = np.array([0, 1, 2]), np.array([2, 1])
    table, bias, joint = np.zeros((3, 7, 7)), np.zeros(7), np.zeros((4, 7))
    codes = np.zeros((3, 4), dtype=np.int64)
    if change == "row past the table":
        rows = np.array([0, 1, 3])
    elif change == "negative row":
        rows = np.array([0, -1, 2])
    elif change == "code past joint":
        codes[2, 3] = 4
    elif change == "lengths too long":
        lengths = np.array([2, 50_000_000])
    elif change == "lengths too short":
        lengths = np.array([1, 1])
    elif change == "negative length":
        lengths = np.array([4, -1])
    elif change == "tags differ":
        joint = np.zeros((4, 6))
    else:
        table = np.zeros((3, 6, 7))
    with pytest.raises(ValueError, match="tagger_emissions"):
        kernels.tagger_emissions(rows, lengths, table, bias, joint, codes)
    assert kernels.tagger_emissions([0, 1, 2], [2, 1], np.zeros((3, 7, 7)), np.zeros(7), np.zeros((4, 7)),
                                    np.zeros((3, 4), dtype=np.int64)).shape == (3, 7)


# --------------------------------------------------------------------------------------------------------------------
# tokens

_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_PIECES = ("said", "U.S.", "e.g.", "U.S", "Mr.", "don’t", "30-year-old", "a&b", "x_y", "__", "’", "'", "-", "&",
           "“", "”", '"', ",", ".", "..", "A.b.C.", "a.1.", "a.é.", "é", "ǅ", "٣", "½", "x\u0301", "\u0301",
           "\ud800", "\U0001F600", "Ⅻ", "ß", "İ", "a-", "-a", "a'", "a.", ".a.", "A.B", "a--b", "a-’b", "a.b.c")


def _random_text(rng: random.Random, n: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < n:
        r = rng.random()
        if r < 0.5:
            parts.append(rng.choice(_PIECES))
        elif r < 0.7:
            parts.append(rng.choice(_SPACES))
        elif r < 0.85:
            parts.append(chr(rng.randrange(0x21, 0x250)))
        else:
            parts.append(chr(rng.randrange(0x250, 0x110000)))
    return "".join(parts)


def _check_tokens(texts, bases):
    fast = kernels.tagger_tokens(texts, bases)
    slow = T._tokenise(texts, bases)
    assert fast[0] == slow[0]
    assert same(fast[1], slow[1]) and same(fast[2], slow[2])
    # and both are TOKEN.finditer's
    assert fast[0] == [m.group() for t in texts for m in T.TOKEN.finditer(t)]


def test_tokens_same_on_polnear(polnear_articles):
    for b in range(0, len(polnear_articles), 32):
        sents = [s for _, ss in polnear_articles[b:b + 32] for s in ss]
        _check_tokens([s.text for s in sents], [s.start for s in sents])


@pytest.mark.parametrize("seed", range(6))
def test_tokens_same_on_fuzzed_text(seed):
    rng = random.Random(seed)
    texts = [_random_text(rng, rng.randrange(0, 200)) for _ in range(80)] + ["", " ", "a", "\ud800", "U.S.A."]
    bases = [rng.randrange(0, 10 ** 6) for _ in texts]
    _check_tokens(texts, bases)
    _check_tokens([], [])


def test_tokens_kernel_refuses_lists_that_do_not_fit():
    with pytest.raises(ValueError, match="tagger_tokens"):
        kernels.tagger_tokens(["a b", "c"], [0])
    with pytest.raises(TypeError):
        kernels.tagger_tokens([b"a b"], [0])


# --------------------------------------------------------------------------------------------------------------------
# token codes

def _check_batch_tokens(monkeypatch, articles):
    fast, slow = both(monkeypatch, lambda: T.batch_tokens(articles))
    assert fast.words == slow.words and fast.lengths == slow.lengths
    assert same(fast.starts, slow.starts) and same(fast.ends, slow.ends)
    assert list(fast.codes) == list(slow.codes) == list(T.GROUPS)
    for g in T.GROUPS:
        assert same(fast.codes[g], slow.codes[g]), g


def test_token_codes_same_on_polnear(polnear_articles, monkeypatch):
    for b in range(0, len(polnear_articles), 32):
        _check_batch_tokens(monkeypatch, polnear_articles[b:b + 32])


_CODE_WORDS = ("said", "told", "according", "Mr", "Trump", "The", "U.S.", ",", "“", "”", '"', "x", "he", "\n")


@pytest.mark.parametrize("seed", range(6))
def test_token_codes_same_on_fuzzed_articles(seed, monkeypatch):
    """Runs of capitalised words, reporting words, commas and quote marks of all kinds in every arrangement,
    sentences of every length (none to long), quotations left open across sentences and articles."""
    rng = random.Random(seed)
    articles = []
    for _ in range(30):
        text = " ".join(rng.choice(_CODE_WORDS) for _ in range(rng.randrange(0, 80)))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randrange(0, 14))))
        articles.append((text, [Sentence(a, b, text[a:b]) for a, b in zip(cuts[::2], cuts[1::2])]))
    _check_batch_tokens(monkeypatch, articles)
    _check_batch_tokens(monkeypatch, articles[:1])
    _check_batch_tokens(monkeypatch, [])


def test_codes_kernel_refuses_arguments_that_do_not_fit():
    props, state = np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64)
    for lengths, st in (([2, 2], state), ([3], state[:2]), ([4, -1], state)):
        with pytest.raises(ValueError, match="tagger_codes"):
            kernels.tagger_codes(props, lengths, st, T._POS_BUCKET, T._RPOS_BUCKET, T._DIST_BUCKET)
    with pytest.raises(ValueError, match="tagger_codes"):
        kernels.tagger_codes(props, [3], state, T._POS_BUCKET, [], T._DIST_BUCKET)
    assert kernels.tagger_codes(props, [3], state, T._POS_BUCKET, T._RPOS_BUCKET, T._DIST_BUCKET).shape == (10, 3)
