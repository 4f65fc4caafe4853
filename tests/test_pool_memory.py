"""Memory of forked workers: they start with the parent's objects frozen (their garbage collector does not write to
the shared pages), and `Scorer.score_many` hands its loaded model to them instead of each loading one."""
import gc
import sys

import pytest

from scorer import pool
from scorer.pool import ordered_map

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers (Linux)")


def freeze_counts(chunk):
    return [gc.get_freeze_count() for _ in chunk]


def scorer_marks(chunk, model_dir):
    from scorer.pipeline import cached_scorer

    return [getattr(cached_scorer(model_dir), "mark", None) for _ in chunk]


@pytest.fixture(autouse=True)
def fresh_pool():
    if pool._POOL is not None:
        pool._discard(pool._POOL)
    yield
    if pool._POOL is not None:
        pool._discard(pool._POOL)


def test_forked_workers_start_with_the_parents_objects_frozen_and_the_parent_unfrozen():
    objects = len(gc.get_objects())
    counts = list(ordered_map(freeze_counts, range(4), jobs=2, size=1))
    assert all(c >= objects // 2 for c in counts), (counts, objects)
    assert gc.get_freeze_count() == 0


def test_score_many_workers_use_the_parents_loaded_model():
    from scorer import pipeline
    from scorer.pipeline import Scorer

    saved = dict(pipeline._SCORERS)
    pipeline._SCORERS.clear()
    try:
        scorer = Scorer()
        scorer.mark = "loaded in the parent"
        texts = ["The minister said the talks had failed.", "Officials, speaking anonymously, denied it."] * 3
        many = [r.to_json() for r in scorer.score_many(texts, n_jobs=2)]
        assert many == [r.to_json() for r in scorer.score_many(texts)]
        # the same workers (the pool is kept) see the parent's Scorer as their own, not a model they loaded
        assert list(ordered_map(scorer_marks, range(4), jobs=2, size=1, args=(None,))) == ["loaded in the parent"] * 4
    finally:
        pipeline._SCORERS.clear()
        pipeline._SCORERS.update(saved)


def test_score_many_workers_use_the_scorer_it_was_called_on():
    """A second Scorer of the same model directory gets workers that see it, not the first one's kept pool."""
    from scorer import pipeline
    from scorer.pipeline import Scorer

    saved = dict(pipeline._SCORERS)
    pipeline._SCORERS.clear()
    try:
        texts = ["The minister said the talks had failed."] * 2
        first = Scorer()
        first.mark = "first"
        list(first.score_many(texts, n_jobs=2))
        second = Scorer()
        second.mark = "second"
        list(second.score_many(texts, n_jobs=2))
        assert pipeline._SCORERS[str(second.model_dir)] is second
        assert list(ordered_map(scorer_marks, range(4), jobs=2, size=1, args=(None,))) == ["second"] * 4
    finally:
        pipeline._SCORERS.clear()
        pipeline._SCORERS.update(saved)
