"""The span tagger's tokens of a batch of articles, built with one set of array operations: the same as each
article's own, whatever comes before it (an unclosed quotation in the article before does not leak)."""
import numpy as np

from scorer.attribution.tagger import GROUPS, batch_tokens, concat_tokens, sentence_tokens
from scorer.text.segment import split_article

ARTICLES = [
    "Headline\n\nHe said: “It is over. All of it, and more. Done",  # the quotation is never closed
    "“Yes,” she said. The plan, he said, is “dead”.\nA “new” line. Officials said 3 U.S. firms left.",
    "",
    "No quotes here, said Mr. Smith, a 30-year-old “adviser.",
]


def test_batch_tokens_equal_each_articles_own():
    pairs = [(text, split_article(text)[0]) for text in ARTICLES]
    batch = batch_tokens(pairs)
    alone = concat_tokens([sentence_tokens(text, sents) for text, sents in pairs])
    assert batch.words == alone.words and batch.lengths == alone.lengths
    assert np.array_equal(batch.starts, alone.starts) and np.array_equal(batch.ends, alone.ends)
    for group in GROUPS:
        assert np.array_equal(batch.codes[group], alone.codes[group]), group
    # the quotation left open by the first article does not reach into the second
    second = len(sentence_tokens(*pairs[0]).words)
    assert batch.words[second] == "“" and batch.codes["q"][second] == 0 and batch.codes["qm"][second] == 1
    assert batch.codes["q"][second + 1] == 1  # "Yes" is inside


def test_an_empty_batch_has_no_tokens():
    tokens = batch_tokens([])
    assert tokens.words == [] and tokens.lengths == [] and len(tokens.starts) == 0
