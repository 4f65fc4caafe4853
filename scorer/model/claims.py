"""The claim-level type head: the label a careful reader gives a sentence, learned from claim-level readings.

The PolNeAR-trained heads answer narrower questions (is there a human-marked attribution; which kind of source;
is the sentence subjective). Readers of whole articles answer the guide's question, "on whose word does the main
claim of this sentence rest?", and mark page furniture. This head is fitted on their labels (data/claims/): a
multinomial logistic regression over the sentence's words, the rule-extracted source and cue as tokens, and dense
features (the three heads' outputs, the source type, the cue features, the same for the neighbouring sentences,
the sentence's place in the article and the article's mean). A grade row over the same inputs (a ridge regression
fitted on the readers' support grades) estimates the grade a reader gives the sentence; the support model
(`model.support`) reads that estimate beside the type probabilities. Scoring needs numpy only.
"""
from __future__ import annotations

import re

import numpy as np

from ..text import kernels
from ..text.vocab import Vocabulary
from .cues import source_type_matrix
from .heads import (
    COMPILED_SCORES,
    PACKED_SCORES,
    NgramLookup,
    combine_heads,
    compiled_word_scores,
    packed_table,
    packed_views,
    tf_table,
)

CLAIM_CLASSES = ("named_source", "anonymous_intelligence", "outlet_claim", "editorial_opinion", "furniture")
_WORD = re.compile(r"[a-z]+")
_NON_WORD = re.compile(r"\W+")


def combined(heads: np.ndarray) -> np.ndarray:
    """The PolNeAR heads' four-label probabilities from their outputs as columns (P(attributed), P(type | attributed)
    x 3, P(opinion | no source)), as `CompiledAttributionModel.predict_proba` combines them."""
    return combine_heads(heads[:, 0], heads[:, 1:4], heads[:, 4])


def claim_dense(heads: np.ndarray, source_vectors: np.ndarray, cue: np.ndarray, prev_cue: np.ndarray,
                next_cue: np.ndarray, lengths: list[int]) -> np.ndarray:
    """Dense features of one article's sentences, in order: for each sentence its heads' outputs, their combination
    and its source-type vector, the same for the previous and next sentence (zeros at the ends), its cue features and
    its neighbours', its place (relative position, first, length), and the article's mean combination, whether the
    article is one sentence and its length."""
    return claim_dense_many(heads, source_vectors, cue, prev_cue, next_cue, lengths, [len(heads)])


def claim_dense_many(heads: np.ndarray, source_vectors: np.ndarray, cue: np.ndarray, prev_cue: np.ndarray,
                     next_cue: np.ndarray, lengths: list[int], counts: list[int], rows: tuple[int, int] | None = None,
                     means: np.ndarray | None = None) -> np.ndarray:
    """`claim_dense` of several articles at once: their rows stacked in order, `counts` sentences each; each
    article's rows hold the values `claim_dense` gives them (the same operations row by row: the neighbours' blocks
    zeroed at each article's ends, the place and the article's figures from per-row arrays, each article's mean
    combination by its own `mean`).

    `rows` (start, stop): only the rows start:stop of the stack (a block of a long article, `pipeline.MODEL_BLOCK`),
    with the same values as in the whole stack's; `heads` still holds every row (for the articles' means), the other
    per-row arguments the block's rows only. The first and last row of a block lack a neighbour outside it: pass one
    row more on each side and drop them. `means`: `article_means(heads, counts)` when the caller has it (once for all
    the blocks)."""
    total = len(heads)
    counts = np.asarray(counts, dtype=np.int64).reshape(-1)
    if counts.sum() != total or (counts < 0).any():
        raise ValueError(f"claim_dense_many: counts {counts.tolist()} do not add up to the {total} rows")
    lo, hi = (0, total) if rows is None else rows
    n = hi - lo
    every, heads = heads, heads[lo:hi]
    comb = combined(heads)
    own_width = heads.shape[1] + comb.shape[1] + source_vectors.shape[1]
    widths = [own_width, cue.shape[1], own_width, own_width, prev_cue.shape[1], next_cue.shape[1], 3, 6]
    at = np.cumsum([0] + widths).tolist()
    out = np.empty((n, at[-1]), dtype=np.result_type(heads, source_vectors, cue, prev_cue, next_cue, np.float64))
    own = out[:, :own_width]
    own[:, :heads.shape[1]] = heads
    own[:, heads.shape[1]:heads.shape[1] + comb.shape[1]] = comb
    own[:, heads.shape[1] + comb.shape[1]:] = source_vectors
    out[:, at[1]:at[2]] = cue
    ends = np.cumsum(counts)
    starts = ends - counts
    present = counts > 0
    firsts, lasts = starts[present] - lo, ends[present] - 1 - lo  # each article's first and last row, in the block
    if rows is None:
        size = np.repeat(counts, counts)  # each row's article's number of sentences
        position = np.arange(n) - np.repeat(starts, counts)
    else:  # each row's article (one with no rows never owns one), by the articles' ends
        article = np.searchsorted(ends, np.arange(lo, hi), side="right")
        size = counts[article]
        position = np.arange(lo, hi) - starts[article]
        firsts, lasts = firsts[(firsts >= 0) & (firsts < n)], lasts[(lasts >= 0) & (lasts < n)]
    if n:
        out[1:, at[2]:at[3]] = own[:-1]
        out[firsts, at[2]:at[3]] = 0.0
        out[:-1, at[3]:at[4]] = own[1:]
        out[lasts, at[3]:at[4]] = 0.0
    out[:, at[4]:at[5]] = prev_cue
    out[:, at[5]:at[6]] = next_cue
    out[:, at[6]] = position / np.maximum(size - 1, 1)
    out[:, at[6] + 1] = position == 0
    out[:, at[6] + 2] = np.minimum(np.asarray(lengths, dtype=np.int64), 400) / 200
    if n:
        if means is None:
            means = article_means(every, counts, comb if rows is None else None)
        # the means of the articles that own rows, in order, each repeated over its rows
        out[:, at[7]:at[7] + 4] = np.repeat(means, counts[present], axis=0) if rows is None else \
            means[np.cumsum(present)[article] - 1]
    out[:, at[7] + 4] = size == 1
    out[:, at[7] + 5] = np.minimum(size, 60) / 60
    return out


def article_means(heads: np.ndarray | None, counts, comb: np.ndarray | None = None) -> np.ndarray:
    """The mean combination (`combined`) of each article with rows, stacked (`counts` sentences each), in order: from
    `heads` (every row), or from `comb`, their combination when the caller has it."""
    counts = np.asarray(counts, dtype=np.int64).reshape(-1)
    comb = combined(heads) if comb is None else comb
    ends = np.cumsum(counts)
    present = counts > 0
    return np.array([comb[a:b].mean(axis=0) for a, b in zip((ends - counts)[present].tolist(), ends[present].tolist())])


def source_tokens(source: str | None, inherited: str | None, cue: str | None, kind: str | None,
                  method: str | None) -> str:
    """The rule-extracted source and cue of a sentence as tokens for the head: S_<word> for each word of the
    source phrase (or the source a quotation carries over), C_<word> for the cue, T_<type>, M_<method>."""
    words = _WORD.findall((source or inherited or "").lower())
    cue_words = _WORD.findall((cue or "").lower())
    key = (kind, method)
    try:
        tail = _TYPE_TOKENS[key]
    except KeyError:  # a (kind, method) pair not seen yet (a few dozen in all)
        tail = _type_tokens(kind, method)
        if len(_TYPE_TOKENS) >= 4096:
            _TYPE_TOKENS.clear()
        _TYPE_TOKENS[key] = tail
    except TypeError:  # an unhashable value
        tail = _type_tokens(kind, method)
    return " ".join(["S_" + w for w in words] + ["C_" + w for w in cue_words] + [tail])


def source_tokens_many(sources, inherited, cues, kinds, methods) -> list[str]:
    """source_tokens of each row of the columns: the source's and the cue's tokens made once per distinct phrase and
    kept (a few phrases, none, "he", "said", make up most rows), then joined with the type's (`_TYPE_TOKENS`)."""
    out = []
    source_parts, cue_parts, type_tokens = _SOURCE_PARTS, _CUE_PARTS, _TYPE_TOKENS
    for source, inh, cue, kind, method in zip(sources, inherited, cues, kinds, methods):
        text = source or inh or ""
        try:
            tail = type_tokens[kind, method]
            words = source_parts[text] if text.__class__ is str else None
            cue_words = (cue_parts[cue] if cue.__class__ is str else None) if cue else ""
        except (KeyError, TypeError):  # not seen yet, or an unhashable value
            tail = words = None
        if tail is None or words is None or cue_words is None:
            out.append(source_tokens(source, inh, cue, kind, method))
            if text.__class__ is str and (not cue or cue.__class__ is str):
                _keep(source_parts, text, " ".join(["S_" + w for w in _WORD.findall(text.lower())]))
                if cue:
                    _keep(cue_parts, cue, " ".join(["C_" + w for w in _WORD.findall(cue.lower())]))
            continue
        if words:
            out.append(f"{words} {cue_words} {tail}" if cue_words else f"{words} {tail}")
        else:
            out.append(f"{cue_words} {tail}" if cue_words else tail)
    return out


def _keep(cache: dict, key: str, value: str) -> None:
    """cache[key] = value, the cache emptied when it holds 4096 entries, and a key of over _KEPT_LONGEST characters not
    kept (its memory stays bounded: a hostile article's phrases can be megabytes long)."""
    if len(key) > _KEPT_LONGEST:
        return
    if len(cache) >= 4096:
        cache.clear()
    cache[key] = value


def _type_tokens(kind, method) -> str:
    """source_tokens' last two tokens: T_<type> M_<method>."""
    return "T_" + str(kind) + " M_" + _NON_WORD.sub("_", str(method or ""))


# source_tokens' last two tokens of each (kind, method) pair seen: a handful make up almost every row
_TYPE_TOKENS: dict[tuple, str] = {}
# the S_ and C_ tokens of the source and cue phrases seen (source_tokens_many), of at most _KEPT_LONGEST characters
_KEPT_LONGEST = 256
_SOURCE_PARTS: dict[str, str] = {}
_CUE_PARTS: dict[str, str] = {}


class TfidfBlock:
    """One sublinear, l2-normalised TF-IDF block (as scikit-learn's TfidfVectorizer with dtype float32), looked up
    term by term: lower case, a token pattern, word n-grams up to `ngram_max` joined by a space."""

    def __init__(self, terms, idf: np.ndarray, token_pattern: str, ngram_max: int):
        # terms: distinct strings (ids: their positions), or a compact Vocabulary as the store loads it
        self.vocabulary = terms if isinstance(terms, Vocabulary) else Vocabulary.from_terms(terms)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.pattern = re.compile(token_pattern)
        self.token_pattern = token_pattern
        self.ngram_max = ngram_max
        self.lookup = NgramLookup(self.vocabulary, ngram_max, self.pattern.findall, self.pattern)
        self.packed: tuple[np.ndarray, np.ndarray] | None = None  # (coef, table) of `pack`

    def pack(self, coef: np.ndarray) -> np.ndarray:
        """With the compiled kernels, the block's idf and the coefficients `coef` (k, n_terms) as views of one packed
        table (`heads.packed_table`) that `scores` reads when given these coefficients; returns the coefficients to
        keep (the view, or `coef` itself without the kernels)."""
        if not PACKED_SCORES or coef.shape[1:] != self.idf.shape:
            return coef
        table = packed_table(self.idf, coef)
        self.idf, view = packed_views(table, len(coef))
        self.packed = (view, table)
        return view

    def terms(self) -> list[str]:
        return self.vocabulary.terms()

    def transform(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the non-zero entries."""
        rows, cols = self.lookup.ids(texts)
        n_terms = len(self.idf)
        key, counts = np.unique(rows * n_terms + cols, return_counts=True)
        r, c = key // n_terms, key % n_terms
        values = ((np.log(counts.astype(np.float32)) + np.float32(1)) * self.idf[c]).astype(np.float32)
        norms = np.sqrt(np.bincount(r, weights=values.astype(np.float64) ** 2, minlength=len(texts))).astype(np.float32)
        return r, c, (values / norms[r]).astype(np.float64)

    def scores(self, texts: list[str], coef: np.ndarray) -> np.ndarray:
        """The block's part of the linear scores, (n, k) for coefficients (k, n_terms): by the compiled `tfidf_scores`
        when the kernels are active (the same bits), else `scores_python`."""
        if COMPILED_SCORES:
            rows, cols = self.lookup.ids(texts)
            if self.packed is not None and coef is self.packed[0]:
                return kernels.tfidf_packed(rows, cols, [(None, self.packed[1], len(coef))], len(texts), tf_table)[0]
            return compiled_word_scores(rows, cols, [(None, self.idf, coef)], len(texts))[0]
        return self.scores_python(texts, coef)

    def scores_python(self, texts: list[str], coef: np.ndarray) -> np.ndarray:
        """`scores` from `transform` (the twin of the compiled `tfidf_scores`)."""
        r, c, v = self.transform(texts)
        return np.column_stack([np.bincount(r, weights=v * w[c], minlength=len(texts)) for w in coef]) \
            if len(texts) else np.zeros((0, len(coef)))


class CompiledClaimModel:
    """Words + source tokens + scaled dense features -> softmax over CLAIM_CLASSES, and (`grade_coef`, one row over
    the same inputs, and `grade_intercept`) a linear estimate of the readers' support grade (0-3)."""

    def __init__(self, words: TfidfBlock, sources: TfidfBlock, mean: np.ndarray, scale: np.ndarray,
                 coef: np.ndarray, intercept: np.ndarray, grade_coef: np.ndarray, grade_intercept: float):
        self.words, self.sources = words, sources
        self.mean, self.scale = np.asarray(mean, dtype=np.float64), np.asarray(scale, dtype=np.float64)
        n_w, n_s = len(words.idf), len(sources.idf)
        self.n_classes = len(coef)
        # the grade row is scored with the classes' rows in one pass over the sentences' terms
        coef = np.vstack([np.asarray(coef, dtype=np.float64), np.asarray(grade_coef, dtype=np.float64).reshape(1, -1)])
        self.coef_words = words.pack(np.ascontiguousarray(coef[:, :n_w]))
        self.coef_sources = sources.pack(np.ascontiguousarray(coef[:, n_w:n_w + n_s]))
        self.coef_dense = np.ascontiguousarray(coef[:, n_w + n_s:])
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.grade_intercept = float(grade_intercept)
        self._intercepts = np.r_[self.intercept, self.grade_intercept]

    @property
    def coef(self) -> np.ndarray:
        """The classes' coefficients (n_classes, width)."""
        return np.hstack([self.coef_words, self.coef_sources, self.coef_dense])[:self.n_classes]

    @property
    def grade_coef(self) -> np.ndarray:
        """The grade row's coefficients (width,)."""
        return np.hstack([self.coef_words, self.coef_sources, self.coef_dense])[self.n_classes]

    def _linear(self, texts: list[str], tokens: list[str], dense: np.ndarray) -> np.ndarray:
        """(n, n_classes + 1): the classes' scores, then the grade estimate."""
        scores = self.words.scores(texts, self.coef_words) + self._source_scores(tokens)
        return scores + ((dense - self.mean) / self.scale) @ self.coef_dense.T + self._intercepts

    def _source_scores(self, tokens: list[str]) -> np.ndarray:
        """The source block's part of the scores, computed once per distinct token string: more than half of a
        batch's sentences share one with another (no source and no cue, or the same source), and a row's scores are
        its own string's (session 14)."""
        try:
            distinct = {t: k for k, t in enumerate(dict.fromkeys(tokens))}
        except TypeError:  # an unhashable value
            distinct = None
        if distinct is None or len(distinct) == len(tokens):
            return self.sources.scores(tokens, self.coef_sources)
        rows = self.sources.scores(list(distinct), self.coef_sources)
        return rows[np.fromiter(map(distinct.__getitem__, tokens), dtype=np.intp, count=len(tokens))]

    def decision(self, texts: list[str], tokens: list[str], dense: np.ndarray) -> np.ndarray:
        return self._linear(texts, tokens, dense)[:, :self.n_classes]

    def predict(self, texts: list[str], tokens: list[str], dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """((n, 5) probabilities in CLAIM_CLASSES order, (n,) grade estimates clipped to 0-3), in one pass."""
        linear = self._linear(texts, tokens, dense)
        scores = linear[:, :self.n_classes]
        scores = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True), np.clip(linear[:, self.n_classes], 0.0, 3.0)

    def predict_proba(self, texts: list[str], tokens: list[str], dense: np.ndarray) -> np.ndarray:
        """(n, 5) probabilities in CLAIM_CLASSES order."""
        return self.predict(texts, tokens, dense)[0]

    def grade(self, texts: list[str], tokens: list[str], dense: np.ndarray) -> np.ndarray:
        """(n,) estimates of the readers' support grade, clipped to 0-3."""
        return self.predict(texts, tokens, dense)[1]


FURNITURE = CLAIM_CLASSES.index("furniture")
FURNITURE_REASON = "page furniture (claim-level model)"
# P(furniture) at which a sentence is skipped: on the claim-level dev reading, 0.7-0.8 flags furniture with
# precision 0.89-0.91 and costs 2 of 1,320 claims; at 0.5 a short last line of a short article ("The depot opened
# in 1964.") could go too
FURNITURE_MIN = 0.75


def decide(claim_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(furniture mask, four-label probabilities) from the claim head's output: a sentence is furniture when
    P(furniture) >= FURNITURE_MIN, unless every sentence of the article would be (then none is: an article is
    not all furniture to this head; the rules in `text.furniture` decide that); the four labels' probabilities
    are renormalised without furniture."""
    furniture = claim_probs[:, FURNITURE] >= FURNITURE_MIN
    if furniture.all():
        furniture[:] = False
    four = claim_probs[:, :FURNITURE]
    return furniture, four / four.sum(axis=1, keepdims=True)


def claim_features_many(frame, heads: np.ndarray, lengths: list[int], counts: list[int],
                        rows: tuple[int, int] | None = None,
                        means: np.ndarray | None = None) -> tuple[list[str], np.ndarray]:
    """`claim_features` of several articles in one pass: `frame` holds their model inputs stacked in order
    (`ModelInputs.concat`), `counts` sentences each, `heads` and `lengths` their rows; the tokens and dense rows are
    those `claim_features` gives article by article (a source's tokens made once per batch).

    `rows` (start, stop): the features of those rows only (a block of a long article), the same as in the whole
    stack's; `heads` and `lengths` still hold every row; `means`: `article_means(heads, counts)`, given once for all
    the blocks."""
    if rows is None:
        vectors = source_type_matrix(frame["src_type"], frame["src_method"])
        dense = claim_dense_many(heads, vectors, frame["cue_vec"], frame["prev_cue_vec"], frame["next_cue_vec"],
                                 lengths, counts, means=means)
        return source_tokens_many(frame["source"], frame["inherited_source"], frame["cue"], frame["src_type"],
                                  frame["src_method"]), dense
    start, stop = rows
    lo, hi = max(start - 1, 0), min(stop + 1, len(heads))  # a neighbour on each side
    part = frame.rows(lo, hi)
    vectors = source_type_matrix(part["src_type"], part["src_method"])
    dense = claim_dense_many(heads, vectors, part["cue_vec"], part["prev_cue_vec"], part["next_cue_vec"],
                             lengths[lo:hi], counts, rows=(lo, hi), means=means)[start - lo:stop - lo]
    part = frame.rows(start, stop)
    return source_tokens_many(part["source"], part["inherited_source"], part["cue"], part["src_type"],
                              part["src_method"]), dense


def claim_features(frame, heads: np.ndarray, lengths: list[int]) -> tuple[list[str], np.ndarray]:
    """(source tokens, dense features) of one article's sentences from its model inputs (`model.inputs`) and the
    PolNeAR heads' outputs (n, 5)."""
    vectors = source_type_matrix(frame["src_type"], frame["src_method"])
    dense = claim_dense(heads, vectors, frame["cue_vec"], frame["prev_cue_vec"], frame["next_cue_vec"], lengths)
    return source_tokens_many(frame["source"], frame["inherited_source"], frame["cue"], frame["src_type"],
                              frame["src_method"]), dense
