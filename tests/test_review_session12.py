"""Faults found by the independent review of session 12's speed changes (issue #21) against f0b630d: each test fails
on 78ecfa6 and passes with its fix."""
from __future__ import annotations

import numpy as np
import pytest

from scorer import pipeline
from scorer.pipeline import Scorer

ONE_SENTENCE = "Officials said the bridge would reopen next week, according to a statement from the city."
OTHERS = [("The mayor said on Tuesday that the bridge would reopen next week. Critics called the plan reckless. "
           "“It is a disaster,” one engineer told reporters."),
          "Sources familiar with the talks said a deal was close. The White House declined to comment."]


@pytest.fixture(scope="module")
def model() -> Scorer:
    return Scorer(None)


def test_support_numbers_of_a_one_sentence_article_as_alone(model, monkeypatch):
    """`_finish_many` gives each article the support model's numbers (unrounded support, contributions) of its own
    rows alone, as f0b630d's `_finish` computed them, also for an article with one kept sentence: a one-row product is
    a BLAS matrix-vector (or dot) call whose last bits differ from the row's in the batch's stacked matrix product,
    so the batch changed them (and, at a rounding tie or a reason's 0.02 threshold, the report)."""
    calls, seen = [], {}
    real_predict, real_many = model.support.predict_and_contributions, model.support.predict_and_contributions_many
    real_rounded, real_reasons = pipeline.rounded, pipeline.reasons_many

    def predict_spy(X, bounds):  # (session 15: the batch's rows in one call, each article's products alone)
        calls.append(np.array(X))
        return real_many(X, bounds)

    def reasons_spy(contrib, X, texts, corr, labels, limit=3):
        seen["contrib"] = np.array(contrib)
        return real_reasons(contrib, X, texts, corr, labels, limit)

    def rounded_spy(values, digits):
        if np.ndim(values) == 1:
            seen["support"] = np.array(values)
        return real_rounded(values, digits)

    monkeypatch.setattr(model.support, "predict_and_contributions_many", predict_spy)
    monkeypatch.setattr(pipeline, "reasons_many", reasons_spy)
    monkeypatch.setattr(pipeline, "rounded", rounded_spy)
    reports = list(model.score_many([OTHERS[0], ONE_SENTENCE, OTHERS[1]]))
    monkeypatch.undo()
    sizes = [len(r.sentences) for r in reports]
    assert sizes[1] == 1
    X, bounds = np.concatenate(calls), np.cumsum([0] + sizes)  # each article's rows, scored once
    assert len(X) == bounds[-1]
    for a in range(len(sizes)):
        support, _, contrib = real_predict(X[bounds[a]:bounds[a + 1]])
        assert seen["support"][bounds[a]:bounds[a + 1]].tolist() == support.tolist()
        assert np.array_equal(seen["contrib"][bounds[a]:bounds[a + 1]], contrib)


def test_viterbi_memory_on_many_short_sentences(model, monkeypatch):
    """The pure-Python Viterbi's step array (tags x tags x sentences, session 12) was twice f0b630d's peak memory on
    an article of many short sentences (300,000 of one or two tokens: 204 MB against 102 MB, 22 MB of emissions); it
    is now taken at most _VITERBI_BLOCK sentences at a time, with the same tags for any block size (peaks measured by
    tracemalloc, which sees numpy's arrays)."""
    import tracemalloc

    from scorer.attribution import tagger as tagger_module
    from scorer.text import kernels

    monkeypatch.setattr(kernels, "ACTIVE", False)
    lengths = [1 + (i % 3 == 0) + (i % 7 == 0) * 3 for i in range(40_000)]
    emissions = np.random.default_rng(5).normal(size=(sum(lengths), model.spans.transitions.shape[0]))
    tracemalloc.start()
    try:
        tags = model.spans.viterbi(emissions, lengths)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4.2 * emissions.nbytes  # f0b630d: 4.13 x the emissions; 78ecfa6: 7.6 x; now 3.3 x
    monkeypatch.setattr(tagger_module, "_VITERBI_BLOCK", 7)
    assert np.array_equal(model.spans.viterbi(emissions, lengths), tags)
    monkeypatch.setattr(tagger_module, "_VITERBI_BLOCK", 10**9)
    assert np.array_equal(model.spans.viterbi(emissions, lengths), tags)


def test_cue_matrix_python_memory_on_a_long_article(monkeypatch):
    """The pure-Python cue features held the words' lists and arrays of all an article's sentences at once (session
    12): an 8 MB article's peak was 370 MB against f0b630d's 69 MB (tracemalloc, PolNeAR dev texts laid end to end);
    they are now taken about _CUE_CHUNK characters at a time (16 MB), each row the same for any chunk size."""
    import random
    import tracemalloc

    from scorer.model import cues

    rng = random.Random(0)
    vocabulary = ["The", "mayor", "said", "council", "officials", "would", "budget", "“bridge”", "reporters", "told",
                  "week,", "plan", "critics", "2016", "May", "city", "he", "added", "I", "need", "to", "anonymous"]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 30))) + "." for _ in range(3000)]
    texts[5:7] = ["", None]
    tracemalloc.start()
    try:
        rows = cues.cue_matrix_python(texts)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # (a chunk's words: about 3 MB at most here, whatever the article's length; 78ecfa6: 12.6 MB for these 3,000)
    assert peak - rows.nbytes < 5_000_000
    for chunk in (1, 700, 10**9):
        monkeypatch.setattr(cues, "_CUE_CHUNK", chunk)
        assert np.array_equal(cues.cue_matrix_python(texts), rows)
    assert np.array_equal(rows[100], cues.cue_vector(texts[100]))
    assert cues.cue_matrix_python([]).shape == (0, len(cues.CUE_FEATURES))
