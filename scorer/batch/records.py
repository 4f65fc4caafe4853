"""The input records of a batch run: a directory of articles (.txt/.md/.markdown/.html/.htm; the id of each is its
path under the directory without the suffix, as `scorer score FILE` gives it), a .jsonl / .csv / .parquet file, a
.urls file (one http(s) URL a line; blank lines and lines starting with # are skipped; the id is the URL, each
page is fetched by the worker that scores it), or a directory of record files (shards), read lazily in a stable
order, one reader per format.

A record that cannot be scored (bad JSON, missing text, over --max-bytes, a duplicate id, an unreadable
file) comes back with `error` set, so the run writes an error row for it and goes on.

Text that UTF-8 cannot encode never costs a record: a lone surrogate (a JSON escape such as `\\ud800`
that is not half of a pair, or the bytes ED A0..BF 80..BF that some tools write for one) becomes
U+FFFD in the text, id and location, and the record is scored. Other bytes that are not UTF-8 (a
Latin-1 CSV row, say) still make an error row, as the text they stand for is unknown.

The record's other input fields (an `outlet` column, a date) ride along in `Record.fields` for the output
(`keep`: "all", the default, every field but the text and the id; "none"; or a list of names).
"""
from __future__ import annotations

import csv
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from ..errors import InputError
from ..report.tables import field_columns
from ..text.files import (DEFAULT_MAX_BYTES, article_id, input_kind, read_text_file, repair_decoded,
                          replace_surrogates)

ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
RECORD_SUFFIXES = {".jsonl", ".csv", ".parquet", ".urls"}

_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
Keep = str | Sequence[str]  # "all", "none", or field names


def parse_keep(value: str | Sequence[str] | None) -> Keep:
    """`--keep-fields`: "all" (default), "none", or comma-separated field names (a list)."""
    if value is None:
        return "all"
    if isinstance(value, str):
        if value.strip().lower() in ("all", "none"):
            return value.strip().lower()
        value = value.split(",")
    names = [name.strip() for name in value if name.strip()]
    if not names:
        raise InputError("--keep-fields: give all, none, or field names separated by commas")
    return list(dict.fromkeys(names))


def kept_names(names, keep: Keep, text_field: str, id_field: str) -> list[str]:
    """The kept ones of the fields `names` (in order): all but the text and the id, none, or those listed."""
    if keep == "none":
        return []
    if keep == "all":
        return [n for n in names if n not in (text_field, id_field)]
    return list(keep)


def select_fields(obj: dict, keep: Keep, text_field: str, id_field: str) -> dict | None:
    """The kept fields of one input object (a listed field it lacks is None); None when nothing is kept."""
    names = kept_names(obj, keep, text_field, id_field)
    return {name: obj.get(name) for name in names} or None


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
    fields: dict | None = None
    kind: str = "text"  # how the text is read: "text", "html", "markdown" (text.files.input_kind) or "url" (fetched)
    max_bytes: int | None = DEFAULT_MAX_BYTES  # for a fetched page

    def __post_init__(self):
        self.id = replace_surrogates(self.id)
        self.where = replace_surrogates(self.where)
        if self.text is not None:
            self.text = replace_surrogates(self.text)
        if self.error is not None:
            self.error = replace_surrogates(self.error)


def read_records(path: str | Path, text_field: str = "text", id_field: str = "id",
                 max_bytes: int | None = DEFAULT_MAX_BYTES, keep: Keep = "none") -> Iterator[Record]:
    """Records of a directory of articles, a .jsonl / .csv / .parquet file, or a directory of such
    record files (shards, read in sorted order), in a stable order.

    A record that cannot be scored (bad JSON, missing text, over `max_bytes`, a duplicate id, an
    unreadable file) comes back with `error` set, so the caller writes an error row and goes on.
    """
    path = Path(path)
    if path.is_dir():
        records = _unique_ids(file_record(file, path, max_bytes) for file in article_files(path))
        first = next(records, None)
        if first is None:
            for shard in record_files(path, required=True):
                yield from shard_file_records(shard, text_field, id_field, max_bytes, keep)
            return
        yield first
        yield from records
    else:
        check_record_file(path)
        yield from file_records(path, text_field, id_field, max_bytes, keep)


def readahead_records(path: str | Path, text_field: str = "text", id_field: str = "id",
                      max_bytes: int | None = DEFAULT_MAX_BYTES, keep: Keep = "none") -> Iterator[Record]:
    """`read_records` for a look at the first records before the run reads them again (`workers.start_workers`),
    or none where reading them twice is not free: an input that is not a directory or a regular file (a named pipe,
    whose records the first read would consume, and whose second open would wait for a writer that has gone); and
    Parquet, a file or shards (reading it imports pyarrow and numpy and starts pyarrow's threads in the batch parent
    before it forks the workers, each of which then holds their pages: peak tree RSS 309 MB against dc1f77a's 247
    for 170 dev articles with --jobs 2)."""
    path = Path(path)
    if path.is_dir():
        skip = next(article_files(path), None) is None and any(
            shard.suffix.lower() == ".parquet" for shard in record_files(path))
    else:
        skip = not path.is_file() or path.suffix.lower() == ".parquet"
    if skip:
        return iter(())
    return read_records(path, text_field, id_field, max_bytes, keep)


def check_record_file(path: Path) -> None:
    """Raise the input error for a batch input that is not a directory: missing, or not a record file."""
    if not path.exists():
        raise InputError(f"{path}: not found")
    if path.suffix.lower() not in RECORD_SUFFIXES:
        raise InputError(f"{path}: batch input must be a directory, a .jsonl, .csv, .parquet or .urls file")


def file_records(path: Path, text_field: str = "text", id_field: str = "id",
                 max_bytes: int | None = DEFAULT_MAX_BYTES, keep: Keep = "none") -> Iterator[Record]:
    """Records of one .jsonl / .csv / .parquet file; ids are checked for repeats within the file."""
    readers = {".jsonl": _jsonl_records, ".csv": _csv_records, ".parquet": _parquet_records, ".urls": _url_records}
    return _unique_ids(readers[path.suffix.lower()](path, text_field, id_field, max_bytes, keep))


def shard_file_records(path: Path, text_field: str = "text", id_field: str = "id",
                       max_bytes: int | None = DEFAULT_MAX_BYTES, keep: Keep = "none") -> Iterator[Record]:
    """Records of one file of a shard directory: a file that cannot be read at all (no text column,
    not Parquet) becomes one error row for the file instead of stopping the other shards."""
    try:
        yield from file_records(path, text_field, id_field, max_bytes, keep)
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


def table_fields(path: str | Path, fmt: str, keep: Keep, text_field: str = "text", id_field: str = "id") -> list:
    """The output columns of the kept input fields for a table output (none for JSONL: its lines carry them);
    InputError naming the input when the fields cannot be kept (a clash of names)."""
    if fmt == "jsonl":
        return []
    try:
        return field_columns(input_fields(path, keep, text_field, id_field))
    except ValueError as exc:
        raise InputError(f"{os.fspath(path)}: {exc}") from None


def input_fields(path: str | Path, keep: Keep, text_field: str = "text", id_field: str = "id") -> list[str]:
    """The names of the input fields a run keeps, in order (the extra columns of its articles table): the
    listed ones, or with "all" every field of the input but the text and the id (a CSV header, a Parquet
    schema, or for JSONL the keys of every line in order of first appearance, which reads the file once;
    a directory of shards: all its files). A directory of articles has none."""
    if keep == "none":
        return []
    if keep != "all":
        return list(keep)
    path = Path(path)
    if path.is_dir():
        if next(article_files(path), None) is not None:
            return []
        files = record_files(path)
    else:
        files = [path]
    names: dict[str, None] = {}
    for file in files:
        for name in _file_fields(file):
            names.setdefault(name)
    return kept_names(list(names), keep, text_field, id_field)


def _file_fields(path: Path) -> list[str]:
    """The field names of one record file (none when it cannot be read: its reader reports that)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            csv.field_size_limit(sys.maxsize)
            with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
                return [name for name in next(csv.reader(fh), [])]
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return list(pq.ParquetFile(path).schema_arrow.names)
        if suffix == ".jsonl":
            names: dict[str, None] = {}
            with path.open("rb") as fh:
                for raw in fh:
                    try:
                        obj = json.loads(raw)
                    except (ValueError, RecursionError):
                        continue
                    if isinstance(obj, dict):
                        for name in obj:
                            names.setdefault(name)
            return list(names)
    except Exception:  # noqa: BLE001 - the reader reports the real problem as an error row
        return []
    return []


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
        if path.suffix.lower() == ".urls" and path.is_file():
            with path.open("rb") as fh:
                return sum(1 for line in fh if line.strip() and not line.lstrip().startswith(b"#"))
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
    """The record of one article file under `root` (its id is the path relative to `root` without the suffix,
    `text.files.article_id`)."""
    rid = article_id(file.relative_to(root))
    try:
        text = read_text_file(file, max_bytes)
    except InputError as exc:
        return Record(rid, str(file), error=str(exc))
    kind = input_kind(file, text)
    return Record(rid, str(file), text=text, html=kind == "html", kind=kind)


def _url_records(path: Path, text_field: str, id_field: str, max_bytes: int | None,
                 keep: Keep = "none") -> Iterator[Record]:
    """Records of a .urls file: one http(s) URL a line (blank lines and # comments skipped); the id is the URL.
    A line that is not such a URL is an error row; the page is fetched when the record is scored."""
    from ..text.fetch import is_url

    try:
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        for number, raw in enumerate(fh, 1):
            where = f"{path}:{number}"
            line = repair_decoded(raw.decode("utf-8", "surrogateescape")).strip()
            if not line or line.startswith("#"):
                continue
            if _ESCAPED_BYTE.search(line):
                yield Record(f"line-{number}", where, error=f"{where}: not UTF-8 text")
            elif not is_url(line) or not line.lower().startswith(("http://", "https://")) or any(
                    c.isspace() for c in line):
                yield Record(line[:200], where, error=f"{where}: not an http:// or https:// URL: {line[:200]!r}")
            else:
                yield Record(line, where, text=line, kind="url", max_bytes=max_bytes)


def _unique_ids(records: Iterator[Record]) -> Iterator[Record]:
    """Records with a repeated id become error rows naming the first occurrence (ids are join keys).
    Holds every id seen so far: about 100 bytes per record."""
    first: dict[str, str] = {}
    for record in records:
        earlier = first.get(record.id)
        if earlier is None:
            first[record.id] = record.where
        elif record.error is None:
            record = Record(record.id, record.where, fields=record.fields,
                            error=f"{record.where}: duplicate id {record.id!r} (first at {earlier}); record not scored")
        yield record


def _type_name(value) -> str:
    return "null" if value is None else {dict: "an object", list: "an array", bool: "a boolean",
                                         int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _jsonl_records(path: Path, text_field: str, id_field: str, max_bytes: int | None,
                   keep: Keep = "none") -> Iterator[Record]:
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
            fields = select_fields(obj, keep, text_field, id_field)
            if text_field not in obj:
                yield Record(rid, where, error=f"{where}: no text field {text_field!r}", fields=fields)
            elif not isinstance(text, str):
                yield Record(rid, where, error=f"{where}: text field {text_field!r} is {_type_name(text)}, not a string",
                             fields=fields)
            else:
                yield Record(rid, where, text=text, fields=fields)


def _csv_records(path: Path, text_field: str, id_field: str, max_bytes: int | None,
                 keep: Keep = "none") -> Iterator[Record]:
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
        names = [repair_decoded(name) for name in header]
        kept = [(name, names.index(name) if name in names else None)
                for name in kept_names(names, keep, text_field, id_field)]
        for kind, line, value, first in _csv_events(reader, lines, len(header)):
            where = f"{path}:{line}"
            if kind == "row":
                if value:
                    record = _csv_row_record(value, where, line, text_at, id_at, text_field, max_bytes)
                    if kept:
                        record.fields = {name: _csv_cell(value, at) for name, at in kept}
                    yield record
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


def _csv_cell(row: list[str], at: int | None) -> str | None:
    """A kept CSV cell as text (bytes that are not UTF-8 become U+FFFD); None if the row has no such cell."""
    if at is None or at >= len(row):
        return None
    return repair_decoded(row[at]).encode("utf-8", "replace").decode("utf-8")


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


def _parquet_records(path: Path, text_field: str, id_field: str, max_bytes: int | None,
                     keep: Keep = "none") -> Iterator[Record]:
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
    kept = kept_names(names, keep, text_field, id_field)
    columns += [name for name in kept if name in names and name not in columns]
    row = 0
    for batch in parquet.iter_batches(batch_size=1024, columns=columns):
        texts = _column_values(batch.column(text_field))
        ids = _column_values(batch.column(id_field)) if id_field in columns else [None] * len(texts)
        values = {name: _column_values(batch.column(name)) if name in columns else [None] * len(texts)
                  for name in kept}
        for k, (text, rid) in enumerate(zip(texts, ids)):
            row += 1
            where = f"{path}:{row}"
            rid = f"row-{row}" if rid is None else str(rid)
            fields = {name: values[name][k] for name in kept} or None
            yield _parquet_record(text, rid, where, text_field, max_bytes, fields)


def _parquet_record(text, rid: str, where: str, text_field: str, max_bytes: int | None, fields: dict | None) -> Record:
    """The record of one Parquet row."""
    record = _parquet_row(text, rid, where, text_field, max_bytes)
    record.fields = fields
    return record


def _parquet_row(text, rid: str, where: str, text_field: str, max_bytes: int | None) -> Record:
    if not isinstance(text, str):
        return Record(rid, where, error=f"{where}: text column {text_field!r} is {_type_name(text)}, not a string")
    if _has_bad_bytes(text) or _has_bad_bytes(rid):
        return Record(rid, where, error=f"{where}: not UTF-8 text")
    if over_byte_limit(text, max_bytes):
        return Record(rid, where, error=f"{where}: text is over the {max_bytes:,}-byte limit "
                                        "(raise it with --max-bytes, 0 for no limit)")
    return Record(rid, where, text=text)


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
