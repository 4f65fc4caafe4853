"""Compiling the fitted scikit-learn heads into the plain arrays that ship and score (`scorer.model.heads`):
one vocabulary shared by the three heads, each head's vocabulary columns, idf weights, coefficients and intercepts."""
from __future__ import annotations

import numpy as np

from ..model.heads import CompiledAttributionModel, CompiledHead, Tokens


def _part_kind(name: str, part) -> tuple:
    """What a fitted FeatureUnion part computes, as a key `dense_part` understands."""
    kind = type(part).__name__
    if kind == "CueFeatures":
        return ("cues", part.column)
    if kind == "QuoteState":
        return ("quote_state",)
    if kind == "SourceTypeFeatures":
        return ("source",)
    raise ValueError(f"cannot compile feature part {name!r} ({kind})")


def compile_attribution(model) -> CompiledAttributionModel:
    """The fitted `heads.AttributionModel` (three scikit-learn pipelines) as a CompiledAttributionModel."""
    vectorizers = []
    for head in model.heads():
        name, words = head.named_steps["features"].transformer_list[0]
        vec = words[-1]
        params = vec.get_params()
        if name != "words" or params["analyzer"] != "word" or not params["lowercase"] or vec.ngram_range[0] != 1 \
                or not params["sublinear_tf"] or params["norm"] != "l2" or not params["use_idf"] or params["binary"] \
                or params["preprocessor"] or params["tokenizer"] or params["stop_words"] or params["strip_accents"]:
            raise ValueError("an attribution head's TF-IDF step differs from what compile_attribution reproduces")
        vectorizers.append(vec)
    if len({v.token_pattern for v in vectorizers}) != 1:
        raise ValueError("the heads tokenise differently; cannot share one token pass")
    union: dict[str, int] = {}
    for vec in vectorizers:
        for term in vec.vocabulary_:
            union.setdefault(term, len(union))
    tokens = Tokens(vectorizers[0].token_pattern, max(v.ngram_range[1] for v in vectorizers), union)
    heads = []
    for head, vec in zip(model.heads(), vectorizers):
        columns = np.full(len(union), -1, dtype=np.int64)
        for term, col in vec.vocabulary_.items():
            columns[union[term]] = col
        parts = [_part_kind(n, p) for n, p in head.named_steps["features"].transformer_list[1:]]
        clf = head.named_steps["clf"]
        heads.append(CompiledHead(columns, np.asarray(vec.idf_), parts, np.asarray(clf.coef_, dtype=np.float64),
                                  np.asarray(clf.intercept_, dtype=np.float64), np.asarray(clf.classes_), tokens))
    return CompiledAttributionModel(*heads, cues=model.cues, tokens=tokens)
