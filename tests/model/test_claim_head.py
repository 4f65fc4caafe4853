"""The claim-level head's scoring side: its TF-IDF blocks and linear model equal scikit-learn's, its dense
features are laid out per article, and the scorer skips what it reads as page furniture."""
import numpy as np
import pytest

from scorer.model.claims import (CLAIM_CLASSES, FURNITURE_REASON, CompiledClaimModel, TfidfBlock, claim_dense, combined,
                                 decide, source_tokens)
from scorer.model.heads import SOURCE_TOKEN_PATTERN

TEXTS = ["The council voted 7-2 on Tuesday to close the depot.", "Officials said the deal could collapse.",
         "\"Rates will stay on hold,\" the governor told reporters.", "This reckless decision will haunt us.",
         "ABSTRACT.", "The depot opened in 1964 and employs 310 people.", "Two officials said the talks failed.",
         "What a shameful day for the city!", "FULL TEXT.", "Smith said the council had no choice."] * 3


def _vectorizer(**kw):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **kw).fit(TEXTS)


def _block(vec):
    terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    return TfidfBlock(terms, vec.idf_, vec.token_pattern, vec.ngram_range[1])


@pytest.mark.parametrize("kw", [{"ngram_range": (1, 2)}, {"token_pattern": SOURCE_TOKEN_PATTERN}])
def test_tfidf_block_equals_scikit_learn(kw):
    vec = _vectorizer(**kw)
    block = _block(vec)
    texts = TEXTS[:10] + ["", "unknown words only", "the the the council council"]
    expected = vec.transform(texts).toarray()
    r, c, v = block.transform(texts)
    got = np.zeros_like(expected, dtype=np.float64)
    got[r, c] = v
    assert np.allclose(got, expected, atol=1e-6)


def test_compiled_claim_model_equals_logistic_regression():
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression, Ridge

    words, sources = _vectorizer(ngram_range=(1, 2)), _vectorizer(token_pattern=SOURCE_TOKEN_PATTERN)
    rng = np.random.RandomState(0)
    dense = rng.normal(size=(len(TEXTS), 4))
    mean, scale = dense.mean(axis=0), dense.std(axis=0)
    y = [CLAIM_CLASSES[i % 5] for i in range(len(TEXTS))]
    X = hstack([words.transform(TEXTS), sources.transform(TEXTS), csr_matrix((dense - mean) / scale)]).tocsr()
    clf = LogisticRegression(C=1.0, max_iter=2000).fit(X, y)
    order = [list(clf.classes_).index(c) for c in CLAIM_CLASSES]
    grades = np.array([(i * 7) % 4 for i in range(len(TEXTS))], dtype=float)
    ridge = Ridge(alpha=3.0).fit(X, grades)
    model = CompiledClaimModel(_block(words), _block(sources), mean, scale, clf.coef_[order], clf.intercept_[order],
                               ridge.coef_, ridge.intercept_)
    expected = clf.predict_proba(X)[:, order]
    got, grade = model.predict(TEXTS, TEXTS, dense)
    assert np.allclose(got, expected, atol=1e-6)
    assert np.allclose(got.sum(axis=1), 1)
    assert np.allclose(model.predict_proba(TEXTS, TEXTS, dense), got)
    # the grade row is the ridge regression's prediction, clipped to the grades 0-3
    assert np.allclose(grade, np.clip(ridge.predict(X), 0, 3), atol=1e-6) and np.ptp(grade) > 0
    assert np.array_equal(model.coef, np.asarray(clf.coef_[order])) and np.allclose(model.grade_coef, ridge.coef_)


def test_dense_features_are_per_article_and_shifted_for_neighbours():
    rng = np.random.RandomState(1)
    heads = rng.uniform(size=(3, 5))
    heads[:, 1:4] /= heads[:, 1:4].sum(axis=1, keepdims=True)  # P(type | attributed) sums to 1
    vectors, cues = rng.uniform(size=(3, 7)), rng.uniform(size=(3, 4))
    zeros = np.zeros((3, 4))
    dense = claim_dense(heads, vectors, cues, zeros, zeros, [10, 20, 30])
    own = np.hstack([heads, combined(heads), vectors])
    width = own.shape[1]
    assert np.allclose(dense[:, :width], own)
    assert np.allclose(dense[1, width + 4:2 * width + 4], own[0])  # the previous sentence's
    assert np.allclose(dense[0, width + 4:2 * width + 4], 0)
    assert np.allclose(combined(heads).sum(axis=1), 1)
    assert claim_dense(heads[:0], vectors[:0], cues[:0], zeros[:0], zeros[:0], []).shape[0] == 0


def test_source_tokens():
    assert source_tokens("The Pentagon", None, "says", "named_source", "name") == \
        "S_the S_pentagon C_says T_named_source M_name"
    assert source_tokens(None, "Smith", None, "none", "quote carry-over") == "S_smith T_none M_quote_carry_over"


@pytest.fixture(scope="module")
def scorer():
    from scorer import Scorer

    return Scorer()


def test_the_scorer_skips_what_the_claim_head_reads_as_furniture(scorer):
    """Call-outs and credits the readers marked as furniture are skipped with their reason; the claims stay, and
    a short last line is not taken for furniture (the threshold FURNITURE_MIN)."""
    report = scorer.score("Council closes depot\n\nThe city council voted 7-2 on Tuesday to close the depot, the "
                          "mayor's office said.\n\nFollow Pam Key on Twitter.\n\n(h/t The Hill.)\n\n"
                          "The depot opened in 1964.")
    skipped = {s["text"]: s["reason"] for s in report.skipped}
    assert skipped == {"Follow Pam Key on Twitter.": FURNITURE_REASON, "(h/t The Hill.)": FURNITURE_REASON}
    assert [s["text"] for s in report.sentences_list] == [
        "Council closes depot", "The city council voted 7-2 on Tuesday to close the depot, the mayor's office said.",
        "The depot opened in 1964."]
    assert [s["index"] for s in report.sentences_list] == [0, 1, 2]
    assert report.article["n_skipped"] == 2


def test_an_article_is_never_all_furniture_to_the_head():
    probs = np.array([[0.0, 0.0, 0.1, 0.0, 0.9], [0.1, 0.0, 0.0, 0.0, 0.9]])
    furniture, four = decide(probs)
    assert not furniture.any() and np.allclose(four.sum(axis=1), 1)
    furniture, _ = decide(np.vstack([probs, [[0.7, 0.1, 0.1, 0.05, 0.05]]]))
    assert furniture.tolist() == [True, True, False]
