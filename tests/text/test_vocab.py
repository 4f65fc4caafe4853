"""The compact vocabulary (scorer/text/vocab.py) gives exactly the ids the dicts of str it replaced gave: for every
term of the shipped model's four vocabularies, for every string the model looks up on PolNeAR dev and a third
of train, on fuzzed strings, and when hashes collide; and the model loads without pickle."""
from __future__ import annotations

import pickle
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.text import vocab as vocab_module
from scorer.text.vocab import DuplicateTerms, Vocabulary, encode, lookup_many

VOCABULARIES = ("tokens.terms", "claims.words.terms", "claims.sources.terms", "spans.features")


@pytest.fixture(scope="module")
def arrays():
    """The shipped model's arrays, read as the store reads them."""
    from scorer.model.store import ARRAYS_FILE, _parse_arrays, default_model_dir

    return _parse_arrays((default_model_dir() / ARRAYS_FILE).read_bytes())


def old_dict(blob: np.ndarray) -> dict[str, int]:
    """The vocabulary as the store built it before: the newline-joined text split, ids the positions."""
    text = blob.tobytes().decode("utf-8")
    terms = text.split("\n") if text else []
    return dict(zip(terms, range(len(terms))))


@pytest.mark.parametrize("name", VOCABULARIES)
def test_every_term_of_the_shipped_model_has_its_old_id(arrays, name):
    old = old_dict(arrays[name])
    new = Vocabulary.from_joined(arrays[name])
    assert len(new) == len(old) > 1000
    assert new.terms() == list(old)
    assert np.array_equal(new.ids(list(old)), np.arange(len(old)))
    # near misses: each term with a character added, dropped or changed, upper-cased
    probes = [t + "x" for t in old] + [t[:-1] for t in old] + [t.upper() for t in old] + ["", " ", "\n", "é"]
    assert new.ids(probes).tolist() == [old.get(p, -1) for p in probes]
    assert new.blob is arrays[name] or np.shares_memory(new.blob, arrays[name])  # the model's bytes, not a copy


@pytest.fixture(scope="module")
def corpus_strings(polnear_sentences):
    """Every string the model looks up on the PolNeAR dev sentences and a third of train's: the heads' and the
    claim head's n-grams (for each vocabulary's token pattern), and the span tagger's feature names of every word
    type."""
    from scorer.attribution.tagger import feature_name, word_features
    from scorer.model.store import load_bundle

    sentences = [s for article in polnear_sentences for s in article]
    bundle = load_bundle()
    out = {}
    tokens = bundle["attribution"].tokens
    for key, pattern, top in (("tokens.terms", tokens.pattern.pattern, tokens.ngram_max),
                              ("claims.words.terms", bundle["claims"].words.token_pattern,
                               bundle["claims"].words.ngram_max)):
        findall, grams = re.compile(pattern).findall, set()
        for s in sentences:
            words = findall(s.lower())
            grams.update(words)
            for n in range(2, top + 1):
                grams.update(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
        out[key] = sorted(grams)
    words = {w for s in sentences for w in re.findall(r"\S+", s)}
    out["spans.features"] = sorted({feature_name(off, f) for w in words for off, fs in word_features(w).items()
                                    for f in fs})
    # the source tokens (claims.source_tokens), lower-cased as the block reads them
    out["claims.sources.terms"] = sorted({p + w.lower() for w in words for p in ("s_", "c_", "t_", "m_")})
    return out


@pytest.mark.parametrize("name", VOCABULARIES)
def test_every_corpus_lookup_equals_the_old_dict(arrays, corpus_strings, name):
    old = old_dict(arrays[name])
    new = Vocabulary.from_joined(arrays[name])
    probes = corpus_strings[name]
    got = new.ids(probes)
    assert got.tolist() == [old.get(p, -1) for p in probes]
    assert (got >= 0).sum() > 1000 and (got < 0).sum() > 1000  # hits and misses both exercised
    assert lookup_many(new, probes).tolist() == lookup_many(old, probes).tolist()


_TERMS = st.lists(st.text(max_size=6) | st.sampled_from(["", " ", "\n", "a b", "é", "中文", "\ud800", "\U0001f600"]),
                  max_size=40, unique=True)


@settings(max_examples=300, deadline=None)
@given(_TERMS, st.lists(st.text(max_size=6), max_size=30))
def test_lookups_equal_a_dict_on_fuzzed_strings(terms, others):
    vocab = Vocabulary.from_terms(terms)
    old = dict(zip(terms, range(len(terms))))
    probes = terms + others + [t + "a" for t in terms]
    assert vocab.ids(probes).tolist() == [old.get(p, -1) for p in probes]
    assert dict(vocab.items()) == old and len(vocab) == len(old) and vocab.terms() == terms
    assert all((p in vocab) == (p in old) and vocab.get(p) == old.get(p) for p in probes[:10])
    data, lengths = encode(probes)
    assert lengths.tolist() == [len(p.encode("utf-8", "surrogatepass")) for p in probes]
    assert data.tobytes() == "".join(probes).encode("utf-8", "surrogatepass")


def test_ids_of_a_mapping_are_kept():
    vocab = Vocabulary.from_mapping({"b": 7, "a": 3, "": 0})
    assert vocab.ids(["a", "b", "", "c"]).tolist() == [3, 7, 0, -1] and vocab["b"] == 7
    with pytest.raises(KeyError):
        vocab["c"]
    assert Vocabulary.from_mapping(vocab) is vocab
    assert vocab == {"b": 7, "a": 3, "": 0} and vocab != {"b": 7, "a": 3}


def test_a_hash_collision_never_changes_an_id(monkeypatch):
    """With a hash that only sees a string's length, every probe of a term's length collides with it: the byte
    comparison still tells them apart (exact lookups), and distinct terms that collide make the vocabulary take the
    next hash base."""
    real = vocab_module._hash_grouped
    monkeypatch.setattr(vocab_module, "_hash", lambda data, lengths, base: np.asarray(lengths, dtype=np.uint64))
    monkeypatch.setattr(vocab_module, "_hash_grouped",
                        lambda blob, starts, lengths, base: np.asarray(lengths, dtype=np.uint64))
    monkeypatch.setattr(vocab_module, "_hash_one", lambda data, base: len(data))
    vocab = Vocabulary.from_terms(["a", "bb", "ccc"])
    probes = ["a", "b", "bb", "ba", "ccc", "cca", "dddd", ""]
    assert vocab.ids(probes).tolist() == [0, -1, 1, -1, 2, -1, -1, -1]
    assert [vocab.get(p, -1) for p in probes] == [0, -1, 1, -1, 2, -1, -1, -1]

    def weak_first(blob, starts, lengths, base):  # the first base makes every term collide; the next is the real one
        return np.zeros(len(lengths), dtype=np.uint64) if base == vocab_module._BASES[0] else real(blob, starts,
                                                                                                  lengths, base)

    monkeypatch.undo()
    monkeypatch.setattr(vocab_module, "_hash_grouped", weak_first)
    vocab = Vocabulary.from_terms(["ab", "ba", "xy"])
    assert vocab.base == vocab_module._BASES[1]
    assert vocab.ids(["ba", "ab", "xy", "yx"]).tolist() == [1, 0, 2, -1]
    assert [vocab.get(p) for p in ("ba", "ab", "xy", "yx")] == [1, 0, 2, None]


def test_duplicate_terms_are_counted():
    with pytest.raises(DuplicateTerms) as caught:
        Vocabulary.from_terms(["said", "told", "said", "x", "x", "x"])
    assert (caught.value.n_terms, caught.value.n_distinct) == (6, 3)
    with pytest.raises(DuplicateTerms, match=r"82900 terms, 1 distinct"):
        Vocabulary.from_joined(np.frombuffer(b"\n".join([b"said"] * 82900), dtype=np.uint8))


def test_joined_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(UnicodeDecodeError):
        Vocabulary.from_joined(np.frombuffer(b"said\n\xff\ntold", dtype=np.uint8))
    assert len(Vocabulary.from_joined(np.zeros(0, dtype=np.uint8))) == 0


def test_the_model_loads_without_pickle_and_holds_its_vocabularies_as_arrays(monkeypatch):
    """No pickle on the load path (any use of it fails the load), and no vocabulary is a dict of str."""
    from scorer.model.store import load_bundle

    def refuse(*args, **kwargs):
        raise AssertionError("pickle used while loading the model")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    bundle = load_bundle()
    vocabularies = [bundle["attribution"].tokens.union, bundle["claims"].words.vocabulary,
                    bundle["claims"].sources.vocabulary, bundle["spans"].features]
    assert all(isinstance(v, Vocabulary) for v in vocabularies)
    for v in vocabularies:
        assert all(a.dtype.kind in "iu" for a in (v.blob, v.starts, v.lengths, v.hashes, v.rows))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.lists(st.tuples(st.integers(0, 299), st.integers(0, 40)), max_size=30),
       st.sampled_from(vocab_module._BASES))
def test_the_three_hash_routines_agree(raw, ranges, base):
    """The terms are hashed by length groups (_hash_grouped), batches of strings laid end to end (_hash), single
    strings in Python integers (_hash_one): a lookup is exact only if the three give the same values."""
    blob = np.frombuffer(raw + bytes(340), dtype=np.uint8)
    starts = np.array([a for a, _ in ranges], dtype=np.int64)
    lengths = np.array([n for _, n in ranges], dtype=np.int64)
    laid = vocab_module._hash(vocab_module.gather(blob, starts, lengths), lengths, base)
    assert np.array_equal(laid, vocab_module._hash_grouped(blob, starts, lengths, base))
    assert laid.tolist() == [vocab_module._hash_one(blob[a:a + n].tobytes(), base) for a, n in ranges]
