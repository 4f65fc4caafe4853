"""The attribution-type model: three trained heads combined into probabilities over the four labels.

    P(attributed)            head `attributed`   (PolNeAR: sentence inside an attribution or not)
    P(type | attributed)     head `source_type`  (PolNeAR: named / anonymous / outlet, from the source span)
    P(opinion | unattributed) head `opinion`     (CheckThat/NewsSD: SUBJ vs OBJ)

named = A*P(named|A); anonymous = A*P(anon|A); outlet = A*P(outlet|A) + (1-A)*(1-O); opinion = (1-A)*O
"""
from __future__ import annotations

import numpy as np

from . import LABELS

SOURCE_LABELS = ("named_source", "anonymous_intelligence", "outlet_claim")


class AttributionModel:
    """Holds the fitted heads and the learned cue lexicon; `predict_proba` gives (n, 4) in LABELS order."""

    def __init__(self, attributed, source_type, opinion, cues: frozenset[str]):
        self.attributed = attributed
        self.source_type = source_type
        self.opinion = opinion
        self.cues = cues

    def head_probabilities(self, frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P(attributed), P(source type | attributed) in SOURCE_LABELS order, P(opinion | unattributed)."""
        p_attr = self.attributed.predict_proba(frame)[:, 1]
        classes = list(self.source_type.classes_)
        raw = self.source_type.predict_proba(frame)
        p_type = raw[:, [classes.index(c) for c in SOURCE_LABELS]]
        p_op = self.opinion.predict_proba(frame)[:, 1]
        return p_attr, p_type, p_op

    def predict_proba(self, frame) -> np.ndarray:
        """Probabilities over LABELS for each row of a frame built by `context.article_frame`."""
        p_attr, p_type, p_op = self.head_probabilities(frame)
        out = np.empty((len(p_attr), len(LABELS)))
        out[:, 0] = p_attr * p_type[:, 0]
        out[:, 1] = p_attr * p_type[:, 1]
        out[:, 2] = p_attr * p_type[:, 2] + (1 - p_attr) * (1 - p_op)
        out[:, 3] = (1 - p_attr) * p_op
        return out

    def predict(self, frame) -> list[str]:
        """The most probable label per row."""
        return [LABELS[i] for i in self.predict_proba(frame).argmax(axis=1)]
