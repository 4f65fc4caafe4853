"""Independent review of session 15's `tagger_word_rows` (the span tagger's new-word rows, `# ---- warm (session 15)
----` in _scorer_kernels.pyx): the faults found, one test each. Skipped without the compiled kernels, except under
SCORER_REQUIRE_KERNELS=1.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import kernels
from scorer.text.vocab import Vocabulary

sys.path.insert(0, str(Path(__file__).resolve().parent / "kernels"))
from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()


@pytest.fixture
def compiled(monkeypatch):
    monkeypatch.setattr(kernels, "compiled", K)
    monkeypatch.setattr(kernels, "ACTIVE", True)
    return K


def _cache(words: list[str]) -> T._WordCache:
    """A word cache over a vocabulary of the words' own features, with weights whose order of additions shows."""
    names = {T.feature_name(off, f) for w in words for off, feats in T.word_features(w).items() for f in feats}
    names = sorted(names | {T.feature_name(off, f"L={name}") for name, _ in T._LISTS for off in T.OFFSETS}) + ["b"]
    rng = np.random.default_rng(5)
    weights = rng.standard_normal((len(names), 7)) * 10.0 ** rng.integers(-12, 12, size=(len(names), 7))
    return T._WordCache(Vocabulary.from_terms(names), weights)


def _rows(cache: T._WordCache, words: list, compiled_rows: bool) -> np.ndarray:
    block = np.full((len(words), len(T.OFFSETS), cache.weights.shape[1]), np.nan)
    if compiled_rows:
        kernels.tagger_word_rows(cache.index, words, block, cache.weights, T._LISTS_OF, cache._list_ids, T._PREFIXES)
    else:
        cache._sum_features(block, cache._feature_ids(words))
    return block


def test_str_subclass_words_give_the_twins_rows(compiled):
    # the kernel took its words as exact str (`_text(word)` tests the exact type): numpy.str_ and other str
    # subclasses, which the twin and the other kernels accept, raised TypeError
    class Word(str):
        pass

    plain = ["Said", "officials", "İstanbul", "U.S.", "one", "x" * 70, "\ud800x"]
    cache = _cache(plain)
    words = [np.str_(w) for w in plain[:4]] + [Word(w) for w in plain[4:]]
    want = _rows(cache, plain, False)
    assert _rows(cache, words, False).tobytes() == want.tobytes()
    assert _rows(cache, words, True).tobytes() == want.tobytes()


def test_a_word_list_position_is_checked_where_it_is_read():
    # a word's list positions were converted (`__index__`) once to be checked and again to be read: a position that
    # changes between the two read list_ids far out of bounds (a crash); it must raise instead. In a child process,
    # as the fault kills the process.
    code = textwrap.dedent("""
        import numpy as np
        import _scorer_kernels as K

        class Flip:
            calls = 0

            def __index__(self):
                Flip.calls += 1
                return 0 if Flip.calls == 1 else 10 ** 9

        empty = np.zeros(0, dtype=np.int64)
        try:
            K.tagger_word_rows(["a"], np.zeros((1, 3, 1)), np.ones((1, 1)), {"a": (Flip(),)},
                               np.zeros((1, 3), dtype=np.int64), ("-1:", "", "1:"), np.zeros(0, dtype=np.uint8),
                               empty, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint64),
                               np.zeros(0, dtype=np.int32), None, 3)
        except ValueError as exc:
            print("refused:", exc)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False,
                          cwd=str(Path(K.__file__).parent))
    assert done.returncode == 0, (done.returncode, done.stderr[-500:])
    assert done.stdout.startswith("refused: tagger_word_rows: a word list outside list_ids")



def test_new_words_do_not_copy_fortran_ordered_weights(compiled):
    # a model directory's spans.weights may be a Fortran-ordered .npy (the store takes it as it is): the kernel's
    # wrapper made a C-ordered copy of all the weights at each `_add` (the shipped model's 6 MB: ~20x the time of
    # adding a few words, and the weights' size again in memory); such weights take the twin, as before the kernel
    import tracemalloc

    words = ["Said", "officials", "one", "U.S."]
    plain = _cache(words)
    names = Vocabulary.from_terms([f"f{k}" for k in range(20_000)] + plain.index.terms())
    weights = np.asfortranarray(np.vstack([np.zeros((20_000, 7)), plain.weights]))
    cache = T._WordCache(names, weights)
    tracemalloc.start()
    try:
        cache.rows(words)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < weights.nbytes // 4, peak
    want = T._WordCache(names, np.ascontiguousarray(weights))
    want.rows(words)
    assert cache.table[:len(words) + 1].tobytes() == want.table[:len(words) + 1].tobytes()
