"""Cue features as scikit-learn transformers, for training: thin wrappers over `scorer.model.heads.dense_part`.

All transformers take a DataFrame with columns `text`, `prev_text`, `next_text` (context may be
empty strings) or a plain list of sentences, and return dense float arrays with named columns.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ..labels import SOURCE_KINDS
from ..model.cues import CUE_FEATURES, QUOTE_STATE_FEATURES
from ..model.heads import dense_part


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


class CueFeatures(BaseEstimator, TransformerMixin):
    """Hand-written cue features of the sentence in column `column` (text, prev_text or next_text)."""

    def __init__(self, column: str = "text"):
        self.column = column

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        # the precomputed cue vectors when article_frame made them, as the compiled model reads them
        return dense_part(("cues", self.column), as_frame(X))

    def get_feature_names_out(self, input_features=None):
        return np.array([f"{self.column}:{name}" for name in CUE_FEATURES], dtype=object)


class QuoteState(BaseEstimator, TransformerMixin):
    """Where the sentence sits relative to quotations running over several sentences (`model.cues.quote_state`)."""

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        return dense_part(("quote_state",), as_frame(X))

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
        return dense_part(("source",), as_frame(X))

    def get_feature_names_out(self, input_features=None):
        return np.array([f"src:{k}" for k in SOURCE_KINDS] + ["src:resolved_back", "src:quote_carry"], dtype=object)
