"""Where the support model's error comes from (README, "Accuracy"): cross-validated Spearman on all
graded sentences and on the PolNeAR ones only, the same with the grader's own type in place of the
model's type probabilities, and how the graders' types compare with PolNeAR's derived labels.

Usage: python tools/support_diagnostics.py --data ../shared/data [--grades data/support_grades.tsv]
"""
import argparse

import numpy as np
import pandas as pd

from scorer import LABELS
from scorer.training.audit import match_audit
from scorer.training.train import cross_validate_support, shipped_support_data


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--grades", default="data/support_grades.tsv", help="the support grades (default: %(default)s)")
    args = ap.parse_args()
    grades, pol, X, y = shipped_support_data(args.data, args.grades)
    on_polnear = (grades["corpus"] == "polnear").to_numpy()
    grader_type = np.array([[float(t == label) for label in LABELS] for t in grades["type"]])
    with_grader_type = np.hstack([grader_type, X[:, len(LABELS):]])
    print("5-fold CV Spearman      model's type probabilities   grader's type instead")
    for name, rows in (("all graded", slice(None)), ("PolNeAR only", on_polnear)):
        a = cross_validate_support(X[rows], y[rows])["spearman"]
        b = cross_validate_support(with_grader_type[rows], y[rows])["spearman"]
        print(f"{name:<24}{a:<29}{b}   (n={len(y[rows])})")
    predicted = np.array(LABELS)[X[:, :len(LABELS)].argmax(axis=1)]
    print(f"model's most probable type = grader's type: {np.mean(predicted == grades['type']):.3f} (n={len(y)})")
    grades = match_audit(pol, grades)  # PolNeAR's derived label of each graded sentence
    pn = grades[grades["derived"].notna()]
    print(f"PolNeAR derived label = grader's type: {np.mean(pn['derived'] == pn['type']):.3f} (n={len(pn)})")
    print(pd.crosstab(pn["derived"], pn["type"], rownames=["derived"], colnames=["grader"]).to_string())


if __name__ == "__main__":
    main()
