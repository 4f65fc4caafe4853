"""Cue features as scikit-learn transformers, for training: thin wrappers over `scorer.cues`.

All transformers take a DataFrame with columns `text`, `prev_text`, `next_text` (context may be
empty strings) or a plain list of sentences, and return dense float arrays with named columns.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from .cues import (CUE_FEATURES, QUOTE_STATE_FEATURES, SOURCE_TYPES, cue_matrix, quote_state,
                   source_type_vector)


def as_frame(X) -> pd.DataFrame:
    """Accept a DataFrame with `text` (+ optional context columns) or a sequence of sentences."""
    if isinstance(X, pd.DataFrame):
        frame = X
    else:
        frame = pd.DataFrame({"text": list(X)})
    for col in ("prev_text", "next_text"):
        if col not in frame:
            frame = frame.assign(**{col: ""})
    return frame


PRECOMPUTED = {"text": "cue_vec", "prev_text": "prev_cue_vec", "next_text": "next_cue_vec"}


class CueFeatures(BaseEstimator, TransformerMixin):
    """Hand-written cue features of the sentence in column `column` (text, prev_text or next_text)."""

    def __init__(self, column: str = "text"):
        self.column = column

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        frame = as_frame(X)
        precomputed = PRECOMPUTED.get(self.column)
        if precomputed in frame:  # article_frame computed each sentence's vector once
            return np.vstack(frame[precomputed].to_numpy()) if len(frame) else np.zeros((0, len(CUE_FEATURES)))
        return cue_matrix(frame[self.column].fillna("").astype(str))

    def get_feature_names_out(self, input_features=None):
        return np.array([f"{self.column}:{name}" for name in CUE_FEATURES], dtype=object)


class QuoteState(BaseEstimator, TransformerMixin):
    """Where the sentence sits relative to quotations running over several sentences (`cues.quote_state`)."""

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        frame = as_frame(X)
        rows = zip(frame["prev_text"].fillna(""), frame["text"].fillna(""), frame["next_text"].fillna(""))
        return np.array([quote_state(*row) for row in rows], dtype=np.float64).reshape(len(frame), 4)

    def get_feature_names_out(self, input_features=None):
        return np.array(QUOTE_STATE_FEATURES, dtype=object)


def text_column(X):
    """The `text` column as a list, for the TF-IDF step."""
    return as_frame(X)["text"].fillna("").astype(str).tolist()


class SourceTypeFeatures(BaseEstimator, TransformerMixin):
    """One-hot of the rule-extracted source's type (column `src_type`) and how it was resolved (`src_method`)."""

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        frame = as_frame(X)
        kinds = frame["src_type"].tolist() if "src_type" in frame else ["none"] * len(frame)
        methods = frame["src_method"].fillna("").tolist() if "src_method" in frame else [""] * len(frame)
        width = len(SOURCE_TYPES) + 2
        return np.array([source_type_vector(k, m) for k, m in zip(kinds, methods)], dtype=np.float64).reshape(
            len(frame), width)

    def get_feature_names_out(self, input_features=None):
        return np.array([f"src:{k}" for k in SOURCE_TYPES] + ["src:resolved_back", "src:quote_carry"], dtype=object)
