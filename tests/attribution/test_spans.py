"""The rule that finds a sentence's source and cue (scorer/attribution/spans.py)."""
import pytest

from scorer.attribution.spans import find_attribution


@pytest.mark.parametrize("sentence,source,cue", [
    ("The Pentagon says the US has withdrawn from five bases.", "The Pentagon", "says"),
    ("“We will win,” said the senator.", "the senator", "said"),
    ("The vote is on Tuesday, officials said.", "officials", "said"),
    ("The plan stalled, according to two people familiar with the talks.", "two people familiar with the talks", "according to"),
    ("Smith told reporters the deal was done.", "Smith", "told"),
    ("New jobs were announced by the governor on Monday.", "the governor", "announced"),
    # a second verb of the sentence's subject: the subject speaks, not the clause after the cue
    ("He called her handling of the files “extremely careless,” and said any “reasonable person” should have known.",
     "He", "said"),
    ("FBI Director James Comey spoke on Tuesday and said nothing was hidden.", "FBI Director James Comey", "said"),
    ("Officials met on Monday and said it was over.", "Officials", "said"),
])
def test_source_and_cue(sentence, source, cue):
    found = find_attribution(sentence)
    assert (found.source, found.cue) == (source, cue)
    assert sentence[found.source_start:found.source_end] == source


@pytest.mark.parametrize("sentence", [
    "The plan failed and said nothing about the budget.",  # no subject that can speak: no source from this cue
    "The vote was held on Tuesday.",
])
def test_no_source(sentence):
    assert find_attribution(sentence).source is None


def test_a_clause_after_the_cue_is_not_an_inverted_speaker():
    # "said it was" / "said any" open the reported clause; they are not "said Smith"
    assert find_attribution("Yesterday, said it was fine.").source is None
