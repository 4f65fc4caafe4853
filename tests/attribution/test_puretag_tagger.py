"""Session 16 (puretag, issue #21): the span tagger's pure-Python twins, faster with the same results. Held to main's
(e3b38cc) code, frozen below: the token codes (`_token_codes`: two packed running sums instead of five scans) on
random property bits, sentence lengths (empty sentences too) and quote states; Viterbi (token-major, the transitions
tiled) on scores with ties, infinities and NaNs, for any block size; the chunk cache's (word, properties) entries.
The emissions and the whole tagging are held bit for bit to older frozen code by test_tagger_speed_same.py."""
from __future__ import annotations

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import kernels


@pytest.fixture
def python_path(monkeypatch):
    monkeypatch.setattr(kernels, "ACTIVE", False)


def _codes_main(props: np.ndarray, length_a: np.ndarray, state: np.ndarray) -> dict[str, np.ndarray]:
    """The codes as `batch_tokens` computed them at e3b38cc (frozen)."""
    n_tok = len(props)
    first = np.repeat(np.cumsum(length_a) - length_a, length_a)
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
    return {"q": state.astype(np.int64), "qm": qm.astype(np.int64),
            "qpos": (mark_after > 0).astype(np.int64) + 2 * (mark_before > 0),
            "cb": np.minimum(comma_before, 2), "ca": np.minimum(comma_after, 2), "cap": cap.astype(np.int64),
            "pos": T._POS_BUCKET[np.minimum(index, len(T._POS_BUCKET) - 1)],
            "rpos": T._RPOS_BUCKET[np.minimum(after, len(T._RPOS_BUCKET) - 1)],
            "dl": T._DIST_BUCKET[np.minimum(dist_left, len(T._DIST_BUCKET) - 1)],
            "dr": T._DIST_BUCKET[np.minimum(dist_right, len(T._DIST_BUCKET) - 1)]}


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def test_token_codes_same_as_main():
    rng = np.random.default_rng(16)
    words = ["“", "”", '"', ",", "said", "Said", "The", "the", "U.S.", "x", "According", "told", ".", "Ann"]
    bits = np.array([T._word_properties(w) for w in words], dtype=np.int64)
    for trial in range(400):
        lengths = rng.integers(0, 14 if trial % 3 else 3, size=int(rng.integers(0, 30))).tolist()
        if trial % 7 == 0:
            lengths.append(int(rng.integers(40, 120)))  # one long sentence among short ones
        length_a = np.array(lengths, dtype=np.int64)
        n_tok = int(length_a.sum())
        # runs of one word (capitalised runs, quote marks and reporting words side by side) in half the trials
        pick = rng.integers(0, len(words), size=n_tok)
        if trial % 2:
            pick = np.repeat(pick, 3)[:n_tok]
        props = bits[pick]
        state = rng.random(n_tok) < 0.3
        got, want = T._token_codes(props, length_a, state), _codes_main(props, length_a, state)
        assert list(got) == list(want) == list(T.GROUPS)
        for g in T.GROUPS:
            assert _same(got[g], want[g]), (trial, g)


def test_token_codes_of_real_sentences_same_as_main(polnear_texts):
    from scorer.text.segment import split_article

    articles = [(text, split_article(text)[0]) for text in polnear_texts[:40:4]]
    tokens = T.batch_tokens(articles)
    state = tokens.codes["q"] > 0
    words, _, length_a, props = T._tokens([s.text for _, ss in articles for s in ss],
                                          [s.start for _, ss in articles for s in ss])
    assert words == tokens.words
    want = _codes_main(props, length_a, state)
    for g in T.GROUPS:
        assert _same(tokens.codes[g], want[g]), g
    assert want["cap"].max() == 3 and want["dl"].max() == 5 and want["qpos"].max() == 3


def _viterbi_main(transitions: np.ndarray, emissions: np.ndarray, lengths: list[int], block: int) -> np.ndarray:
    """`SpanTagger.viterbi`'s pure path at e3b38cc (tag-major, broadcast sums; frozen)."""
    emissions = np.asarray(emissions)
    layout = T._TimeMajor(lengths)
    out = np.zeros(len(emissions), dtype=np.int64)
    if not layout.width:
        return out
    em = np.empty((emissions.shape[1], len(layout.token)), dtype=emissions.dtype)
    for k, column in enumerate(emissions.T):
        np.take(column, layout.token, out=em[k], mode="clip")
    at, live = layout.at, layout.live
    trans = transitions
    deltas = np.empty_like(em)
    deltas[:, :live[0]] = em[:, :live[0]]
    column = trans[:, :, None]
    block = min(live[0], block)
    sums, best = np.empty(trans.shape + (block,)), np.empty((len(trans), block))
    for t in range(1, layout.width):
        a, n, p = at[t], live[t], at[t - 1]
        for i in range(0, n, block):
            m = min(block, n - i)
            step = np.add(deltas[:, None, p + i:p + i + m], column, out=sums[:, :, :m])
            np.add(np.maximum.reduce(step, axis=0, out=best[:, :m]), em[:, a + i:a + i + m],
                   out=deltas[:, a + i:a + i + m])
    tags = np.empty(em.shape[1], dtype=np.int64)
    current = np.zeros(live[0], dtype=np.int64)
    for t in range(layout.width - 1, -1, -1):
        a, n = at[t], live[t]
        ending = live[t + 1] if t + 1 < layout.width else 0
        if ending < n:
            current[ending:n] = deltas[:, a + ending:a + n].argmax(axis=0)
        tags[a:a + n] = current[:n]
        if t:
            p = at[t - 1]
            current[:n] = (deltas[:, p:p + n] + trans[:, current[:n]]).argmax(axis=0)
    out[layout.token] = tags
    return out


def test_viterbi_same_as_main_with_ties_and_non_finite_scores(python_path, monkeypatch):
    rng = np.random.default_rng(21)
    tagger = T.SpanTagger(["b"], np.zeros((1, 7)), np.zeros((7, 7)))
    for trial in range(120):
        lengths = rng.integers(0, 10, size=int(rng.integers(0, 40))).tolist()
        if trial % 4 == 0:
            lengths.insert(int(rng.integers(0, len(lengths) + 1)), int(rng.integers(20, 70)))
        n_tok = sum(lengths)
        em = rng.integers(-2, 3, size=(n_tok, 7)).astype(float) if trial % 2 else 2 * rng.normal(size=(n_tok, 7))
        trans = rng.integers(-1, 2, size=(7, 7)).astype(float) if trial % 3 else rng.normal(size=(7, 7))
        if trial % 5 == 1 and n_tok:  # infinities and NaNs in the scores (a model's weights summed past the range)
            cells = rng.integers(0, n_tok * 7, size=int(rng.integers(1, 6)))
            em.flat[cells] = rng.choice([np.inf, -np.inf, np.nan], size=len(cells))
        if trial % 10 == 3:
            trans[rng.integers(0, 7), rng.integers(0, 7)] = rng.choice([np.inf, -np.inf, np.nan])
        tagger.transitions = trans
        block = int(rng.choice([1, 2, 5, 1024]))
        monkeypatch.setattr(T, "_VITERBI_BLOCK", block)
        with np.errstate(invalid="ignore"):
            assert _same(tagger.viterbi(em, lengths), _viterbi_main(trans, em, lengths, block)), trial
    assert _same(tagger.viterbi(np.zeros((0, 7)), []), np.zeros(0, dtype=np.int64))
    assert _same(tagger.viterbi(np.zeros((0, 7)), [0, 0]), np.zeros(0, dtype=np.int64))


def test_viterbi_of_a_list_and_of_float32_scores_as_main(python_path):
    rng = np.random.default_rng(3)
    trans = rng.normal(size=(7, 7))
    tagger = T.SpanTagger(["b"], np.zeros((1, 7)), trans)
    em = rng.normal(size=(9, 7))
    for given in (em.tolist(), em.astype(np.float32), np.asfortranarray(em)):
        assert _same(tagger.viterbi(given, [4, 0, 5]), _viterbi_main(trans, given, [4, 0, 5], 1024))


def test_chunk_entries_hold_each_word_and_its_properties():
    T._CHUNKS.clear()
    for chunk in ["U.S.-led", "“Yes,”", "said.", "x", "don’t", '"', "٣٤", "e\u0301t\u00e9"]:
        entry = T._CHUNKS[chunk]
        words = T.TOKEN.findall(chunk)
        assert list(entry[::2]) == words and list(entry[1::2]) == [T._word_properties(w) for w in words]
        assert T._CHUNKS[chunk] is entry
    words, starts, lengths, props = T._tokens(["“Yes,” he said.", "", "U.S. officials"], [0, 30, 40])
    assert words == ["“", "Yes", ",", "”", "he", "said", ".", "U.S.", "officials"]
    assert props.tolist() == [T._word_properties(w) for w in words]
    assert starts.tolist() == [0, 1, 4, 5, 7, 10, 14, 40, 45] and lengths.tolist() == [7, 0, 2]
