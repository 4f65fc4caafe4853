"""The shipped trained model and its card (installed as the `scorer.models` package data)."""
