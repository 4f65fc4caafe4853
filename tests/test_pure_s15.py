"""Session 15, pure Python (issue #21): the pure-Python paths made faster give what they gave before, on the PolNeAR
texts and on fuzzed strings.

- segmentation: a block that is one sentence by its characters (`segment._one_span`) skips nupunkt, whose spans are
  then the whole block; `_repair` of one sentence (frozen copy of the loop below);
- the span tagger's row maxima and sums (`tagger._row_max`, `_row_sum`) against numpy's `max` and `sum(axis=1)` (the
  emissions, Viterbi, marginals and source confidences against frozen code: test_tagger_speed_same.py);
- `looks_english`'s non-ASCII characters (`language._non_ascii`) against the regex scan it replaces.
"""
from __future__ import annotations

import random
import re
from itertools import pairwise

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import language, segment
from scorer.text.furniture import find_furniture
from scorer.text.quotes import open_quote_count

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # (exp and max of inf and NaN on purpose)


def _blocks_of(texts: list[str]) -> list[str]:
    """The paragraph blocks `split_article` hands to nupunkt."""
    out = []
    for text in texts:
        pos = 0
        for item in [*find_furniture(text), None]:
            end = len(text) if item is None else item.start
            out += [text[a:b] for a, b in segment._blocks(text, pos, end)]
            pos = 0 if item is None else item.end
    return out


_ATOMS = ["He", "said", "it", "U.S", "Mr", "a", "x", "?", "!", ".", "…", "...", "'", '"', ")", "]", "}", "”", "’",
          "»", "*", "“", "(", "-", "--", " ", " ", "  ", "\n", "\t", "\u00a0", "\u2003", "é", "1", "2.", "i.", "A",
          "?!", "!!", ". .", ".”", "?”", "St.", "\ud800", "Ünd", "x\u0301"]


def _fuzzed_blocks(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        block = "".join(rng.choice(_ATOMS) for _ in range(rng.randint(0, 9)))
        out.append(("The man " + block) if rng.random() < 0.5 else block)
    return out


def _check_blocks(blocks: list[str]) -> int:
    """`_punkt_spans` with the one-sentence check gives nupunkt's spans; returns the number of blocks it skipped."""
    skipped = 0
    for block in blocks:
        spans = segment._punkt_spans(block)  # nupunkt itself
        if segment._one_span(block):
            skipped += 1
            assert spans == ([(0, len(block))] if block else []), repr(block)
        assert segment._punkt_spans(block, True) == spans, repr(block)
    return skipped


def test_one_sentence_blocks_as_nupunkt_splits_them(polnear_texts):
    blocks = _blocks_of(polnear_texts[::4])
    skipped = _check_blocks(blocks)
    assert 0.2 * len(blocks) < skipped < len(blocks)  # (41% of the dev blocks: the check is not empty, nor all)


def test_one_sentence_blocks_on_fuzzed_text():
    assert _check_blocks(_fuzzed_blocks(7, 6000)) > 1000


def test_one_sentence_check_only_for_the_reproduced_tokenizer(monkeypatch):
    """A tokenizer the kernels' guard does not accept (a setting changed) is always asked."""
    calls = []
    real = segment._punkt_spans
    monkeypatch.setattr(segment, "_punkt_spans", lambda block, one=False: calls.append(one) or real(block, one))
    segment.split_sentences("He left.\n\nShe stayed. Then she left.")
    if not segment.kernels.ACTIVE:
        assert calls == [True, True]
    calls.clear()
    monkeypatch.setattr(segment, "_punkt_reproducible", lambda tokenizer: False)
    assert [s.text for s in segment.split_sentences("He left.\n\nShe stayed.")] == ["He left.", "She stayed."]
    if not segment.kernels.ACTIVE:
        assert calls == [False, False]


def _repair_before(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`segment._repair` as it was before session 15 (frozen)."""
    spans = [piece for start, end in spans for piece in segment._split_final_abbreviations(text, start, end)]
    fixed: list[list[int]] = []
    for start, end in spans:
        if fixed:
            prev = fixed[-1]
            while start < end and text[start] in segment._LEADING_CLOSERS \
                    and open_quote_count(text[prev[0]:prev[1]]) > 0 and text[start] != "“":
                prev[1] = start + 1
                start += 1
                start, end = segment._strip_span(text, start, end)
            if start >= end:
                continue
            first = text[start]
            if (first.islower() or first in ",;:—–)@" or not any(c.isalnum() for c in text[start:end])
                    or (text.endswith(segment._TITLE_ENDINGS, prev[0], prev[1])
                        and segment._TITLE_END.search(text[prev[0]:prev[1]]))):
                prev[1] = end
                continue
        fixed.append([start, end])
    merged: list[list[int]] = []
    i = 0
    while i < len(fixed):
        start, end = fixed[i]
        j = i
        if open_quote_count(text[start:end]) > 0:
            k = i + 1
            while k < len(fixed) and k - i < segment._MAX_QUOTE_MERGE:
                piece = text[fixed[k][0]:fixed[k][1]]
                if any(c in piece for c in segment.CLOSING_QUOTES + '"'):
                    if segment._QUOTE_CONTINUES.search(piece):
                        j = k
                    break
                k += 1
        merged.append([start, fixed[j][1]])
        i = j + 1
    return [(s, e) for s, e in merged]


def test_repair_same_as_before(polnear_texts):
    blocks = _blocks_of(polnear_texts[::4]) + _fuzzed_blocks(11, 3000) + [
        "Shares of Acme Inc. The board met.", "“Go,” he said. “Now.”", "x Jr. Smith", "“A.” “B.” “C,” she said."]
    single = 0
    for block in blocks:
        spans = [(s, e) for s, e in (segment._strip_span(block, *se) for se in segment._punkt_spans(block)) if e > s]
        single += len(spans) == 1
        assert segment._repair(block, spans) == _repair_before(block, spans), repr(block)
        # any spans, not only punkt's: every cut of the block
        cuts = sorted({0, len(block), *random.Random(len(block)).sample(range(len(block) + 1), min(3, len(block)))})
        some = [(a, b) for a, b in pairwise(cuts) if b > a]
        assert segment._repair(block, some) == _repair_before(block, some), repr(block)
    assert single > 100


def test_row_max_is_numpys():
    rng = np.random.default_rng(3)
    for trial in range(60):
        a = rng.normal(size=(int(rng.integers(0, 40)), int(rng.integers(1, 9)))) * 10.0 ** rng.integers(-300, 300)
        special = rng.random(a.shape)
        a[special < 0.05] = np.nan
        a[(special > 0.05) & (special < 0.1)] = np.inf
        a[(special > 0.1) & (special < 0.15)] = -np.inf
        a[(special > 0.15) & (special < 0.2)] = 0.0
        a[(special > 0.2) & (special < 0.25)] = -0.0
        got, want = T._row_max(a), a.max(axis=1, keepdims=True)
        assert got.shape == want.shape and np.array_equal(got, want, equal_nan=True)
        # as the marginals use it: the same exponentials, bit for bit (a zero's sign aside, which exp does not see)
        assert np.array_equal(np.exp(a - got).view(np.int64), np.exp(a - want).view(np.int64))


def test_row_sum_is_numpys():
    """The marginals' row sums (7 tags; non-negative, as probabilities are) bit for bit as numpy's sum(axis=1)."""
    rng = np.random.default_rng(4)
    for trial in range(40):
        rows = int(rng.integers(0, 3000))
        a = rng.random((rows, int(rng.integers(1, 11)))) ** 5 * 10.0 ** rng.integers(-300, 300, size=(rows, 1))
        a[rng.random(a.shape) < 0.1] = 0.0
        want = a.sum(axis=1, keepdims=True)
        assert np.array_equal(T._row_sum(a).view(np.int64), want.view(np.int64))
        view = a[rows // 3:]  # (a view, as the forward-backward steps pass)
        assert np.array_equal(T._row_sum(view).view(np.int64), view.sum(axis=1, keepdims=True).view(np.int64))


_NON_ASCII = re.compile("[^\x00-\x7f]")


def test_non_ascii_characters_as_the_regex_finds_them(polnear_texts):
    rng = random.Random(5)
    alphabet = ["a", " ", "“", "é", "\u00a0", "\ud800", "\udfff", "\U0001f600", "ß", "İ", "\x7f", "\x80", "\u0301",
                "\uffff", "\U0010ffff", "\0"]
    texts = polnear_texts[::8] + ["", "abc", "\ud800", "a\udfffb\ud800"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(2000)]
    for text in texts:
        assert language._non_ascii(text) == set(_NON_ASCII.findall(text)), repr(text[:60])
