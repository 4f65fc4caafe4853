"""How the opinion head's C (scorer.training.heads.OPINION_C) was chosen: repeated 5-fold cross-validation of the head
on CheckThat train (macro-F1, SUBJ vs OBJ at P = 0.5), and, for the record, the head fitted on all of train and
measured on CheckThat 2025 dev and NewsSD dev (development figures: not used to choose).
    python tools/opinion_cv.py --data ../shared/data [--grid 0.3 1 3 10]
"""
import argparse
from pathlib import Path

from sklearn.metrics import f1_score

from scorer.training.corpus import load_subjectivity
from scorer.training.heads import OPINION_C, build_opinion, opinion_cv


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--grid", type=float, nargs="+", default=[0.3, 1.0, 3.0, 10.0])
    args = ap.parse_args()
    subj = load_subjectivity(args.data)
    train = subj[subj["split"] == "train"]
    cv = opinion_cv(subj, tuple(args.grid))
    print(f"opinion head on {len(train)} CheckThat train sentences; shipped C = {OPINION_C}")
    for C, (mean, std) in cv.items():
        head = build_opinion(C).fit(train, (train["subjectivity"] == "SUBJ").astype(int))
        dev = [f"{corpus} dev "
               f"{f1_score(part['subjectivity'] == 'SUBJ', head.predict_proba(part)[:, 1] > 0.5, average='macro'):.3f}"
               for corpus in ("checkthat2025", "newssd")
               if len(part := subj[(subj["split"] == "dev") & (subj["corpus"] == corpus)])]
        print(f"  C={C:<5g} cross-validated macro-F1 {mean:.3f} (sd {std:.3f} over 3 repeats); " + ", ".join(dev))


if __name__ == "__main__":
    main()
