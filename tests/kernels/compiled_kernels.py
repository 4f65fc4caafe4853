"""The compiled kernels module the parity tests compare with their twins: the module, skipped when it is not built
(an error when SCORER_REQUIRE_KERNELS=1, as .ci/run sets where a C compiler exists), a failure when it is stale."""
import os

import pytest

from scorer.text import kernels


def compiled_module():
    """`_scorer_kernels`, or skip the calling test module (call it at module level)."""
    try:
        import _scorer_kernels as K
    except ImportError as exc:
        if os.environ.get("SCORER_REQUIRE_KERNELS") == "1":
            raise
        pytest.skip(f"compiled kernels not built ({exc})", allow_module_level=True)
    if getattr(K, "VERSION", None) != kernels.VERSION:
        pytest.fail(f"stale compiled kernels: version {getattr(K, 'VERSION', None)}, the code needs {kernels.VERSION}; "
                    "rebuild (pip install . or python setup.py build_ext --inplace)", pytrace=False)
    return K


def both(monkeypatch, fn):
    """fn() with the kernels active, then with the twins (the test module points `kernels.compiled` at the module)."""
    monkeypatch.setattr(kernels, "ACTIVE", True)
    fast = fn()
    monkeypatch.setattr(kernels, "ACTIVE", False)
    return fast, fn()
