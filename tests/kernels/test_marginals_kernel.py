"""The compiled forward-backward (`tagger_marginals`, section `# ---- inputs (session 11) ----` of
_scorer_kernels.pyx) against its numpy twin `SpanTagger.marginals`: the twin's products go through BLAS, whose order
of additions is its own, so the two agree to rounding (relative 1e-12), not bit for bit; what reaches the output is
only whether a Source span's mean confidence reaches the threshold, and that decision is the same for every span of
the PolNeAR dev set and a third of train, whose confidences all lie far from the threshold (checked here), and on
random weights. The entry point refuses arguments that do not fit. Skipped without the compiled kernels, except under
SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import numpy as np
import pytest

from scorer.attribution import tagger as T
from scorer.text import kernels
from scorer.text.segment import split_article

from compiled_kernels import both, compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()

@pytest.fixture(autouse=True)
def compiled_kernels(monkeypatch):
    """The dispatch points at the compiled module even under SCORER_KERNELS=0: these tests call both."""
    monkeypatch.setattr(kernels, "compiled", K)

@pytest.fixture(scope="module")
def shipped_tagger():
    from scorer.model.store import load_bundle

    return load_bundle()["spans"]

def test_marginals_and_source_decisions_same_on_polnear(monkeypatch, polnear_texts, shipped_tagger):
    tagger = shipped_tagger
    articles = [(text, split_article(text)[0]) for text in polnear_texts]
    n_spans, nearest = 0, np.inf
    for at in range(0, len(articles), 32):
        tokens = T.batch_tokens(articles[at:at + 32])
        emissions = tagger.emissions(tokens)
        tags = tagger.viterbi(emissions, tokens.lengths)
        fast, slow = both(monkeypatch, lambda: tagger.marginals(emissions, tokens.lengths))
        assert fast.shape == slow.shape and np.allclose(fast, slow, rtol=1e-12, atol=1e-15)
        (f0, e0, c_fast), (f1, e1, c_slow) = both(
            monkeypatch, lambda: tagger.source_confidence(emissions, tokens.lengths, tags))
        assert np.array_equal(f0, f1) and np.array_equal(e0, e1)
        assert np.allclose(c_fast, c_slow, rtol=1e-12, atol=1e-15)
        threshold = tagger.source_threshold
        assert np.array_equal(c_fast >= threshold, c_slow >= threshold)
        if len(c_slow):
            nearest = min(nearest, float(np.abs(c_slow - threshold).min()))
        fast_tags, slow_tags = both(monkeypatch, lambda: tagger.tag(tokens, threshold))
        assert np.array_equal(fast_tags, slow_tags)
        n_spans += len(c_slow)
    assert n_spans > 4_000
    assert nearest > 1e-9  # rounding (about 1e-16) cannot move a confidence across the threshold

def test_marginals_same_on_random_weights(monkeypatch):
    rng = np.random.default_rng(11)
    for trial in range(200):
        n_tags = int(rng.integers(1, 8))
        lengths = [int(x) for x in rng.integers(0, 40, size=int(rng.integers(0, 8)))]
        scale = [0.1, 1.0, 10.0, 60.0][trial % 4]  # up to transitions that force rescaling at every step
        emissions = rng.normal(scale=scale, size=(sum(lengths), n_tags))
        tagger = T.SpanTagger.__new__(T.SpanTagger)
        tagger.transitions = rng.normal(scale=scale, size=(n_tags, n_tags))
        fast, slow = both(monkeypatch, lambda: tagger.marginals(emissions, lengths))
        assert fast.shape == slow.shape
        assert np.allclose(fast, slow, rtol=1e-9, atol=1e-12)
        if len(fast):
            assert np.allclose(fast.sum(axis=1), 1.0)

def test_marginals_kernel_refuses_what_does_not_fit():
    e = np.zeros((5, 3))
    with pytest.raises(ValueError):
        kernels.tagger_marginals(e, [2, 4], np.ones((3, 3)), 1)  # more tokens than rows
    with pytest.raises(ValueError):
        kernels.tagger_marginals(e, [-1], np.ones((3, 3)), 1)
    with pytest.raises(ValueError):
        kernels.tagger_marginals(e, [5], np.ones((2, 3)), 1)
    with pytest.raises(ValueError):
        K.tagger_marginals(e, np.array([5], dtype=np.int64), np.ones((3, 3)), 0)
    assert kernels.tagger_marginals(np.zeros((0, 3)), [], np.ones((3, 3)), 1).shape == (0, 3)
