"""`segment._punkt_spans` (issue #21, session 12) takes nupunkt's spans from the default model's `span_tokenize` and
makes them contiguous itself, instead of calling `nupunkt.sent_spans`, which also cuts out every sentence's text: the
spans must be exactly those of `nupunkt.sent_spans` (the code it replaced), on the paragraph blocks of the PolNeAR texts
and on fuzzed paragraphs (empty, white space only, no candidate boundary, runs of terminal punctuation, quotes)."""
from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from nupunkt import sent_spans

from scorer.text import segment


def ref_punkt_spans(block):
    return list(sent_spans(block))


def test_same_spans_on_polnear_blocks(polnear_texts):
    blocks = [t[a:b] for t in polnear_texts[:120] for a, b in segment._blocks(t, 0, len(t))]
    assert len(blocks) > 2000
    several = 0
    for block in blocks:
        spans = segment._punkt_spans(block)
        assert spans == ref_punkt_spans(block), block[:80]
        several += len(spans) > 1
    assert several > 500


_PIECES = ["Inc.", "U.S.", "a.m.", "Mr.", "Dr.", "etc.", "No.", "1.", "The", "they", "Officials", "said", "“", "”",
           '"', "’", ")", ".", "...", "…", "?", "!", "?!", "! !", ". ", ".\n", "\n", "\n\n", " ", "\t", "\u00a0", ",",
           "—", "x", "É", "Smith", "3.5"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=30).map("".join))
def test_same_spans_on_fuzzed_paragraphs(block):
    assert segment._punkt_spans(block) == ref_punkt_spans(block)


def test_same_spans_on_seeded_paragraphs():
    rng = random.Random(12)
    for _ in range(2000):
        block = "".join(rng.choice(_PIECES) + rng.choice(("", " ", " ", "\n")) for _ in range(rng.randrange(0, 25)))
        assert segment._punkt_spans(block) == ref_punkt_spans(block), block
