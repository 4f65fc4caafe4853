"""The span tagger's compiled path of session 13 (`# ---- tagk (session 13) ----` in _scorer_kernels.pyx and
`SpanTagger._spans_compiled`) against its pure-Python twins: the same tokens, word rows, quote states, emissions bit
for bit, tags and spans, on the PolNeAR texts and on fuzzed text with random weights; the new kernels' entry points
refuse arguments that do not fit; and the word table built per feature kind (`_WordCache._add`) is the table the
feature names gave, bit for bit (that one runs without the kernels too). The kernel tests skip without the compiled
kernels, except under SCORER_REQUIRE_KERNELS=1.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import kernels
from scorer.text.segment import Sentence, split_article
from scorer.text.vocab import Vocabulary, lookup_many

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py


@pytest.fixture
def compiled(monkeypatch):
    """The dispatch pointed at the compiled module, active (even under SCORER_KERNELS=0); skipped when not built."""
    module = compiled_module()
    monkeypatch.setattr(kernels, "compiled", module)
    monkeypatch.setattr(kernels, "ACTIVE", True)
    return module


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def twin_spans(tagger, articles, monkeypatch, active: bool):
    """The spans as the tagger made them before its compiled path: `batch_tokens`, `tag`, `tag_spans` (with the
    older kernels when `active`, else in pure Python)."""
    monkeypatch.setattr(kernels, "ACTIVE", active)
    try:
        tokens = T.batch_tokens(articles)
        return T.tag_spans(tokens, tagger.tag(tokens, tagger.source_threshold))
    finally:
        monkeypatch.setattr(kernels, "ACTIVE", True)


@pytest.fixture(scope="module")
def shipped_tagger():
    from scorer.model.store import load_bundle

    return load_bundle()["spans"]


@pytest.fixture(scope="module")
def polnear_articles(polnear_texts):
    return [(t, split_article(t)[0]) for t in polnear_texts]


def test_compiled_spans_same_as_twins_on_polnear(compiled, polnear_articles, shipped_tagger, monkeypatch):
    sources = 0
    for b in range(0, len(polnear_articles), 8):
        batch = polnear_articles[b:b + 8]
        fast = [x for article in shipped_tagger.spans_many(batch) for x in article]
        assert fast == twin_spans(shipped_tagger, batch, monkeypatch, True)
        assert fast == twin_spans(shipped_tagger, batch, monkeypatch, False)
        sources += sum(len(s["SOURCE"]) for s in fast)
    assert sources > 1000


def test_compiled_emissions_same_as_twins_on_polnear(compiled, polnear_articles, shipped_tagger, monkeypatch):
    tagger = shipped_tagger
    for b in range(0, len(polnear_articles), 40):
        batch = polnear_articles[b:b + 40]
        texts = [s.text for _, ss in batch for s in ss]
        bases = [s.start for _, ss in batch for s in ss]
        starts, ends, lengths, rows = tagger._words.tokens_compiled(texts, bases)
        state = kernels.tagger_quote_states([t for t, _ in batch], [len(ss) for _, ss in batch], lengths, starts)
        fast = kernels.tagger_scores(rows, lengths, state, tagger._words.props, T._BUCKETS, T._GROUP_SIZES,
                                     T._JOINT_GROUPS, tagger.joint_base, tagger._words.table, tagger.bias, tagger.joint)
        monkeypatch.setattr(kernels, "ACTIVE", False)
        tokens = T.batch_tokens(batch)
        slow = tagger.emissions(tokens)
        monkeypatch.setattr(kernels, "ACTIVE", True)
        assert same(fast, slow)
        assert same(starts, tokens.starts) and same(ends, tokens.ends) and lengths.tolist() == tokens.lengths
        assert same(state, tokens.codes["q"])


# --------------------------------------------------------------------------------------------------------------------
# fuzzed text

_SPACES = " \t\n\u00a0\u2028\u3000"
_PIECES = ("said", "Said", "SAID", "according", "U.S.", "e.g.", "Mr.", "don’t", "30-year-old", "a&b", "x_y", "’",
           "'", "-", "“", "”", '"', ",", ".", "A.b.C.", "é", "ǅ", "٣", "½", "x\u0301", "\u0301", "\ud800",
           "\U0001F600", "ß", "İ", "Officials", "the", "he", "Trump", "CNN", "«", "»", "‘")


def _random_text(rng: random.Random, n: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < n:
        r = rng.random()
        if r < 0.55:
            parts.append(rng.choice(_PIECES))
        elif r < 0.8:
            parts.append(rng.choice(_SPACES))
        elif r < 0.92:
            parts.append(chr(rng.randrange(0x21, 0x250)))
        else:
            parts.append(chr(rng.randrange(0x250, 0x110000)))
    return "".join(parts)


def _random_articles(rng: random.Random, n_articles: int):
    articles = []
    for _ in range(n_articles):
        text = _random_text(rng, rng.choice((0, 1, 40, 300, 2000)))
        cuts = sorted(rng.choices(range(len(text) + 1), k=2 * rng.randrange(0, 12)))
        sentences = [Sentence(a, b, text[a:b]) for a, b in zip(cuts[::2], cuts[1::2])]
        if rng.random() < 0.3:
            sentences.append(Sentence(0, 0, ""))
        articles.append((text, sentences))
    return articles


def _random_tagger(seed: int, articles):
    names = sorted({a for sent in T.crf_items(T.batch_tokens(articles)) for attrs in sent for a in attrs})
    nrng = np.random.default_rng(seed)
    names = [n for n in names if nrng.random() < 0.8]
    shape = (len(names), len(T.TAGS))
    weights = nrng.integers(-2, 3, size=shape).astype(float) if seed % 2 else nrng.normal(size=shape) * 3
    return T.SpanTagger(names, weights, nrng.normal(size=(7, 7)), source_threshold=(0.5, None, 0.2, 0.9)[seed % 4])


@pytest.mark.parametrize("seed", range(6))
def test_compiled_spans_same_on_fuzzed_articles_with_random_weights(compiled, seed, monkeypatch):
    """Every kind of quote, letters and digits of any script, combining marks, lone surrogates, long and empty
    sentences and articles, random weights (small integers half the time: many ties), a word cache that fills up."""
    rng = random.Random(seed)
    articles = _random_articles(rng, 6)
    tagger = _random_tagger(seed, articles)
    tagger._words.limit = 60  # emptied and refilled between and within calls
    for _ in range(2):
        fast = [x for article in tagger.spans_many(articles) for x in article]
        assert fast == twin_spans(tagger, articles, monkeypatch, True)
        monkeypatch.setattr(kernels, "ACTIVE", False)
        tokens = T.batch_tokens(articles)
        slow = tagger.emissions(tokens)
        monkeypatch.setattr(kernels, "ACTIVE", True)
        texts = [s.text for _, ss in articles for s in ss]
        starts, _, lengths, rows = tagger._words.tokens_compiled(texts, [s.start for _, ss in articles for s in ss])
        state = kernels.tagger_quote_states([t for t, _ in articles], [len(ss) for _, ss in articles], lengths, starts)
        assert same(state, tokens.codes["q"])
        assert same(kernels.tagger_scores(rows, lengths, state, tagger._words.props, T._BUCKETS, T._GROUP_SIZES,
                                          T._JOINT_GROUPS, tagger.joint_base, tagger._words.table, tagger.bias,
                                          tagger.joint), slow)


@pytest.mark.parametrize("seed", range(4))
def test_lookup_and_quote_states_same_on_fuzzed_text(compiled, seed):
    rng = random.Random(seed)
    articles = _random_articles(rng, 8)
    texts = [s.text for _, ss in articles for s in ss]
    bases = [s.start for _, ss in articles for s in ss]
    words, starts, lengths = T._tokenise(texts, bases)
    rows_of = {w: i for i, w in enumerate(sorted(set(words))) if rng.random() < 0.7}
    table = compiled.WordRows()
    for word, row in rows_of.items():
        table.add(word, row)
    f_starts, f_ends, f_lengths, f_rows, missed, missed_at = kernels.tagger_lookup(texts, bases, table)
    assert same(f_starts, starts) and same(f_lengths, lengths)
    assert f_ends.tolist() == [s + len(w) for s, w in zip(starts.tolist(), words)]
    assert f_rows.tolist() == [rows_of.get(w, -1) for w in words]
    assert missed == [w for w in words if w not in rows_of]
    assert missed_at == [i for i, w in enumerate(words) if w not in rows_of]
    fast = kernels.tagger_quote_states([t for t, _ in articles], [len(ss) for _, ss in articles], f_lengths, f_starts)
    assert same(fast, T._token_quote_states(articles, starts, lengths).astype(np.int64))
    # a sentence whose offset lies outside its article: the twin's answer is kept (the kernel says None)
    text = "“a” b"
    outside = [(text, [Sentence(4, 5, "b"), Sentence(10, 11, "c")]), ("x", [Sentence(0, 1, "x")])]
    o_starts, _, o_lengths, *_ = kernels.tagger_lookup(["b", "c", "x"], [4, 10, 0], compiled.WordRows())
    assert kernels.tagger_quote_states([text, "x"], [2, 1], o_lengths, o_starts) is None
    tagger = _random_tagger(seed, outside)
    assert tagger.spans_many(outside) == [tagger.spans_many(outside[:1])[0], tagger.spans_many(outside[1:])[0]]


def test_word_rows_are_a_dict_of_words_by_code_points(compiled):
    """Words of every kind (empty, one character, surrogates, astral, equal prefixes, the same code points in strs of
    different kinds), many of them (the table grows and rehashes), replaced rows, emptied."""
    rng = random.Random(2)
    words = sorted({_random_text(rng, rng.randrange(0, 9)) for _ in range(5000)} | {"", "a", "ab", "\ud800", "é",
                                                                                    "\U0001F600", "ÿ", "ā"})
    table, expected = compiled.WordRows(), {}
    for i, word in enumerate(words):
        table.add(word, i)
        expected[word] = i
    table.add(words[3], 7)
    expected[words[3]] = 7
    assert len(table) == len(expected)
    assert all(table.get(w) == r for w, r in expected.items())
    assert table.get("\x00") is None and table.get("never seen") is None and table.get("ab" * 500) is None
    # found in a text by code points, whatever the text's kind
    texts = ["a é ÿ", "a ā \U0001F600 ab", "\ud800 a"]
    _, _, _, rows, missed, _ = kernels.tagger_lookup(texts, [0, 0, 0], table)
    assert rows.tolist() == [expected.get(w, -1) for t in texts for w in T.TOKEN.findall(t)]
    assert missed == [w for t in texts for w in T.TOKEN.findall(t) if w not in expected]
    table.clear()
    assert len(table) == 0 and table.get("a") is None
    table.add_many(words, 5)
    assert len(table) == len(words) and all(table.get(w) == 5 + k for k, w in enumerate(words))
    with pytest.raises(TypeError, match="add_many"):
        table.add_many(["a", b"b"], 0)


def test_decode_same_as_tag_on_random_emissions(compiled, monkeypatch):
    """Viterbi, the Source confidences and the drop of unsure sources in one kernel: the tags `tag` gives with the
    kernels of session 12 (viterbi, tagger_marginals), for any emissions, lengths and thresholds (ties included)."""
    rng = np.random.default_rng(3)
    for trial in range(150):
        lengths = rng.integers(0, 14, size=int(rng.integers(0, 10)))
        n_tok = int(lengths.sum())
        if trial % 3 == 0:
            emissions = rng.integers(-2, 3, size=(n_tok, 7)).astype(float)
        else:
            emissions = rng.normal(size=(n_tok, 7)) * 10.0 ** int(rng.integers(-1, 3))
        transitions = rng.normal(size=(7, 7)) * (3 if trial % 2 else 0.3)
        threshold = (None, 0.0, 0.3, 0.5, 0.9, 1.0)[trial % 6]
        tagger = T.SpanTagger(["b"], np.zeros((1, 7)), transitions, source_threshold=threshold)
        tokens = T.Tokens(["w"] * n_tok, None, None, lengths.tolist(), None)
        tagger.emissions = lambda tokens, chunk=512, given=emissions: given
        expected = tagger.tag(tokens, threshold)
        fast = kernels.tagger_decode(emissions, lengths, transitions, *tagger._scaled_transitions(), T._SOURCE_TAGS,
                                     threshold)
        assert same(fast, expected), trial


def test_spans_kernel_same_as_tag_spans_on_random_tags(compiled):
    rng = np.random.default_rng(5)
    for trial in range(200):
        lengths = rng.integers(0, 10, size=int(rng.integers(0, 8)))
        n_tok = int(lengths.sum())
        tags = rng.integers(0, len(T.TAGS), size=n_tok)
        starts = np.sort(rng.integers(0, 1000, size=n_tok))
        ends = starts + rng.integers(1, 9, size=n_tok)
        tokens = T.Tokens(["w"] * n_tok, starts, ends, lengths.tolist(), None)
        assert kernels.tagger_spans(tags, lengths, starts, ends, T._ROLE_OF_TAG, T._BEGIN_TAG, T.ROLES) \
            == T.tag_spans(tokens, tags), trial


# --------------------------------------------------------------------------------------------------------------------
# the word table (no kernels needed)

def _reference_table(index, weights: np.ndarray, words: list[str]) -> np.ndarray:
    """The rows of the words (sorted) as `_WordCache._add` summed them from the feature names before session 13."""
    width = len(T.OFFSETS)
    table = np.zeros((len(words) + 1, width, weights.shape[1]))
    cells, names = [], []
    for r, word in enumerate(sorted(words), 1):
        for k, (off, feats) in enumerate(sorted(T.word_features(word).items())):
            for f in feats:
                cells.append(r * width + k)
                names.append(T.feature_name(off, f))
    found = lookup_many(index, names)
    known = found >= 0
    flat = table.reshape(-1, weights.shape[1])
    if known.any():
        cells_a = np.array(cells, dtype=np.int64)[known]
        starts = np.flatnonzero(np.r_[True, cells_a[1:] != cells_a[:-1]])
        flat[cells_a[starts]] = np.add.reduceat(weights[found[known]], starts, axis=0)
    return table[1:]


def test_word_table_same_as_from_feature_names(shipped_tagger, polnear_texts):
    """The shipped model's table for the words of a few dev articles and fuzzed words (every word list, unknown
    shapes and suffixes, non-ASCII), added in one go and in pieces: the reference's sums bit for bit (-0.0 too)."""
    rng = random.Random(7)
    dev = [w for text in polnear_texts[:6] for w in T.TOKEN.findall(text)]
    words = sorted(set(dev) | {_random_text(rng, rng.randrange(1, 12)).replace(" ", "") or "x" for _ in range(400)}
                   | {w for _, members in T._LISTS for w in list(members)[:3]}
                   | {w.upper() for _, members in T._LISTS for w in list(members)[:2]})
    words = [w for w in words if w and not any(c.isspace() for c in w)]
    index, weights = shipped_tagger.features, shipped_tagger.weights
    expected = _reference_table(index, weights, words)
    for step in (len(words), 97):
        cache = T._WordCache(index, weights)
        for a in range(0, len(words), step):
            cache._add(set(words[a:a + step]))
        got = cache.table[[cache[w] for w in sorted(words)]]
        assert got.tobytes() == expected.tobytes(), step
        assert cache.props[[cache[w] for w in words]].tolist() == [T._word_properties(w) for w in words]


def test_word_table_same_with_random_weights_and_vocabulary():
    rng = np.random.default_rng(11)
    words = ["said", "Said", "the", "U.S.", "“", "x\u0301", "anonymous", "officials", "CNN", "2016", "zz", "é", "”"]
    names = sorted({T.feature_name(off, f) for w in words for off, fs in T.word_features(w).items() for f in fs})
    names = [n for n in names if rng.random() < 0.7] + ["-1:w=<s>", "1:w=</s>"]
    weights = rng.normal(size=(len(names), 7)) * 10.0 ** rng.integers(-3, 4, size=(len(names), 1))
    weights[rng.random(size=weights.shape) < 0.1] = -0.0
    for index in (Vocabulary.from_terms(names), {n: i for i, n in enumerate(names)}):
        cache = T._WordCache(index, weights)
        cache._add(set(words))
        assert cache.table[[cache[w] for w in sorted(words)]].tobytes() \
            == _reference_table(index, weights, words).tobytes()


def test_compiled_word_rows_restart_when_full_as_rows_does(compiled):
    tagger = T.SpanTagger(["w=a", "b"], np.ones((2, 7)), np.zeros((7, 7)))
    cache = tagger._words
    cache.limit = 5
    _, _, _, rows = cache.tokens_compiled(["a b c"], [0])
    assert len(cache) == 3 and rows.tolist() == [cache["a"], cache["b"], cache["c"]]
    _, _, lengths, rows = cache.tokens_compiled(["a d e", "f"], [0, 9])  # would pass the limit: emptied, all four
    assert len(cache) == 4 and lengths.tolist() == [3, 1]
    assert rows.tolist() == [cache[w] for w in ("a", "d", "e", "f")]
    assert same(cache.table[rows], T._WordCache(tagger.features, tagger.weights).lookup(["a", "d", "e", "f"]))


# --------------------------------------------------------------------------------------------------------------------
# arguments

def _scores_args(**change):
    args = {"rows": [0, 1, 2], "lengths": [2, 1], "state": [0, 1, 0], "props_of_row": np.zeros(3, dtype=np.int64),
            "buckets": T._BUCKETS, "group_sizes": T._GROUP_SIZES, "joint_groups": T._JOINT_GROUPS,
            "joint_base": np.array([0, 24, 132, 162]), "table": np.zeros((3, 7, 7)), "bias": np.zeros(7),
            "joint": np.zeros((198, 7))}
    args.update(change)
    return args


@pytest.mark.parametrize("change", [
    {"rows": [0, 1, 3]}, {"rows": [0, -1, 2]}, {"props_of_row": np.zeros(2, dtype=np.int64)},
    {"lengths": [2, 50_000_000]}, {"lengths": [1, 1]}, {"lengths": [4, -1]}, {"state": [0, 2, 0]},
    {"state": [0, 1]}, {"joint": np.zeros((197, 7))}, {"joint_base": np.array([0, 24, 132, 163])},
    {"joint_base": np.array([-1, 24, 132, 162])}, {"group_sizes": np.array([2, 3, 4, 3, 3, 3, 6, 5, 6, 6])},
    {"group_sizes": np.array([2, 3, 4, 3, 3, 4, 6, 5, 6])}, {"buckets": (T._POS_BUCKET, T._RPOS_BUCKET + 10,
                                                                         T._DIST_BUCKET)},
    {"buckets": (T._POS_BUCKET, np.zeros(0, dtype=np.int64), T._DIST_BUCKET)},
    {"joint_groups": np.array([[0, 1, 2], [3, 4, 5], [6, 7, -1], [8, 10, -1]])},
    {"joint_groups": np.array([[-1, 1, 2], [3, 4, 5], [6, 7, -1], [8, 9, -1]])},
    {"table": np.zeros((3, 6, 7))}, {"bias": np.zeros(6)},
])
def test_scores_kernel_refuses_arguments_that_do_not_fit(compiled, change):
    with pytest.raises(ValueError, match="tagger_scores"):
        kernels.tagger_scores(**_scores_args(**change))
    assert kernels.tagger_scores(**_scores_args()).shape == (3, 7)


def test_lookup_quote_spans_and_decode_kernels_refuse_arguments_that_do_not_fit(compiled):
    table = compiled.WordRows()
    with pytest.raises(ValueError, match="tagger_lookup"):
        kernels.tagger_lookup(["a b", "c"], [0], table)
    with pytest.raises(TypeError):
        kernels.tagger_lookup([b"a b"], [0], table)
    with pytest.raises(TypeError):
        kernels.tagger_lookup([None], [0], table)
    with pytest.raises(TypeError):
        kernels.tagger_lookup(["a"], [0], {"a": 1})
    with pytest.raises(TypeError):
        kernels.tagger_lookup(["a"], ["0"], table)
    for row in (-1, 2 ** 31):
        with pytest.raises(ValueError, match="WordRows"):
            table.add("a", row)
    for args in ((["ab"], [1, 1], [1], [0]), (["ab"], [1], [2], [0]), (["ab"], [1], [-1, 2], [0]),
                 (["ab"], [-1], [], [])):
        with pytest.raises(ValueError, match="tagger_quote_states"):
            kernels.tagger_quote_states(*args)
    with pytest.raises(TypeError):
        kernels.tagger_quote_states([b"ab"], [1], [1], [0])
    ok = {"tags": [0, 1, 2], "lengths": [2, 1], "starts": [0, 2, 4], "ends": [1, 3, 5]}
    for change in ({"tags": [0, 1, 7]}, {"tags": [0, -1, 2]}, {"lengths": [2, 2]}, {"lengths": [4, -1]},
                   {"starts": [0, 2]}, {"ends": [1]}):
        with pytest.raises(ValueError, match="tagger_spans"):
            kernels.tagger_spans(**{**ok, **change}, role_of_tag=T._ROLE_OF_TAG, begin_tag=T._BEGIN_TAG,
                                 roles=T.ROLES)
    with pytest.raises(ValueError, match="tagger_spans"):
        kernels.tagger_spans(**ok, role_of_tag=T._ROLE_OF_TAG, begin_tag=T._BEGIN_TAG, roles=T.ROLES[:2])
    assert len(kernels.tagger_spans(**ok, role_of_tag=T._ROLE_OF_TAG, begin_tag=T._BEGIN_TAG, roles=T.ROLES)) == 2
    em, tr = np.zeros((3, 7)), np.zeros((7, 7))
    for args in ((em, [2, 2], tr, tr, 1, (1, 2), 0.5), (em, [4, -1], tr, tr, 1, (1, 2), 0.5),
                 (em, [2, 1], np.zeros((6, 6)), tr, 1, (1, 2), 0.5), (em, [2, 1], tr, tr, 0, (1, 2), 0.5),
                 (em, [2, 1], tr, tr, 1, (1, 7), 0.5), (em, [50_000_000], tr, tr, 1, (1, 2), 0.5)):
        with pytest.raises(ValueError, match="tagger_decode"):
            kernels.tagger_decode(*args)
    assert kernels.tagger_decode(em, [2, 1], tr, np.ones((7, 7)), 1, (1, 2), 0.5).shape == (3,)
