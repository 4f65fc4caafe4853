"""Cue features as scikit-learn transformers: reporting verbs, quotes, names near cues, anonymity,
outlets, hedges, loaded words, numbers and dates, and the same cues in the neighbouring sentences.

All transformers take a DataFrame with columns `text`, `prev_text`, `next_text` (context may be
empty strings) or a plain list of sentences, and return dense float arrays with named columns.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from .lexicon import (ANONYMITY_PHRASES, ANONYMOUS_HEADS, HEDGES, LOADED_WORDS, REPORTING_PHRASES,
                      REPORTING_VERBS, outlet_pattern)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_NAME = re.compile(r"\b(?:[A-Z][a-z]+\.? ){0,2}[A-Z][a-z]+(?:[-’'][A-Z]?[a-z]+)?\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion)\b", re.I)
_DATE = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|"
                   r"july|august|september|october|november|december|jan|feb|aug|sept|oct|nov|dec|yesterday|today|"
                   r"(19|20)\d\d)\b", re.I)
_DATE_MAY = re.compile(r"\bMay \d")
_OPEN_Q = re.compile(r"[“\"]")
_ATTRIB_TAIL = re.compile(r"[,?!][”\"’]\s+(\w+\s+){0,4}(" + "|".join(sorted(REPORTING_VERBS)) + r")\b", re.I)
_ATTRIB_HEAD = re.compile(r"^(\w+\s+){0,6}(" + "|".join(sorted(REPORTING_VERBS)) + r")\b[^.]{0,20}[:,]?\s*[“\"]", re.I)
_CARRY = re.compile(r"\b(he|she|they|it|the \w+)\s+(added|continued|said|noted|went on|explained|wrote)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(I|[Ww]e|me|us|[Oo]ur|[Mm]y)\b")  # case-sensitive: "US" is not "us"
_SECOND_PERSON = re.compile(r"\b(you|your)\b", re.I)
_MODAL = re.compile(r"\b(should|must|ought|need to|needs to|have to|has to)\b", re.I)
_INTENS = re.compile(r"\b(very|really|truly|simply|clearly|obviously|of course|surely|just|even|so|too|indeed|"
                     r"utterly|totally|completely|absolutely|extremely|incredibly|most|least|best|worst)\b", re.I)
_OUTLET = outlet_pattern()
_HEDGE = re.compile(r"\b(" + "|".join(re.escape(h) for h in HEDGES) + r")\b", re.I)
_ANON_PHRASE = re.compile("|".join(re.escape(p) for p in ANONYMITY_PHRASES), re.I)
_REPORT_PHRASE = re.compile("|".join(re.escape(p) for p in REPORTING_PHRASES), re.I)
_DENIAL = re.compile(r"\b(denied|denies|deny|declined to (comment|answer|confirm)|did not (respond|return|answer)|"
                     r"refused to (comment|confirm)|no comment|could not be reached|would not (comment|confirm))\b", re.I)

CUE_FEATURES = ("reporting_verb", "reporting_phrase", "according_to", "quote_marks", "starts_with_quote",
                "quote_then_attribution", "attribution_then_quote", "carry_over_pronoun", "name_near_cue",
                "names", "anonymity_phrase", "anonymous_head", "outlet", "hedges", "loaded_words", "numbers",
                "dates", "question", "exclamation", "first_person", "second_person", "modal", "intensifiers",
                "denial", "log_length")


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


def cue_vector(text: str) -> list[float]:
    """The CUE_FEATURES of one sentence, in order."""
    if not text:
        return [0.0] * len(CUE_FEATURES)
    low_words = [w.lower() for w in _WORD.findall(text)]
    verbs = [i for i, w in enumerate(low_words) if w in REPORTING_VERBS]
    names = _NAME.findall(text[1:])  # skip the sentence-initial capital
    name_near = 0.0
    if verbs:
        words = _WORD.findall(text)
        for i in verbs:
            window = words[max(0, i - 4):i] + words[i + 1:i + 4]
            if any(w[0].isupper() for w in window if w.lower() not in ("i", "the", "a", "but", "and")):
                name_near = 1.0
                break
    quotes = len(_OPEN_Q.findall(text)) + text.count("”")
    return [
        float(bool(verbs)), float(bool(_REPORT_PHRASE.search(text))), float("according to" in text.lower()),
        min(quotes, 4) / 4.0, float(text[:1] in "“\"‘'"), float(bool(_ATTRIB_TAIL.search(text))),
        float(bool(_ATTRIB_HEAD.search(text))), float(bool(_CARRY.search(text))), name_near,
        min(len(names), 5) / 5.0, float(bool(_ANON_PHRASE.search(text))),
        float(any(w in ANONYMOUS_HEADS for w in low_words[:12])), float(bool(_OUTLET.search(text))),
        min(len(_HEDGE.findall(text)), 3) / 3.0, min(sum(w in LOADED_WORDS for w in low_words), 3) / 3.0,
        min(len(_NUMBER.findall(text)), 4) / 4.0, float(bool(_DATE.search(text) or _DATE_MAY.search(text))), float("?" in text),
        float("!" in text), float(bool(_FIRST_PERSON.search(text))), float(bool(_SECOND_PERSON.search(text))),
        float(bool(_MODAL.search(text))), min(len(_INTENS.findall(text)), 3) / 3.0,
        float(bool(_DENIAL.search(text))), np.log1p(len(low_words)) / 5.0,
    ]


class CueFeatures(BaseEstimator, TransformerMixin):
    """Hand-written cue features of the sentence in column `column` (text, prev_text or next_text)."""

    def __init__(self, column: str = "text"):
        self.column = column

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        texts = as_frame(X)[self.column].fillna("").astype(str)
        return np.array([cue_vector(t) for t in texts], dtype=np.float64).reshape(len(texts), len(CUE_FEATURES))

    def get_feature_names_out(self, input_features=None):
        return np.array([f"{self.column}:{name}" for name in CUE_FEATURES], dtype=object)


class QuoteState(BaseEstimator, TransformerMixin):
    """Whether a quotation is still open from the previous sentence (the sentence is inside a quote)."""

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        frame = as_frame(X)
        out = np.zeros((len(frame), 3))
        for i, (prev, text) in enumerate(zip(frame["prev_text"].fillna(""), frame["text"].fillna(""))):
            open_prev = (prev.count("“") > prev.count("”")) or prev.count('"') % 2 == 1
            out[i] = [float(open_prev), float(open_prev and ("”" in text or '"' in text)),
                      float(text[:1] in "“\"" and text.count("“") + text.count('"') == 1)]
        return out

    def get_feature_names_out(self, input_features=None):
        return np.array(["quote_open_before", "quote_closes_here", "quote_opens_unclosed"], dtype=object)


def text_column(X):
    """The `text` column as a list, for the TF-IDF step."""
    return as_frame(X)["text"].fillna("").astype(str).tolist()


SOURCE_TYPES = ("named_source", "anonymous_intelligence", "outlet_claim", "unresolved", "none")


class SourceTypeFeatures(BaseEstimator, TransformerMixin):
    """One-hot of the rule-extracted source's type (column `src_type`) and how it was resolved (`src_method`)."""

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        frame = as_frame(X)
        kinds = frame["src_type"] if "src_type" in frame else pd.Series(["none"] * len(frame))
        methods = frame["src_method"].fillna("") if "src_method" in frame else pd.Series([""] * len(frame))
        out = np.zeros((len(frame), len(SOURCE_TYPES) + 2))
        index = {k: i for i, k in enumerate(SOURCE_TYPES)}
        for row, (kind, method) in enumerate(zip(kinds, methods)):
            out[row, index.get(kind, index["none"])] = 1.0
            out[row, -2] = float("pronoun" in method or "role noun" in method)
            out[row, -1] = float(method == "quote carry-over")
        return out

    def get_feature_names_out(self, input_features=None):
        return np.array([f"src:{k}" for k in SOURCE_TYPES] + ["src:resolved_back", "src:quote_carry"], dtype=object)
