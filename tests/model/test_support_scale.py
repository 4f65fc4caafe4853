"""One support scale (issue #23, point 5): the grade shown is the band the support score falls in.

Before, the grade was the most probable grade and the score the expected one, so on the PolNeAR dev reports a
grade 0 reached support 0.51 while grade 3 started at 0.56, and a page could show "0.71 (grade 3)" beside
"0.78 (grade 2)"."""
from itertools import pairwise

import numpy as np
import pytest

from scorer.model.support import GRADE_CUTS, grade_of
from scorer.pipeline import Scorer


def test_bands():
    assert GRADE_CUTS == pytest.approx((1 / 6, 1 / 2, 5 / 6))
    assert [grade_of(s) for s in (0.0, 0.1666, 0.1667, 0.4999, 0.5, 0.8333, 0.8334, 1.0)] == [0, 0, 1, 1, 2, 2, 3, 3]
    xs = np.linspace(0, 1, 2001)
    assert all(np.diff([grade_of(x) for x in xs]) >= 0)


@pytest.fixture(scope="module")
def dev_rows(shared_data):
    """Every sentence row of the 84 PolNeAR dev reports."""
    texts = sorted((shared_data / "polnear" / "data" / "dev" / "text").glob("*.txt"))
    assert len(texts) == 84
    scorer = Scorer()
    return [row for path in texts for row in scorer.score(path.read_text(encoding="utf-8")).sentences_list]


def test_no_grade_score_contradiction_on_polnear_dev(dev_rows):
    wrong = [(r["support"], r["support_grade"]) for r in dev_rows if r["support_grade"] != grade_of(r["support"])]
    assert not wrong, f"{len(wrong)} rows whose grade is not their score's band, e.g. {wrong[:5]}"
    # and so no higher score with a lower grade anywhere among the dev reports
    by_grade = {g: [r["support"] for r in dev_rows if r["support_grade"] == g] for g in range(4)}
    seen = [g for g in range(4) if by_grade[g]]
    assert len(seen) >= 3  # the scale is used, not collapsed onto one grade
    for lower, higher in pairwise(seen):
        assert max(by_grade[lower]) < min(by_grade[higher]), (lower, higher)
