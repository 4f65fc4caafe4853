"""Session 16, kglue (issue #21): the compiled `quotes_left_open` (the quotation each sentence of an article leaves open,
which `ArticleSources.add` carries to the next) gives what its twin `spans.quotes_left_open_python` gives, on the
PolNeAR sentences and on fuzzed strings (every kind of quotation mark, letters, combining marks, surrogates, long and
empty strings), and refuses what is not a list of exact strs (None: the twin runs). Skipped when the kernels are not
built, except when SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import random

import numpy as np
import pytest

from scorer.attribution import spans
from scorer.text import kernels
from scorer.text.quotes import quoted_mask

from compiled_kernels import both, compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()

# every kind of quotation mark and apostrophe, letters (ASCII, accented, other scripts, wide), a digit, a combining
# mark, white space, a lone surrogate and a character outside the BMP
_ALPHABET = ['“', '”', '"', '"', "'", '‘', '’', '«', '»', '„', '‟', '〝', '〞', '＂', 'a', 'Z', 'é', 'ß', 'Ж', '中', '7',
             '\u0301', ' ', '\n', '\ud800', '\U0001F600', '.']


def _fuzzed(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 14))) for _ in range(count)]


def test_the_kernel_is_its_twin_on_the_polnear_sentences(polnear_sentences):
    texts = [t for article in polnear_sentences[::3] for t in article]
    expected = spans.quotes_left_open_python(texts)
    assert K.quotes_left_open(texts) == expected
    assert 0 < sum(expected) < len(texts)  # (some sentences leave a quotation open, most do not)


def test_the_kernel_is_its_twin_on_fuzzed_strings():
    rng = random.Random(16)
    texts = _fuzzed(rng, 6000) + ["", '"', '“', '”', '“a', 'a"', '"a', '“a"b', '"a“b', '“a”"', "x" * 100_000 + '“',
                                   '“' + "x" * 100_000, '“' * 1001, '"' * 1001, '"' * 1000]
    got = K.quotes_left_open(texts)
    assert got == spans.quotes_left_open_python(texts)
    assert all(type(v) is bool for v in got)
    # the twin is `ArticleSources.add`'s own test, and that is the quoted mask's last cell
    assert got == [not t.endswith(("”", '"')) and bool(t) and quoted_mask(t)[-1] for t in texts]


def test_the_dispatch_gives_the_same_with_and_without_the_kernel(monkeypatch):
    monkeypatch.setattr(kernels, "compiled", K)
    texts = _fuzzed(random.Random(7), 500)
    fast, slow = both(monkeypatch, lambda: spans.quotes_left_open(texts))
    assert fast == slow


class _Text(str):
    pass


def test_what_is_not_a_list_of_exact_strs_goes_to_the_twin(monkeypatch):
    assert K.quotes_left_open(["a “b", 3]) is None
    assert K.quotes_left_open([_Text("a “b")]) is None
    assert K.quotes_left_open([np.str_("a “b")]) is None
    assert K.quotes_left_open([]) == []
    with pytest.raises(TypeError):
        K.quotes_left_open(("a",))
    with pytest.raises(TypeError):
        K.quotes_left_open(None)
    monkeypatch.setattr(kernels, "compiled", K)
    monkeypatch.setattr(kernels, "ACTIVE", True)
    # the twin's answers (and errors) for those
    assert spans.quotes_left_open([_Text("a “b"), np.str_('“x”')]) == [True, False]
    assert spans.quotes_left_open(("a “b", "c")) == [True, False]
    with pytest.raises(AttributeError):
        spans.quotes_left_open(["a", 3])
