import pytest

from scorer.attribution.sources import SourceResolver, classify_phrase, relative_antecedent

N, A, O = "named_source", "anonymous_intelligence", "outlet_claim"


@pytest.mark.parametrize("phrase,label", [
    ("Trump", N), ("Mr. Trump", N), ("The Clinton campaign", N), ("the Pentagon", N),
    ("The State Department", N), ("Trump adviser Roger Stone", N), ("Fox News host Sean Hannity", O), ("moderator Gerard Baker", O),
    ("a Gallup poll", N), ("Judicial Watch", N),
    ("officials", A), ("Clinton aides", A), ("a senior official", A), ("two people familiar with the matter", A),
    ("a source close to the campaign", A), ("US intelligence agencies", A), ("polls", A), ("some", A), ("critics", A), ("Sanders protesters", A),
    ("CNN", O), ("The New York Times", O), ("the Associated Press", O), ("a report in the Washington Post", O),
    ("the newspaper", O),
    ("Senate Majority Leader Mitch McConnell", N),  # "Majority Leader" is a title, not a poll share
    ("FEC reports", N), ("Census Bureau figures", N),  # a named body's documents (rule 6)
    ("Recent reports", A), ("New Polls", A), ("Media reports", A),  # a capital from the sentence start is no name
    ("a Washington Post report", O), ("Turkish news reports", O),  # another outlet's reporting (rule 6)
    # a group that names its members takes their type; a list of other things, or unnamed members, does not
    ("others, including Sen. Jeff Merkley (D-Ore.) and Rep. Raul Grijalva (D-Ariz.),", N),
    ("The three constitutional scholars -- Mr. Tribe, Ms. Epstein and Mr. Amar --", N),
    ("Several fact checkers, including The Washington Post,", O),
    ("Many Democrats, including Clinton's advisers,", A), ("officials, including two from the State Department", A),
    ("insiders in the next two states — Nevada and South Carolina —", A),
    ("Many speakers at the service — including Muslims, Christians, Catholics, Jews —", A),
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


def test_journalist_named_earlier_asking_is_the_outlet_but_giving_views_is_named():
    text = ("In an interview with Fox News’ Sean Hannity on Monday, Trump spoke. "
            "“Would it be negotiable?” Hannity pressed. “It is,” he said. "
            "Later Hannity said the wall was a great idea.")
    r = SourceResolver(text)
    asked = r.resolve(text.index("Hannity pressed"), "Hannity", cue_text="pressed")
    assert asked.label == O and asked.method == "journalist in role (named earlier)"
    # the answer's "he" is the interviewee, not the journalist who asked
    assert r.resolve(text.index("he said"), "he", cue_text="said").label == N
    assert r.resolve(text.index("Hannity said"), "Hannity", cue_text="said").label == N
    # a different person sharing a first name with no journalist intro stays named
    assert SourceResolver("Sean Smith asked a question.").resolve(0, "Sean Smith", cue_text="asked").label == N


def test_journalist_introduced_by_role_word():
    text = "Trump spoke with conservative chat host Hugh Hewitt. “Why?” Hewitt asked."
    r = SourceResolver(text)
    assert r.resolve(text.index("Hewitt asked"), "Hewitt", cue_text="asked").label == O


@pytest.mark.parametrize("text,antecedent", [
    ("The couple started Quadrivium, a foundation that", "Quadrivium"),
    ("John Smith, a lawyer who", "John Smith"),
    ("the group, a coalition that", "a coalition"),
    ("Trump, who", "Trump"),
])
def test_relative_pronoun_after_an_apposition_refers_to_the_name(text, antecedent):
    start = text.rindex(" ") + 1
    assert relative_antecedent(text + " x", start) == antecedent


def test_religious_adjectives_are_not_names():
    assert classify_phrase("a large Jewish population").label == A


def test_piece_in_another_outlet():
    from scorer.attribution.sources import piece_in_outlet

    assert piece_in_outlet("points out in a column on Yahoo News")
    assert piece_in_outlet("wrote in a piece for The Washington Post")
    assert not piece_in_outlet("said in an interview with CNN")
    assert not piece_in_outlet("publishing an op-ed in The Washington Post")  # an op-ed is the author's own words
    assert not piece_in_outlet(None)


def test_first_person_is_a_named_speaker_not_an_earlier_anonymous_source():
    text = ("Officials said the plan was ready. Q: What do you make of it? "
            "A: I think it's in our interests.")
    r = SourceResolver(text)
    r.resolve(0, "Officials")
    first = r.resolve(text.index("I think"), "I")
    assert first.label == N
    text = "Smith, the mayor, spoke. Officials disagreed. “I will not resign,” the mayor said. I know that."
    r = SourceResolver(text)
    r.resolve(0, "Smith")
    r.resolve(text.index("Officials"), "Officials")
    assert r.resolve(text.index("I know"), "I").refers_to == "Smith"  # the nearest named source, skipping the officials


def test_plural_capitalised_only_by_sentence_start_is_a_common_noun():
    text = "Protesters said the march would go on. Later, protesters and police met. Sanders said no."
    r = SourceResolver(text)
    assert r.resolve(0, "Protesters").label == A
    assert r.resolve(text.index("Sanders"), "Sanders").label == N  # no lower-case 'sanders' in the article
    text = "Small said the fee was too high. A small fee."
    assert SourceResolver(text).resolve(0, "Small").label == N  # singular words may be surnames


def test_a_majority_is_a_poll_share():
    assert classify_phrase("A majority of Cubans here")[:2] == (None, "poll share")


def test_poll_share_rests_on_a_poll_named_anywhere_earlier():
    text = "A new Quinnipiac University poll came out on Monday. " + "Filler text about the race. " * 40 \
        + "On guns, 52 percent of voters say they want change."
    r = SourceResolver(text)
    assert r.resolve(text.index("52 percent"), "52 percent of voters").label == N
    no_poll = "Filler text about the race. " * 5 + "On guns, 52 percent of voters say they want change."
    assert SourceResolver(no_poll).resolve(no_poll.index("52"), "52 percent of voters").label is None


def test_transcript_interviewer_is_the_outlet_at_work():
    text = ('Partial transcript as follows:\n\n"WALLACE: Why would Trump do that?\n\n"PENCE: Well, look, it was a joke.'
            '\n\n"WALLACE: If I may, sir. Will she be there?\n\n"PENCE: I do not know. We will see.\n')
    r = SourceResolver(text)
    wallace = r.resolve(text.index("WALLACE: If"), "WALLACE", cue_text=":")
    assert wallace.label == O and "transcript interviewer" in wallace.method
    assert r.resolve(text.index("PENCE: I"), "PENCE", cue_text=":").label == N


def test_speaker_labels_without_an_interviewer_stay_named():
    text = "SMITH: We will win.\n\nJONES: No, we will.\n\nSMITH: Never.\n"
    assert SourceResolver(text).resolve(text.index("SMITH: Never"), "SMITH", cue_text=":").label == N


def test_a_source_who_asked_for_anonymity_is_anonymous():
    text = "Back home, said the woman, who spoke on the condition of anonymity because she feared her employer. " \
           "Now 46, she is terrified."
    r = SourceResolver(text)
    assert r.resolve(text.index("the woman"), "the woman").label == A
    assert r.resolve(text.index("she is"), "she").label == A


def test_role_noun_repeating_an_unnamed_person_keeps_the_type():
    text = "Senator Smith spoke first. A second CIA officer backed the account. In an email, the officer said no."
    r = SourceResolver(text)
    r.resolve(0, "Senator Smith")
    assert r.resolve(text.index("A second"), "A second CIA officer").label == A
    officer = r.resolve(text.index("the officer"), "the officer")
    assert officer.label == A and officer.method == "role noun->same noun earlier"


def test_title_case_headline_capitals_are_not_names():
    text = "Frustrated Parents Rally Nationwide To Reclaim Our Schools\n\nParents marched on Monday with Mayor Ruiz."
    r = SourceResolver(text)
    assert r.resolve(0, "Frustrated Parents").label == A
    named = "Trevor Noah Says Trump Is Wrong\n\nThe host Trevor Noah said so on Thursday."
    assert SourceResolver(named).resolve(0, "Trevor Noah").label == N


def test_they_with_no_antecedent_is_unidentified_people():
    text = "climate deal won't erase uncertainties; unless countries act, they say, the world could suffer."
    assert SourceResolver(text).resolve(text.index("they"), "they").label == A
