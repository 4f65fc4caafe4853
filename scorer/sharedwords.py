"""The TF-IDF word features of all attribution heads from one pass over the text.

Each head's fitted TfidfVectorizer would tokenise every sentence again and look each n-gram up in
its own vocabulary: three passes of Python-level work that made up most of the classify step.
Here the sentences are tokenised once (with the analyser of the head with the longest n-grams),
each n-gram is looked up once in the union of the vocabularies, and each head's matrix is then
built with numpy. The result equals each vectorizer's own `transform` (tests/test_sharedwords.py).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

_SAME = ("token_pattern", "lowercase", "strip_accents", "preprocessor", "tokenizer", "stop_words", "analyzer",
         "norm", "binary")


class SharedTfidf:
    """Transforms a list of texts into one TF-IDF matrix per given fitted TfidfVectorizer."""

    def __init__(self, vectorizers):
        first = vectorizers[0].get_params()
        for vec in vectorizers[1:]:
            params = vec.get_params()
            if any(params[k] != first[k] for k in _SAME) or vec.ngram_range[0] != 1 or params["analyzer"] != "word":
                raise ValueError("vectorizers differ in more than their n-gram length; cannot share tokens")
        self.vectorizers = vectorizers
        self.analyze = max(vectorizers, key=lambda v: v.ngram_range[1]).build_analyzer()
        self.union: dict[str, int] = {}
        for vec in vectorizers:
            for term in vec.vocabulary_:
                self.union.setdefault(term, len(self.union))
        self.columns = []  # per vectorizer: union id -> its column (-1: not in its vocabulary)
        for vec in vectorizers:
            cols = np.full(len(self.union), -1, dtype=np.int64)
            for term, col in vec.vocabulary_.items():
                cols[self.union[term]] = col
            self.columns.append(cols)

    def transform(self, texts) -> list[sp.csr_matrix]:
        """One CSR matrix per vectorizer, equal to `vectorizer.transform(texts)`."""
        get = self.union.get
        ids, lengths = [], []
        for text in texts:
            found = [i for i in map(get, self.analyze(text)) if i is not None]
            ids.extend(found)
            lengths.append(len(found))
        ids = np.asarray(ids, dtype=np.int64)
        rows = np.repeat(np.arange(len(lengths)), lengths)
        return [self._tfidf(vec, cols[ids], rows, len(lengths)) for vec, cols in zip(self.vectorizers, self.columns)]

    @staticmethod
    def _tfidf(vec, cols: np.ndarray, rows: np.ndarray, n_docs: int) -> sp.csr_matrix:
        """Counts -> sublinear tf -> idf -> row norm, as TfidfVectorizer.transform does."""
        keep = cols >= 0
        counts = sp.csr_matrix((np.ones(int(keep.sum()), dtype=vec.dtype), (rows[keep], cols[keep])),
                               shape=(n_docs, len(vec.vocabulary_)), dtype=vec.dtype)
        counts.sum_duplicates()
        if vec.binary:
            counts.data.fill(1)
        if vec.sublinear_tf:
            np.log(counts.data, counts.data)
            counts.data += 1
        if vec.use_idf:
            counts.data *= vec.idf_[counts.indices]
        if vec.norm:
            counts = normalize(counts, norm=vec.norm, copy=False)
        return counts
