"""The shared word-feature pass must give the heads exactly what their own pipelines compute."""
import numpy as np
import pytest

from scorer.classifier import _words_step
from scorer.context import article_frame
from scorer.model import load_bundle
from scorer.segment import split_article
from scorer.sharedwords import SharedTfidf


@pytest.fixture(scope="module")
def model():
    return load_bundle()["attribution"]


@pytest.fixture(scope="module")
def frame(model, example_text):
    sentences, _ = split_article(example_text)
    extra = "Officials said “it may happen” — said Smith. Ünïcödé, 42% and U.S. ... ?!"
    return article_frame(example_text + "\n\n" + extra, split_article(example_text + "\n\n" + extra)[0], model.cues)


def test_shared_tfidf_equals_each_vectorizer(model, frame):
    vectorizers = [_words_step(h)[-1] for h in model.heads()]
    texts = frame["text"].tolist() + ["", "zzzz unseen tokens only"]
    for vec, shared in zip(vectorizers, SharedTfidf(vectorizers).transform(texts)):
        expected = vec.transform(texts)
        assert shared.shape == expected.shape
        np.testing.assert_allclose(shared.toarray(), expected.toarray(), rtol=1e-6, atol=1e-7)


def test_model_probabilities_equal_the_pipelines(model, frame):
    p_attr, p_type, p_op = model.head_probabilities(frame, shared=True)
    np.testing.assert_allclose(p_attr, model.attributed.predict_proba(frame)[:, 1], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(p_op, model.opinion.predict_proba(frame)[:, 1], rtol=1e-6, atol=1e-7)
    classes = list(model.source_type.classes_)
    raw = model.source_type.predict_proba(frame)
    np.testing.assert_allclose(p_type, raw[:, [classes.index(c) for c in ("named_source", "anonymous_intelligence",
                                                                        "outlet_claim")]], rtol=1e-6, atol=1e-7)


def test_vectorizers_that_tokenise_differently_are_refused(model):
    from sklearn.feature_extraction.text import TfidfVectorizer

    other = TfidfVectorizer(lowercase=False).fit(["Alpha beta gamma"])
    with pytest.raises(ValueError, match="cannot share tokens"):
        SharedTfidf([_words_step(model.attributed)[-1], other])
