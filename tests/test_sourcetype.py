import pytest

from scorer.sourcetype import SourceResolver, classify_phrase, relative_antecedent

N, A, O = "named_source", "anonymous_intelligence", "outlet_claim"


@pytest.mark.parametrize("phrase,label", [
    ("Trump", N), ("Mr. Trump", N), ("The Clinton campaign", N), ("the Pentagon", N),
    ("The State Department", N), ("Trump adviser Roger Stone", N), ("Fox News host Sean Hannity", O), ("moderator Gerard Baker", O),
    ("a Gallup poll", N), ("Judicial Watch", N),
    ("officials", A), ("Clinton aides", A), ("a senior official", A), ("two people familiar with the matter", A),
    ("a source close to the campaign", A), ("US intelligence agencies", A), ("polls", A), ("some", A), ("critics", A), ("Sanders protesters", A),
    ("CNN", O), ("The New York Times", O), ("the Associated Press", O), ("a report in the Washington Post", O),
    ("the newspaper", O),
])
def test_phrase_types(phrase, label):
    assert classify_phrase(phrase).label == label


@pytest.mark.parametrize("phrase,method", [("he", "pronoun"), ("They", "pronoun"), ("who", "relative"),
                                           ("the campaign", "role noun"), ("the 43-year-old", "role noun")])
def test_context_dependent_phrases_defer(phrase, method):
    assert classify_phrase(phrase)[:2] == (None, method)


def test_pronouns_resolve_to_the_nearest_compatible_source():
    text = "Officials said the talks stalled. Smith, the envoy, said he was hopeful. He added that more was needed."
    r = SourceResolver(text)
    assert r.resolve(0, "Officials").label == A
    assert r.resolve(text.index("Smith"), "Smith").label == N
    he = r.resolve(text.index("He added"), "He")
    assert he.label == N and he.method == "pronoun->earlier source"


def test_they_after_anonymous_officials_stays_anonymous():
    text = "Two officials said the plan was dead. They added it could return."
    r = SourceResolver(text)
    r.resolve(0, "Two officials")
    assert r.resolve(text.index("They"), "They").label == A


def test_relative_pronoun_uses_its_antecedent():
    text = "The plan was backed by Senator Jane Ruiz, who said it would pass."
    assert relative_antecedent(text, text.index("who")).endswith("by Senator Jane Ruiz")
    assert SourceResolver(text).resolve(text.index("who"), "who").label == N
