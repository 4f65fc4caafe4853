"""fixed17 (session 17): `replace_surrogates` tells a text without a lone surrogate at once when it is ASCII, and by
encoding it as UTF-8 (which refuses exactly the surrogate code points) up to _ENCODE_CHECK characters, instead of
searching it with a regex: the same texts back, the same replacements."""
from __future__ import annotations

import random
import re

import pytest

from scorer.text import files
from scorer.text.files import replace_surrogates

REFERENCE = re.compile("[\ud800-\udfff]")


def reference(text: str) -> str:
    return REFERENCE.sub("\ufffd", text)


class Counting:
    def __init__(self):
        self.calls = 0

    def search(self, text):
        self.calls += 1
        return REFERENCE.search(text)

    def sub(self, repl, text):
        return REFERENCE.sub(repl, text)


def test_a_text_without_a_surrogate_is_not_searched(monkeypatch):
    counting = Counting()
    monkeypatch.setattr(files, "_SURROGATE", counting)
    for text in ["plain ASCII", "“Curly” quotes — and é, 中文, 🙂"]:
        assert replace_surrogates(text) is text
    assert counting.calls == 0
    assert replace_surrogates("a\ud800b\udfff🙂") == "a\ufffdb\ufffd🙂" and counting.calls == 1
    long = "é" * (files._ENCODE_CHECK + 1)
    assert replace_surrogates(long) is long and counting.calls == 2  # (over the limit: searched, no copy made)


@pytest.mark.parametrize("seed", range(5))
def test_the_same_as_the_search_on_fuzzed_texts(seed):
    rng = random.Random(seed)
    alphabet = ["a", " ", "é", "’", "中", "🙂", "\ud800", "\udbff", "\udc00", "\udfff", "\ud7ff", "\ue000", "\ufffd"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        got = replace_surrogates(text)
        assert got == reference(text) and len(got) == len(text)
        if REFERENCE.search(text) is None:
            assert got is text
