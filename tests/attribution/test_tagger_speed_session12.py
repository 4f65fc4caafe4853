"""The span tagger's session-12 speed-ups (issue #21, pure Python) give exactly what the code they replaced gave: the
tokens (`_tokenise`: the texts joined and split once; a word's length read with its property bits), the quote events
(found in the article's code points, their states by array operations, all articles at once), the emissions
(word-table blocks of 512 places where they were 4096), the Viterbi path (tag-major steps), the marginals (each step
in place) and the spans, bit for bit, on a slice of the PolNeAR texts (the `polnear_texts` fixture) and on fuzzed
strings and scores. The replaced code is frozen here as it was at f0b630d (`f0b630d_*`)."""
from __future__ import annotations

import random
import re
from itertools import chain

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import kernels
from scorer.text.segment import Sentence, split_article

# --------------------------------------------------------------------------------------------------------------------
# the replaced code, frozen as it was at f0b630d


def f0b630d_tokenise(texts, bases):
    chunks, n_chunks = [], []
    for text in texts:
        found = text.split()
        chunks += found
        n_chunks.append(len(found))
    per_chunk = list(map(T.TOKEN.findall, chunks))  # (T._CHUNKS held these then)
    words = list(chain.from_iterable(per_chunk))
    count_c = np.r_[0, np.cumsum(np.fromiter(map(len, per_chunk), dtype=np.int64, count=len(per_chunk)))]
    chunk_c = np.r_[0, np.cumsum(np.array(n_chunks, dtype=np.int64))]
    lengths = count_c[chunk_c[1:]] - count_c[chunk_c[:-1]]
    if not words:
        return words, np.zeros(0, dtype=np.int64), lengths
    joined = " ".join(texts)
    text_len = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_at = np.r_[0, np.cumsum(text_len + 1)[:-1]]
    nonspace = np.flatnonzero(~T._is_space(np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")))
    word_len = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    at = nonspace[np.cumsum(word_len) - word_len]
    starts = at + np.repeat(np.array(bases, dtype=np.int64) - text_at, lengths)
    return words, starts, lengths


_QUOTE_EVENT = re.compile('[“”"\n]')


def f0b630d_quote_events(article_text):
    positions, states, inside = [], [], False
    for m in _QUOTE_EVENT.finditer(article_text):
        ch = m.group()
        inside = ch == T._OPEN or (ch == '"' and not inside)
        positions.append(m.start())
        states.append(inside)
    return positions, states


def f0b630d_properties(word):
    return ((word == T._OPEN) | (word == T._CLOSE) << 1 | (word == '"') << 2 | (word == ",") << 3
            | word[0].isupper() << 4 | (word.lower() in T._CUE_WORDS) << 5)


def f0b630d_batch_tokens(articles):
    texts: list[str] = []
    bases: list[int] = []
    token_base: list[int] = []  # per sentence: where its article starts in the articles laid end to end
    positions: list[int] = []
    states: list[bool] = []
    offset = 0
    for article_text, sentences in articles:
        found_pos, found_states = f0b630d_quote_events(article_text)
        positions.append(offset - 1)
        states.append(False)
        positions += [offset + p for p in found_pos]
        states += found_states
        for sent in sentences:
            texts.append(sent.text)
            bases.append(sent.start)
        token_base += [offset] * len(sentences)
        offset += len(article_text) + 1
    words, start_a, length_a = f0b630d_tokenise(texts, bases)
    lengths = length_a.tolist()
    n_tok = len(words)
    end_a = start_a + np.fromiter(map(len, words), dtype=np.int64, count=n_tok)
    props = np.fromiter(map(f0b630d_properties, words), dtype=np.int64, count=n_tok)
    k = np.searchsorted(np.array(positions, dtype=np.int64),
                        start_a + np.repeat(np.array(token_base, dtype=np.int64), length_a), side="left")
    state = np.r_[False, np.array(states, dtype=bool)][k]
    first = np.repeat(np.cumsum(length_a) - length_a, length_a)  # index of each token's sentence's first token
    index = np.arange(n_tok) - first
    after = np.repeat(length_a, length_a) - 1 - index
    is_open, is_close, straight = (props & 1) > 0, (props & 2) > 0, (props & 4) > 0
    qm = np.where(is_open | (straight & ~state), 1, np.where(is_close | (straight & state), 2, 0))
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
    upper = (props & 16) > 0
    new_run = upper & ~np.r_[False, upper[:-1] & (sentence[1:] == sentence[:-1])] if n_tok else upper
    run_id = np.cumsum(new_run)
    run_len = np.bincount(run_id[upper], minlength=int(run_id[-1]) + 1 if n_tok else 1)
    cap = np.where(upper, np.minimum(run_len[run_id] if n_tok else run_id, 3), 0)
    cue = (props & 32) > 0
    where = np.arange(n_tok)
    prev_cue = np.r_[-1, np.maximum.accumulate(np.where(cue, where, -1))[:-1]] if n_tok else where
    dist_left = np.where(prev_cue >= first, where - prev_cue, 0)
    next_cue = np.r_[np.minimum.accumulate(np.where(cue, where, n_tok)[::-1])[::-1][1:], n_tok] if n_tok else where
    dist_right = np.where(next_cue <= ends_idx, next_cue - where, 0)
    codes = {"q": state.astype(np.int64), "qm": qm.astype(np.int64),
             "qpos": (mark_after > 0).astype(np.int64) + 2 * (mark_before > 0),
             "cb": np.minimum(comma_before, 2), "ca": np.minimum(comma_after, 2), "cap": cap.astype(np.int64),
             "pos": T._POS_BUCKET[np.minimum(index, len(T._POS_BUCKET) - 1)],
             "rpos": T._RPOS_BUCKET[np.minimum(after, len(T._RPOS_BUCKET) - 1)],
             "dl": T._DIST_BUCKET[np.minimum(dist_left, len(T._DIST_BUCKET) - 1)],
             "dr": T._DIST_BUCKET[np.minimum(dist_right, len(T._DIST_BUCKET) - 1)]}
    return T.Tokens(words, start_a, end_a, lengths, codes)




def f0b630d_emissions(tagger, tokens, chunk=4096):
    n_tok, n_tags = len(tokens.words), tagger.weights.shape[1]
    if not n_tok:
        return np.zeros((0, n_tags))
    rows = tagger._words.rows(tokens.words)
    lengths = np.array(tokens.lengths, dtype=np.int64)
    reach, width = max(T.OFFSETS), len(T.OFFSETS)
    place = np.arange(n_tok) + reach * (np.repeat(np.arange(len(lengths)), lengths) + 1)
    padded = np.zeros(n_tok + reach * (len(lengths) + 1), dtype=np.int64)
    padded[place] = rows
    table = tagger._words.table
    sums = np.empty((len(padded) - 2 * reach, n_tags))
    for a in range(0, len(sums), chunk):
        b = min(a + chunk, len(sums))
        block = np.take(table, padded[a:b + 2 * reach], axis=0)
        part = np.add(tagger.bias, block[0:b - a, 0], out=sums[a:b])
        for k in range(1, width):
            part += block[k:k + b - a, k]
    out = np.take(sums, place - reach, axis=0)
    add = np.empty((n_tok, n_tags))
    for code in tagger._joint_codes(tokens).T:
        out += np.take(tagger.joint, code, axis=0, out=add)
    return out


def f0b630d_viterbi(transitions, emissions, lengths):
    layout = T._TimeMajor(lengths)
    out = np.zeros(len(emissions), dtype=np.int64)
    if not layout.width:
        return out
    em = np.take(emissions, layout.token, axis=0)
    at, live = layout.at, layout.live
    deltas = np.empty_like(em)
    deltas[:live[0]] = em[:live[0]]
    trans = transitions
    best, step = np.empty_like(em[:live[0]]), np.empty_like(em[:live[0]])
    for t in range(1, layout.width):
        a, n = at[t], live[t]
        prev = deltas[at[t - 1]:at[t - 1] + n]
        top, tmp = best[:n], step[:n]
        np.add(prev[:, 0, None], trans[0], out=top)
        for k in range(1, len(trans)):
            np.maximum(top, np.add(prev[:, k, None], trans[k], out=tmp), out=top)
        np.add(top, em[a:a + n], out=deltas[a:a + n])
    tags = np.empty(len(em), dtype=np.int64)
    current = np.zeros(live[0], dtype=np.int64)
    for t in range(layout.width - 1, -1, -1):
        a, n = at[t], live[t]
        ending = live[t + 1] if t + 1 < layout.width else 0
        if ending < n:
            current[ending:n] = deltas[a + ending:a + n].argmax(axis=1)
        tags[a:a + n] = current[:n]
        if t:
            b = at[t - 1]
            current[:n] = (deltas[b:b + n] + transitions[:, current[:n]].T).argmax(axis=1)
    out[layout.token] = tags
    return out


def f0b630d_marginals(transitions, emissions, lengths):
    trans = np.exp(transitions - transitions.max())
    every = max(1, int(300 // max(1.0, -2 * np.log(max(trans.min(), 1e-300)))))
    layout = T._TimeMajor(lengths)
    out = np.zeros(emissions.shape)
    if not layout.width:
        return out
    pad = np.take(emissions, layout.token, axis=0)
    e = np.exp(pad - pad.max(axis=1, keepdims=True))
    alpha = np.empty_like(e)
    beta = np.ones_like(e)
    at, live = layout.at, layout.live
    alpha[:live[0]] = e[:live[0]]
    for t in range(1, layout.width):
        a, n, p = at[t], live[t], at[t - 1]
        step = (alpha[p:p + n] @ trans) * e[a:a + n]
        alpha[a:a + n] = step / step.sum(axis=1, keepdims=True) if t % every == 0 else step
    for t in range(layout.width - 2, -1, -1):
        a, n, q = at[t], live[t + 1], at[t + 1]
        step = (e[q:q + n] * beta[q:q + n]) @ trans.T
        beta[a:a + n] = step / step.sum(axis=1, keepdims=True) if t % every == 0 else step
    m = alpha * beta
    out[layout.token] = m / np.maximum(m.sum(axis=1, keepdims=True), 1e-300)
    return out


def f0b630d_spans(tagger, articles):
    """`spans_many` with the frozen parts (the rest of the tagger is as it was at f0b630d)."""
    tokens = f0b630d_batch_tokens(articles)
    emissions = f0b630d_emissions(tagger, tokens)
    tags = f0b630d_viterbi(tagger.transitions, emissions, tokens.lengths)
    first, end = T._source_runs(tags, tokens.lengths)
    if len(first):
        lengths_a = np.array(tokens.lengths, dtype=np.int64)
        sentence = np.repeat(np.arange(len(lengths_a)), lengths_a)
        chosen_mask = np.zeros(len(lengths_a), dtype=bool)
        chosen_mask[sentence[first]] = True
        rows = np.flatnonzero(chosen_mask[sentence])
        probs = np.zeros(len(tags))
        probs[rows] = f0b630d_marginals(tagger.transitions, emissions[rows],
                                        lengths_a[np.flatnonzero(chosen_mask)].tolist())[:, T._SOURCE_TAGS].sum(axis=1)
        sums = np.r_[0.0, np.cumsum(probs)]
        tags = T.drop_unsure_sources(tags, first, end, (sums[end] - sums[first]) / (end - first),
                                     tagger.source_threshold, tokens.lengths)
    spans = T.tag_spans(tokens, tags)
    out, k = [], 0
    for _, sentences in articles:
        out.append(spans[k:k + len(sentences)])
        k += len(sentences)
    return out


# --------------------------------------------------------------------------------------------------------------------
# inputs


@pytest.fixture(scope="module")
def shipped_tagger():
    from scorer.model.store import load_bundle

    return load_bundle()["spans"]


@pytest.fixture(scope="module")
def articles(polnear_texts):
    """(text, sentences) of every third of the `polnear_texts` (dev and train; a slice keeps the test fast)."""
    return [(t, split_article(t)[0]) for t in polnear_texts[::3]]


_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_PIECES = ("said", "U.S.", "e.g.", "Mr.", "don’t", "30-year-old", "a&b", "x_y", "’", "'", "-", "“", "”", '"', ",",
           ".", "A.b.C.", "é", "ǅ", "٣", "x\u0301", "\u0301", "\ud800", "\U0001F600", "ß", "İ", "a-", "A.B", "")


def random_text(rng: random.Random, n: int) -> str:
    parts = []
    while sum(map(len, parts)) < n:
        r = rng.random()
        if r < 0.45:
            parts.append(rng.choice(_PIECES))
        elif r < 0.7:
            parts.append(rng.choice(_SPACES) * rng.randrange(1, 3))
        else:
            parts.append(chr(rng.randrange(0x21, 0x110000)))
    return "".join(parts)


def fuzzed_articles(seed: int, n: int) -> list:
    """Articles of fuzzed text cut into "sentences" anywhere (white space at the ends, empty ones, all space)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = random_text(rng, rng.randrange(0, 300))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randrange(0, 10))))
        out.append((text, [Sentence(a, b, text[a:b]) for a, b in zip(cuts[::2], cuts[1::2])]))
    return out


@pytest.fixture(autouse=True)
def pure_python(monkeypatch):
    """The pure-Python paths (the kernels have their own parity tests in tests/kernels)."""
    monkeypatch.setattr(kernels, "ACTIVE", False)


# --------------------------------------------------------------------------------------------------------------------
# the checks


def check_tokenise(texts, bases):
    new, old = T._tokenise(texts, bases), f0b630d_tokenise(texts, bases)
    assert new[0] == old[0]
    for a, b in zip(new[1:], old[1:]):
        assert a.dtype == b.dtype == np.int64 and np.array_equal(a, b)


def test_tokenise_same_on_polnear(articles):
    for b in range(0, len(articles), 8):
        sents = [s for _, ss in articles[b:b + 8] for s in ss]
        check_tokenise([s.text for s in sents], [s.start for s in sents])


@pytest.mark.parametrize("seed", range(3))
def test_tokenise_same_on_fuzzed_text(seed):
    rng = random.Random(seed)
    texts = [random_text(rng, rng.randrange(0, 120)) for _ in range(60)]
    texts += ["", " ", "\u3000\n", "a", "\ud800", "U.S.A.", "  a  b  ", ""]
    rng.shuffle(texts)
    bases = [rng.randrange(0, 10 ** 6) for _ in texts]
    check_tokenise(texts, bases)
    check_tokenise(texts[:1], bases[:1])
    check_tokenise(["", "  "], [3, 4])
    check_tokenise([], [])


def same_tokens(new, old):
    assert new.words == old.words and new.lengths == old.lengths
    for a, b in [(new.starts, old.starts), (new.ends, old.ends)] + [(new.codes[g], old.codes[g]) for g in T.GROUPS]:
        assert a.dtype == b.dtype == np.int64 and np.array_equal(a, b)
    assert list(new.codes) == list(old.codes)


@pytest.mark.parametrize("seed", range(3))
def test_quote_events_same_on_fuzzed_text(seed):
    """Quote marks of every kind, line breaks and other text in every arrangement (runs of straight quotes after
    an opening, a closing and a line break, none at all)."""
    rng = random.Random(seed)
    for _ in range(200):
        text = "".join(rng.choice(('"', "“", "”", "\n", "a", " ", "\u201e", "\ud800", "é"))
                       for _ in range(rng.randrange(0, 40)))
        positions, states = T._quote_events(text)
        old_positions, old_states = f0b630d_quote_events(text)
        assert positions.tolist() == old_positions and states.tolist() == old_states, text


def test_quote_events_same_on_polnear(articles):
    for text, _ in articles:
        positions, states = T._quote_events(text)
        assert (positions.tolist(), states.tolist()) == f0b630d_quote_events(text)


def check_tagger(tagger, articles, chunks=(1, 5, 64)):
    tokens = T.batch_tokens(articles)
    same_tokens(tokens, f0b630d_batch_tokens(articles))
    spans = tagger.spans_many(articles)
    assert spans == f0b630d_spans(tagger, articles)
    assert all(type(x) is int for a in spans for s in a for v in s.values() for span in v for x in span)
    emissions = tagger.emissions(tokens)
    assert np.array_equal(emissions, f0b630d_emissions(tagger, tokens), equal_nan=True)
    for chunk in chunks:  # any chunk gives the same sums (their order per token is the same)
        assert np.array_equal(tagger.emissions(tokens, chunk), emissions, equal_nan=True)
    tags = tagger.viterbi(emissions, tokens.lengths)
    assert np.array_equal(tags, f0b630d_viterbi(tagger.transitions, emissions, tokens.lengths))
    assert np.array_equal(tagger.marginals(emissions, tokens.lengths),
                          f0b630d_marginals(tagger.transitions, emissions, tokens.lengths), equal_nan=True)
    return tokens, tags


def test_tagger_same_on_polnear(shipped_tagger, articles):
    for b in range(0, len(articles), 8):
        check_tagger(shipped_tagger, articles[b:b + 8], chunks=(5, 64) if b == 0 else ())


@pytest.mark.parametrize("seed", range(2))
def test_tagger_same_on_fuzzed_articles(shipped_tagger, seed):
    articles = fuzzed_articles(seed, 40)
    check_tagger(shipped_tagger, articles)
    check_tagger(shipped_tagger, [])
    check_tagger(shipped_tagger, [("a b", [Sentence(0, 3, "a b")]), ("", [])])


def test_viterbi_and_marginals_same_on_random_scores():
    """Scores and transitions with frequent ties (small integers) and not, sentences of every length (none, one
    token, one much longer than the others), and infinite and NaN scores."""
    rng = np.random.default_rng(12)
    tagger = T.SpanTagger(["b"], np.zeros((1, 7)), np.zeros((7, 7)))
    for trial in range(150):
        lengths = rng.integers(0, 12, size=int(rng.integers(0, 25))).tolist()
        if trial % 5 == 0:
            lengths.insert(int(rng.integers(0, len(lengths) + 1)), int(rng.integers(30, 90)))
        n_tok = sum(lengths)
        em = rng.integers(-3, 3, size=(n_tok, 7)).astype(float) if trial % 2 else 3 * rng.normal(size=(n_tok, 7))
        tagger.transitions = rng.integers(-2, 2, size=(7, 7)).astype(float) if trial % 3 == 0 else \
            rng.normal(size=(7, 7))
        if trial % 7 == 0 and n_tok:
            em[rng.integers(0, n_tok, size=3), rng.integers(0, 7, size=3)] = rng.choice([np.inf, -np.inf, np.nan])
        assert np.array_equal(tagger.viterbi(em, lengths), f0b630d_viterbi(tagger.transitions, em, lengths)), trial
        if trial % 7:  # (no infinite scores: forward-backward gives NaN for them, old and new)
            assert np.array_equal(tagger.marginals(em, lengths), f0b630d_marginals(tagger.transitions, em, lengths)), \
                trial
