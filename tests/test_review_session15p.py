"""Independent review of session 15's pure-Python speed changes (segment, tagger, language): the faults found, each
with the test that failed before its fix."""
from __future__ import annotations

import numpy as np
import pytest

from scorer.attribution.tagger import TAGS, SpanTagger, sentence_tokens
from scorer.text import kernels
from scorer.text.segment import Sentence


@pytest.fixture(params=[False, True], ids=["twins", "kernels"])
def active(request, monkeypatch):
    """The pure-Python twins (as SCORER_KERNELS=0), then the compiled kernels where they are built."""
    if request.param and kernels.compiled is None:
        pytest.skip("the compiled kernels are not built")
    monkeypatch.setattr(kernels, "ACTIVE", request.param)


def _tagger() -> SpanTagger:
    rng = np.random.default_rng(0)
    return SpanTagger(["b", "w=said", "q=1", "dr=5"], rng.normal(size=(4, len(TAGS))),
                      rng.normal(size=(len(TAGS), len(TAGS))))


@pytest.mark.parametrize("group,value", [("dr", 40), ("dr", 10 ** 6), ("q", -1)])
def test_emissions_twin_raises_on_token_codes_out_of_range(active, group, value):
    """`np.take(..., mode="clip")` silently took the last row of `joint` for a code past its end (db44292's twin raised
    IndexError there) and the first for a negative one, where the compiled kernel's wrapper raises ValueError: the
    twin must not return numbers for codes the kernel refuses."""
    tagger = _tagger()
    text = "He said it was fine, officials said."
    tokens = sentence_tokens(text, [Sentence(0, len(text), text)])
    codes = dict(tokens.codes)
    codes[group] = codes[group].copy()
    codes[group][0] = value
    with pytest.raises(ValueError, match="token feature rows must be in"):
        tagger.emissions(tokens._replace(codes=codes))
    assert tagger.emissions(tokens).shape == (len(tokens.words), len(TAGS))  # (in range: scores as before)


def test_viterbi_twin_takes_a_nested_list(active):
    """The per-tag gather read `emissions.shape` and `emissions.T` of what db44292's twin (a row gather by np.take)
    and the kernel take as any array-like: a nested list raised AttributeError with the kernels off."""
    tagger = _tagger()
    emissions = np.random.default_rng(2).normal(size=(5, len(TAGS)))
    want = tagger.viterbi(emissions, [2, 3])
    assert tagger.viterbi(emissions.tolist(), [2, 3]).tolist() == want.tolist()
