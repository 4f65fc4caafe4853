"""Training: fit the attribution heads and the support model on human labels, measure them on data they did
not train on, and write the model with its card.

Every data path is given by the caller (`scorer train --data DIR --grades FILE --audits DIR`); nothing is read
from the source checkout. Everything is seeded; the same data gives the same model
(tests/training/test_train.py checks predictions).
"""
from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn

from .. import __version__
from ..errors import InputError
from ..labels import GRADES, LABELS
from ..model.heads import CompiledAttributionModel
from ..model.store import ARRAYS_FILE, MODEL_ID, load_bundle, sha256_file
from ..model.support import SUPPORT_FEATURES, SupportModel, corroboration, support_features
from ..text.segment import Sentence
from .audit import measured_audits
from .compile import compile_attribution
from .corpus import best_overlap
from .evaluate import evaluate_model
from .frames import checkthat_texts, prepare, single_sentence_frame
from .heads import SEED, document_folds, fit_heads
from .claims import article_claim_inputs, evaluate_claims, train_claims
from .save import save_bundle
from .spantagger import span_documents, span_figures, train_tagger

CORPORA = {
    "polnear": ("PolNeAR v1.0.0, networkdynamics/PolNeAR @ c3eee833c035", "no licence file (helper package MIT); "
                "research use, text not redistributed"),
    "checkthat2025_en": ("CLEF CheckThat! 2025 Task 1 English, MatteoFasulo/clef2025-checkthat @ 19868791cfbc",
                         "CC BY-NC-SA 4.0"),
    "newssd_eng": ("NewsSD-ENG, nlp-unibo/newssd-eng @ a6f66668091b", "CC BY 4.0"),
}


def load_grades(path: str | Path) -> pd.DataFrame:
    """The hand-graded support sentences (data/support_grades.tsv in the source repository): corpus, doc_id, start,
    end, grade, type, rationale."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: support grades not found (give the file with --grades)")
    grades = pd.read_csv(path, sep="\t", dtype={"doc_id": str})
    bad = grades[~grades["grade"].isin(GRADES)]
    if len(bad):
        raise InputError(f"{path}:{bad.index[0] + 2}: grade must be 0-3")
    return grades


def fit_support(X: np.ndarray, grades, C: float = 0.1) -> SupportModel:
    """The support model fitted on features `X` and grades: a standard scaler, then a multinomial logistic
    regression (fixed seed); the scoring side keeps only the scaler's mean and scale and the coefficients."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X)
    clf = LogisticRegression(C=C, max_iter=2000, random_state=SEED).fit(scaler.transform(X), grades)
    return SupportModel.from_parameters(C, scaler.mean_, scaler.scale_, clf.coef_, clf.intercept_, clf.classes_)


def out_of_fold_support_features(grades: pd.DataFrame, pol: pd.DataFrame, subj: pd.DataFrame,
                                 subj_texts: dict[str, str], model: CompiledAttributionModel, claims,
                                 folds: int = 5) -> np.ndarray:
    """Support features of the graded sentences with type probabilities from heads that did not train on
    their documents, as on new text. Most graded sentences come from the heads' training splits, where
    the shipped heads' probabilities are over-confident; dev sentences keep the shipped `model`. The grade
    estimate comes from the claim head `claims` (the shipped one, fed the refitted heads' outputs)."""
    fold_of = document_folds(pd.concat([pol.loc[pol["split"] == "train", "doc_id"],
                                        subj.loc[subj["split"] == "train", "doc_id"]]), folds)
    grade_fold = grades["doc_id"].map(fold_of).fillna(-1).astype(int).to_numpy()
    X = np.zeros((len(grades), len(SUPPORT_FEATURES)))
    for k in range(-1, folds):
        rows = np.flatnonzero(grade_fold == k)
        if not len(rows):
            continue
        heads = model if k == -1 else compile_attribution(fit_heads(
            pol[pol["doc_id"].map(fold_of) != k], subj[subj["doc_id"].map(fold_of) != k], model.cues))
        X[rows] = graded_features(grades.iloc[rows], pol, subj_texts, heads, claims)
    return X


def _frame_claim_grades(doc: pd.DataFrame, model: CompiledAttributionModel, claims) -> np.ndarray:
    """The claim head's grade estimates of a PolNeAR article's sentences from its model frame (`polnear_frames`)."""
    from ..model.claims import claim_features

    inputs = {"source": list(doc["x_source"]), "inherited_source": list(doc["x_inherited_source"]),
              "cue": list(doc["x_cue"]), "src_type": list(doc["src_type"]), "src_method": list(doc["src_method"])}
    inputs.update({name: np.vstack(list(doc[name])) for name in ("cue_vec", "prev_cue_vec", "next_cue_vec")})
    texts = list(doc["text"])
    tokens, dense = claim_features(inputs, np.column_stack(model.head_probabilities(doc)), [len(t) for t in texts])
    return claims.grade(texts, tokens, dense)


def graded_features(grades: pd.DataFrame, pol: pd.DataFrame, subj_texts: dict[str, str],
                    model: CompiledAttributionModel, claims):
    """Support features for each graded sentence, computed as at scoring time (article context for PolNeAR), with
    the heads' four-label probabilities and the claim head's grade estimates."""
    feats: list[np.ndarray | None] = [None] * len(grades)
    pol_docs = {d: g for d, g in pol.groupby("doc_id")}
    for doc_id, idx in grades[grades["corpus"] == "polnear"].groupby("doc_id").groups.items():
        doc = pol_docs[doc_id].sort_values("sentence_index")
        probs = model.predict_proba(doc)
        labels = [LABELS[i] for i in probs.argmax(axis=1)]
        corr = corroboration(list(doc["text"]), labels)
        X = support_features(list(doc["text"]), probs, corr, None, _frame_claim_grades(doc, model, claims))
        for i in idx:
            g = grades.loc[i]
            feats[grades.index.get_loc(i)] = X[best_overlap(doc, g["start"], g["end"])[0]]
    other = grades[grades["corpus"] != "polnear"]
    if len(other):
        texts = [subj_texts[d] for d in other["doc_id"]]
        frame = single_sentence_frame(texts, model.cues)
        estimates = []
        for text in texts:
            one, tokens, dense, _, _ = article_claim_inputs(text, [Sentence(0, len(text), text)], model, model.cues)
            estimates.append(claims.grade(one, tokens, dense)[0])
        X = support_features(texts, model.predict_proba(frame), [None] * len(texts), None, np.array(estimates))
        for row, i in zip(X, other.index):
            feats[grades.index.get_loc(i)] = row
    return np.vstack(feats)


def shipped_support_data(data_dir: str | Path, grades_path: str | Path):
    """(grades, PolNeAR frames, support features, grades as an array) for the shipped model's heads and
    cue lexicon, features out of fold as in training: for the support tools in tools/."""
    bundle = load_bundle()
    model = bundle["attribution"]
    _, _, pol, subj = prepare(data_dir, cues=model.cues, tagger=bundle["spans"])
    grades = load_grades(grades_path)
    X = out_of_fold_support_features(grades, pol, subj, checkthat_texts(Path(data_dir)), model, bundle["claims"])
    return grades, pol, X, grades["grade"].to_numpy()


def cross_validate_support(X: np.ndarray, y: np.ndarray, folds: int = 5) -> dict:
    """Cross-validated Spearman correlation and per-grade accuracy of the support model."""
    from scipy.stats import spearmanr
    from sklearn.model_selection import StratifiedKFold

    pred_support = np.zeros(len(y))
    pred_grade = np.zeros(len(y), dtype=int)
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=13).split(X, y):
        model = fit_support(X[train_idx], y[train_idx])
        pred_support[test_idx], pred_grade[test_idx] = model.predict(X[test_idx])
    per_grade = {str(g): round(float((pred_grade[y == g] == g).mean()), 3) for g in GRADES if (y == g).any()}
    return {"spearman": round(float(spearmanr(pred_support, y).statistic), 3),
            "accuracy": round(float((pred_grade == y).mean()), 3),
            "per_grade_accuracy": per_grade, "n": int(len(y)), "folds": folds}


def corpus_hashes(data_dir: Path) -> dict[str, str]:
    """A content hash per corpus directory (sorted file names and bytes), for the model card."""
    out = {}
    for name in CORPORA:
        digest = hashlib.sha256()
        for path in sorted((data_dir / name).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(data_dir)).encode())
                digest.update(path.read_bytes())
        out[name] = digest.hexdigest()
    return out


def code_version() -> str:
    """Package version plus the git commit when run from a checkout."""
    try:
        here = Path(__file__).resolve().parents[1]  # the package directory
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                                cwd=here).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], capture_output=True, text=True,
                               check=True, cwd=here).stdout.strip()
        return f"{__version__}+{commit}{'.dirty' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return __version__


def train(data_dir: str | Path, out_dir: str | Path, claims_dir: str | Path, audits_dir: str | Path | None = None,
          examples_dir: str | Path | None = None, log=print) -> dict:
    """Fit everything, evaluate on dev, write the model files and the card (`save.save_bundle`); returns the card.
    `data_dir`: the corpora (laid out like ../shared/data); `claims_dir`: the claim-level reading (units, labels,
    readings: data/claims/ in the source repository), which trains the claim-level head and the support model;
    `audits_dir`: the hand audits' verdicts (the figures that need a missing one are left out of the card, with a
    note to `log`); `examples_dir`: the read example articles (their check is left out without it)."""
    data_dir, claims_dir = Path(data_dir), Path(claims_dir)
    for name in ("units.tsv", "labels.tsv", "readings.tsv"):  # before the minutes of fitting: fail at once
        if not (claims_dir / name).is_file():
            raise InputError(f"{claims_dir / name}: not found (the claim-level reading; use --claims DIR)")
    audit, judged = measured_audits(audits_dir, log=log)
    tagger = train_tagger(span_documents(data_dir, "train"), log=log)
    log("building corpus and model inputs (spans from the tagger) ...")
    corpus, cues, pol, subj = prepare(data_dir, tagger=tagger)
    log(f"cue lexicon: {len(cues)} words (built-in reporting verbs + those learned from PolNeAR train cues)")
    log("fitting attribution heads ...")
    model = compile_attribution(fit_heads(pol, subj, cues))  # what ships, and what is evaluated
    log("fitting the claim-level head and the support model on the readers' labels ...")
    claims, support, claim_training = train_claims(claims_dir, data_dir, pol, subj, model, fit_support, log,
                                                   tagger=tagger)
    bundle = {"attribution": model, "support": support, "claims": claims, "spans": tagger, "labels": list(LABELS)}
    log("evaluating on dev ...")
    metrics = evaluate_model(model, pol, subj, split="dev", audit=audit, judged=judged)
    metrics["spans"] = span_figures(tagger, span_documents(data_dir, "dev"), cues)
    metrics["claim_reading"] = evaluate_claims(claims_dir, data_dir, bundle,
                                               Path(examples_dir) if examples_dir is not None else None)
    card = {
        "id": MODEL_ID,
        "labels": list(LABELS),
        "code_version": code_version(),
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                     "numpy": np.__version__, "pandas": pd.__version__},
        "training_data": {name: {"source": src, "licence": lic} for name, (src, lic) in CORPORA.items()},
        "corpus_sha256": corpus_hashes(data_dir),
        "claim_readings": {
            "files": {name: sha256_file(claims_dir / name) for name in ("units.tsv", "labels.tsv", "readings.tsv")},
            "readers": "language-model readers (helper sessions) following the annotation guide, blind to any "
                       "model or rule label and to each other; part read twice, disagreements settled by a third "
                       "reading (docs/training-data.md)",
            "training": claim_training},
        "splits": "PolNeAR heads trained on train splits only; the claim-level head and the support model on the "
                  "training readings (PolNeAR train, BBC, CheckThat train sentences), with the PolNeAR heads' "
                  "outputs out of fold (heads refitted without each fold of read articles); metrics on dev "
                  "(PolNeAR dev, CheckThat dev, NewsSD val, the claim-level dev reading: PolNeAR dev and held-back "
                  "BBC articles)",
        "class_counts": {f"{c}/{s}": int(n) for (c, s), n in corpus.groupby(["corpus", "split"]).size().items()},
        "dev_metrics": metrics,
        "retrain": "scorer train --data ../shared/data --out models/",
    }
    manifest_path, card_path = save_bundle(bundle, card, out_dir)
    log(f"wrote {manifest_path.parent / ARRAYS_FILE}, {manifest_path} and {card_path}")
    return json.loads(card_path.read_text(encoding="utf-8"))
