"""Learning curve of the claim-level head: dev accuracy and macro-F1 against the number of labelled training units.

Training articles are drawn at random (seeded) in growing shares; the head is fitted on their units exactly as
`scorer train` fits it (PolNeAR heads' outputs out of fold) and measured on the claim-level dev reading.
    python tools/claim_learning_curve.py --data ../shared/data --claims data/claims [--draws 3]
"""
import argparse
import random
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from scorer.labels import LABELS
from scorer.model.claims import CLAIM_CLASSES
from scorer.model.store import load_bundle
from scorer.training.claims import (ClaimRows, claim_inputs, compile_claim_model, fit_claim_model, heads_without,
                                    load_claims)
from scorer.training.frames import prepare


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--claims", required=True, type=Path)
    ap.add_argument("--draws", type=int, default=3)
    args = ap.parse_args()
    heads = load_bundle()["attribution"]
    _, _, pol, subj = prepare(args.data, cues=heads.cues)
    arts = load_claims(args.claims, args.data)
    train = [a for a in arts if a.set == "train"]
    refit = heads_without(train, pol, subj, heads.cues, heads, log=lambda m: None)
    inputs = claim_inputs(train, refit.get, heads.cues)
    inputs.update(claim_inputs([a for a in arts if a.set == "dev"], lambda _: heads, heads.cues))
    dev = ClaimRows([a for a in arts if a.set == "dev"], inputs)
    claim = dev.y != "furniture"
    print("| training units | articles | dev accuracy | dev macro-F1 |")
    print("|---|---|---|---|")
    for share in (0.1, 0.2, 0.35, 0.5, 0.75, 1.0):
        accs, f1s, units = [], [], []
        for draw in range(args.draws if share < 1 else 1):
            rng = random.Random(1000 * draw + int(share * 100))
            part = rng.sample(train, max(2, round(share * len(train))))
            rows = ClaimRows(part, inputs)
            model = compile_claim_model(*fit_claim_model(rows.texts, rows.tokens, rows.dense, list(rows.y), rows.grades))
            pred = np.array([CLAIM_CLASSES[k] for k in model.predict_proba(dev.texts, dev.tokens, dev.dense)
                             .argmax(axis=1)])
            accs.append((pred[claim] == dev.y[claim]).mean())
            f1s.append(f1_score(dev.y[claim], pred[claim], labels=list(LABELS), average="macro"))
            units.append(len(rows.y))
        print(f"| {np.mean(units):,.0f} | {len(part)} | {np.mean(accs):.3f} | {np.mean(f1s):.3f} |", flush=True)


if __name__ == "__main__":
    main()
