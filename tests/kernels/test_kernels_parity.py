"""The compiled kernels (`_scorer_kernels`) and their pure-Python twins give identical results: on the PolNeAR dev and
train texts and on fuzzed strings, both implementations called in the same process. Skipped when the kernels are not
built (a machine without a C compiler), except when SCORER_REQUIRE_KERNELS=1 (`.ci/run` sets it where they built).
"""
from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.text import kernels, quotes, segment

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()


@pytest.fixture(autouse=True)
def compiled_kernels(monkeypatch):
    """The dispatch points at the compiled module even under SCORER_KERNELS=0 (CI runs the suite so): these tests
    call both implementations themselves."""
    monkeypatch.setattr(kernels, "compiled", K)


# characters the kernels treat specially, and some that are merely awkward
QUOTES = "“”„‟\"'‘’‚‛«»‹›「」『』＂"
SPECIAL = QUOTES + ".,;:!?—–-)(@[]_ \n\t\r\x0b\x0c\x1c\x85\u00a0\u2028\u3000" + "\u0301\u0308\u20dd"  # combining marks
WORDS = segment._TITLES + segment._FINAL_ABBREVIATIONS + tuple(sorted(segment._SENTENCE_STARTERS)) + (
    "Gens", "Corp", "Workers", "Officials", "percent", "said", "he", "she", "Ltd", "Labour", "x", "É", "ß", "ǅ", "٣")


def spans_compiled(text, spans):
    return K.sentence_spans(text, list(spans), segment._SENTENCE_STARTERS, segment._FINAL_ABBREVIATIONS,
                            segment._TITLES, segment._MAX_QUOTE_MERGE)


def random_text(rng: random.Random, n: int) -> str:
    """Words, the characters the kernels test for, random code points (surrogates included) and spaces."""
    parts: list[str] = []
    size = 0
    while size < n:
        r = rng.random()
        if r < 0.35:
            parts.append(rng.choice(WORDS))
        elif r < 0.7:
            parts.append(rng.choice(SPECIAL))
        elif r < 0.8:
            parts.append(chr(rng.randrange(0x20, 0x250)))
        elif r < 0.85:
            parts.append(chr(rng.randrange(0xD800, 0xE000)))  # lone surrogates
        elif r < 0.9:
            parts.append(chr(rng.randrange(0x250, 0x110000)))
        else:
            parts.append(" " * rng.randrange(1, 4))
        size += len(parts[-1])
    return "".join(parts)


def random_spans(rng: random.Random, text: str) -> list[tuple[int, int]]:
    """Increasing, non-overlapping (start, end) spans in `text`, as punkt's are (white space at the ends, empty
    ones, starts inside words)."""
    cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randrange(0, 12))))
    return list(zip(cuts[::2], cuts[1::2]))


def check_text(text: str, spans=None) -> None:
    if quotes.quoted_mask.__wrapped__(text):
        assert K.quoted_mask(text) == quotes._quoted_mask_python(text)
    if spans is None:
        spans = segment._punkt_spans(text)
    assert spans_compiled(text, spans) == segment._sentence_spans(text, spans), (text, spans)


# ---------------------------------------------------------------------------------------------------------------
# the corpus

@pytest.fixture(scope="module")
def polnear_blocks(polnear_texts):
    """The paragraph blocks of the PolNeAR dev texts and a third of train's (as split_sentences cuts them)."""
    return [t[a:b] for t in polnear_texts for a, b in segment._blocks(t, 0, len(t))]


def test_sentence_spans_and_quoted_mask_same_on_polnear(polnear_blocks):
    changed = 0
    for block in polnear_blocks:
        raw = segment._punkt_spans(block)
        fixed = segment._sentence_spans(block, raw)
        assert spans_compiled(block, raw) == fixed, block[:80]
        stripped = [segment._strip_span(block, s, e) for s, e in raw]
        changed += fixed != [(s, e) for s, e in stripped if e > s]
        for s, e in fixed:
            sentence = block[s:e]
            if quotes.quoted_mask.__wrapped__(sentence):
                assert K.quoted_mask(sentence) == quotes._quoted_mask_python(sentence)
    assert changed > 100  # the repairs do change spans on this corpus, so both paths were exercised


def test_split_article_same_on_polnear(shared_data, monkeypatch):
    """The whole segmentation with the compiled repairs and with the twin."""
    from scorer.text.segment import split_article

    paths = sorted((shared_data / "polnear" / "data" / "dev" / "text").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    monkeypatch.setattr(segment, "_sentence_spans_fast", segment._sentence_spans_compiled)
    fast = [split_article(t) for t in texts]
    monkeypatch.setattr(segment, "_sentence_spans_fast", segment._sentence_spans)
    assert [split_article(t) for t in texts] == fast


# ---------------------------------------------------------------------------------------------------------------
# fuzzed strings

def test_sentence_spans_fuzzed_seeded():
    rng = random.Random(21)
    for i in range(4000):
        text = random_text(rng, rng.choice((5, 30, 120, 400)))
        check_text(text, random_spans(rng, text))
        if i % 10 == 0:
            check_text(text)


def test_very_long_lines():
    rng = random.Random(7)
    text = random_text(rng, 200_000)
    check_text(text, random_spans(rng, text))
    check_text(text, [(0, len(text))])
    quoted = "“" + "He said, “Gen. Smith went to the U.S. Army. The " * 3000 + "”"
    check_text(quoted, [(0, len(quoted))])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(SPECIAL)) | st.characters(), max_size=200),
       st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)), max_size=8))
def test_sentence_spans_hypothesis(text, cuts):
    spans, last = [], 0
    for a, b in sorted((min(a, b), max(a, b)) for a, b in cuts):
        a, b = max(a, last), min(b, len(text))
        if b >= a:
            spans.append((a, b))
            last = b
    check_text(text, spans)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS + tuple(SPECIAL)), max_size=60))
def test_sentence_spans_hypothesis_words(parts):
    text = "".join(parts)
    check_text(text)
    check_text(text, [(0, len(text))] if text else [])


def test_split_final_abbreviations_bounds():
    """The hand-matched pattern agrees with the regex at every start/end inside a string (its \\b looks before
    `start`, also inside a word; its end is `end`)."""
    text = "x Inc. The Co. Workers said U.S.  Army  a.m. Then p.m. Sales rise St. Louis_ Corp. Apple xInc. The_Co. It"
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            assert spans_compiled(text, [(start, end)]) == segment._sentence_spans(text, [(start, end)]), (start, end)


# ---------------------------------------------------------------------------------------------------------------
# the tagger's Viterbi

def test_viterbi_same_random():
    from scorer.attribution.tagger import SpanTagger

    rng = np.random.default_rng(3)
    for trial in range(300):
        n_tags = int(rng.integers(1, 9))
        lengths = [int(x) for x in rng.integers(0, 40, size=int(rng.integers(0, 30)))]
        n_tok = sum(lengths)
        # small integers make ties common (the lowest index wins in both)
        emissions = rng.integers(-3, 3, size=(n_tok, n_tags)).astype(np.float64) if trial % 2 else \
            rng.normal(size=(n_tok, n_tags))
        transitions = rng.integers(-2, 2, size=(n_tags, n_tags)).astype(np.float64) if trial % 3 == 0 else \
            rng.normal(size=(n_tags, n_tags))
        tagger = SpanTagger.__new__(SpanTagger)
        tagger.transitions = transitions
        fast = kernels.viterbi(emissions, lengths, transitions)
        active = kernels.ACTIVE
        try:
            kernels.ACTIVE = False
            slow = SpanTagger.viterbi(tagger, emissions, lengths)
        finally:
            kernels.ACTIVE = active
        assert fast.dtype == slow.dtype and np.array_equal(fast, slow), trial


def test_tagger_spans_same_on_polnear(shared_data, monkeypatch):
    """The shipped tagger's spans on the PolNeAR dev texts, with the compiled Viterbi and with the twin."""
    from scorer.attribution.tagger import ROLES, SpanTagger
    from scorer.model.store import load_bundle
    from scorer.text.segment import split_article

    bundle = load_bundle()
    tagger = next((v for v in bundle.values() if isinstance(v, SpanTagger)), None)
    assert tagger is not None, sorted(bundle)
    paths = sorted((shared_data / "polnear" / "data" / "dev" / "text").glob("*.txt"))
    articles = [(t, split_article(t)[0]) for t in (p.read_text(encoding="utf-8") for p in paths)]
    monkeypatch.setattr(kernels, "ACTIVE", True)
    fast = tagger.spans_many(articles)
    monkeypatch.setattr(kernels, "ACTIVE", False)
    slow = tagger.spans_many(articles)
    assert fast == slow
    assert sum(len(s[ROLES[0]]) for article in slow for s in article) > 100
