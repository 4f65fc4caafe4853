"""The span tagger's session-11 speed-ups (issue #21) give exactly what the code they replaced gave: `tag_spans` (each
span's sentence, role and offsets gathered a column at a time instead of numpy scalars one span at a time), on the
PolNeAR dev set and a third of train (the `polnear_texts` fixture) and on fuzzed tag sequences. The replaced code is
frozen here as it was at 4e79796."""
from __future__ import annotations

import random

import numpy as np

from scorer.attribution import tagger as T
from scorer.text.segment import split_article

# --------------------------------------------------------------------------------------------------------------------
# the replaced code, frozen


def session10_tag_spans(tokens, tags):
    lengths = np.array(tokens.lengths, dtype=np.int64)
    out = [{"SOURCE": [], "CUE": [], "CONTENT": []} for _ in tokens.lengths]
    n_tok = len(tags)
    if not n_tok:
        return out
    tags = np.asarray(tags, dtype=np.int64)
    role = T._ROLE_OF_TAG[tags]
    sentence = np.repeat(np.arange(len(lengths)), lengths)
    new_sentence = np.r_[True, sentence[1:] != sentence[:-1]]
    opens = (role > 0) & (T._BEGIN_TAG[tags] | new_sentence | (role != np.r_[0, role[:-1]]))
    closes = (role > 0) & np.r_[opens[1:] | (role[1:] != role[:-1]) | new_sentence[1:], True]
    starts, ends = np.flatnonzero(opens), np.flatnonzero(closes)
    for i, j in zip(starts.tolist(), ends.tolist()):
        out[sentence[i]][T.ROLES[role[i] - 1]].append((int(tokens.starts[i]), int(tokens.ends[j])))
    return out


# --------------------------------------------------------------------------------------------------------------------


def _same(new, old):
    assert new == old
    # offsets are Python ints, as before (the spans reach JSON)
    assert all(type(x) is int for sentence in new for spans in sentence.values() for span in spans for x in span)


def test_tag_spans_same_on_polnear(polnear_texts):
    from scorer.model.store import load_bundle

    tagger = load_bundle()["spans"]
    articles = [(text, split_article(text)[0]) for text in polnear_texts]
    n_spans = 0
    for at in range(0, len(articles), 32):
        tokens = T.batch_tokens(articles[at:at + 32])
        tags = tagger.tag(tokens, tagger.source_threshold)
        new = T.tag_spans(tokens, tags)
        _same(new, session10_tag_spans(tokens, tags))
        n_spans += sum(len(v) for sentence in new for v in sentence.values())
        # and on the same tokens with every tag sequence shuffled (I- after O, after another role, at a sentence start)
        rng = random.Random(at)
        shuffled = np.array([rng.randrange(len(T.TAGS)) for _ in range(len(tags))], dtype=np.int64)
        _same(T.tag_spans(tokens, shuffled), session10_tag_spans(tokens, shuffled))
    assert n_spans > 10_000


def test_tag_spans_same_on_fuzzed_tags():
    rng = random.Random(11)
    for _ in range(300):
        lengths = [rng.randrange(0, 6) for _ in range(rng.randrange(0, 6))]
        n = sum(lengths)
        starts = np.cumsum([rng.randrange(1, 4) for _ in range(n)]).astype(np.int64)
        tokens = T.Tokens(["w"] * n, starts, starts + 1, lengths, {})
        tags = np.array([rng.randrange(len(T.TAGS)) for _ in range(n)], dtype=np.int64)
        _same(T.tag_spans(tokens, tags), session10_tag_spans(tokens, tags))
