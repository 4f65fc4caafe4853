"""The span tagger's confidence in a Source span: forward-backward marginals (checked against brute force over
every tag sequence), Source runs read as `tag_spans` reads them, and unsure sources dropped when scoring."""
import itertools

import numpy as np
import pytest

from scorer.attribution.tagger import (
    SOURCE_THRESHOLD,
    TAGS,
    SpanTagger,
    Tokens,
    drop_unsure_sources,
    sentence_tokens,
    tag_spans,
)
from scorer.text.segment import Sentence


def _random_tagger(rng, n_features=3):
    features = ["b"] + [f"f{i}" for i in range(n_features - 1)]
    return SpanTagger(features, rng.normal(size=(n_features, len(TAGS))), 2 * rng.normal(size=(len(TAGS), len(TAGS))))


def _brute_marginals(tagger, emissions):
    n, k = emissions.shape
    probs, total = np.zeros((n, k)), 0.0
    for seq in itertools.product(range(k), repeat=n):
        score = emissions[np.arange(n), seq].sum() + sum(tagger.transitions[a, b] for a, b in zip(seq, seq[1:]))
        weight = np.exp(score)
        total += weight
        probs[np.arange(n), seq] += weight
    return probs / total


def test_marginals_are_the_posterior_of_every_tag_for_all_sentences_at_once():
    rng = np.random.default_rng(3)
    tagger = _random_tagger(rng)
    lengths = [3, 1, 0, 4, 2, 3]
    emissions = 3 * rng.normal(size=(sum(lengths), len(TAGS)))
    got = tagger.marginals(emissions, lengths)
    k = 0
    for n in lengths:
        if n:
            assert np.allclose(got[k:k + n], _brute_marginals(tagger, emissions[k:k + n]))
        k += n
    assert np.allclose(got.sum(axis=1), 1.0)


def test_marginals_stay_finite_with_large_scores():
    rng = np.random.default_rng(4)
    tagger = _random_tagger(rng)
    got = tagger.marginals(400 * rng.normal(size=(60, len(TAGS))), [60])
    assert np.isfinite(got).all() and np.allclose(got.sum(axis=1), 1.0)


def _tokens(lengths):
    n = sum(lengths)
    return Tokens(["w"] * n, np.arange(n) * 2, np.arange(n) * 2 + 1, list(lengths), {})


@pytest.mark.parametrize("seed", range(5))
def test_source_confidence_covers_the_source_spans_as_tag_spans_reads_them(seed):
    rng = np.random.default_rng(seed)
    tagger = _random_tagger(rng)
    lengths = [5, 0, 7, 1, 6]
    tags = rng.integers(0, len(TAGS), size=sum(lengths))
    tags[:3] = [TAGS.index("I-SOURCE"), TAGS.index("B-SOURCE"), TAGS.index("I-SOURCE")]
    emissions = rng.normal(size=(len(tags), len(TAGS)))
    first, end, conf = tagger.source_confidence(emissions, lengths, tags)
    tokens = _tokens(lengths)
    expected = [(s, e) for spans in tag_spans(tokens, tags) for s, e in spans["SOURCE"]]
    assert [(int(tokens.starts[i]), int(tokens.ends[j - 1])) for i, j in zip(first, end)] == sorted(expected)
    marg = tagger.marginals(emissions, lengths)
    source = marg[:, TAGS.index("B-SOURCE")] + marg[:, TAGS.index("I-SOURCE")]
    assert np.allclose(conf, [source[i:j].mean() for i, j in zip(first, end)])
    dropped = drop_unsure_sources(tags, first, end, conf, 0.5)
    for i, j, c in zip(first, end, conf):
        assert (dropped[i:j] == 0).all() if c < 0.5 else np.array_equal(dropped[i:j], tags[i:j])
    outside = np.ones(len(tags), dtype=bool)
    for i, j in zip(first, end):
        outside[i:j] = False
    assert np.array_equal(dropped[outside], tags[outside])


def test_an_unsure_source_is_not_reported_and_a_sure_one_is():
    text = "Smith said it rained."
    sents = [Sentence(0, len(text), text)]
    tokens = sentence_tokens(text, sents)
    features = ["b", "w=smith", "w=said"]
    weights = np.zeros((3, len(TAGS)))
    weights[0, TAGS.index("O")] = 2.0
    weights[2, TAGS.index("B-CUE")] = 5.0

    def tagger(source_weight, threshold=SOURCE_THRESHOLD):
        w = weights.copy()
        w[1, TAGS.index("B-SOURCE")] = source_weight
        return SpanTagger(features, w, np.zeros((len(TAGS), len(TAGS))), source_threshold=threshold)

    sure, unsure = tagger(9.0), tagger(2.3)  # "Smith" a source with probability ~1, and ~0.46
    assert sure.spans(text, sents)[0]["SOURCE"] == [(0, 5)]
    assert TAGS[unsure.tag(tokens)[0]] == "B-SOURCE"  # the best sequence has it ...
    assert unsure.spans(text, sents)[0]["SOURCE"] == []  # ... but the report does not, nor its cue
    assert unsure.spans(text, sents)[0]["CUE"] == []
    assert sure.spans(text, sents)[0]["CUE"] == [(6, 10)]
    assert tagger(2.3, threshold=None).spans(text, sents)[0]["SOURCE"] == [(0, 5)]


def test_a_sentence_left_without_a_source_loses_its_cue_and_content_too():
    b_s, i_s, b_c, b_t = (TAGS.index(t) for t in ("B-SOURCE", "I-SOURCE", "B-CUE", "B-CONTENT"))
    tags = np.array([b_s, i_s, b_c, b_t, b_s, b_c, b_t, b_t, b_s, b_c])  # sentences of 4, 4 and 2 tokens
    first, end = np.array([0, 4, 8]), np.array([2, 5, 9])
    out = drop_unsure_sources(tags, first, end, np.array([0.2, 0.9, 0.3]), 0.5, [4, 4, 2])
    assert out.tolist() == [0, 0, 0, 0, b_s, b_c, b_t, b_t, 0, 0]
    assert drop_unsure_sources(tags, first, end, np.array([0.2, 0.9, 0.3]), 0.5)[2:4].tolist() == [b_c, b_t]
