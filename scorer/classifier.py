"""The fitted attribution heads as trained: three scikit-learn pipelines and the learned cue lexicon.

    P(attributed)            head `attributed`   (PolNeAR: sentence inside an attribution or not)
    P(type | attributed)     head `source_type`  (PolNeAR: named / anonymous / outlet, from the source span)
    P(opinion)               head `opinion`      (CheckThat/NewsSD: SUBJ vs OBJ; splits the no-source mass)

Training fits this and compiles it (`compiled.compile_attribution`); the compiled model, which
combines the heads into the four labels the same way, is what ships and scores.
"""
from __future__ import annotations


class AttributionModel:
    """Holds the fitted heads (scikit-learn pipelines over a model-inputs DataFrame) and the cue lexicon."""

    def __init__(self, attributed, source_type, opinion, cues: frozenset[str]):
        self.attributed = attributed
        self.source_type = source_type
        self.opinion = opinion
        self.cues = cues

    def heads(self) -> tuple:
        return self.attributed, self.source_type, self.opinion
