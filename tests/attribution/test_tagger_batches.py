"""The span tagger decodes sentences in padded batches: one long sentence must not pad a whole batch of others
(the cost would grow with the longest sentence times the batch: 4,500 tokens x 256 sentences took seconds), and the
batches give every sentence the tags and marginals it gets alone."""
import numpy as np

from scorer.attribution import tagger
from scorer.attribution.tagger import TAGS, _by_length


def _padded_shapes(lengths):
    shapes = []

    def decode(pad, n):
        shapes.append(pad.shape[:2])
        return np.zeros(pad.shape[:2], dtype=np.int64)

    _by_length(np.zeros((sum(lengths), len(TAGS))), lengths, 256, decode, np.zeros(sum(lengths), dtype=np.int64))
    return shapes


def test_a_long_sentence_is_not_padded_with_a_full_batch():
    lengths = [12] * 600 + [4500] + [300] * 40
    shapes = _padded_shapes(lengths)
    assert sum(rows for rows, _ in shapes) == len(lengths)  # every sentence decoded once
    assert max(rows * width for rows, width in shapes) <= 40_000  # not 256 x 4,500


def test_ordinary_sentences_keep_full_batches():
    shapes = _padded_shapes([10 + i % 40 for i in range(700)])
    assert [rows for rows, _ in shapes] == [256, 256, 188]


def test_tags_and_marginals_the_same_whatever_the_batches(monkeypatch):
    rng = np.random.default_rng(5)
    lengths = [int(x) for x in rng.integers(1, 60, size=300)] + [700, 900]
    emissions = rng.normal(size=(sum(lengths), len(TAGS)))
    model = tagger.SpanTagger(["b"], np.zeros((1, len(TAGS))), rng.normal(size=(len(TAGS), len(TAGS))))
    monkeypatch.setattr(tagger.kernels, "ACTIVE", False)
    tags, marginals = model.viterbi(emissions, lengths), model.marginals(emissions, lengths)
    one = np.cumsum([0] + lengths)
    for i in (0, 17, 300, 301):
        part = emissions[one[i]:one[i + 1]]
        assert np.array_equal(model.viterbi(part, [lengths[i]]), tags[one[i]:one[i + 1]])
        assert np.allclose(model.marginals(part, [lengths[i]]), marginals[one[i]:one[i + 1]], rtol=1e-12, atol=1e-15)
