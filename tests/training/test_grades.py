"""The support grades as training reads them (data/support_grades.tsv through `load_grades`, what `scorer train
--grades` runs), and the blind second and third gradings of 60 of them (inter-grader agreement in the README)."""
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import spearmanr

from scorer.errors import InputError
from scorer.labels import GRADES, LABELS
from scorer.training.train import load_grades

DATA = Path(__file__).resolve().parents[2] / "data"
SECOND = DATA / "support_grades_second.tsv"


@pytest.fixture(scope="module")
def first() -> pd.DataFrame:
    grades = load_grades(DATA / "support_grades.tsv")
    grades["key"] = grades["corpus"] + "|" + grades["doc_id"] + "|" + grades["start"].astype(str) + "|" + \
        grades["end"].astype(str)
    return grades


def test_the_grades_training_reads(first):
    """582 graded sentences (README), ids and offsets only, every grade 0-3 and every type one of the four labels."""
    assert len(first) == 582 and not first["key"].duplicated().any()
    assert set(first["grade"]) == set(GRADES) and set(first["type"]) <= set(LABELS)
    assert "text" not in first.columns and (first["end"] > first["start"]).all()


def test_load_grades_refuses_a_missing_file_and_a_bad_grade(tmp_path):
    with pytest.raises(InputError, match=r"nowhere\.tsv: support grades not found \(give the file with --grades\)"):
        load_grades(tmp_path / "nowhere.tsv")
    bad = tmp_path / "grades.tsv"
    bad.write_text("corpus\tdoc_id\tstart\tend\tgrade\ttype\trationale\n"
                   "polnear\ta\t0\t5\t2\tnamed_source\tfine\npolnear\tb\t0\t5\t4\toutlet_claim\tno such grade\n")
    with pytest.raises(InputError, match=rf"{bad}:3: grade must be 0-3"):
        load_grades(bad)


def test_second_grading_agrees_with_the_first(first):
    second = pd.read_csv(SECOND, sep="\t")
    assert len(second) == 60 and set(second["grade_b"]) <= set(GRADES)
    both = second.merge(first[["key", "grade"]], on="key", validate="one_to_one")
    assert len(both) == 60  # every re-graded item is one of the graded sentences
    rho = spearmanr(both["grade"], both["grade_b"]).correlation
    assert round(rho, 3) == 0.913  # README: agreement 0.913, exact 0.78, within one grade 1.00
    assert round((both["grade"] == both["grade_b"]).mean(), 2) == 0.78
    assert ((both["grade"] - both["grade_b"]).abs() <= 1).all()


def test_third_grading_agrees_with_both(first):
    """A third blind grading of the same 60 items by a helper session (tools/make_regrade_sheet.py)."""
    third = pd.read_csv(DATA / "support_grades_third.tsv", sep="\t")
    assert len(third) == 60 and set(third["grade_c"]) <= set(GRADES)
    both = third.merge(first[["key", "grade"]], on="key", validate="one_to_one") \
        .merge(pd.read_csv(SECOND, sep="\t"), on="key", validate="one_to_one")
    assert len(both) == 60
    # README: 0.943 with the first grades (exact 0.85), 0.929 with the second (exact 0.83); never 2 apart
    assert round(spearmanr(both["grade"], both["grade_c"]).correlation, 3) == 0.943
    assert round(spearmanr(both["grade_b"], both["grade_c"]).correlation, 3) == 0.929
    assert ((both["grade"] - both["grade_c"]).abs() <= 1).all() and ((both["grade_b"] - both["grade_c"]).abs() <= 1).all()
