"""The claim head's cached inputs (issue #19 experiments): the slow part (spans, sources, the PolNeAR heads' outputs)
saved without pickle and read back gives the same inputs as computing them afresh."""
import numpy as np

from scorer.attribution.lexicon import CUE_VERBS
from scorer.text.segment import split_article
from scorer.training.claims import (
    ClaimArticle,
    article_claim_inputs,
    inputs_from_raw,
    load_raw_inputs,
    raw_claim_inputs,
    save_raw_inputs,
)


class FakeHeads:
    """Stands in for the compiled PolNeAR heads: outputs that depend on the sentence."""

    def head_probabilities(self, inputs):
        n = len(inputs)
        lengths = np.array([len(t) for t in inputs["text"]], dtype=float)
        return [lengths / (lengths + 50), np.tile([0.5, 0.3, 0.2], (n, 1)), np.full(n, 0.25)]


TEXTS = [("a/1", ("The council voted 7-2 on Tuesday to close the depot, the Gazette reported. \"It is a disaster,\" "
                  "Mayor Ana Ruiz said. She added that the figures speak for themselves.")),
         ("a/2", ("Two officials familiar with the talks said the deal could collapse. This reckless decision will "
                  "haunt us."))]


def articles():
    out = []
    for aid, text in TEXTS:
        sentences, _ = split_article(text)
        out.append(ClaimArticle(aid, "train", text, sentences, {i: {"type": "outlet_claim", "grade": "2"}
                                                                 for i in range(len(sentences))}))
    return out


def test_cached_inputs_round_trip_to_the_same_claim_inputs(tmp_path):
    arts = articles()
    heads = FakeHeads()
    raw = raw_claim_inputs(arts, lambda _: heads, CUE_VERBS)
    save_raw_inputs(tmp_path / "cache", raw)
    assert (tmp_path / "cache.json").is_file() and (tmp_path / "cache.npz").is_file()
    again = inputs_from_raw(arts, load_raw_inputs(tmp_path / "cache"))
    for a in arts:
        texts, tokens, dense, inputs, h = article_claim_inputs(a.text, a.units, heads, CUE_VERBS)
        t2, k2, d2, i2, h2 = again[a.article_id]
        assert t2 == texts and k2 == tokens
        assert np.array_equal(d2, dense) and np.array_equal(h2, h)
        assert i2["source"] == inputs["source"] and np.array_equal(i2["cue_vec"], inputs["cue_vec"])
    # the sentences differ, so a cache that mixed up articles or rows would not pass
    assert not np.array_equal(again["a/1"][2][0], again["a/2"][2][0])
