"""The report's spans: `source_span`, `cue_span` and `content_span` are null or [start, end] offsets into the article
text inside their sentence, the source span is the mention in this sentence, and the shipped tagger finds the
source, cue and content of plain written attributions, across sentences too."""
import json

from scorer import Scorer
from scorer.text.segment import split_article

ARTICLE = "\n\n".join([
    "Senate Vote Delayed Again",
    "WASHINGTON — The Democratic National Committee said on Monday that the ruling would be appealed. "
    "They added that the judge had ignored the evidence.",
    "Hope Hicks, a campaign spokeswoman, said the rally in Ohio was cancelled. "
    "The spokeswoman added that no new date had been set.",
    "A Quinnipiac University poll released Tuesday found Clinton ahead by five points. "
    "The poll showed Trump trailing among women.",
    "“We will win this state,” said Maria Lopez, the party chairwoman. “Nobody can stop us now.”",
    "The committee will meet again next week.",
]) + "\n"


def _report(example_text=None):
    return Scorer().score(example_text or ARTICLE)


def _sentence(report, starts_with: str) -> dict:
    return next(s for s in report.sentences_list if s["text"].startswith(starts_with))


def test_spans_are_offsets_inside_their_sentence(example_text):
    for text in (ARTICLE, example_text):
        report = Scorer().score(text)
        data = json.loads(report.to_json())
        for s in data["sentences"]:
            for key in ("source_span", "cue_span", "content_span"):
                span = s[key]
                assert span is None or (s["start"] <= span[0] < span[1] <= s["end"]), (key, s)
            if s["source_span"] is not None:
                assert text[s["source_span"][0]:s["source_span"][1]] == s["source_phrase"]
            if s["cue_span"] is not None:
                assert text[s["cue_span"][0]:s["cue_span"][1]] == s["cue"]
            if s["source"] is None:
                assert s["source_span"] is None and s["cue_span"] is None


def test_the_tagger_finds_source_cue_and_content():
    report = _report()
    first = _sentence(report, "WASHINGTON")
    assert first["source"] == "The Democratic National Committee" and first["cue"] == "said"
    assert ARTICLE[first["content_span"][0]:first["content_span"][1]] == "that the ruling would be appealed"


def test_a_pronoun_source_is_reported_as_the_name_it_refers_to():
    report = _report()
    added = _sentence(report, "They added")
    assert added["source"] == "The Democratic National Committee"
    assert ARTICLE[added["source_span"][0]:added["source_span"][1]] == "They"
    assert added["attribution_type"] == "named_source"


def test_the_poll_is_the_named_poll():
    showed = _sentence(_report(), "The poll showed")
    assert showed["source"].startswith("A Quinnipiac University poll")
    assert ARTICLE[showed["source_span"][0]:showed["source_span"][1]] == "The poll"


def test_segmentation_is_as_expected():
    # the sentences above are what the tests address
    texts = [s.text for s in split_article(ARTICLE)[0]]
    assert any(t.startswith("They added") for t in texts) and any(t.startswith("The poll showed") for t in texts)
