"""Independent review of session 13's compiled kernels, part A (segmentation and the last stage): the faults found,
each as a test that failed before its fix. Skipped when the kernels are not built (an error with
SCORER_REQUIRE_KERNELS=1)."""
from __future__ import annotations

import os
import time
import tracemalloc

import pytest

from scorer.text import kernels, segment

try:
    import _scorer_kernels as K
except ImportError as exc:  # pragma: no cover - depends on the build
    if os.environ.get("SCORER_REQUIRE_KERNELS") == "1":
        raise
    pytest.skip(f"compiled kernels not built ({exc})", allow_module_level=True)
if getattr(K, "VERSION", None) != kernels.VERSION:  # pragma: no cover
    pytest.fail("stale compiled kernels: rebuild (python setup.py build_ext --inplace)", pytrace=False)


@pytest.fixture(autouse=True)
def compiled_kernels(monkeypatch):
    """The dispatch points at the compiled module even under SCORER_KERNELS=0."""
    monkeypatch.setattr(kernels, "compiled", K)
    monkeypatch.setattr(kernels, "ACTIVE", True)


def decider():
    decide = segment._punkt_decider()
    assert decide is not None
    return decide


def test_punkt_spans_memory_does_not_grow_with_end_characters():
    """punkt_spans took room for a slice per end character (16 bytes a character of a text of periods: 16 MB for a
    1 MB block that nupunkt reads in 0.2 MB); the slices it finds need room, the end characters do not."""
    decide = decider()
    for text in ("." * 1_000_000, "\u2026" * 1_000_000, "x." * 500_000, "1.5" * 300_000):
        tracemalloc.start()
        try:
            spans = K.punkt_spans(text, decide)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert spans == segment._punkt_spans(text)
        assert peak < 200_000, (text[:10], peak)
    # many sentences: the room grows and the spans stay nupunkt's
    text = "He left. She stayed! Why? " * 2000
    assert K.punkt_spans(text, decide) == segment._punkt_spans(text)


def test_punkt_spans_linear_on_a_chunk_of_candidates():
    """Every candidate found the end of the white-space-free chunk after it (the end of its context) whether or not its
    context was reported; candidates sharing one chunk (a line of "!", of "?!") each scanned it to its end: quadratic
    (100,000 "!" took seconds). Only a reported context needs its end."""
    decide = decider()
    for unit in ("!", "?!", "a.)"):
        small = unit * 1000
        assert K.punkt_spans(small, decide) == segment._punkt_spans(small)
    for text in ("!" * 100_000, "?!" * 50_000):
        start = time.perf_counter()
        spans = K.punkt_spans(text, decide)
        assert time.perf_counter() - start < 0.5
        assert spans == [(0, len(text))]
    text = "He left.) She stayed!! Why?! " * 300
    assert K.punkt_spans(text, decide) == segment._punkt_spans(text)


def _tokenizer():
    return (segment._SPAN_TOKENIZE or segment._span_tokenize()).__self__


def _same_as_nupunkt(text: str) -> bool:
    """What split_sentences uses for nupunkt's spans of `text` (the kernel when the guard lets it run) is nupunkt's."""
    decide = segment._punkt_decider()
    return decide is None or K.punkt_spans(text, decide) == segment._punkt_spans(text)


@pytest.mark.parametrize("setting", ["_SENT_END_CHARS", "_re_period_context", "_realign_boundaries"])
def test_punkt_guard_sees_settings_changed_on_the_loaded_model(setting):
    """The guard let the kernel run for a loaded model whose span_tokenize it no longer reproduces: an instance
    setting it did not read (_SENT_END_CHARS, the period-context pattern cached on the language variables, a method
    overridden on the model) changed nupunkt's spans and not the kernel's."""
    import re

    tokenizer = _tokenizer()
    lang = tokenizer._lang_vars
    text = ("He waited for hours\u2026 Then he left! Then he came back. Is it over? Yes it is. "
            'He said "stop." Then "go." And he left.')
    assert segment._punkt_reproducible(tokenizer) and _same_as_nupunkt(text)
    saved = lang._re_period_context
    try:
        if setting == "_SENT_END_CHARS":
            tokenizer._SENT_END_CHARS = frozenset(".")
            text = "He waited for hours\u2026 Then he left! Then he came back"
        elif setting == "_re_period_context":
            lang._re_period_context = re.compile(saved.pattern.replace(lang._re_sent_end_chars, r"[\.]"), saved.flags)
        else:
            tokenizer._realign_boundaries = lambda block, slices: iter(slices)
            text = 'He said "stop." Then "go." And he left.'
        assert _same_as_nupunkt(text)
        assert not segment._punkt_reproducible(tokenizer)
    finally:
        lang._re_period_context = saved
        for name in ("_SENT_END_CHARS", "_realign_boundaries"):
            vars(tokenizer).pop(name, None)
    assert segment._punkt_reproducible(tokenizer)


def _colliding_words(n: int, bits: int = 16, target: int = 0x1234) -> list[str]:
    """n content words of 8 letters whose FNV-1a hashes (64-bit, the standard offset basis) end in the same `bits`
    bits: four letters each, then two found for each (vectorised), then two that lead to the target (the low bits of
    FNV-1a depend only on the low bits of the state and the letters; multiplying by the odd prime is invertible)."""
    import itertools
    import string

    import numpy as np

    prime, mask = 1099511628211, (1 << bits) - 1
    inverse = pow(prime, -1, 1 << bits)
    letters = [ord(c) for c in string.ascii_lowercase]
    back = {}  # state before the last two letters -> those letters
    for c1 in letters:
        for c2 in letters:
            before = ((((target * inverse) & mask) ^ c2) * inverse & mask) ^ c1
            back.setdefault(before, chr(c1) + chr(c2))
    lookup = np.full(1 << bits, -1, dtype=np.int64)
    keys = list(back)
    lookup[keys] = np.arange(len(keys))
    prefixes = ["".join(p) for p in itertools.islice(itertools.product(string.ascii_lowercase, repeat=4), 3 * n)]
    codes = np.array([[ord(c) for c in p] for p in prefixes], dtype=np.uint64)
    h = np.full(len(prefixes), 1469598103934665603, dtype=np.uint64)
    p = np.uint64(prime)
    found = np.full(len(prefixes), -1, dtype=np.int64)
    middles = [(a, b) for a in letters for b in letters]
    with np.errstate(over="ignore"):
        for k in range(4):
            h = (h ^ codes[:, k]) * p
        for j, (a, b) in enumerate(middles):
            hit = lookup[((((h ^ np.uint64(a)) * p) ^ np.uint64(b)) * p & np.uint64(mask)).astype(np.int64)]
            new = (found < 0) & (hit >= 0)
            found[new] = j * 1000 + hit[new]
    out = []
    for i in np.nonzero(found >= 0)[0][:n]:
        j, v = divmod(int(found[i]), 1000)
        out.append(prefixes[i] + chr(middles[j][0]) + chr(middles[j][1]) + back[keys[v]])
    assert len(out) == n
    return out


def test_corroboration_overlap_words_made_to_collide():
    """corroboration_overlap's word table hashed with FNV-1a from a fixed basis and took the low bits as the slot: a
    text of words made to share those bits (found offline in a blink) put them all in one chain, each new word probing
    all before it (quadratic: 20,000 such words took 23 times as long as 20,000 others; a 10 MB article holds a million
    words). Now the basis is drawn per process and the slot reads all 64 bits."""
    from scorer.model import support

    def best(words):
        texts = [" ".join(words[i:i + 20]) for i in range(0, len(words), 20)]
        labels = ["named_source", "outlet_claim"] * (len(texts) // 2)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            result = kernels.corroboration_overlap(texts, labels, 0, 3, "editorial_opinion", support._STOP)
            times.append(time.perf_counter() - start)
        return min(times), result, texts, labels

    colliding = _colliding_words(20_000)
    others = [w[:4] + "qzqz" for w in colliding]
    slow, result, texts, labels = best(colliding)
    fast = best(others)[0]
    assert slow < 4 * max(fast, 0.005), (slow, fast)
    assert result == support._corroboration_by_sentence(texts, labels, 0, 3)
