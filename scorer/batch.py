"""Batch scoring of a corpus: readers for a directory / JSONL / CSV, writers for JSONL / CSV / Parquet,
resume, error rows for bad records, and worker processes.

Every input record appears exactly once in the output: a report (`status: "ok"`) or an error row.
Input is streamed and output written as it comes, so memory does not grow with the corpus.
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import InputError, ScorerError

ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".htm"}


@dataclass
class Record:
    """One input article: its id, where it came from (file:line) and its text, or the reason it has none."""

    id: str
    where: str
    text: str | None = None
    error: str | None = None
    html: bool = False


def read_records(path: str | Path, text_field: str = "text", id_field: str = "id") -> Iterator[Record]:
    """Records of a directory of articles, a .jsonl file or a .csv file, in a stable order."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
        if not files:
            raise InputError(f"{path}: no .txt/.md/.html files in directory")
        for file in files:
            yield _file_record(file, path)
    elif path.suffix.lower() == ".jsonl":
        yield from _jsonl_records(path, text_field, id_field)
    elif path.suffix.lower() == ".csv":
        yield from _csv_records(path, text_field, id_field)
    elif not path.exists():
        raise InputError(f"{path}: not found")
    else:
        raise InputError(f"{path}: batch input must be a directory, a .jsonl file or a .csv file")


def count_records(path: str | Path) -> int | None:
    """Number of input records for the progress bar's ETA (lines/rows/files), None if unknown."""
    path = Path(path)
    if path.is_dir():
        return sum(1 for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
    if path.suffix.lower() == ".jsonl" and path.is_file():
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    if path.suffix.lower() == ".csv" and path.is_file():
        csv.field_size_limit(sys.maxsize)
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            return max(0, sum(1 for _ in csv.reader(fh)) - 1)
    return None


def _file_record(file: Path, root: Path) -> Record:
    from .textio import is_html, read_text_file

    rid = str(file.relative_to(root))
    try:
        text = read_text_file(file)
    except InputError as exc:
        return Record(rid, str(file), error=str(exc))
    return Record(rid, str(file), text=text, html=is_html(file, text))


def _jsonl_records(path: Path, text_field: str, id_field: str) -> Iterator[Record]:
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                yield Record(f"line-{number}", where, error=f"{where}: not valid JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                yield Record(f"line-{number}", where, error=f"{where}: expected a JSON object")
                continue
            rid = str(obj.get(id_field, f"line-{number}"))
            text = obj.get(text_field)
            if not isinstance(text, str):
                yield Record(rid, where, error=f"{where}: no text field {text_field!r}")
                continue
            yield Record(rid, where, text=text)


def _csv_records(path: Path, text_field: str, id_field: str) -> Iterator[Record]:
    csv.field_size_limit(sys.maxsize)
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read CSV ({exc})") from None
    with fh:
        if text_field not in fields:
            raise InputError(f"{path}:1: no column {text_field!r} (columns: {', '.join(fields)}); use --text-field")
        number = 1
        try:
            for number, row in enumerate(reader, 2):
                rid = row.get(id_field) or f"row-{number}"
                text = row.get(text_field)
                if text is None:
                    yield Record(rid, f"{path}:{number}", error=f"{path}:{number}: missing {text_field!r} value")
                else:
                    yield Record(rid, f"{path}:{number}", text=text)
        except UnicodeDecodeError:
            yield Record(f"row-{number + 1}", f"{path}:{number + 1}", error=f"{path}:{number + 1}: not UTF-8 text")


def _error_row(record: Record, message: str) -> dict:
    return {"id": record.id, "status": "error", "error": message}


def score_chunk(scorer, records: list[Record]) -> list[dict]:
    """Report dicts (status 'ok') or error rows for a chunk of records, scored with one model call;
    never raises for a bad record."""
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
        items.append((k, (text, record.id, record.where, False)))
    for (k, _), report in zip(items, scorer.score_batch([item for _, item in items])):
        if isinstance(report, ScorerError):
            results[k] = _error_row(records[k], str(report))
        else:
            results[k] = dict(report.to_dict(), id=records[k].id, status="ok")
    return results


LABEL_COLUMNS = ("named_source", "anonymous_intelligence", "outlet_claim", "editorial_opinion")


def article_row(result: dict) -> dict:
    """The articles-table row of one result (report or error)."""
    row = {"id": result["id"], "status": result["status"], "error": result.get("error")}
    if result["status"] == "ok":
        s, a = result["summary"], result["article"]
        row.update(title=a.get("title"), n_sentences=a["n_sentences"], n_skipped=a["n_skipped"],
                   support_score=s["support_score"], flags="; ".join(s["flags"]),
                   sources=json.dumps(s["sources"], ensure_ascii=False), weakest=json.dumps(s["weakest"]),
                   model_sha256=result["model"].get("sha256"))
        row.update({f"share_{k}": s["type_shares"][k] for k in LABEL_COLUMNS})
    return row


ARTICLE_COLUMNS = ["id", "status", "error", "title", "n_sentences", "n_skipped", "support_score"] + \
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


class JsonlWriter:
    """One JSON object per line; resume reads the ids already written."""

    def __init__(self, out: Path, resume: bool):
        self.out = out
        self.done = _jsonl_ids(out) if resume and out.exists() else set()
        out.parent.mkdir(parents=True, exist_ok=True)
        self.fh = out.open("a" if resume else "w", encoding="utf-8")

    def write(self, result: dict) -> None:
        self.fh.write(json.dumps(result, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.fh.close()


def _jsonl_ids(path: Path) -> set[str]:
    ids = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                ids.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError):
                continue  # a line cut off by an interrupted run is scored again
    return ids


class TableWriter:
    """Two tables joined by article id: OUT/articles.csv + OUT/sentences.csv, or Parquet parts under
    OUT/articles/ and OUT/sentences/ (one part per run, so resuming appends)."""

    def __init__(self, out: Path, fmt: str, resume: bool, flush_every: int = 200):
        import pandas as pd

        self.pd, self.out, self.fmt, self.flush_every = pd, out, fmt, flush_every
        out.mkdir(parents=True, exist_ok=True)
        self.articles: list[dict] = []
        self.sentences: list[dict] = []
        self.done: set[str] = set()
        if fmt == "csv":
            self.paths = (out / "articles.csv", out / "sentences.csv")
            if not resume:
                for p in self.paths:
                    p.unlink(missing_ok=True)
            elif self.paths[0].exists():
                self.done = set(pd.read_csv(self.paths[0], usecols=["id"], dtype=str)["id"])
        else:
            for sub in ("articles", "sentences"):
                (out / sub).mkdir(exist_ok=True)
                if not resume:
                    for old in (out / sub).glob("*.parquet"):
                        old.unlink()
            parts = sorted((out / "articles").glob("*.parquet"))
            if resume and parts:
                self.done = set(pd.read_parquet(out / "articles", columns=["id"])["id"].astype(str))
            self.run = len(parts)
            self.part = 0

    def write(self, result: dict) -> None:
        self.articles.append(article_row(result))
        self.sentences.extend(sentence_rows(result))
        if len(self.articles) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if not self.articles:
            return
        arts = self.pd.DataFrame(self.articles, columns=ARTICLE_COLUMNS)
        sents = self.pd.DataFrame(self.sentences, columns=SENTENCE_COLUMNS)
        if self.fmt == "csv":
            for frame, path in ((arts, self.paths[0]), (sents, self.paths[1])):
                frame.to_csv(path, mode="a", header=not path.exists(), index=False)
        else:
            name = f"part-{self.run:04d}-{self.part:05d}.parquet"
            arts.astype({"error": "string", "title": "string"}).to_parquet(self.out / "articles" / name, index=False)
            sents.to_parquet(self.out / "sentences" / name, index=False)
            self.part += 1
        self.articles, self.sentences = [], []

    def close(self) -> None:
        self.flush()


def open_writer(out: str | Path, fmt: str, resume: bool):
    out = Path(out)
    if fmt == "jsonl":
        return JsonlWriter(out, resume)
    return TableWriter(out, fmt, resume)


def run_batch(input_path, out, fmt: str = "jsonl", jobs: int = 1, text_field: str = "text", id_field: str = "id",
              resume: bool = False, model_dir=None, progress=None, scorer=None) -> tuple[int, int]:
    """Score every record of `input_path` into `out`; returns (ok count, error count).
    `scorer`: an already loaded Scorer to use in this process when jobs == 1."""
    from .parallel import score_records

    writer = open_writer(out, fmt, resume)
    records = (r for r in read_records(input_path, text_field, id_field) if r.id not in writer.done)
    ok = errors = 0
    try:
        for result in score_records(records, jobs=jobs, model_dir=model_dir, scorer=scorer):
            writer.write(result)
            if result["status"] == "ok":
                ok += 1
            else:
                errors += 1
            if progress is not None:
                progress(ok + errors)
    finally:
        writer.close()
    return ok, errors
