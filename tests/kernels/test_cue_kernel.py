"""The compiled cue features (`_scorer_kernels.cue_rows`) equal their pure-Python twin (`cues.cue_vector`, through
`cues.cue_matrix_python`) bit for bit: on the sentences of the PolNeAR dev texts and of every fourth train text, on
fuzzed strings built from the word lists and the characters the features test, and through `cues.cue_matrix`'s
dispatch. Skipped when the kernels are not built, except when SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.attribution.lexicon import (ANONYMITY_PHRASES, ANONYMOUS_HEADS, CARRY_VERBS, HEDGES, INTENSIFIERS,
                                        LOADED_WORDS, OUTLETS, REPORTING_PHRASES, REPORTING_VERBS)
from scorer.model import cues

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()


def compiled(texts: list[str]) -> np.ndarray:
    out = np.full((len(texts), len(cues.CUE_FEATURES)), np.nan)
    K.cue_rows(texts, out, cues._LOWER_BITS, cues._CASE_BITS, cues._CASE_LONGEST, cues._CUE_CALLS)
    return out


def assert_same(texts: list[str]) -> None:
    ref, got = cues.cue_matrix_python(texts), compiled(texts)
    bad = np.flatnonzero((ref != got).any(axis=1))
    assert len(bad) == 0, [(texts[k], [cues.CUE_FEATURES[j] for j in np.flatnonzero(ref[k] != got[k])])
                           for k in bad[:5]]


@pytest.fixture(scope="module")
def sentences(shared_data):
    from scorer.text.segment import split_article

    base = shared_data / "polnear" / "data"
    paths = sorted((base / "dev" / "text").glob("*.txt")) + sorted((base / "train" / "text").glob("*.txt"))[::4]
    return [s.text for p in paths for s in split_article(p.read_text(encoding="utf-8"))[0]]


def test_cue_rows_same_on_polnear(sentences):
    assert len(sentences) > 10_000
    assert_same(sentences)
    # every feature is exercised (non-zero on some sentence), so the comparison covers each of them
    assert (cues.cue_matrix_python(sentences) != 0).any(axis=0).all()


_WORDS = sorted({*REPORTING_VERBS, *CARRY_VERBS, *cues._CARRY_PRONOUNS, *cues._SINGLE_HEDGES, *cues._NUMBER_WORDS,
                 *cues._DATE_WORDS, *LOADED_WORDS, *INTENSIFIERS, *cues._MODALS, *ANONYMOUS_HEADS, *cues._FIRST,
                 *cues._SECOND, "The", "A", "But", "And", "States", "Said", "May", "need", "has", "have"})
_PIECES = sorted({*ANONYMITY_PHRASES, *REPORTING_PHRASES, *OUTLETS, *HEDGES, *cues._DENIALS, "according to", "May 5",
                  "need to", "has to", "1999", "2020", "12,000", "٣", "１", "“", "”", '"', "’", "'", "‘", "—", "–", "―",
                  ", ", "? ", "! ", ",” ", '," ', "-", "_", "x", "É", "ß", "İ", "\u212a", "ǅ", "中文", "\n", " ", "  "})
_fuzz = st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from([w.capitalize() for w in _WORDS]),
                           st.sampled_from(_PIECES), st.sampled_from([" ", " ", ", "]), st.text(max_size=3)),
                 max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_fuzz, max_size=4))
def test_cue_rows_same_on_fuzzed_strings(texts):
    assert_same(texts)
    assert_same([t.upper() for t in texts] + [t.lower() for t in texts])


def test_cue_rows_edge_cases():
    assert_same(["", "a", "A", "“", '"', "’", "May", "May ", "May 5", "said", "he said", "I said", "x" * 5000,
                 "said “" + "a " * 20 + "”", "\ud800 said", "٣ people said", "they said Paris said", "We told him"])


def test_cue_rows_refuses_a_wrong_shape():
    with pytest.raises(ValueError, match="shape"):
        K.cue_rows(["a", "b"], np.zeros((1, len(cues.CUE_FEATURES))), cues._LOWER_BITS, cues._CASE_BITS,
                   cues._CASE_LONGEST, cues._CUE_CALLS)
    with pytest.raises(TypeError):
        K.cue_rows([None], np.zeros((1, len(cues.CUE_FEATURES))), cues._LOWER_BITS, cues._CASE_BITS,
                   cues._CASE_LONGEST, cues._CUE_CALLS)


def test_cue_matrix_dispatch(monkeypatch):
    """cue_matrix uses the kernel on str texts and the twin otherwise (a None text is an empty sentence)."""
    calls = []
    monkeypatch.setattr(cues, "_cue_rows", lambda *a: calls.append(a) or K.cue_rows(*a))
    texts = ["He said so.", "“No,” she told AP."]
    assert np.array_equal(cues.cue_matrix(texts), cues.cue_matrix_python(texts)) and len(calls) == 1
    assert np.array_equal(cues.cue_matrix([None, "x"]), np.array([cues.cue_vector(None), cues.cue_vector("x")]))
    assert len(calls) == 1
