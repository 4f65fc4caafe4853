"""attribution-scorer: on whose word does each sentence of a news article rest, and how well is it supported.

The package root stays light (no scikit-learn import) so that `scorer --help` starts fast;
`score`, `Scorer`, `Report` and `load_model` are imported on first use.
"""
__version__ = "0.1.0"

from .labels import LABELS

__all__ = ["__version__", "LABELS", "score", "Scorer", "Report", "load_model"]


def __getattr__(name):
    if name in ("score", "Scorer"):
        from . import scoring

        return getattr(scoring, name)
    if name == "Report":
        from .report.report import Report

        return Report
    if name == "load_model":
        from .model.store import load_bundle

        return load_bundle
    raise AttributeError(f"module 'scorer' has no attribute {name!r}")
