"""Writing batch results, crash-safe and resumable: JSONL (one report or error row per line), or the articles and
sentences tables as CSV or Parquet parts; which input records an output already holds (`--resume`); and the
escaping of CSV cells that a spreadsheet would run as formulas.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from functools import lru_cache, partial
from math import isnan
from pathlib import Path

from ..atomic import cannot_write, write_text_atomic
from ..errors import InputError
from ..report.report import dumps, plain_json
from ..report.tables import (ARTICLE_COLUMNS, SENTENCE_COLUMNS, SPAN_COLUMNS, arrow_table, article_row,
                              csv_article_cells, csv_frame, csv_sentence_columns, join_tables, pack_columns, pack_rows,
                              sentence_columns, sentence_rows, table_schema)
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
    Written by `report.dumps` (orjson when installed: compact; else the standard library), so that the line parses
    the same either way; input fields that are not plain JSON values (`plain_json`: a NaN, a datetime) are written
    by the standard library (`default=str`). A lone surrogate that reached the result some other way than a Record
    becomes U+FFFD (UTF-8 cannot write it)."""
    return _jsonl_line(result, False)


def encode_jsonl_bytes(result: dict) -> tuple[str, bytes]:
    """`encode_jsonl` with the line as its UTF-8 bytes, as orjson writes them (not decoded and encoded again: ~45 ms
    of the two workers' CPU for the 31 MB of lines of 15 x the dev articles; fixed17)."""
    return _jsonl_line(result, True)


def _jsonl_line(result: dict, encoded: bool):
    fields = result.get("fields")
    line = dumps(result, default=str, fast=not fields or plain_json(fields), fffd=True, encoded=encoded)
    return result["status"], line + (b"\n" if encoded else "\n")


def join_jsonl(items: list[tuple[str, bytes]]) -> list[tuple[tuple[str, ...], bytes]]:
    """A chunk's `encode_jsonl_bytes` items as one item, (the statuses, the lines joined); runs in the worker, so the
    parent receives, and writes, one bytes object per chunk instead of a str per record that it decoded from the pipe
    and encoded again to write (the parent of `scorer batch --jobs 2` of 15 x the dev articles, cProfile: its writes
    and unpickling 72 ms -> 23 ms; fixed17)."""
    if not items:
        return []
    return [(tuple(status for status, _ in items), b"".join(line for _, line in items))]


def encode_tables(result: dict) -> tuple[str, dict, list[dict]]:
    """(status, articles row, sentences rows) of one result; runs in the worker."""
    return result["status"], article_row(result), sentence_rows(result)


def encode_parquet_tables(result: dict, fields=(), sentences: bool = True):
    """(status, articles row packed, sentences rows packed or None, the kept fields' values) of one result for a
    Parquet `TableWriter` (`tables.pack_rows`: a few byte strings instead of a dict per row); runs in the worker.
    `fields`: the kept fields' columns; `sentences`: false if the sentences table is not written."""
    row = article_row(result)
    return (result["status"], pack_rows([row], "articles"),
            pack_columns(sentence_columns(result), len(result.get("sentences", [])), "sentences") if sentences
            else None, [row.get(c) for c in fields])


def encode_csv_tables(result: dict, columns: tuple[tuple[str, ...], tuple[str, ...] | None], escape: bool = True):
    """(status, articles CSV, sentences CSV, articles row as CSV cells) of one result for a CSV `TableWriter`, the
    CSV each (text, cell types) (`csv_rows`); runs in the worker, so the parent receives two strings instead of a dict per sentence, and writes
    them without building pandas frames (the sentences frame cost the parent ~1.7 ms per article on one core while
    the workers waited, and pandas' import 0.4 s). `columns`: the articles file's and the sentences file's columns
    (a resumed file's header; None: no sentences file). The parent corrects the few cells whose column's type a
    whole flush decides (`join_csv`). The articles row goes too: a flush whose kept fields hold values of other
    types than None, bool, int, float and str (a timestamp from a Parquet input, which pandas writes by the types of
    the whole column) is written from the rows by pandas, as before (`TableWriter.flush`)."""
    row = csv_article_cells(article_row(result))
    articles = csv_rows({column: [value] for column, value in row.items()}, 1, columns[0], escape)
    sentences = ("", 0) if columns[1] is None else csv_rows(
        csv_sentence_columns(result), len(result.get("sentences", [])), columns[1], escape, SPAN_COLUMNS)
    return result["status"], articles, sentences, row


# The Python types of a column's cells in one result's rows, a bit each, one byte per column in a result's mask
# (`csv_rows`): pandas decides a column's type, and so how its numbers are written, from all the rows of a flush
# (`csv_frame`). Integers and missing values (or integers and floats) make a float column, whose integers are
# written 3.0; integers with text or booleans an object column, written 3. AS_FLOAT: this result's integers of the
# column were written as floats (its cells were integers and missing values only).
_NONE, _BOOL, _INT, _FLOAT, _STR, _OTHER, _AS_FLOAT = 1, 2, 4, 8, 16, 32, 64
_CELL_TYPES = {type(None): _NONE, bool: _BOOL, int: _INT, float: _FLOAT, str: _STR}
_EXACT = 2 ** 53  # integers written as floats here are at most this large (their float text gives them back)
_FLOAT_COLUMN = frozenset(t for t in range(64) if t & _INT and t & (_NONE | _FLOAT) and not t & (_BOOL | _STR | _OTHER))


def csv_rows(table: dict[str, list], count: int, columns, escape: bool = True, integers=()) -> tuple[str, int]:
    """The CSV text (no header) of `count` rows of CSV cells (`table`: the values of each column, as
    `csv_article_cells` and `csv_sentence_columns` make them; a column not there is missing) in `columns`, as
    pandas writes them in a frame of their own (`csv_frame`, `escape_formulas` if `escape`, `to_csv`: missing values
    and NaN empty, floats as repr, a column of integers and missing values as floats, the columns `integers`, nullable
    integers, as integers), and the mask of the cells' types (a byte per column), with which `join_csv` writes them
    as in the frame of a whole flush. Integers outside int64 (pandas makes their column uint64 or object, by the
    whole flush) and values of other types than None, bool, int, float and str (none in a report) are written as
    text (str), as in a column of mixed types, and marked (_OTHER): a flush of articles rows with such a cell is
    written by pandas from the rows (`TableWriter.flush`)."""
    if not count:
        return "", 0
    cells, mask, missing = [], 0, [None] * count
    for k, column in enumerate(columns):
        values = table.get(column, missing)
        tags = 0
        for kind in set(map(type, values)):
            tags |= _CELL_TYPES.get(kind, _OTHER)
        exact = True
        if tags & _INT:
            ints = values if tags == _INT else [v for v in values if type(v) is int]
            low, high = min(ints), max(ints)
            if low < -2 ** 63 or high >= 2 ** 63:  # pandas: uint64 or object, decided over the whole flush
                tags |= _OTHER
            exact = -_EXACT <= low and high <= _EXACT
        if tags & _FLOAT and (any(map(isnan, values)) if tags == _FLOAT else
                              any(v != v for v in values if type(v) is float)):
            values = [None if type(v) is float and v != v else v for v in values]  # NaN: missing
        if tags & _STR and escape and _maybe_formula(values) and any(map(_formula_like, values)):
            values = [f"'{v}" if _formula_like(v) else v for v in values]
        if tags == _INT | _NONE and exact and column not in integers:
            values = [None if v is None else float(v) for v in values]
            tags |= _AS_FLOAT
        cells.append(values)
        mask |= tags << 8 * k
    return _csv_text(zip(*cells)), mask


def _csv_text(rows) -> str:
    """Rows of cells as CSV text, as `csv_frame(...).to_csv` writes them (the csv module, "\\n" line ends)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def has_other_values(parts: list[tuple[str, int]], width: int) -> bool:
    """True if a cell of the results' rows (`csv_rows`) was of another type than None, bool, int, float and str."""
    other = sum(_OTHER << 8 * k for k in range(width))
    return any(mask & other for _, mask in parts)


def join_csv(parts: list[tuple[str, int]], columns, integers=()) -> str:
    """The CSV text of a flush's rows from the results' (`csv_rows`): their columns' types decided over the whole
    flush, as `csv_frame` does, so the integers of a column that is a float column in the flush but not in one
    result are written as floats there (3.0), and the other way round. Only those results' rows are read again."""
    union = 0
    for _, mask in parts:
        union |= mask
    floats = [k for k, column in enumerate(columns)
              if column not in integers and (union >> 8 * k) & 0x3F in _FLOAT_COLUMN]
    ints = sum(_INT << 8 * k for k in floats)
    as_float = sum(_AS_FLOAT << 8 * k for k in floats)
    not_float = sum(_AS_FLOAT << 8 * k for k in range(len(columns))) & ~as_float
    texts = []
    for text, mask in parts:
        if mask & ints & ~((mask & as_float) >> 4) or mask & not_float:
            text = _retype(text, mask, floats, len(columns))
        texts.append(text)
    return "".join(texts)


def _retype(text: str, mask: int, floats: list[int], width: int) -> str:
    """A result's CSV rows with the integers of the columns `floats` written as floats, and those of other columns
    that it wrote as floats as integers."""
    to_float = [k for k in floats if (mask >> 8 * k) & (_INT | _AS_FLOAT) == _INT]
    to_int = [k for k in range(width) if (mask >> 8 * k) & _AS_FLOAT and k not in floats]
    # csv writes a lone carriage return unquoted (as pandas' to_csv does), and csv.reader would end a row there: the
    # text is read with a character it does not hold in the carriage returns' place, and they are put back in the cells
    # (which the writer then quotes exactly as it did the first time)
    mark = _absent_character(text) if "\r" in text else None
    rows = list(csv.reader(io.StringIO(text if mark is None else text.replace("\r", mark), newline="")))
    if mark is not None:
        rows = [[cell.replace(mark, "\r") for cell in row] for row in rows]
    for row in rows:
        for k in to_float:
            try:
                row[k] = repr(float(int(row[k])))
            except ValueError:  # empty, or a float already
                pass
        for k in to_int:
            if row[k]:
                row[k] = str(int(float(row[k])))
    return _csv_text(rows)


def _absent_character(text: str) -> str:
    """A private-use character that `text` does not contain (there are 6,400; a text holding them all has one of the
    supplementary planes' private-use characters free)."""
    for code in (*range(0xE000, 0xF900), *range(0xF0000, 0xFFFFE)):
        if chr(code) not in text:
            return chr(code)
    raise ValueError("no private-use character is free")  # not reached: the text would be over 70,000 characters


class JsonlWriter:
    """One JSON object per line, each chunk's lines written whole in one write and flushed, so a killed run leaves
    at most one cut-off last line; resume cuts that line off and reads which records are done. Written as bytes
    (`join_jsonl`), with each line's end as a text file's would be (os.linesep)."""

    def __init__(self, out: Path, resume: bool):
        self.out = out
        if out.is_dir():
            raise InputError(f"{out}: is a directory; JSONL output is a file (for tables in a directory, "
                             "use --format csv or parquet)")
        self.done: set[str] = set()
        try:
            if resume and out.exists():
                _drop_partial_last_line(out)
                self.done = _jsonl_keys(out)
            self.fh = out.open("ab" if resume else "wb")
        except OSError as exc:
            raise cannot_write(out, exc) from None

    encode = staticmethod(encode_jsonl_bytes)
    join = staticmethod(join_jsonl)  # the items `write_encoded` takes: one per chunk of records

    def write(self, result: dict) -> None:
        for item in self.join([self.encode(result)]):
            self.write_encoded(item)

    def write_encoded(self, item: tuple[tuple[str, ...], bytes]) -> None:
        """Write a `join_jsonl` item: the lines of its records (as many as its statuses)."""
        data = item[1]
        if _NEWLINE != b"\n":  # (the lines hold no other newline: JSON escapes those inside strings)
            data = data.replace(b"\n", _NEWLINE)
        self.fh.write(data)
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


_NEWLINE = os.linesep.encode("ascii")  # a JSONL line's end, as a file opened as text writes "\n"


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
_FORMULA_PREFIXES = tuple(sorted(FORMULA_START))
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


# a text value that starts as a formula does, among text values joined by NUL
_FORMULA_AFTER_NUL = re.compile("(?:^|\x00)[" + re.escape("".join(_FORMULA_PREFIXES)) + "]")


def _maybe_formula(values: list) -> bool:
    """False if no text value starts as a formula does (one search of them all; True may be wrong, never False)."""
    return _FORMULA_AFTER_NUL.search("\x00".join(v for v in values if type(v) is str)) is not None


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
        if values.dtype != object and is_string_dtype(values.dtype) and not values.str.startswith(
                _FORMULA_PREFIXES, na=False).any():
            continue  # a text column (pandas' str dtype) with no cell starting as a formula does: the common case
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


def write_table(rows, kind: str, path: Path, csv: bool, fields=(), csv_escape: bool = True) -> None:
    """Rows of the articles or sentences table (`kind`) as one file at `path`: Parquet (list and struct columns;
    `rows` may be the Arrow table already), or with `csv` CSV (lists and structs as JSON text, `escape_formulas`
    unless `csv_escape` is false)."""
    if csv:
        frame = csv_frame(rows, kind, fields)
        (escape_formulas(frame) if csv_escape else frame).to_csv(path, index=False)
    else:
        import pyarrow.parquet as pq

        pq.write_table(arrow_table(rows, kind, fields) if isinstance(rows, list) else rows, path)


def write_table_pair(out: Path, name: str, articles, sentences, csv_escape: bool = True, fields=()) -> None:
    """OUT/sentences/NAME then OUT/articles/NAME (Parquet, or CSV if NAME ends in .csv; see `write_table`) of
    the rows `articles` and `sentences` (rows, or for Parquet their Arrow tables; None: no sentences part), each
    written under a temporary name and renamed, so an articles part on disk means its sentences part is complete."""
    for rows, sub in ((sentences, "sentences"), (articles, "articles")):
        if rows is None:
            continue
        tmp = out / sub / f".{name}.{unique_token()}.tmp"  # two attempts at one part never share a temp file
        write_table(rows, sub, tmp, name.endswith(".csv"), fields, csv_escape)
        os.replace(tmp, out / sub / name)


def _csv_header(path: Path) -> list[str] | None:
    """The header of an existing, non-empty CSV file (None if there is none)."""
    import csv

    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh), None)


class TableWriter:
    """Two tables joined by article id: OUT/articles.csv + OUT/sentences.csv, or Parquet parts under
    OUT/articles/ and OUT/sentences/ (one part per flush, so resuming appends). With `files` (the single-file
    CSV layout), the two CSV files are those paths instead (sentences None: not written) and the committed
    sizes are kept beside the articles file (`.NAME.committed.json`, removed when the run ends).

    Crash safety: Parquet parts are written under a temporary name and renamed, sentences before
    articles, so an articles part means its sentences are complete. CSV rows are appended and
    then the committed sizes of both files are recorded atomically in OUT/.committed.json; resume
    cuts both files back to those sizes, dropping whatever a killed run was half-way through.

    `fields`: the kept input fields' columns, written after the articles table's own (a resumed CSV keeps the
    columns of its header). CSV cells are written through `escape_formulas` unless `csv_escape` is false.
    """

    STATE = ".committed.json"

    def __init__(self, out: Path, fmt: str, resume: bool, flush_every: int = 200, csv_escape: bool = True,
                 fields=(), files: tuple[Path, Path | None] | None = None, sentences: bool = True):
        self.fields, self.files, self.write_sentences = list(fields), files, sentences
        try:
            self._open(out, fmt, resume, flush_every, csv_escape)
        except OSError as exc:
            if files is None and out.exists() and not out.is_dir():
                raise InputError(f"{out}: is a file; {fmt} output is a directory (articles and sentences "
                                 "tables)") from None
            raise cannot_write(out, exc) from None

    def _open(self, out: Path, fmt: str, resume: bool, flush_every: int, csv_escape: bool) -> None:
        self.out, self.fmt, self.flush_every, self.csv_escape = out, fmt, flush_every, csv_escape
        self.articles: list = []
        self.sentences: list = []
        self.field_values: list[list] = []
        self.done: set[str] = set()
        if fmt == "csv":
            if self.files is None:
                out.mkdir(exist_ok=True)
                self.paths = (out / "articles.csv", out / "sentences.csv")
                self.state = out / self.STATE
            else:
                self.paths = self.files
                self.state = self.files[0].parent / f".{self.files[0].name}.committed.json"
            if resume and self.paths[0].exists():
                self._restore_csv()
            else:
                for path in self.paths:
                    if path is not None:
                        path.unlink(missing_ok=True)
                self._commit_csv()
            # a resumed file keeps its own columns (its header; a new file's is written with the first rows); the rows
            # are made CSV text in the workers with these columns
            headers = [_csv_header(path) if path is not None else None for path in self.paths]
            self.columns = (tuple(headers[0] or ARTICLE_COLUMNS + self.fields),
                            None if self.paths[1] is None else tuple(headers[1] or SENTENCE_COLUMNS))
            self.encode = partial(encode_csv_tables, columns=self.columns, escape=csv_escape)
        else:
            out.mkdir(exist_ok=True)
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
            for part in parts:
                self.done |= self._keys(_parquet_keys(part))
            self.run = max((int(p.name.split("-")[1]) for p in parts), default=-1) + 1
            self.part = 0
            self.encode = partial(encode_parquet_tables, fields=tuple(self.fields), sentences=self.write_sentences)

    def _keys(self, rows: list[dict]) -> set[str]:
        keys = {record_key(row) for row in rows}
        if self.fmt == "csv":  # the cells may have been escaped (escape_formulas): the values as they were
            keys |= {record_key({k: unescape_formula(v) for k, v in row.items()}) for row in rows}
        return keys

    def _restore_csv(self) -> None:
        import pandas as pd

        if self.state.exists():  # cut off rows of a flush that was never committed
            sizes = json.loads(self.state.read_text(encoding="utf-8"))
            for path in self.paths:
                if path is not None and path.exists() and path.stat().st_size > sizes.get(path.name, 0):
                    with path.open("rb+") as fh:
                        fh.truncate(sizes.get(path.name, 0))
        else:
            self._commit_csv()  # a finished output: what it holds now is committed
        if self.paths[0].exists() and self.paths[0].stat().st_size:
            header = _csv_header(self.paths[0]) or []
            keys = [c for c in ("id", "input") if c in header]
            frame = pd.read_csv(self.paths[0], dtype=str, keep_default_na=False, usecols=keys)
            self.done = self._keys(frame.to_dict("records"))

    def _commit_csv(self) -> None:
        sizes = {path.name: path.stat().st_size if path.exists() else 0 for path in self.paths if path is not None}
        write_text_atomic(self.state, json.dumps(sizes))


    def write(self, result: dict) -> None:
        self.write_encoded(self.encode(result))

    def write_encoded(self, item: tuple) -> None:
        """Takes what `encode` made of a result: for CSV (status, articles CSV, sentences CSV), each (text, cell
        types), and the articles row (`encode_csv_tables`); for Parquet (status, articles packed, sentences packed, kept
        fields' values) (`encode_parquet_tables`)."""
        self.articles.append(item[1])
        if self.write_sentences:
            self.sentences.append(item[2])
        self.field_values.append(item[3])  # CSV: the articles row
        if len(self.articles) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if not self.articles:
            return
        if self.fmt == "csv":
            for parts, path, columns, integers in ((self.sentences, self.paths[1], self.columns[1], SPAN_COLUMNS),
                                                   (self.articles, self.paths[0], self.columns[0], ())):
                if path is None:
                    continue
                first = not path.exists() or path.stat().st_size == 0
                if parts is self.articles and has_other_values(parts, len(columns)):
                    frame = csv_frame(self.field_values, "articles", self.fields).reindex(columns=list(columns))
                    data = (escape_formulas(frame) if self.csv_escape else frame).to_csv(index=False, header=first)
                else:
                    data = join_csv(parts, columns, integers)
                    if first:
                        data = _csv_text([columns]) + data
                with path.open("a", encoding="utf-8", newline="") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            self._commit_csv()
        else:
            write_table_pair(self.out, f"part-{self.run:04d}-{self.part:05d}.parquet",
                             join_tables(self.articles, "articles", self.fields, self.field_values),
                             join_tables(self.sentences, "sentences") if self.write_sentences else None)
            self.part += 1
        self.articles, self.sentences, self.field_values = [], [], []

    def close(self) -> None:
        self.flush()
        if self.fmt == "csv" and self.files is not None:
            self.state.unlink(missing_ok=True)  # the files are whole: nothing to cut back on resume


def _parquet_keys(path: Path) -> list[dict]:
    """The id and input of each row of a Parquet part (only those columns are read); a part that is not
    Parquet is an InputError naming it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        names = pq.ParquetFile(path).schema_arrow.names
        return pq.read_table(path, columns=[c for c in ("id", "input") if c in names]).to_pylist()
    except pa.ArrowException as exc:
        raise InputError(f"{path}: not a readable Parquet file, so it cannot be resumed ({exc})") from None


def parts_directory(out: Path) -> Path:
    """Where a single Parquet file's parts are kept while it is being written: `.NAME.parts` beside it."""
    return out.parent / f".{out.name}.parts"


class ParquetFileWriter:
    """The articles table as one Parquet file OUT (and the sentences table as one file `sentences`, if given).

    Parquet cannot be appended to, so rows are written as crash-safe parts (a `TableWriter` on the hidden
    directory `.OUT.parts` beside OUT) and the parts are merged into OUT (and `sentences`) when the run
    ends, interrupted or not, each file under a temporary name and renamed; then the parts are removed.
    While the parts directory exists it holds everything written (a run killed before the merge leaves it,
    and `--resume` carries on from it). Resuming a finished file first links it (or copies it) into a new
    parts directory as its first part."""

    def __init__(self, out: Path, resume: bool, flush_every: int = 200, fields=(), sentences: Path | None = None):
        self.out, self.sentences_out, self.fields = out, sentences, list(fields)
        self.parts = parts_directory(out)
        try:
            if resume and not self.parts.exists() and out.exists():
                self._import_finished()
            elif not resume and self.parts.exists():
                import shutil

                shutil.rmtree(self.parts)
        except OSError as exc:
            raise cannot_write(out, exc) from None
        self.tables = TableWriter(self.parts, "parquet", resume, flush_every, fields=fields,
                                  sentences=sentences is not None)
        self.done = self.tables.done
        self.encode = self.tables.encode

    def _import_finished(self) -> None:
        import shutil

        for source in (self.out, self.sentences_out):
            if source is not None and source.exists():
                _parquet_keys(source)  # not Parquet: an error naming it, before anything is written

        tmp = self.parts.with_name(f"{self.parts.name}.{unique_token()}.tmp")
        for source, sub in ((self.sentences_out, "sentences"), (self.out, "articles")):
            (tmp / sub).mkdir(parents=True, exist_ok=True)
            if source is not None and source.exists():
                try:
                    os.link(source, tmp / sub / "part-0000-00000.parquet")
                except OSError:
                    shutil.copyfile(source, tmp / sub / "part-0000-00000.parquet")
        os.replace(tmp, self.parts)

    def write(self, result: dict) -> None:
        self.tables.write(result)

    def write_encoded(self, item) -> None:
        self.tables.write_encoded(item)

    def close(self) -> None:
        import shutil

        self.tables.close()
        if self.sentences_out is not None:
            merge_parquet(sorted((self.parts / "sentences").glob("*.parquet")), self.sentences_out,
                          table_schema("sentences"))
        merge_parquet(sorted((self.parts / "articles").glob("*.parquet")), self.out,
                      table_schema("articles", self.fields))
        shutil.rmtree(self.parts)


def merge_parquet(parts: list[Path], out: Path, empty_schema) -> None:
    """The Parquet parts as one file `out` (written under a temporary name and renamed), a row group per part,
    read one part at a time. Their schemas are unified (a column missing from a part is null there; a kept
    field whose type differs between parts becomes text)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = [pq.read_schema(part) for part in parts] or [empty_schema]
    try:
        schema = pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        schema = _text_where_types_differ(schemas)
    tmp = out.parent / f".{out.name}.{unique_token()}.tmp"
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            if not parts:
                writer.write_table(empty_schema.empty_table())
            for part in parts:
                writer.write_table(_conform(pq.ParquetFile(part).read(), schema))  # (read_table imports pandas)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _text_where_types_differ(schemas):
    import pyarrow as pa

    fields: dict[str, object] = {}
    for schema in schemas:
        for field in schema:
            known = fields.get(field.name)
            if known is None or pa.types.is_null(known):
                fields[field.name] = field.type
            elif known != field.type and not pa.types.is_null(field.type):
                fields[field.name] = pa.string()
    return pa.schema(list(fields.items()))


def _conform(table, schema):
    """`table` with the columns of `schema` in its order: missing ones null, others cast (as text when a cast
    is not possible)."""
    import pyarrow as pa

    arrays = []
    for field in schema:
        if field.name not in table.column_names:
            arrays.append(pa.nulls(len(table), field.type))
            continue
        column = table.column(field.name)
        if column.type == field.type:
            arrays.append(column)
            continue
        try:
            arrays.append(column.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            values = [None if v is None else v if isinstance(v, str) else json.dumps(v, default=str, ensure_ascii=False)
                      for v in column.to_pylist()]
            arrays.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def open_writer(out: str | Path, fmt: str, resume: bool, csv_escape: bool = True, fields=(), single: bool = False,
                sentences: str | Path | None = None):
    """The writer of a batch output: a JSONL file; with `single`, the articles table as one CSV or Parquet
    file OUT (and the sentences table as the file `sentences`, if given); otherwise the directory OUT of the
    two tables."""
    out = Path(out)
    if fmt == "jsonl":
        return JsonlWriter(out, resume)
    if single:
        sentences = None if sentences is None else Path(sentences)
        if fmt == "parquet":
            return ParquetFileWriter(out, resume, fields=fields, sentences=sentences)
        return TableWriter(out, fmt, resume, csv_escape=csv_escape, fields=fields, files=(out, sentences))
    return TableWriter(out, fmt, resume, csv_escape=csv_escape, fields=fields)
