"""attribution-scorer: on whose word does each sentence of a news article rest, and how well is it supported.

The package root stays light (no scikit-learn import) so that `scorer --help` starts fast;
heavier names are imported on first use.
"""
__version__ = "0.1.0"

LABELS = ("named_source", "anonymous_intelligence", "outlet_claim", "editorial_opinion")

__all__ = ["__version__", "LABELS"]
