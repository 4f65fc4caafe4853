"""Writing batch results, crash-safe and resumable: JSONL (one report or error row per line), or the articles and
sentences tables as CSV or Parquet parts; which input records an output already holds (`--resume`); and the
escaping of CSV cells that a spreadsheet would run as formulas.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

from ..atomic import cannot_write, write_text_atomic
from ..errors import InputError
from ..report.tables import article_frame, article_row, sentence_frame, sentence_rows
from ..text.files import replace_surrogates
from .records import Record


def record_key(row: dict) -> str:
    """What identifies an input record in the output: where it was read (file:line), which is unique
    even when ids repeat; outputs written before that was recorded fall back to the id."""
    where = row.get("input")
    return f"@{where}" if isinstance(where, str) and where else f"#{row.get('id')}"


def is_done(record: Record, done: set[str]) -> bool:
    """True if an output row for this input record was already written (by location as written, or by id);
    `DoneRecords` also knows other spellings of the same location."""
    return f"@{record.where}" in done or f"#{record.id}" in done


@lru_cache(maxsize=4096)
def _real_path(path: str) -> str:
    return os.path.realpath(path)


def canonical_location(where: str, whole_file: bool = True) -> str:
    """`where` (path:line, or a path) with its path in a canonical form. With `whole_file` (the input is
    one file) the file's real path (os.path.realpath: relative or absolute, ./x or x, and a symbolic
    link to the file all agree); otherwise (the input is a directory) the real path of the file's
    directory plus the file's own name, so that two links to one file inside the directory, which are
    two records, stay two locations."""
    path, sep, line = where.rpartition(":")
    if not (sep and path and line.isdigit()):
        path, line = where, ""
    else:
        line = ":" + line
    if whole_file:
        return _real_path(path) + line
    head, tail = os.path.split(path)
    return os.path.join(_real_path(head or "."), tail) + line


class DoneRecords:
    """The input records that an output already has a row for (`--resume`), from that output's record
    keys (`record_key`). A record is done if a row has its location as written in `input`, or the same
    location in canonical form (`canonical_location`), or, for rows of old outputs without `input`, its
    id. So resuming with another spelling of the same input path (relative or absolute, ./x or x, a
    symbolic link) skips what was done instead of scoring it again. The `input` column keeps the path
    as the user gave it. Relative paths resolve against the current directory: resuming from another
    directory needs the same file reached by its new relative path (or absolute paths)."""

    def __init__(self, keys: set[str], whole_file: bool):
        self.keys, self.whole_file = keys, whole_file
        self.canonical = {canonical_location(k[1:], whole_file) for k in keys if k.startswith("@")}

    def __contains__(self, record: Record) -> bool:
        if not self.keys:
            return False
        return is_done(record, self.keys) or canonical_location(record.where, self.whole_file) in self.canonical


def encode_jsonl(result: dict) -> tuple[str, str]:
    """(status, output line) of one result; runs in the worker, so only a string crosses processes.
    A lone surrogate that reached the result some other way than a Record becomes U+FFFD (UTF-8 cannot
    write it)."""
    return result["status"], replace_surrogates(json.dumps(result, ensure_ascii=False)) + "\n"


def encode_tables(result: dict) -> tuple[str, dict, list[dict]]:
    """(status, articles row, sentences rows) of one result; runs in the worker."""
    return result["status"], article_row(result), sentence_rows(result)


class JsonlWriter:
    """One JSON object per line, each written whole and flushed, so a killed run leaves at most one
    cut-off last line; resume cuts that line off and reads which records are done."""

    def __init__(self, out: Path, resume: bool):
        self.out = out
        if out.is_dir():
            raise InputError(f"{out}: is a directory; JSONL output is a file (for tables in a directory, "
                             "use --format csv or parquet)")
        self.done: set[str] = set()
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            if resume and out.exists():
                _drop_partial_last_line(out)
                self.done = _jsonl_keys(out)
            self.fh = out.open("a" if resume else "w", encoding="utf-8")
        except OSError as exc:
            raise cannot_write(out, exc) from None

    encode = staticmethod(encode_jsonl)

    def write(self, result: dict) -> None:
        self.write_encoded(self.encode(result))

    def write_encoded(self, item: tuple[str, str]) -> None:
        self.fh.write(item[1])
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def _drop_partial_last_line(path: Path) -> None:
    """Truncate a file after its last newline (the line an interrupted run was writing)."""
    with path.open("rb+") as fh:
        size = fh.seek(0, os.SEEK_END)
        pos = size
        while pos > 0:
            step = min(65536, pos)
            fh.seek(pos - step)
            block = fh.read(step)
            cut = block.rfind(b"\n")
            if cut >= 0:
                pos = pos - step + cut + 1
                break
            pos -= step
        if pos != size:
            fh.truncate(pos)


def _jsonl_keys(path: Path) -> set[str]:
    keys = set()
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                keys.add(record_key(json.loads(line)))
            except (ValueError, AttributeError):
                continue  # not a result line: the record it was for is scored again
    return keys


def unique_token() -> str:
    """A token for temporary file names that no other process or attempt uses."""
    import uuid

    return f"{os.getpid()}-{uuid.uuid4().hex[:12]}"


FORMULA_START = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _formula_like(value) -> bool:
    return isinstance(value, str) and value[:1] in FORMULA_START and not _NUMBER.fullmatch(value)


def escape_formulas(frame):
    """`frame` for a CSV file that may be opened in a spreadsheet: each text cell that starts with =, +,
    -, @, a tab or a carriage return gets an apostrophe in front, so that the spreadsheet shows it as
    text instead of running it as a formula (CSV injection). A number written as text (an id like "-5")
    is left as it is, as are cells that are not text (numbers, booleans, missing values). Only CSV output
    is escaped (JSONL and Parquet keep every value as it is); `scorer batch --csv-raw` turns it off."""
    from pandas.api.types import is_string_dtype

    changed = {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or is_string_dtype(values.dtype):
            if any(map(_formula_like, values)):
                changed[column] = type(values)([f"'{v}" if _formula_like(v) else v for v in values],
                                               index=values.index, dtype=values.dtype)
    return frame.assign(**changed) if changed else frame


def unescape_formula(value):
    """A cell value as it was before `escape_formulas` (used to read back ids and locations on resume)."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def write_table_pair(out: Path, name: str, articles, sentences, csv_escape: bool = True) -> None:
    """OUT/sentences/NAME then OUT/articles/NAME (Parquet, or CSV if NAME ends in .csv, with
    `escape_formulas` unless `csv_escape` is false), each written under a temporary name and renamed,
    so an articles part on disk means its sentences part is complete."""
    for frame, sub in ((sentences, "sentences"), (articles, "articles")):
        tmp = out / sub / f".{name}.{unique_token()}.tmp"  # two attempts at one part never share a temp file
        if name.endswith(".csv"):
            (escape_formulas(frame) if csv_escape else frame).to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)
        os.replace(tmp, out / sub / name)


class TableWriter:
    """Two tables joined by article id: OUT/articles.csv + OUT/sentences.csv, or Parquet parts under
    OUT/articles/ and OUT/sentences/ (one part per flush, so resuming appends).

    Crash safety: Parquet parts are written under a temporary name and renamed, sentences before
    articles, so an articles part means its sentences are complete. CSV rows are appended and
    then the committed sizes of both files are recorded atomically in OUT/.committed.json; resume
    cuts both files back to those sizes, dropping whatever a killed run was half-way through.

    CSV cells are written through `escape_formulas` unless `csv_escape` is false.
    """

    STATE = ".committed.json"

    def __init__(self, out: Path, fmt: str, resume: bool, flush_every: int = 200, csv_escape: bool = True):
        try:
            self._open(out, fmt, resume, flush_every, csv_escape)
        except OSError as exc:
            if out.exists() and not out.is_dir():
                raise InputError(f"{out}: is a file; {fmt} output is a directory (articles and sentences "
                                 "tables)") from None
            raise cannot_write(out, exc) from None

    def _open(self, out: Path, fmt: str, resume: bool, flush_every: int, csv_escape: bool) -> None:
        import pandas as pd

        self.pd, self.out, self.fmt, self.flush_every, self.csv_escape = pd, out, fmt, flush_every, csv_escape
        out.mkdir(parents=True, exist_ok=True)
        self.articles: list[dict] = []
        self.sentences: list[dict] = []
        self.done: set[str] = set()
        if fmt == "csv":
            self.paths = (out / "articles.csv", out / "sentences.csv")
            if resume and self.paths[0].exists():
                self._restore_csv()
            else:
                for path in self.paths:
                    path.unlink(missing_ok=True)
                self._commit_csv()
        else:
            for sub in ("articles", "sentences"):
                (out / sub).mkdir(exist_ok=True)
                for tmp in (out / sub).glob(".*.tmp"):
                    tmp.unlink()
                if not resume:
                    for old in (out / sub).glob("*.parquet"):
                        old.unlink()
            parts = sorted((out / "articles").glob("*.parquet"))
            complete = {part.name for part in parts}
            for orphan in (out / "sentences").glob("*.parquet"):
                if orphan.name not in complete:  # its articles part was never written
                    orphan.unlink()
            if parts:
                self.done = self._keys(pd.read_parquet(out / "articles"))
            self.run = max((int(p.name.split("-")[1]) for p in parts), default=-1) + 1
            self.part = 0

    def _keys(self, frame) -> set[str]:
        rows = frame[[c for c in ("id", "input") if c in frame]].to_dict("records")
        keys = {record_key(row) for row in rows}
        if self.fmt == "csv":  # the cells may have been escaped (escape_formulas): the values as they were
            keys |= {record_key({k: unescape_formula(v) for k, v in row.items()}) for row in rows}
        return keys

    def _restore_csv(self) -> None:
        state_path = self.out / self.STATE
        if state_path.exists():  # cut off rows of a flush that was never committed
            sizes = json.loads(state_path.read_text(encoding="utf-8"))
            for path in self.paths:
                if path.exists() and path.stat().st_size > sizes.get(path.name, 0):
                    with path.open("rb+") as fh:
                        fh.truncate(sizes.get(path.name, 0))
        if self.paths[0].exists() and self.paths[0].stat().st_size:
            self.done = self._keys(self.pd.read_csv(self.paths[0], dtype=str, keep_default_na=False))

    def _commit_csv(self) -> None:
        sizes = {path.name: path.stat().st_size if path.exists() else 0 for path in self.paths}
        write_text_atomic(self.out / self.STATE, json.dumps(sizes))

    encode = staticmethod(encode_tables)

    def write(self, result: dict) -> None:
        self.write_encoded(self.encode(result))

    def write_encoded(self, item: tuple[str, dict, list[dict]]) -> None:
        self.articles.append(item[1])
        self.sentences.extend(item[2])
        if len(self.articles) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if not self.articles:
            return
        arts, sents = article_frame(self.articles), sentence_frame(self.sentences)
        if self.fmt == "csv":
            for frame, path in ((sents, self.paths[1]), (arts, self.paths[0])):
                frame = escape_formulas(frame) if self.csv_escape else frame
                data = frame.to_csv(index=False, header=not path.exists() or path.stat().st_size == 0)
                with path.open("a", encoding="utf-8", newline="") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            self._commit_csv()
        else:
            write_table_pair(self.out, f"part-{self.run:04d}-{self.part:05d}.parquet", arts, sents)
            self.part += 1
        self.articles, self.sentences = [], []

    def close(self) -> None:
        self.flush()


def open_writer(out: str | Path, fmt: str, resume: bool, csv_escape: bool = True):
    out = Path(out)
    if fmt == "jsonl":
        return JsonlWriter(out, resume)
    return TableWriter(out, fmt, resume, csv_escape=csv_escape)
