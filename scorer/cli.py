"""Command line: a thin click layer over the library. Each command imports what it runs when it runs (so `--help`
stays fast); only the train, evaluate and corpus commands import `scorer.training`."""
from __future__ import annotations

import sys
from functools import wraps

import click

from . import __version__
from .errors import ScorerError


def reports_errors(func):
    """Turn ScorerError into one line on standard error and the error's exit code (Ctrl-C: 130)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ScorerError as exc:
            click.echo(f"scorer: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("scorer: interrupted", err=True)
            sys.exit(130)

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

    from .training.corpus import class_counts, write_corpus

    frame = write_corpus(data_dir, out_path)
    click.echo(f"wrote {len(frame)} sentences to {Path(out_path)}")
    click.echo(class_counts(frame).to_string())


MAX_BYTES_OPTION = click.option("--max-bytes", type=click.IntRange(min=0), default=10_000_000, show_default=True,
                                help="Refuse an article larger than this (0: no limit).")

MODEL_OPTION = click.option("--model", "model_dir", type=click.Path(), default=None, envvar="SCORER_MODEL_DIR",
                            help="Model directory (default: the shipped model; env SCORER_MODEL_DIR).")


@cli.command("score")
@click.argument("path", type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json", "html"]), default="text",
              show_default=True)
@click.option("--output", "-o", type=click.Path(), default=None,
              help="Write here instead of standard output (not a directory, not the input file).")
@MAX_BYTES_OPTION
@MODEL_OPTION
@reports_errors
def score_command(path, fmt, output, max_bytes, model_dir):
    """Score one article: a .txt/.md/.html file, an http(s):// URL (fetched, read as HTML), or - for standard
    input (HTML and Markdown recognised there and in files without a suffix).

    Example: scorer score examples/iran-bounties-commune.txt --format html -o report.html
    """
    from .pipeline import Scorer
    from .text.fetch import is_url
    from .text.files import input_kind, read_stream

    url = is_url(path)
    if output:
        from .atomic import check_file_target

        check_file_target(output, None if path == "-" or url else path)  # before any work: nothing is written
    scorer = Scorer(model_dir)
    if url:
        report = scorer.score_url(path, max_bytes=max_bytes)
    elif path == "-":
        text = read_stream(sys.stdin.buffer, "<stdin>", max_bytes)
        report = scorer.score_input(text, input_kind(None, text), name="<stdin>")
    else:
        report = scorer.score_file(path, max_bytes=max_bytes)
    if fmt == "json":
        rendered = report.to_json()
    elif fmt == "markdown":
        rendered = report.to_markdown()
    elif fmt == "html":
        rendered = report.to_html()
    else:
        rendered = report.to_text(colour=output is None and sys.stdout.isatty())
    if output:
        from .atomic import write_text_atomic

        write_text_atomic(output, rendered if rendered.endswith("\n") else rendered + "\n")
    else:
        click.echo(rendered, nl=not rendered.endswith("\n"))


@cli.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path())
@click.option("--output", "-o", "out", required=True, type=click.Path(),
              help="JSONL file, or a directory for csv/parquet (articles + sentences tables); "
                   "never the input or a directory holding it.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="Default: from the output name (.jsonl -> jsonl, otherwise csv).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option("--text-field", default="text", show_default=True, help="JSONL key / CSV column with the text.")
@click.option("--id-field", default="id", show_default=True, help="JSONL key / CSV column with the article id.")
@click.option("--resume", is_flag=True, help="Skip records already in OUTPUT.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on standard error (default: if a terminal).")
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: worker processes on this machine; dask: a Dask cluster (extra 'distributed'), "
                   "output is a directory of shards.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786); default: a local cluster of --jobs workers.")
@click.option("--csv-raw", is_flag=True,
              help="CSV output: write text cells exactly as they are. By default a cell starting with "
                   "= + - @, a tab or a carriage return gets a leading ' so that a spreadsheet shows it as text "
                   "and never runs it as a formula (numbers such as -5 are left alone).")
@MAX_BYTES_OPTION
@MODEL_OPTION
@reports_errors
def batch_command(input_path, out, fmt, jobs, text_field, id_field, resume, progress, backend, scheduler, csv_raw,
                  max_bytes, model_dir):
    """Score a directory of articles, a JSONL / CSV / Parquet file, or a directory of such files;
    one bad record never stops the run.

    Example: scorer batch articles.jsonl --output reports.jsonl --jobs 2
    """
    import time

    from .batch.records import count_records
    from .batch.run import check_batch_output, run_batch
    from .model.store import verify_model

    if scheduler and backend != "dask":
        raise click.UsageError("--scheduler needs --backend dask")
    if backend == "dask":
        fmt = fmt or ("jsonl" if str(out).endswith(".jsonl") else "parquet")
    fmt = fmt or ("jsonl" if str(out).endswith(".jsonl") else "csv")
    # an output that is (or would destroy) the input is refused before the model is loaded
    check_batch_output(input_path, out, directory=backend == "dask" or fmt != "jsonl", dask=backend == "dask")
    # fail fast (exit 3) before reading the corpus; with one job this process scores, so load the model
    # once here; with several, the workers load it and this process only checks it (and, for JSONL
    # output, never imports scikit-learn or pandas: about 190 MB less for the parent)
    scorer = None
    if jobs == 1 and backend == "local":
        from .pipeline import Scorer

        scorer = Scorer(model_dir)
    else:
        verify_model(model_dir)
    show = sys.stderr.isatty() if progress is None else progress
    total = count_records(input_path) if show else None
    started = time.monotonic()

    def report_progress(done):
        if show and (done % 10 == 0 or done < 10 or done == total):
            rate = done / max(time.monotonic() - started, 1e-9)
            eta = f", ETA {(total - done) / rate:.0f}s" if total and rate > 0 else ""
            of = f"/{total}" if total else ""
            click.echo(f"\rscored {done}{of} records, {rate:.1f} records/s{eta}   ", err=True, nl=False)

    try:
        if backend == "dask":
            from .batch.dask import run_dask_batch

            ok, errors = run_dask_batch(input_path, out, fmt=fmt, scheduler=scheduler, workers=jobs,
                                        text_field=text_field, id_field=id_field, resume=resume,
                                        model_dir=model_dir, progress=report_progress, max_bytes=max_bytes,
                                        csv_escape=not csv_raw)
        else:
            ok, errors = run_batch(input_path, out, fmt=fmt, jobs=jobs, text_field=text_field, id_field=id_field,
                                   resume=resume, model_dir=model_dir, progress=report_progress, scorer=scorer,
                                   max_bytes=max_bytes, csv_escape=not csv_raw)
    finally:
        if show:
            click.echo("", err=True)
    click.echo(f"{ok} scored, {errors} errors -> {out}", err=True)
    if ok == 0 and errors > 0:
        sys.exit(1)


AUDITS_OPTION = click.option(
    "--audits", "audits_dir", default="tests/data", show_default=True, type=click.Path(file_okay=False),
    help="Directory of the hand audits' verdicts (source_type_audit.tsv, dev_claim_judgement.tsv), as in the source "
         "repository; when a file is not there, the figures that need it are skipped with a note.")


CLAIMS_OPTION = click.option(
    "--claims", "claims_dir", default="data/claims", show_default=True, type=click.Path(file_okay=False),
    help="The claim-level reading (units.tsv, labels.tsv, readings.tsv), as in the source repository.")
EXAMPLE_ARTICLES_OPTION = click.option(
    "--example-articles", "examples_dir", default="examples", show_default=True, type=click.Path(file_okay=False),
    help="Where the read example articles are (their check is left out when the directory is not there).")


@cli.command("train")
@click.option("--data", "data_dir", required=True, type=click.Path(), help="Directory laid out like ../shared/data.")
@click.option("--out", "out_dir", default="models", show_default=True, type=click.Path())
@CLAIMS_OPTION
@AUDITS_OPTION
@EXAMPLE_ARTICLES_OPTION
@reports_errors
def train_command(data_dir, out_dir, claims_dir, audits_dir, examples_dir):
    """Rebuild the shipped model from the human-annotated corpora and the claim-level reading (deterministic).

    Example: scorer train --data ../shared/data --out models/   (in the source repository)
    """
    from pathlib import Path

    from .training.train import train

    examples = examples_dir if Path(examples_dir).is_dir() else None
    train(data_dir, out_dir, claims_dir, audits_dir, examples, log=lambda m: click.echo(m, err=True))


@cli.command("evaluate")
@click.option("--data", "data_dir", required=True, type=click.Path())
@click.option("--split", default="dev", show_default=True, type=click.Choice(["dev", "train"]))
@click.option("--examples", default=10, show_default=True, help="Misclassified sentences to show.")
@AUDITS_OPTION
@CLAIMS_OPTION
@EXAMPLE_ARTICLES_OPTION
@MODEL_OPTION
@reports_errors
def evaluate_command(data_dir, split, examples, audits_dir, claims_dir, examples_dir, model_dir):
    """Per-class precision/recall/F1, macro-F1, confusion matrix and calibration, with two baselines.

    Example: scorer evaluate --data ../shared/data --split dev
    """
    from .training.measure import evaluation_report

    click.echo(evaluation_report(data_dir, split, examples, model_dir, audits_dir, claims_dir, examples_dir,
                                 log=lambda m: click.echo(m, err=True)))


@cli.command("model-info")
@MODEL_OPTION
@reports_errors
def model_info_command(model_dir):
    """Print the model card (training data, versions, metrics, checksum)."""
    import json

    from .model.store import verify_model

    _, card = verify_model(model_dir)  # checksums of the model files against the card; nothing parsed
    click.echo(json.dumps(card, indent=2))


def main():  # pragma: no cover - console entry point alias
    cli()
