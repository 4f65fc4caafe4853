"""Session 16, kglue (issue #21): the per-sentence glue of the model inputs gives what it gave.

- `article_inputs` works out the quotation each sentence leaves open for all of an article's sentences at once
  (`spans.quotes_left_open`) and handles a sentence with nothing found and nothing carried over itself, without
  `ArticleSources.add`: its columns are those of the loop it replaced (frozen below as it was at e3b38cc), with the
  span tagger's spans and with the rules, kernels on and off, on a slice of the PolNeAR corpus (the rules on a third of it) whose sentences go
  through every path (quotation and content carry-over, sources resolved, cues without a source);
- `ArticleSources.add` given `left_open` is `add` without it;
- `ModelInputs.concat` joins a list column when it is first read: every column is the join of the parts', and the
  frame answers `in` and `len` as before.
"""
from __future__ import annotations

import numpy as np
import pytest

from scorer.attribution.spans import NO_ATTRIBUTION, ArticleSources, find_attribution, quotes_left_open
from scorer.attribution.tagger import sentence_attribution
from scorer.model.inputs import FRAME_COLUMNS, VECTOR_COLUMNS, ModelInputs, article_inputs
from scorer.pipeline import cached_scorer
from scorer.text import kernels
from scorer.text.segment import split_article

_NO_SOURCE_ROW = (None, None, None, None, None, None, "none", "", None, None, None, None, None)


def e3b38cc_rows(article_text: str, sentences, cues, spans) -> list[tuple]:
    """The rows of `article_inputs` as its loop made them at e3b38cc: `add` of every sentence."""
    sources = ArticleSources(article_text, cues)
    rows = []
    for i, sent in enumerate(sentences):
        if spans is None:
            found, content = find_attribution(sent.text, cues), None
        else:
            tagged = spans[i]
            if tagged["SOURCE"] or tagged["CUE"]:
                found, content = sentence_attribution(article_text, sent, tagged)
            else:
                contents = tagged["CONTENT"]
                found, content = NO_ATTRIBUTION, (contents[0][0], contents[-1][1]) if contents else None
        attr, stype, inherited = sources.add(sent.start, sent.text, found, content is not None and found.cue is None)
        if attr is NO_ATTRIBUTION and stype is None:
            rows.append(_NO_SOURCE_ROW if content is None else _NO_SOURCE_ROW[:-2] + content)
            continue
        shift = sent.start
        rows.append((
            attr.source, None if attr.source_start is None else attr.source_start + shift,
            None if attr.source_end is None else attr.source_end + shift,
            attr.cue, None if attr.cue_start is None else attr.cue_start + shift,
            None if attr.cue_end is None else attr.cue_end + shift,
            "none" if stype is None else (stype.label or "unresolved"),
            "" if stype is None else stype.method, None if stype is None else stype.refers_to, inherited,
            attr.via, None if content is None else content[0], None if content is None else content[1],
        ))
    return rows


@pytest.fixture(scope="module")
def tagged_articles(polnear_texts):
    """(text, sentences, span tagger's spans) of every eighth of the corpus texts."""
    scorer = cached_scorer()
    articles = [(text, split_article(text)[0]) for text in polnear_texts[::8]]
    return scorer, [(text, sentences, spans) for (text, sentences), spans
                    in zip(articles, scorer.spans.spans_many(articles))]


@pytest.mark.parametrize("active", [True, False])
def test_article_inputs_are_those_of_the_loop_they_replaced(tagged_articles, monkeypatch, active):
    scorer, articles = tagged_articles
    if active and not kernels.ACTIVE:
        pytest.skip("compiled kernels not built")
    monkeypatch.setattr(kernels, "ACTIVE", active)
    cues = scorer.attribution.cues
    methods = set()
    for k, (text, sentences, spans) in enumerate(articles):
        for given in (spans, None) if k % 3 == 0 else (spans,):
            inputs = article_inputs(text, sentences, cues, spans=given)
            expected = e3b38cc_rows(text, sentences, cues, given)
            assert list(zip(*(inputs[name] for name in FRAME_COLUMNS[3:]))) == expected
            methods.update(inputs["src_method"])
    # every path of the loop: carried over (a quotation, a content), resolved sources, a cue without a source
    assert {"quote carry-over", "content carry-over", "pronoun->earlier source", ""} <= methods


def test_add_given_left_open_is_add(polnear_sentences):
    texts = [t for article in polnear_sentences[:40] for t in article]
    left_open = quotes_left_open(texts)
    a, b = ArticleSources("x"), ArticleSources("x")
    for text, is_open in zip(texts, left_open):
        assert a.add(0, text, NO_ATTRIBUTION, True) == b.add(0, text, NO_ATTRIBUTION, True, is_open)
        assert (a.quote_open, a.previous) == (b.quote_open, b.previous)
    assert any(left_open)


def test_concat_joins_a_column_when_it_is_read(tagged_articles):
    _, articles = tagged_articles
    parts = [article_inputs(text, sentences, spans=spans) for text, sentences, spans in articles[:9]]
    joined = ModelInputs.concat(parts)
    twice = ModelInputs.concat([ModelInputs.concat(parts[:4]), ModelInputs.concat(parts[4:])])
    assert len(joined) == len(twice) == sum(map(len, parts))
    for name in FRAME_COLUMNS:
        assert name in joined and name in twice
        assert joined[name] == twice[name] == [v for p in parts for v in p[name]]
        assert joined.columns[name] is joined[name]  # (kept once joined)
    for name in VECTOR_COLUMNS:
        assert np.array_equal(joined[name], np.vstack([p[name] for p in parts]))
    assert "nothing" not in joined
    with pytest.raises(KeyError):
        joined["nothing"]
    empty = ModelInputs.concat([])
    assert len(empty) == 0 and empty["source"] == [] and empty["cue_vec"].shape[0] == 0
    assert joined.records(["text", "src_type"])[:3] == parts[0].records(["text", "src_type"])[:3]
