"""Session 15, glue (issue #21): the per-sentence Python around the kernels made cheaper gives the same numbers.

- `SupportModel.predict_and_contributions_many` (the cell-by-cell steps once for a batch, the products per article)
  gives, bit for bit, what `predict_and_contributions` of each article alone gives, on random rows split at random
  into articles (one-row articles too), for the shipped model and for a binary one.
- `article_inputs` (a sentence with no tagged source or cue read without `sentence_attribution`, the neighbours' cue
  rows by slice) gives the columns it gave at db44292 (`_inputs_db44292`, frozen below) on PolNeAR articles with the
  span tagger's spans, with the rules (no spans) and with hand-made spans.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from scorer.attribution.spans import NO_ATTRIBUTION, ArticleSources, find_attribution
from scorer.attribution.tagger import sentence_attribution
from scorer.model.cues import CUE_FEATURES, cue_matrix
from scorer.model.inputs import FRAME_COLUMNS, ModelInputs, article_inputs
from scorer.model.support import SupportModel
from scorer.text.segment import split_article


@pytest.fixture(scope="module")
def scorer():
    from scorer.pipeline import cached_scorer

    return cached_scorer()


def _per_article(model: SupportModel, X: np.ndarray, bounds: list[int]) -> list[np.ndarray]:
    """What `Scorer._finish_many` did before: each article's rows alone, then the three results stacked."""
    scored = [model.predict_and_contributions(X[bounds[a]:bounds[a + 1]]) for a in range(len(bounds) - 1)]
    return [np.concatenate(part) for part in zip(*scored)]


def _models(shipped: SupportModel) -> list[SupportModel]:
    rng = np.random.default_rng(3)
    k = shipped.coef_.shape[1]
    binary = SupportModel.from_parameters(0.1, rng.normal(size=k), rng.uniform(0.5, 2, size=k),
                                          rng.normal(size=(1, k)), rng.normal(size=1), np.array([0, 3]))
    return [shipped, binary]


def test_support_many_is_each_article_alone(scorer):
    rng = np.random.default_rng(11)
    for model in _models(scorer.support):
        k = model.coef_.shape[1]
        for trial in range(40):
            sizes = rng.integers(1, 60 if trial % 3 else 4, size=int(rng.integers(1, 30)))
            bounds = np.r_[0, np.cumsum(sizes)].tolist()
            X = rng.random((bounds[-1], k)) * rng.choice([1.0, 10.0, 1e-3])
            X[rng.random(X.shape) < 0.3] = 0.0  # (the features' many zeros)
            new = model.predict_and_contributions_many(X, bounds)
            old = _per_article(model, X, bounds)
            for a, b in zip(new, old):
                assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_support_many_on_the_batch_rows(scorer, polnear_texts):
    """The features of PolNeAR articles as `_finish_many` stacks them (a batch of 16 articles)."""
    from scorer.pipeline import Article

    seen = []
    model = scorer.support
    original = type(model).predict_and_contributions_many

    def checked(self, X, bounds):
        out = original(self, X, bounds)
        for a, b in zip(out, _per_article(self, X, bounds)):
            assert a.tobytes() == b.tobytes()
        seen.append(len(bounds) - 1)
        return out

    type(model).predict_and_contributions_many = checked
    try:
        scorer.score_batch([Article(t, None, f"<text {i}>") for i, t in enumerate(polnear_texts[100:116])])
    finally:
        type(model).predict_and_contributions_many = original
    assert seen == [16]


def _inputs_db44292(article_text: str, sentences, cues, spans=None) -> ModelInputs:
    """`article_inputs` as it was at db44292 (frozen)."""
    sources = ArticleSources(article_text, cues)
    add = sources.add
    texts = [s.text for s in sentences]
    rows = []
    for i, sent in enumerate(sentences):
        if spans is None:
            found, content = find_attribution(sent.text, cues), None
        else:
            found, content = sentence_attribution(article_text, sent, spans[i])
        attr, stype, inherited = add(sent.start, sent.text, found, continued=content is not None and found.cue is None)
        if attr is NO_ATTRIBUTION and stype is None:
            rows.append((None, None, None, None, None, None, "none", "", None, None, None)
                        + ((None, None) if content is None else (content[0], content[1])))
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
    if rows:
        columns = {"text": texts, "prev_text": [""] + texts[:-1], "next_text": texts[1:] + [""]}
        columns.update(zip(FRAME_COLUMNS[3:], map(list, zip(*rows))))
    else:
        columns = {name: [] for name in FRAME_COLUMNS}
    vecs = cue_matrix(texts)
    empty = np.zeros((1, len(CUE_FEATURES)))
    columns["cue_vec"] = vecs
    columns["prev_cue_vec"] = np.vstack([empty, vecs[:-1]]) if len(vecs) else vecs
    columns["next_cue_vec"] = np.vstack([vecs[1:], empty]) if len(vecs) else vecs
    return ModelInputs(columns)


def _same(new: ModelInputs, old: ModelInputs) -> None:
    assert list(new.columns) == list(old.columns)
    for name, column in old.columns.items():
        if isinstance(column, np.ndarray):
            assert new[name].dtype == column.dtype and new[name].shape == column.shape
            assert new[name].tobytes() == column.tobytes() and new[name].flags.c_contiguous
        else:
            assert new[name] == column and [type(v) for v in new[name]] == [type(v) for v in column], name


def _random_spans(rng: random.Random, sentences) -> list[dict]:
    """Spans of each sentence, some roles empty, the others at random token-like places inside it."""
    out = []
    for s in sentences:
        spans = {}
        for role in ("SOURCE", "CUE", "CONTENT"):
            spans[role] = []
            for _ in range(rng.choice([0, 0, 0, 1, 2])):
                a = rng.randrange(s.start, max(s.end, s.start + 1))
                spans[role].append((a, min(s.end, a + rng.randrange(1, 12))))
            spans[role].sort()
        out.append(spans)
    return out


def test_article_inputs_as_before(scorer, polnear_texts):
    rng = random.Random(5)
    texts = polnear_texts[:40]
    articles = [(t, split_article(t)[0]) for t in texts]
    tagged = scorer.spans.spans_many(articles)
    cues = scorer.attribution.cues
    carried = contents_only = 0
    for (text, sentences), spans in zip(articles, tagged):
        new = article_inputs(text, sentences, cues, spans=spans)
        _same(new, _inputs_db44292(text, sentences, cues, spans=spans))
        carried += sum(m.endswith("carry-over") for m in new["src_method"])
        contents_only += sum(not s["SOURCE"] and not s["CUE"] and bool(s["CONTENT"]) for s in spans)
        for spans in (_random_spans(rng, sentences), None):
            _same(article_inputs(text, sentences, cues, spans=spans),
                  _inputs_db44292(text, sentences, cues, spans=spans))
    assert carried > 20 and contents_only > 20  # the fast path's carry-over and content cases are exercised
    for text in ("", "x", "“Open quote. And it runs on."):  # no sentence, one, a quotation left open
        sentences = split_article(text)[0] if text else []
        _same(article_inputs(text, sentences, cues, spans=[{"SOURCE": [], "CUE": [], "CONTENT": [(0, len(text))]}
                                                           for _ in sentences]),
              _inputs_db44292(text, sentences, cues, spans=[{"SOURCE": [], "CUE": [], "CONTENT": [(0, len(text))]}
                                                            for _ in sentences]))


def _opinion_piece_db44292(body: list[dict], n_opinion: int) -> bool:
    """`summary._opinion_piece` as it was at db44292 (frozen): the sentences searched one by one."""
    from scorer.report.summary import _BIO_LINE, _FIRST_PERSON, _QUOTE_MARK, FIRST_PERSON_SENTENCES, OPINION_PIECE_SHARE

    if not body:
        return False
    if n_opinion / len(body) >= OPINION_PIECE_SHARE:
        return True
    own = [r["text"] for r in body if r["attribution_type"] in ("editorial_opinion", "outlet_claim")]
    if own and _FIRST_PERSON.search("\n".join(own)):
        speaking = 0
        for text in own:
            if not _QUOTE_MARK.search(text) and _FIRST_PERSON.search(text):
                speaking += 1
                if speaking >= FIRST_PERSON_SENTENCES:
                    return True
    return any(_BIO_LINE.match(r["text"]) for r in body[-2:])


_PERSON_PIECES = ["I", "I'm", "I’ve", "I'd", "me", "my", "myself", "mine", "MI", "AI", "Im", "am", "time", "emy", "I\n",
                  "\nme", "“", "”", '"', "''", "'", " ", " ", ", ", ".", "the writer", "Jane Doe is a senior fellow at",
                  "é", "_I", "9me", "said", "\n", "x" * 30]


def test_opinion_piece_as_before():
    from scorer.labels import LABELS
    from scorer.report.summary import _opinion_piece

    rng = random.Random(9)
    hits = 0
    for _ in range(3000):
        body = [{"attribution_type": rng.choice(LABELS),
                 "text": "".join(rng.choice(_PERSON_PIECES) for _ in range(rng.randrange(0, 7)))}
                for _ in range(rng.randrange(0, 9))]
        n_opinion = sum(r["attribution_type"] == "editorial_opinion" for r in body)
        expected = _opinion_piece_db44292(body, n_opinion)
        assert _opinion_piece(body, n_opinion) == expected
        hits += expected and n_opinion / max(len(body), 1) < 0.5
    assert hits > 50  # the first-person rule decides some of them
