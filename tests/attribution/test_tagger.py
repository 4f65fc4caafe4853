"""The span tagger's scoring side: tokens carry offsets into the article, the numpy Viterbi finds the best tag
sequence (checked against brute force here, and against crfsuite's own tagger in tests/training/test_spantagger.py),
and BIO tags become spans."""
import itertools

import numpy as np
import pytest

from scorer.attribution.tagger import (
    GROUPS,
    OFFSETS,
    TAGS,
    SpanTagger,
    crf_items,
    sentence_attribution,
    sentence_tokens,
    tag_spans,
)
from scorer.text.segment import Sentence

ARTICLE = ("Headline here\n\nThe senator said on Monday that “the plan will fail.” It won’t pass, "
           "according to U.S. officials.\n“We are done,” she added. “Nothing is left.”")


def _sentences(text: str) -> list[Sentence]:
    from scorer.text.segment import split_article

    return split_article(text)[0]


def test_tokens_are_slices_of_the_article():
    sents = _sentences(ARTICLE)
    tokens = sentence_tokens(ARTICLE, sents)
    assert sum(tokens.lengths) == len(tokens.words) == len(tokens.starts)
    assert all(ARTICLE[s:e] == w for w, s, e in zip(tokens.words, tokens.starts, tokens.ends))
    assert "U.S." in tokens.words and "won’t" in tokens.words and "." in tokens.words
    assert set(tokens.codes) == set(GROUPS)
    for group, n in GROUPS.items():
        assert tokens.codes[group].min() >= 0 and tokens.codes[group].max() < n


def test_quote_state_runs_over_sentences_of_a_paragraph_and_stops_at_a_line_break():
    text = "He said: “One thing. Another thing. And more.” Then he left.\nShe spoke."
    sents = [Sentence(0, 20, text[0:20]), Sentence(21, 35, text[21:35]), Sentence(36, 60, text[36:60]),
             Sentence(61, 71, text[61:71])]
    tokens = sentence_tokens(text, sents)
    inside = dict(zip([(w, int(s)) for w, s in zip(tokens.words, tokens.starts)], tokens.codes["q"]))
    assert inside[("One", text.index("One"))] == 1
    assert inside[("Another", text.index("Another"))] == 1  # a later sentence still inside the quotation
    assert inside[("Then", text.index("Then"))] == 0
    assert inside[("She", text.index("She"))] == 0
    marks = dict(zip(tokens.words, tokens.codes["qm"]))
    assert marks["“"] == 1 and marks["”"] == 2 and marks["He"] == 0


def _random_tagger(rng, n_features=40):
    features = ["b"] + [f"f{i}" for i in range(n_features - 1)]
    return SpanTagger(features, rng.normal(size=(n_features, len(TAGS))), rng.normal(size=(len(TAGS), len(TAGS))))


def test_viterbi_finds_the_best_sequence_of_every_sentence_at_once():
    rng = np.random.default_rng(7)
    tagger = _random_tagger(rng)
    lengths = [1, 3, 0, 4, 2, 4]
    emissions = rng.normal(size=(sum(lengths), len(TAGS)))
    got = tagger.viterbi(emissions, lengths)
    k = 0
    for n in lengths:
        if n:
            best = max(itertools.product(range(len(TAGS)), repeat=n),
                       key=lambda seq: sum(emissions[k + i, t] for i, t in enumerate(seq))
                       + sum(tagger.transitions[a, b] for a, b in zip(seq, seq[1:])))
            assert tuple(got[k:k + n]) == best
        k += n


def test_emissions_are_the_sum_of_the_active_features_weights():
    rng = np.random.default_rng(3)
    sents = _sentences(ARTICLE)
    tokens = sentence_tokens(ARTICLE, sents)
    items = [a for sent in crf_items(tokens) for a in sent]
    names = sorted({a for attrs in items for a in attrs})[::2] + ["b"]  # half of them unknown to the model
    tagger = SpanTagger(sorted(set(names)), rng.normal(size=(len(set(names)), len(TAGS))),
                        np.zeros((len(TAGS), len(TAGS))))
    index = {f: i for i, f in enumerate(tagger.features)}
    expected = np.array([sum((tagger.weights[index[a]] for a in attrs if a in index), np.zeros(len(TAGS)))
                         for attrs in items])
    assert np.allclose(tagger.emissions(tokens), expected)
    # and the same again from the word cache
    assert np.allclose(tagger.emissions(tokens), expected)


def test_bio_tags_become_spans():
    text = "Officials said the deal is off."
    tokens = sentence_tokens(text, [Sentence(0, len(text), text)])
    tags = np.array([TAGS.index(t) for t in ("B-SOURCE", "B-CUE", "B-CONTENT", "I-CONTENT", "I-CONTENT",
                                                 "I-CONTENT", "O")])
    spans = tag_spans(tokens, tags)[0]
    assert spans == {"SOURCE": [(0, 9)], "CUE": [(10, 14)], "CONTENT": [(15, 30)]}
    # an I- tag after another role opens a span of its own
    tags = np.array([TAGS.index(t) for t in ("I-SOURCE", "I-CUE", "O", "I-CONTENT", "O", "B-CONTENT", "O")])
    assert tag_spans(tokens, tags)[0] == {"SOURCE": [(0, 9)], "CUE": [(10, 14)], "CONTENT": [(19, 23), (27, 30)]}


def test_the_sentence_attribution_pairs_the_first_source_with_its_nearest_cue():
    text = "Trump, who had said nothing, told reporters the Times erred, the spokesman said."
    sent = Sentence(10, 10 + len(text), text)
    article = " " * 10 + text
    at = lambda s: (10 + text.index(s), 10 + text.index(s) + len(s))
    attr, content = sentence_attribution(article, sent, {"SOURCE": [at("Trump"), at("the spokesman")],
                                                         "CUE": [at("said nothing"), at("told"), at("said.")],
                                                         "CONTENT": [at("the Times erred")]})
    assert (attr.source, attr.source_start, attr.source_end) == ("Trump", 0, 5)
    assert attr.cue == "said nothing" and text[attr.cue_start:attr.cue_end] == "said nothing"
    assert content == at("the Times erred")


@pytest.mark.parametrize("n_articles", [1, 3])
def test_spans_many_equals_one_article_at_a_time(n_articles):
    rng = np.random.default_rng(11)
    sents = _sentences(ARTICLE)
    tokens = sentence_tokens(ARTICLE, sents)
    names = sorted({a for sent in crf_items(tokens) for attrs in sent for a in attrs})
    tagger = SpanTagger(names, rng.normal(size=(len(names), len(TAGS))), rng.normal(size=(len(TAGS), len(TAGS))))
    one = tagger.spans(ARTICLE, sents)
    assert tagger.spans_many([(ARTICLE, sents)] * n_articles) == [one] * n_articles
    assert any(s["SOURCE"] or s["CUE"] or s["CONTENT"] for s in one)


def test_a_sentence_scores_the_same_whatever_article_comes_before_it():
    """Emissions of an article's tokens are bit-identical alone and after another article in one batch."""
    from scorer.attribution.tagger import concat_tokens

    other = "Officials said the talks failed. The minister, who spoke on Friday, disagreed."
    tokens, before = sentence_tokens(ARTICLE, _sentences(ARTICLE)), sentence_tokens(other, _sentences(other))
    names = sorted({a for part in (tokens, before) for sent in crf_items(part) for attrs in sent for a in attrs})
    for seed in range(20):
        rng = np.random.default_rng(seed)
        tagger = SpanTagger(names, rng.normal(size=(len(names), len(TAGS))), np.zeros((len(TAGS), len(TAGS))))
        alone = tagger.emissions(tokens)
        batched = tagger.emissions(concat_tokens([before, tokens]))[len(before.words):]
        assert np.array_equal(alone, batched)


def test_the_word_cache_starts_again_when_full_and_keeps_every_word_of_the_call():
    from scorer.attribution.tagger import _WordCache

    cache = _WordCache({"w=a": 0}, np.ones((1, len(TAGS))), limit=5)
    first = cache.lookup(["a", "b", "c"])
    again = cache.lookup(["a", "d", "e", "f"])  # would pass the limit: emptied, then all four added
    assert np.array_equal(again[0], first[0]) and len(cache) == 4
    assert cache.lookup(["x"] * 3).shape == (3, len(OFFSETS), len(TAGS))
