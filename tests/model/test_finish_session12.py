"""Session 12 speed-ups of `_finish` (issue #21) give exactly what the code they replaced gave: the support model and
the reasons once per model batch (`Scorer._finish_many`) instead of once per article; the probabilities and support
rounded by numpy where that is Python's round (`pipeline.rounded`); `looks_english`'s ASCII path counting letters
without a sum over the words, and function words only up to the share it needs. The replaced code (main f0b630d) is
kept here, frozen, as the reference."""
from __future__ import annotations

import json
import math
import struct

import numpy as np
import pytest
from english_reference import ref_looks_english  # tests/model/english_reference.py
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.labels import LABELS
from scorer.model.claims import FURNITURE_REASON, decide
from scorer.model.support import (
    corroboration_and_overlap,
    reasons_many,
    support_features,
)
from scorer.pipeline import Article, Scorer, rounded, sentence_rows
from scorer.report.report import Report
from scorer.report.summary import summarise
from scorer.text.furniture import Skipped
from scorer.text.language import NON_ENGLISH_FLAG, looks_english
from scorer.text.segment import headline_index

# ---------------------------------------------------------------------------------------------------------------
# the reference (f0b630d): Scorer._finish, one article at a time


def ref_finish(self, p, claim_probs, claim_grades) -> Report:
    text = p.article.text
    furniture, four = decide(claim_probs)
    keep = np.flatnonzero(~furniture)
    kept = keep.tolist()
    sentences = [p.sentences[k] for k in kept]
    skipped = sorted(list(p.skipped) + [Skipped(s.start, s.end, s.text, FURNITURE_REASON)
                                        for s, f in zip(p.sentences, furniture.tolist()) if f])
    probs = four[keep]
    labels = [LABELS[i] for i in probs.argmax(axis=1).tolist()]
    texts = [s.text for s in sentences]
    head = headline_index(text, sentences)
    corr, overlap = corroboration_and_overlap(texts, labels, head)
    X = support_features(texts, probs, corr, p.inputs["cue_vec"][keep], claim_grades[keep])
    support, grades, contrib = self.support.predict_and_contributions(X)
    reasons = reasons_many(contrib, X, texts, corr, labels)
    # (f0b630d's sentence_rows rounded them, as Python's round: the rows of the current one given them so)
    rows = sentence_rows(sentences, kept, labels, [[round(q, 4) for q in row] for row in probs.tolist()], p.inputs,
                         [round(v, 4) for v in support.tolist()], grades.tolist(), reasons, corr, head)
    summary = summarise(rows, head, overlap)
    if not looks_english(text):
        summary["flags"].insert(0, NON_ENGLISH_FLAG)
    title = sentences[head].text if head is not None else None
    article = {"id": p.article.article_id, "title": title, "n_sentences": len(rows), "n_skipped": len(skipped)}
    if p.article.include_text:
        article["text"] = text
    return Report(model=self.model_info, article=article, summary=summary, sentences=rows,
                  skipped=[s._asdict() for s in skipped], text=text)


# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def _same(new: Report, old: Report) -> None:
    assert json.dumps(new.to_dict(), ensure_ascii=False) == json.dumps(old.to_dict(), ensure_ascii=False)
    assert new.text == old.text


# short and odd articles beside the corpus: one sentence, a headline alone, a menu line the claim head may skip,
# non-English text, one with its text in the report
_ODD = ["Officials said it.", "Storm hits coast\n\nThe storm hit the coast on Monday, officials said.",
        "Home | News | Sport | Weather\n\nThe mayor said the depot would close. “We will fight,” a worker said.",
        "Le maire a dit que le dépôt fermerait lundi. Les ouvriers ont protesté devant la mairie hier soir.",
        "Reuters reported that the deal was off. Sources told CNN it may go ahead. I think it should."]


def test_finish_many_same_as_one_article_at_a_time(scorer, polnear_texts):
    """Batches of 1, 3, 8 and 40 articles (PolNeAR dev and train texts, and odd ones) against the reference."""
    articles = [Article(t, f"a{i}", f"<text {i}>", i % 7 == 0) for i, t in enumerate(_ODD + polnear_texts[::6])]
    prepared = scorer._prepare_many(articles)
    claims = scorer._claim_outputs(prepared)
    reference = [ref_finish(scorer, p, *c) for p, c in zip(prepared, claims)]
    # the cases are there: sentences the claim head skips, headlines and none, the non-English flag, the text
    assert any(s["reason"] == FURNITURE_REASON for r in reference for s in r.skipped)
    assert {r.article["title"] is None for r in reference} == {True, False}
    assert any(NON_ENGLISH_FLAG in r.summary["flags"] for r in reference)
    assert any("text" in r.article for r in reference)
    for size in (1, 3, 8, 40):
        for start in range(0, len(prepared), size):
            new = scorer._finish_many(prepared[start:start + size], claims[start:start + size])
            assert len(new) == len(prepared[start:start + size])
            for n, o in zip(new, reference[start:start + size]):
                _same(n, o)
    assert scorer._finish_many([], []) == []
    _same(scorer._finish(prepared[5], *claims[5]), reference[5])


# ---------------------------------------------------------------------------------------------------------------
# looks_english's ASCII path: letters counted on the lowered bytes, function words a slice at a time

# (ref_looks_english: tests/model/english_reference.py; the pure_english fixture: tests/model/conftest.py)


@pytest.mark.parametrize("n_words", [12, 255, 256, 257, 600, 1000, 3000])
def test_looks_english_at_the_threshold_in_any_slice(pure_english, n_words):
    """Texts of many words with just under, at and just over 12% function words, placed first, last or spread, with
    non-ASCII punctuation (the ASCII path) or a non-ASCII letter (the other path), and past the 20,000 characters
    read."""
    need = math.ceil(0.12 * n_words)
    checked = 0
    for function in (need - 1, need, need + 1, 0, n_words):
        function = max(0, min(function, n_words))
        kinds = ["The"] * function + ["Moscow"] * (n_words - function)
        for order in (kinds, kinds[::-1], kinds[::2] + kinds[1::2]):
            for extra in ("", " “quoted” — dash", " Über"):
                text = " ".join(order) + extra
                assert pure_english(text) == ref_looks_english(text)
                checked += 1
    assert checked == 45
    long = " ".join(["Moscow"] * 2800 + ["the"] * 800)  # the function words past the characters read
    assert pure_english(long) == ref_looks_english(long) is False


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(["the", "The", "of", "Moscow", "said", "“", "—", "é", "1", "x_y", "\n", "İ"]),
                min_size=200, max_size=1200).map(" ".join))
def test_looks_english_same_on_fuzzed_long_strings(text):
    from scorer.text import language

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(language, "_english_counts", None)
        assert language.looks_english(text) == ref_looks_english(text)


# ---------------------------------------------------------------------------------------------------------------
# pipeline.rounded: Python's round of every value


def _bits(values: list) -> list:
    return [struct.pack("<d", v).hex() if type(v) is float else repr(v) for v in values]


def _check_rounded(values: np.ndarray, digits: int = 4) -> None:
    new = rounded(values, digits)
    if values.ndim == 2:
        assert len(new) == len(values) and all(type(row) is list for row in new)
        new = [v for row in new for v in row]
    assert _bits(new) == _bits([round(float(v), digits) for v in values.ravel()])


def test_rounded_is_pythons_round_near_ties_and_beyond():
    k = np.arange(-100, 10_101, dtype=np.float64)
    ties = (k + 0.5) / 1e4  # the doubles nearest the ties, and their neighbours
    near = np.concatenate([ties, np.nextafter(ties, np.inf), np.nextafter(ties, -np.inf), k / 1e4])
    _check_rounded(near)
    _check_rounded(near.reshape(-1, 4)[:, ::-1])
    for digits in (1, 2, 3):
        _check_rounded((k[:10 ** digits + 200] + 0.5) / 10 ** digits, digits)
    odd = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e9, 1e300, -1e300, 5e-5, -5e-5, 0.00015, 0.99995, 1.0,
                    2.675, 1.005, 0.285, 1e-320, 123456.78905, 1.7e308, -1.7e308])
    _check_rounded(odd)
    _check_rounded(np.zeros((0, 4)))


def test_rounded_is_pythons_round_on_random_values():
    rng = np.random.default_rng(12)
    for scale in (1.0, 1e-3, 10.0, 1e6, 1e8, 1e11, 1e15):
        _check_rounded(rng.random(5_000) * scale)
        _check_rounded(rng.normal(size=(1_000, 4)) * scale)
