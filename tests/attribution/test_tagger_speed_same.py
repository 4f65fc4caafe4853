"""The span tagger's faster scoring path gives exactly what the code it replaced gave: the tokens, their codes, the
emissions, the tags, the source confidences and the spans, bit for bit, on PolNeAR dev and a third of train and on
fuzzed strings. The replaced code is frozen here (`_reference_*`) as it was before issue #21's tagger work."""
from __future__ import annotations

import random
import re

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import kernels
from scorer.text.segment import Sentence, split_article

# --------------------------------------------------------------------------------------------------------------------
# the replaced code, frozen


def _reference_tokens(texts: list[str], bases: list[int]) -> tuple[list[str], np.ndarray, list[int]]:
    """words, article starts and tokens per text as batch_tokens found them: TOKEN.finditer on each text."""
    words, starts, lengths, base_of = [], [], [], []
    for text, base in zip(texts, bases):
        found = list(T.TOKEN.finditer(text))
        words += [m.group() for m in found]
        starts += [m.start() + base for m in found]
        lengths.append(len(found))
    return words, np.array(starts, dtype=np.int64), lengths


def _reference_by_length(emissions, lengths, bucket, decode, out):
    lengths_a = np.array(lengths, dtype=np.int64)
    starts = np.r_[0, np.cumsum(lengths_a)[:-1]].astype(np.int64) if len(lengths_a) else lengths_a
    order = np.argsort(lengths_a, kind="stable")
    order = order[lengths_a[order] > 0]
    for b in range(0, len(order), bucket):
        chosen = order[b:b + bucket]  # in increasing length
        chosen_len = lengths_a[chosen]
        rows = starts[chosen][:, None] + np.arange(int(chosen_len[-1]))[None, :]
        valid = np.arange(rows.shape[1])[None, :] < chosen_len[:, None]
        rows = np.where(valid, rows, 0)
        out[rows[valid]] = decode(emissions[rows], chosen_len)[valid]
    return out


def _reference_emissions(tagger, tokens):
    n_tok = len(tokens.words)
    rows = tagger._words.rows(tokens.words)
    lengths = np.array(tokens.lengths, dtype=np.int64)
    index = np.arange(n_tok) - np.repeat(np.cumsum(lengths) - lengths, lengths)  # position in the sentence
    after = np.repeat(lengths, lengths) - 1 - index  # tokens after it in the sentence
    reach = max(T.OFFSETS)
    padded = np.r_[np.zeros(reach, dtype=np.int64), rows, np.zeros(reach, dtype=np.int64)]
    cells = np.empty((n_tok, len(T.OFFSETS)), dtype=np.int64)
    for k, off in enumerate(T.OFFSETS):
        inside = index >= -off if off < 0 else after >= off
        cells[:, k] = np.where(inside, padded[reach + off:reach + off + n_tok], 0) * len(T.OFFSETS) + k
    flat = tagger._words.table.reshape(-1, tagger.weights.shape[1])
    out = tagger.bias + flat[cells[:, 0]]
    for k in range(1, len(T.OFFSETS)):
        out += flat[cells[:, k]]
    codes = np.empty((n_tok, len(T._JOINT)), dtype=np.int64)
    for k, names in enumerate(T._JOINT):
        code = tokens.codes[names[0]]
        for g in names[1:]:
            code = code * T.GROUPS[g] + tokens.codes[g]
        codes[:, k] = code + tagger.joint_base[k]
    for k in range(len(T._JOINT)):
        out += tagger.joint[codes[:, k]]
    return out


def _reference_viterbi(transitions, emissions, lengths, bucket=256):
    def decode(pad, lengths):
        n_sent, width, n_tags = pad.shape
        deltas = np.empty((n_sent, width, n_tags))
        deltas[:, 0] = pad[:, 0]
        delta = deltas[:, 0]
        trans = transitions[None]
        first_live = np.searchsorted(lengths, np.arange(width), side="right")
        for t in range(1, width):
            k = first_live[t]
            delta = (delta[-(n_sent - k):, :, None] + trans).max(axis=1) + pad[k:, t] if k < n_sent else delta[:0]
            deltas[k:, t] = delta
        tags = np.zeros((n_sent, width), dtype=np.int64)
        last = np.maximum(lengths - 1, 0)
        current = deltas[np.arange(n_sent), last].argmax(axis=1)
        for t in range(width - 1, -1, -1):
            k = first_live[t]
            tags[k:, t] = current[k:]
            if t:
                current[k:] = (deltas[k:, t - 1] + transitions[:, current[k:]].T).argmax(axis=1)
        return tags
    return _reference_by_length(emissions, lengths, bucket, decode, np.zeros(len(emissions), dtype=np.int64))


def _reference_marginals(transitions, emissions, lengths, bucket=256):
    trans = np.exp(transitions - transitions.max())

    def decode(pad, lengths):
        n_sent, width, n_tags = pad.shape
        e = np.exp(pad - pad.max(axis=2, keepdims=True))
        alpha = np.zeros_like(e)
        beta = np.ones_like(e)
        first_live = np.searchsorted(lengths, np.arange(width), side="right")
        every = max(1, int(300 // max(1.0, -2 * np.log(max(trans.min(), 1e-300)))))
        alpha[:, 0] = e[:, 0]
        for t in range(1, width):
            k = first_live[t]
            a = (alpha[k:, t - 1] @ trans) * e[k:, t]
            alpha[k:, t] = a / a.sum(axis=1, keepdims=True) if t % every == 0 else a
        for t in range(width - 2, -1, -1):
            k = first_live[t + 1]
            b_ = (e[k:, t + 1] * beta[k:, t + 1]) @ trans.T
            beta[k:, t] = b_ / b_.sum(axis=1, keepdims=True) if t % every == 0 else b_
        m = alpha * beta
        return m / np.maximum(m.sum(axis=2, keepdims=True), 1e-300)
    return _reference_by_length(emissions, lengths, bucket, decode, np.zeros(emissions.shape))


# --------------------------------------------------------------------------------------------------------------------
# corpus and fuzzed texts

@pytest.fixture(scope="module")
def polnear_articles(polnear_texts):
    """(text, sentences) of the PolNeAR dev texts and a third of train's (the shared `polnear_texts`)."""
    return [(t, split_article(t)[0]) for t in polnear_texts]


# white space of every kind the regex engine and str.split know, quotes, separators, surrogates, combining marks
_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_PIECES = ("said", "U.S.", "e.g.", "U.S", "Mr.", "don’t", "30-year-old", "a&b", "x_y", "__", "’", "'", "-", "&",
           "“", "”", '"', ",", ".", "..", "A.b.C.", "é", "ǅ", "٣", "½", "x\u0301", "\u0301", "\ud800", "\U0001F600",
           "Ⅻ", "ß", "İ", "a-", "-a", "a'", "a.", ".a.", "A.B")


def random_text(rng: random.Random, n: int) -> str:
    parts = []
    while sum(map(len, parts)) < n:
        r = rng.random()
        if r < 0.45:
            parts.append(rng.choice(_PIECES))
        elif r < 0.7:
            parts.append(rng.choice(_SPACES) * rng.randrange(1, 3))
        elif r < 0.85:
            parts.append(chr(rng.randrange(0x21, 0x250)))
        else:
            parts.append(chr(rng.randrange(0x250, 0x110000)))
    return "".join(parts)


def fuzzed_articles(seed: int, n: int) -> list[tuple[str, list[Sentence]]]:
    """Articles of fuzzed text cut into "sentences" anywhere (white space at the ends, empty ones), as objects with
    start and text."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = random_text(rng, rng.randrange(0, 300))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randrange(0, 10))))
        out.append((text, [Sentence(a, b, text[a:b]) for a, b in zip(cuts[::2], cuts[1::2])]))
    return out


def check_tokens(articles) -> None:
    texts = [s.text for _, sents in articles for s in sents]
    bases = [s.start for _, sents in articles for s in sents]
    words, starts, lengths = _reference_tokens(texts, bases)
    tokens = T.batch_tokens(articles)
    assert tokens.words == words and tokens.lengths == lengths
    assert tokens.starts.dtype == np.int64 and np.array_equal(tokens.starts, starts)
    assert np.array_equal(tokens.ends, starts + np.array([len(w) for w in words], dtype=np.int64))
    for (text, sents) in articles:  # and they are slices of the articles
        for s in sents:
            assert s.text == text[s.start:s.start + len(s.text)]


def test_tokens_same_on_polnear(polnear_articles):
    for b in range(0, len(polnear_articles), 32):
        check_tokens(polnear_articles[b:b + 32])


@pytest.mark.parametrize("seed", range(4))
def test_tokens_same_on_fuzzed_text(seed):
    articles = fuzzed_articles(seed, 60)
    assert sum(len(s) for _, s in articles) > 100
    check_tokens(articles)
    check_tokens(articles[:1])
    check_tokens([])


def test_white_space_is_what_the_regex_engine_and_split_call_white_space():
    """_is_space covers every code point (its table stops at U+3000, the last white-space character)."""
    codes = np.arange(0x110000, dtype=np.uint32)
    expected = np.array([chr(c).isspace() for c in range(0x110000)])
    assert np.array_equal(T._is_space(codes), expected)
    assert all(bool(re.fullmatch(r"\s", chr(c))) for c in np.flatnonzero(expected))
    assert " a\u3000b\u2028c\x1cd".split() == ["a", "b", "c", "d"]


def test_long_chunks_are_tokenised_but_not_kept():
    long = "x" * 65 + "." + "y" * 10
    words, starts, lengths = T._tokenise([long, "a b"], [5, 100])
    assert words == ["x" * 65, ".", "y" * 10, "a", "b"] and lengths.tolist() == [3, 2]
    assert starts.tolist() == [5, 70, 71, 100, 102]
    assert long not in T._CHUNKS and "a" in T._CHUNKS


# --------------------------------------------------------------------------------------------------------------------
# emissions, Viterbi, marginals, spans

@pytest.fixture(scope="module")
def shipped_tagger():
    from scorer.model.store import load_bundle

    return load_bundle()["spans"]


@pytest.fixture
def python_path(monkeypatch):
    """The pure-Python path of the tagger (the compiled Viterbi off)."""
    monkeypatch.setattr(kernels, "ACTIVE", False)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (NaN where the other has NaN), of one dtype and shape."""
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def check_tagger(tagger, articles) -> int:
    """New and frozen code agree on every step of the articles' tagging; returns the number of Source spans."""
    tokens = T.batch_tokens(articles)
    em = tagger.emissions(tokens)
    assert same(em, _reference_emissions(tagger, tokens))
    tags = tagger.viterbi(em, tokens.lengths)
    assert same(tags, _reference_viterbi(tagger.transitions, em, tokens.lengths))
    first, end, confidence = tagger.source_confidence(em, tokens.lengths, tags)
    lengths_a = np.array(tokens.lengths, dtype=np.int64)
    sentence = np.repeat(np.arange(len(lengths_a)), lengths_a)
    chosen = np.unique(sentence[first])
    rows = np.flatnonzero(np.isin(sentence, chosen))
    marg = tagger.marginals(em[rows], lengths_a[chosen].tolist())
    # BLAS's products of (sentences x tags) by (tags x tags) can round differently in the last bit with the number
    # of sentences multiplied at once, which the frozen code's buckets of 256 sentences (in increasing length) set:
    # the frozen code with every sentence in one bucket multiplies the same sentences together at each position
    # and agrees bit for bit; with its buckets, the marginals are within a few units in the last place, and the
    # source confidences computed from them are the same (what decides which sources are shown)
    whole = _reference_marginals(tagger.transitions, em[rows], lengths_a[chosen].tolist(), bucket=10 ** 9)
    assert same(marg, whole)
    bucketed = _reference_marginals(tagger.transitions, em[rows], lengths_a[chosen].tolist())
    assert np.allclose(marg, bucketed, rtol=1e-14, atol=1e-15)
    probs = np.zeros(len(tags))
    probs[rows] = bucketed[:, T._SOURCE_TAGS].sum(axis=1)
    sums = np.r_[0.0, np.cumsum(probs)]
    assert same(confidence, (sums[end] - sums[first]) / (end - first) if len(first) else np.zeros(0))
    kept = T.drop_unsure_sources(tags, first, end, confidence, tagger.source_threshold, tokens.lengths)
    assert tagger.spans_many(articles) == _split(T.tag_spans(tokens, kept), articles)
    return len(first)


def _split(spans, articles):
    out, k = [], 0
    for _, sentences in articles:
        out.append(spans[k:k + len(sentences)])
        k += len(sentences)
    return out


def test_tagger_same_on_polnear(shipped_tagger, polnear_articles, python_path):
    sources = sum(check_tagger(shipped_tagger, polnear_articles[b:b + 32]) for b in range(0, len(polnear_articles), 32))
    assert sources > 1000


@pytest.mark.parametrize("seed", range(3))
def test_tagger_same_on_fuzzed_text_with_random_weights(seed, python_path):
    """Random weights (small integers in half the trials, so that ties are common) over the features of fuzzed and
    real words: the same emissions, tags, marginals and spans."""
    articles = fuzzed_articles(seed, 40) + [("Officials said “it is over,” the U.S. envoy, who spoke Friday, said.",
                                             [Sentence(0, 71, "Officials said “it is over,” the U.S. envoy, who "
                                                              "spoke Friday, said.")])]
    tokens = T.batch_tokens(articles)
    names = sorted({a for sent in T.crf_items(tokens) for attrs in sent for a in attrs})
    rng = np.random.default_rng(seed)
    names = [n for n in names if rng.random() < 0.8]  # some features unknown to the model
    shape = (len(names), len(T.TAGS))
    weights = rng.integers(-2, 3, size=shape).astype(float) if seed % 2 else rng.normal(size=shape)
    transitions = rng.integers(-1, 2, size=(7, 7)).astype(float) if seed % 2 else rng.normal(size=(7, 7))
    tagger = T.SpanTagger(names, weights, transitions, source_threshold=0.5)
    check_tagger(tagger, articles)


def test_viterbi_and_marginals_same_on_random_scores(python_path):
    """Every mix of sentence lengths (empty ones, one long one among short ones), against the frozen code with
    buckets of any size."""
    rng = np.random.default_rng(5)
    tagger = T.SpanTagger(["b"], np.zeros((1, 7)), rng.normal(size=(7, 7)))
    for trial in range(150):
        lengths = rng.integers(0, 12, size=int(rng.integers(0, 25))).tolist()
        if trial % 5 == 0:
            lengths.insert(int(rng.integers(0, len(lengths) + 1)), int(rng.integers(30, 90)))
        n_tok = sum(lengths)
        em = rng.integers(-3, 3, size=(n_tok, 7)).astype(float) if trial % 2 else 3 * rng.normal(size=(n_tok, 7))
        tagger.transitions = rng.integers(-2, 2, size=(7, 7)).astype(float) if trial % 3 == 0 else \
            rng.normal(size=(7, 7))
        bucket = int(rng.integers(1, 300))
        assert same(tagger.viterbi(em, lengths), _reference_viterbi(tagger.transitions, em, lengths, bucket)), trial
        marg = tagger.marginals(em, lengths)
        assert same(marg, _reference_marginals(tagger.transitions, em, lengths, 10 ** 9)), trial  # (see check_tagger)
        assert np.allclose(marg, _reference_marginals(tagger.transitions, em, lengths, bucket), rtol=1e-13, atol=0)


def test_emissions_bounded_work_in_chunks(shipped_tagger, polnear_articles):
    """The rows gathered `chunk` places at a time give the same scores whatever the chunk (and none for no token)."""
    tokens = T.batch_tokens(polnear_articles[:3])
    whole = shipped_tagger.emissions(tokens)
    for chunk in (1, 7, 100, 10 ** 6):
        assert same(shipped_tagger.emissions(tokens, chunk=chunk), whole)
    assert shipped_tagger.emissions(T.batch_tokens([("", [])])).shape == (0, len(T.TAGS))


def test_the_chunk_cache_is_bounded_and_still_right_when_emptied(monkeypatch):
    monkeypatch.setattr(T._Chunks, "limit", 3)
    T._CHUNKS.clear()
    texts = ["a b, c. d “e” f-g U.S. h", "b, a h"]
    ref_words, ref_starts, ref_lengths = _reference_tokens(texts, [0, 100])
    for _ in range(2):
        words, starts, lengths = T._tokenise(texts, [0, 100])
        assert words == ref_words and same(starts, ref_starts) and lengths.tolist() == ref_lengths
        assert len(T._CHUNKS) <= 3
    T._CHUNKS.clear()
