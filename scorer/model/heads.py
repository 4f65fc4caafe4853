"""The attribution model as plain arrays: the fitted scikit-learn heads compiled for scoring.

Training fits scikit-learn pipelines (`training.heads.build_pipeline`); `training.compile.compile_attribution`
turns them into vocabularies, idf weights and coefficient matrices. Scoring then needs only numpy: no scikit-learn,
scipy or pandas import, so a cold `scorer score` starts fast and batch workers stay small. The
predictions equal the pipelines' `predict_proba` (tests/training/test_compile.py). The model is saved as these
arrays plus JSON (`training.save.save_bundle`), never pickled.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import chain, islice, repeat

import numpy as np

from ..labels import LABELS, SOURCE_KINDS, SOURCE_LABELS
from ..text import kernels
from ..text.vocab import Vocabulary, gather, lookup_many, range_starts
from .cues import CUE_FEATURES, cue_matrix, quote_states, source_type_matrix

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
        return quote_states(_column(frame, "prev_text"), _column(frame, "text"), _column(frame, "next_text"))
    if kind[0] == "source":
        return source_type_matrix(_column(frame, "src_type", "none"), _column(frame, "src_method"))
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


# texts looked up one n-gram string at a time before a vocabulary's integer coder is built: building it for the
# 83,000 terms of the shipped heads took 45 ms of CPU (a loaded 2-core machine), about what it saves on 4,000 sentences,
# so scoring one article starts as quickly as before
CODER_AFTER = 4000
# the same with the compiled kernels (`vocab_find`, `word_codes`, `ngram_rows`), which make the build and the coded
# lookups cheaper than the string loop sooner: 6,546 dev sentences in batches of 8 articles, first pass, took 107 ms
# (heads) and 63 ms (claim head) with 4,000, 60 and 25 with 500, 55 and 24 with 0; one article stays below it
CODER_AFTER_COMPILED = 500
# word types whose codes a coder keeps (a dict of the words seen, about 100 bytes each; emptied when full): the
# frequent words of a batch are looked up as fast as in a dict, the vocabulary itself stays in arrays
CACHE_WORDS = 100_000
# characters of the longest word a coder's cache keeps: a longer one is looked up each time it comes (it hardly ever
# comes twice), so that the cache's memory is bounded by characters too (a 10 MB article may be one word; the compiled
# cache holds 4 bytes a character; tests/test_review_session13c.py)
CACHE_LONGEST = 64


class Tokens:
    """Word n-grams of the heads' TF-IDF step (scikit-learn's word analyser: lower case, token pattern,
    n-grams joined by a space), looked up once in the union of the heads' vocabularies (a compact `Vocabulary`)."""

    def __init__(self, token_pattern: str, ngram_max: int, union: Mapping[str, int]):
        self.pattern = re.compile(token_pattern)
        self.ngram_max = ngram_max
        self.union = Vocabulary.from_mapping(union)
        self.lookup = NgramLookup(self.union, ngram_max, self.pattern.findall, self.pattern)

    @classmethod
    def from_terms(cls, token_pattern: str, ngram_max: int, terms) -> Tokens:
        """Tokens whose vocabulary ids are the positions of `terms` (a list of distinct strings as saved by `terms`,
        or a Vocabulary)."""
        return cls(token_pattern, ngram_max, terms if isinstance(terms, Vocabulary) else Vocabulary.from_terms(terms))

    def terms(self) -> list[str]:
        """The vocabulary in id order; the ids must be 0..n-1 (as `compile_attribution` numbers them)."""
        terms = self.union.terms()
        ids = self.union.id_array()
        if not np.array_equal(np.sort(ids), np.arange(len(ids))):
            raise ValueError("vocabulary ids must be 0..n-1")
        return [terms[k] for k in np.argsort(ids).tolist()]

    def ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, union id) of every known n-gram occurrence: per row the unigrams in text order, then the bigrams..."""
        return self.lookup.ids(texts)


class NgramLookup:
    """The n-gram ids of texts in a vocabulary (a `Vocabulary`, or a dict term -> id) (`ngram_ids_loop`): one batch
    of n-gram strings at a time for the first CODER_AFTER texts (CODER_AFTER_COMPILED with the kernels), then with an
    `NgramCoder` (same result, built once). `pattern`: the compiled token pattern `findall` belongs to, when given the
    texts are tokenised with `tokenise` (shared between the heads and the claim head) or, once the coder is built, by
    the compiled kernel `word_codes` where it knows the pattern (`_WORD_CODE_MODES`)."""

    def __init__(self, vocabulary: Mapping[str, int], ngram_max: int, findall, pattern: re.Pattern | None = None):
        self.vocabulary, self.ngram_max, self.findall, self.pattern = vocabulary, ngram_max, findall, pattern
        self.coder: NgramCoder | None = None
        self.looked_up = 0
        self.long_words = None if pattern is None or pattern.flags & ~re.UNICODE else \
            _WORD_CODE_MODES.get(pattern.pattern)
        self.spaceless = pattern is not None and (pattern.pattern, pattern.flags & ~re.UNICODE) in _SPACELESS

    def ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        if self.coder is None:
            self.looked_up += len(texts)
            if self.looked_up < (CODER_AFTER if _vocab_find is None else CODER_AFTER_COMPILED):
                return ngram_ids_loop(texts, self.findall, self.vocabulary, self.ngram_max, self._tokens(texts))
            self.coder = NgramCoder(self.vocabulary, self.ngram_max)
        if self.long_words is not None and not self.coder.exact_loop:
            return self.coder.ids_compiled(texts, self.long_words)
        return self.coder.ids(texts, self.findall, self._tokens(texts), self.spaceless)

    def _tokens(self, texts: list[str]) -> list[list[str]] | None:
        return None if self.pattern is None else tokenise(self.pattern, texts)


# The most recent batch tokenised with a pattern that another pattern's tokens can be derived from (`tokenise`), as
# (texts, tokens): the claim head reads the same sentences right after the attribution heads, so each sentence is
# lower-cased and tokenised once per batch. One batch per pattern is kept (a few MB at most), until it is read.
_RECENT: dict[tuple[str, int], tuple[list[str], list[list[str]]]] = {}
# the attribution heads' token pattern (words with inner apostrophes, some punctuation) and scikit-learn's default
# (words of two or more word characters, the claim head's): every word-character run of a text lies inside exactly
# one token of the first, which ends at the end of a run, so the second's tokens are the runs of two or more
# characters of the first's tokens (tests/model/test_speed_tokens.py checks it on the corpus and fuzzed strings)
HEADS_TOKEN_PATTERN = r"(?u)\b\w[\w'’]*\b|[“”\"?!:]"
LONG_WORDS_PATTERN = r"(?u)\b\w\w+\b"
SOURCE_TOKEN_PATTERN = r"\S+"  # the claim head's source tokens (scorer/model/claims.py)


def _long_words(texts: list[str], tokens: list[list[str]]) -> list[list[str]]:
    """LONG_WORDS_PATTERN's tokens of the lower-cased texts, from their HEADS_TOKEN_PATTERN tokens: the tokens' runs of
    word characters (split at their apostrophes) of two or more characters (the punctuation tokens are one)."""
    return [[w for w in " ".join(words).replace("'", " ").replace("’", " ").split() if len(w) > 1]
            if "'" in text or "’" in text else [w for w in words if len(w) > 1]
            for text, words in zip(texts, tokens)]


# pattern -> the pattern its tokens can be derived from, and how (from the texts and the other pattern's tokens)
_DERIVED = {(LONG_WORDS_PATTERN, 0): ((HEADS_TOKEN_PATTERN, 0), _long_words)}
_DERIVABLE = {source for source, _ in _DERIVED.values()}
# the compiled tokeniser and coder (`_scorer_kernels.word_codes`; its twin: `findall` of the lower-cased texts, then
# `NgramCoder._codes`), and the patterns it reproduces (pattern -> its `long_words` argument)
_word_codes = getattr(kernels.compiled, "word_codes", None)  # None: the twin (no kernels, or a build without it)
_WORD_CODE_MODES = {} if _word_codes is None else {HEADS_TOKEN_PATTERN: False, LONG_WORDS_PATTERN: True}
# whether `word_codes` takes texts not yet lower-cased (its `lower` argument, kernels version 10)
_LOWERS = _word_codes is not None and kernels.VERSION >= 10


# patterns whose findall is done faster, with the same tokens (tests/model/test_speed_heads_tokens.py, on the corpus,
# fuzzed strings and every code point): HEADS_TOKEN_PATTERN's token is a run of word characters and apostrophes that
# starts at a word start, less its trailing apostrophes (its \b after [\w'’]* backtracks over them), which is the
# same as word runs joined by apostrophes, without trying \b at every character; the source tokens' \S+ is
# str.split (both split at what str.isspace calls white space). The run is one repeat of a character set given back
# over its trailing apostrophes (a look-behind), not a repeated group (session 16: ~8% faster), and the punctuation
# marks come first (no word character is one of them: the same matches)
_SAME_TOKENS = {(HEADS_TOKEN_PATTERN, 0): re.compile(r"[“”\"?!:]|\w[\w'’]*(?<!['’])").findall,
                (SOURCE_TOKEN_PATTERN, 0): str.split}
# patterns none of whose tokens holds a space (word characters and apostrophes, the punctuation marks; no white space)
_SPACELESS = {(HEADS_TOKEN_PATTERN, 0), (LONG_WORDS_PATTERN, 0), (SOURCE_TOKEN_PATTERN, 0)}


def tokenise(pattern: re.Pattern, texts: list[str]) -> list[list[str]]:
    """`pattern.findall` of each lower-cased text; derived from the tokens of the most recent batch of the same texts
    when another pattern's tokens give them exactly (`_DERIVED`)."""
    key = (pattern.pattern, pattern.flags & ~re.UNICODE)
    derived = _DERIVED.get(key)
    if derived is not None:
        recent = _RECENT.get(derived[0])
        if recent is not None and len(recent[0]) == len(texts) and recent[0] == texts:
            del _RECENT[derived[0]]  # read once (by the claim head): not kept until the next batch
            return derived[1](texts, recent[1])
    findall = _SAME_TOKENS.get(key, pattern.findall)
    tokens = [findall(text) for text in map(str.lower, texts)]
    if key in _DERIVABLE:
        _RECENT[key] = (texts, tokens)
    return tokens


# The texts of the most recent `_lowered` call (a copy) and their lower-cased forms: the claim head looks the sentences
# up right after the attribution heads, so each is lower-cased once per batch (read once, then dropped, as _RECENT).
_LOWERED: list[tuple[list[str], list[str]]] = []


def _lowered(texts: list[str]) -> list[str]:
    """The lower-cased texts (those of the previous call when it had the same texts)."""
    if _LOWERED:
        recent, lowered = _LOWERED.pop()
        if len(recent) == len(texts) and recent == texts:
            return lowered
    lowered = list(map(str.lower, texts))
    _LOWERED.append((list(texts), lowered))
    return lowered


def ngram_ids_loop(texts: list[str], findall, vocabulary: Mapping[str, int], top: int,
                   tokenised: list[list[str]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`NgramCoder.ids` as n-gram strings (tokens joined by a space, looked up in `vocabulary`, all of a batch at
    once): the definition the coder reproduces, and what it falls back on when a token has a space in it.
    `tokenised`: the texts' tokens (`findall` of each lower-cased text), when the caller has them."""
    grams: list[str] = []
    counts: list[int] = []
    for k, text in enumerate(texts):
        tokens = findall(text.lower()) if tokenised is None else tokenised[k]
        before = len(grams)
        grams += tokens
        for n in range(2, min(top, len(tokens)) + 1):
            grams += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
        counts.append(len(grams) - before)
    found = lookup_many(vocabulary, grams)
    keep = found >= 0
    rows = np.repeat(np.arange(len(texts)), counts)
    return rows[keep], found[keep]


class NgramCoder:
    """Word n-grams looked up as integer codes: a word's code is its id as a unigram term of the vocabulary (a word
    that is only part of longer terms gets a code after the largest id), an n-gram is the number its words' codes
    spell in base `base`, and all the n-grams of a batch of texts are looked up at once in sorted arrays (numpy),
    instead of joining and hashing one n-gram string at a time. Words are looked up as bytes in the compact
    vocabulary (`vocab.Vocabulary`) and the words that are only parts of longer terms in a second one, so the coder
    adds only arrays to memory. The result equals `ngram_ids_loop` exactly, order included
    (tests/model/test_speed_same.py, tests/model/test_vocab.py)."""

    def __init__(self, vocabulary: Mapping[str, int], ngram_max: int):
        self.vocabulary, self.ngram_max = vocabulary, ngram_max
        vocab = self.vocab = Vocabulary.from_mapping(vocabulary)
        values = vocab.id_array()
        top = int(values.max()) + 1 if len(values) else 0
        self.unigram_ids = top  # codes below this are unigram ids
        self.extra: Vocabulary | None = None  # words that are only parts of longer terms, coded from `top` on
        # a key must fit in int64, and ids must be distinct and not negative to serve as codes; else the string loop
        self.exact_loop = bool((top + 1) ** ngram_max >= 2 ** 62 or (len(values) and values.min() < 0)
                               or (vocab.values is not None and len(np.unique(values)) != len(values)))
        self.keys: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.tables: list | None = None  # the keys as the compiled `ngram_rows` reads them (`_bucketed`), when asked
        # word type -> code, for the words of the texts seen: a dict, or with the kernels the compiled `CodeCache`
        # (the same methods), which `word_codes` reads without making a str of each token
        self.cache: dict[str, int] = {} if _CodeCache is None else _CodeCache()
        self.base = top
        if self.exact_loop or ngram_max < 2:
            return
        # the words of every longer term (one with a space) and their codes: by the compiled `term_word_codes` when
        # every word is a term (the same arrays; session 14: a few ms instead of about 30 when a worker builds the
        # heads' coder), else below
        fast = kernels.term_word_codes(vocab) if _term_word_codes is not None else None
        if fast is not None:
            longer, lengths, codes = fast
        else:
            # (the numpy path) the words all in a row, as byte ranges of the terms' bytes
            at = np.flatnonzero(vocab.blob == 32)  # spaces of the terms' bytes (and of bytes between terms, if any)
            by_start = np.argsort(vocab.starts, kind="stable")
            term = by_start[np.maximum(np.searchsorted(vocab.starts[by_start], at, side="right") - 1, 0)]
            inside = (len(vocab) > 0) & (at >= vocab.starts[term]) & (at < vocab.starts[term] + vocab.lengths[term])
            spaces = np.bincount(term[inside], minlength=len(vocab))
            longer = np.flatnonzero(spaces > 0)
            lengths = spaces[longer].astype(np.int64) + 1  # words per longer term
            term_lengths = vocab.lengths[longer].astype(np.int64)
            sub = gather(vocab.blob, vocab.starts[longer], term_lengths)
            first_byte = np.cumsum(term_lengths) - term_lengths
            at = np.flatnonzero(sub == 32)
            word_starts = np.sort(np.concatenate([first_byte, at + 1]))
            word_ends = np.sort(np.concatenate([at, first_byte + term_lengths]))
            word_lengths = word_ends - word_starts
            words = gather(sub, word_starts, word_lengths)
            codes = vocab.find(words, word_lengths)
            missing = np.flatnonzero(codes < 0)
            if len(missing):
                raw = words.tobytes()
                offsets = (np.cumsum(word_lengths) - word_lengths)[missing].tolist()
                parts = [raw[a:a + n] for a, n in zip(offsets, word_lengths[missing].tolist())]
                distinct = dict.fromkeys(parts)
                number = {word: top + k for k, word in enumerate(distinct)}
                codes[missing] = np.fromiter(map(number.__getitem__, parts), dtype=np.int64, count=len(parts))
                blob = np.frombuffer(b"".join(distinct), dtype=np.uint8)
                extra_lengths = np.fromiter(map(len, distinct), dtype=np.int64, count=len(distinct))
                self.extra = Vocabulary(blob, range_starts(extra_lengths), extra_lengths,
                                        top + np.arange(len(distinct), dtype=np.int64))
        self.base = base = top + (len(self.extra) if self.extra is not None else 0)
        self.exact_loop = base ** ngram_max >= 2 ** 62
        if self.exact_loop:
            return
        values = values[longer]
        first = np.cumsum(lengths) - lengths  # where each term's codes start in `codes`
        for n in range(2, ngram_max + 1):
            at = first[lengths == n]
            key = codes[at]
            for k in range(1, n):
                key = key * base + codes[at + k]
            order = np.argsort(key)
            self.keys[n] = (key[order], values[lengths == n][order])

    def _codes(self, words: list[str]) -> np.ndarray:
        """The words' codes: from the cache of word types seen, the new ones looked up in the compact vocabularies
        together (and cached: the cache starts again when it holds CACHE_WORDS words)."""
        cache = self.cache
        codes = np.fromiter(map(cache.get, words, repeat(-2)), dtype=np.int64, count=len(words)) \
            if type(cache) is dict else cache.codes_of(words)
        miss = np.flatnonzero(codes == -2).tolist()
        if miss:
            codes[miss] = self._resolve([words[k] for k in miss])
        return codes

    def _resolve(self, missed: list[str]) -> np.ndarray:
        """The codes of words not in the cache, looked up in the compact vocabularies together (and cached, but words
        longer than CACHE_LONGEST characters)."""
        cache = self.cache
        if not missed:
            return np.zeros(0, dtype=np.int64)
        new = list(dict.fromkeys(missed))
        found = self.vocab.ids(new)
        if self.extra is not None:
            unknown = np.flatnonzero(found < 0)
            if len(unknown):
                found[unknown] = self.extra.ids([new[k] for k in unknown.tolist()])
        codes = dict(zip(new, found.tolist()))
        if len(cache) + len(new) > CACHE_WORDS:
            cache.clear()
        kept = codes.items() if max(map(len, new)) <= CACHE_LONGEST else \
            [(word, code) for word, code in codes.items() if len(word) <= CACHE_LONGEST]
        # (at most CACHE_WORDS words, however many one batch brings: the CodeCache's buffers, which `clear` keeps,
        # would stay as large as the batch's new words for the process's life; review of session 16)
        cache.update(kept if len(new) <= CACHE_WORDS else islice(kept, CACHE_WORDS))
        return np.fromiter(map(codes.__getitem__, missed), dtype=np.int64, count=len(missed))

    def ids(self, texts: list[str], findall, tokens: list[list[str]] | None = None,
            spaceless: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(row, vocabulary id) of every known n-gram occurrence of the texts' tokens (`findall` of the lower-cased
        text, or `tokens` when the caller has them), per row the unigrams in text order, then the bigrams, and so
        on. `spaceless`: the token pattern cannot match a space (`_SPACELESS`), so no token is checked for one."""
        if tokens is None:
            tokens = [findall(text) for text in map(str.lower, texts)]
        flat = list(chain.from_iterable(tokens))
        # a token with a space could spell a longer n-gram
        if self.exact_loop or (not spaceless and " " in "".join(flat)):
            return ngram_ids_loop(texts, findall, self.vocab, self.ngram_max, tokens)
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        return self._ids_of_codes(self._codes(flat), lengths)

    def ids_compiled(self, texts: list[str], long_words: bool) -> tuple[np.ndarray, np.ndarray]:
        """`ids` with the texts tokenised and coded by the compiled kernel `word_codes` (heads.HEADS_TOKEN_PATTERN, or
        with `long_words` heads.LONG_WORDS_PATTERN): the same result (tests/kernels/test_word_codes.py)."""
        if _LOWERS:  # (the kernel lower-cases the texts as it reads them: session 15)
            codes, lengths, missed, at = _word_codes(texts if type(texts) is list else list(texts), self.cache,
                                                     long_words, True)
        else:
            codes, lengths, missed, at = _word_codes(_lowered(texts), self.cache, long_words)
        if missed:
            codes[at] = self._resolve(missed)
        return self._ids_of_codes(codes, lengths)

    def _ids_of_codes(self, codes: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`ids` from the codes of all the texts' tokens in a row and the number of tokens of each text (the compiled
        `ngram_rows` when the kernels are active: the same arrays, tests/kernels/test_inheadk.py)."""
        if _ngram_rows is not None:
            if self.tables is None:
                self.tables = [self._bucketed(n) for n in range(2, self.ngram_max + 1)]
            return kernels.ngram_rows(codes, lengths, self.unigram_ids, self.base, self.tables)
        return self._ids_of_codes_python(codes, lengths)

    def _bucketed(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """The n-gram table for the compiled `ngram_rows`: (sorted keys, ids, buckets, step), the keys k with
        k // step == j being keys[buckets[j]:buckets[j + 1]], about 8 keys a bucket (1 byte a key more)."""
        keys, values = self.keys[n]
        n_buckets = max(len(keys) // 8, 1)
        step = max(-(-self.base ** n // n_buckets), 1)
        # a power of two (the kernel shifts instead of dividing: session 14), and as many buckets as it takes: every
        # key is below base ** n <= n_buckets * step
        step = 1 << (step - 1).bit_length()
        n_buckets = max(-(-self.base ** n // step), 1)
        buckets = np.empty(n_buckets + 1, dtype=np.int64)
        buckets[:-1] = np.searchsorted(keys, np.arange(n_buckets, dtype=np.int64) * step)
        buckets[-1] = len(keys)
        return keys, values, buckets, step

    def _ids_of_codes_python(self, codes: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`_ids_of_codes` in numpy (the twin of the compiled `ngram_rows`)."""
        row_of = np.repeat(np.arange(len(lengths)), lengths)
        # a token without a space found in the vocabulary is a unigram term: its code is its id (below
        # `unigram_ids`); a word only in longer terms has its code after them; others -1
        hit = (codes >= 0) & (codes < self.unigram_ids)
        rows, ids = [row_of[hit]], [codes[hit]]
        for n in range(2, self.ngram_max + 1):
            m = len(codes) - n + 1
            if m <= 0:
                break
            keys, values = self.keys[n]
            window = codes[:m]
            valid = (window >= 0) & (row_of[:m] == row_of[n - 1:])
            key = window.copy()
            for k in range(1, n):
                part = codes[k:k + m]
                valid &= part >= 0
                key = key * self.base + part
            key = key[valid]
            by_key = np.argsort(key)  # sorted needles: searchsorted is about 3x faster on them
            at = np.empty_like(by_key)
            at[by_key] = np.searchsorted(keys, key[by_key])
            np.minimum(at, max(len(keys) - 1, 0), out=at)
            hit = keys[at] == key if len(keys) else np.zeros(len(key), dtype=bool)
            rows.append(row_of[:m][valid][hit])
            ids.append(values[at[hit]])
        rows, ids = np.concatenate(rows), np.concatenate(ids)
        order = np.argsort(rows, kind="stable")  # by row; within a row unigrams, then bigrams..., each in text order
        return rows[order], ids[order]


# the compiled word-code cache, n-gram lookup and TF-IDF scores (`_scorer_kernels.CodeCache`, `ngram_rows` and
# `tfidf_scores`; their twins: a dict, `NgramCoder._ids_of_codes_python`, `CompiledHead.word_scores_python`,
# `claims.TfidfBlock.scores_python`)
_CodeCache = getattr(kernels.compiled, "CodeCache", None)
_vocab_find = getattr(kernels.compiled, "vocab_find", None)
_ngram_rows = getattr(kernels.compiled, "ngram_rows", None)  # None: the twin (no kernels, or a build without them)
_tfidf_scores = getattr(kernels.compiled, "tfidf_scores", None)
_term_word_codes = getattr(kernels.compiled, "term_word_codes", None)
COMPILED_SCORES = _tfidf_scores is not None  # word scores by `compiled_word_scores`
# the compiled TF-IDF scores over packed tables (`_scorer_kernels.tfidf_packed`, session 15; the same twins)
_tfidf_packed = getattr(kernels.compiled, "tfidf_packed", None)
PACKED_SCORES = _tfidf_packed is not None  # the TF-IDF blocks packed (`packed_table`) for `tfidf_packed`
_TF = np.zeros(0, dtype=np.float32)


def tf_table(largest: int) -> np.ndarray:
    """Sublinear term frequencies as the twins compute them, numpy's float32 log(k) + 1, for the counts k = 0..largest
    at least (k = 0 is not used), for the compiled `tfidf_scores`; the table kept grows to the largest count asked up
    to _TF_KEPT (a larger one, a term said millions of times in one sentence, is made for the call and not kept: the
    process would hold 4 bytes per count for good)."""
    global _TF
    if len(_TF) <= largest:
        counts = np.arange(max(largest + 1, 64), dtype=np.float32)
        counts[0] = 1
        table = np.log(counts) + np.float32(1)
        if len(table) > _TF_KEPT:
            return table
        _TF = table
    return _TF


_TF_KEPT = 1 << 16


def aligned_empty(rows: int, width: int, dtype) -> np.ndarray:
    """An uninitialised C-ordered (rows, width) array whose data starts at a multiple of 64 bytes (a cache line), so
    that a row of 16, 32 or 64 bytes lies in one line."""
    itemsize = np.dtype(dtype).itemsize
    spare = 64 // itemsize
    buffer = np.empty(rows * width + spare, dtype=dtype)
    skip = (-buffer.ctypes.data % 64) // itemsize
    return buffer[skip:skip + rows * width].reshape(rows, width)


def packed_table(idf: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """The compiled `tfidf_packed`'s table of a TF-IDF block: row c holds idf[c], then coef[:, c] (the values the
    twins read for column c, side by side: one cache line instead of one per class and one for the idf), the width
    rounded up to a power of two (to 8 doubles at most, then to a multiple of 8) and the rows aligned on 64 bytes. The
    block's idf and coefficients can then be views of it (`packed_views`), so it adds no memory."""
    n_coef, n_words = coef.shape
    width = 1 << max(n_coef, 1).bit_length() if n_coef < 8 else -(-(n_coef + 1) // 8) * 8
    table = aligned_empty(n_words, width, np.float64)
    table[:, 0] = idf
    table[:, 1:n_coef + 1] = coef.T
    table[:, n_coef + 1:] = 0.0
    return table


def column_order(columns: list[np.ndarray], n_ids: int) -> np.ndarray | None:
    """A rank 0..n_ids-1 of each id such that every head's columns (id -> column, -1 if not in the head; each head's
    a permutation of 0..n_words-1 on its ids) ascend with the ranks, or None when this finds none: the compiled
    `tfidf_packed` then sorts a sentence's ids once for all the heads instead of once per head. The heads' columns
    are their terms in alphabetical order (scikit-learn's vocabulary), so one order exists; it is found from the
    columns alone, in a few ms: the first head's order, each other head's terms not ranked yet placed evenly between
    their ranked neighbours in that head's order, then checked for every head. That finds it when the first head
    holds nearly all the terms (the shipped one: 82,144 of 82,900); else it may return None (a full topological sort
    would take tens of ms at each load)."""
    rank = np.full(n_ids, np.nan)
    sequences = []
    for column in columns:
        where = np.flatnonzero(column >= 0)
        if len(where) and (column[where].max() >= len(where)
                           or np.bincount(column[where], minlength=len(where)).max() != 1):
            return None  # not a permutation of 0..n_words-1
        sequence = np.empty(len(where), dtype=np.int64)
        sequence[column[where]] = where  # the head's ids in column order
        sequences.append(sequence)
        if len(sequences) == 1:
            rank[sequence] = np.arange(len(sequence))
            continue
        known = rank[sequence]
        unknown = np.flatnonzero(np.isnan(known))
        if not len(unknown):
            continue
        # the ids not ranked yet spread evenly between their ranked neighbours in this head's order
        at = np.arange(len(sequence))
        ranked = np.isnan(known) == 0
        before = np.maximum.accumulate(np.where(ranked, at, -1))[unknown]
        after = np.minimum.accumulate(np.where(ranked, at, len(sequence))[::-1])[::-1][unknown]
        low = np.where(before >= 0, known[np.maximum(before, 0)], np.nanmin(rank) - 1 if ranked.any() else -1.0)
        high = np.where(after < len(sequence), known[np.minimum(after, len(sequence) - 1)],
                        np.nanmax(rank) + 1 if ranked.any() else float(len(sequence)))
        rank[sequence[unknown]] = low + (high - low) * (unknown - before) / (after - before)
    order = np.argsort(np.where(np.isnan(rank), np.inf, rank))
    ranks = np.empty(n_ids, dtype=np.int32)
    ranks[order] = np.arange(n_ids, dtype=np.int32)
    if n_ids >= 2 ** 31 or any(len(s) > 1 and (np.diff(ranks[s]) <= 0).any() for s in sequences):
        return None
    return ranks


def packed_views(table: np.ndarray, n_coef: int) -> tuple[np.ndarray, np.ndarray]:
    """(idf, coef) of a `packed_table`, as views of it: the same values the block's arrays held."""
    return table[:, 0], table[:, 1:n_coef + 1].T


class CompiledHead:
    """One head: sublinear TF-IDF (l2-normalised, float32 as in training) + dense parts -> logistic regression."""

    def __init__(self, columns: np.ndarray, idf: np.ndarray, parts: list[tuple], coef: np.ndarray,
                 intercept: np.ndarray, classes: np.ndarray, tokens: Tokens):
        # union id -> this head's vocabulary column, -1 if not in it; as int32 (the model file's are int64): half the
        # memory, and half the cache lines the word scores' lookups touch
        self.columns = columns.astype(np.int32) if len(idf) < 2 ** 31 else columns
        self.idf = idf.astype(np.float64)
        self.parts = parts
        self.n_words = len(idf)
        self.coef_words = np.ascontiguousarray(coef[:, :self.n_words])
        # with the compiled kernels, the idf and the words' coefficients as views of one packed table, which the
        # compiled word scores read (`packed_table`); None: the separate arrays only
        self.table: np.ndarray | None = None
        self.order: np.ndarray | None = None  # the heads' `column_order`, when a model's heads are packed together
        if _tfidf_packed is not None:
            self.table = packed_table(self.idf, self.coef_words)
            self.idf, self.coef_words = packed_views(self.table, len(self.coef_words))
        # a copy, never a view: a one-row head's coef[:, n_words:] is contiguous, and a view of it kept the whole
        # loaded coefficients alive (0.66 MB for the shipped `attributed` head) beside the packed table that holds
        # their words' part again (review15h)
        self.coef_dense = np.array(coef[:, self.n_words:], dtype=np.float64, order="C")
        self.intercept = intercept
        self.classes_ = classes
        self.tokens = tokens

    def decision(self, frame, rows: np.ndarray, ids: np.ndarray, done: dict,
                 words: np.ndarray | None = None) -> np.ndarray:
        """Linear scores (n, n_coef_rows) from the token occurrences and the dense parts (shared via `done`);
        `words`: the word part (`word_scores`), when the caller has it."""
        scores = self.word_scores(rows, ids, len(frame)) if words is None else words
        if self.parts:
            stacked = ("stacked", tuple(self.parts))  # (two of the three heads read the same parts: stacked once)
            if stacked not in done:
                for kind in self.parts:
                    if kind not in done:
                        done[kind] = dense_part(kind, frame)
                done[stacked] = np.hstack([done[kind] for kind in self.parts])
            scores = scores + done[stacked] @ self.coef_dense.T
        return scores + self.intercept

    def word_scores(self, rows: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
        """The word part of the linear scores (n, n_coef_rows) of the n-gram occurrences (rows[i], union id ids[i]):
        by the compiled `tfidf_scores` when the kernels are active (the same bits), else `word_scores_python`."""
        return word_scores_many([self], rows, ids, n)[0]

    def word_scores_python(self, rows: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
        """`word_scores` in numpy (the twin of the compiled `tfidf_scores`)."""
        cols = self.columns[ids]
        keep = cols >= 0
        key = rows[keep] * self.n_words + cols[keep]
        key, counts = np.unique(key, return_counts=True)  # sorted by row, then column: one entry per term
        r, c = key // self.n_words, key % self.n_words
        # as TfidfVectorizer: float32 sublinear tf, times the float64 idf, stored as float32
        values = ((np.log(counts.astype(np.float32)) + np.float32(1)) * self.idf[c]).astype(np.float32)
        norms = np.sqrt(np.bincount(r, weights=values.astype(np.float64) ** 2, minlength=n)).astype(np.float32)
        values = (values / norms[r]).astype(np.float64)
        return np.column_stack([np.bincount(r, weights=values * w[c], minlength=n) for w in self.coef_words]) \
            if n else np.zeros((0, len(self.coef_words)))

    def predict_proba(self, frame, tokens: tuple[np.ndarray, np.ndarray] | None = None,
                      done: dict | None = None, words: np.ndarray | None = None) -> np.ndarray:
        """Probabilities in `classes_` order, as LogisticRegression.predict_proba."""
        rows, ids = tokens if tokens is not None else self.tokens.ids(_column(frame, "text"))
        return logistic_probabilities(self.decision(frame, rows, ids, {} if done is None else done, words))


def word_scores_many(heads: list[CompiledHead], rows: np.ndarray, ids: np.ndarray, n: int) -> list[np.ndarray]:
    """`CompiledHead.word_scores` of each head over the same n-gram occurrences: one call of the compiled
    `tfidf_scores` for all of them when the kernels are active (the same bits, tests/kernels/test_inheadk.py), else
    each head's `word_scores_python`."""
    if _tfidf_packed is not None and all(h.table is not None for h in heads):
        order = heads[0].order if all(h.order is heads[0].order for h in heads) else None
        return kernels.tfidf_packed(rows, ids, [(h.columns, h.table, len(h.coef_words)) for h in heads], n, tf_table,
                                    order)
    fast = compiled_word_scores(rows, ids, [(h.columns, h.idf, h.coef_words) for h in heads], n)
    return fast if fast is not None else [h.word_scores_python(rows, ids, n) for h in heads]


def compiled_word_scores(rows: np.ndarray, ids: np.ndarray, blocks: list[tuple], n: int) -> list[np.ndarray] | None:
    """The word scores of TF-IDF blocks given as (columns (None: the ids are the columns), idf, coef) over the same
    n-gram occurrences, by the compiled `tfidf_scores`; None when the kernels are not active (the caller's twin)."""
    if _tfidf_scores is None:
        return None
    return kernels.tfidf_scores(rows, ids, blocks, n, tf_table)


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
        heads = self.heads()
        if _tfidf_packed is not None and len({len(h.columns) for h in heads}) == 1 \
                and all(h.columns.dtype == np.int32 for h in heads):
            # the three heads' columns of a union id side by side (16 bytes: one cache line), each head's a view, and
            # the ids' `column_order` beside them (-1: none found; the kernel then sorts each head's columns)
            packed = aligned_empty(len(attributed.columns), 4, np.int32)
            order = column_order([h.columns for h in heads], len(attributed.columns))
            packed[:, 3] = -1 if order is None else order
            order = None if order is None else packed[:, 3]  # (one view for all: `word_scores_many` checks it is)
            for k, head in enumerate(heads):
                packed[:, k] = head.columns
                head.columns = packed[:, k]
                head.order = order

    def heads(self) -> tuple:
        return self.attributed, self.source_type, self.opinion

    def head_probabilities(self, frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P(attributed), P(source type | attributed) in SOURCE_LABELS order, P(opinion | no source behind the claim)."""
        tokens = self.tokens.ids(_column(frame, "text"))
        done: dict = {}
        words = word_scores_many(list(self.heads()), *tokens, len(frame))
        p_attr, raw, p_op = (head.predict_proba(frame, tokens, done, w) for head, w in zip(self.heads(), words))
        classes = list(self.source_type.classes_)
        return p_attr[:, 1], raw[:, [classes.index(c) for c in SOURCE_LABELS]], p_op[:, 1]

    def predict_proba(self, frame) -> np.ndarray:
        """Probabilities over LABELS for each row of a frame built by `inputs.article_inputs` (or, in training,
        `training.train.article_frame`)."""
        return combine_heads(*self.head_probabilities(frame))

    def predict(self, frame) -> list[str]:
        """The most probable label per row."""
        return [LABELS[i] for i in self.predict_proba(frame).argmax(axis=1)]
