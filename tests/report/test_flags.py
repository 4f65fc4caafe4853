"""The reader flags fire when their rule holds and not otherwise (issue #23, point 3; rules and measured rates in
docs/flags.md): an opinion piece is recognised and not flagged as opinion mixed into news, the headline flag needs a
flat headline over weak body sentences, relay flags name an outlet of the lexicon or nothing."""
import pytest

import scorer
from scorer.report.summary import (
    OPINION_PIECE_FLAG,
    flags,
    is_opinion_piece,
    merge_sources,
    outlet_named,
)

MIXED = "opinion mixed into a news story"
CERTAIN = "headline more certain than the body"
RELAY = "another outlet's report relayed without independent confirmation"


def row(i, label, text="x", source=None, grade=2, via=None, cue=None, corroborated_by=None):
    return {"index": i, "attribution_type": label, "text": text, "source": source, "support": grade / 3,
            "support_grade": grade, "via": via, "cue": cue, "corroborated_by": corroborated_by}


def run(rows, head=0):
    n = len(rows)
    shares = {k: sum(r["attribution_type"] == k for r in rows) / n
              for k in ("named_source", "anonymous_intelligence", "outlet_claim", "editorial_opinion")}
    return flags(rows, head, merge_sources(rows), shares)


def names(got):
    return [f.split(" (", 1)[0] for f in got]


OPED = """Why I changed my mind about the bypass

I have lived in this town for thirty years, and I opposed the bypass from the start.

I was wrong. The traffic on the high street has become unbearable, and our children breathe its fumes every morning.

The council should stop dithering and build the road before another winter of gridlock.

Critics say it will ruin the meadow. I understand the worry, but a town that chokes on its own traffic is no place to raise a family.

It is time for the council to show some courage.

Jane Doe is a retired professor of history at the local college.
"""


def test_an_op_ed_is_recognised_and_not_flagged_as_opinion_mixed_into_news():
    got = scorer.score(OPED).summary["flags"]
    assert OPINION_PIECE_FLAG in got and MIXED not in got


def test_opinion_piece_rules():
    letter = [row(0, "outlet_claim", "Sir, the bypass")] + [row(i, "editorial_opinion") for i in range(1, 5)] + [
        row(5, "outlet_claim"), row(6, "named_source", source="the council")]
    assert is_opinion_piece(letter, 0)  # four of six body sentences the writer's judgement
    assert OPINION_PIECE_FLAG in run(letter) and MIXED not in run(letter)
    voice = [row(0, "outlet_claim", "Headline")] + [row(i, "outlet_claim", f"I saw it happen on day {i}.")
                                                   for i in range(1, 4)] + [row(4, "named_source", source="she")]
    assert is_opinion_piece(voice, 0)
    quoted = [row(0, "outlet_claim", "Headline")] + [row(i, "outlet_claim", f"“I saw it happen on day {i}.”")
                                                    for i in range(1, 4)]
    assert not is_opinion_piece(quoted, 0)  # a quoted speaker's "I" is not the writer's voice
    bio = [row(0, "outlet_claim", "Headline"), row(1, "outlet_claim", "The plan failed."),
           row(2, "outlet_claim", "Michael Haltzel, a former adviser to the senator, is Senior Fellow at the Center.")]
    assert is_opinion_piece(bio, 0)
    staff = bio[:2] + [row(2, "outlet_claim", "AWR Hawkins is the Second Amendment columnist for Breitbart News.")]
    assert not is_opinion_piece(staff, 0)  # a staff line closes news reports too


def test_opinion_mixed_into_news_needs_three_sentences_and_a_sixth_of_the_body():
    news = [row(0, "outlet_claim", "Headline")] + [row(i, "named_source", source="the mayor") for i in range(1, 15)]
    two = news[:3] + [row(3, "editorial_opinion"), row(4, "editorial_opinion")] + news[5:]
    assert MIXED not in run(two)
    three = two[:5] + [row(5, "editorial_opinion")] + two[6:]
    assert MIXED in run(three)  # 3 of 14 body sentences
    long = three + [row(i, "named_source", source="the mayor") for i in range(15, 30)]
    assert MIXED not in run(long)  # 3 of 29: under 15%


@pytest.mark.parametrize("head_text, head_label, grades, fires", [
    ("Council to close the library", "outlet_claim", (1, 1, 2), True),       # most carriers weak
    ("Council to close the library", "outlet_claim", (2, 2, 1), False),      # most carriers sound
    ("Council may close the library", "outlet_claim", (1, 1, 1), False),     # the headline hedges
    ("Council to close the library, mayor says", "named_source", (1, 1, 1), False),  # attributed headline
])
def test_headline_more_certain_than_the_body(head_text, head_label, grades, fires):
    rows = [row(0, head_label, head_text)] + [
        row(i + 1, "outlet_claim", f"The council could close the library next year, sentence {i}.", grade=g)
        for i, g in enumerate(grades)] + [row(4, "named_source", "The weather was fine.", source="the mayor")]
    assert (CERTAIN in names(run(rows))) is fires


def test_headline_flag_needs_two_sentences_carrying_the_headline():
    rows = [row(0, "outlet_claim", "Council to close the library"),
            row(1, "outlet_claim", "The council could close the library next year.", grade=0),
            row(2, "outlet_claim", "Rain fell all day.", grade=0), row(3, "outlet_claim", "Roads flooded.", grade=0)]
    assert CERTAIN not in names(run(rows))


@pytest.mark.parametrize("phrase, outlet", [
    ("the CNN", "CNN"), ("The New York Post", "New York Post"), ("a BBC", "BBC"), ("Reuters news agency", "Reuters"),
    ("cutting off a reporter who", None), ("Editor's", None), ("its website", None), ("newspaper", None),
    ("Liam Fox", None), ("three times", None),
])
def test_outlet_named(phrase, outlet):
    assert outlet_named(phrase) == outlet


def test_relay_flags_name_an_outlet_or_nothing():
    junk = [row(0, "outlet_claim", "Headline"), row(1, "anonymous_intelligence", "x", via="cutting off a reporter who"),
            row(2, "outlet_claim", "x", source="Editor's", cue="said"), row(3, "outlet_claim", "x")]
    assert not any(f.startswith(RELAY) for f in run(junk))
    cnn = [row(0, "outlet_claim", "Headline"), row(1, "anonymous_intelligence", "x", source="officials", via="CNN"),
           row(2, "outlet_claim", "x")]
    assert f"{RELAY} (CNN)" in run(cnn)
    party = [row(0, "outlet_claim", "Headline"), row(1, "outlet_claim", "x", source="The BBC", cue="denied")]
    assert not any(f.startswith(RELAY) for f in run(party))  # the outlet as a party to the news, not reporting it
    on_record = [row(0, "outlet_claim", "Headline"), row(1, "named_source", "x", source="the minister", via="the BBC")]
    assert not any(f.startswith(RELAY) for f in run(on_record))  # "the minister told the BBC": on the record


def test_flag_rates_on_ordinary_news(shared_data):
    """On the BBC pool (250 ordinary news articles) no flag fires on more than one article in ten (before: "opinion
    mixed into a news story" on 16%, "headline more certain than the body" on 32%; tools/flag_rates.py)."""
    from collections import Counter

    s = scorer.Scorer()
    paths = sorted((shared_data / "bbc" / "articles").glob("*.txt"))
    counts = Counter(f.split(" (", 1)[0] for p in paths for f in s.score(p.read_text(encoding="utf-8")).summary["flags"])
    assert len(paths) == 250
    assert all(n <= 25 for n in counts.values()), counts
    assert counts[MIXED] >= 1 and counts[CERTAIN] >= 1  # still fire where they hold
