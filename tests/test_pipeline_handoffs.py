"""The pipeline's stages hand over typed values: `Article` in, `PreparedArticle` from `_prepare`, the claim head's
probabilities per article from `_claim_probabilities`, a Report from `_finish`; batch workers and `score_many`
hand `Article`s to `score_batch`, which still takes plain (text, article_id, name, include_text) tuples."""
from __future__ import annotations

import numpy as np
import pytest

from scorer.batch.records import Record
from scorer.batch.workers import score_chunk
from scorer.errors import InputError
from scorer.model.claims import CLAIM_CLASSES
from scorer.model.inputs import ModelInputs
from scorer.pipeline import Article, PreparedArticle, Scorer

GOOD = "The mayor said on Tuesday that the depot would close. Officials declined to comment."


class Recording(Scorer):
    """A Scorer that keeps what score_batch was handed."""

    def __init__(self):
        super().__init__()
        self.items = []

    def score_batch(self, items):
        self.items += list(items)
        return super().score_batch(items)


@pytest.fixture(scope="module")
def scorer():
    return Recording()


def test_prepare_gives_a_prepared_article(scorer):
    article = Article(GOOD, "a1", "in:1", False)
    prepared = scorer._prepare(article)
    assert isinstance(prepared, PreparedArticle) and prepared.article is article
    assert isinstance(prepared.inputs, ModelInputs) and len(prepared.inputs) == len(prepared.sentences) == 2
    with pytest.raises(InputError, match="^in:2: "):
        scorer._prepare(Article("   ", None, "in:2"))


def test_claim_probabilities_are_per_article_from_one_call(scorer, example_text):
    prepared = [scorer._prepare(Article(t)) for t in (GOOD, example_text)]
    probs = scorer._claim_probabilities(prepared)
    assert [p.shape for p in probs] == [(len(p.sentences), len(CLAIM_CLASSES)) for p in prepared]
    assert np.allclose(probs[0], scorer._claim_probabilities(prepared[:1])[0])
    assert scorer._claim_probabilities([]) == []


def test_score_batch_takes_articles_and_tuples_alike(scorer, example_text):
    typed = scorer.score_batch([Article(GOOD, "a"), Article("  ", "b", "in:b"), Article(example_text, "c", "x", True)])
    plain = scorer.score_batch([(GOOD, "a", "<input>", False), ("  ", "b", "in:b", False), (example_text, "c", "x", True)])
    assert isinstance(typed[1], InputError) and str(typed[1]) == str(plain[1])
    assert [r.to_dict() for r in typed[::2]] == [r.to_dict() for r in plain[::2]]
    assert "text" in typed[2].article and "text" not in typed[0].article


def test_workers_and_score_many_hand_over_articles(scorer):
    scorer.items.clear()
    rows = score_chunk(scorer, [Record("r1", "in:1", text=GOOD), Record("r2", "in:2", text="<p>x</p>", html=True)])
    list(scorer.score_many([GOOD]))
    assert scorer.items and all(isinstance(item, Article) for item in scorer.items)
    assert scorer.items[0] == Article(GOOD, "r1", "in:1", False) and rows[0]["status"] == "ok"
