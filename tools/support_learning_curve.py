"""Cross-validated Spearman of the support model on random subsets of the graded sentences: would
grading more sentences raise it? (README, "Accuracy"). Features as in training: type probabilities
from heads that did not train on the graded sentence's document.

Usage: python tools/support_learning_curve.py --data ../shared/data [--grades data/support_grades.tsv]
"""
import argparse

import numpy as np

from scorer.training.train import cross_validate_support, shipped_support_data

SIZES = (150, 250, 350, 450, 520)
DRAWS = 8


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--grades", default="data/support_grades.tsv", help="the support grades (default: %(default)s)")
    args = ap.parse_args()
    _, _, X, y = shipped_support_data(args.data, args.grades)
    print(f"all {len(y)}: Spearman {cross_validate_support(X, y)['spearman']}")
    rng = np.random.default_rng(0)
    for n in SIZES:
        values = [cross_validate_support(X[idx], y[idx])["spearman"]
                  for idx in (rng.choice(len(y), n, replace=False) for _ in range(DRAWS))]
        print(f"{n}: mean {np.mean(values):.3f}, sd {np.std(values):.3f} over {DRAWS} draws")


if __name__ == "__main__":
    main()
