"""Batch scoring of a corpus: readers for a directory / JSONL / CSV, writers for JSONL / CSV / Parquet,
resume, error rows for bad records, and worker processes.

Every input record appears exactly once in the output: a report (`status: "ok"`) or an error row.
Input is streamed and output written as it comes, so memory does not grow with the corpus.

Text that UTF-8 cannot encode never costs a record: a lone surrogate (a JSON escape such as `\\ud800`
that is not half of a pair, or the bytes ED A0..BF 80..BF that some tools write for one) becomes
U+FFFD in the text, id and location, and the record is scored. Other bytes that are not UTF-8 (a
Latin-1 CSV row, say) still make an error row, as the text they stand for is unknown.
"""
from __future__ import annotations

import csv
import json
import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .atomic import cannot_write, same_file, write_text_atomic
from .errors import InputError, ScorerError
from .pool import ordered_map
from .report.tables import (ARTICLE_COLUMNS, SENTENCE_COLUMNS, article_frame, article_row, sentence_frame,
                            sentence_rows)
from .text.files import DEFAULT_MAX_BYTES, is_html, read_text_file, repair_decoded, replace_surrogates
from .text.html import html_to_text

ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".htm"}
RECORD_SUFFIXES = {".jsonl", ".csv", ".parquet"}

_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


@dataclass
class Record:
    """One input article: its id, where it came from (file:line) and its text, or the reason it has none.
    Lone surrogates in the id, location and text are replaced by U+FFFD (see the module docstring), so
    every record can be written as UTF-8."""

    id: str
    where: str
    text: str | None = None
    error: str | None = None
    html: bool = False

    def __post_init__(self):
        self.id = replace_surrogates(self.id)
        self.where = replace_surrogates(self.where)
        if self.text is not None:
            self.text = replace_surrogates(self.text)
        if self.error is not None:
            self.error = replace_surrogates(self.error)


def read_records(path: str | Path, text_field: str = "text", id_field: str = "id",
                 max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Record]:
    """Records of a directory of articles, a .jsonl / .csv / .parquet file, or a directory of such
    record files (shards, read in sorted order), in a stable order.

    A record that cannot be scored (bad JSON, missing text, over `max_bytes`, a duplicate id, an
    unreadable file) comes back with `error` set, so the caller writes an error row and goes on.
    """
    path = Path(path)
    if path.is_dir():
        records = (file_record(file, path, max_bytes) for file in article_files(path))
        first = next(records, None)
        if first is None:
            for shard in record_files(path, required=True):
                yield from shard_file_records(shard, text_field, id_field, max_bytes)
            return
        yield first
        yield from records
    else:
        check_record_file(path)
        yield from file_records(path, text_field, id_field, max_bytes)


def check_record_file(path: Path) -> None:
    """Raise the input error for a batch input that is not a directory: missing, or not a record file."""
    if not path.exists():
        raise InputError(f"{path}: not found")
    if path.suffix.lower() not in RECORD_SUFFIXES:
        raise InputError(f"{path}: batch input must be a directory, a .jsonl, .csv or .parquet file")


def file_records(path: Path, text_field: str = "text", id_field: str = "id",
                 max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Record]:
    """Records of one .jsonl / .csv / .parquet file; ids are checked for repeats within the file."""
    readers = {".jsonl": _jsonl_records, ".csv": _csv_records, ".parquet": _parquet_records}
    return _unique_ids(readers[path.suffix.lower()](path, text_field, id_field, max_bytes))


def shard_file_records(path: Path, text_field: str = "text", id_field: str = "id",
                       max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Record]:
    """Records of one file of a shard directory: a file that cannot be read at all (no text column,
    not Parquet) becomes one error row for the file instead of stopping the other shards."""
    try:
        yield from file_records(path, text_field, id_field, max_bytes)
    except InputError as exc:
        yield Record(path.name, str(path), error=str(exc))


def _walk(root: Path, suffixes: set[str]) -> Iterator[Path]:
    """Files under `root` with one of `suffixes`, in sorted order, read lazily. Symbolic links to
    files are followed (a broken one is still listed, so it gets an error row); linked directories
    are followed once each, so a link loop cannot recurse forever."""
    seen_dirs = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen_dirs:
            dirs[:] = []
            continue
        seen_dirs.add(real)
        dirs.sort()
        for name in sorted(files):
            if Path(name).suffix.lower() in suffixes:
                yield Path(folder) / name


def article_files(root: Path) -> Iterator[Path]:
    """Article files (.txt/.md/.html) under `root` in sorted order, read lazily."""
    return _walk(root, ARTICLE_SUFFIXES)


def record_files(root: Path, required: bool = False) -> list[Path]:
    """Record files (.jsonl/.csv/.parquet shards) under `root` in sorted order; with `required`, none is
    an input error (the directory has neither articles nor records)."""
    files = list(_walk(root, RECORD_SUFFIXES))
    if required and not files:
        raise InputError(f"{root}: no .txt/.md/.html article files and no .jsonl/.csv/.parquet "
                         "record files in directory")
    return files


def count_records(path: str | Path) -> int | None:
    """Number of input records for the progress bar's ETA (lines/rows/files), None if unknown."""
    path = Path(path)
    if path.is_dir():
        files = sum(1 for _ in article_files(path))
        if files:
            return files
        counts = [count_records(shard) for shard in record_files(path)]
        return None if None in counts else sum(counts)
    try:
        if path.suffix.lower() == ".jsonl" and path.is_file():
            with path.open("rb") as fh:
                return sum(1 for line in fh if line.strip())
        if path.suffix.lower() == ".csv" and path.is_file():
            csv.field_size_limit(sys.maxsize)
            with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
                return max(0, sum(1 for _ in csv.reader(fh)) - 1)
        if path.suffix.lower() == ".parquet" and path.is_file():
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - only an estimate; the reader reports the real problem
        return None
    return None


def file_record(file: Path, root: Path, max_bytes: int | None) -> Record:
    """The record of one article file under `root` (its id is the path relative to `root`)."""
    rid = str(file.relative_to(root))
    try:
        text = read_text_file(file, max_bytes)
    except InputError as exc:
        return Record(rid, str(file), error=str(exc))
    return Record(rid, str(file), text=text, html=is_html(file, text))


def _unique_ids(records: Iterator[Record]) -> Iterator[Record]:
    """Records with a repeated id become error rows naming the first occurrence (ids are join keys).
    Holds every id seen so far: about 100 bytes per record."""
    first: dict[str, str] = {}
    for record in records:
        earlier = first.get(record.id)
        if earlier is None:
            first[record.id] = record.where
        elif record.error is None:
            record = Record(record.id, record.where,
                            error=f"{record.where}: duplicate id {record.id!r} (first at {earlier}); record not scored")
        yield record


def _type_name(value) -> str:
    return "null" if value is None else {dict: "an object", list: "an array", bool: "a boolean",
                                         int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _jsonl_records(path: Path, text_field: str, id_field: str, max_bytes: int | None) -> Iterator[Record]:
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            rid = f"line-{number}"
            if max_bytes and len(raw) > max_bytes:
                yield Record(rid, where, error=f"{where}: record is {len(raw):,} bytes, over the {max_bytes:,}-byte "
                                               "limit (raise it with --max-bytes, 0 for no limit)")
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                line = repair_decoded(raw.decode("utf-8", "surrogateescape"))  # encoded surrogates: U+FFFD
                bad = _ESCAPED_BYTE.search(line)
                if bad:
                    yield Record(rid, where, error=f"{where}: not UTF-8 text (byte 0x{ord(bad.group()) - 0xdc00:02x})")
                    continue
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError) as exc:
                cut = " (truncated last line?)" if not raw.endswith(b"\n") else ""
                yield Record(rid, where, error=f"{where}: not valid JSON{cut} ({exc})")
                continue
            if not isinstance(obj, dict):
                yield Record(rid, where, error=f"{where}: expected a JSON object, got {_type_name(obj)}")
                continue
            if obj.get(id_field) is not None:
                rid = str(obj[id_field])
            text = obj.get(text_field)
            if text_field not in obj:
                yield Record(rid, where, error=f"{where}: no text field {text_field!r}")
            elif not isinstance(text, str):
                yield Record(rid, where, error=f"{where}: text field {text_field!r} is {_type_name(text)}, not a string")
            else:
                yield Record(rid, where, text=text)


def _csv_records(path: Path, text_field: str, id_field: str, max_bytes: int | None) -> Iterator[Record]:
    """Rows of a CSV file; each record's `where` is the line it starts on (quoted fields may hold
    newlines). Undecodable bytes and malformed rows become error rows, not the end of the file.

    A quoted field whose closing quote is missing would otherwise run on over the records after it, to
    the end of the file or to the next record's opening quote, which would close it. The rule: a quoted
    field that runs over a line end must be closed by a quote followed by the delimiter or the end of a
    line (as csv's strict mode requires; every CSV writer does this). A record in which such a field is
    never closed, or is closed by a quote followed by anything else, is unterminated: it gets an error
    row naming the line it starts on. Reading then starts again on the next line: lines that do not
    begin a complete record with exactly as many fields as the header are taken as the rest of the
    broken record (the error row names them), and normal reading resumes at the first line that does; a
    line that begins another unterminated record but has the header's number of fields by itself starts
    a new broken record (it gets its own error row). (A line of the broken record's text that happens to
    look like a complete record is read as one.) Quotes within one line are read as before, leniently
    (`a,"b"c` is the field `bc`). A record still open after --max-bytes characters is not held in memory:
    the file is scanned on to where its quote closes (one record over the limit) or the rule above
    finds it unterminated.
    """
    csv.field_size_limit(sys.maxsize)
    try:
        fh = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        lines = _CsvLines(fh, max_bytes)
        reader = csv.reader(lines)
        kind, header = _read_csv_record(reader, lines)
        if kind in ("open", "long"):
            raise InputError(f"{path}:1: malformed CSV header (unterminated quoted field)")
        if kind == "bad":
            raise InputError(f"{path}:1: malformed CSV header ({header})")
        if kind == "end" or not header or text_field not in header:
            fields = ", ".join(header or []) or "none"
            raise InputError(f"{path}:1: no column {text_field!r} (columns: {fields}); use --text-field")
        text_at = header.index(text_field)
        id_at = header.index(id_field) if id_field in header else None
        for kind, line, value, first in _csv_events(reader, lines, len(header)):
            where = f"{path}:{line}"
            if kind == "row":
                if value:
                    yield _csv_row_record(value, where, line, text_at, id_at, text_field, max_bytes)
                continue
            rid = _first_line_id(first, id_at, line)
            if kind == "bad":
                yield Record(rid, where, error=f"{where}: malformed CSV row ({value})")
            elif kind == "long":
                yield Record(rid, where, error=f"{where}: record is over the {max_bytes:,}-byte limit "
                                               "(raise it with --max-bytes, 0 for no limit)")
            else:
                last, resume = value
                skipped = f"line {line}" if last == line else f"lines {line}-{last}"
                then = f"reading resumes at line {resume}" if resume else "no complete record after it"
                yield Record(rid, where, error=f"{where}: malformed CSV row (unterminated quoted field: a quote "
                                               f"opened in this record is not closed at the end of a field); "
                                               f"{skipped} skipped, {then}")


def _csv_row_record(row: list[str], where: str, line: int, text_at: int, id_at: int | None, text_field: str,
                    max_bytes: int | None) -> Record:
    """The record of one parsed CSV row."""
    rid = repair_decoded((row[id_at] if id_at is not None and id_at < len(row) else "") or f"row-{line}")
    text = row[text_at] if text_at < len(row) else None
    if text is None:
        return Record(rid, where, error=f"{where}: row has {len(row)} fields, no {text_field!r} value")
    text = repair_decoded(text)
    if _has_bad_bytes(text) or _has_bad_bytes(rid):
        return Record(rid.encode("utf-8", "replace").decode(), where, error=f"{where}: not UTF-8 text")
    if over_byte_limit(text, max_bytes):
        return Record(rid, where, error=f"{where}: text is over the {max_bytes:,}-byte limit "
                                        "(raise it with --max-bytes, 0 for no limit)")
    return Record(rid, where, text=text)


def _first_line_id(first: str | None, id_at: int | None, line: int) -> str:
    """The id of a record that could not be read whole, from its first line when the id field is complete
    there (it is not the last field, which may be the one left open); else row-LINE."""
    if first is not None and id_at is not None:
        try:
            fields = next(csv.reader([first]))
        except (csv.Error, StopIteration):
            fields = []
        if id_at < len(fields) - 1 and fields[id_at]:
            return repair_decoded(fields[id_at])
    return f"row-{line}"


class _RecordTooLong(Exception):
    """A CSV record grew past the size limit while a quoted field in it was still open."""


class _CsvLines:
    """The lines of a CSV file for csv.reader, counted, one record at a time (call `begin` before each;
    the record's lines are kept in `lines`).

    csv.reader asks for a further line of a record only while a quoted field is open. So a request past
    the end of the file within a record means a quote that is never closed (`open_at_eof`), and a
    request once the record is over `limit` characters (at least as many bytes) raises _RecordTooLong.
    """

    def __init__(self, fh, limit: int | None):
        self.fh, self.limit, self.number = fh, limit, 0
        self.begin()

    def begin(self) -> None:
        self.lines: list[str] = []
        self.size = 0
        self.open_at_eof = False

    @property
    def first(self) -> str | None:
        return self.lines[0] if self.lines else None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.first is not None and self.limit and self.size > self.limit:
            raise _RecordTooLong
        line = self.fh.readline()
        if not line:
            self.open_at_eof = bool(self.lines)
            raise StopIteration
        self.number += 1
        self.lines.append(line)
        self.size += len(line)
        return line

    def skip_quoted(self) -> str:
        """Read on from inside an open quoted field (one that has run over a line end) to the line where
        its record ends, without keeping the lines: "end" if it ends well, "bad" (`_scan_line`) or "open"
        if the end of the file comes first."""
        state = "open"
        while state == "open":
            line = self.fh.readline()
            if not line:
                return "open"
            self.number += 1
            state = _scan_line(line, True)
        return state

    def rewind(self, number: int) -> None:
        """Go back to just after line `number` (by reading from the start: only for broken records)."""
        self.fh.seek(0)
        for _ in range(number):
            self.fh.readline()
        self.number = number


def _scan_line(line: str, quoted: bool) -> str:
    """How a record's quoting stands after `line`, which starts inside a quoted field (`quoted`, one that
    has then run over a line end) or at the start of a record: "open" (a quoted field is open at the end
    of the line), "end" (the record ends here) or "bad" (a quoted field that ran over a line end is
    closed by a quote followed by something other than the delimiter or the line end). Follows the csv
    module's default dialect: a quote opens a field only as its first character, a doubled quote inside
    one is a quote, and other quotes are plain characters."""
    i, field_start, crossed = 0, not quoted, quoted
    while True:
        if quoted:
            j = line.find('"', i)
            if j < 0:
                return "open"
            if line.startswith('"', j + 1):
                i = j + 2
                continue
            if crossed and line[j + 1:j + 2] not in ("", ",", "\n", "\r"):
                return "bad"
            quoted = crossed = field_start = False
            i = j + 1
        elif field_start and line.startswith('"', i):
            quoted, i = True, i + 1
        else:
            j = line.find(",", i)
            if j < 0:
                return "end"
            field_start, i = True, j + 1


def _badly_closed(lines: list[str]) -> bool:
    """True if a record read over several lines has a quoted field that runs over a line end and is not
    closed at the end of a field (`_scan_line`)."""
    quoted = False
    for line in lines:
        state = _scan_line(line, quoted)
        if state == "bad":
            return True
        quoted = state == "open"
    return False


def _fields_alone(line: str | None) -> int:
    """The number of fields of `line` read as a record by itself (an open quote ends with the line)."""
    try:
        return len(next(csv.reader([line]))) if line else 0
    except (csv.Error, StopIteration):
        return 0


def _read_csv_record(reader, lines: _CsvLines) -> tuple[str, object]:
    """The next record: ("row", fields), ("bad", csv error message), ("long", None) for a record over the
    limit (read to its end), ("open", None) for an unterminated record (see `_csv_records`), or
    ("end", None)."""
    lines.begin()
    try:
        row = next(reader)
    except StopIteration:
        return "end", None
    except _RecordTooLong:
        return ("long" if lines.skip_quoted() == "end" else "open"), None
    except csv.Error as exc:
        return "bad", str(exc)
    if lines.open_at_eof or (len(lines.lines) > 1 and _badly_closed(lines.lines)):
        return "open", None
    return "row", row


def _csv_events(reader, lines: _CsvLines, width: int) -> Iterator[tuple[str, int, object, str | None]]:
    """(kind, first line, value, first line's text) for each record after the header, as
    `_read_csv_record` gives them, except that an unterminated record comes as ("open", line,
    (its last line, the line reading resumes at or None), text) once the records after it are found
    (see `_csv_records`)."""
    broken: tuple[int, str | None] | None = None  # an unterminated record whose end is being looked for
    while True:
        line = lines.number + 1
        kind, value = _read_csv_record(reader, lines)
        first = lines.first
        if broken is not None:
            if kind == "end":
                yield "open", broken[0], (lines.number, None), broken[1]
                return
            if kind == "open" and _fields_alone(first) == width:  # another unterminated record starts here
                yield "open", broken[0], (line - 1, line), broken[1]
                broken = (line, first)
                lines.rewind(line)
                continue
            if kind != "row" or len(value) != width:
                if kind in ("open", "long"):  # this line ran away too: the next one is the next candidate
                    lines.rewind(line)
                continue  # part of the broken record
            yield "open", broken[0], (line - 1, line), broken[1]
            broken = None
        if kind == "end":
            return
        if kind == "open":
            broken = (line, first)
            lines.rewind(line)
            continue
        yield kind, line, value, first


def _parquet_records(path: Path, text_field: str, id_field: str, max_bytes: int | None) -> Iterator[Record]:
    """Rows of a Parquet file, read a row group at a time; `where` is file:row (1-based). A null or
    non-string text is an error row; a file without the text column cannot be read at all."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    names = parquet.schema_arrow.names
    if text_field not in names:
        raise InputError(f"{path}: no column {text_field!r} (columns: {', '.join(names) or 'none'}); use --text-field")
    columns = [text_field] + ([id_field] if id_field in names and id_field != text_field else [])
    row = 0
    for batch in parquet.iter_batches(batch_size=1024, columns=columns):
        texts = _column_values(batch.column(text_field))
        ids = _column_values(batch.column(id_field)) if id_field in columns else [None] * len(texts)
        for text, rid in zip(texts, ids):
            row += 1
            where = f"{path}:{row}"
            rid = f"row-{row}" if rid is None else str(rid)
            if not isinstance(text, str):
                yield Record(rid, where, error=f"{where}: text column {text_field!r} is {_type_name(text)}, "
                                               "not a string")
            elif _has_bad_bytes(text) or _has_bad_bytes(rid):
                yield Record(rid, where, error=f"{where}: not UTF-8 text")
            elif over_byte_limit(text, max_bytes):
                yield Record(rid, where, error=f"{where}: text is over the {max_bytes:,}-byte limit "
                                               "(raise it with --max-bytes, 0 for no limit)")
            else:
                yield Record(rid, where, text=text)


def _column_values(column) -> list:
    """The Python values of an Arrow column. Arrow does not check that a Parquet string column holds
    UTF-8; when one does not, its values are decoded with surrogateescape and repaired (encoded
    surrogates become U+FFFD), so that only a row with other bad bytes becomes an error row."""
    try:
        return column.to_pylist()
    except UnicodeDecodeError:
        import pyarrow as pa

        binary = pa.large_binary() if pa.types.is_large_string(column.type) else pa.binary()
        return [None if v is None else repair_decoded(v.decode("utf-8", "surrogateescape"))
                for v in column.cast(binary).to_pylist()]


def over_byte_limit(text: str, max_bytes: int | None) -> bool:
    """True if `text` is over `max_bytes` in UTF-8 (0/None: no limit); encodes only texts long enough
    to be over it (a character is at most 4 bytes)."""
    return bool(max_bytes) and len(text) > max_bytes // 4 and len(text.encode("utf-8")) > max_bytes


def _has_bad_bytes(text: str) -> bool:
    """True if decoding with surrogateescape kept undecodable bytes (lone surrogates) in `text`."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _error_row(record: Record, message: str) -> dict:
    return {"id": record.id, "input": record.where, "status": "error", "error": message}


def score_chunk(scorer, records: list[Record]) -> list[dict]:
    """Report dicts (status 'ok') or error rows for a chunk of records, scored with one model call;
    never raises for a bad record (an unexpected failure is narrowed down to the record that caused it)."""
    # imported here, not at the top: a parent that only hands records to worker processes never imports the
    # pipeline (numpy, the model code)
    from .pipeline import score_items

    items, results = [], [None] * len(records)
    for k, record in enumerate(records):
        if record.error:
            results[k] = _error_row(record, record.error)
            continue
        text = record.text
        if record.html:
            try:
                text = html_to_text(text, record.where)
            except ScorerError as exc:
                results[k] = _error_row(record, str(exc))
                continue
        items.append((k, (text, record.id, record.where, record.html)))
    for k, report in zip([k for k, _ in items], score_items(scorer, [item for _, item in items])):
        if isinstance(report, Exception):
            results[k] = _error_row(records[k], str(report))
        else:
            results[k] = dict(report.to_dict(), id=records[k].id, input=records[k].where, status="ok")
    return results


def score_record_chunk(records: list[Record], model_dir=None, scorer=None, encode=None) -> list:
    """Worker side of `score_records`: the results of a chunk, scored with `scorer` or this process's Scorer for
    `model_dir`, each passed through `encode` when given (in the worker, so the parent receives what it writes,
    not the report dicts)."""
    from .pipeline import cached_scorer  # here, as in score_chunk

    results = score_chunk(scorer or cached_scorer(model_dir), records)
    return results if encode is None else [encode(result) for result in results]


def score_records(records, jobs: int = 1, model_dir=None, scorer=None, encode=None):
    """Results (report dicts or error rows, or `encode(result)` when given) for records, in input order;
    `scorer` is reused in-process. With jobs > 1, chunks go to worker processes (`pool.ordered_map`), each
    loading the model once; if the caller stops before the end, the workers are stopped."""
    return ordered_map(score_record_chunk, records, jobs, (model_dir, scorer if jobs <= 1 else None, encode))


def score_frame(frame, text_col: str = "text", id_col: str | None = None, n_jobs: int = 1, scorer=None,
                model_dir=None):
    """Score a DataFrame of articles; returns (articles table, sentences table) joined by `id`.
    `scorer`: a loaded Scorer to use (its model), else the model in `model_dir` (default: the shipped one);
    n_jobs > 1 uses worker processes. A row whose text cannot be scored becomes an articles row with status
    'error'."""
    import pandas as pd

    if text_col not in frame.columns:
        raise InputError(f"DataFrame has no column {text_col!r}")
    if scorer is not None:
        model_dir = scorer.model_dir
    ids = frame[id_col].astype(str).tolist() if id_col else [str(i) for i in frame.index]
    records = (Record(rid, f"row {rid}", text=t if isinstance(t, str) else None,
                      error=None if isinstance(t, str) else f"row {rid}: {text_col!r} is not text")
               for rid, t in zip(ids, frame[text_col]))
    arts, sents = [], []
    for result in score_records(records, jobs=n_jobs, model_dir=model_dir, scorer=scorer if n_jobs == 1 else None):
        arts.append(article_row(result))
        sents.extend(sentence_rows(result))
    return pd.DataFrame(arts, columns=ARTICLE_COLUMNS), pd.DataFrame(sents, columns=SENTENCE_COLUMNS)


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
