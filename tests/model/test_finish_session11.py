"""Session 11 speed-ups of `_finish` (issue #21) give exactly what the code they replaced gave: corroboration counted
once per article (`support.corroboration_and_overlap`, `support._corroborate_python`) and the headline overlap the
summary reads, on the PolNeAR dev texts and a third of train's and on fuzzed input. The replaced code (main 4e79796)
is kept here, frozen, as the reference."""
from __future__ import annotations

import random
import re
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.labels import LABELS
from scorer.model import support
from scorer.text import kernels

# ---------------------------------------------------------------------------------------------------------------
# the reference (4e79796)

_REF_CONTENT = re.compile(r"[A-Za-z][a-z]{3,}|[A-Z][A-Za-z]+|\d[\d,.]*")
_REF_STOP = frozenset("that this with from have been were they their there would could about said says told also "
                      "which when what will into more than after before over said".split())


def ref_content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in map(str.lower, _REF_CONTENT.findall(text)) if w not in _REF_STOP)


def ref_corroborate(words: list, labels: list[str], min_shared: int = 3) -> list[int | None]:
    index: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        for w in ws:
            postings = index.get(w)
            if postings is None:
                index[w] = [i]
            else:
                postings.append(i)
    shared = {}
    for w, postings in index.items():
        if 1 < len(postings) <= 50:
            others = [j for j in postings if labels[j] != "editorial_opinion"]
            if others:
                shared[w] = others
    out: list[int | None] = []
    for i, ws in enumerate(words):
        label = labels[i]
        candidates = [j for postings in map(shared.get, ws) if postings for j in postings if labels[j] != label]
        if not candidates or len(candidates) < min_shared:
            out.append(None)
            continue
        counts = Counter(candidates)
        top = max(counts.values())
        out.append(max((j for j, c in counts.items() if c == top), key=lambda j: (-abs(j - i), -j))
                   if top >= min_shared else None)
    return out


def ref_corroboration_and_overlap(texts, labels, headline, min_shared=3):
    """What 4e79796 computed: `corroboration(texts, labels)` and, in the summary, `len(head & content_words(r))`."""
    words = [ref_content_words(t) for t in texts]
    overlap = None if headline is None else [len(words[headline] & ws) for ws in words]
    return ref_corroborate(words, labels, min_shared), overlap


def _labellings(n: int, rng: random.Random) -> list[list[str]]:
    """Random, mostly one type, two types alternating (many candidates per sentence), all the writer's opinion."""
    return [[rng.choice(LABELS) for _ in range(n)], [rng.choices(LABELS, weights=(10, 1, 1, 1))[0] for _ in range(n)],
            [LABELS[(i % 2) * 2] for i in range(n)], ["editorial_opinion"] * n]


# ---------------------------------------------------------------------------------------------------------------
# corroboration and the headline overlap

def test_corroboration_and_overlap_same_on_polnear(polnear_sentences):
    rng = random.Random(11)
    found = 0
    for sents in polnear_sentences:
        for labels in _labellings(len(sents), rng):
            for min_shared, headline in ((3, 0), (1, None), (0, len(sents) - 1), (6, len(sents) // 2)):
                new = support.corroboration_and_overlap(sents, labels, headline, min_shared)
                assert new == ref_corroboration_and_overlap(sents, labels, headline, min_shared)
                found += sum(c is not None for c in new[0])
        words = [ref_content_words(s) for s in sents]
        labels = _labellings(len(sents), rng)[1]
        assert support._corroborate_python(words, labels) == ref_corroborate(words, labels)
    assert found > 5_000  # the corpus exercises the choice, not only "None"


def test_long_article_takes_the_loop_with_the_same_result(polnear_sentences):
    """More than _DENSE_LIMIT sentences: the inverted-index path, the same result."""
    sents = [s for article in polnear_sentences[:40] for s in article][:support._DENSE_LIMIT + 50]
    labels = _labellings(len(sents), random.Random(3))[0]
    assert support.corroboration_and_overlap(sents, labels, 0) == ref_corroboration_and_overlap(sents, labels, 0)
    words = [ref_content_words(s) for s in sents]
    assert support._corroborate_python(words, labels) == ref_corroborate(words, labels)


def test_every_code_point_in_content_words():
    """Every code point after a digit, inside and after ASCII words, alone, one sentence per block: the whole-article
    findall and lower-casing give each sentence's words (NUL included: that article takes the per-sentence path)."""
    chars = [chr(c) for c in range(sys.maxunicode + 1)]
    for joiner in ("1", "Abcd", "AB", "12,3.", " "):
        texts = [joiner.join(chars[start:start + 4096]) + " Trump" for start in range(0, len(chars), 4096)]
        labels = [LABELS[i % 4] for i in range(len(texts))]
        for part in (texts[:1], texts[1:]):  # (the first block holds NUL)
            assert support.corroboration_and_overlap(part, labels[:len(part)], 0, 1) == \
                ref_corroboration_and_overlap(part, labels[:len(part)], 0, 1), joiner


_VOCAB = ["Trump", "TRUMP", "Russia", "Moscow", "officials", "bounties", "2020", "12,000", "Taliban", "said", "that",
          "That", "intel", "Report", "REPORT", "report", "troops", "ab", "Über", "x", "٣", "１２", "\0", "\n", "İ", "ſ",
          "\u212a", "Σ", ",", "."]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(_VOCAB), st.text(max_size=3)), max_size=8).map(" ".join),
                max_size=70),
       st.lists(st.sampled_from(LABELS), min_size=70, max_size=70), st.integers(-1, 5), st.integers(-1, 70))
def test_corroboration_and_overlap_same_on_fuzzed_sentences(texts, labels, min_shared, headline):
    """Small vocabularies (words shared by many sentences, some by more than 50: ties are frequent), odd characters."""
    labels = labels[:len(texts)]
    headline = headline if 0 <= headline < len(texts) else None
    assert support.corroboration_and_overlap(texts, labels, headline, min_shared) == \
        ref_corroboration_and_overlap(texts, labels, headline, min_shared)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "d", 7]), max_size=6), max_size=60),
       st.lists(st.sampled_from(list(LABELS) + ["other"]), min_size=60, max_size=60), st.integers(-1, 4))
def test_corroborate_same_on_word_lists_with_repeats(words, labels, min_shared):
    """Any iterables of words (a word listed twice counts twice in both) and labels outside the four."""
    labels = labels[:len(words)]
    assert support._corroborate_python(words, labels, min_shared) == ref_corroborate(words, labels, min_shared)


def test_too_few_labels_raise_like_the_reference():
    texts = ["Alpha Beta Gamma"] * 3
    for labels in ([], ["named_source"]):
        with pytest.raises(IndexError):
            ref_corroborate([ref_content_words(t) for t in texts], labels)
        with pytest.raises(IndexError):
            support._corroborate_python([ref_content_words(t) for t in texts], labels)
        with pytest.raises(IndexError):
            support.corroboration_and_overlap(texts, labels, None)
    assert support.corroboration_and_overlap([], [], None) == ([], None)


def test_pipeline_path_follows_the_switch():
    """The whole-article path is the pure-Python one; with the kernels the sentences' words come from the kernel."""
    assert (support._corroborate is support._corroborate_compiled) == kernels.ACTIVE
