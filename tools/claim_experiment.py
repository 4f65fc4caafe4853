"""A quick experiment loop for the claim-level head: cache its slow inputs once, then refit and measure in minutes.

    python tools/claim_experiment.py --data ../shared/data --claims data/claims --cache /tmp/claims --build
    python tools/claim_experiment.py --data ../shared/data --claims data/claims --cache /tmp/claims

    python tools/claim_experiment.py --data ../shared/data --claims data/claims --cache /tmp/claims --cv

`--build` computes what `scorer train` computes before fitting the head (spans from the shipped span tagger, the
PolNeAR heads' outputs, refitted without each fold of the training articles whose words they learn from: ~15
minutes) and saves it as CACHE.json + CACHE.npz (no pickle). Without it the cache is read, `claim_features` is
applied (so a change to the features needs no rebuild), the head is fitted on the training units exactly as
`scorer train` fits it, and the dev figures and confusion are printed.

`--cv` first measures the head by 5-fold cross-validation by article on the training units (the folds `scorer
train` uses for the support model's inputs), the figures to choose settings by: dev is for confirming them. With
`--jobs 2` the fits run two at a time.
"""
import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score

from scorer.labels import LABELS
from scorer.model.claims import decide
from scorer.model.store import load_bundle
from scorer.training.claims import (
    FOLDS,
    ClaimRows,
    compile_claim_model,
    document_folds_of,
    fit_claim_model,
    heads_without,
    inputs_from_raw,
    load_claims,
    load_raw_inputs,
    raw_claim_inputs,
    save_raw_inputs,
)


def _fit_predict(job):
    """The head fitted on some units, its probabilities of others."""
    fit, held = job
    return compile_claim_model(*fit_claim_model(*fit)).predict_proba(*held)


def _part(rows: ClaimRows, mask: np.ndarray) -> tuple:
    return ([t for t, m in zip(rows.texts, mask) if m], [t for t, m in zip(rows.tokens, mask) if m], rows.dense[mask])


def figures(name: str, y: np.ndarray, probs: np.ndarray) -> None:
    """Accuracy, macro-F1, class F1 and confusion of the four labels on the claim units, decided as the scorer does."""
    furniture, four = decide(probs)
    pred = np.where(furniture, "furniture", np.array(LABELS)[four.argmax(axis=1)])
    claim = y != "furniture"
    f1 = f1_score(y[claim], pred[claim], labels=list(LABELS), average=None)
    print(f"{name}: {claim.sum()} claim units; accuracy {(pred[claim] == y[claim]).mean():.3f}, macro-F1 "
          f"{f1.mean():.3f}; class F1 " + ", ".join(f"{label} {v:.3f}" for label, v in zip(LABELS, f1)))
    print("confusion (rows = readers, columns = model: the four labels, then furniture):")
    for row in confusion_matrix(y[claim], pred[claim], labels=list(LABELS) + ["furniture"])[:len(LABELS)]:
        print("  " + " ".join(f"{v:5d}" for v in row))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--claims", required=True, type=Path)
    ap.add_argument("--cache", required=True, type=Path)
    ap.add_argument("--build", action="store_true")
    ap.add_argument("--cv", action="store_true", help="5-fold cross-validation by article on the training units first")
    ap.add_argument("--jobs", type=int, default=1, help="fits run at once (default 1)")
    args = ap.parse_args()
    arts = [a for a in load_claims(args.claims, args.data) if a.set in ("train", "dev")]
    train, dev = [a for a in arts if a.set == "train"], [a for a in arts if a.set == "dev"]
    if args.build:
        from scorer.training.frames import prepare

        bundle = load_bundle()
        heads, tagger = bundle["attribution"], bundle["spans"]
        _, _, pol, subj = prepare(args.data, cues=heads.cues, tagger=tagger)
        refit = heads_without(train, pol, subj, heads.cues, heads)
        raw = raw_claim_inputs(train, refit.get, heads.cues, tagger)
        raw.update(raw_claim_inputs(dev, lambda _: heads, heads.cues, tagger))
        save_raw_inputs(args.cache, raw)
        return
    inputs = inputs_from_raw(arts, load_raw_inputs(args.cache))
    rows, held = ClaimRows(train, inputs), ClaimRows(dev, inputs)
    jobs = [((rows.texts, rows.tokens, rows.dense, list(rows.y), rows.grades), (held.texts, held.tokens, held.dense))]
    if args.cv:
        folds = document_folds_of(rows.groups)
        jobs += [((*_part(rows, folds != k), list(rows.y[folds != k]), rows.grades[folds != k]), _part(rows, folds == k))
                 for k in range(FOLDS)]
    with ProcessPoolExecutor(args.jobs) as pool:
        out = list(pool.map(_fit_predict, jobs))
    if args.cv:
        oof = np.zeros((len(rows.y), out[0].shape[1]))
        for k in range(FOLDS):
            oof[folds == k] = out[1 + k]
        figures(f"cross-validation ({FOLDS} folds by article, training units)", rows.y, oof)
    figures("dev", held.y, out[0])


if __name__ == "__main__":
    main()
