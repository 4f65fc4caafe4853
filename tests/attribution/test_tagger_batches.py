"""The span tagger decodes all sentences together in time-major order (`_TimeMajor`): one long sentence must not pad
the others (a padded batch's cost grows with the longest sentence times the batch: 4,500 tokens x 256 sentences
took seconds), and every sentence gets the tags and marginals it gets alone."""
import numpy as np

from scorer.attribution import tagger
from scorer.attribution.tagger import TAGS, _TimeMajor


def test_a_long_sentence_pads_nothing():
    lengths = [12] * 600 + [4500] + [300] * 40 + [0]
    layout = _TimeMajor(lengths)
    assert len(layout.token) == sum(lengths)  # one cell per token: no padding
    assert sorted(layout.token.tolist()) == list(range(sum(lengths)))  # every token once
    assert layout.width == 4500 and layout.live[0] == len(lengths) - 1 and layout.live[-1] == 1


def test_the_layout_is_time_major():
    lengths = [2, 0, 3, 1]
    layout = _TimeMajor(lengths)
    # sentences 2, 0, 3 (3, 2 and 1 tokens; the empty one never runs), then position by position
    assert layout.token.tolist() == [2, 0, 5, 3, 1, 4]
    assert layout.live == [3, 2, 1] and layout.at == [0, 3, 5]


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
