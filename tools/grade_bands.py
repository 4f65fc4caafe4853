"""The support grade shown beside a score: how the grade and the score agree, and how each agrees with the readers.

    python tools/grade_bands.py --data ../shared/data [--model DIR]

On the claim-level reading's units (data/claims/: dev, and train, where the support model was fitted: in sample),
scored as `scorer evaluate` scores them, it compares ways of giving a grade:
  argmax    the most probable grade (what the scorer reported before: it can disagree with the score)
  bands     the grade whose band the score falls in (`scorer.model.support.grade_of`: the score x 3, rounded)
  midpoints cut points at the midpoints between the per-grade mean scores of the training units
For each: Spearman with the readers' grades, exact agreement with the readers' rounded grade, and the score ranges
of each grade (overlapping ranges are what a reader sees as a contradiction).
"""
from __future__ import annotations

import argparse
from itertools import pairwise
from pathlib import Path

import numpy as np

from scorer.model.store import load_bundle
from scorer.model.support import GRADE_CUTS, grade_of
from scorer.training.claims import ClaimRows, claim_inputs, load_claims, support_inputs

REPO = Path(__file__).resolve().parents[1]


def scored(arts, bundle):
    heads, claims, support = bundle["attribution"], bundle["claims"], bundle["support"]
    rows = ClaimRows(arts, claim_inputs(arts, lambda _: heads, heads.cues))
    probs = claims.predict_proba(rows.texts, rows.tokens, rows.dense)
    X = support_inputs(rows, probs)
    score = support.grade_probabilities(X) @ np.arange(4) / 3
    argmax = support.grade_probabilities(X).argmax(axis=1)
    keep = ~np.isnan(rows.grades)
    return score[keep], argmax[keep], rows.grades[keep]


def describe(name: str, grade: np.ndarray, score: np.ndarray, readers: np.ndarray) -> str:
    from scipy.stats import spearmanr

    rho = spearmanr(grade, readers).statistic
    exact = float((grade == np.rint(readers)).mean())
    ranges = ", ".join(f"{g}: {score[grade == g].min():.2f}-{score[grade == g].max():.2f} (n={int((grade == g).sum())})"
                       for g in range(4) if (grade == g).any())
    return f"  {name:<10} Spearman {rho:.3f}  exact {exact:.3f}  score ranges {ranges}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--model", type=Path, default=None)
    args = ap.parse_args(argv)
    bundle = load_bundle(args.model)
    arts = load_claims(REPO / "data" / "claims", args.data)
    train_score, _, train_readers = scored([a for a in arts if a.set == "train"], bundle)
    means = [float(train_score[np.rint(train_readers) == g].mean()) for g in range(4)]
    mids = [(a + b) / 2 for a, b in pairwise(means)]
    print(f"per-grade mean score on the training units: {', '.join(f'{m:.3f}' for m in means)}; "
          f"midpoints {', '.join(f'{m:.3f}' for m in mids)}; bands' cut points {', '.join(f'{c:.3f}' for c in GRADE_CUTS)}")
    for set_name, (score, argmax, readers) in (("dev", scored([a for a in arts if a.set == "dev"], bundle)),
                                              ("train (in sample)", (train_score, *scored(
                                                  [a for a in arts if a.set == "train"], bundle)[1:]))):
        print(f"{set_name}: {len(score)} graded units; score vs readers Spearman "
              f"{__import__('scipy.stats').stats.spearmanr(score, readers).statistic:.3f}")
        print(describe("argmax", argmax, score, readers))
        print(describe("bands", np.array([grade_of(s) for s in score]), score, readers))
        print(describe("midpoints", np.searchsorted(mids, score, side="right"), score, readers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
