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
