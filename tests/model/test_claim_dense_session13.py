"""`claims.claim_dense` writes its blocks into one array (session 13): the same array, bit for bit, as the np.hstack of
the blocks it replaced (frozen below), on PolNeAR dev articles, one-sentence and empty articles and random values."""
from __future__ import annotations

import numpy as np
import pytest

from scorer.model import claims


def old_claim_dense(heads, source_vectors, cue, prev_cue, next_cue, lengths):
    """claims.claim_dense at cb3ef4e."""
    n = len(heads)
    comb = claims.combined(heads)
    own = np.hstack([heads, comb, source_vectors])
    zero = np.zeros((1, own.shape[1]))
    prev = np.vstack([zero, own[:-1]]) if n else own
    nxt = np.vstack([own[1:], zero]) if n else own
    position = np.arange(n)
    place = np.column_stack([position / max(n - 1, 1), position == 0,
                             np.minimum(np.asarray(lengths, dtype=np.int64), 400) / 200])
    article = np.tile(np.r_[comb.mean(axis=0) if n else np.zeros(4), float(n == 1), min(n, 60) / 60], (n, 1))
    return np.hstack([own, cue, prev, nxt, prev_cue, next_cue, place, article])


def assert_same(*args):
    new, old = claims.claim_dense(*args), old_claim_dense(*args)
    assert new.shape == old.shape and new.dtype == old.dtype and new.tobytes() == old.tobytes()


@pytest.fixture(scope="module")
def articles(polnear_texts):
    from scorer.model.cues import source_type_matrix
    from scorer.pipeline import Article, Scorer

    scorer = Scorer()
    out = []
    for p in scorer._prepare_many([Article(t, None, "x") for t in polnear_texts[::40]]):
        f = p.inputs
        out.append((np.column_stack(scorer.attribution.head_probabilities(f)),
                    source_type_matrix(f["src_type"], f["src_method"]), f["cue_vec"], f["prev_cue_vec"],
                    f["next_cue_vec"], [len(s.text) for s in p.sentences]))
    return out


def test_claim_dense_same_on_polnear(articles):
    for args in articles:
        assert_same(*args)
        assert_same(*(a[:1] for a in args))
        assert_same(*(a[:0] for a in args))


def test_claim_dense_same_on_random_values():
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 7, 61):
        assert_same(rng.random((n, 5)), rng.random((n, 7)), rng.random((n, 25)), rng.random((n, 25)),
                    rng.random((n, 25)), rng.integers(0, 900, size=n).tolist())
