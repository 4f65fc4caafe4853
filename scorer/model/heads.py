"""The attribution model as plain arrays: the fitted scikit-learn heads compiled for scoring.

Training fits scikit-learn pipelines (`training.heads.build_pipeline`); `training.compile.compile_attribution`
turns them into vocabularies, idf weights and coefficient matrices. Scoring then needs only numpy: no scikit-learn,
scipy or pandas import, so a cold `scorer score` starts fast and batch workers stay small. The
predictions equal the pipelines' `predict_proba` (tests/training/test_compile.py). The model is saved as these
arrays plus JSON (`training.save.save_bundle`), never pickled.
"""
from __future__ import annotations

import re

import numpy as np

from ..labels import LABELS, SOURCE_KINDS, SOURCE_LABELS
from .cues import CUE_FEATURES, cue_matrix, quote_state, source_type_vector

_VECTOR_OF = {"text": "cue_vec", "prev_text": "prev_cue_vec", "next_text": "next_cue_vec"}


def _column(frame, name: str, default: str = "") -> list:
    """A column of a ModelInputs or DataFrame as a list, with missing values as `default`."""
    if name not in frame:
        return [default] * len(frame)
    return [default if v is None or v != v else v for v in frame[name]]


def _cue_block(frame, column: str) -> np.ndarray:
    """The cue vectors of the sentences in `column`: precomputed when the frame has them."""
    name = _VECTOR_OF[column]
    if name in frame:
        values = frame[name]
        if isinstance(values, np.ndarray) and values.ndim == 2:
            return values
        return np.vstack(list(values)) if len(frame) else np.zeros((0, len(CUE_FEATURES)))
    return cue_matrix([str(t) for t in _column(frame, column)])


# the non-word feature blocks a head can have, with their widths (a saved model lists its heads' parts)
PART_KINDS = {("cues", column) for column in _VECTOR_OF} | {("quote_state",), ("source",)}


def part_width(kind: tuple) -> int:
    """Number of columns `dense_part(kind, ...)` produces."""
    if kind[0] == "cues":
        return len(CUE_FEATURES)
    if kind[0] == "quote_state":
        return 4
    if kind[0] == "source":
        return len(SOURCE_KINDS) + 2
    raise ValueError(f"unknown feature part {kind!r}")


def dense_part(kind: tuple, frame) -> np.ndarray:
    """One non-word feature block of a head: the one implementation behind both the compiled model and
    the training transformers in `features` (CueFeatures, QuoteState, SourceTypeFeatures)."""
    if kind[0] == "cues":
        return _cue_block(frame, kind[1])
    if kind[0] == "quote_state":
        rows = zip(_column(frame, "prev_text"), _column(frame, "text"), _column(frame, "next_text"))
        return np.array([quote_state(*row) for row in rows], dtype=np.float64).reshape(len(frame), part_width(kind))
    if kind[0] == "source":
        rows = zip(_column(frame, "src_type", "none"), _column(frame, "src_method"))
        return np.array([source_type_vector(*row) for row in rows], dtype=np.float64).reshape(
            len(frame), part_width(kind))
    raise ValueError(f"unknown feature part {kind!r}")


def logistic_probabilities(scores: np.ndarray) -> np.ndarray:
    """LogisticRegression.predict_proba from its decision scores: the sigmoid of the one score of a
    binary model ([1 - p, p]), else the softmax over classes."""
    if scores.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-scores[:, 0]))
        return np.column_stack([1.0 - p, p])
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


class Tokens:
    """Word n-grams of the heads' TF-IDF step (scikit-learn's word analyser: lower case, token pattern,
    n-grams joined by a space), looked up once in the union of the heads' vocabularies."""

    def __init__(self, token_pattern: str, ngram_max: int, union: dict[str, int]):
        self.pattern = re.compile(token_pattern)
        self.ngram_max = ngram_max
        self.union = union

    @classmethod
    def from_terms(cls, token_pattern: str, ngram_max: int, terms: list[str]) -> "Tokens":
        """Tokens whose vocabulary ids are the positions of `terms` (as saved by `terms`)."""
        return cls(token_pattern, ngram_max, dict(zip(terms, range(len(terms)))))

    def terms(self) -> list[str]:
        """The vocabulary in id order; the ids must be 0..n-1 (as `compile_attribution` numbers them)."""
        terms = sorted(self.union, key=self.union.get)
        if [self.union[t] for t in terms] != list(range(len(terms))):
            raise ValueError("vocabulary ids must be 0..n-1")
        return terms

    def ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, union id) of every known n-gram occurrence."""
        get, findall, top = self.union.get, self.pattern.findall, self.ngram_max
        ids: list[int] = []
        lengths: list[int] = []
        for text in texts:
            tokens = findall(text.lower())
            grams = list(tokens)
            for n in range(2, min(top, len(tokens)) + 1):
                grams += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
            found = [i for i in map(get, grams) if i is not None]
            ids.extend(found)
            lengths.append(len(found))
        return np.repeat(np.arange(len(texts)), lengths), np.asarray(ids, dtype=np.int64)


class CompiledHead:
    """One head: sublinear TF-IDF (l2-normalised, float32 as in training) + dense parts -> logistic regression."""

    def __init__(self, columns: np.ndarray, idf: np.ndarray, parts: list[tuple], coef: np.ndarray,
                 intercept: np.ndarray, classes: np.ndarray, tokens: Tokens):
        self.columns = columns  # union id -> this head's vocabulary column, -1 if not in it
        self.idf = idf.astype(np.float64)
        self.parts = parts
        self.n_words = len(idf)
        self.coef_words = np.ascontiguousarray(coef[:, :self.n_words])
        self.coef_dense = np.ascontiguousarray(coef[:, self.n_words:])
        self.intercept = intercept
        self.classes_ = classes
        self.tokens = tokens

    def decision(self, frame, rows: np.ndarray, ids: np.ndarray, done: dict) -> np.ndarray:
        """Linear scores (n, n_coef_rows) from the token occurrences and the dense parts (shared via `done`)."""
        n = len(frame)
        cols = self.columns[ids]
        keep = cols >= 0
        key = rows[keep] * self.n_words + cols[keep]
        key, counts = np.unique(key, return_counts=True)  # sorted by row, then column: one entry per term
        r, c = key // self.n_words, key % self.n_words
        # as TfidfVectorizer: float32 sublinear tf, times the float64 idf, stored as float32
        values = ((np.log(counts.astype(np.float32)) + np.float32(1)) * self.idf[c]).astype(np.float32)
        norms = np.sqrt(np.bincount(r, weights=values.astype(np.float64) ** 2, minlength=n)).astype(np.float32)
        values = (values / norms[r]).astype(np.float64)
        scores = np.column_stack([np.bincount(r, weights=values * w[c], minlength=n) for w in self.coef_words]) \
            if n else np.zeros((0, len(self.coef_words)))
        blocks = []
        for kind in self.parts:
            if kind not in done:
                done[kind] = dense_part(kind, frame)
            blocks.append(done[kind])
        if blocks:
            scores = scores + np.hstack(blocks) @ self.coef_dense.T
        return scores + self.intercept

    def predict_proba(self, frame, tokens: tuple[np.ndarray, np.ndarray] | None = None,
                      done: dict | None = None) -> np.ndarray:
        """Probabilities in `classes_` order, as LogisticRegression.predict_proba."""
        rows, ids = tokens if tokens is not None else self.tokens.ids(_column(frame, "text"))
        return logistic_probabilities(self.decision(frame, rows, ids, {} if done is None else done))


def combine_heads(p_attr: np.ndarray, p_type: np.ndarray, p_op: np.ndarray) -> np.ndarray:
    """The four labels' probabilities (LABELS order) from the heads' outputs: P(attributed), P(source label |
    attributed) in SOURCE_LABELS order, P(opinion | no source behind the claim); see CompiledAttributionModel."""
    out = np.empty((len(p_attr), len(LABELS)))
    out[:, 0] = p_attr * p_type[:, 0]
    out[:, 1] = p_attr * p_type[:, 1]
    no_source = p_attr * p_type[:, 2] + (1 - p_attr)
    out[:, 2] = no_source * (1 - p_op)
    out[:, 3] = no_source * p_op
    return out


class CompiledAttributionModel:
    """The three heads over one shared tokenising pass; `predict_proba` gives (n, 4) in LABELS order.

    named = A*P(named|A); anonymous = A*P(anon|A); with N = A*P(outlet|A) + (1-A), the mass with no source behind
    the claim, outlet = N*(1-O) and opinion = N*O: a narrated act or another outlet's report can carry the writer's
    evaluation as plain narration can (ANNOTATION.md, rule 5), so the opinion head splits all of N.
    """

    def __init__(self, attributed: CompiledHead, source_type: CompiledHead, opinion: CompiledHead,
                 cues: frozenset[str], tokens: Tokens):
        self.attributed, self.source_type, self.opinion = attributed, source_type, opinion
        self.cues = cues
        self.tokens = tokens

    def heads(self) -> tuple:
        return self.attributed, self.source_type, self.opinion

    def head_probabilities(self, frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P(attributed), P(source type | attributed) in SOURCE_LABELS order, P(opinion | no source behind the claim)."""
        tokens = self.tokens.ids(_column(frame, "text"))
        done: dict = {}
        p_attr, raw, p_op = (head.predict_proba(frame, tokens, done) for head in self.heads())
        classes = list(self.source_type.classes_)
        return p_attr[:, 1], raw[:, [classes.index(c) for c in SOURCE_LABELS]], p_op[:, 1]

    def predict_proba(self, frame) -> np.ndarray:
        """Probabilities over LABELS for each row of a frame built by `inputs.article_inputs` (or, in training,
        `training.train.article_frame`)."""
        return combine_heads(*self.head_probabilities(frame))

    def predict(self, frame) -> list[str]:
        """The most probable label per row."""
        return [LABELS[i] for i in self.predict_proba(frame).argmax(axis=1)]
