"""The heads' tokeniser (`heads.tokenise`) finds the tokens of the attribution heads' pattern and of the source tokens'
`\\S+` faster (`heads._SAME_TOKENS`), with exactly the tokens the patterns' own findall gives: on every sentence of
the PolNeAR dev set and a third of train (the `polnear_texts` fixture), on fuzzed strings, and around every code
point."""
from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.model import heads
from scorer.model.heads import HEADS_TOKEN_PATTERN, tokenise

HEADS = re.compile(HEADS_TOKEN_PATTERN)
SPACE_RUNS = re.compile(r"\S+")
FAST_HEADS = heads._SAME_TOKENS[(HEADS_TOKEN_PATTERN, 0)]


def test_the_faster_tokenisers_are_the_ones_tokenise_uses():
    heads._RECENT.clear()
    assert tokenise(HEADS, ["Don’t say ‘no’ — it's 9:30!"]) == [["don’t", "say", "no", "it's", "9", ":", "30", "!"]]
    heads._RECENT.clear()
    assert tokenise(SPACE_RUNS, ["S_a  C_b\u3000T_x\n"]) == [["s_a", "c_b", "t_x"]]
    assert set(heads._SAME_TOKENS) == {(HEADS_TOKEN_PATTERN, 0), (r"\S+", 0)}


def test_same_tokens_on_polnear(polnear_sentences):
    sentences = [s.lower() for article in polnear_sentences for s in article]
    assert len(sentences) > 7_000
    assert [FAST_HEADS(s) for s in sentences] == [HEADS.findall(s) for s in sentences]
    assert [s.split() for s in sentences] == [SPACE_RUNS.findall(s) for s in sentences]
    # the corpus has tokens with inner and trailing apostrophes of both kinds
    assert any("’" in s and "'" in s for s in sentences)


def test_same_tokens_around_every_code_point():
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        assert (re.fullmatch(r"\s", c) is not None) == c.isspace()
        if code < 0x3400 or code % 7 == 0:  # the heads' pattern: the BMP's scripts and punctuation, then a sample
            for text in (f"a{c}b’{c}", f"{c}'{c}1’’"):
                assert FAST_HEADS(text) == HEADS.findall(text), repr(text)


_PIECES = ["a", "B", "1", "_", "'", "’", "''", "’’", "‘", "“", "”", '"', "?", "!", ":", " ", "\n", "\u00a0", "\u3000",
           "-", ".", ",", "é", "\u0301", "ß", "İ", "中", "٣", "\u200b", "ab", "it’s", "o'", "'n'", "x’’y"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=30).map("".join))
def test_same_tokens_on_fuzzed_strings(text):
    assert FAST_HEADS(text) == HEADS.findall(text)
    assert text.split() == SPACE_RUNS.findall(text)
