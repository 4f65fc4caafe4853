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
SHARED_MIN_ROWS = 200  # from this many sentences per call, the shared word pass pays for its set-up


class AttributionModel:
    """Holds the fitted heads and the learned cue lexicon; `predict_proba` gives (n, 4) in LABELS order."""

    def __init__(self, attributed, source_type, opinion, cues: frozenset[str]):
        self.attributed = attributed
        self.source_type = source_type
        self.opinion = opinion
        self.cues = cues

    def heads(self) -> tuple:
        return self.attributed, self.source_type, self.opinion

    def head_probabilities(self, frame, shared: bool | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P(attributed), P(source type | attributed) in SOURCE_LABELS order, P(opinion | unattributed).

        With `shared` (default: for SHARED_MIN_ROWS rows or more, or once built) the heads' word
        features come from one pass over the text (`sharedwords`), which takes ~50 ms to set up:
        worth it for a batch, not for one short article in a fresh process. Both give the same numbers.
        """
        if shared is None:
            shared = len(frame) >= SHARED_MIN_ROWS or "_shared" in self.__dict__
        if shared:
            from .features import text_column

            words = self._shared_words().transform(text_column(frame))
            done: dict = {}
            p_attr, raw, p_op = (_predict_with_words(head, frame, w, done) for head, w in zip(self.heads(), words))
        else:
            p_attr, raw, p_op = (head.predict_proba(frame) for head in self.heads())
        classes = list(self.source_type.classes_)
        return p_attr[:, 1], raw[:, [classes.index(c) for c in SOURCE_LABELS]], p_op[:, 1]

    def _shared_words(self):
        """The heads' TF-IDF steps behind one tokeniser, built on first use (not stored in the model file)."""
        shared = self.__dict__.get("_shared")
        if shared is None:
            from .sharedwords import SharedTfidf

            shared = SharedTfidf([_words_step(head)[-1] for head in self.heads()])
            self.__dict__["_shared"] = shared
        return shared

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_shared"}

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


def _words_step(head):
    """The head's `words` pipeline (text column -> TF-IDF), which must be the first FeatureUnion part."""
    name, words = head.named_steps["features"].transformer_list[0]
    if name != "words":
        raise ValueError("the first feature part of an attribution head must be 'words'")
    return words


def _predict_with_words(head, frame, words, done: dict) -> np.ndarray:
    """head.predict_proba(frame), with the already computed word features in place of its words step.
    The other feature parts are stateless transformers: one with the same class and parameters as
    a part of an earlier head (`done`) is not computed again."""
    import scipy.sparse as sp

    parts = [words]
    for _, part in head.named_steps["features"].transformer_list[1:]:
        key = (type(part).__name__, repr(sorted(part.get_params().items())))
        if key not in done:
            done[key] = part.transform(frame)
        parts.append(done[key])
    return head.named_steps["clf"].predict_proba(sp.hstack(parts).tocsr())
