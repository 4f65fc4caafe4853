"""The attribution heads and the claim head tokenise each sentence once per batch (`heads.tokenise`): the claim
head's words derived from the heads' tokens equal its own pattern's findall, on the PolNeAR dev and a quarter of the
train sentences and on fuzzed strings, and its scores equal those computed without the shared tokens."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.model import heads
from scorer.model.heads import HEADS_TOKEN_PATTERN, LONG_WORDS_PATTERN, _long_words, tokenise

HEADS = re.compile(HEADS_TOKEN_PATTERN)
LONG = re.compile(LONG_WORDS_PATTERN)


@pytest.fixture(scope="module")
def sentences(polnear_sentences):
    """The sentences of the PolNeAR dev texts and of a third of train's, as the pipeline splits them."""
    return [s for article in polnear_sentences for s in article]


def _derived_equals_own(texts: list[str]) -> bool:
    low = [t.lower() for t in texts]
    return _long_words(low, [HEADS.findall(t) for t in low]) == [LONG.findall(t) for t in low]


def test_long_words_from_head_tokens_on_polnear(sentences):
    assert _derived_equals_own(sentences)
    assert any("’" in s or "'" in s for s in sentences)  # both paths of _long_words run


_PIECES = ["don't", "rock''n", "o’neill", "'tis", "’", "'", "_", "a", "ab", "x_y", "٣٤", "é", "Ж", "中文", "İ", "\u212a",
           "“", "”", '"', "?", "!", ":", " ", "\n", "-", "1", "12", "ǅ", "\u0301", "a\u0301"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=20).map("".join),
                max_size=5))
def test_long_words_from_head_tokens_on_fuzzed_strings(texts):
    assert _derived_equals_own(texts)


def test_tokenise_shares_only_the_same_texts():
    heads._RECENT.clear()
    texts = ["He said: “don't go,” O'Neill told AP.", "A b cd"]
    assert tokenise(HEADS, texts) == [HEADS.findall(t.lower()) for t in texts]
    assert (HEADS_TOKEN_PATTERN, 0) in heads._RECENT and len(heads._RECENT) == 1
    other = ["x yz", "A b cd"]
    assert tokenise(LONG, other) == [LONG.findall(t.lower()) for t in other]  # other texts: its own findall
    assert tokenise(LONG, list(texts)) == [LONG.findall(t.lower()) for t in texts]  # equal texts: derived
    assert not heads._RECENT  # read once, then let go
    assert tokenise(re.compile(r"\S+"), texts) == [t.lower().split() for t in texts]
    assert not heads._RECENT


def test_claim_head_same_with_and_without_shared_tokens(sentences, monkeypatch):
    """The claim head's word scores are the same whether the heads tokenised the batch just before or not."""
    from scorer.pipeline import Scorer

    # the string path, before the coders are built (as without the kernels; with them they are built after 500 texts)
    monkeypatch.setattr(heads, "CODER_AFTER_COMPILED", heads.CODER_AFTER)
    scorer = Scorer()
    block, coef = scorer.claims.words, scorer.claims.coef_words
    batch = sentences[:3000]
    heads._RECENT.clear()
    alone = block.scores(batch, coef)
    scorer.attribution.tokens.ids(batch)
    assert heads._RECENT[(HEADS_TOKEN_PATTERN, 0)][0] is batch
    shared = block.scores(batch, coef)
    assert np.array_equal(alone, shared)
