"""Article summary: source merging, carry-over and the reader flags, on small hand-made articles."""
import pytest

from scorer.pipeline import Scorer
from scorer.report.summary import flags, merge_sources, source_key


def row(i, label, source=None, text="x", support=0.5, corroborated_by=None, grade=None, via=None, cue=None):
    return {"index": i, "attribution_type": label, "source": source, "text": text, "support": support,
            "support_grade": round(support * 3) if grade is None else grade, "corroborated_by": corroborated_by,
            "via": via, "cue": cue}


def test_source_key_and_merging():
    assert source_key("Mr. Trump’s") == "trump" and source_key("the State Department") == "state department"
    rows = [row(0, "named_source", "Donald Trump"), row(1, "named_source", "Mr. Trump"), row(2, "named_source", "Trump"),
            row(3, "anonymous_intelligence", "officials"), row(4, "editorial_opinion", None)]
    merged = merge_sources(rows)
    assert merged[0] == {"name": "Donald Trump", "type": "named_source", "count": 3, "sentences": [0, 1, 2]}
    assert merged[1]["name"] == "officials" and len(merged) == 2


def test_flags():
    """Each flag on a small article made to trip it (the rules: docs/flags.md; more cases in test_flags.py)."""
    rows = [row(0, "outlet_claim", text="Deal collapses over border dispute"),
            row(1, "anonymous_intelligence", "officials", text="Officials said the deal may collapse over the border dispute."),
            row(2, "anonymous_intelligence", "officials", text="The deal could still be revived, they said."),
            row(3, "editorial_opinion", support=0.1), row(4, "editorial_opinion", support=0.1),
            row(5, "editorial_opinion", support=0.1),
            row(6, "outlet_claim", "the Times", text="The Times reported the border dispute first.", cue="reported"),
            row(7, "outlet_claim", text="Talks resume on Monday."), row(8, "outlet_claim", text="Both sides met in Geneva."),
            row(9, "outlet_claim", text="The talks began in June."), row(10, "outlet_claim", text="Ten rounds were held.")]
    shares = {"named_source": 0, "anonymous_intelligence": 2 / 11, "outlet_claim": 6 / 11, "editorial_opinion": 3 / 11}
    got = flags(rows, 0, merge_sources(rows), shares)
    assert "main claim rests on anonymous sources" in got
    assert "opinion mixed into a news story" in got
    assert any(f.startswith("headline more certain than the body") for f in got)
    assert "another outlet's report relayed without independent confirmation (the Times)" in got
    single = [row(i, "named_source", "the mayor") for i in range(3)]
    assert "single-source story (the mayor)" in flags(single, None, merge_sources(single),
                                                      {"named_source": 1.0, "anonymous_intelligence": 0,
                                                       "outlet_claim": 0, "editorial_opinion": 0})


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def test_pronoun_and_role_noun_merge_into_one_source(scorer):
    text = ("The State Department said on Monday that the talks would resume. "
            "The department added that a date had not been set. "
            "“We remain hopeful,” they said.")
    report = scorer.score(text)
    entries = [s for s in report.summary["sources"] if "Department" in s["name"]]
    assert len(entries) == 1 and entries[0]["count"] == 3


def test_quote_over_two_sentences_keeps_its_speaker(scorer):
    text = ("Senator Jane Ruiz spoke to reporters on Tuesday. She said: “We will not back down. "
            "We have the votes and we will pass it.” The vote is set for Friday.")
    rows = scorer.score(text).sentences_list
    assert rows[1]["source"] and rows[1]["source_phrase"] == "She"
    inside = next(r for r in rows if r["text"].startswith("We have the votes"))
    assert inside["source"] == rows[1]["source"]
