"""Session 12's model-input speed-ups (issue #21) give exactly what the code they replaced gave: the source-type
vectors as a column (`cues.source_type_matrix`, for the heads' dense part and `claims.claim_features`), the claim
head's source tokens once per distinct row and its place features as columns (`claims.claim_dense`), the n-gram
lookup without the space check for token patterns that cannot match a space (`heads._SPACELESS`). The replaced code
(f0b630d) is frozen here; compared on the model inputs of PolNeAR articles (a slice of the `polnear_texts` fixture)
and on fuzzed values."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.labels import SOURCE_KINDS
from scorer.model import claims, heads
from scorer.model.cues import source_type_matrix, source_type_vector
from scorer.model.heads import HEADS_TOKEN_PATTERN, LONG_WORDS_PATTERN, NgramCoder, dense_part, ngram_ids_loop
from scorer.model.inputs import article_inputs

# --------------------------------------------------------------------------------------------------------------------
# the replaced code (f0b630d), frozen


def ref_source_part(frame) -> np.ndarray:
    rows = zip(heads._column(frame, "src_type", "none"), heads._column(frame, "src_method"))
    return np.array([source_type_vector(*row) for row in rows], dtype=np.float64).reshape(len(frame),
                                                                                         len(SOURCE_KINDS) + 2)


def ref_claim_dense(heads: np.ndarray, source_vectors: np.ndarray, cue: np.ndarray, prev_cue: np.ndarray,
                    next_cue: np.ndarray, lengths: list[int]) -> np.ndarray:
    n = len(heads)
    comb = claims.combined(heads)
    own = np.hstack([heads, comb, source_vectors])
    zero = np.zeros((1, own.shape[1]))
    prev = np.vstack([zero, own[:-1]]) if n else own
    nxt = np.vstack([own[1:], zero]) if n else own
    place = np.array([[i / max(n - 1, 1), float(i == 0), min(length, 400) / 200] for i, length in enumerate(lengths)],
                     dtype=np.float64).reshape(n, 3)
    article = np.tile(np.r_[comb.mean(axis=0) if n else np.zeros(4), float(n == 1), min(n, 60) / 60], (n, 1))
    return np.hstack([own, cue, prev, nxt, prev_cue, next_cue, place, article])


def ref_claim_features(frame, head_outputs: np.ndarray, lengths: list[int]) -> tuple[list[str], np.ndarray]:
    n = len(lengths)
    vectors = np.array([source_type_vector(k, m) for k, m in zip(frame["src_type"], frame["src_method"])],
                       dtype=np.float64).reshape(n, -1)
    dense = ref_claim_dense(head_outputs, vectors, frame["cue_vec"], frame["prev_cue_vec"], frame["next_cue_vec"],
                            lengths)
    tokens = [claims.source_tokens(*row) for row in zip(frame["source"], frame["inherited_source"], frame["cue"],
                                                         frame["src_type"], frame["src_method"])]
    return tokens, dense


# --------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def frames(polnear_texts):
    """The model inputs of 40 PolNeAR articles, as the scorer builds them (span tagger, sources resolved)."""
    from scorer.model.store import load_bundle
    from scorer.text.segment import split_article

    bundle = load_bundle()
    articles = [(text, split_article(text)[0]) for text in polnear_texts[::6][:40]]
    spans = bundle["spans"].spans_many(articles)
    return [article_inputs(text, sentences, bundle["attribution"].cues, spans=s)
            for (text, sentences), s in zip(articles, spans)]


def test_claim_dense_edge_cases():
    for n in (0, 1, 2, 5):
        rng = np.random.default_rng(n)
        args = (rng.random((n, 5)), rng.random((n, len(SOURCE_KINDS) + 2)), *(rng.random((n, 25)) for _ in range(3)),
                [int(x) for x in rng.integers(0, 900, n)])
        assert claims.claim_dense(*args).tobytes() == ref_claim_dense(*args).tobytes()


def test_claim_features_and_source_part_same_on_polnear(frames):
    rng = np.random.default_rng(12)
    kinds = set()
    for frame in frames:
        n = len(frame)
        outputs = rng.random((n, 5))
        lengths = [len(t) for t in frame["text"]]
        tokens, dense = claims.claim_features(frame, outputs, lengths)
        ref_tokens, ref_dense = ref_claim_features(frame, outputs, lengths)
        assert tokens == ref_tokens
        assert dense.shape == ref_dense.shape and dense.tobytes() == ref_dense.tobytes()
        part = dense_part(("source",), frame)
        assert part.dtype == np.float64 and part.tobytes() == ref_source_part(frame).tobytes()
        kinds.update(frame["src_type"])
    assert len(kinds) >= 4  # several source types, so the table has several rows


_kinds = st.one_of(st.none(), st.sampled_from([*SOURCE_KINDS, "unresolved", "x"]), st.text(max_size=3))
_methods = st.one_of(st.none(), st.sampled_from(["", "pronoun", "role noun after x", "quote carry-over", "name"]),
                     st.text(max_size=5))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_kinds, _methods), max_size=12))
def test_source_type_matrix_same_on_fuzzed_pairs(pairs):
    kinds, methods = [k for k, _ in pairs], [m for _, m in pairs]
    ref = np.array([source_type_vector(k, m) for k, m in pairs], dtype=np.float64).reshape(len(pairs), -1 if pairs
                                                                                            else len(SOURCE_KINDS) + 2)
    got = source_type_matrix(kinds, methods)
    assert got.shape == ref.shape and got.tobytes() == ref.tobytes()


def test_source_type_matrix_unhashable():
    assert source_type_matrix(["named"], [["pronoun"]]).tolist() == [source_type_vector("named", ["pronoun"])]
    with pytest.raises(TypeError):  # as before: an unhashable kind is an error
        source_type_matrix([["named"]], [""])


_SPACES = [" ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\x85"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_SPACES + ["a", "b'", "’c", "_", "“", "”", '"', "?", "!", ":", "é"]),
                          st.text(max_size=3)), max_size=20).map("".join))
def test_spaceless_patterns_never_give_a_token_with_a_space(text):
    for pattern, flags in heads._SPACELESS:
        compiled = re.compile(pattern, flags)
        assert not any(" " in t for t in compiled.findall(text.lower()))


def test_lookups_of_the_shipped_patterns_skip_the_space_check():
    from scorer.model.store import load_bundle

    bundle = load_bundle()
    assert bundle["attribution"].tokens.lookup.spaceless
    assert bundle["claims"].words.lookup.spaceless and bundle["claims"].sources.lookup.spaceless
    assert not heads.NgramLookup({}, 2, re.compile(r"[^,]+").findall, re.compile(r"[^,]+")).spaceless


def test_ngram_ids_without_the_space_check_same_on_polnear(polnear_sentences):
    texts = [s for article in polnear_sentences[:60] for s in article]
    vocabulary = {t: k for k, t in enumerate(heads_terms())}
    coder = NgramCoder(vocabulary, 2)
    for pattern in (HEADS_TOKEN_PATTERN, LONG_WORDS_PATTERN):
        findall = re.compile(pattern).findall
        tokens = [findall(t.lower()) for t in texts]
        got = coder.ids(texts, findall, tokens, spaceless=True)
        ref = ngram_ids_loop(texts, findall, vocabulary, 2, tokens)
        assert all(np.array_equal(a, b) for a, b in zip(got, ref)) and len(got[0]) > 1000


def heads_terms() -> list[str]:
    from scorer.model.store import load_bundle

    return load_bundle()["attribution"].tokens.terms()
