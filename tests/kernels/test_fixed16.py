"""fixed16 (session 16): `punkt_spans` does not ask nupunkt's decision engine about a candidate that only closing
marks and white space follow (a break there or none gives the same spans). Its spans stay nupunkt's own
(`segment._punkt_spans`) on blocks that end so, with every closing mark and kind of white space, and the engine is
not called for such an end. Skipped when the kernels are not built, except when SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import random

import pytest

from scorer.text import kernels, segment

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()


@pytest.fixture(autouse=True)
def compiled_kernels(monkeypatch):
    monkeypatch.setattr(kernels, "compiled", K)
    monkeypatch.setattr(kernels, "ACTIVE", True)


def counting_decider():
    """nupunkt's decision engine, and the list of the contexts it is asked about."""
    decide = segment._punkt_decider()
    assert decide is not None
    asked = []

    def counted(context):
        asked.append(context)
        return decide(context)

    return counted, asked


_ENDS = list(".?!…") + ["..", "?!", "!!", ". . ."]
_CLOSERS = ["", "", "\"", "'", ")", "]", "}", "”", "’", "»", "*", "”)", "'\"", ")]*", "’’"]
_SPACES = ["", "", " ", "\n", "\t", "\u00a0", "\u2003", "\x85", "\u2028", "\r\n", " \n ", "\x0b"]
_WORDS = ["He left", "Mr", "U.S", "e.g", "No", "1", "(a", "It was, he said", "“Why now", "the end", "É", "x_y",
          "Gen", "Inc", "Jan", "etc", "a.m", "J", "iv", "Obama", "\ud800", "\U0001F600"]


def test_no_decision_for_an_end_that_only_closing_marks_and_white_space_follow():
    decide, asked = counting_decider()
    for block in ("He left.", "He left.”\n", "It ended.  ", "Is it?)” \u2003", "Mr.", "U.S.", "Go!\n"):
        assert K.punkt_spans(block, decide) == segment._punkt_spans(block)
    assert asked == []
    assert K.punkt_spans("He left. Then he came back.\n", decide) == segment._punkt_spans("He left. Then he came "
                                                                                               "back.\n")
    assert asked == [("left.", " Then")]  # (the last end is not asked about)
    asked.clear()
    assert K.punkt_spans("He left.” X", decide) == segment._punkt_spans("He left.” X")
    assert len(asked) == 1  # (a capitalised word after the closing mark: asked)


def test_same_spans_as_nupunkt_on_fuzzed_block_ends(polnear_texts):
    decide = segment._punkt_decider()
    rng = random.Random(16)
    blocks = []
    for _ in range(2500):
        head = " ".join(rng.choice(_WORDS) + rng.choice(_ENDS + [""] * 4) + rng.choice(_CLOSERS)
                        for _ in range(rng.randrange(0, 4)))
        tail = rng.choice(_WORDS) + rng.choice(_ENDS) + rng.choice(_CLOSERS) + rng.choice(_SPACES)
        blocks.append((head + rng.choice(_SPACES + [" "] * 6) + tail)[rng.choice((0, 0, 0, 1, 2)):])
    for text in polnear_texts[:30]:  # the paragraph blocks of real copy
        blocks += [text[a:b] for a, b in segment._blocks(text, 0, len(text))]
    several = 0
    for block in blocks:
        spans = segment._punkt_spans(block)
        assert K.punkt_spans(block, decide) == spans, block
        several += len(spans) > 1
    assert several > 500
