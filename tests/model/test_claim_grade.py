"""The claim head's grade row and the support model that reads it (issue #19): the shipped model stores the row,
its estimate follows the readers' grades on the training units out of fold, and a higher estimate raises support."""
import numpy as np
import pytest

from scorer.model.store import load_bundle
from scorer.model.support import SUPPORT_FEATURES, support_features


@pytest.fixture(scope="module")
def bundle():
    return load_bundle()


def test_the_support_model_reads_the_claim_grade_and_it_raises_support(bundle):
    support = bundle["support"]
    assert SUPPORT_FEATURES[-1] == "claim_grade"
    texts = ["The council voted 7-2 on Tuesday to close the depot.", "Officials said the deal could collapse."]
    probs = np.array([[0.1, 0.1, 0.7, 0.1], [0.1, 0.7, 0.1, 0.1]])
    low = support_features(texts, probs, [None, None], None, np.array([0.5, 0.5]))
    high = support_features(texts, probs, [None, None], None, np.array([2.8, 2.8]))
    assert np.array_equal(low[:, :-1], high[:, :-1])
    assert (support.predict(high)[0] > support.predict(low)[0] + 0.05).all()


def test_the_grade_estimates_are_graded_like_the_readers_out_of_fold(bundle):
    training = bundle["card"]["claim_readings"]["training"]
    # fitted and measured by `scorer train`: the grade row's estimates of the training units from heads fitted
    # without their article's fold, against the readers' grades
    assert training["out_of_fold_grade_spearman"] > 0.45


def test_the_claim_head_scores_a_grade_with_its_classes(bundle):
    from scorer.model.claims import claim_features
    from scorer.model.inputs import article_inputs
    from scorer.text.segment import split_article

    text = ("Rates will stay on hold until spring, the central bank's governor, Ana Ruiz, told a press conference on "
            "Monday. This reckless decision will haunt the council for a generation.")
    sentences, _ = split_article(text)
    inputs = article_inputs(text, sentences, bundle["attribution"].cues)
    heads = np.column_stack(bundle["attribution"].head_probabilities(inputs))
    tokens, dense = claim_features(inputs, heads, [len(s.text) for s in sentences])
    claims = bundle["claims"]
    probs, grades = claims.predict([s.text for s in sentences], tokens, dense)
    assert np.array_equal(probs, claims.predict_proba([s.text for s in sentences], tokens, dense))
    assert ((grades >= 0) & (grades <= 3)).all()
    assert grades[0] > grades[1] + 0.5  # a named official's on-record statement over the writer's verdict
