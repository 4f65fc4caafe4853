"""The learned span tagger: Source, Cue and Content spans of each sentence, as BIO tags from a linear-chain CRF
trained on PolNeAR's human spans (`scorer.training.spantagger` trains it with python-crfsuite).

Scoring needs numpy only: the CRF is plain arrays (feature names, a state-weight matrix, a transition matrix,
loaded by `scorer.model.store` without pickle) and this module decodes it with its own Viterbi, over all sentences
of an article (or a batch) at once. Every feature is cheap:

- word features, of the token and of its neighbours at -2..+2: the lower-cased word, its shape, its 2- and
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
from typing import NamedTuple

import numpy as np

from ..text import kernels
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
OFFSETS = (-2, -1, 0, 1, 2)

_OUTLET_WORDS = frozenset(w for name in OUTLETS for w in name.split() if w not in ("the", "of", "news", "daily")) \
    | OUTLET_NOUNS
_CUE_WORDS = CUE_VERBS | REPORTING_VERBS | frozenset(("according",))
_LISTS = (("cue", _CUE_WORDS), ("anon", ANONYMOUS_HEADS), ("pron", PRONOUNS_PERSON | PRONOUNS_GROUP),
          ("role", ROLE_HEADS), ("outlet", _OUTLET_WORDS), ("title", _TITLES), ("quant", QUANTIFIERS),
          ("doc", _DOCUMENTS), ("anonymity", _ANONYMITY))
_OPEN, _CLOSE = "“", "”"
_QUOTE_EVENT = re.compile('[“”"\n]')
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
    else:
        out = "".join("X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c for c in word)
    return _SHAPE_RUNS.sub(r"\1", out)


def word_features(word: str) -> dict[int, list[str]]:
    """The word-derived features of a token, by the offset at which they are seen: all of them for the token itself
    (offset 0), the word, shape and word lists for the next/previous token, the word and word lists two away."""
    low = word.lower()
    lists = [f"L={name}" for name, words in _LISTS if low in words]
    sh = "sh=" + shape(word)
    own = [f"w={low}", sh, f"s2={low[-2:]}", f"s3={low[-3:]}", *lists]
    near = [f"w={low}", sh, *lists]
    far = [f"w={low}", *lists]
    return {0: own, -1: near, 1: near, -2: far, 2: far}


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


def _quote_events(article_text: str) -> tuple[list[int], list[bool]]:
    """(positions, inside-after) of the article's quote marks and line breaks: “ opens, ” closes, a straight quote
    toggles, a line break closes (a quotation running on into the next paragraph reopens there)."""
    positions, states, inside = [], [], False
    for m in _QUOTE_EVENT.finditer(article_text):
        ch = m.group()
        inside = ch == _OPEN or (ch == '"' and not inside)
        positions.append(m.start())
        states.append(inside)
    return positions, states


class _Properties(dict):
    """word -> bit set of the properties the token codes need (computed once per word type; emptied when large)."""

    def __missing__(self, word: str) -> int:
        if len(self) >= 200_000:
            self.clear()
        value = ((word == _OPEN) | (word == _CLOSE) << 1 | (word == '"') << 2 | (word == ",") << 3
                 | word[0].isupper() << 4 | (word.lower() in _CUE_WORDS) << 5)
        self[word] = value
        return value


_PROPERTIES = _Properties()
_GROUP, _START = re.Match.group, re.Match.start


def sentence_tokens(article_text: str, sentences) -> Tokens:
    """Tokens of the sentences (objects with start/text) with their article offsets and token codes (GROUPS),
    the codes computed with array operations over all the tokens."""
    words: list[str] = []
    starts: list[int] = []
    lengths: list[int] = []
    bases: list[int] = []
    finditer = TOKEN.finditer
    for sent in sentences:
        found = list(finditer(sent.text))
        words += map(_GROUP, found)
        starts += map(_START, found)
        lengths.append(len(found))
        bases.append(sent.start)
    n_tok = len(words)
    length_a = np.array(lengths, dtype=np.int64)
    start_a = np.array(starts, dtype=np.int64) + np.repeat(np.array(bases, dtype=np.int64), length_a)
    end_a = start_a + np.fromiter(map(len, words), dtype=np.int64, count=n_tok)
    props = np.array(list(map(_PROPERTIES.__getitem__, words)), dtype=np.int64)
    first = np.repeat(np.cumsum(length_a) - length_a, length_a)  # index of each token's sentence's first token
    index = np.arange(n_tok) - first
    after = np.repeat(length_a, length_a) - 1 - index
    # quote state: the last quote event strictly before the token
    positions, states = _quote_events(article_text)
    k = np.searchsorted(np.array(positions, dtype=np.int64), start_a, side="left")
    state = np.r_[False, np.array(states, dtype=bool)][k]
    is_open, is_close, straight = (props & 1) > 0, (props & 2) > 0, (props & 4) > 0
    qm = np.where(is_open | (straight & ~state), 1, np.where(is_close | (straight & state), 2, 0))
    # commas and quote marks before and after the token within its sentence
    comma = (props >> 3) & 1
    mark = (is_open | is_close | straight).astype(np.int64)
    sentence = np.repeat(np.arange(len(length_a)), length_a)
    comma_c, mark_c = np.cumsum(comma), np.cumsum(mark)
    comma_base = (comma_c - comma)[first] if n_tok else comma_c
    mark_base = (mark_c - mark)[first] if n_tok else mark_c
    ends_idx = first + np.repeat(length_a, length_a) - 1
    comma_before = comma_c - comma - comma_base
    comma_after = comma_c[ends_idx] - comma_c if n_tok else comma_c
    mark_before = mark_c - mark - mark_base
    mark_after = mark_c[ends_idx] - mark_c if n_tok else mark_c
    # the length of the run of capitalised words each token is in (within its sentence)
    upper = (props & 16) > 0
    new_run = upper & ~np.r_[False, upper[:-1] & (sentence[1:] == sentence[:-1])] if n_tok else upper
    run_id = np.cumsum(new_run)
    run_len = np.bincount(run_id[upper], minlength=int(run_id[-1]) + 1 if n_tok else 1)
    cap = np.where(upper, np.minimum(run_len[run_id] if n_tok else run_id, 3), 0)
    # the distance to the nearest reporting word before and after the token in its sentence
    cue = (props & 32) > 0
    where = np.arange(n_tok)
    prev_cue = np.r_[-1, np.maximum.accumulate(np.where(cue, where, -1))[:-1]] if n_tok else where
    dist_left = np.where(prev_cue >= first, where - prev_cue, 0)
    next_cue = np.r_[np.minimum.accumulate(np.where(cue, where, n_tok)[::-1])[::-1][1:], n_tok] if n_tok else where
    dist_right = np.where(next_cue <= ends_idx, next_cue - where, 0)
    codes = {"q": state.astype(np.int64), "qm": qm.astype(np.int64),
             "qpos": (mark_after > 0).astype(np.int64) + 2 * (mark_before > 0),
             "cb": np.minimum(comma_before, 2), "ca": np.minimum(comma_after, 2), "cap": cap.astype(np.int64),
             "pos": _POS_BUCKET[np.minimum(index, len(_POS_BUCKET) - 1)],
             "rpos": _RPOS_BUCKET[np.minimum(after, len(_RPOS_BUCKET) - 1)],
             "dl": _DIST_BUCKET[np.minimum(dist_left, len(_DIST_BUCKET) - 1)],
             "dr": _DIST_BUCKET[np.minimum(dist_right, len(_DIST_BUCKET) - 1)]}
    return Tokens(words, start_a, end_a, lengths, codes)


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
    (n, 5, tags) array that grows as new words are seen (emptied when it reaches `limit` words, so a long batch run
    does not grow without end). New words are added together, with one array operation."""

    def __init__(self, index: dict[str, int], weights: np.ndarray, limit: int = 200_000):
        super().__init__()
        self.index, self.weights, self.limit = index, weights, limit
        self.table = np.zeros((1024, len(OFFSETS), weights.shape[1]))

    def _add(self, words: set[str]) -> None:
        first = len(self)
        need = first + len(words)
        if need > len(self.table):
            grown = np.zeros((max(need, 2 * len(self.table)),) + self.table.shape[1:])
            grown[:len(self.table)] = self.table
            self.table = grown
        cells, cols = [], []  # (row * 5 + offset position, feature column) of every known word feature
        index = self.index
        for r, word in enumerate(sorted(words), first):
            self[word] = r
            for k, (off, feats) in enumerate(sorted(word_features(word).items())):
                for f in feats:
                    col = index.get(feature_name(off, f))
                    if col is not None:
                        cells.append(r * len(OFFSETS) + k)
                        cols.append(col)
        flat = self.table.reshape(-1, self.weights.shape[1])
        flat[first * len(OFFSETS):need * len(OFFSETS)] = 0.0
        if cells:  # cells come in increasing order: sum each cell's run of feature rows
            cells_a = np.array(cells, dtype=np.int64)
            starts = np.flatnonzero(np.r_[True, cells_a[1:] != cells_a[:-1]])
            flat[cells_a[starts]] = np.add.reduceat(self.weights[np.array(cols, dtype=np.int64)], starts, axis=0)

    def lookup(self, words: list[str]) -> np.ndarray:
        """The (n, 5, tags) rows of the words."""
        new = set(words).difference(self)
        if new and len(self) + len(new) > self.limit:  # full: start again with this call's words, all of them
            self.clear()
            new = set(words)
        if new:
            self._add(new)
        ids = np.array(list(map(self.__getitem__, words)), dtype=np.int64)
        return self.table[ids]


class SpanTagger:
    """A linear-chain CRF over TAGS: `features` (attribute names), `weights` (n_features, n_tags) state weights and
    `transitions` (n_tags, n_tags), from tag to tag, as crfsuite learned them."""

    def __init__(self, features: list[str], weights: np.ndarray, transitions: np.ndarray):
        self.features = list(features)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.transitions = np.asarray(transitions, dtype=np.float64)
        index = {f: i for i, f in enumerate(self.features)}
        zero = np.zeros(self.weights.shape[1])
        row = lambda name: self.weights[index[name]] if name in index else zero  # noqa: E731
        self.bias = row("b")
        self.edges = {off: row(feature_name(off, "w=<s>" if off < 0 else "w=</s>")) for off in (-1, 1)}
        # the token features' weights summed over each combination of values of a few groups (_JOINT), so that a
        # token's weights of all its token features are a handful of table rows
        self.joint = []
        for names in _JOINT:
            table = np.zeros([GROUPS[g] for g in names] + [self.weights.shape[1]])
            for k, g in enumerate(names):
                part = np.vstack([row(f"{g}={v}") for v in range(GROUPS[g])])
                table = table + part.reshape([GROUPS[g] if j == k else 1 for j in range(len(names))] + [-1])
            self.joint.append((names, table.reshape(-1, self.weights.shape[1])))
        self._words = _WordCache(index, self.weights)

    def emissions(self, tokens: Tokens) -> np.ndarray:
        """State scores (n_tokens, n_tags) of the tokens: the sum of their features' weights."""
        n_tok = len(tokens.words)
        table = self._words.lookup(tokens.words)  # (n_tok, 5, tags)
        out = table[:, OFFSETS.index(0)] + self.bias
        lengths = np.array(tokens.lengths, dtype=np.int64)
        sentence = np.repeat(np.arange(len(lengths)), lengths)
        for k, off in enumerate(OFFSETS):
            if off == 0 or abs(off) >= n_tok:
                if off in (-1, 1) and n_tok:
                    out += self.edges[off]  # a one-token batch: no neighbour anywhere
                continue
            # token i sees the word at i + off when it is in the same sentence
            lo, hi = max(0, -off), n_tok - max(0, off)
            # (zero where the neighbour is in another sentence: a sentence's scores never depend on its neighbours)
            same = sentence[lo + off:hi + off] == sentence[lo:hi]
            out[lo:hi] += np.where(same[:, None], table[lo + off:hi + off, k], 0.0)
            if off in (-1, 1):
                other = lo + np.flatnonzero(~same)
                out[other] += self.edges[off]
                out[:lo] += self.edges[off]
                out[hi:] += self.edges[off]
        for names, table in self.joint:
            code = tokens.codes[names[0]]
            for g in names[1:]:
                code = code * GROUPS[g] + tokens.codes[g]
            out += table[code]
        return out

    def viterbi(self, emissions: np.ndarray, lengths: list[int], bucket: int = 256) -> np.ndarray:
        """The best tag index of each token. Sentences are decoded together, `bucket` at a time in order of length
        (so one long sentence does not pad them all): a loop over token positions with (sentences x tags x tags)
        array operations."""
        if kernels.ACTIVE:  # the compiled twin of what follows (tests/kernels): one sentence at a time
            return kernels.viterbi(emissions, lengths, self.transitions)
        out = np.zeros(len(emissions), dtype=np.int64)
        lengths_a = np.array(lengths, dtype=np.int64)
        starts = np.r_[0, np.cumsum(lengths_a)[:-1]].astype(np.int64) if len(lengths_a) else lengths_a
        order = np.argsort(lengths_a, kind="stable")
        order = order[lengths_a[order] > 0]
        for b in range(0, len(order), bucket):
            chosen = order[b:b + bucket]  # in increasing length
            chosen_len = lengths_a[chosen]
            rows = starts[chosen][:, None] + np.arange(int(chosen_len[-1]))[None, :]
            valid = np.arange(rows.shape[1])[None, :] < chosen_len[:, None]
            rows = np.where(valid, rows, 0)
            out[rows[valid]] = self._viterbi_sorted(emissions[rows], chosen_len)[valid]
        return out

    def _viterbi_sorted(self, pad: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Viterbi over padded state scores (sentences, width, tags) of sentences in increasing length: at position
        t the sentences still running are a suffix of the rows."""
        n_sent, width, n_tags = pad.shape
        delta = pad[:, 0].copy()
        back = np.zeros((n_sent, width, n_tags), dtype=np.int64)
        trans = self.transitions[None]
        first_live = np.searchsorted(lengths, np.arange(width), side="right")  # rows with length > t from here
        for t in range(1, width):
            k = first_live[t]
            scores = delta[k:, :, None] + trans  # (sentences, from, to)
            best = scores.argmax(axis=1)
            back[k:, t] = best
            delta[k:] = scores.max(axis=1) + pad[k:, t]
        tags = np.zeros((n_sent, width), dtype=np.int64)
        current = delta.argmax(axis=1)
        rows = np.arange(n_sent)
        for t in range(width - 1, -1, -1):
            k = first_live[t]
            tags[k:, t] = current[k:]
            if t:
                current[k:] = back[rows[k:], t, current[k:]]
        return tags

    def tag(self, tokens: Tokens) -> np.ndarray:
        """Tag index (into TAGS) of every token."""
        return self.viterbi(self.emissions(tokens), tokens.lengths)

    def spans(self, article_text: str, sentences) -> list[dict[str, list[tuple[int, int]]]]:
        """Per sentence, the Source, Cue and Content spans as [(start, end)] article offsets (role -> spans)."""
        return self.spans_many([(article_text, sentences)])[0]

    def spans_many(self, articles) -> list[list[dict[str, list[tuple[int, int]]]]]:
        """`spans` of several (article text, sentences) pairs with one emission product and one decoding."""
        parts = [sentence_tokens(text, sentences) for text, sentences in articles]
        if not parts:
            return []
        tokens = concat_tokens(parts)
        spans = tag_spans(tokens, self.tag(tokens))
        out, k = [], 0
        for part in parts:
            out.append(spans[k:k + len(part.lengths)])
            k += len(part.lengths)
        return out


def concat_tokens(parts: list[Tokens]) -> Tokens:
    """The tokens of several articles as one."""
    return Tokens([w for p in parts for w in p.words], np.concatenate([p.starts for p in parts]),
                  np.concatenate([p.ends for p in parts]), [n for p in parts for n in p.lengths],
                  {g: np.concatenate([p.codes[g] for p in parts]) for g in GROUPS})


_ROLE_OF_TAG = np.array([0] + [1 + k // 2 for k in range(len(TAGS) - 1)], dtype=np.int64)  # O, then role pairs
_BEGIN_TAG = np.array([False] + [k % 2 == 0 for k in range(len(TAGS) - 1)])


def tag_spans(tokens: Tokens, tags: np.ndarray) -> list[dict[str, list[tuple[int, int]]]]:
    """BIO tags (indices into TAGS) as spans per sentence; an I- tag after another role opens a span."""
    lengths = np.array(tokens.lengths, dtype=np.int64)
    out: list[dict[str, list[tuple[int, int]]]] = [{role: [] for role in ROLES} for _ in tokens.lengths]
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
    for i, j in zip(starts.tolist(), ends.tolist()):
        out[sentence[i]][ROLES[role[i] - 1]].append((int(tokens.starts[i]), int(tokens.ends[j])))
    return out


def sentence_attribution(article_text: str, sent, spans: dict[str, list[tuple[int, int]]]):
    """(Attribution with sentence-relative offsets, content span (article offsets) or None) of one sentence from its
    tagged spans. The sentence's attribution is its first source with the cue nearest to it (the first cue when no
    source is tagged); a later source that is an outlet passing the words on ("..., officials told CNN") is `via`.
    The content span runs from the first content token to the last."""
    from .sources import classify_phrase
    from .spans import NO_ATTRIBUTION, Attribution

    sources, cues, contents = spans["SOURCE"], spans["CUE"], spans["CONTENT"]
    content = (contents[0][0], contents[-1][1]) if contents else None
    if not sources and not cues:
        return NO_ATTRIBUTION, content
    base = sent.start
    if sources:
        s0, s1 = sources[0]
        cue = min(cues, key=lambda c: max(c[0] - s1, s0 - c[1], 0)) if cues else None
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
