"""`SupportModel.predict_and_contributions` (the scoring's one call, issue #21) gives exactly what `predict` and
`contributions` give: on the support features of the PolNeAR dev articles as the pipeline builds them, and on random
matrices, bit for bit."""
from __future__ import annotations

import numpy as np
import pytest

from scorer.model.support import SUPPORT_FEATURES, SupportModel


def _same(model: SupportModel, X: np.ndarray) -> None:
    support, grades, contrib = model.predict_and_contributions(X)
    ref_support, ref_grades = model.predict(X)
    assert support.tobytes() == ref_support.tobytes() and grades.tobytes() == ref_grades.tobytes()
    assert contrib.tobytes() == model.contributions(X).tobytes()


def test_same_on_the_dev_articles(shared_data, monkeypatch):
    import scorer.pipeline as pipeline
    from scorer.pipeline import Scorer

    texts = [p.read_text(encoding="utf-8") for p in sorted((shared_data / "polnear" / "data" / "dev" / "text")
                                                             .glob("*.txt"))]
    scorer = Scorer()
    seen = []
    real = pipeline.support_features

    def kept(*args):
        X = real(*args)
        seen.append(X)
        return X

    monkeypatch.setattr(pipeline, "support_features", kept)
    reports = list(scorer.score_many(texts))
    # one call per model batch (`Scorer._finish_many`): every kept sentence of every article once
    assert 1 <= len(seen) < len(texts) and sum(map(len, seen)) == sum(r.article["n_sentences"] for r in reports) > 3000
    for X in seen:
        _same(scorer.support, X)


@pytest.mark.parametrize("n_classes", [2, 3, 4])
def test_same_on_random_models(n_classes):
    rng = np.random.default_rng(21)
    k = len(SUPPORT_FEATURES)
    for _ in range(30):
        classes = np.sort(rng.choice(4, size=n_classes, replace=False))
        coef = rng.normal(size=(1 if n_classes == 2 else n_classes, k))
        model = SupportModel.from_parameters(0.1, rng.normal(size=k), rng.uniform(0.1, 3, size=k), coef,
                                             rng.normal(size=len(coef)), classes)
        for n in (0, 1, 7, 60):
            _same(model, rng.normal(size=(n, k)) * rng.choice([1e-3, 1, 5]))
