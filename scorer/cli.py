"""Command line: a thin click layer over the library. Each command imports what it runs when it runs (so `--help`
stays fast); only the train, evaluate and corpus commands import `scorer.training`."""
from __future__ import annotations

import os
import sys
from functools import wraps
from itertools import chain

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


# output formats by file suffix (any case), as sqlite-utils and pandas read them: --format wins, then the suffix
SUFFIX_FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".json": "json", ".jsonl": "jsonl",
                  ".ndjson": "jsonl", ".html": "html", ".htm": "html", ".csv": "csv", ".parquet": "parquet"}
SCORE_FORMATS = ("text", "markdown", "json", "jsonl", "html")
BATCH_FORMATS = ("jsonl", "csv", "parquet")


def output_format(fmt: str | None, output, command: str, allowed: tuple[str, ...], default: str) -> str:
    """The output format: `fmt` (from --format), else the output's suffix (`SUFFIX_FORMATS`, any case), else
    `default`. A suffix naming a format `command` cannot write is a usage error (exit 2)."""
    if fmt:
        return fmt
    if output is None or output == "-":
        return default
    from pathlib import Path

    suffix = Path(output).suffix.lower()
    found = SUFFIX_FORMATS.get(suffix)
    if found is None:
        return default
    if found not in allowed:
        raise click.UsageError(f"{output}: scorer {command} does not write {found} (from the name's {suffix}); "
                               f"it writes {', '.join(allowed)}: rename the output or give --format")
    return found


@cli.command("score")
@click.argument("path", type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(SCORE_FORMATS, case_sensitive=False), default=None,
              help="Default: from the output's suffix (.txt .md .json .jsonl .html, any case), else text.")
@click.option("--output", "-o", type=click.Path(), default=None,
              help="Write here instead of standard output (not a directory, not the input file; its directory "
                   "must exist). An existing file is replaced.")
@MAX_BYTES_OPTION
@MODEL_OPTION
@reports_errors
def score_command(path, fmt, output, max_bytes, model_dir):
    """Score one article: a .txt/.md/.html file, an http(s):// URL (fetched, read as HTML), or - for standard
    input (HTML and Markdown recognised there and in files without a suffix).

    Example: scorer score examples/iran-bounties-commune.txt -o report.html
    """
    from .model.store import prefetch
    from .pool import single_threaded_scoring

    single_threaded_scoring()
    prefetch(model_dir)  # the model files are read and checked in a thread while the pipeline is imported
    from .pipeline import Scorer
    from .text.files import input_kind, read_stream

    fmt = output_format(fmt and fmt.lower(), output, "score", SCORE_FORMATS, "text")
    if "://" in path:  # the fetcher (http.client, ssl, email: about 20 ms) is imported only for what may be a URL
        from .text.fetch import is_url

        url = is_url(path)
    else:
        url = False
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
    if fmt in ("json", "jsonl"):  # in pieces (`Report.json_pieces`): a long report's JSON is never held whole
        pieces = chain(report.json_pieces(indent=2 if fmt == "json" else None), ["\n"])
        if output:
            from .atomic import write_text_atomic

            write_text_atomic(output, pieces)
        else:
            for piece in pieces:
                click.echo(piece, nl=False)
        return
    if fmt == "markdown":
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


class Progress:
    """The progress bar of a batch run on standard error (tqdm): records done out of the input's records, with
    percent, rate and ETA. It starts at the records the output already holds (a resumed run), and its rate
    and ETA count only the records scored by this run."""

    def __init__(self, total: int | None):
        self.total, self.bar = total, None

    def __call__(self, done: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            initial = min(done, self.total) if self.total is not None else done
            shape = None if self.total is None else \
                "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}{unit} [{elapsed}, ETA {remaining}, {rate_fmt}]"
            self.bar = tqdm(total=self.total, initial=initial, unit=" records", file=sys.stderr, dynamic_ncols=True,
                            desc="scoring", mininterval=0.2, smoothing=0.1, bar_format=shape)
            return
        if done > self.bar.n:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@cli.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path())
@click.option("--output", "-o", "out", required=True, type=click.Path(),
              help="A .jsonl file; a .csv or .parquet file (the articles table; see --sentences); or a directory "
                   "(no suffix) of the articles and sentences tables. Never the input or a directory holding it; "
                   "its directory must exist.")
@click.option("--format", "fmt", type=click.Choice(BATCH_FORMATS, case_sensitive=False), default=None,
              help="Default: from the output's suffix (.jsonl .csv .parquet, any case); a directory: csv "
                   "(dask: parquet).")
@click.option("--sentences", "sentences", type=click.Path(), default=None,
              help="With a .csv / .parquet output file: also write the sentences table to this file.")
@click.option("--keep-fields", "keep_fields", default="all", show_default=True, metavar="all|none|A,B",
              help="Input fields carried into the output (JSONL: under \"fields\"; tables: extra columns, "
                   "field_NAME if NAME is an output column). all: every field but the text and the id.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option("--text-field", default="text", show_default=True, help="JSONL key / CSV column with the text.")
@click.option("--id-field", default="id", show_default=True, help="JSONL key / CSV column with the article id.")
@click.option("--resume", is_flag=True, help="Continue an existing OUTPUT: skip the records it already has.")
@click.option("--overwrite", is_flag=True, help="Replace an existing OUTPUT (without it or --resume, an existing "
                                                "output is refused).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on standard error (default: if standard error is a terminal).")
@click.option("--backend", type=click.Choice(["local", "dask"], case_sensitive=False), default="local",
              show_default=True,
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
def batch_command(input_path, out, fmt, sentences, keep_fields, jobs, text_field, id_field, resume, overwrite,
                  progress, backend, scheduler, csv_raw, max_bytes, model_dir):
    """Score a directory of articles, a JSONL / CSV / Parquet file, or a directory of such files;
    one bad record never stops the run. SIGTERM stops it as Ctrl-C does (exit 143; Ctrl-C: 130).

    Example: scorer batch articles.jsonl -o scored.parquet --sentences sentences.parquet --jobs 2
    """
    backend = backend.lower()
    if scheduler and backend != "dask":
        raise click.UsageError("--scheduler needs --backend dask")
    if resume and overwrite:
        raise click.UsageError("--resume and --overwrite: give one of them")
    from .model.store import prefetch, release_prefetched, verify_model, verify_prefetched

    workers = jobs > 1 and backend == "local"
    if workers:  # the model files are read and checked in a thread while this process imports and checks the rest
        prefetch(model_dir, parse=False)
        # however the command ends (an output refused, a usage error): the bytes are not left to a later load here
        click.get_current_context().call_on_close(lambda: release_prefetched(model_dir))
    from .batch.records import count_records, parse_keep
    from .batch.run import check_batch_output, check_rerun, single_file_output

    fmt = fmt and fmt.lower()
    if backend == "dask":
        fmt = fmt or {".jsonl": "jsonl", ".csv": "csv"}.get(os.path.splitext(out)[1].lower(), "parquet")
        if sentences:
            raise click.UsageError("--sentences: the dask backend writes a directory of shards")
    else:
        fmt = output_format(fmt, out, "batch", BATCH_FORMATS, "csv")
    single = backend == "local" and single_file_output(out, fmt)
    if sentences and not single:
        raise click.UsageError("--sentences goes with a .csv or .parquet output file (JSONL lines and table "
                               "directories hold the sentences already)")
    keep = parse_keep(keep_fields)
    # an output that is (or would destroy) the input, or is in a missing directory, is refused before the model
    # is loaded; so is an existing output, unless --resume or --overwrite
    check_batch_output(input_path, out, directory=backend == "dask" or (fmt != "jsonl" and not single),
                       dask=backend == "dask", sentences=sentences)
    check_rerun([out, sentences], resume, overwrite)
    # fail fast (exit 3) before reading the corpus; with one job this process scores, so load the model
    # once here; with several, the workers load it and this process only checks it (and, for JSONL
    # output, never imports scikit-learn or pandas: about 190 MB less for the parent)
    scorer = None
    if backend == "local":
        from .pool import tune_malloc

        tune_malloc()  # this process gives freed memory back to the system as the workers do (pool.tune_malloc)
    if jobs == 1 and backend == "local":
        from .pool import single_threaded_scoring

        single_threaded_scoring()
        from .pipeline import Scorer

        scorer = Scorer(model_dir)
    elif workers:
        verify_prefetched(model_dir)  # run_batch forks the workers, which load these checked bytes, then lets them go
    else:
        verify_model(model_dir)
    show = sys.stderr.isatty() if progress is None else progress
    bar = Progress(count_records(input_path)) if show else None
    try:
        if backend == "dask":
            from .batch.dask import run_dask_batch

            ok, errors = run_dask_batch(input_path, out, fmt=fmt, scheduler=scheduler, workers=jobs,
                                        text_field=text_field, id_field=id_field, resume=resume,
                                        model_dir=model_dir, progress=bar, max_bytes=max_bytes,
                                        csv_escape=not csv_raw, keep=keep)
        else:
            from .batch.run import run_batch

            ok, errors = run_batch(input_path, out, fmt=fmt, jobs=jobs, text_field=text_field, id_field=id_field,
                                   resume=resume, model_dir=model_dir, progress=bar, scorer=scorer,
                                   max_bytes=max_bytes, csv_escape=not csv_raw, keep=keep, sentences=sentences)
    finally:
        if bar is not None:
            bar.close()
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
