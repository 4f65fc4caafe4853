"""The claim head's inputs for a whole batch (session 14, srck): `claim_features_many` gives, bit for bit, what
`claim_features` gives article by article, and `source_tokens_many` what `source_tokens` gives row by row, on
PolNeAR dev articles and on random rows and arrays (articles of one sentence, empty articles, odd values)."""
from __future__ import annotations

import random

import numpy as np
import pytest

from scorer.model import claims
from scorer.model.claims import (claim_dense, claim_dense_many, claim_features, claim_features_many, source_tokens,
                                 source_tokens_many)
from scorer.model.inputs import ModelInputs


def test_dense_many_is_dense_per_article():
    rng = np.random.default_rng(5)
    for _ in range(200):
        counts = rng.choice([0, 1, 1, 2, 3, 7, 40], size=rng.integers(1, 6)).tolist()
        n = sum(counts)
        heads = rng.random((n, 5))
        vectors, cue = rng.random((n, 6)), rng.random((n, 13))
        prev, nxt = rng.random((n, 13)), rng.random((n, 13))
        lengths = rng.integers(0, 900, size=n).tolist()
        got = claim_dense_many(heads, vectors, cue, prev, nxt, lengths, counts)
        parts, at = [], 0
        for c in counts:
            s = slice(at, at + c)
            parts.append(claim_dense(heads[s], vectors[s], cue[s], prev[s], nxt[s], lengths[s]))
            at += c
        expected = np.vstack(parts)
        assert got.dtype == expected.dtype and got.shape == expected.shape and got.tobytes() == expected.tobytes()


def test_dense_many_checks_counts():
    heads = np.zeros((3, 5))
    with pytest.raises(ValueError, match="do not add up"):
        claim_dense_many(heads, np.zeros((3, 6)), np.zeros((3, 2)), np.zeros((3, 2)), np.zeros((3, 2)), [1, 2, 3], [1, 1])
    with pytest.raises(ValueError, match="do not add up"):
        claim_dense_many(heads, np.zeros((3, 6)), np.zeros((3, 2)), np.zeros((3, 2)), np.zeros((3, 2)), [1, 2, 3],
                         [4, -1])


WORDS = [None, "", "he", "He", "Trump", "the White House", "officials", "Sean Hannity’s", "Ünal Çelik", "said", "told",
         "according to", "U.S. officials", "e\u0301", "123", "  ", "\ud800", "Σίσυφος", "the ‘source’"]
KINDS = [None, "none", "named_source", "unresolved", "outlet_claim"]
METHODS = [None, "", "name", "pronoun->earlier source", "quote carry-over", "role noun (x)", 7]


def test_source_tokens_many_is_source_tokens():
    rng = random.Random(9)
    for round_ in range(3):  # cold caches, then warm ones, then after the caches were emptied
        if round_ == 2:
            claims._SOURCE_PARTS.clear(), claims._CUE_PARTS.clear(), claims._TYPE_TOKENS.clear()
        rows = [(rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS), rng.choice(KINDS), rng.choice(METHODS))
                for _ in range(3000)]
        rows += [(np.str_("Trump"), None, np.str_("said"), "named_source", "name"), (None, None, None, ["x"], "name")]
        assert source_tokens_many(*zip(*rows)) == [source_tokens(*row) for row in rows]
    assert source_tokens_many([], [], [], [], []) == []


def test_source_token_caches_stay_bounded():
    texts = [f"Source {k}" for k in range(9000)]
    source_tokens_many(texts, [None] * len(texts), texts, ["named_source"] * len(texts), ["name"] * len(texts))
    assert len(claims._SOURCE_PARTS) <= 4096 and len(claims._CUE_PARTS) <= 4096


def test_features_many_is_features_per_article(polnear_texts):
    from scorer.pipeline import Scorer
    from scorer.text.segment import split_article

    scorer = Scorer()
    texts = polnear_texts[:40]
    sentences = [split_article(t)[0] for t in texts]
    spans = scorer.spans.spans_many(list(zip(texts, sentences)))
    from scorer.model.inputs import article_inputs

    inputs = [article_inputs(t, s, scorer.attribution.cues, spans=sp) for t, s, sp in zip(texts, sentences, spans)]
    frame = ModelInputs.concat(inputs)
    heads = np.column_stack(scorer.attribution.head_probabilities(frame))
    lengths = [len(s.text) for ss in sentences for s in ss]
    tokens, dense = claim_features_many(frame, heads, lengths, [len(i) for i in inputs])
    parts, at = [], 0
    for inp, ss in zip(inputs, sentences):
        parts.append(claim_features(inp, heads[at:at + len(inp)], [len(s.text) for s in ss]))
        at += len(inp)
    assert tokens == [t for p in parts for t in p[0]]
    assert dense.tobytes() == np.vstack([p[1] for p in parts]).tobytes()
    assert len(set(tokens)) > 50
