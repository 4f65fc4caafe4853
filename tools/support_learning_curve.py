"""Cross-validated Spearman of the support model on random subsets of the graded sentences: would
grading more sentences raise it? (README, "Accuracy"). Features as in training: type probabilities
from heads that did not train on the graded sentence's document.

Usage: python tools/support_learning_curve.py --data ../shared/data
"""
import argparse
from pathlib import Path

import numpy as np

from scorer.model import load_bundle
from scorer.train import checkthat_texts, cross_validate_support, load_grades, out_of_fold_support_features, prepare

SIZES = (150, 250, 350, 450, 520)
DRAWS = 8


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    args = ap.parse_args()
    model = load_bundle()["attribution"]
    _, _, pol, subj = prepare(args.data, cues=model.cues)
    grades = load_grades()
    X = out_of_fold_support_features(grades, pol, subj, checkthat_texts(Path(args.data)), model)
    y = grades["grade"].to_numpy()
    print(f"all {len(y)}: Spearman {cross_validate_support(X, y)['spearman']}")
    rng = np.random.default_rng(0)
    for n in SIZES:
        values = [cross_validate_support(X[idx], y[idx])["spearman"]
                  for idx in (rng.choice(len(y), n, replace=False) for _ in range(DRAWS))]
        print(f"{n}: mean {np.mean(values):.3f}, sd {np.std(values):.3f} over {DRAWS} draws")


if __name__ == "__main__":
    main()
