"""A batch run: every record of the input scored into the output, in order, with resume, Ctrl-C and SIGTERM
handling, and the checks of an output before anything is written (`check_batch_output`, `check_rerun`).

Every input record appears exactly once in the output: a report (`status: "ok"`) or an error row.
Input is streamed and output written as it comes, so memory does not grow with the corpus.
"""
from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from ..atomic import cannot_write, check_parent, same_file
from ..errors import InputError, ScorerError
from ..model.store import release_prefetched
from ..pool import WorkerDied
from ..text.files import DEFAULT_MAX_BYTES
from .records import (ARTICLE_SUFFIXES, Keep, article_files, check_record_file, read_records, readahead_records,
                      record_files, table_fields)
from .workers import score_records, start_workers
from .writers import DoneRecords, open_writer, parts_directory

TABLE_FILE_SUFFIXES = (".csv", ".parquet")


def single_file_output(out, fmt: str) -> bool:
    """True if a csv / parquet output OUT is one file (the articles table) rather than a directory of the two
    tables: its name ends in .csv or .parquet (any case) and it is not an existing directory (an output
    written by an earlier version as a directory stays one)."""
    path = Path(out)
    return fmt in ("csv", "parquet") and path.suffix.lower() in TABLE_FILE_SUFFIXES and not path.is_dir()


class OutputExists(ScorerError):
    """An output that already exists, given without --resume or --overwrite (exit 2, as a usage error)."""

    exit_code = 2


def output_exists(path) -> bool:
    """True if `path` holds an earlier output: a file, a non-empty directory, or the parts of a single Parquet
    file that a killed run left."""
    path = Path(path)
    if path.is_dir():
        return next(path.iterdir(), None) is not None
    return path.exists() or parts_directory(path).exists()


def check_rerun(outputs, resume: bool, overwrite: bool) -> None:
    """Refuse (OutputExists, exit 2) an existing output unless `resume` or `overwrite` says what to do with it."""
    if resume or overwrite:
        return
    for out in outputs:
        if out is not None and output_exists(out):
            raise OutputExists(f"{os.fspath(out)}: exists; use --resume to continue or --overwrite to replace")


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


def check_batch_output(input_path, out, directory: bool, dask: bool = False, sentences=None) -> None:
    """Refuse, before anything is written, an output that would destroy the input or be read as input
    (InputError naming OUT; the CLI prints it on one line and exits 1):

    - a file output (JSONL) that is an existing directory, or is the input file itself (same device and
      inode: another spelling, a symbolic or a hard link of it);
    - a directory output (CSV / Parquet tables, Dask shards) that is an existing file, or that is or
      contains the input, file or directory (the writer deletes and rewrites table files in it);
    - an output inside an input directory of record files (shards), where it would be read as input;
      or inside an input directory of articles, a JSONL output named like an article (.txt/.md/.html).

    Being inside is decided on real paths (os.path.realpath), so links and other spellings count.
    `dask`: the output is the Dask backend's directory of shards (only the wording of an error changes).
    `sentences`: the sentences file of a single-file output, checked as a file output too. The directory an
    output is written in must exist (`atomic.check_parent`): it is never created."""
    if sentences is not None:
        if same_file(sentences, out) or os.path.abspath(sentences) == os.path.abspath(out):
            raise InputError(f"{os.fspath(sentences)}: is the output {os.fspath(out)}; give the sentences table "
                             "its own file")
        check_batch_output(input_path, sentences, directory=False)
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
    check_parent(out)


class BatchInterrupted(ScorerError):
    """Ctrl-C (SIGINT, exit 130) or SIGTERM (exit 143) during a batch run: what was written is complete and
    `--resume` carries on from it."""

    exit_code = 130

    def __init__(self, ok: int, errors: int, out, signum: int | None = None):
        word = "terminated" if signum == signal.SIGTERM else "interrupted"
        super().__init__(f"{word}: {ok} scored and {errors} errors written to {out}; "
                         "run the same command with --resume to score the rest")
        self.ok, self.errors = ok, errors
        if signum == signal.SIGTERM:
            self.exit_code = 128 + signal.SIGTERM


class StopSignals:
    """While active (in the main thread): SIGINT and SIGTERM both raise KeyboardInterrupt, so a run stopped by
    `kill`, a scheduler or `docker stop` ends as Ctrl-C does (output closed, summary, workers stopped), except
    inside `hold()`, where the signal waits until the block ends (so a record is written and counted together).
    `received` is the signal that came. A signal that was ignored when the run started (SIG_IGN, as in a
    background job) stays ignored. Elsewhere than in the main thread, nothing is changed."""

    def __init__(self):
        self.received: int | None = None
        self._held = False
        self._pending = False
        self._old: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                old = signal.getsignal(sig)
                if old is not signal.SIG_IGN:
                    self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
        self._old = {}

    def _handle(self, signum, frame) -> None:
        self.received = self.received or signum
        if self._held:
            self._pending = True
            return
        raise KeyboardInterrupt

    @contextmanager
    def hold(self, then_raise: bool = True):
        """Hold SIGINT / SIGTERM during the block; one that came raises KeyboardInterrupt after it (with
        `then_raise`; else only `received` tells)."""
        self._held = True
        try:
            yield
        finally:
            self._held = False
        if self._pending:
            self._pending = False
            if then_raise:
                raise KeyboardInterrupt


def run_batch(input_path, out, fmt: str = "jsonl", jobs: int = 1, text_field: str = "text", id_field: str = "id",
              resume: bool = False, model_dir=None, progress=None, scorer=None,
              max_bytes: int | None = DEFAULT_MAX_BYTES, csv_escape: bool = True, keep: Keep = "none",
              sentences=None) -> tuple[int, int]:
    """Score every record of `input_path` into `out`; returns (ok count, error count) of this run.

    `fmt` jsonl: one line per record. csv / parquet: the directory OUT of the articles and sentences tables,
    or, when OUT is named .csv / .parquet (`single_file_output`), the articles table as that one file and the
    sentences table as the file `sentences` (if given). `keep`: the input fields carried into the output
    ("all", "none", or names; `records.parse_keep`): JSONL lines get them under "fields", tables as columns
    after their own (`tables.field_column`). `scorer`: an already loaded Scorer to use in this process when
    jobs == 1. `csv_escape`: see `escape_formulas`. `progress(n)` is called with the number of records the
    output holds: first with those already there (`resume`), then after each record.

    An input without records, or an output that is or would destroy the input (`check_batch_output`), is
    refused before the output is opened; an output that cannot be written raises InputError naming it.
    Raises BatchInterrupted on Ctrl-C or SIGTERM (`StopSignals`), after the results so far are written."""
    check_input(input_path)
    single = single_file_output(out, fmt)
    if sentences is not None and not single:
        raise InputError(f"{os.fspath(sentences)}: a sentences file goes with a single .csv or .parquet output "
                         "(JSONL lines and table directories hold the sentences already)")
    check_batch_output(input_path, out, directory=fmt != "jsonl" and not single, sentences=sentences)
    fields = table_fields(input_path, fmt, keep, text_field, id_field)
    # the workers load the model while the output is opened (a pool already started is kept); not for --resume,
    # where the records the output has already are not known yet (a worker might get no chunk)
    if not resume:
        start_workers(jobs, model_dir, readahead_records(input_path, text_field, id_field, max_bytes, keep))
    release_prefetched(model_dir)  # the model files a caller prefetched (`store.prefetch`): the workers hold them now
    with StopSignals() as stops:
        writer = open_writer(out, fmt, resume, csv_escape, fields=fields, single=single, sentences=sentences)
        done = DoneRecords(writer.done, whole_file=not Path(input_path).is_dir())
        records = (r for r in read_records(input_path, text_field, id_field, max_bytes, keep) if r not in done)
        ok = errors = 0
        already = len(writer.done)
        interrupted = False
        # a writer with `join` (JSONL) takes one item per chunk, (the records' statuses, what it writes); else one item
        # per record, its status first
        join = getattr(writer, "join", None)
        results = score_records(records, jobs=jobs, model_dir=model_dir, scorer=scorer, encode=writer.encode,
                                join=join)
        try:
            if progress is not None:
                progress(already)
            for item in results:
                statuses = item[0] if join is not None else (item[0],)
                with stops.hold():  # a record is written and counted, or neither
                    try:
                        writer.write_encoded(item)
                    except OSError as exc:
                        raise cannot_write(out, exc) from None
                    good = statuses.count("ok")
                    ok += good
                    errors += len(statuses) - good
                if progress is not None:
                    for k in range(len(statuses), 0, -1):
                        progress(already + ok + errors - k + 1)
        except KeyboardInterrupt:
            interrupted = True
        except WorkerDied:
            if not stops.received:  # a worker killed by the same SIGTERM as its parent (`kill -TERM -PGID`, systemd)
                raise
            interrupted = True
        finally:
            with stops.hold(then_raise=False):
                results.close()  # stops the workers now if the run stops early
                try:
                    writer.close()
                except OSError as exc:
                    raise cannot_write(out, exc) from None
    if interrupted or stops.received:
        raise BatchInterrupted(ok, errors, out, stops.received)
    return ok, errors
