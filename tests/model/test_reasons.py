"""Reasons that hold: a hedge or a specific word is named only in its sense (issue #23, point 4).

Each sentence goes through the public scoring API; the reasons strings are checked. The sentences were chosen so
that the old word lists named the wrong sense: `hedged: 'May'` for Theresa May, `hedged: 'might'` for "military
might", `specific: 'today'`."""
import pytest

import scorer
from scorer.model.support import hedge_words, specific_words


def reasons(text: str) -> list[str]:
    rows = scorer.score(text).sentences_list
    assert len(rows) == 1
    return rows[0]["reasons"]


def hedged(text: str) -> str | None:
    return next((r for r in reasons(text) if r.startswith("hedged:")), None)


def specific(text: str) -> str | None:
    return next((r for r in reasons(text) if r.startswith("specific:")), None)


def test_theresa_may_is_not_a_hedge():
    assert hedged("Prime Minister Theresa May met EU leaders in Brussels on Tuesday.") is None
    assert hedged("May said she would not resign.") is None


def test_modal_may_beside_the_name_is_the_only_hedge_named():
    assert hedged("The talks may collapse, Theresa May told MPs on Tuesday.") == "hedged: 'may'"


def test_military_might_is_not_a_hedge_but_modal_might_is():
    assert hedged("Russia showed off its military might in a parade.") is None
    assert hedged("Officials said the strike might have killed 40 people.") == "hedged: 'might'"


def test_relative_dates_are_not_specific():
    assert specific("The minister announced the plan today.") is None
    assert specific("The minister announced the plan yesterday, saying 300 jobs would go by 4 March 2019.") \
        == "specific: '300', '4', 'March', '2019'"
    assert specific("The minister announced the plan on 4 March 2019.") == "specific: '4', '2019', 'March'"


@pytest.mark.parametrize("text, expected", [
    ("He may resign.", ["may"]),
    ("May I ask a question?", ["May"]),
    ("The vote is set for May 5.", []),
    ("Mrs May and her ministers may meet again in May.", ["may"]),
    ("With all their might they pushed, and it might work.", ["might"]),
    ("The US showed its might; the rival might win anyway.", ["might"]),
    ("It could be revived, they said.", ["could"]),
])
def test_hedge_words(text, expected):
    assert hedge_words(text) == expected


def test_specific_words():
    assert specific_words("One of them left today.") == []
    assert specific_words("One official and two aides left on Friday.") == ["One", "two", "Friday"]
