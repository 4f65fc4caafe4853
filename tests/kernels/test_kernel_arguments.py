"""The compiled kernels run without bounds checks: their Python entry points refuse arguments that would make them
read or write outside their arrays (the numpy twin would raise or clamp), so a bad call fails cleanly."""
import numpy as np
import pytest

from scorer.attribution.tagger import drop_unsure_sources
from scorer.text import kernels, segment

try:
    import _scorer_kernels as K
except ImportError:
    K = None
# built where a compiler exists (.ci/run then requires them, via tests/kernels/test_kernels_parity.py)
needs_kernels = pytest.mark.skipif(K is None, reason="compiled kernels not built")


@pytest.fixture(autouse=True)
def compiled_kernels(monkeypatch):
    """The entry points call the compiled module even under SCORER_KERNELS=0 (CI runs the suite so)."""
    if K is not None:
        monkeypatch.setattr(kernels, "compiled", K)


@needs_kernels
@pytest.mark.parametrize("emissions,lengths,transitions", [
    (np.zeros((1, 7)), [3], np.zeros((7, 7))),            # sentences longer than the tokens given
    (np.zeros((3, 7)), [3], np.zeros((2, 2))),            # transitions of another tag set
    (np.zeros((3, 7)), [-1, 4], np.zeros((7, 7))),        # a negative length
    (np.zeros((10, 7)), [50_000_000], np.zeros((7, 7))),  # far past the end (a segfault without the check)
])
def test_viterbi_kernel_refuses_arguments_that_do_not_fit(emissions, lengths, transitions):
    with pytest.raises(ValueError, match="viterbi"):
        kernels.viterbi(emissions, lengths, transitions)


@needs_kernels
def test_viterbi_kernel_accepts_fitting_arguments():
    assert kernels.viterbi(np.zeros((5, 7)), [2, 3], np.zeros((7, 7))).shape == (5,)


@needs_kernels
def test_sentence_spans_outside_the_block_go_to_the_python_twin():
    block = "He said so. Then he left."
    bad = [(0, 11), (12, 400)]
    with pytest.raises(IndexError):  # what the twin does with such a span, instead of reading past the text
        segment._sentence_spans(block, bad)
    with pytest.raises(IndexError):
        segment._sentence_spans_compiled(block, bad)


def test_a_nan_confidence_counts_as_unsure():
    tags = np.array([1, 2, 0])  # B-SOURCE I-SOURCE O
    out = drop_unsure_sources(tags, np.array([0]), np.array([2]), np.array([np.nan]), 0.6)
    assert out.tolist() == [0, 0, 0]
