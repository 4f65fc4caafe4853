"""The optional compiled kernels: which implementation of a hot loop runs.

`_scorer_kernels` is a separate top-level extension module (built from `_scorer_kernels.pyx` by `pip install .`
where a C compiler works). Each of its functions has a pure-Python twin in the package, which is the reference and
gives identical results (tests/kernels). The twin runs when the module is not installed, when it was built from
another version of the kernels (a stale build), or when the environment variable SCORER_KERNELS is 0 when the
package is imported. `STATUS` says which path is active; `scorer.kernels` gives it too.
"""
from __future__ import annotations

import os

# The kernels' interface version: equal to `_scorer_kernels.VERSION` of a build this code can use.
VERSION = 3


def _load():
    if os.environ.get("SCORER_KERNELS", "").strip() == "0":
        return None, "python (compiled kernels disabled: SCORER_KERNELS=0)"
    try:
        import _scorer_kernels
    except ImportError:
        return None, "python (compiled kernels not installed)"
    found = getattr(_scorer_kernels, "VERSION", None)
    if found != VERSION:
        return None, f"python (installed kernels are version {found}, this code needs {VERSION}: reinstall)"
    return _scorer_kernels, "compiled"


compiled, STATUS = _load()
ACTIVE = compiled is not None


def pick(name: str, twin):
    """The compiled kernel `name` when the kernels are active, else `twin` (the pure-Python implementation)."""
    return getattr(compiled, name) if compiled is not None else twin


def viterbi(emissions, lengths, transitions):
    """The compiled `SpanTagger.viterbi`: best tag index of each token of the sentences (`lengths` tokens each)."""
    import numpy as np  # the text layer does not need numpy otherwise

    emissions = np.ascontiguousarray(emissions, dtype=np.float64)
    lengths = np.asarray(lengths, dtype=np.int64)
    transitions = np.ascontiguousarray(transitions, dtype=np.float64)
    # the kernel runs without bounds checks: its shapes are checked here, as the numpy twin's indexing would
    if emissions.ndim != 2 or transitions.shape != (emissions.shape[1], emissions.shape[1]):
        raise ValueError(f"viterbi: emissions {emissions.shape} and transitions {transitions.shape} do not fit")
    if lengths.ndim != 1 or (len(lengths) and (lengths.min() < 0 or lengths.sum() > len(emissions))):
        raise ValueError(f"viterbi: sentence lengths must be >= 0 and sum to at most {len(emissions)} tokens")
    return compiled.viterbi(emissions, lengths, transitions)
