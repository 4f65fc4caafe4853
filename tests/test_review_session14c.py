"""Review of session 14's cue/heads kernels (review14c): the faults found, each a test that failed before its fix.

- `term_word_codes`' hash table probed linearly from the low bits of the vocabulary's hashes: the hash is fixed and
  public and the terms come from a model directory (untrusted), so terms whose hashes share their low bits made the
  coder's start quadratic (40,000 such terms: 0.37 s against 0.001 s; a million, extrapolated: minutes). Now the probes are bounded
  and the numpy path (a binary search) runs beyond the budget: the same coder.
- `PhraseMachine.bits` (the phrase automaton cue_rows runs) allocated 24 bytes a character of the lower-cased text
  (a sentence of 'İ', whose lower() is twice as long: cue_rows' peak 52 bytes a character against 36 at dc1f77a).
  Now a ring of the longest literal's length: the same groups, no memory that grows with the text.
- `tfidf_scores`' merge sort took its room in the work block, 8 bytes more per occurrence (peak 39.2 bytes an
  occurrence against 31.2 at dc1f77a, rows of 10 terms); now room for the longest row only: the same peak as before.
Skipped when the kernels are not built.
"""
from __future__ import annotations

import time

import numpy as np
import pytest

from scorer.model import heads
from scorer.text import kernels

K = kernels.compiled if getattr(kernels.compiled, "term_word_codes", None) is not None else None
if K is None:
    try:
        import _scorer_kernels as K  # (SCORER_KERNELS=0: the build itself)
    except ImportError:  # pragma: no cover - no build
        K = None
needs_kernels = pytest.mark.skipif(K is None or not hasattr(K, "term_word_codes"), reason="kernels not built")


def _timed(f, *args):
    t0 = time.perf_counter()
    out = f(*args)
    return time.perf_counter() - t0, out


@needs_kernels
def test_term_word_codes_linear_on_hashes_built_to_collide():
    n = 40_000
    blob = np.frombuffer(b"x" * n, dtype=np.uint8)
    starts, lengths, rows = np.arange(n, dtype=np.int64), np.ones(n, dtype=np.int32), np.arange(n, dtype=np.int64)
    spread = np.sort(np.random.default_rng(14).integers(0, 2 ** 63, n).astype(np.uint64))
    colliding = np.arange(n, dtype=np.uint64) << np.uint64(24)  # distinct, but the same low 24 bits
    t_spread, _ = _timed(K.term_word_codes, blob, starts, lengths, spread, rows, None, 1_000_003)
    t_colliding, out = _timed(K.term_word_codes, blob, starts, lengths, colliding, rows, None, 1_000_003)
    assert t_colliding < 30 * t_spread + 0.05, (t_colliding, t_spread)  # (before: 0.37 s against 0.001 s)
    # what it gives is still right: nothing to do (no term holds a space) or the numpy path (None)
    assert out is None or all(len(a) == 0 for a in out)


def _colliding_terms(m: int, bits: int, base: int) -> list[str]:
    """Terms "t0000000".."t{m - 1}" whose vocabulary hashes (under `base`) share their low `bits` bits (searched as an
    attacker would, offline: the hash is fixed)."""
    from scorer.text import vocab

    digits = (np.arange(m)[:, None] // 10 ** np.arange(6, -1, -1)) % 10 + 48
    blob = np.concatenate([np.full((m, 1), 116), digits], axis=1).astype(np.uint8).ravel()
    h = vocab._hash_grouped(blob, np.arange(m, dtype=np.int64) * 8, np.full(m, 8, dtype=np.int64), base)
    return [f"t{k:07d}" for k in np.flatnonzero((h & np.uint64((1 << bits) - 1)) == 0).tolist()]


@needs_kernels
def test_term_word_codes_over_budget_gives_the_same_coder(monkeypatch):
    """A real vocabulary of terms whose hashes share the low bits the table reads (every probe in one long run, over
    the budget): the numpy path, the same coder as without the compiled start."""
    from scorer.text import vocab

    singles = _colliding_terms(320_000, 10, vocab._BASES[0])
    assert len(singles) > 250
    terms = singles + [f"{a} {b}" for a, b in zip(singles[::2], singles[1::2])]
    v = vocab.Vocabulary.from_terms(terms)
    assert v.base == vocab._BASES[0] and len(v.hashes) < 1024  # (the table's 1,024 slots, every single in one run)
    monkeypatch.setattr(kernels, "compiled", K)
    assert kernels.term_word_codes(v) is None  # (over the budget: the kernel declines)
    monkeypatch.setattr(heads, "_term_word_codes", K.term_word_codes)
    ids = dict(zip(terms, range(len(terms))))
    fast = heads.NgramCoder(ids, 2)
    monkeypatch.setattr(heads, "_term_word_codes", None)
    slow = heads.NgramCoder(ids, 2)
    assert fast.base == slow.base and fast.keys.keys() == slow.keys.keys()
    assert all(np.array_equal(x, y) for n in fast.keys for x, y in zip(fast.keys[n], slow.keys[n]))


@needs_kernels
def test_phrase_machine_memory_does_not_grow_with_the_text():
    import tracemalloc

    from scorer.model import cues

    saved, kernels.compiled = kernels.compiled, K
    try:
        machine = cues._phrase_trie()
    finally:
        kernels.compiled = saved
    assert type(machine) is K.PhraseMachine
    text = ("İ" * 1000 + " according to officials, who said ") * 100
    low = text.lower()
    tracemalloc.start()
    try:
        found = K.phrase_bits(machine, low)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024, peak  # (before: 24 bytes a character of low, 4.9 MB here)
    assert found == sum(1 << cues._PHRASE_GROUPS.index(g) for g in cues.phrase_groups(low)) != 0


@needs_kernels
def test_cue_rows_peak_memory_on_a_long_sentence_of_dotted_capital_i():
    """cue_rows' peak on a long sentence is its word arrays' (36 bytes a character), as at dc1f77a."""
    import tracemalloc

    from scorer.model import cues

    if cues._cue_rows is None:
        pytest.skip("cue_rows not active (SCORER_KERNELS=0)")
    text = "İ" * 100_000
    tracemalloc.start()
    try:
        cues.cue_matrix([text])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * len(text), peak / len(text)  # (before: 52 bytes a character)


@needs_kernels
def test_tfidf_scores_peak_memory_as_before_the_merge_sort():
    import tracemalloc

    rng = np.random.default_rng(14)
    n, per = 20_000, 10
    rows = np.repeat(np.arange(n), per).astype(np.int64)
    ids = rng.integers(0, 1000, n * per).astype(np.int64)
    head = (None, rng.uniform(1, 5, 1000), rng.normal(size=(2, 1000)))
    tracemalloc.start()
    try:
        out = K.tfidf_scores(rows, ids, [head], n, heads.tf_table)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # dc1f77a's: 24 bytes an occurrence of work block, 4 of values, 16 a row of starts and stops, the (n, 2) output
    assert peak <= 28 * len(rows) + 32 * n + 65536, peak / len(rows)  # (before: 8 bytes an occurrence more)
    assert out[0].shape == (n, 2) and np.isfinite(out[0]).all()


@needs_kernels
def test_phrase_tables_are_built_once():
    """A second __init__ on a built PhraseMachine (or its PhraseTrie part) is refused: it would swap the trie's arrays
    under the automaton's tables, sized for the first ones."""
    good = {"edges": [0, 1, 1], "chars": [97], "children": [1], "alternatives": [0, 0, 1], "order": [0], "bounded": [0],
            "group": [1]}
    bigger = {"edges": [0, 1, 2, 2], "chars": [97, 98], "children": [1, 2], "alternatives": [0, 0, 0, 1],
              "order": [0], "bounded": [0], "group": [1]}
    machine = K.PhraseMachine(**good)
    for init in (K.PhraseMachine.__init__, K.PhraseTrie.__init__):
        with pytest.raises(TypeError):
            init(machine, **bigger)
    assert K.phrase_bits(machine, "xa a") == 1
