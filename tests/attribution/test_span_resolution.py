"""Spans across sentences, on sentences written for the test: the tagged spans of each sentence (given here as the
tagger would give them) are resolved in the article: a pronoun or role-noun source to the named source it refers
back to, a quotation over several sentences keeps its speaker, "the survey"/"the poll" is the named document."""
from scorer.model.inputs import article_inputs
from scorer.text.segment import Sentence


def _article(parts: list[tuple[str, dict[str, list[str]]]]):
    """(text, sentences, spans): sentences joined by a space, each with role -> the phrases tagged in it."""
    text, sentences, spans = "", [], []
    for sentence, roles in parts:
        start = len(text) + (1 if text else 0)
        text = f"{text} {sentence}" if text else sentence
        sentences.append(Sentence(start, start + len(sentence), sentence))
        found = {"SOURCE": [], "CUE": [], "CONTENT": []}
        for role, phrases in roles.items():
            for phrase in phrases:
                k = sentence.index(phrase)
                found[role].append((start + k, start + k + len(phrase)))
        spans.append(found)
    return text, sentences, spans


def _rows(parts):
    text, sentences, spans = _article(parts)
    inputs = article_inputs(text, sentences, spans=spans)
    return text, inputs.records(["source", "source_start", "source_end", "cue", "src_type", "src_method",
                                 "src_refers_to", "inherited_source", "content_start", "content_end"])


def test_pronoun_source_resolves_to_the_earlier_named_source():
    text, rows = _rows([
        ("The Democratic National Committee said on Monday that it would appeal the ruling.",
         {"SOURCE": ["The Democratic National Committee"], "CUE": ["said"], "CONTENT": ["it would appeal the ruling"]}),
        ("They added that the judge had ignored the evidence.",
         {"SOURCE": ["They"], "CUE": ["added"], "CONTENT": ["the judge had ignored the evidence"]}),
    ])
    second = rows[1]
    assert second["source"] == "They" and text[second["source_start"]:second["source_end"]] == "They"
    assert second["src_refers_to"] == "The Democratic National Committee"
    assert second["src_type"] == "named_source"
    assert text[second["content_start"]:second["content_end"]] == "the judge had ignored the evidence"


def test_role_noun_source_resolves_to_the_person_introduced_with_it():
    _, rows = _rows([
        ("Hope Hicks, a campaign spokeswoman, said the rally in Ohio was cancelled.",
         {"SOURCE": ["Hope Hicks"], "CUE": ["said"], "CONTENT": ["the rally in Ohio was cancelled"]}),
        ("Local officials welcomed the decision.", {}),
        ("The spokeswoman added that no new date had been set.",
         {"SOURCE": ["The spokeswoman"], "CUE": ["added"], "CONTENT": ["no new date had been set"]}),
    ])
    assert rows[2]["src_refers_to"] == "Hope Hicks"
    assert rows[2]["src_type"] == "named_source"


def test_a_quotation_over_several_sentences_keeps_its_speaker():
    _, rows = _rows([
        ("Maria Lopez said: “We will win this state.",
         {"SOURCE": ["Maria Lopez"], "CUE": ["said:"], "CONTENT": ["“We will win this state."]}),
        ("Nobody can stop us now.", {"CONTENT": ["Nobody can stop us now"]}),
        ("The numbers are there.”", {"CONTENT": ["The numbers are there.”"]}),
        ("The polls close at eight.", {}),
    ])
    assert rows[1]["inherited_source"] == "Maria Lopez" and rows[2]["inherited_source"] == "Maria Lopez"
    assert rows[1]["src_type"] == rows[2]["src_type"] == "named_source"
    assert rows[3]["inherited_source"] is None and rows[3]["src_type"] == "none"


def test_a_paraphrase_tagged_as_content_keeps_the_speaker_without_quotation_marks():
    _, rows = _rows([
        ("Senator Ron Wyden said the bill was dead.",
         {"SOURCE": ["Senator Ron Wyden"], "CUE": ["said"], "CONTENT": ["the bill was dead"]}),
        ("Its sponsors had given up on it weeks ago.", {"CONTENT": ["Its sponsors had given up on it weeks ago"]}),
    ])
    assert rows[1]["inherited_source"] == "Senator Ron Wyden" and rows[1]["src_method"] == "content carry-over"


def test_the_survey_and_the_poll_are_the_named_document():
    _, rows = _rows([
        ("A Quinnipiac University poll released Tuesday found Clinton ahead by five points.",
         {"SOURCE": ["A Quinnipiac University poll released Tuesday"], "CUE": ["found"],
          "CONTENT": ["Clinton ahead by five points"]}),
        ("Trump's campaign manager said the race would tighten.",
         {"SOURCE": ["Trump's campaign manager"], "CUE": ["said"], "CONTENT": ["the race would tighten"]}),
        ("The survey also found that most voters distrust both candidates.",
         {"SOURCE": ["The survey"], "CUE": ["also found"], "CONTENT": ["most voters distrust both candidates"]}),
        ("The poll showed Trump trailing among women.",
         {"SOURCE": ["The poll"], "CUE": ["showed"], "CONTENT": ["Trump trailing among women"]}),
    ])
    assert rows[0]["src_type"] == "named_source"
    for row in rows[2:]:
        assert row["src_refers_to"] == "A Quinnipiac University poll released Tuesday"
        assert row["src_type"] == "named_source" and row["src_method"] == "role noun->named document"
