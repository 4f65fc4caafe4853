"""The support grades and the blind second grading of 60 of them (inter-grader agreement in the README)."""
import pandas as pd
from scipy.stats import spearmanr

from scorer.train import GRADES_FILE

SECOND = GRADES_FILE.with_name("support_grades_second.tsv")


def test_second_grading_agrees_with_the_first():
    first = pd.read_csv(GRADES_FILE, sep="\t", dtype={"doc_id": str})
    first["key"] = first["corpus"] + "|" + first["doc_id"] + "|" + first["start"].astype(str) + "|" + \
        first["end"].astype(str)
    second = pd.read_csv(SECOND, sep="\t")
    assert len(second) == 60 and set(second["grade_b"]) <= {0, 1, 2, 3}
    both = second.merge(first[["key", "grade"]], on="key", validate="one_to_one")
    assert len(both) == 60  # every re-graded item is one of the graded sentences
    rho = spearmanr(both["grade"], both["grade_b"]).correlation
    assert round(rho, 3) == 0.913  # README: agreement 0.913, exact 0.78, within one grade 1.00
    assert round((both["grade"] == both["grade_b"]).mean(), 2) == 0.78
    assert ((both["grade"] - both["grade_b"]).abs() <= 1).all()
