"""The attribution heads as trained: three scikit-learn pipelines (`build_pipeline()`, the only place they are
defined) and the learned cue lexicon, held by `AttributionModel`.

    P(attributed)            head `attributed`   (PolNeAR: sentence inside an attribution or not)
    P(type | attributed)     head `source_type`  (PolNeAR: named / anonymous / outlet, from the source span)
    P(opinion)               head `opinion`      (CheckThat/NewsSD: SUBJ vs OBJ; splits the no-source mass)

Each head is TF-IDF word 1-2 grams of the sentence plus the cue features of the sentence and its
neighbours, feeding a logistic regression (fast to predict, probabilities that are close to calibrated).
Training fits the heads and compiles them (`compile.compile_attribution`); the compiled model
(`scorer.model.heads`), which combines the heads into the four labels the same way, is what ships and scores.
"""
from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from ..labels import SOURCE_LABELS
from .features import CueFeatures, QuoteState, SourceTypeFeatures, text_column

SEED = 13
TOKEN_PATTERN = r"(?u)\b\w[\w'’]*\b|[“”\"?!:]"
# the opinion head's regularisation, chosen by repeated 5-fold cross-validation on CheckThat train (`opinion_cv`,
# tools/opinion_cv.py): macro-F1 0.655 at C=0.3 (the setting before, chosen on dev), 0.682 at 1, 0.695 at 3, 0.690 at 10
OPINION_C = 3.0


def build_features(context: bool = True, min_df: int = 2, ngram_max: int = 2) -> FeatureUnion:
    """Sentence TF-IDF + cue features (+ the neighbours' cue features and quote state when `context`)."""
    parts = [
        ("words", make_pipeline(FunctionTransformer(text_column),
                                TfidfVectorizer(ngram_range=(1, ngram_max), min_df=min_df, sublinear_tf=True,
                                                token_pattern=TOKEN_PATTERN, lowercase=True, dtype=np.float32))),
        ("cues", CueFeatures("text")),
    ]
    if context:
        parts += [("prev_cues", CueFeatures("prev_text")), ("next_cues", CueFeatures("next_text")),
                  ("quote_state", QuoteState()), ("source", SourceTypeFeatures())]
    return FeatureUnion(parts)


def build_pipeline(C: float = 4.0, class_weight: str | None = "balanced", context: bool = True,
                   min_df: int = 2, ngram_max: int = 2) -> Pipeline:
    """One attribution head: features -> logistic regression (fixed seed, deterministic solver)."""
    return Pipeline([
        ("features", build_features(context=context, min_df=min_df, ngram_max=ngram_max)),
        ("clf", LogisticRegression(C=C, class_weight=class_weight, max_iter=3000, solver="lbfgs",
                                   random_state=SEED)),
    ])


def build_opinion(C: float = OPINION_C) -> Pipeline:
    """The opinion head: class-balanced logistic regression over the sentence's unigram TF-IDF and its cue features."""
    return build_pipeline(C=C, context=False, min_df=1, ngram_max=1)


def opinion_cv(subj, grid: tuple[float, ...] = (0.3, 1.0, 3.0, 10.0), repeats: int = 3, folds: int = 5) -> dict:
    """Macro-F1 (SUBJ vs OBJ at P = 0.5) of the opinion head for each C of `grid`, by `repeats` x stratified
    `folds`-fold cross-validation on the training rows of `subj` (seeded: the same data gives the same figures):
    {C: (mean, standard deviation over the repeats)}. The measure OPINION_C is chosen by; no dev row is read."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    train = subj[subj["split"] == "train"].reset_index(drop=True)
    y = (train["subjectivity"] == "SUBJ").astype(int).to_numpy()
    out = {}
    for C in grid:
        scores = [f1_score(y, cross_val_predict(build_opinion(C), train, y, method="predict_proba",
                                                cv=StratifiedKFold(folds, shuffle=True, random_state=rep))[:, 1] > 0.5,
                           average="macro") for rep in range(repeats)]
        out[C] = (float(np.mean(scores)), float(np.std(scores)))
    return out


class AttributionModel:
    """Holds the fitted heads (scikit-learn pipelines over a model-inputs DataFrame) and the cue lexicon."""

    def __init__(self, attributed, source_type, opinion, cues: frozenset[str]):
        self.attributed = attributed
        self.source_type = source_type
        self.opinion = opinion
        self.cues = cues

    def heads(self) -> tuple:
        return self.attributed, self.source_type, self.opinion


def fit_heads(pol, subj, cues: frozenset[str]) -> "AttributionModel":
    """Fit the three heads on training rows with human labels."""
    train = pol[(pol["split"] == "train") & pol["label"].notna()]
    # settings chosen on dev (README): unweighted detection, class-balanced source type; a class-balanced unigram
    # opinion head (CheckThat train is 34% SUBJ, dev 52%), its C chosen by cross-validation on train (OPINION_C)
    attributed = build_pipeline(C=4.0, class_weight=None).fit(train, train["attributed"].astype(int))
    typed = train[train["attributed"] & train["label"].isin(SOURCE_LABELS)]
    source_type = build_pipeline(C=4.0).fit(typed, typed["label"])
    subj_train = subj[subj["split"] == "train"]
    opinion = build_opinion(OPINION_C).fit(subj_train, (subj_train["subjectivity"] == "SUBJ").astype(int))
    return AttributionModel(attributed, source_type, opinion, cues)


def document_folds(doc_ids, folds: int = 5, seed: int = 7) -> dict[str, int]:
    """A fold number per training document (sorted ids, seeded draw: the same data gives the same folds)."""
    ids = sorted(set(doc_ids))
    return dict(zip(ids, np.random.RandomState(seed).randint(0, folds, len(ids)).tolist()))
