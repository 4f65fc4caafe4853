"""The hand-written cue features of single sentences (scorer/cues.py)."""
import math

import pytest

from scorer.model.cues import CUE_FEATURES, cue_matrix, cue_vector, quote_state, source_type_vector


def features(text: str) -> dict:
    return dict(zip(CUE_FEATURES, cue_vector(text)))


def test_reporting_sentence():
    f = features("“We will win,” the Pentagon said on Tuesday, according to officials familiar with the plan.")
    assert f["reporting_verb"] == 1 and f["according_to"] == 1 and f["reporting_phrase"] == 1
    assert f["quote_then_attribution"] == 1 and f["starts_with_quote"] == 1 and f["quote_marks"] == 0.5
    assert f["anonymity_phrase"] == 1 and f["dates"] == 1 and f["names"] == 0.4  # "Pentagon", "Tuesday" capitalised
    assert f["first_person"] == 1 and f["hedges"] == 0


@pytest.mark.parametrize("text,feature,value", [
    ("Iran may have paid the group, and it reportedly could pay more.", "hedges", 1.0),  # may, reportedly, could
    ("He is believed to have fled.", "hedges", 1 / 3),  # a multi-word hedge
    ("It is understood the talks failed.", "anonymity_phrase", 1.0),  # an anonymity phrase before a hedge
    ("This reckless, shameful decision is very, very wrong.", "loaded_words", 2 / 3),
    ("This reckless, shameful decision is very, very wrong.", "intensifiers", 2 / 3),
    ("Six soldiers and 12 civilians died in 2019.", "numbers", 0.75),  # six, 12, 2019
    ("He added that it was over.", "carry_over_pronoun", 1.0),
    ("The council should act, and it has to act now.", "modal", 1.0),
    ("Did you see it?", "second_person", 1.0),
    ("Did you see it?", "question", 1.0),
    ("The officials declined to comment.", "denial", 1.0),
    ("The officials declined to comment.", "anonymous_head", 1.0),
    ("CNN and the Washington Post reported it.", "outlet", 1.0),
    ("The United States is large.", "reporting_verb", 0.0),  # "States" capitalised is not a verb
])
def test_single_features(text, feature, value):
    assert features(text)[feature] == pytest.approx(value)


def test_empty_and_length():
    assert cue_vector("") == [0.0] * len(CUE_FEATURES)
    assert features("One two three.")["log_length"] == pytest.approx(math.log1p(3) / 5)
    assert cue_matrix([]).shape == (0, len(CUE_FEATURES))
    assert cue_matrix(["a", "b c"]).shape == (2, len(CUE_FEATURES))


def test_quote_state_and_source_vector():
    assert quote_state("“It began here,", "and it ends here,” she said.", "") == [1.0, 1.0, 0.0, 0.0]
    assert quote_state("", "“It opens here.", "And closes here.”") == [0.0, 0.0, 1.0, 1.0]
    assert source_type_vector("anonymous_intelligence", "pronoun->earlier source") == [0, 1, 0, 0, 0, 1, 0]
    assert source_type_vector(None, "quote carry-over") == [0, 0, 0, 0, 1, 0, 1]
