"""Claim support: a trained model that grades each sentence 0-3 (ANNOTATION.md) and says why.

Inputs are interpretable features (the type probabilities, hedges, specificity, quotes, anonymity,
denials, loaded words, corroboration in the same article) and the claim-level head's estimate of the grade a
reader gives the sentence from its words, source and context (`model.claims`); a multinomial logistic regression gives
P(grade) and `support` = expected grade / 3. Reasons are the features that moved the expected
grade most for this sentence, in words.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from itertools import count

import numpy as np

from ..attribution.lexicon import DENIAL_RE, HEDGES, LOADED_WORDS, words_pattern
from ..labels import GRADES, LABELS
from ..text import kernels
from .cues import CUE_FEATURES, DATE_RE, HEDGE_RE, NUMBER_RE, cue_matrix
from .heads import logistic_probabilities

_CUE_USED = ("hedges", "loaded_words", "numbers", "dates", "quote_marks", "quote_then_attribution",
             "attribution_then_quote", "anonymity_phrase", "denial", "question", "first_person", "modal",
             "intensifiers", "names", "according_to", "log_length")
SUPPORT_FEATURES = tuple(f"p_{label}" for label in LABELS) + _CUE_USED + ("corroborated", "claim_grade")
_CUE_INDEX = [CUE_FEATURES.index(name) for name in _CUE_USED]
_CONTENT = re.compile(r"[A-Za-z][a-z]{3,}|[A-Z][A-Za-z]+|\d[\d,.]*")
_STOP = frozenset("that this with from have been were they their there would could about said says told also "
                  "which when what will into more than after before over said".split())


def content_words(text: str) -> frozenset[str]:
    """Content words and numbers of a sentence, for finding corroboration (cached: the summary asks again for the
    sentences corroboration has just read, 0.3 instead of 6 us a sentence; a sentence longer than _CACHED_CHARS is
    not kept, so a cache of 1,024 sentences stays small whatever the text)."""
    return _content_words(text) if len(text) <= _CACHED_CHARS else _content_words.__wrapped__(text)


_CACHED_CHARS = 2_000


def _content_words_python(text: str) -> frozenset[str]:
    """`content_words` uncached: the pure-Python twin of the compiled kernel `content_words`."""
    return frozenset(w for w in map(str.lower, _CONTENT.findall(text)) if w not in _STOP)


def _content_words_compiled(text: str) -> frozenset[str]:
    return kernels.compiled.content_words(text, _STOP)


_content_words = lru_cache(maxsize=1024)(_content_words_compiled if kernels.ACTIVE else _content_words_python)


def corroboration(texts: list[str], labels: list[str], min_shared: int = 3) -> list[int | None]:
    """For each sentence, the index of another sentence of a different type that shares enough content
    words, or None. Uses an inverted index so that the cost grows with shared words, not n squared."""
    return _corroborate([content_words(t) for t in texts], labels, min_shared)


def corroboration_and_overlap(texts: list[str], labels: list[str], headline: int | None,
                              min_shared: int = 3) -> tuple[list[int | None], list[int] | None]:
    """`corroboration(texts, labels, min_shared)`, and for each sentence the number of content words it shares with
    the headline `headline` (None: no headline, no counts), which the summary asks for: the sentences' content words
    found once for both.

    Pure Python, the article as a whole: one `findall` over the sentences joined by NUL, with NUL as a pattern
    alternative of its own (no other alternative matches NUL or holds it, so each sentence's matches are those it
    has alone, between two NUL matches); one lower-casing of all the words joined by spaces (ASCII letters, decimal
    digits, "," and ".": none holds a space or changes its length or its neighbours' in lower case); words as
    integer codes, the stop words and the NULs given the first codes; then `_corroborate_codes`. An article with a
    NUL in a sentence, or of more than _DENSE_LIMIT sentences, takes the sentence-by-sentence path."""
    n = len(texts)
    if kernels.ACTIVE:  # the compiled twin of `_corroboration_by_sentence`: no word made as a str
        return kernels.corroboration_overlap(texts, labels, headline, min_shared, "editorial_opinion", _STOP)
    if n > _DENSE_LIMIT:
        return _corroboration_by_sentence(texts, labels, headline, min_shared)
    if n == 0:
        return [], None if headline is None else []
    joined = "\0".join(texts)
    if joined.count("\0") > n - 1:  # a NUL in a sentence
        return _corroboration_by_sentence(texts, labels, headline, min_shared)
    if len(labels) < n:
        raise IndexError("list index out of range")
    tokens = _CONTENT_OR_NUL.findall(joined)
    # a word's code: the position of its first token after the first codes (not 0..n_words: one C-level pass)
    ids = dict(_FIRST_CODES)
    lowered = " ".join(tokens).lower().split(" ") if tokens else []
    first = len(_FIRST_CODES)
    codes = np.fromiter(map(ids.setdefault, lowered, count(first)), dtype=np.intp, count=len(lowered))
    # the words' columns 0, 1, ...: each token that is its word's first (its code its own position) opens one
    columns = np.cumsum(codes == np.arange(first, first + len(codes))) - 1
    n_words = int(columns[-1]) + 1 if len(columns) else 0
    if n * n_words > _CELLS_LIMIT:  # (the matrix below would be too large: long sentences, many of them)
        return _corroboration_by_sentence(texts, labels, headline, min_shared)
    rows = np.cumsum(codes == 0)  # the sentence of each token (each NUL starts the next sentence)
    content = codes >= first
    present = np.zeros((n, n_words), dtype=bool)  # [sentence, word]: a sentence's words as a set
    present[rows[content], columns[codes[content] - first]] = True
    corr = _corroborate_present(present, labels, min_shared)
    if headline is None:
        return corr, None
    return corr, np.count_nonzero(present & present[headline], axis=1).tolist()


def _corroborate_present(present: np.ndarray, labels: list[str], min_shared: int) -> list[int | None]:
    """Corroboration from the (sentences, word codes) matrix of which sentence holds which word: the words in 2-50
    sentences shared by each pair, one product (float32 counts are exact up to 2**24), when the product is small
    (n x n x words up to _PRODUCT_LIMIT); else from its entries (`_corroborate_codes`)."""
    n = len(present)
    df = present.sum(axis=0)
    shared = present[:, (df >= 2) & (df <= 50)]
    if n * n * shared.shape[1] > _PRODUCT_LIMIT:
        rows, codes = np.nonzero(present)
        return _corroborate_codes(rows, codes, n, labels, min_shared)
    shared = shared.astype(np.float32)
    counts = (shared @ shared.T).astype(np.int64)
    return _best_of_counts(counts, n, labels, min_shared)


_PRODUCT_LIMIT = 4_000_000


def _corroboration_by_sentence(texts: list[str], labels: list[str], headline: int | None,
                               min_shared: int) -> tuple[list[int | None], list[int] | None]:
    """`corroboration_and_overlap` from each sentence's `content_words` (the compiled kernels' path, and the pure
    path's for an article with a NUL, or too long for its matrices)."""
    words = list(map(_content_words.__wrapped__, texts))  # (read once here: not kept in content_words' cache)
    overlap = None if headline is None else [len(words[headline] & ws) for ws in words]
    return _corroborate(words, labels, min_shared), overlap


_CELLS_LIMIT = 8_000_000  # sentences x distinct content words: at most 8 MB of booleans
_CONTENT_OR_NUL = re.compile(_CONTENT.pattern + "|\0")
_FIRST_CODES = {w: k for k, w in enumerate(["\0"] + sorted(_STOP))}  # (codes not content words: NUL and stop words)
_DENSE_LIMIT = 600  # sentences: above, corroboration is not counted in an n x n array


def _corroborate_python(words: list, labels: list[str], min_shared: int = 3) -> list[int | None]:
    """`corroboration` given the sentences' content words (the pure-Python twin of the compiled kernel
    `corroboration`; any iterables of words: a word listed twice counts twice)."""
    n = len(words)
    if n > _DENSE_LIMIT:
        return _corroborate_loop(words, labels, min_shared)
    if len(labels) < n:
        raise IndexError("list index out of range")
    ids: dict = {}
    codes = np.array([ids.setdefault(w, len(ids)) for ws in words for w in ws], dtype=np.intp)
    rows = np.repeat(np.arange(n), [len(ws) for ws in words])
    return _corroborate_codes(rows, codes, n, labels, min_shared)


def _corroborate_codes(rows: np.ndarray, codes: np.ndarray, n: int, labels: list[str],
                       min_shared: int) -> list[int | None]:
    """Corroboration as one count per article: (rows, codes) are the (sentence, word code) entries, sorted by
    sentence. The shared words of each pair of sentences (a word counts when it is in 2-50 sentences, more: too
    common in this article to count as shared content; and only towards a sentence that is not the writer's
    opinion) come from the pairs of entries of each word; then per sentence the sentence of another type sharing
    the most, the nearest then the earliest among equals, when it shares at least `min_shared`."""
    out: list[int | None] = [None] * n
    if not len(codes):
        return out
    df = np.bincount(codes)[codes]
    kept = (df >= 2) & (df <= 50)
    order = np.argsort(codes[kept], kind="stable")
    grouped, r, k = codes[kept][order], rows[kept][order], df[kept][order]  # entries by word; k: the word's entries
    if not len(r):
        return out
    # every pair (entry, entry of the same word): the word's first entry + the position in the pair block
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(r)]))
    ends = np.cumsum(k)
    left = np.repeat(r, k)
    right = r[np.repeat(first - (ends - k), k) + np.arange(ends[-1])]
    return _best_of_counts(np.bincount(left * n + right, minlength=n * n).reshape(n, n), n, labels, min_shared)


def _best_of_counts(counts: np.ndarray, n: int, labels: list[str], min_shared: int) -> list[int | None]:
    """Per sentence (row of `counts`, the words each pair of sentences shares), the sentence of another type, not
    the writer's opinion, sharing the most, the nearest then the earliest among equals, when it shares at least
    `min_shared` (and at least one)."""
    out: list[int | None] = [None] * n
    types = {"editorial_opinion": -1}
    label = np.array([types.setdefault(x, len(types)) for x in labels[:n]], dtype=np.intp)
    counts = np.where((label[None, :] >= 0) & (label[None, :] != label[:, None]), counts, 0)
    # most shared words, then the nearest, then the earlier: one score per pair (each j its own distance rank)
    best = np.argmax(counts * (2 * n + 2) - _distance_ranks(n), axis=1)
    need = max(min_shared, 1)
    for row, (j, c) in enumerate(zip(best.tolist(), counts[np.arange(n), best].tolist())):
        if c >= need:
            out[row] = j
    return out


@lru_cache(maxsize=64)
def _distance_ranks(n: int) -> np.ndarray:
    """[i, j]: 2 |i - j|, plus 1 when j comes after i (the nearer first, then the earlier), read-only."""
    i = np.arange(n)
    ranks = np.abs(i[None, :] - i[:, None]) * 2 + (i[None, :] > i[:, None])
    ranks.flags.writeable = False
    return ranks


def _corroborate_loop(words: list, labels: list[str], min_shared: int = 3) -> list[int | None]:
    """`_corroborate_python` for a long article: an inverted index and a count per sentence (the code before the
    count per article)."""
    index: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        for w in ws:
            postings = index.get(w)
            if postings is None:
                index[w] = [i]
            else:
                postings.append(i)
    # a word counts between sentences when it is in 2-50 of them (more: too common in this article to count as
    # shared content), and only towards a sentence that is not the writer's opinion
    shared = {}
    for w, postings in index.items():
        if 1 < len(postings) <= 50:
            others = [j for j in postings if labels[j] != "editorial_opinion"]
            if others:
                shared[w] = others
    out: list[int | None] = []
    for i, ws in enumerate(words):
        label = labels[i]
        candidates = [j for postings in map(shared.get, ws) if postings for j in postings if labels[j] != label]
        if not candidates or len(candidates) < min_shared:
            out.append(None)
            continue
        counts = Counter(candidates)
        top = max(counts.values())
        # most shared words, then the nearest, then the earlier: never the order of a set (hash seeds vary by process)
        out.append(max((j for j, c in counts.items() if c == top), key=lambda j: (-abs(j - i), -j))
                   if top >= min_shared else None)
    return out


def _corroborate_compiled(words: list, labels: list[str], min_shared: int = 3) -> list[int | None]:
    return kernels.compiled.corroboration(words, labels if type(labels) is list else list(labels), min_shared,
                                          "editorial_opinion")


_corroborate = _corroborate_compiled if kernels.ACTIVE else _corroborate_python


def support_features(texts: list[str], probabilities: np.ndarray, corroborated: list[int | None],
                     cues: np.ndarray | None, grades: np.ndarray) -> np.ndarray:
    """The SUPPORT_FEATURES matrix for sentences with their type probabilities, corroboration and the claim head's
    grade estimates (`cues`: their cue vectors when already computed, else None)."""
    if cues is None:
        cues = cue_matrix(texts)
    corr = np.array([[0.0 if c is None else 1.0] for c in corroborated]).reshape(len(texts), 1)
    grades = np.asarray(grades, dtype=np.float64).reshape(len(texts), 1)
    return np.hstack([probabilities, cues[:, _CUE_INDEX], corr, grades])


# The support grade shown is the band the support score falls in: support is the expected grade / 3, so the grade
# is the expected grade rounded to the nearest whole grade (cut points at 0.5, 1.5 and 2.5 grades). One scale: a
# higher score never shows a lower grade (docs/flags.md, "One support scale"; tools/grade_bands.py measures it).
GRADE_CUTS = (0.5 / 3, 1.5 / 3, 2.5 / 3)


def grade_of(support: float) -> int:
    """The support grade (0-3) whose band the support score in [0, 1] falls in (GRADE_CUTS; a cut point belongs to
    the band above it). `SupportModel.predict` bands the score as the report gives it, rounded to 4 decimals."""
    return sum(support >= cut for cut in GRADE_CUTS)


class SupportModel:
    """Grades 0-3 with a scaled multinomial logistic regression over SUPPORT_FEATURES.

    Fitted with scikit-learn (`training.train.fit_support`); only the scaler's mean/scale and the coefficients
    are kept, so a fitted model predicts with numpy alone and saves as plain arrays (`training.save.save_bundle`)."""

    def __init__(self, C: float = 0.1):
        self.C = C

    @classmethod
    def from_parameters(cls, C: float, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: np.ndarray,
                        classes: np.ndarray) -> "SupportModel":
        """A fitted model from its fitted or saved parameters."""
        model = cls(C)
        model.mean_, model.scale_ = np.asarray(mean, dtype=np.float64), np.asarray(scale, dtype=np.float64)
        model.coef_, model.intercept_ = np.asarray(coef, dtype=np.float64), np.asarray(intercept, dtype=np.float64)
        model.classes_ = np.asarray(classes)
        return model

    def _scaled(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.mean_) / self.scale_

    def _raw_probabilities(self, Z: np.ndarray) -> np.ndarray:
        """LogisticRegression.predict_proba on scaled features."""
        return logistic_probabilities(Z @ self.coef_.T + self.intercept_)

    def grade_probabilities(self, X: np.ndarray) -> np.ndarray:
        """P(grade) for grades 0..3 (columns in grade order, zero for a grade unseen in training)."""
        return self._in_grade_order(self._raw_probabilities(self._scaled(X)))

    def _in_grade_order(self, raw: np.ndarray) -> np.ndarray:
        out = np.zeros((len(raw), len(GRADES)))
        for col, grade in enumerate(self.classes_):
            out[:, int(grade)] = raw[:, col]
        return out

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(support in [0, 1], the grade whose band it falls in: `grade_of`) per row."""
        return self._banded(self.grade_probabilities(X))

    @staticmethod
    def _banded(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        support = probs @ np.asarray(GRADES) / max(GRADES)
        # banded as reported (the report rounds support to 4 decimals), so that grade_of(reported support) == grade
        return support, np.searchsorted(np.asarray(GRADE_CUTS), np.round(support, 4), side="right")

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Each feature's push on the expected grade (first-order effect of its scaled value)."""
        Z = self._scaled(X)
        return self._contributions(Z, self._raw_probabilities(Z))

    def _contributions(self, Z: np.ndarray, raw: np.ndarray) -> np.ndarray:
        grades = self.classes_.astype(float)
        expected = raw @ grades
        weights = raw * (grades[None, :] - expected[:, None])  # d E / d logit_k
        coef = self.coef_ if len(self.coef_) == len(grades) else np.vstack([-self.coef_ / 2, self.coef_ / 2])
        return Z * (weights @ coef)

    def predict_and_contributions(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`predict(X)` and `contributions(X)` together, the scaled features and the model's probabilities computed
        once for both (the same operations on the same arrays as the two calls: the same numbers)."""
        Z = self._scaled(X)
        raw = self._raw_probabilities(Z)
        support, grades = self._banded(self._in_grade_order(raw))
        return support, grades, self._contributions(Z, raw)

    def predict_and_contributions_many(self, X: np.ndarray, bounds: list[int]) -> tuple[np.ndarray, np.ndarray,
                                                                                       np.ndarray]:
        """`predict_and_contributions` of each article's rows X[bounds[a]:bounds[a + 1]] alone, stacked: the same
        numbers. A matrix product's last bits depend on its shape (one row is a BLAS matrix-vector call), so the four
        products are made article by article, as for the article alone; every other step works cell by cell (or, the
        softmax's maximum and sum, row by row), which gives each cell the same number in any stack of rows: those run
        once for the batch instead of once per article (about 15 numpy calls of a few microseconds each)."""
        Z = self._scaled(X)
        spans = [(bounds[a], bounds[a + 1]) for a in range(len(bounds) - 1)]
        coef_t, grade_values = self.coef_.T, np.asarray(GRADES)
        raw = logistic_probabilities(self._per_article(Z, coef_t, spans, self.coef_.shape[0]) + self.intercept_)
        probs = self._in_grade_order(raw)
        support = self._per_article(probs, grade_values, spans) / max(GRADES)
        grades = np.searchsorted(np.asarray(GRADE_CUTS), np.round(support, 4), side="right")  # (`_banded`)
        # (`_contributions`)
        classes = self.classes_.astype(float)
        expected = self._per_article(raw, classes, spans)
        weights = raw * (classes[None, :] - expected[:, None])
        coef = self.coef_ if len(self.coef_) == len(classes) else np.vstack([-self.coef_ / 2, self.coef_ / 2])
        if len(spans) == 1:
            return support, grades, Z * (weights @ coef)
        # (each article's product times its scaled rows, into one array: no stack of the products beside it and Z)
        contributions = np.empty_like(Z)
        for a, b in spans:
            np.multiply(Z[a:b], weights[a:b] @ coef, out=contributions[a:b])
        return support, grades, contributions

    @staticmethod
    def _per_article(rows: np.ndarray, matrix: np.ndarray, spans: list[tuple[int, int]],
                     width: int | None = None) -> np.ndarray:
        """rows[a:b] @ matrix for each article's span (a, b), stacked (`width`: the products' columns, None for a
        vector)."""
        if len(spans) == 1:
            return rows @ matrix
        parts = [rows[a:b] @ matrix for a, b in spans]
        if parts:
            return np.concatenate(parts)
        return np.zeros((0,) if width is None else (0, width))


def _quote(words: list[str]) -> str:
    return ", ".join(f"'{w}'" for w in dict.fromkeys(words))


# Words before "might" that make it the noun ("military might", "with all their might"), not the modal verb
_NOUN_MIGHT_BEFORE = frozenset("the a its his her their our my your whose this that all of with by full sheer great "
                               "military economic naval nuclear industrial financial political corporate commercial "
                               "technological air armed russian american chinese soviet western imperial "
                               "considerable formidable enormous vast growing".split())
_NOUN_MIGHT_AFTER = frozenset("of and or in to against behind that on at".split())
# a capitalised "May" followed by one of these is the name or the month, not the modal ("May said", "May 5")
_MAY_NAME_AFTER = frozenset("said says told has had is was will would and or of in to on at for who whose".split())
_WORD_SPAN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*|[^\sA-Za-z\d]")
# relative dates: they say when only relative to a publication date the reader may not see
RELATIVE_DATES = frozenset("today yesterday tonight tomorrow".split())


_ALNUM = re.compile(r"[^\W_]")  # a character for which str.isalnum() is true (checked over all code points in tests)


def _neighbours(text: str, start: int, end: int) -> tuple[str, str, bool]:
    """(previous token, next token, whether the match opens the sentence) around text[start:end].

    As the tokens of text[:start] and text[end:] (_WORD_SPAN.findall), without tokenising either: no token holds
    a space, so the previous one is the last token of the last space-free chunk before `start`; the pattern has no
    anchors, so the next one is the first match from `end` on; every non-space character is in a token that starts
    with an alphanumeric character when it is one itself, so only quotes, brackets or dashes come before the match
    when no alphanumeric character does."""
    before = text[:start].rsplit(None, 1)
    after = _WORD_SPAN.search(text, end)
    opening = _ALNUM.search(text, 0, start) is None
    return (_WORD_SPAN.findall(before[-1])[-1] if before else ""), (after.group() if after else ""), opening


def _next_token(text: str, end: int) -> str:
    """`_neighbours(text, start, end)[1]` alone: the next token, without the previous one's copy of text[:start] (which
    made a sentence of thousands of "one of" quadratic)."""
    after = _WORD_SPAN.search(text, end)
    return after.group() if after else ""


def _case_free(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The case-sensitive twin of a case-insensitive pattern written in lower case, for `_matches`."""
    if not pattern.flags & re.I or pattern.pattern != pattern.pattern.lower():
        raise ValueError(f"not a case-insensitive pattern in lower case: {pattern.pattern!r}")
    return re.compile(pattern.pattern, pattern.flags & ~re.I)


_HEDGE_LOW, _NUMBER_LOW, _DATE_LOW = _case_free(HEDGE_RE), _case_free(NUMBER_RE), _case_free(DATE_RE)


def _matches(pattern: re.Pattern[str], lowered: re.Pattern[str], text: str):
    """The matches of pattern.finditer(text), lazily (a caller that needs the first few stops the search there), for a
    case-insensitive pattern in lower case and its `_case_free` twin: ASCII text is searched lower-cased with the twin
    (about twice as fast; in ASCII text only ASCII letters match case-insensitively, lower-casing keeps every
    position, and word boundaries and digits stay where they were)."""
    return lowered.finditer(text.lower()) if text.isascii() else pattern.finditer(text)


def _hedge_words_python(text: str, limit: int | None = None) -> list[str]:
    """The hedges of a sentence in their hedging sense, as written: a capitalised "May" after the sentence's first
    word (Theresa May, the month) or before a digit or a verb ("May said") is not one, nor "might" used as a noun
    after a determiner, possessive, preposition or adjective ("military might", "with all their might").
    `limit` (1 or more): only the first `limit` (the search stops there). (`hedge_words`: this, or the compiled
    search of the hedges for text whose word characters are all ASCII.)"""
    return _hedges(text, (match.span() for match in _matches(HEDGE_RE, _HEDGE_LOW, text)), limit)


def _hedges(text: str, spans, limit: int | None) -> list[str]:
    """`hedge_words` given the spans of HEDGE_RE's matches in the text, in order (an iterator: read up to `limit`)."""
    out = []
    # `_neighbours` of each match read in one pass (it copies text[:start] per match: quadratic in a long sentence of
    # skipped "their might"s): the text's tokens (_WORD_SPAN.finditer of the whole text, which are each space-free
    # chunk's tokens) up to the last one that starts before the match, cut at its start, and the first alphanumeric
    # character's position (the match opens the sentence when none comes before it)
    tokens, pending, last, first = None, None, None, None
    for start, end in spans:
        word = text[start:end]
        low = word.lower()
        if low == "may" or low == "might":
            if tokens is None:  # (most texts have no "may" or "might": no iterator made for them)
                tokens = _WORD_SPAN.finditer(text)
            while True:
                token = pending if pending is not None else next(tokens, None)
                if token is None or token.start() >= start:
                    pending = token
                    break
                last, pending = token, None
            prev = text[last.start():min(last.end(), start)] if last is not None else ""
            if first is None:
                found = _ALNUM.search(text)
                first = found.start() if found else len(text)
            nxt, opening = _next_token(text, end), first >= start
            if low == "may" and word[0] == "M" and (not opening or not nxt or nxt[:1].isdigit()
                                                     or nxt.lower() in _MAY_NAME_AFTER):
                continue
            if low == "might" and (prev.lower() in _NOUN_MIGHT_BEFORE or not nxt or not nxt[0].isalpha()
                                   or nxt.lower() in _NOUN_MIGHT_AFTER):
                continue
        out.append(word)
        if len(out) == limit:
            break
    return out


# the hedges as the compiled search reads them (HEDGE_RE is `words_pattern(HEDGES)`): None when they are not all
# lower-case ASCII words joined by single spaces, or the pattern is not made of them (then the regex searches)
_HEDGE_WORDS = (HEDGES if HEDGE_RE.pattern == words_pattern(HEDGES).pattern and HEDGE_RE.flags & re.I
                and all(re.fullmatch("[a-z]+( [a-z]+)*", w) for w in HEDGES) else None)


def _hedge_words_compiled(text: str, limit: int | None = None) -> list[str]:
    spans = kernels.compiled.alternation_spans(text, _HEDGE_WORDS)
    return _hedge_words_python(text, limit) if spans is None else _hedges(text, spans, limit)


hedge_words = _hedge_words_compiled if kernels.ACTIVE and _HEDGE_WORDS else _hedge_words_python


def specific_words(text: str) -> list[str]:
    """Numbers and dates that make a sentence specific and checkable: not relative dates ("today", "yesterday"),
    which say when only against a publication date, nor "one" as a pronoun or quantifier ("one of them")."""
    out = []  # (the first two of each kind: the search stops there)
    for match in _matches(*_NUMBER_FAST, text):
        start, end = match.span()
        word = text[start:end]
        if word.lower() == "one" and _next_token(text, end).lower() in ("of", "another", ""):
            continue
        out.append(word)
        if len(out) == 2:
            break
    dates = []
    if _may_have_date(text):
        for match in _matches(*_DATE_FAST, text):
            word = text[match.start():match.end()]
            if word.lower() not in RELATIVE_DATES:
                dates.append(word)
                if len(dates) == 2:
                    break
    return out + dates


def _alternatives(pattern: re.Pattern[str], before: str, after: str) -> tuple[str, ...] | None:
    """The words of a case-insensitive pattern `before + "w1|w2|..." + after` (lower-case ASCII words), for a kernel
    that reads them as the pattern does; None when the pattern is not of that form (then the kernel is not used)."""
    source = pattern.pattern
    if not (pattern.flags & re.I and source.startswith(before) and source.endswith(after)):
        return None
    words = tuple(source[len(before):len(source) - len(after)].split("|"))
    return words if all(re.fullmatch("[a-z]+", w) for w in words) else None


_NUMBER_WORDS = _alternatives(NUMBER_RE, r"\b\d[\d,.]*\b|\b(", r")\b")
_DATE_WORDS = _alternatives(DATE_RE, r"\b(", r"|(19|20)\d\d)\b")


def _specific_words_compiled(text: str) -> list[str]:
    """`specific_words` by the compiled kernel (text whose word characters are all ASCII; other text by the twin)."""
    found = kernels.compiled.specific_words(text, _NUMBER_WORDS, _DATE_WORDS, RELATIVE_DATES)
    return specific_words(text) if found is None else found


_specific_words = (_specific_words_compiled if kernels.ACTIVE and _NUMBER_WORDS and _DATE_WORDS
                   else specific_words)


def _word_trie(words) -> str:
    """A regex alternation of distinct lower-case words (none empty) written as a trie ("jan(?:uary)?|..."), for
    `_fast_twins`."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: dict) -> str:
        alternatives = [re.escape(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        if "" in node:
            return (body if body.startswith("(?:") and len(alternatives) > 1 else "(?:" + body + ")") + "?"
        return body

    return branch(trie)


def _fast_twins(pattern: re.Pattern[str], words: tuple[str, ...] | None, template: str) -> tuple:
    """(pattern, its `_case_free` twin) for `_matches`: a faster regex with the same matches when the pattern's words
    are known (`_alternatives`), else the pattern itself. `template` is the pattern with {} for its words' alternation
    and \\b taken out in front of its branches: with \\b after each word, at most one of the words matches at a place
    (a shorter word's \\b would fall inside a longer one's letters), so the order the words are tried in does not change
    a match, and a trie tries about two letters at each word boundary instead of every word (tests/model/test_purefeat.py
    checks the matches against the pattern's on the corpus and fuzzed texts)."""
    if words is None or not all(words):
        return pattern, _case_free(pattern)
    source = template.format(_word_trie(words))
    return re.compile(source, pattern.flags), re.compile(source, pattern.flags & ~re.I)


# specific_words' searches (`_fast_twins`): NUMBER_RE and DATE_RE with their words as tries
_NUMBER_FAST = _fast_twins(NUMBER_RE, _NUMBER_WORDS, r"\b(?:\d[\d,.]*\b|(?:{})\b)")
_DATE_FAST = _fast_twins(DATE_RE, _DATE_WORDS, r"\b(?:{}|(?:19|20)\d\d)\b")


# in ASCII text (where only ASCII letters match case-insensitively), a DATE_RE match holds one of these
_DATE_HINTS = ("day", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _may_have_date(text: str) -> bool:
    """False only when DATE_RE cannot match: ASCII text with no year's first digits and no date word's letters."""
    if not text.isascii() or "19" in text or "20" in text:
        return True
    low = text.lower()
    return any(hint in low for hint in _DATE_HINTS)


def describe(feature: str, effect: float, text: str, corroborated_by: int | None, label: str) -> str | None:
    """One reason in words, or None for a feature that does not make a readable reason."""
    return _describe(feature, effect, text, corroborated_by, label, {})


def _describe(feature: str, effect: float, text: str, corroborated_by: int | None, label: str,
              found_in: dict) -> str | None:
    """`describe`, with the sentence's specific words kept in `found_in` (one dict per sentence): both the numbers
    and the dates feature ask for them."""
    entry = _REASONS[feature][_sign(effect)]
    return entry if entry is None or type(entry) is str else entry(text, corroborated_by, label, found_in)


def _sign(effect: float) -> int:
    """_REASONS' column of an effect: 2 above 0, 1 below, 0 for 0 (and NaN)."""
    return 2 if effect > 0 else 1 if effect < 0 else 0


def _hedged(text: str, corroborated_by, label, found_in) -> str | None:
    found = hedge_words(text, 3)
    return "hedged: " + _quote(found) if found else None


def _loaded(text: str, corroborated_by, label, found_in) -> str:
    return "loaded: " + _quote([w for w in re.findall(r"[a-z-]+", text.lower()) if w in LOADED_WORDS][:3])


def _specific(text: str, corroborated_by, label, found_in) -> str | None:
    found = found_in.get("specific")
    if found is None:
        found = found_in["specific"] = _specific_words(text)
    return "specific: " + _quote(found) if found else None


def _denial(text: str, corroborated_by, label, found_in) -> str:
    return "denial or no comment from the party concerned: " + _quote([m.group() for m in DENIAL_RE.finditer(text)])


def _unsourced(text: str, corroborated_by, label, found_in) -> str | None:
    return "no source named (the outlet's own statement)" if label == "outlet_claim" else None


def _narration(text: str, corroborated_by, label, found_in) -> str | None:
    return "plain factual narration" if label == "outlet_claim" else None


def _corroborated(text: str, corroborated_by, label, found_in) -> str | None:
    return None if corroborated_by is None else f"corroborated by sentence {corroborated_by}"


# The reason of each feature by the sign of its effect (`_sign`: [zero or NaN, below 0, above 0]): a fixed text, None
# (no readable reason), or a function of the sentence (text, corroborated_by, label, found_in) that gives the text or
# None. claim_grade (the claim head's estimate from the sentence's words and context) is no reason in words: the
# reasons are the readable features behind the grade.
_ANONYMOUS, _QUOTE = "anonymous source", "direct quote"
_REASONS: dict[str, tuple] = {feature: (None, None, None) for feature in SUPPORT_FEATURES} | {
    "hedges": (None, _hedged, None),
    "loaded_words": (_loaded, _loaded, _loaded),
    "numbers": (None, None, _specific),
    "dates": (None, None, _specific),
    "quote_marks": (None, None, _QUOTE),
    "quote_then_attribution": (None, None, _QUOTE),
    "attribution_then_quote": (None, None, _QUOTE),
    "denial": (_denial, _denial, _denial),
    "anonymity_phrase": (_ANONYMOUS, _ANONYMOUS, _ANONYMOUS),
    "p_anonymous_intelligence": (None, _ANONYMOUS, None),
    "p_named_source": (None, None, "named source on the record"),
    "p_editorial_opinion": (None, "the writer's own judgement, no source", None),
    "p_outlet_claim": (_narration, _unsourced, _narration),
    "corroborated": (None, None, _corroborated),
    "question": (None, "rhetorical question", None),
    "modal": (None, "advice or obligation ('should', 'must')", None),
    "intensifiers": (None, "emphatic wording", None),
    "first_person": (None, "first-person voice", None),
    "names": (None, None, "names people or bodies"),
}
# (the same by cell code feature * 3 + sign, and whether the cell can give a reason at all)
_REASON_BY_CODE = [entry for feature in SUPPORT_FEATURES for entry in _REASONS[feature]]
_MAY_GIVE_REASON = np.array([entry is not None for entry in _REASON_BY_CODE])
_FEATURE_CODES = np.arange(len(SUPPORT_FEATURES)) * 3
_IS_PROBABILITY = np.array([feature.startswith("p_") for feature in SUPPORT_FEATURES])


def reasons_many(contrib: np.ndarray, X: np.ndarray, texts: list[str], corroborated: list[int | None],
                 labels: list[str], limit: int = 3) -> list[list[str]]:
    """`reasons_for` of each row (sentence) of an article's (or a batch's) contributions and features: one argsort and
    one test of presence for the whole matrix (np.argsort along the rows orders each row as it orders the row alone),
    then only the usable cells, strongest first, as plain lists."""
    contrib, X = np.asarray(contrib, dtype=np.float64), np.asarray(X, dtype=np.float64)
    if not len(texts):
        return []
    size = np.abs(contrib)
    order = np.argsort(-size, axis=1)
    # each cell's reason (`_REASON_BY_CODE`): the feature's column by the sign of its effect
    codes = _FEATURE_CODES + np.where(contrib > 0, 2, np.where(contrib < 0, 1, 0))
    # present in the sentence (a type's probability above one half, another feature above 0), effect not below 0.02
    usable = np.where(_IS_PROBABILITY, X > 0.5, X > 0) & ~(size < 0.02)
    if limit >= 1:  # (a cell that cannot give a reason changes nothing then: only the reasons found count)
        usable &= _MAY_GIVE_REASON[codes]
    # each row's usable cells, strongest first: the usable cells of the rows in that order, row after row
    row_of, rank = np.nonzero(np.take_along_axis(usable, order, axis=1))
    cells = codes[row_of, order[row_of, rank]].tolist()
    bounds = np.searchsorted(row_of, np.arange(len(texts) + 1)).tolist()
    if kernels.ACTIVE:  # the loop below, compiled (None: lists or a limit it leaves to the loop)
        out = kernels.reason_lists(cells, bounds, _REASON_BY_CODE, texts, corroborated, labels, limit)
        if out is not None:
            return out
    out = []
    for i, text in enumerate(texts):
        start, end = bounds[i], bounds[i + 1]
        if start == end:
            out.append([])
            continue
        reasons, found_in = [], {}
        for k in range(start, end):
            reason = _REASON_BY_CODE[cells[k]]
            if reason is not None and type(reason) is not str:
                reason = reason(text, corroborated[i], labels[i], found_in)
            if reason and reason not in reasons:
                reasons.append(reason)
            if len(reasons) == limit:
                break
        out.append(reasons)
    return out


def reasons_for(contrib: np.ndarray, X_row: np.ndarray, text: str, corroborated_by: int | None, label: str,
                limit: int = 3) -> list[str]:
    """The strongest readable reasons for one sentence, strongest first, only features present in it."""
    return reasons_many(np.asarray(contrib, dtype=np.float64)[None, :], np.asarray(X_row, dtype=np.float64)[None, :],
                        [text], [corroborated_by], [label], limit)[0]
