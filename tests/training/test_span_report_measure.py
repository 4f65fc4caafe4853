"""The issue's sentence-level measure of the source a report names, against the human Source spans of the
sentence (token-overlap F1 >= 0.5), on a document written for the test."""
from scorer.attribution.tagger import sentence_tokens
from scorer.text.segment import Sentence
from scorer.training.brat import parse_ann
from scorer.training.spantagger import SpanDocument, format_span_figures, gold_tags, report_source_measures

TEXT = "Senior officials in Ohio said the deal is off. “It is over,” Smith told CNN. The weather was fine."
ANN = "\n".join([
    "T1\tSource 0 24\tSenior officials in Ohio", "T2\tCue 25 29\tsaid", "T3\tContent 30 45\tthe deal is off",
    "T4\tAttribution 25 29\tsaid", "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
    "T5\tContent 47 60\t“It is over,”", "T6\tSource 61 66\tSmith", "T7\tCue 67 71\ttold",
    "T8\tAttribution 67 71\ttold", "E2\tAttribution:T8 Content:T5 Cue:T7 Source:T6"])
SENTS = [(0, 46), (47, 76), (77, len(TEXT))]


def _doc():
    sents = [Sentence(s, e, TEXT[s:e]) for s, e in SENTS]
    tokens = sentence_tokens(TEXT, sents)
    return SpanDocument("t", TEXT, sents, tokens, gold_tags(TEXT, parse_ann(ANN), tokens))


def _report(*spans, sources=None):
    sources = sources or [None if s is None else TEXT[s[0]:s[1]] for s in spans]
    return {"sentences": [{"start": start, "source_span": None if span is None else list(span), "source": src}
                          for (start, _), span, src in zip(SENTS, spans, sources)]}


def test_a_source_matching_a_human_span_by_half_its_tokens_counts():
    doc = _doc()
    assert TEXT[0:24] == "Senior officials in Ohio" and TEXT[25:29] == "said" and TEXT[61:66] == "Smith"
    # "officials in Ohio" (3 of 4 tokens: F1 6/7) and "Smith": both match
    m = report_source_measures([doc], [_report((7, 24), (61, 66), None)])
    assert m == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "named": 2, "gold": 2, "inherited": 0}


def test_a_wrong_or_too_short_source_does_not_count_and_a_missed_one_lowers_recall():
    doc = _doc()
    # "Ohio" (1 of 4 tokens: F1 0.4) is not a match; "The weather" names a source where there is none
    m = report_source_measures([doc], [_report((20, 24), None, (77, 88))])
    assert m == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "named": 2, "gold": 2, "inherited": 0}
    m = report_source_measures([doc], [_report((0, 24), None, None, sources=[None, "Smith", None])])
    assert m == {"precision": 1.0, "recall": 0.5, "f1": 0.667, "named": 1, "gold": 2, "inherited": 1}


def test_a_refused_document_names_nothing_and_the_figure_is_printed():
    doc = _doc()
    m = report_source_measures([doc], [None])
    assert m["named"] == 0 and m["gold"] == 2 and m["recall"] == 0.0
    measures = {"exact": {}, "overlap": {}, "detection": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "n": 3}}
    for measure in ("exact", "overlap"):
        measures[measure] = {r: {"precision": 0.0, "recall": 0.0, "f1": 0.0} for r in ("SOURCE", "CUE", "CONTENT")}
    figures = {"n_articles": 1, "tagger": dict(measures, report_source=m), "rules": dict(measures)}
    lines = format_span_figures(figures)
    assert sum("source the report names" in line for line in lines) == 1
    assert any("R 0.000" in line and "0 sentences name one, 2 have one" in line for line in lines)


class _FakeReport:
    def __init__(self, d):
        self.d = d

    def to_dict(self):
        return self.d


class _FakeScorer:
    """Scores like a Scorer whose span tagger names a source only when it is a tagger and not the rules."""

    def __init__(self):
        self.spans = "tagger"
        self.seen = []

    def score_batch(self, items):
        from scorer.errors import InputError

        self.seen.append(self.spans)
        named = self.spans == "tagger"
        return [_FakeReport(_report((7, 24) if named else None, None, None)), InputError("nothing to score")][
            :len(items)]


def test_report_sources_score_with_the_tagger_or_with_the_rules_in_its_place():
    from scorer.training.spantagger import report_sources

    scorer, doc = _FakeScorer(), _doc()
    learned = report_sources(scorer, [doc, doc])
    rules = report_sources(scorer, [doc, doc], rules=True)
    assert scorer.seen[0] == "tagger" and scorer.seen[1].spans_many([("a", []), ("b", [])]) == [None, None]
    assert scorer.spans == "tagger"  # put back
    assert learned[1] is None and rules[1] is None  # a refused article
    assert report_source_measures([doc, doc], learned)["named"] == 1
    assert report_source_measures([doc, doc], rules)["named"] == 0
