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
from compiled_kernels import compiled_module

from scorer.text import kernels

K = compiled_module()


@pytest.fixture(autouse=True)
def _compiled(monkeypatch):
    """The dispatch pointed at the compiled module, active (even under SCORER_KERNELS=0), as tests/kernels does."""
    monkeypatch.setattr(kernels, "compiled", K)
    monkeypatch.setattr(kernels, "ACTIVE", True)


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


def test_decode_sizes_forward_backward_by_the_sentences_with_a_source():
    """tagger_decode allocated forward-backward's arrays (3 x tokens x tags doubles) for the longest sentence, with or
    without a Source span in it: a long sentence with no source (a hostile text of 10^6 periods or quote marks) cost
    168 MB a million tokens that `cb3ef4e` (marginals over the sentences with a source alone) never allocated. Sized
    now by the longest sentence that has a Source span, after Viterbi's arrays are freed."""
    from scorer.attribution import tagger as T

    n_tags, long = len(T.TAGS), 150_000
    emissions = np.zeros((3 + long, n_tags))
    emissions[3:, 0] = 5.0  # the long sentence: all O
    emissions[0, 1], emissions[1, 2], emissions[2, 0] = 9.0, 9.0, 9.0  # the short one: B-SOURCE I-SOURCE O
    transitions = np.random.default_rng(0).normal(size=(n_tags, n_tags)) * 0.1
    tagger = T.SpanTagger([], np.zeros((0, n_tags)), transitions, source_threshold=0.6)
    lengths = [3, long]
    tags, _, peak = _traced(lambda: kernels.tagger_decode(emissions, lengths, transitions,
                                                          *tagger._scaled_transitions(), T._SOURCE_TAGS, 0.6))
    viterbi = tagger.viterbi(emissions, lengths)
    twin = T.drop_unsure_sources(viterbi, *tagger.source_confidence(emissions, lengths, viterbi), 0.6, lengths)
    assert np.array_equal(tags, twin) and tags[:3].tolist() == [1, 2, 0]
    # Viterbi's back-pointers (8 bytes a token and tag) and the tags are what it needs; forward-backward's three
    # arrays for the long sentence would add 3 x 8 bytes a token and tag
    assert peak < 1.3 * long * n_tags * 8, f"peak {peak} bytes"


def _fnv_words(n: int, bits: int) -> list[str]:
    """n six-letter words whose `_span_hash` with the fixed FNV-1a offset basis (the kernels' before the review) has
    its low `bits` bits zero: all in one slot of a `WordRows` of up to 2^bits slots (a search of ~n * 2^bits words)."""
    prime3 = np.uint64((0x100000001B3 ** 3) % 2 ** 64)
    rng, mask, found = np.random.default_rng(0), np.uint64((1 << bits) - 1), set()
    while len(found) < n:
        codes = rng.integers(97, 123, size=(1 << 19, 6)).astype(np.uint64)
        h = np.full(len(codes), 0xCBF29CE484222325, dtype=np.uint64)
        for k in range(codes.shape[1]):  # an ASCII code point's 3 bytes: itself, then two zeros
            h = (h ^ codes[:, k]) * prime3
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        found.update("".join(map(chr, row)) for row in codes[(h & mask) == 0].tolist())
    return sorted(found)[:n]


def test_word_rows_hash_is_not_the_same_in_every_process():
    """WordRows hashed a word's code points with FNV-1a from a fixed offset basis: words whose hashes share their low
    bits can be found offline (here ~2 million hashes for 1,000 words), and in a web article they all land in one run
    of the open-addressing table, every look-up and insertion then probing the whole run (the cost grows with the
    square of their number: 1,000 such words took ~7 times as long as 1,000 others here). Python's dict, the twin's,
    hashes strs with a per-process key. The basis is now random per table."""
    import time

    def seconds(words: list[str]) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            table = K.WordRows()
            table.add_many(words, 1)
            text = " ".join(words)
            for _ in range(8):
                rows = kernels.tagger_lookup([text], [0], table)[3]
            best = min(best, time.perf_counter() - start)
        assert rows.tolist() == list(range(1, len(words) + 1))
        return best

    flood = _fnv_words(1000, 11)
    rng = np.random.default_rng(1)
    plain = sorted({"".join(map(chr, r)) for r in rng.integers(97, 123, size=(1100, 6)).tolist()})[:1000]
    ratio = seconds(flood) / seconds(plain)
    assert ratio < 3, f"1,000 words of one hash slot took {ratio:.1f} times as long as 1,000 others"


def test_articles_of_a_str_subclass_are_tagged():
    """The compiled path refused an article whose text is a str subclass (numpy.str_, as a pandas or pyarrow column
    gives them; `Scorer` takes any str) with a TypeError from tagger_quote_states / tagger_lookup, where the twins and
    cb3ef4e tag it as the str."""
    from scorer.attribution import tagger as T
    from scorer.text.segment import Sentence

    class Text(str):
        pass

    text = "Officials said “the plan failed”, according to CNN. He said “no”."
    sentences = [Sentence(0, 51, text[:51]), Sentence(52, len(text), Text(text[52:]))]
    tagger = T.SpanTagger(["w=said", "1:w=“", "-1:w=said", "w=officials"], np.eye(4, len(T.TAGS), 1) * 3,
                          np.zeros((len(T.TAGS), len(T.TAGS))))
    expected = tagger.spans_many([(text, [Sentence(s.start, s.end, str(s.text)) for s in sentences])])
    assert any(spans["SOURCE"] for spans in expected[0])
    for article in (np.str_(text), Text(text)):
        assert tagger.spans_many([(article, sentences)]) == expected


def test_long_words_are_not_kept_several_times_over():
    """The per-feature-kind word table (`_WordCache._add`) and its compiled `WordRows` kept each long word again and
    again for as long as the cache lived: `WordRows` its code points (4 bytes a character, in an array grown to twice
    what it holds), `_RUNS_OF` its translated shape and the shape, `_shared` the shape's feature names. A hostile text
    of 1,000 distinct 5,000-letter words (5 MB) left ~47 MB behind, cb3ef4e ~5 MB (the words in the cache). Words and
    names longer than 64 characters are now kept in the word cache only (the dict the twins use)."""
    import gc
    import random

    from scorer.attribution import tagger as T
    from scorer.text.segment import Sentence

    rng = random.Random(0)
    words = ["".join(rng.choice("aAb") for _ in range(1500)) + " " + "x" * k for k in range(300)]
    text = " ".join(words)
    names = ["w=said", "sh=xXx", "1:w=“", "-1:w=said"]
    tagger = T.SpanTagger(names, np.eye(len(names), len(T.TAGS), 1) * 3, np.zeros((len(T.TAGS), len(T.TAGS))))
    article = [(text, [Sentence(0, len(text), text)])]
    expected = tagger.spans_many(article)
    assert tagger.spans_many(article) == expected  # (its words found again)
    tagger = T.SpanTagger(names, np.eye(len(names), len(T.TAGS), 1) * 3, np.zeros((len(T.TAGS), len(T.TAGS))))
    gc.collect()
    out, held, _ = _traced(lambda: (tagger.spans_many(article), gc.collect())[0])  # a fresh cache: every word new
    assert out == expected
    assert held < 2 * len(text), f"{held} bytes kept after tagging {len(text)} characters"
