"""The cue features of a batch's sentences in one `cue_matrix` call (`Scorer._prepare_many`), cut back into the
articles: each article's model inputs are those it gets alone."""
import numpy as np
import pytest

from scorer.model.inputs import article_inputs
from scorer.pipeline import Article, Scorer


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def test_batch_cue_vectors_are_each_articles_own(scorer, polnear_texts):
    texts = polnear_texts[:12] + ["", "One sentence only.", "“A quote,” said Ann. And more."]
    articles = [Article(text, f"a{k}", f"a{k}", False) for k, text in enumerate(texts)]
    batch = scorer._prepare_many(articles)
    assert len(batch) == len(articles)
    for article, prepared in zip(articles, batch):
        alone = scorer._prepare_many([article])[0]
        assert type(prepared) is type(alone)
        if isinstance(alone, Exception):  # (the empty text: an InputError in the batch too)
            continue
        for name in ("cue_vec", "prev_cue_vec", "next_cue_vec"):
            got, want = prepared.inputs[name], alone.inputs[name]
            assert got.shape == want.shape and np.array_equal(got, want)


def test_cue_vectors_of_another_length_are_refused(polnear_texts):
    from scorer.text.segment import split_article

    text = polnear_texts[0]
    sentences, _ = split_article(text)
    with pytest.raises(ValueError, match="cue vectors"):
        article_inputs(text, sentences, cue_vectors=np.zeros((len(sentences) + 1, 3)))
