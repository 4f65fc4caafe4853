"""Batch scoring of a corpus: readers for a directory / JSONL / CSV, writers for JSONL / CSV / Parquet,
resume, error rows for bad records, and worker processes.

Every input record appears exactly once in the output: a report (`status: "ok"`) or an error row.
Input is streamed and output written as it comes, so memory does not grow with the corpus.
"""
from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import InputError, ScorerError
from .textio import DEFAULT_MAX_BYTES

ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".htm"}
RECORD_SUFFIXES = {".jsonl", ".csv", ".parquet"}


@dataclass
class Record:
    """One input article: its id, where it came from (file:line) and its text, or the reason it has none."""

    id: str
    where: str
    text: str | None = None
    error: str | None = None
    html: bool = False


def read_records(path: str | Path, text_field: str = "text", id_field: str = "id",
                 max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Record]:
    """Records of a directory of articles, a .jsonl / .csv / .parquet file, or a directory of such
    record files (shards, read in sorted order), in a stable order.

    A record that cannot be scored (bad JSON, missing text, over `max_bytes`, a duplicate id, an
    unreadable file) comes back with `error` set, so the caller writes an error row and goes on.
    """
    path = Path(path)
    if path.is_dir():
        records = (_file_record(file, path, max_bytes) for file in article_files(path))
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


def _file_record(file: Path, root: Path, max_bytes: int | None) -> Record:
    from .textio import is_html, read_text_file

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
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield Record(rid, where, error=f"{where}: not UTF-8 text (byte 0x{raw[exc.start]:02x})")
                continue
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
    newlines). Undecodable bytes and malformed rows become error rows, not the end of the file."""
    csv.field_size_limit(sys.maxsize)
    try:
        fh = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        reader = csv.reader(fh)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InputError(f"{path}:1: malformed CSV header ({exc})") from None
        if not header or text_field not in header:
            fields = ", ".join(header or []) or "none"
            raise InputError(f"{path}:1: no column {text_field!r} (columns: {fields}); use --text-field")
        text_at = header.index(text_field)
        id_at = header.index(id_field) if id_field in header else None
        while True:
            line = reader.line_num + 1
            where = f"{path}:{line}"
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(f"row-{line}", where, error=f"{where}: malformed CSV row ({exc})")
                continue
            if not row:
                continue
            rid = (row[id_at] if id_at is not None and id_at < len(row) else "") or f"row-{line}"
            text = row[text_at] if text_at < len(row) else None
            if text is None:
                yield Record(rid, where, error=f"{where}: row has {len(row)} fields, no {text_field!r} value")
            elif _has_bad_bytes(text) or _has_bad_bytes(rid):
                yield Record(rid.encode("utf-8", "replace").decode(), where, error=f"{where}: not UTF-8 text")
            elif over_byte_limit(text, max_bytes):
                yield Record(rid, where, error=f"{where}: text is over the {max_bytes:,}-byte limit "
                                               "(raise it with --max-bytes, 0 for no limit)")
            else:
                yield Record(rid, where, text=text)


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
        texts = batch.column(text_field).to_pylist()
        ids = batch.column(id_field).to_pylist() if id_field in columns else [None] * len(texts)
        for text, rid in zip(texts, ids):
            row += 1
            where = f"{path}:{row}"
            rid = f"row-{row}" if rid is None else str(rid)
            if not isinstance(text, str):
                yield Record(rid, where, error=f"{where}: text column {text_field!r} is {_type_name(text)}, "
                                               "not a string")
            elif over_byte_limit(text, max_bytes):
                yield Record(rid, where, error=f"{where}: text is over the {max_bytes:,}-byte limit "
                                               "(raise it with --max-bytes, 0 for no limit)")
            else:
                yield Record(rid, where, text=text)


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
    items, results = [], [None] * len(records)
    for k, record in enumerate(records):
        if record.error:
            results[k] = _error_row(record, record.error)
            continue
        text = record.text
        if record.html:
            from .htmltext import html_to_text

            try:
                text = html_to_text(text, record.where)
            except ScorerError as exc:
                results[k] = _error_row(record, str(exc))
                continue
        items.append((k, (text, record.id, record.where, record.html)))
    for k, report in zip([k for k, _ in items], _score_items(scorer, [item for _, item in items])):
        if isinstance(report, Exception):
            results[k] = _error_row(records[k], str(report))
        else:
            results[k] = dict(report.to_dict(), id=records[k].id, input=records[k].where, status="ok")
    return results


def _score_items(scorer, items: list[tuple]) -> list:
    """scorer.score_batch(items), except that an unexpected exception (a bug, not bad input) costs only
    the record that raised it: the chunk is rescored one by one and that record gets an error row."""
    try:
        return scorer.score_batch(items)
    except Exception:  # noqa: BLE001 - isolate the failing record, report it, keep the others
        if len(items) == 1:
            return [_internal_error(items[0])]
        return [r for item in items for r in _score_items(scorer, [item])]


def _internal_error(item: tuple) -> ScorerError:
    import traceback

    exc = sys.exc_info()[1]
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return ScorerError(f"{item[2]}: internal error {type(exc).__name__}: {exc} "
                       f"(at {Path(frame.filename).name}:{frame.lineno}); please report it")


LABEL_COLUMNS = ("named_source", "anonymous_intelligence", "outlet_claim", "editorial_opinion")


def article_row(result: dict) -> dict:
    """The articles-table row of one result (report or error)."""
    row = {"id": result["id"], "input": result.get("input"), "status": result["status"], "error": result.get("error")}
    if result["status"] == "ok":
        s, a = result["summary"], result["article"]
        row.update(title=a.get("title"), n_sentences=a["n_sentences"], n_skipped=a["n_skipped"],
                   support_score=s["support_score"], flags="; ".join(s["flags"]),
                   sources=json.dumps(s["sources"], ensure_ascii=False), weakest=json.dumps(s["weakest"]),
                   model_sha256=result["model"].get("sha256"))
        row.update({f"share_{k}": s["type_shares"][k] for k in LABEL_COLUMNS})
    return row


ARTICLE_COLUMNS = ["id", "input", "status", "error", "title", "n_sentences", "n_skipped", "support_score"] + \
    [f"share_{k}" for k in LABEL_COLUMNS] + ["flags", "sources", "weakest", "model_sha256"]
SENTENCE_COLUMNS = ["article_id", "index", "start", "end", "text", "attribution_type"] + \
    [f"p_{k}" for k in LABEL_COLUMNS] + ["source", "source_phrase", "cue", "via", "support", "support_grade", "reasons",
                                         "corroborated_by", "is_headline"]


def sentence_rows(result: dict) -> list[dict]:
    """The sentences-table rows of one result (none for an error row)."""
    rows = []
    for s in result.get("sentences", []):
        row = {k: s.get(k) for k in SENTENCE_COLUMNS if k in s}
        row["article_id"] = result["id"]
        row["reasons"] = "; ".join(s["reasons"])
        row.update({f"p_{k}": s["probabilities"][k] for k in LABEL_COLUMNS})
        rows.append(row)
    return rows


def record_key(row: dict) -> str:
    """What identifies an input record in the output: where it was read (file:line), which is unique
    even when ids repeat; outputs written before that was recorded fall back to the id."""
    where = row.get("input")
    return f"@{where}" if isinstance(where, str) and where else f"#{row.get('id')}"


def is_done(record: Record, done: set[str]) -> bool:
    """True if an output row for this input record was already written (by location, or by id)."""
    return f"@{record.where}" in done or f"#{record.id}" in done


def encode_jsonl(result: dict) -> tuple[str, str]:
    """(status, output line) of one result; runs in the worker, so only a string crosses processes."""
    return result["status"], json.dumps(result, ensure_ascii=False) + "\n"


def encode_tables(result: dict) -> tuple[str, dict, list[dict]]:
    """(status, articles row, sentences rows) of one result; runs in the worker."""
    return result["status"], article_row(result), sentence_rows(result)


class JsonlWriter:
    """One JSON object per line, each written whole and flushed, so a killed run leaves at most one
    cut-off last line; resume cuts that line off and reads which records are done."""

    def __init__(self, out: Path, resume: bool):
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        self.done: set[str] = set()
        if resume and out.exists():
            _drop_partial_last_line(out)
            self.done = _jsonl_keys(out)
        self.fh = out.open("a" if resume else "w", encoding="utf-8")

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
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                keys.add(record_key(json.loads(line)))
            except (ValueError, AttributeError):
                continue  # not a result line: the record it was for is scored again
    return keys


def article_frame(rows: list[dict]):
    """The articles table of some results, with text columns typed even when all are empty."""
    import pandas as pd

    return pd.DataFrame(rows, columns=ARTICLE_COLUMNS).astype({"error": "string", "title": "string",
                                                                "input": "string"})


def sentence_frame(rows: list[dict]):
    """The sentences table of some results."""
    import pandas as pd

    return pd.DataFrame(rows, columns=SENTENCE_COLUMNS)


def unique_token() -> str:
    """A token for temporary file names that no other process or attempt uses."""
    import uuid

    return f"{os.getpid()}-{uuid.uuid4().hex[:12]}"


def write_table_pair(out: Path, name: str, articles, sentences) -> None:
    """OUT/sentences/NAME then OUT/articles/NAME (Parquet, or CSV if NAME ends in .csv), each written
    under a temporary name and renamed, so an articles part on disk means its sentences part is complete."""
    for frame, sub in ((sentences, "sentences"), (articles, "articles")):
        tmp = out / sub / f".{name}.{unique_token()}.tmp"  # two attempts at one part never share a temp file
        if name.endswith(".csv"):
            frame.to_csv(tmp, index=False)
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
    """

    STATE = ".committed.json"

    def __init__(self, out: Path, fmt: str, resume: bool, flush_every: int = 200):
        import pandas as pd

        self.pd, self.out, self.fmt, self.flush_every = pd, out, fmt, flush_every
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
        return {record_key(row) for row in frame[[c for c in ("id", "input") if c in frame]].to_dict("records")}

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
        from .atomic import write_text_atomic

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


def open_writer(out: str | Path, fmt: str, resume: bool):
    out = Path(out)
    if fmt == "jsonl":
        return JsonlWriter(out, resume)
    return TableWriter(out, fmt, resume)


class BatchInterrupted(ScorerError):
    """Ctrl-C during a batch run: what was written is complete and `--resume` carries on from it."""

    exit_code = 130

    def __init__(self, ok: int, errors: int, out):
        super().__init__(f"interrupted: {ok} scored and {errors} errors written to {out}; "
                         "run the same command with --resume to score the rest")
        self.ok, self.errors = ok, errors


def run_batch(input_path, out, fmt: str = "jsonl", jobs: int = 1, text_field: str = "text", id_field: str = "id",
              resume: bool = False, model_dir=None, progress=None, scorer=None,
              max_bytes: int | None = DEFAULT_MAX_BYTES) -> tuple[int, int]:
    """Score every record of `input_path` into `out`; returns (ok count, error count).
    `scorer`: an already loaded Scorer to use in this process when jobs == 1.
    Raises BatchInterrupted on Ctrl-C, after the results so far are written."""
    from .parallel import score_records

    writer = open_writer(out, fmt, resume)
    records = (r for r in read_records(input_path, text_field, id_field, max_bytes)
               if not is_done(r, writer.done))
    ok = errors = 0
    interrupted = False
    try:
        for item in score_records(records, jobs=jobs, model_dir=model_dir, scorer=scorer, encode=writer.encode):
            writer.write_encoded(item)
            if item[0] == "ok":
                ok += 1
            else:
                errors += 1
            if progress is not None:
                progress(ok + errors)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        writer.close()
    if interrupted:
        raise BatchInterrupted(ok, errors, out)
    return ok, errors
