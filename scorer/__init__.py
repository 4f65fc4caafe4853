"""attribution-scorer: on whose word does each sentence of a news article rest, and how well is it supported.

The public API: `score`, `Scorer`, `Report`, `LABELS` and the errors `ScorerError`, `InputError`, `ModelError`.
The package root stays light (no numpy, no scikit-learn) so that `scorer --help` starts fast: `score`, `Scorer`
and `Report` are imported on first use. The package's layout: docs/layout.md.
"""
__version__ = "0.1.0"

from .errors import InputError, ModelError, ScorerError
from .labels import LABELS

__all__ = ["__version__", "LABELS", "score", "Scorer", "Report", "ScorerError", "InputError", "ModelError"]


def __getattr__(name):
    if name in ("score", "Scorer"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "kernels":  # which implementation of the hot loops runs: "compiled" or "python (why)"
        from .text.kernels import STATUS

        return STATUS
    if name == "Report":
        from .report.report import Report

        return Report
    raise AttributeError(f"module 'scorer' has no attribute {name!r}")
