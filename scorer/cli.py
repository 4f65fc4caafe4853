"""Command line: a thin click layer over the library (heavy imports happen inside commands)."""
from __future__ import annotations

import sys
from functools import wraps

import click

from . import __version__
from .errors import ScorerError


def reports_errors(func):
    """Turn ScorerError into one line on standard error and the error's exit code."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ScorerError as exc:
            click.echo(f"scorer: error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scorer")
def cli():
    """attribution-scorer: on whose word each sentence of a news article rests, and how well it is supported."""


@cli.group()
def corpus():
    """Build and inspect the labelled training corpus."""


@corpus.command("build")
@click.option("--data", "data_dir", required=True, type=click.Path(), help="Directory laid out like ../shared/data.")
@click.option("--out", "out_path", default="build/corpus.parquet", show_default=True, type=click.Path(),
              help="Where to write the sentence table (.parquet or .csv).")
@reports_errors
def corpus_build(data_dir, out_path):
    """Build the one-row-per-sentence training table from the human-annotated corpora.

    Example: scorer corpus build --data ../shared/data --out build/corpus.parquet
    """
    from pathlib import Path

    from .corpus import build_corpus, class_counts

    frame = build_corpus(data_dir)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".csv":
        frame.to_csv(out, index=False)
    else:
        frame.to_parquet(out, index=False)
    click.echo(f"wrote {len(frame)} sentences to {out}")
    click.echo(class_counts(frame).to_string())


def main():  # pragma: no cover - console entry point alias
    cli()
