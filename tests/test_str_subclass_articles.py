"""An article whose text is a str subclass (numpy.str_, as a pandas or pyarrow column gives it; `Scorer` takes any str)
is scored as the plain str, by the compiled kernels as by the twins: the segmentation kernels' str arguments refused
it with a TypeError (found by the session-13 review of the tagger kernels, tests/test_review_session13b.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from scorer.pipeline import Scorer
from scorer.text import kernels, segment

sys.path.insert(0, str(Path(__file__).parent / "kernels"))
from compiled_kernels import compiled_module  # noqa: E402

K = compiled_module()

TEXT = ("Officials said on Monday that the plan had failed. \u201cIt is over,\u201d Mr. Smith told CNN.\n\n"
        "Share this article\n\nThe U.S. economy grew 2.1% in the quarter, the report said. Voters should care.")


class Text(str):
    pass


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


@pytest.fixture(autouse=True)
def compiled_kernels(monkeypatch):
    """The dispatch points at the compiled module even under SCORER_KERNELS=0 (CI runs the suite so)."""
    monkeypatch.setattr(kernels, "compiled", K)
    monkeypatch.setattr(kernels, "ACTIVE", True)
    monkeypatch.setattr(segment, "_sentence_spans_fast", segment._sentence_spans_compiled)


def test_split_article_takes_a_str_subclass():
    expected = segment.split_article(TEXT)
    assert len(expected[0]) >= 4 and expected[1]
    for article in (np.str_(TEXT), Text(TEXT)):
        assert segment.split_article(article) == expected


def test_the_pipeline_scores_a_str_subclass_as_the_str(scorer):
    expected = scorer.score(TEXT).to_dict()
    for article in (np.str_(TEXT), Text(TEXT)):
        assert scorer.score(article).to_dict() == expected
        assert [r.to_dict() for r in scorer.score_many([article, TEXT])] == [expected, expected]
