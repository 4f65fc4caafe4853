"""The learned span tagger: Source, Cue and Content spans of each sentence, as BIO tags from a linear-chain CRF
trained on PolNeAR's human spans (`scorer.training.spantagger` trains it with python-crfsuite).

Scoring needs numpy only: the CRF is plain arrays (feature names, a state-weight matrix, a transition matrix,
loaded by `scorer.model.store` without pickle) and this module decodes it with its own Viterbi, over all sentences
of an article (or a batch) at once. Every feature is cheap:

- word features, of the token and of its neighbours at -3..+3: the lower-cased word, its shape, its 2- and
  3-letter suffix, and its membership of the word lists (reporting verbs, anonymity cues, pronouns, role nouns,
  outlet and title words, quantifiers, document nouns). They depend on the word alone, so their weights are summed
  once per word type and cached (`_WordCache`);
- token features from the sentence: quote state (inside a quotation, carried over sentences of a paragraph;
  opening/closing mark), where quotes are in the sentence relative to the token, commas before and after,
  the length of the run of capitalised words the token is in, and its position from the start and the end.

Training and scoring build the features from the same functions (`sentence_tokens`, `word_features`,
`token_codes`), so the tagger crfsuite trains and the one decoded here see the same features.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import chain
from typing import NamedTuple

import numpy as np

from ..text import kernels
from ..text import vocab as _vocab
from ..text.vocab import Vocabulary, lookup_many
from .lexicon import (ANONYMOUS_HEADS, CUE_VERBS, OUTLET_NOUNS, OUTLETS, PRONOUNS_GROUP, PRONOUNS_PERSON, QUANTIFIERS,
                      REPORTING_VERBS, ROLE_HEADS)
from .lexicon import TAGGER_ANONYMITY_WORDS as _ANONYMITY
from .lexicon import TAGGER_DOCUMENT_WORDS as _DOCUMENTS
from .lexicon import TAGGER_TITLE_WORDS as _TITLES

TAGS = ("O", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE", "B-CONTENT", "I-CONTENT")
ROLES = ("SOURCE", "CUE", "CONTENT")
# a token: a word with inner apostrophes/hyphens ("don’t", "30-year-old"), with the dots of an initialism ("U.S.",
# "e.g."), or any other single non-space character ("Mr." is "Mr" and ".")
TOKEN = re.compile(r"[^\W_]+(?:['’&-][^\W_]+)*(?:\.(?:[A-Za-z]\.)+)?|\S")
OFFSETS = (-3, -2, -1, 0, 1, 2, 3)

_OUTLET_WORDS = frozenset(w for name in OUTLETS for w in name.split() if w not in ("the", "of", "news", "daily")) \
    | OUTLET_NOUNS
_CUE_WORDS = CUE_VERBS | REPORTING_VERBS | frozenset(("according",))
_LISTS = (("cue", _CUE_WORDS), ("anon", ANONYMOUS_HEADS), ("pron", PRONOUNS_PERSON | PRONOUNS_GROUP),
          ("role", ROLE_HEADS), ("outlet", _OUTLET_WORDS), ("title", _TITLES), ("quant", QUANTIFIERS),
          ("doc", _DOCUMENTS), ("anonymity", _ANONYMITY))


def _lists_of() -> dict[str, tuple[int, ...]]:
    """A lower-cased word -> the positions in _LISTS of the lists it is in (those it is in, in order)."""
    out: dict[str, tuple[int, ...]] = {}
    for k, (_, members) in enumerate(_LISTS):
        for word in members:
            out[word] = out.get(word, ()) + (k,)
    return out


_LISTS_OF = _lists_of()
# a Source span whose mean posterior probability of being a source is below this is dropped when scoring (the
# sentence then shows no source rather than an unsure one). Tuned on PolNeAR dev: the smallest of the thresholds
# `scorer evaluate` sweeps (training.spantagger.THRESHOLD_SWEEP) at which the source the reports name matches a human
# Source span of its sentence in >= 90% of the sentences that name one, for a CRF trained with CRF_PARAMS (0.887 ->
# 0.906, recall 0.554 -> 0.542; the model shipped before them needs 0.7). Revisit with each retrained model.
SOURCE_THRESHOLD = 0.6
_OPEN, _CLOSE = "“", "”"
_SHAPE_RUNS = re.compile(r"(.)\1+")

# token features: group -> number of values (each token has exactly one value per group)
GROUPS = {"q": 2,      # outside / inside a quotation
          "qm": 3,     # not a quote mark / an opening mark / a closing mark
          "qpos": 4,   # quote marks in the sentence: none / only after the token / only before / both
          "cb": 3,     # commas before the token in the sentence: 0, 1, 2+
          "ca": 3,     # commas after: 0, 1, 2+
          "cap": 4,    # capitalised run the token is in: not capitalised, 1, 2, 3+ words
          "pos": 6,    # token index: 0, 1, 2, 3-5, 6-10, 11+
          "rpos": 5,   # tokens after it: 0, 1, 2, 3-5, 6+
          "dl": 6,     # the nearest reporting word before it in the sentence: none, 1, 2, 3-4, 5-8, 9+ tokens back
          "dr": 6}     # the same after it
_POS_BUCKET = np.array([0, 1, 2, 3, 3, 3, 4, 4, 4, 4, 4] + [5] * 1, dtype=np.int64)
_JOINT = (("q", "qm", "qpos"), ("cb", "ca", "cap"), ("pos", "rpos"), ("dl", "dr"))
_RPOS_BUCKET = np.array([0, 1, 2, 3, 3, 3, 4], dtype=np.int64)
_DIST_BUCKET = np.array([0, 1, 2, 3, 3, 4, 4, 4, 4, 5], dtype=np.int64)  # by distance (0: no reporting word)


_ASCII_SHAPE = str.maketrans({**{chr(c): "X" for c in range(65, 91)}, **{chr(c): "x" for c in range(97, 123)},
                              **{chr(c): "d" for c in range(48, 58)}})


def shape(word: str) -> str:
    """Compressed word shape: "Xx" for "Trump", "X.X." for "U.S.", "d" for "2016", the character for punctuation."""
    if word.isascii():
        out = word.translate(_ASCII_SHAPE)
        found = _RUNS_OF.get(out)  # (few distinct: "Xxxxx", "xxxx", "d.d" ...; the regex costs ~1 µs a word)
        if found is None:
            found = _SHAPE_RUNS.sub(r"\1", out)
            if len(out) <= _KEPT_LONGEST:  # (a long word's is not kept: a hostile text would fill it with them)
                if len(_RUNS_OF) >= 4096:
                    _RUNS_OF.clear()
                _RUNS_OF[out] = found
        return found
    out = "".join("X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c for c in word)
    return _SHAPE_RUNS.sub(r"\1", out)


_RUNS_OF: dict[str, str] = {}  # an ASCII word's translated shape -> its runs collapsed (`shape`)
_KEPT_LONGEST = 64  # the longest word, shape or feature name kept beside the word cache (`shape`, `_WordCache`)
_LONG_CHARS = 1_000_000  # the characters of the longer words the word cache may hold before it starts again


def word_features(word: str) -> dict[int, list[str]]:
    """The word-derived features of a token, by the offset at which they are seen: all of them for the token itself
    (offset 0), the word, shape and word lists for the tokens one and two away, the word and word lists three
    away."""
    low = word.lower()
    lists = [f"L={name}" for name, words in _LISTS if low in words]
    sh = "sh=" + shape(word)
    own = [f"w={low}", sh, f"s2={low[-2:]}", f"s3={low[-3:]}", *lists]
    near = [f"w={low}", sh, *lists]
    far = [f"w={low}", *lists]
    return {0: own, -1: near, 1: near, -2: near, 2: near, -3: far, 3: far}


def feature_name(offset: int, name: str) -> str:
    """The crfsuite attribute of a word feature seen at `offset` from the token ("-1:w=said")."""
    return f"{offset}:{name}" if offset else name


class Tokens(NamedTuple):
    """The tokens of a list of sentences, concatenated: words, article offsets, sentence lengths and token codes."""

    words: list[str]
    starts: np.ndarray
    ends: np.ndarray
    lengths: list[int]
    codes: dict[str, np.ndarray]


def _quote_events(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(positions, inside-after) of the text's quote marks and line breaks: “ opens, ” closes, a straight quote
    toggles, a line break closes (a quotation running on into the next paragraph reopens there). Found in the
    text's code points; the state after an event is the state the last opening or closing event (“, ” or a line
    break) set, turned over by each straight quote since."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    positions = np.flatnonzero((codes == 0x22) | (codes == 0x0A) | ((codes | 1) == 0x201D))  # ", line break, “ or ”
    marks = codes[positions]
    straight = marks == 0x22
    order = np.arange(len(marks))
    last_set = np.maximum.accumulate(np.where(straight, -1, order))  # the last “, ” or line break (-1: none)
    toggles = np.cumsum(straight)
    since = toggles - np.where(last_set >= 0, toggles[last_set], 0)  # straight quotes after it
    opened = np.where(last_set >= 0, marks[last_set] == 0x201C, False)
    return positions, opened ^ (since % 2 == 1)


class _Properties(dict):
    """word -> bit set of the properties the token codes need (1 opening quote, 2 closing, 4 straight, 8 comma,
    16 capitalised, 32 reporting word), and the word's length above them (`value >> _LENGTH_SHIFT`); computed once
    per word type, emptied when large. Words longer than `_KEPT_LONGEST` are not kept (a run of letters is one token,
    of any length: 200,000 long words would hold gigabytes)."""

    def __missing__(self, word: str) -> int:
        if len(word) > _KEPT_LONGEST:
            return _word_properties(word)
        if len(self) >= 200_000:
            self.clear()
        value = self[word] = _word_properties(word)
        return value


def _word_properties(word: str) -> int:
    """The `_Properties` bits of a word, with its length."""
    return ((word == _OPEN) | (word == _CLOSE) << 1 | (word == '"') << 2 | (word == ",") << 3
            | word[0].isupper() << 4 | (word.lower() in _CUE_WORDS) << 5 | len(word) << _LENGTH_SHIFT)


_MARK_BITS = {_OPEN: 1, _CLOSE: 2, '"': 4, ",": 8}  # `_word_properties`'s first four bits, of the words that have one


_PROPERTIES = _Properties()
_LENGTH_SHIFT = 6


class _Chunks(dict):
    """A white-space separated chunk of a sentence -> its tokens (TOKEN.findall of the chunk alone: a token never
    holds white space and TOKEN looks at nothing before a match nor past white space, so they are the chunk's tokens
    in the sentence too), each followed by its `_PROPERTIES` value: (word, properties, word, properties, ...), so
    that the chunks' entries chained give the words at even places and their properties at odd ones, with no lookup
    of each word (the property ints are those `_PROPERTIES` holds). Chunks of at most 64 characters are kept, at most
    `limit` of them holding at most `words_limit` words in all (`held`; emptied when full: about 200 bytes a chunk,
    so about 4 MB; the 84 PolNeAR dev texts have 13,838 distinct chunks of ~1.3 words. The words bound it in bytes: a
    chunk of 64 one-character tokens outside Latin-1 holds ~6 kB, so 20,000 of them alone would hold ~120 MB)."""

    limit = 20_000
    words_limit = 80_000
    held = 0  # words in the entries

    def __missing__(self, chunk: str) -> tuple:
        found = tuple(chain.from_iterable((word, _PROPERTIES[word]) for word in _FINDALL(chunk)))
        if len(chunk) <= 64:
            if len(self) >= self.limit or self.held >= self.words_limit:
                self.clear()
            self[chunk] = found
            self.held += len(found) >> 1
        return found

    def clear(self) -> None:
        super().clear()
        self.held = 0


_FINDALL = TOKEN.findall
_CHUNKS = _Chunks()
_SPACE_TABLE = None  # code point -> white space (str.isspace, the regex engine's \s), up to the last one, U+3000


def _is_space(codes: np.ndarray) -> np.ndarray:
    """Which of the code points are white space (as str.split and the regex engine's \\s see it)."""
    global _SPACE_TABLE
    if _SPACE_TABLE is None:
        _SPACE_TABLE = np.array([chr(c).isspace() for c in range(0x3001)] + [False])
    return _SPACE_TABLE[np.minimum(codes, 0x3001)]


def _tokenise(texts: list[str], bases: list[int]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(words, article offsets of their starts, tokens per text) of the texts (a sentence's text and its offset in
    its article each): the tokens of TOKEN.finditer on each text (`_tokens`)."""
    return _tokens(texts, bases)[:3]


def _tokens(texts: list[str], bases: list[int]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """`_tokenise` and the words' `_PROPERTIES` (with their lengths). The texts are joined with a space and split
    once (a chunk never spans two texts). Tokens split a text's non-space characters into consecutive pieces, so a
    token's start is the place of the non-space character that the lengths of the tokens before it reach; those
    places come from one array of all the texts' code points."""
    joined = " ".join(texts)  # the texts' offsets in it: each after the one before and a space
    both = list(chain.from_iterable(map(_CHUNKS.__getitem__, joined.split())))  # word, properties, word, ...
    words = both[::2]
    if not words:
        empty = np.zeros(0, dtype=np.int64)
        return words, empty, np.zeros(len(texts), dtype=np.int64), empty
    props = np.fromiter(both[1::2], dtype=np.int64, count=len(words))
    text_len = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_at = np.r_[0, np.cumsum(text_len + 1)[:-1]]
    nonspace = np.flatnonzero(~_is_space(np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")))
    word_len = props >> _LENGTH_SHIFT
    at = nonspace[np.cumsum(word_len) - word_len]
    # each text's first token: the first that starts at or after the text's place
    first = np.searchsorted(at, text_at)
    lengths = np.diff(np.r_[first, len(words)])
    starts = at + np.repeat(np.array(bases, dtype=np.int64) - text_at, lengths)
    return words, starts, lengths, props


def sentence_tokens(article_text: str, sentences) -> Tokens:
    """Tokens of the sentences (objects with start/text) with their article offsets and token codes (GROUPS),
    the codes computed with array operations over all the tokens."""
    return batch_tokens([(article_text, sentences)])


def batch_tokens(articles) -> Tokens:
    """The tokens of several (article text, sentences) pairs as one `Tokens` (offsets into each token's own
    article), the codes computed with one set of array operations over all of them."""
    texts = [sent.text for _, sentences in articles for sent in sentences]
    bases = [sent.start for _, sentences in articles for sent in sentences]
    if kernels.ACTIVE:
        words, start_a, length_a = kernels.tagger_tokens(texts, bases)
        props = np.fromiter(map(_PROPERTIES.__getitem__, words), dtype=np.int64, count=len(words))
    else:
        words, start_a, length_a, props = _tokens(texts, bases)
    lengths = length_a.tolist()
    end_a = start_a + (props >> _LENGTH_SHIFT)
    state = _token_quote_states(articles, start_a, length_a)
    if kernels.ACTIVE:  # the compiled twin of what follows (tests/kernels)
        rows = kernels.tagger_codes(props, length_a, state, _POS_BUCKET, _RPOS_BUCKET, _DIST_BUCKET)
        return Tokens(words, start_a, end_a, lengths, dict(zip(GROUPS, rows)))
    return Tokens(words, start_a, end_a, lengths, _token_codes(props, length_a, state))


# `_token_codes`' tables: a word's property bits 0-3 -> its counts packed (a comma in the low half, a quote mark in
# the high one), and its bits 0-2 and quote state (8: inside) -> its "qm" code (an opening mark 1, a closing one 2, a
# straight one 1 outside a quotation and 2 inside)
_COUNTED = np.array([(v >> 3 & 1) + (((v & 7) > 0) << 32) for v in range(16)], dtype=np.int64)
_QM = np.array([1 if v & 1 or (v & 4 and not v & 8) else 2 if v & 2 or (v & 4 and v & 8) else 0 for v in range(16)],
               dtype=np.int64)
_LOW = (1 << 32) - 1


def _token_codes(props: np.ndarray, length_a: np.ndarray, state: np.ndarray) -> dict[str, np.ndarray]:
    """The token codes (GROUPS) of tokens with these `_PROPERTIES` (`length_a` tokens a sentence, in order) and quote
    states, with array operations over all of them. The counts within a sentence come from two running sums (numpy's
    are slow, ~2.5 ns an entry): commas (low half) and quote marks (high half) packed in one, so that one
    difference gives both; reporting words and, above them, each token's capitalised run length capped at 3 (added
    at the run's first token and taken off after its last, so the running sum is the cap at every token) in the
    other. Each token's nearest reporting word before and after it is the reporting word its count (or the count
    before it) points to."""
    n_tok = len(props)
    if not n_tok:
        return {g: np.zeros(0, dtype=np.int64) for g in GROUPS}
    ends = np.cumsum(length_a)
    first = np.repeat(ends - length_a, length_a)  # each token's sentence's first token
    last = np.repeat(ends - 1, length_a)  # and last
    where = np.arange(n_tok)
    qm = props & 7
    qm += 8 * state
    np.take(_QM, qm, out=qm, mode="clip")
    # commas and quote marks before and after the token within its sentence (each count below 2**32)
    counted = np.take(_COUNTED, props & 15, mode="clip")
    running = np.cumsum(counted)
    before = running - counted
    before -= before[first]
    after = running[last] - running
    # reporting words, and the capitalised runs (within a sentence) as a cap of their length at 3 from the first
    # token to the last, in bits 40 and up
    upper = (props & 16) > 0
    same = np.ones(n_tok, dtype=bool)
    same[first] = False  # (a token whose sentence goes on from the one before)
    opens = upper.copy()
    opens[1:] &= ~(upper[:-1] & same[1:])
    run_start = np.flatnonzero(opens)
    closes = upper.copy()
    closes[:-1] &= ~(upper[1:] & same[1:])
    run_cap = np.minimum(np.flatnonzero(closes) - run_start + 1, 3) << 40
    cue = (props & 32) > 0
    marks = cue.astype(np.int64)
    marks[run_start] += run_cap
    ended = np.flatnonzero(closes) + 1
    inside = ended < n_tok
    marks[ended[inside]] -= run_cap[inside]
    marks = np.cumsum(marks)
    cap = marks >> 40
    seen = marks & ((1 << 40) - 1)  # reporting words up to the token, itself included
    cue_at = np.flatnonzero(cue)
    prev_cue = np.concatenate(([-1], cue_at))[seen - cue]
    next_cue = np.concatenate((cue_at, [n_tok]))[seen]
    dist_left = np.where(prev_cue >= first, where - prev_cue, 0)
    dist_right = np.where(next_cue <= last, next_cue - where, 0)
    # (the buckets by a take in mode "clip": every index is >= 0, and a clipped one is the last bucket, as before)
    return {"q": state.astype(np.int64), "qm": qm,
            "qpos": (after > _LOW).astype(np.int64) + 2 * (before > _LOW),
            "cb": np.minimum(before & _LOW, 2), "ca": np.minimum(after & _LOW, 2), "cap": cap,
            "pos": np.take(_POS_BUCKET, where - first, mode="clip"),
            "rpos": np.take(_RPOS_BUCKET, last - where, mode="clip"),
            "dl": np.take(_DIST_BUCKET, dist_left, mode="clip"),
            "dr": np.take(_DIST_BUCKET, dist_right, mode="clip")}


def crf_items(tokens: Tokens) -> list[list[list[str]]]:
    """The crfsuite attributes of each token, per sentence (training and the equality test use this)."""
    per_word = {}
    out, k = [], 0
    for n in tokens.lengths:
        words = tokens.words[k:k + n]
        feats = []
        for w in words:
            if w not in per_word:
                per_word[w] = word_features(w)
        for i in range(n):
            attrs = ["b"]
            for off in OFFSETS:
                j = i + off
                if 0 <= j < n:
                    attrs += [feature_name(off, f) for f in per_word[words[j]][off]]
                elif off in (-1, 1):
                    attrs.append(feature_name(off, "w=<s>" if off < 0 else "w=</s>"))
            attrs += [f"{g}={int(tokens.codes[g][k + i])}" for g in GROUPS]
            feats.append(attrs)
        out.append(feats)
        k += n
    return out


class _WordCache(dict):
    """word -> row of `table`: per word type, the summed state weights of its word features at each offset, an
    (n, len(OFFSETS), tags) array that grows as new words are seen (emptied when it reaches `limit` words, so a long
    batch run does not grow without end; emptied too when its words longer than `_KEPT_LONGEST` hold more than
    `_LONG_CHARS` characters in all: a run of letters is one word of any length). New words are added together, with
    one array operation. Row 0 is no word:
    the place before the first and after the last token of a sentence (the weights of "-1:w=<s>" and "1:w=</s>" at
    offsets -1 and +1, nothing elsewhere)."""

    def __init__(self, index: Mapping[str, int], weights: np.ndarray, limit: int = 50_000):
        super().__init__()
        self.index, self.weights, self.limit = index, weights, limit
        self.table = np.zeros((1024, len(OFFSETS), weights.shape[1]))
        self.props = np.zeros(1024, dtype=np.int64)  # each row's word's `_Properties` bits (for the kernels' path)
        for off in (-1, 1):
            col = index.get(feature_name(off, "w=<s>" if off < 0 else "w=</s>"))
            if col is not None:
                self.table[0, OFFSETS.index(off)] = weights[col]
        # the ids of the word-list features at each offset (a row per list of _LISTS, -1: not a feature)
        self._list_ids = lookup_many(index, [feature_name(off, f"L={name}") for name, _ in _LISTS
                                             for off in OFFSETS]).reshape(len(_LISTS), len(OFFSETS))
        self._shared: dict[str, int] = {}  # feature name -> id of the names many words share (shapes, suffixes)
        self._compiled_rows = None  # the same words -> rows as a compiled `WordRows` (the kernels' path), but the long
        self._long = 0  # words (more than _KEPT_LONGEST characters), these many
        self._long_chars = 0  # and their characters
        # whether `_add` may sum the new words' rows by the compiled `tagger_word_rows`: the features are in a
        # Vocabulary (the kernel reads its arrays as `vocab_find` does), no offset has more than the 8 features
        # whose sum the kernel gives as np.add.reduceat does, and the weights are the C-ordered float64 array the
        # kernel reads (others, e.g. a model's Fortran-ordered .npy, would be copied whole at each `_add`)
        self._compiled_rows_of = (isinstance(index, Vocabulary)
                                  and 4 + max(map(len, _LISTS_OF.values()), default=0) <= 8
                                  and weights.dtype == np.float64 and weights.flags.c_contiguous)

    def _add(self, words) -> None:
        """Rows for the new words (distinct, none in the cache yet), in their order."""
        ordered = list(words)
        first = len(self) + 1
        need = first + len(words)
        if need > len(self.table):
            grown = np.zeros((max(need, 2 * len(self.table)),) + self.table.shape[1:])
            grown[:len(self.table)] = self.table
            self.table = grown
            props = np.zeros(len(grown), dtype=np.int64)
            props[:len(self.props)] = self.props
            self.props = props
        self.update(zip(ordered, range(first, need)))
        long = [r for r, w in enumerate(ordered, first) if len(w) > _KEPT_LONGEST]
        self._long += len(long)
        self._long_chars += sum(len(ordered[r - first]) for r in long)
        if self._compiled_rows is not None:  # (a long word is not kept there: `tokens_compiled` misses it each time)
            if long:
                for r, w in enumerate(ordered, first):
                    if len(w) <= _KEPT_LONGEST:
                        self._compiled_rows.add(w, r)
            else:
                self._compiled_rows.add_many(ordered, first)
        self.props[first:need] = [_MARK_BITS.get(w, 0) | w[0].isupper() << 4 | (w.lower() in _CUE_WORDS) << 5
                                  | len(w) << _LENGTH_SHIFT for w in ordered]  # (`_word_properties` of each)
        # the compiled twin of what follows (tests/kernels/test_warm.py), with the hash the kernel computes itself
        if kernels.ACTIVE and self._compiled_rows_of and _vocab._hash is _vocab._HASH:
            kernels.tagger_word_rows(self.index, ordered, self.table[first:need], self.weights, _LISTS_OF,
                                     self._list_ids, _PREFIXES)
            return
        for a in range(0, len(ordered), _ADD_STEP):  # (the id array is ~350 bytes a word)
            part = ordered[a:a + _ADD_STEP]
            self._sum_features(self.table[first + a:first + a + len(part)], self._feature_ids(part))

    def _feature_ids(self, words: list[str]) -> np.ndarray:
        """(n_words, len(OFFSETS), slots) ids of the word features of each word at each offset, in the order
        `word_features` lists them (-1 after the last one or for a name the model does not have): the word, its shape
        (offsets -2..2), its suffixes (offset 0), its word lists."""
        n, width = len(words), len(OFFSETS)
        lows = [w.lower() for w in words]
        lists = [_LISTS_OF.get(low, ()) for low in lows]
        ids = np.full((n, width, 4 + max(map(len, lists), default=0)), -1, dtype=np.int64)
        named = ["w=" + low for low in lows]
        ids[:, :, 0] = lookup_many(self.index, [p + w for p in _PREFIXES for w in named]).reshape(width, n).T
        own = OFFSETS.index(0)
        ids[:, 1:width - 1, 1] = self._shared_ids(["sh=" + shape(w) for w in words], range(1, width - 1))
        ids[:, own, 2] = self._shared_ids(["s2=" + low[-2:] for low in lows], (own,))[:, 0]
        ids[:, own, 3] = self._shared_ids(["s3=" + low[-3:] for low in lows], (own,))[:, 0]
        # each list after the word (offsets +-3), the shape (+-1, +-2) or the suffixes (0): (word, m-th list, list)
        held = [(i, m, k) for i, found in enumerate(lists) for m, k in enumerate(found)]
        if held:
            i, m, k = np.array(held, dtype=np.int64).T
            for cells, after in (([0, width - 1], 1), ([c for c in range(1, width - 1) if c != own], 2), ([own], 4)):
                cells_a = np.array(cells, dtype=np.int64)
                ids[i[:, None], cells_a, (m + after)[:, None]] = self._list_ids[k[:, None], cells_a]
        return ids

    def _shared_ids(self, features: list[str], cells) -> np.ndarray:
        """(len(features), len(cells)) ids of the features (names without an offset, that many words share: shapes,
        suffixes) at the offsets of `cells` (positions in OFFSETS); -1: not a feature. Each distinct name is looked
        up once and kept in `_shared`."""
        distinct: dict[str, int] = {}
        at = [distinct.setdefault(f, len(distinct)) for f in features]
        names = [_PREFIXES[c] + f for c in cells for f in distinct]
        known = self._shared
        new = [name for name in names if name not in known]
        fresh: dict[str, int] = {}
        if new:
            if len(known) + len(new) > 100_000:
                known.clear()
                new = names
            fresh = dict(zip(new, lookup_many(self.index, new).tolist()))
            known.update((name, i) for name, i in fresh.items() if len(name) <= _KEPT_LONGEST)  # (not a long one)
        found = np.fromiter((fresh[name] if name in fresh else known[name] for name in names), dtype=np.int64,
                            count=len(names))
        return found.reshape(len(names) // max(len(distinct), 1), len(distinct)).T[at]

    def _sum_features(self, block: np.ndarray, ids: np.ndarray) -> None:
        """block[i, k] = the sum of the weights of the features ids[i, k] (-1: none), zero for none: by one
        `np.add.reduceat` over the cells' runs of feature rows, as the tables were always summed (its order of
        additions is numpy's own: the same call on the same rows gives the same sums)."""
        flat = block.reshape(-1, block.shape[-1])
        flat[...] = 0.0
        ids = ids.reshape(len(flat), -1)
        known = ids >= 0
        if known.any():
            cols = ids[known]
            cells = np.repeat(np.arange(len(flat)), ids.shape[1])[known.ravel()]  # in increasing order
            starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
            flat[cells[starts]] = np.add.reduceat(self.weights[cols], starts, axis=0)

    def rows(self, words: list[str]) -> np.ndarray:
        """The rows of `table` of the words (new words added first)."""
        try:  # every word known: the common case of a long run
            return np.fromiter(map(self.__getitem__, words), dtype=np.int64, count=len(words))
        except KeyError:
            pass
        new = set(words).difference(self)
        # full: start again with this call's words, all of them
        if new and (len(self) + len(new) > self.limit or self._long_chars > _LONG_CHARS):
            self._restart()
            new = set(words)
        if new:
            self._add(sorted(new))
        return np.array(list(map(self.__getitem__, words)), dtype=np.int64)

    def _restart(self) -> None:
        """Empty, and give back the memory the table grew to (row 0 kept)."""
        self.clear()
        self.table = self.table[:1024].copy()
        self.props = self.props[:1024].copy()
        self._compiled_rows = None
        self._long = self._long_chars = 0

    def _word_rows(self):
        """The compiled `WordRows` of this cache's words (made again if it does not hold them all: new, or the cache
        filled by the pure-Python path while it was not kept)."""
        if self._compiled_rows is None or len(self._compiled_rows) != len(self) - self._long:
            self._compiled_rows = kernels.compiled.WordRows()
            add = self._compiled_rows.add
            for word, row in self.items():
                if len(word) <= _KEPT_LONGEST:
                    add(word, row)
        return self._compiled_rows

    def tokens_compiled(self, texts: list[str], bases: list[int]) -> tuple[np.ndarray, ...]:
        """(starts, ends, tokens per text, rows) of the texts' tokens (`_tokenise`'s, with their ends) and their words'
        rows, by the compiled kernel `tagger_lookup`: new words are added as `rows` adds them (all the call's words
        when the cache is full)."""
        starts, ends, lengths, rows, missed, missed_at = kernels.tagger_lookup(texts, bases, self._word_rows())
        if missed:
            new = dict.fromkeys(w for w in missed if w not in self)  # (in the order they come; a long word may be in)
            if new and (len(self) + len(new) > self.limit or self._long_chars > _LONG_CHARS):
                self._restart()
                starts, ends, lengths, rows, missed, missed_at = kernels.tagger_lookup(texts, bases, self._word_rows())
                new = dict.fromkeys(missed)  # (every word of the call)
            if new:
                self._add(new)
            rows[missed_at] = list(map(self.__getitem__, missed))
        return starts, ends, lengths, rows

    def lookup(self, words: list[str]) -> np.ndarray:
        """The (n, len(OFFSETS), tags) rows of the words."""
        return self.table[self.rows(words)]


_ADD_STEP = 4096  # new words summed at a time (_WordCache._add)
_PREFIXES = tuple(feature_name(off, "") for off in OFFSETS)  # "-3:" .. "" .. "3:"


class _TimeMajor:
    """The tokens of sentences (`lengths` tokens each, in order) in time-major order: the sentences sorted by
    decreasing length (stably), then position 0 of every sentence, position 1 of those with two tokens or more, and
    so on. At position t the sentences still running are the first `live[t]` of that order, their tokens
    `token[at[t]:at[t] + live[t]]` (indices into the sentences' tokens)."""

    def __init__(self, lengths: list[int]):
        lengths_a = np.array(lengths, dtype=np.int64)
        starts = np.r_[0, np.cumsum(lengths_a)[:-1]].astype(np.int64) if len(lengths_a) else lengths_a
        order = np.argsort(-lengths_a, kind="stable")
        self.width = int(lengths_a.max()) if len(lengths_a) else 0
        # sentences longer than t, for each position t
        self.live = len(lengths_a) - np.searchsorted(np.sort(lengths_a), np.arange(self.width), side="right")
        self.at = np.r_[0, np.cumsum(self.live)[:-1]].astype(np.int64) if self.width else self.live
        n = int(self.live.sum())
        position = np.repeat(np.arange(self.width), self.live)
        self.token = starts[order][np.arange(n) - np.repeat(self.at, self.live)] + position
        self.live, self.at = self.live.tolist(), self.at.tolist()


class SpanTagger:
    """A linear-chain CRF over TAGS: `features` (attribute names), `weights` (n_features, n_tags) state weights and
    `transitions` (n_tags, n_tags), from tag to tag, as crfsuite learned them."""

    def __init__(self, features, weights: np.ndarray, transitions: np.ndarray,
                 source_threshold: float | None = SOURCE_THRESHOLD):
        # the feature names as a compact Vocabulary (as the store loads them), ids their positions
        self.features = features if isinstance(features, Vocabulary) else Vocabulary.from_terms(features)
        self.source_threshold = source_threshold
        self.weights = np.asarray(weights, dtype=np.float64)
        self.transitions = np.asarray(transitions, dtype=np.float64)
        index = self.features
        zero = np.zeros(self.weights.shape[1])
        row = lambda name: self.weights[index[name]] if name in index else zero  # noqa: E731
        self.bias = row("b")
        # the token features' weights summed over each combination of values of a few groups (_JOINT), so that a
        # token's weights of all its token features are a handful of rows of one table (`joint`, the tables of the
        # groups one after the other from `joint_base`)
        tables = []
        for names in _JOINT:
            table = np.zeros([GROUPS[g] for g in names] + [self.weights.shape[1]])
            for k, g in enumerate(names):
                part = np.vstack([row(f"{g}={v}") for v in range(GROUPS[g])])
                table = table + part.reshape([GROUPS[g] if j == k else 1 for j in range(len(names))] + [-1])
            tables.append(table.reshape(-1, self.weights.shape[1]))
        self.joint = np.vstack(tables)
        self.joint_base = np.cumsum([0] + [len(t) for t in tables[:-1]]).astype(np.int64)
        self._words = _WordCache(index, self.weights)

    def emissions(self, tokens: Tokens, chunk: int = 4096) -> np.ndarray:
        """State scores (n_tokens, n_tags) of the tokens: the sum of their features' weights, in this order: the
        bias, the word table's entry of the word at each offset -3..+3 (row 0 outside the sentence), the token
        features' rows (`joint`). The words' rows are laid out with three empty places (row 0) around each sentence,
        so the word at offset k of every token is a shifted place of that layout; the entries are gathered an offset
        at a time, each a (tokens, tags) row of the word table seen as (words x offsets, tags), `chunk` tokens at a
        time (4,096 tokens: 230 kB an array, under `pool.HEAP_THRESHOLD`, where a larger one would be a fresh
        mapping of memory, page faults and all, in a batch worker)."""
        n_tok, n_tags = len(tokens.words), self.weights.shape[1]
        if not n_tok:
            return np.zeros((0, n_tags))
        rows = self._words.rows(tokens.words)
        lengths = np.array(tokens.lengths, dtype=np.int64)
        if kernels.ACTIVE:  # the compiled twin of what follows (tests/kernels): the same additions in the same order
            return kernels.tagger_emissions(rows, lengths, self._words.table, self.bias, self.joint,
                                            self._joint_codes(tokens))
        reach, width = max(OFFSETS), len(OFFSETS)
        place = np.arange(n_tok) + reach * (np.repeat(np.arange(len(lengths)), lengths) + 1)  # in the padded layout
        padded = np.zeros(n_tok + reach * (len(lengths) + 1), dtype=np.int64)
        padded[place] = rows * width  # a word's row of `flat` at offset -3 (+k at the k-th offset)
        table = self._words.table
        flat = table.reshape(len(table) * width, n_tags)
        out = np.empty((n_tok, n_tags))
        add = np.empty((min(chunk, n_tok), n_tags))
        at = np.empty(min(chunk, n_tok), dtype=np.int64)
        for a in range(0, n_tok, chunk):
            b = min(a + chunk, n_tok)
            part, here, got, shift = out[a:b], place[a:b], add[:b - a], at[:b - a]
            # (mode "clip": a take into `out` with the default mode "raise" is buffered, about 4x slower; the rows are
            # the cache's own, in range)
            for k in range(width):
                np.take(padded, np.add(here, k - reach, out=shift), out=shift, mode="clip")
                shift += k
                if k:
                    part += np.take(flat, shift, axis=0, out=got, mode="clip")
                else:
                    np.add(self.bias, np.take(flat, shift, axis=0, out=got, mode="clip"), out=part)
        # (the codes are in range by construction, each group's value below its size, so nothing is clipped; codes of
        # hand-made Tokens out of range raise here as the compiled kernel's wrapper raises, never clipped)
        codes = self._joint_codes(tokens)
        if codes.size and (codes.min() < 0 or codes.max() >= len(self.joint)):
            raise ValueError(f"tagger_emissions: token feature rows must be in [0, {len(self.joint)})")
        add = np.empty((n_tok, n_tags))
        for code in codes.T:
            out += np.take(self.joint, code, axis=0, out=add, mode="clip")
        return out

    def _joint_codes(self, tokens: Tokens) -> np.ndarray:
        """(n_tokens, len(_JOINT)) rows of `joint` of the tokens: their values of each group of token features."""
        codes = np.empty((len(_JOINT), len(tokens.words)), dtype=np.int64)
        for k, names in enumerate(_JOINT):
            code = codes[k]
            np.copyto(code, tokens.codes[names[0]])
            for g in names[1:]:
                code *= GROUPS[g]
                code += tokens.codes[g]
            code += self.joint_base[k]
        return codes.T

    def viterbi(self, emissions: np.ndarray, lengths: list[int]) -> np.ndarray:
        """The best tag index of each token. All sentences are decoded together, position by position, with
        (sentences x tags x tags) array operations over the sentences still running (`_TimeMajor`)."""
        if kernels.ACTIVE:  # the compiled twin of what follows (tests/kernels): one sentence at a time
            return kernels.viterbi(emissions, lengths, self.transitions)
        emissions = np.asarray(emissions)  # (any array-like, as the kernel and the row gather before took it)
        layout = _TimeMajor(lengths)
        out = np.zeros(len(emissions), dtype=np.int64)
        if not layout.width:
            return out
        # the tokens in time-major order, token-major: a step's sentences are consecutive rows
        em = np.take(emissions, layout.token, axis=0)
        at, live = layout.at, layout.live
        # the forward pass keeps only each step's best scores (deltas): for each tag b the maximum over the previous
        # tag a of delta[a] + transitions[a, b], one (a, sentence, b) array reduced over a, its outer axis (an
        # element-wise maximum of contiguous rows), made as each sentence's deltas spread along b and the
        # transitions tiled once per call (numpy adds two arrays laid out alike ~2x faster than it adds a broadcast
        # one); the back-pointers are found on the way back for the chosen tag alone (the argmax over the same sums:
        # a tie goes to the first tag)
        trans = self.transitions
        n_tags = len(trans)
        deltas = np.empty_like(em)
        deltas[:live[0]] = em[:live[0]]
        # (at most _VITERBI_BLOCK sentences a step at a time: the (a, sentence, b) array is tags x tags x 8 bytes a
        # sentence, larger than the emissions for many short sentences)
        block = min(live[0], _VITERBI_BLOCK)
        tiled = np.tile(trans, (1, block))  # tiled[a, s * n_tags + b] = trans[a, b]
        spread, best = np.empty((n_tags, n_tags * block)), np.empty(n_tags * block)
        for t in range(1, layout.width):
            a, n, p = at[t], live[t], at[t - 1]
            for i in range(0, n, block):
                m = min(block, n - i)
                step = spread[:, :n_tags * m]  # step[a, s * n_tags + b] = deltas of sentence s at tag a
                np.copyto(step.reshape(n_tags, m, n_tags), deltas[p + i:p + i + m].T[:, :, None])
                np.add(step, tiled[:, :n_tags * m], out=step)
                np.add(np.maximum.reduce(step, axis=0, out=best[:n_tags * m]).reshape(m, n_tags),
                       em[a + i:a + i + m], out=deltas[a + i:a + i + m])
        # the way back (the transitions transposed once): a step's scores are rows whose argmax numpy takes along
        # its last axis, where along the first it copies them transposed first (~1.5x)
        trans_t = np.ascontiguousarray(trans.T)
        tags = np.empty(len(em), dtype=np.int64)
        current = np.zeros(live[0], dtype=np.int64)
        for t in range(layout.width - 1, -1, -1):
            a, n = at[t], live[t]
            ending = live[t + 1] if t + 1 < layout.width else 0  # sentences [ending, n) end at t
            if ending < n:
                current[ending:n] = deltas[a + ending:a + n].argmax(axis=1)
            tags[a:a + n] = current[:n]
            if t:
                p = at[t - 1]
                current[:n] = np.add(deltas[p:p + n], np.take(trans_t, current[:n], axis=0)).argmax(axis=1)
        out[layout.token] = tags
        return out

    def _scaled_transitions(self) -> tuple[np.ndarray, int]:
        """(the transitions exponentiated, their largest 1; the rescaling period `every`) of `marginals`."""
        trans = np.exp(self.transitions - self.transitions.max())
        # a token's marginals are its alpha * beta normalised, so alpha and beta may carry any factor per sentence
        # and position: they are rescaled only every `every` steps. A step shrinks alpha's sum by at most the
        # smallest of `trans` (whose largest is 1; an emission row's largest is 1), and beta's largest by at most
        # its square (after a step, beta's entries are within that smallest factor of each other)
        every = max(1, int(300 // max(1.0, -2 * np.log(max(trans.min(), 1e-300)))))
        return trans, every

    def marginals(self, emissions: np.ndarray, lengths: list[int]) -> np.ndarray:
        """The posterior probability (n_tokens, n_tags) of each tag at each token (forward-backward), all sentences
        together position by position as in `viterbi`; scaled (each step's scores divided by their sum), so it needs
        no log."""
        trans, every = self._scaled_transitions()
        if kernels.ACTIVE:  # the compiled twin of what follows, sentence by sentence (equal to rounding: tests/kernels)
            return kernels.tagger_marginals(emissions, lengths, trans, every)
        layout = _TimeMajor(lengths)
        out = np.zeros(emissions.shape)
        if not layout.width:
            return out
        pad = np.take(emissions, layout.token, axis=0)
        e = np.exp(pad - _row_max(pad))
        alpha = np.empty_like(e)
        beta = np.ones_like(e)
        at, live = layout.at, layout.live
        alpha[:live[0]] = e[:live[0]]
        # each step written in place into its rows of alpha and beta (the same products as `(alpha @ trans) * e`)
        for t in range(1, layout.width):
            a, n, p = at[t], live[t], at[t - 1]
            step = np.matmul(alpha[p:p + n], trans, out=alpha[a:a + n])
            step *= e[a:a + n]
            if t % every == 0:
                step /= _row_sum(step)
        trans_t, scaled = trans.T, np.empty_like(e[:live[0]])
        for t in range(layout.width - 2, -1, -1):
            a, n, q = at[t], live[t + 1], at[t + 1]  # the first n go on after t; the others end at t (beta 1)
            step = np.matmul(np.multiply(e[q:q + n], beta[q:q + n], out=scaled[:n]), trans_t, out=beta[a:a + n])
            if t % every == 0:
                step /= _row_sum(step)
        m = np.multiply(alpha, beta, out=alpha)
        m /= np.maximum(_row_sum(m), 1e-300)
        out[layout.token] = m
        return out

    def tag(self, tokens: Tokens, threshold: float | None = None) -> np.ndarray:
        """Tag index (into TAGS) of every token: the best sequence (crfsuite's tagging); with `threshold`, its Source
        spans whose confidence (`source_confidence`) is below it become O (a sentence shows no source rather than an
        unsure one)."""
        emissions = self.emissions(tokens)
        tags = self.viterbi(emissions, tokens.lengths)
        if threshold is not None:
            tags = drop_unsure_sources(tags, *self.source_confidence(emissions, tokens.lengths, tags), threshold,
                                       tokens.lengths)
        return tags

    def source_confidence(self, emissions: np.ndarray, lengths: list[int],
                          tags: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(first token, end token, confidence) of each Source span of the tags: the mean over its tokens of the
        posterior probability that the token is in a Source (B- or I-), from forward-backward over only the
        sentences that have a Source span."""
        first, end = _source_runs(tags, lengths)
        if not len(first):
            return first, end, np.zeros(0)
        lengths_a = np.array(lengths, dtype=np.int64)
        sentence = np.repeat(np.arange(len(lengths_a)), lengths_a)
        chosen_mask = np.zeros(len(lengths_a), dtype=bool)
        chosen_mask[sentence[first]] = True
        chosen = np.flatnonzero(chosen_mask)  # not np.unique: numpy 2 imports numpy.ma for it (~9 ms of a cold start)
        rows = np.flatnonzero(chosen_mask[sentence])  # the tokens of those sentences, in order
        probs = np.zeros(len(tags))
        # (the two columns added: what `[:, _SOURCE_TAGS].sum(axis=1)` gives, without numpy's slow reduction of short
        # rows; two non-negative probabilities, whose sum in either order is the same)
        marginals = self.marginals(emissions[rows], lengths_a[chosen].tolist())
        probs[rows] = marginals[:, _SOURCE_TAGS[0]] + marginals[:, _SOURCE_TAGS[1]]
        sums = np.r_[0.0, np.cumsum(probs)]
        return first, end, (sums[end] - sums[first]) / (end - first)

    def spans(self, article_text: str, sentences) -> list[dict[str, list[tuple[int, int]]]]:
        """Per sentence, the Source, Cue and Content spans as [(start, end)] article offsets (role -> spans)."""
        return self.spans_many([(article_text, sentences)])[0]

    def spans_many(self, articles) -> list[list[dict[str, list[tuple[int, int]]]]]:
        """`spans` of several (article text, sentences) pairs with one emission product and one decoding."""
        articles = list(articles)
        if not articles:
            return []
        if kernels.ACTIVE:
            spans = self._spans_compiled(articles)
        else:
            tokens = batch_tokens(articles)
            spans = tag_spans(tokens, self.tag(tokens, self.source_threshold))
        out, k = [], 0
        for _, sentences in articles:
            n = len(sentences)
            out.append(spans[k:k + n])
            k += n
        return out


    def _spans_compiled(self, articles: list) -> list[dict[str, list[tuple[int, int]]]]:
        """The spans of each sentence of the articles as `tag_spans(tokens, self.tag(tokens, threshold))` of
        `batch_tokens(articles)` gives them, by the compiled kernels (tests/kernels/test_tagk.py): the words looked up
        in the word cache as they are found (no list of words), the token codes and emissions in one pass (no code
        arrays), Viterbi and the unsure sources' dropping sentence by sentence, the spans made in C."""
        texts = [sent.text for _, sentences in articles for sent in sentences]
        bases = [sent.start for _, sentences in articles for sent in sentences]
        starts, ends, length_a, rows = self._words.tokens_compiled(texts, bases)
        lengths = length_a.tolist()
        if not len(rows):
            return [{"SOURCE": [], "CUE": [], "CONTENT": []} for _ in lengths]
        state = kernels.tagger_quote_states([text for text, _ in articles],
                                            [len(sentences) for _, sentences in articles], length_a, starts)
        if state is None:  # (a sentence's offset outside its article)
            state = _token_quote_states(articles, starts, length_a)
        emissions = kernels.tagger_scores(rows, length_a, state, self._words.props, _BUCKETS, _GROUP_SIZES,
                                          _JOINT_GROUPS, self.joint_base, self._words.table, self.bias, self.joint)
        tags = kernels.tagger_decode(emissions, length_a, self.transitions, *self._scaled_transitions(), _SOURCE_TAGS,
                                     self.source_threshold)
        return kernels.tagger_spans(tags, length_a, starts, ends, _ROLE_OF_TAG, _BEGIN_TAG, ROLES)


def _row_max(a: np.ndarray) -> np.ndarray:
    """`a.max(axis=1, keepdims=True)` of a 2-d array, by an element-wise maximum of its columns (numpy reduces the few
    entries of each row one row at a time, ~15x slower on the tagger's (tokens, 7) arrays). The same values: the
    maximum of the same entries, a NaN in a row its maximum either way (a zero's sign may differ, which no use of it
    here sees: x - 0.0 and x - -0.0 differ only for x = -0.0, as -0.0 and 0.0, whose exp is 1 alike)."""
    out = a[:, :1].copy()
    for k in range(1, a.shape[1]):
        np.maximum(out, a[:, k:k + 1], out=out)
    return out


def _row_sum(a: np.ndarray) -> np.ndarray:
    """`a.sum(axis=1, keepdims=True)` of a 2-d array with fewer than 8 columns, by adding its columns left to right:
    numpy adds so few entries of a row in that order too (its pairwise summation starts at 8), one row at a time, ~3x
    slower (tests/test_pure_s15.py and the frozen marginals of tests/attribution/test_tagger_speed_same.py hold the
    two to the same bits)."""
    if a.shape[1] >= 8:
        return a.sum(axis=1, keepdims=True)
    out = a[:, :1].copy()
    for k in range(1, a.shape[1]):
        out += a[:, k:k + 1]
    return out


def _token_quote_states(articles, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each token's quote state as `batch_tokens` finds it (inside a quotation: the state after the last quote event
    strictly before the token), from the tokens' article offsets (`lengths` tokens per sentence, in order)."""
    # the articles laid end to end, each after a line break: a quote event that ends any quotation left open; the
    # state after the last quote event strictly before the token (none: outside)
    laid = "\n".join(article_text for article_text, _ in articles)
    room = np.array([len(article_text) + 1 for article_text, _ in articles], dtype=np.int64)
    token_base = np.repeat(np.cumsum(room) - room, [len(sentences) for _, sentences in articles])
    positions, states = _quote_events(laid)
    k = np.searchsorted(positions, starts + np.repeat(token_base, lengths), side="left")
    return np.r_[False, states][k]


def concat_tokens(parts: list[Tokens]) -> Tokens:
    """The tokens of several articles as one."""
    return Tokens([w for p in parts for w in p.words], np.concatenate([p.starts for p in parts]),
                  np.concatenate([p.ends for p in parts]), [n for p in parts for n in p.lengths],
                  {g: np.concatenate([p.codes[g] for p in parts]) for g in GROUPS})


_VITERBI_BLOCK = 1024  # sentences a Viterbi step at a time (SpanTagger.viterbi): 2 x 400 kB for 7 tags
_SOURCE_TAGS = [TAGS.index("B-SOURCE"), TAGS.index("I-SOURCE")]


def _source_runs(tags: np.ndarray, lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(first token, end token) of each Source span of the tags (as `tag_spans` reads them)."""
    tags = np.asarray(tags, dtype=np.int64)
    if not len(tags):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lengths_a = np.array(lengths, dtype=np.int64)
    sentence = np.repeat(np.arange(len(lengths_a)), lengths_a)
    source = (tags == _SOURCE_TAGS[0]) | (tags == _SOURCE_TAGS[1])
    new_sentence = np.r_[True, sentence[1:] != sentence[:-1]]
    opens = source & ((tags == _SOURCE_TAGS[0]) | new_sentence | ~np.r_[False, source[:-1]])
    first = np.flatnonzero(opens)
    # a span ends before the next opening or the first token that is not I-SOURCE of the same run
    stop = ~source | opens
    stop_at = np.flatnonzero(np.r_[stop, True])
    end = stop_at[np.searchsorted(stop_at, first + 1)]
    return first, end


def drop_unsure_sources(tags: np.ndarray, first: np.ndarray, end: np.ndarray, confidence: np.ndarray,
                        threshold: float, lengths: list[int] | None = None) -> np.ndarray:
    """The tags with the Source spans [first, end) whose confidence is below `threshold` set to O. With `lengths`
    (the sentences' token counts), a sentence left with no source loses its other tags too (a cue or content shown
    without its source, or read as a quotation carried over from the sentence before, would mislead)."""
    out = np.array(tags, dtype=np.int64, copy=True)
    unsure = ~(confidence >= threshold)  # a NaN confidence (degenerate weights) counts as unsure
    for i, j in zip(first[unsure].tolist(), end[unsure].tolist()):
        out[i:j] = 0
    if lengths is not None and unsure.any():
        lengths_a = np.array(lengths, dtype=np.int64)
        sentence = np.repeat(np.arange(len(lengths_a)), lengths_a)
        kept = np.zeros(len(lengths_a), dtype=bool)
        kept[sentence[first[~unsure]]] = True
        emptied = np.zeros(len(lengths_a), dtype=bool)
        emptied[sentence[first[unsure]]] = True
        out[(emptied & ~kept)[sentence]] = 0
    return out


# the compiled path's constants (`SpanTagger._spans_compiled`): the code buckets, each group's number of values, the
# groups of each joint table as indices into GROUPS (-1 padded)
_BUCKETS = (_POS_BUCKET, _RPOS_BUCKET, _DIST_BUCKET)
_GROUP_SIZES = np.array(list(GROUPS.values()), dtype=np.int64)
_JOINT_GROUPS = np.array([[list(GROUPS).index(g) for g in names] + [-1] * (3 - len(names)) for names in _JOINT],
                         dtype=np.int64)
_ROLE_OF_TAG = np.array([0] + [1 + k // 2 for k in range(len(TAGS) - 1)], dtype=np.int64)  # O, then role pairs
_BEGIN_TAG = np.array([False] + [k % 2 == 0 for k in range(len(TAGS) - 1)])


def tag_spans(tokens: Tokens, tags: np.ndarray) -> list[dict[str, list[tuple[int, int]]]]:
    """BIO tags (indices into TAGS) as spans per sentence; an I- tag after another role opens a span."""
    lengths = np.array(tokens.lengths, dtype=np.int64)
    out: list[dict[str, list[tuple[int, int]]]] = [{"SOURCE": [], "CUE": [], "CONTENT": []} for _ in tokens.lengths]
    n_tok = len(tags)
    if not n_tok:
        return out
    tags = np.asarray(tags, dtype=np.int64)
    role = _ROLE_OF_TAG[tags]
    sentence = np.repeat(np.arange(len(lengths)), lengths)
    new_sentence = np.r_[True, sentence[1:] != sentence[:-1]]
    opens = (role > 0) & (_BEGIN_TAG[tags] | new_sentence | (role != np.r_[0, role[:-1]]))
    closes = (role > 0) & np.r_[opens[1:] | (role[1:] != role[:-1]) | new_sentence[1:], True]
    starts, ends = np.flatnonzero(opens), np.flatnonzero(closes)
    # each span's sentence, role and offsets as Python ints, gathered a column at a time
    for k, r, a, b in zip(sentence[starts].tolist(), (role[starts] - 1).tolist(),
                          np.asarray(tokens.starts)[starts].tolist(), np.asarray(tokens.ends)[ends].tolist()):
        out[k][ROLES[r]].append((a, b))
    return out


_SPAN_TYPES: tuple | None = None  # (classify_phrase, NO_ATTRIBUTION, Attribution), imported on first use


def _span_types() -> tuple:
    """What `sentence_attribution` needs from `sources` and `spans`, imported once on first use (an import statement
    in its body cost about a microsecond per sentence; at module level it would load those modules with the tagger)."""
    global _SPAN_TYPES
    from .sources import classify_phrase
    from .spans import NO_ATTRIBUTION, Attribution
    _SPAN_TYPES = (classify_phrase, NO_ATTRIBUTION, Attribution)
    return _SPAN_TYPES


def sentence_attribution(article_text: str, sent, spans: dict[str, list[tuple[int, int]]]):
    """(Attribution with sentence-relative offsets, content span (article offsets) or None) of one sentence from its
    tagged spans. The sentence's attribution is its first source with the cue nearest to it (the first cue when no
    source is tagged); a later source that is an outlet passing the words on ("..., officials told CNN") is `via`.
    The content span runs from the first content token to the last."""
    classify_phrase, NO_ATTRIBUTION, Attribution = _SPAN_TYPES or _span_types()
    sources, cues, contents = spans["SOURCE"], spans["CUE"], spans["CONTENT"]
    content = (contents[0][0], contents[-1][1]) if contents else None
    if not sources and not cues:
        return NO_ATTRIBUTION, content
    base = sent.start
    if sources:
        s0, s1 = sources[0]
        cue = (cues[0] if len(cues) == 1 else min(cues, key=lambda c: max(c[0] - s1, s0 - c[1], 0))) if cues \
            else None
    else:
        s0 = s1 = None
        cue = cues[0]
    via = None
    if len(sources) > 1:
        last = article_text[sources[-1][0]:sources[-1][1]]
        if classify_phrase(last).label == "outlet_claim" \
                and classify_phrase(article_text[s0:s1]).label != "outlet_claim":
            via = last
    return Attribution(
        None if s0 is None else article_text[s0:s1], None if s0 is None else s0 - base,
        None if s0 is None else s1 - base, None if cue is None else article_text[cue[0]:cue[1]],
        None if cue is None else cue[0] - base, None if cue is None else cue[1] - base, via), content
