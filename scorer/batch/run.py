"""A batch run: every record of the input scored into the output, in order, with resume and Ctrl-C handling.

Every input record appears exactly once in the output: a report (`status: "ok"`) or an error row.
Input is streamed and output written as it comes, so memory does not grow with the corpus.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..atomic import cannot_write, same_file
from ..errors import InputError, ScorerError
from ..text.files import DEFAULT_MAX_BYTES
from .records import ARTICLE_SUFFIXES, article_files, check_record_file, read_records, record_files
from .workers import score_records
from .writers import DoneRecords, open_writer


def check_input(input_path) -> None:
    """Raise the input error of an input that has no records at all (missing, not a record file, a
    directory with neither articles nor record files) before any output is opened."""
    path = Path(input_path)
    if not path.is_dir():
        check_record_file(path)
    elif next(article_files(path), None) is None:
        record_files(path, required=True)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_batch_output(input_path, out, directory: bool, dask: bool = False) -> None:
    """Refuse, before anything is written, an output that would destroy the input or be read as input
    (InputError naming OUT; the CLI prints it on one line and exits 1):

    - a file output (JSONL) that is an existing directory, or is the input file itself (same device and
      inode: another spelling, a symbolic or a hard link of it);
    - a directory output (CSV / Parquet tables, Dask shards) that is an existing file, or that is or
      contains the input, file or directory (the writer deletes and rewrites table files in it);
    - an output inside an input directory of record files (shards), where it would be read as input;
      or inside an input directory of articles, a JSONL output named like an article (.txt/.md/.html).

    Being inside is decided on real paths (os.path.realpath), so links and other spellings count.
    `dask`: the output is the Dask backend's directory of shards (only the wording of an error changes)."""
    name, source = os.fspath(out), os.fspath(input_path)  # as the user spelled them, for the messages
    input_path, out = Path(input_path), Path(out)
    if directory:
        if out.exists() and not out.is_dir():
            if dask:
                raise InputError(f"{name}: the dask backend writes a directory of shards; this is a file")
            raise InputError(f"{name}: is a file; the output is a directory of tables here (give a directory, "
                             "or a .jsonl file with --format jsonl)")
    else:
        if out.is_dir():
            raise InputError(f"{name}: is a directory; JSONL output is a file (for tables in a directory, "
                             "use --format csv or parquet)")
        if same_file(out, input_path):
            raise InputError(f"{name}: is the input file {source}; write the output to another file")
    real_in, real_out = Path(os.path.realpath(input_path)), Path(os.path.realpath(out))
    if directory and _inside(real_in, real_out):
        raise InputError(f"{name}: contains the input {source}, and its table files are replaced; "
                         "write the output to another directory")
    if input_path.is_dir() and _inside(real_out, real_in):
        if next(article_files(input_path), None) is None:
            raise InputError(f"{name}: is inside the input directory {source}, whose record files are all "
                             "read as input; write the output outside it")
        if not directory and out.suffix.lower() in ARTICLE_SUFFIXES:
            raise InputError(f"{name}: is inside the input directory {source} and named like an article, "
                             "so it would be read as input; write the output outside it or name it .jsonl")


class BatchInterrupted(ScorerError):
    """Ctrl-C during a batch run: what was written is complete and `--resume` carries on from it."""

    exit_code = 130

    def __init__(self, ok: int, errors: int, out):
        super().__init__(f"interrupted: {ok} scored and {errors} errors written to {out}; "
                         "run the same command with --resume to score the rest")
        self.ok, self.errors = ok, errors


def run_batch(input_path, out, fmt: str = "jsonl", jobs: int = 1, text_field: str = "text", id_field: str = "id",
              resume: bool = False, model_dir=None, progress=None, scorer=None,
              max_bytes: int | None = DEFAULT_MAX_BYTES, csv_escape: bool = True) -> tuple[int, int]:
    """Score every record of `input_path` into `out`; returns (ok count, error count).
    `scorer`: an already loaded Scorer to use in this process when jobs == 1. `csv_escape`: see
    `escape_formulas`. An input without records, or an output that is or would destroy the input
    (`check_batch_output`), is refused before the output is opened; an output that cannot be written
    raises InputError naming it. Raises BatchInterrupted on Ctrl-C, after the results so far are written."""
    check_input(input_path)
    check_batch_output(input_path, out, directory=fmt != "jsonl")
    writer = open_writer(out, fmt, resume, csv_escape)
    done = DoneRecords(writer.done, whole_file=not Path(input_path).is_dir())
    records = (r for r in read_records(input_path, text_field, id_field, max_bytes) if r not in done)
    ok = errors = 0
    interrupted = False
    try:
        for item in score_records(records, jobs=jobs, model_dir=model_dir, scorer=scorer, encode=writer.encode):
            try:
                writer.write_encoded(item)
            except OSError as exc:
                raise cannot_write(out, exc) from None
            if item[0] == "ok":
                ok += 1
            else:
                errors += 1
            if progress is not None:
                progress(ok + errors)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        try:
            writer.close()
        except OSError as exc:
            raise cannot_write(out, exc) from None
    if interrupted:
        raise BatchInterrupted(ok, errors, out)
    return ok, errors
