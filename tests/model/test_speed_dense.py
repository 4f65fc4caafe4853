"""The heads' dense parts computed a column at a time (`cues.quote_states`) and the source-type vectors remembered by
(kind, method) equal the row-by-row code: on the PolNeAR dev sentences and a third of the train sentences with
their neighbours, and on fuzzed strings."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.labels import SOURCE_KINDS
from scorer.model import cues
from scorer.model.cues import _source_type_vector, quote_state, quote_states, source_type_vector


def rows_of(texts: list[str]) -> tuple[list[str], list[str], list[str]]:
    return ([""] + texts[:-1], texts, texts[1:] + [""]) if texts else ([], [], [])


def reference(prev, texts, nxt) -> np.ndarray:
    return np.array([quote_state(*row) for row in zip(prev, texts, nxt)], dtype=np.float64).reshape(len(texts), 4)


@pytest.fixture(scope="module")
def articles(polnear_sentences):
    return polnear_sentences


def test_quote_states_same_on_polnear(articles):
    for texts in articles:
        got, ref = quote_states(*rows_of(texts)), reference(*rows_of(texts))
        assert got.shape == ref.shape and np.array_equal(got, ref)
    assert reference(*rows_of([t for a in articles for t in a])).any(axis=0).all()  # every column is exercised


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["“", "”", '"', "a", " ", "said", "’", "‘", "«"]), max_size=8).map("".join),
                max_size=6))
def test_quote_states_same_on_fuzzed_strings(texts):
    assert np.array_equal(quote_states(*rows_of(texts)), reference(*rows_of(texts)))
    assert quote_states([], [], []).shape == (0, 4)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.sampled_from([*SOURCE_KINDS, "unresolved", "x"]), st.text(max_size=3)),
       st.one_of(st.none(), st.sampled_from(["", "pronoun", "role noun after x", "quote carry-over", "name"]),
                 st.text(max_size=5)))
def test_source_type_vector_remembered_same(kind, method):
    assert source_type_vector(kind, method) == _source_type_vector(kind, method)
    first = source_type_vector(kind, method)
    first[0] = 99.0  # a caller changing its list does not change the remembered vector
    assert source_type_vector(kind, method) == _source_type_vector(kind, method)
    assert source_type_vector(kind, [method]) == _source_type_vector(kind, [method])  # unhashable: computed
    with pytest.raises(TypeError):  # as before: an unhashable kind is an error
        source_type_vector([kind], method)


def test_source_type_vectors_bounded():
    for k in range(5000):
        source_type_vector("named", f"method {k}")
    assert len(cues._SOURCE_VECTORS) <= 4096
