"""Training the span tagger: gold tags from PolNeAR's spans, deterministic training, the numpy decoder giving
crfsuite's own tags, and the span measures."""
import numpy as np
import pytest

from scorer.attribution.tagger import TAGS, sentence_tokens
from scorer.text.segment import Sentence
from scorer.training.brat import parse_ann
from scorer.training.spantagger import (
    SpanDocument,
    crfsuite_tags,
    gold_tags,
    span_documents,
    span_measures,
    train_tagger,
)

pytest.importorskip("pycrfsuite")

TEXT = "Officials said the deal is off. “It is over,” Smith told CNN."
ANN = "\n".join([
    "T1\tSource 0 9\tOfficials", "T2\tCue 10 14\tsaid", "T3\tContent 15 30\tthe deal is off",
    "T4\tAttribution 10 14\tsaid", "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
    "T5\tContent 32 45\t“It is over,”", "T6\tSource 46 51\tSmith", "T7\tCue 52 60\ttold CNN",
    "T8\tAttribution 52 60\ttold CNN", "E2\tAttribution:T8 Content:T5 Cue:T7 Source:T6"])


def _doc():
    sents = [Sentence(0, 31, TEXT[:31]), Sentence(32, len(TEXT), TEXT[32:])]
    tokens = sentence_tokens(TEXT, sents)
    return SpanDocument("t", TEXT, sents, tokens, gold_tags(TEXT, parse_ann(ANN), tokens))


def test_gold_tags_from_the_human_spans():
    doc = _doc()
    got = [(w, TAGS[t]) for w, t in zip(doc.tokens.words, doc.gold)]
    assert got == [("Officials", "B-SOURCE"), ("said", "B-CUE"), ("the", "B-CONTENT"), ("deal", "I-CONTENT"),
                   ("is", "I-CONTENT"), ("off", "I-CONTENT"), (".", "O"),
                   ("“", "B-CONTENT"), ("It", "I-CONTENT"), ("is", "I-CONTENT"), ("over", "I-CONTENT"),
                   (",", "I-CONTENT"), ("”", "I-CONTENT"), ("Smith", "B-SOURCE"), ("told", "B-CUE"),
                   ("CNN", "I-CUE"), (".", "O")]


def test_span_measures():
    doc = _doc()
    perfect = span_measures([doc], [doc.gold])
    assert all(perfect[m][r]["f1"] == 1.0 for m in ("exact", "overlap") for r in ("SOURCE", "CUE", "CONTENT"))
    assert perfect["detection"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "n": 2}
    pred = doc.gold.copy()
    pred[15] = TAGS.index("O")  # the cue "told CNN" cut to "told": no exact match, half the tokens
    pred[0] = TAGS.index("O")  # first source missed
    m = span_measures([doc], [pred])
    assert m["exact"]["CUE"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert m["overlap"]["CUE"] == {"precision": 1.0, "recall": 0.667, "f1": 0.8}
    assert m["overlap"]["SOURCE"] == {"precision": 1.0, "recall": 0.5, "f1": 0.667}
    nothing = span_measures([doc], [np.zeros_like(doc.gold)])
    assert nothing["detection"]["f1"] == 0.0 and nothing["overlap"]["SOURCE"]["f1"] == 0.0


@pytest.fixture(scope="module")
def small_crf(shared_data, tmp_path_factory):
    path = tmp_path_factory.mktemp("crf") / "spans.crfsuite"
    train = span_documents(shared_data, "train", limit=30)
    tagger = train_tagger(train, {"max_iterations": 15}, log=lambda *_: None, crfsuite_file=path)
    return train, tagger, path


def test_numpy_decoder_gives_crfsuites_tags_on_dev(shared_data, small_crf):
    _, tagger, path = small_crf
    dev = span_documents(shared_data, "dev", limit=25)
    ours = np.concatenate([tagger.tag(d.tokens) for d in dev])
    theirs = np.concatenate([crfsuite_tags(str(path), d) for d in dev])
    assert len(ours) > 10_000
    assert np.array_equal(ours, theirs)
    assert len(set(ours.tolist())) >= 5  # a real tagging, not all O


def test_training_is_deterministic(small_crf):
    train, tagger, _ = small_crf
    again = train_tagger(train, {"max_iterations": 15}, log=lambda *_: None)
    assert again.features == tagger.features
    assert np.array_equal(again.weights, tagger.weights) and np.array_equal(again.transitions, tagger.transitions)
