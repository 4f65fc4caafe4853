"""Batch scoring on a Dask cluster (extra `distributed`): the corpus is split into shards, each shard
is one partition of a `dask.dataframe`, and each worker reads, scores and writes its shards itself.

Records, error rows and report JSON are made by the same functions as the local backend
(`records.read_records`' readers, `workers.score_chunk`), so the output is the same record for record.
The model is loaded once per worker process (`pipeline.cached_scorer`). Output is sharded: JSONL
(OUT/part-NNNNN.jsonl), or CSV / Parquet parts under OUT/articles/ and OUT/sentences/; a shard is
done when its marker OUT/_done/NNNNN.json exists, so `--resume` redoes only unfinished shards. OUT
must be on a filesystem that the workers and the client all see.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..atomic import write_text_atomic
from ..errors import InputError, ScorerError
from ..pool import CHUNK, chunks
from ..report.tables import ARTICLE_COLUMNS, article_row
from ..text.files import DEFAULT_MAX_BYTES
from .records import (Keep, Record, article_files, check_record_file, file_record, file_records,
                      over_byte_limit, record_files, shard_file_records, table_fields)
from .run import BatchInterrupted, StopSignals, check_batch_output
from .workers import score_chunk
from .writers import encode_jsonl, encode_tables, unique_token, write_table_pair

FILES_PER_SHARD = 500    # article files per shard when the input is a directory of articles
FLUSH_EVERY = 200        # articles per CSV / Parquet part within a shard
DONE = "_done"
COUNT_COLUMNS = {"shard": "int64", "ok": "int64", "errors": "int64"}
LIST_COLUMNS = ("article_flags", "sources", "weakest")


@dataclass(frozen=True)
class Shard:
    """One unit of distributed work: a record file, or a run of article files under `root`."""

    number: int
    path: str
    files: tuple[str, ...] = ()

    def describe(self, path: str | None = None) -> str:
        path = self.path if path is None else path
        return f"{path} ({len(self.files)} files from {self.files[0]})" if self.files else path

    def canonical(self) -> str:
        """`describe` with the real path (os.path.realpath), the same for every spelling of the input."""
        return self.describe(os.path.realpath(self.path))


def plan_shards(input_path, files_per_shard: int = FILES_PER_SHARD) -> list[Shard]:
    """The shards of an input, in input order: one per .jsonl/.csv/.parquet file (a single file, or a
    directory of them), or runs of `files_per_shard` article files from a directory of articles.
    To spread one large file over workers, split it into several files first."""
    path = Path(input_path)
    if path.is_dir():
        files = [str(f.relative_to(path)) for f in article_files(path)]
        if files:
            runs = [files[i:i + files_per_shard] for i in range(0, len(files), files_per_shard)]
            return [Shard(n, str(path), tuple(run)) for n, run in enumerate(runs)]
        return [Shard(n, str(f)) for n, f in enumerate(record_files(path, required=True))]
    check_record_file(path)
    return [Shard(0, str(path))]


def shard_records(shard: Shard, text_field: str, id_field: str, max_bytes: int | None,
                  single_file: bool, keep: Keep = "none") -> Iterator[Record]:
    """The records of a shard, read exactly as the local backend reads them."""
    root = Path(shard.path)
    if shard.files:
        return (file_record(root / name, root, max_bytes) for name in shard.files)
    if single_file:  # the input was this one file: an unreadable file is an error, as locally
        return file_records(root, text_field, id_field, max_bytes, keep)
    return shard_file_records(root, text_field, id_field, max_bytes, keep)


class _ShardOutput:
    """The output files of one shard, written under temporary names and renamed when complete."""

    def __init__(self, out: Path, fmt: str, number: int, csv_escape: bool = True, fields=()):
        self.out, self.fmt, self.number, self.csv_escape, self.fields = out, fmt, number, csv_escape, list(fields)
        self.stem = f"part-{number:05d}"
        self._discard_leftovers()
        if fmt == "jsonl":
            # a temporary name of this attempt's own: a cancelled attempt still running on another
            # worker must not rename or overwrite this one's file (both write the same content)
            self.tmp = out / f".{self.stem}.jsonl.{unique_token()}.tmp"
            self.fh = self.tmp.open("w", encoding="utf-8")
        else:
            self.articles: list[dict] = []
            self.sentences: list[dict] = []
            self.part = 0

    def _discard_leftovers(self) -> None:
        """Remove what an earlier, unfinished attempt at this shard wrote."""
        if self.fmt == "jsonl":
            (self.out / f"{self.stem}.jsonl").unlink(missing_ok=True)
            for old in self.out.glob(f".{self.stem}.jsonl.*.tmp"):
                old.unlink(missing_ok=True)
            return
        for sub in ("articles", "sentences"):
            for old in (self.out / sub).glob(f"{self.stem}-*"):
                old.unlink(missing_ok=True)
            for old in (self.out / sub).glob(f".{self.stem}-*.tmp"):
                old.unlink(missing_ok=True)

    def write(self, result: dict) -> None:
        if self.fmt == "jsonl":
            self.fh.write(encode_jsonl(result)[1])
            return
        _, article, sentences = encode_tables(result)
        self.articles.append(article)
        self.sentences.extend(sentences)
        if len(self.articles) >= FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        if self.articles or self.part == 0:  # an empty shard still leaves one (empty) part
            write_table_pair(self.out, f"{self.stem}-{self.part:04d}.{self.fmt}", self.articles, self.sentences,
                             self.csv_escape, self.fields)
            self.part += 1
        self.articles, self.sentences = [], []

    def commit(self) -> None:
        if self.fmt == "jsonl":
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            os.replace(self.tmp, self.out / f"{self.stem}.jsonl")
        else:
            self._flush()


def score_shard(shard: Shard, out: str, fmt: str, model_dir=None, text_field: str = "text", id_field: str = "id",
                max_bytes: int | None = DEFAULT_MAX_BYTES, single_file: bool = False, csv_escape: bool = True,
                keep: Keep = "none", fields=()):
    """Read, score and write one shard on a worker; returns a one-row frame (shard, ok, errors).
    The shard's marker is written last, so a shard without one is redone on resume. `keep`: the input fields
    carried through (`records.parse_keep`); `fields`: their table columns (the same for every shard)."""
    import pandas as pd

    from ..pipeline import cached_scorer  # on the worker: the client never imports the pipeline

    out_dir = Path(out)
    scorer = cached_scorer(model_dir)
    output = _ShardOutput(out_dir, fmt, shard.number, csv_escape, fields)
    ok = errors = 0
    for chunk in chunks(shard_records(shard, text_field, id_field, max_bytes, single_file, keep), CHUNK):
        for result in score_chunk(scorer, chunk):
            output.write(result)
            ok += result["status"] == "ok"
            errors += result["status"] != "ok"
    output.commit()
    marker = {"shard": shard.number, "input": shard.describe(), "real": shard.canonical(), "ok": ok,
              "errors": errors}
    write_text_atomic(out_dir / DONE / f"{shard.number:05d}.json", json.dumps(marker))
    return pd.DataFrame([{"shard": shard.number, "ok": ok, "errors": errors}]).astype(COUNT_COLUMNS)


def _finished(out: Path, shards: list[Shard]) -> dict[int, dict]:
    """Markers of shards already done, checked against the current plan (the input must not change; another
    spelling of the same input path, compared by real path, is the same input)."""
    done = {}
    for shard in shards:
        path = out / DONE / f"{shard.number:05d}.json"
        if path.exists():
            marker = json.loads(path.read_text(encoding="utf-8"))
            if marker.get("input") != shard.describe() and marker.get("real") != shard.canonical():
                raise InputError(f"{out}: shard {shard.number} was {marker.get('input')!r}, now {shard.describe()!r}; "
                                 "the input changed since the first run, so start again without --resume")
            done[shard.number] = marker
    return done


def _clear(out: Path) -> None:
    """Remove the shard outputs of an earlier run (a run without --resume starts from nothing)."""
    for pattern in ("part-*.jsonl", ".part-*.tmp", f"{DONE}/*.json", "articles/part-*", "sentences/part-*",
                    "articles/.part-*", "sentences/.part-*"):
        for old in out.glob(pattern):
            old.unlink(missing_ok=True)


def _client(scheduler: str | None, workers: int):
    """A client of the scheduler at `scheduler`, or of a new local cluster of `workers` processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ScorerError("the dask backend needs the 'distributed' extra: pip install "
                          "'attribution-scorer[distributed]'") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ScorerError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    import logging

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    return Client(cluster)


def shard_frame(shards: list[Shard], out, fmt: str, model_dir=None, text_field: str = "text", id_field: str = "id",
                max_bytes: int | None = DEFAULT_MAX_BYTES, single_file: bool = False, csv_escape: bool = True,
                keep: Keep = "none", fields=()):
    """A dask.dataframe with one partition per shard; computing a partition scores and writes that shard
    and yields its counts."""
    import dask.dataframe as dd
    import pandas as pd

    meta = pd.DataFrame({k: pd.Series(dtype=v) for k, v in COUNT_COLUMNS.items()})
    return dd.from_map(score_shard, shards, out=str(out), fmt=fmt, model_dir=None if model_dir is None else str(model_dir),
                       text_field=text_field, id_field=id_field, max_bytes=max_bytes, single_file=single_file,
                       csv_escape=csv_escape, keep=keep, fields=list(fields), meta=meta, enforce_metadata=False,
                       label="score-shard")


def run_dask_batch(input_path, out, fmt: str = "jsonl", scheduler: str | None = None, workers: int = 2,
                   text_field: str = "text", id_field: str = "id", resume: bool = False, model_dir=None,
                   progress=None, max_bytes: int | None = DEFAULT_MAX_BYTES,
                   files_per_shard: int = FILES_PER_SHARD, csv_escape: bool = True,
                   keep: Keep = "none") -> tuple[int, int]:
    """Score `input_path` on Dask into the directory `out`; returns (ok count, error count) over all shards,
    including those a resumed run found done. Raises BatchInterrupted on Ctrl-C or SIGTERM (finished shards
    stay). An output that is a file, or that is, contains or lies in the input, is refused first
    (`run.check_batch_output`); `csv_escape`: see `writers.escape_formulas`; `keep`: the input fields carried
    through, as in `run.run_batch`. `progress(n)` is called with the records done, first those of shards a
    resumed run found done."""
    if fmt not in ("jsonl", "csv", "parquet"):
        raise InputError(f"{out}: unknown output format {fmt!r}")
    out = Path(out)
    check_batch_output(input_path, out, directory=True, dask=True)
    shards = plan_shards(input_path, files_per_shard)
    for sub in (DONE,) if fmt == "jsonl" else (DONE, "articles", "sentences"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    if not resume:
        _clear(out)
    done = _finished(out, shards)
    ok = sum(m["ok"] for m in done.values())
    errors = sum(m["errors"] for m in done.values())
    todo = [s for s in shards if s.number not in done]
    if progress is not None:
        progress(ok + errors)
    if not todo:
        return ok, errors
    fields = table_fields(input_path, fmt, keep, text_field, id_field)
    frame = shard_frame(todo, out, fmt, model_dir, text_field, id_field, max_bytes,
                        single_file=not Path(input_path).is_dir(), csv_escape=csv_escape, keep=keep, fields=fields)
    from distributed import as_completed

    client = _client(scheduler, workers)
    futures = []
    stops = StopSignals()
    try:
        with stops:  # SIGTERM stops the run as Ctrl-C does
            futures = client.compute(frame.to_delayed())
            for future in as_completed(futures):
                counts = future.result()
                ok += int(counts["ok"].sum())
                errors += int(counts["errors"].sum())
                if progress is not None:
                    progress(ok + errors)
    except KeyboardInterrupt:
        client.cancel(futures)
        raise BatchInterrupted(ok, errors, out, stops.received) from None
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None and not scheduler:
            cluster.close()
    return ok, errors


def score_partition(frame, text_column: str = "text", id_column: str = "id", model_dir=None,
                    max_bytes: int | None = DEFAULT_MAX_BYTES):
    """Articles-table rows plus the full report JSON (`result`) for a pandas frame of articles. A row's
    location is its `input` column if there is one, else its index. Runs on a worker."""
    import pandas as pd

    from ..pipeline import cached_scorer  # on the worker, as in score_shard

    records = []
    inputs = frame["input"] if "input" in frame else None
    for pos, (index, text) in enumerate(frame[text_column].items()):
        rid = frame[id_column].iloc[pos] if id_column in frame else index
        where = str(inputs.iloc[pos]) if inputs is not None else f"row {index}"
        rid = f"row-{index}" if rid is None or pd.isna(rid) else str(rid)
        if not isinstance(text, str):
            kind = "null" if text is None or pd.isna(text) else type(text).__name__
            records.append(Record(rid, where, error=f"{where}: text is {kind}, not a string"))
        elif over_byte_limit(text, max_bytes):
            records.append(Record(rid, where, error=f"{where}: text is over the {max_bytes:,}-byte limit"))
        else:
            records.append(Record(rid, where, text=text))
    scorer = cached_scorer(None if model_dir is None else str(model_dir))
    rows = []
    for chunk in chunks(records, CHUNK):
        for result in score_chunk(scorer, chunk):
            row = article_row(result)
            for column in LIST_COLUMNS:  # as JSON text: the frame's declared meta has no nested types
                if row.get(column) is not None:
                    row[column] = json.dumps(row[column], ensure_ascii=False)
            rows.append(dict(row, result=encode_jsonl(result)[1][:-1]))  # the local backend's JSONL line
    return _typed_articles(pd.DataFrame(rows, columns=ARTICLE_COLUMNS + ["result"], index=frame.index))


def _typed_articles(frame):
    """Articles-table columns with fixed dtypes, so every partition matches the declared meta (text
    columns as pandas strings: with `object`, Dask cannot infer a Parquet schema from the meta)."""
    ints = {"n_sentences": "Int64", "n_skipped": "Int64"}
    floats = {c: "float64" for c in ARTICLE_COLUMNS if c == "support_score" or c.startswith("share_")}
    strings = {c: "string" for c in ARTICLE_COLUMNS + ["result"] if c not in ints and c not in floats}
    return frame.astype({**strings, **ints, **floats})


def score_dask_frame(articles, text_column: str = "text", id_column: str = "id", model_dir=None,
                     max_bytes: int | None = DEFAULT_MAX_BYTES):
    """Score a dask.dataframe of articles partition by partition (the model is loaded once per worker):
    one row per article with the articles-table columns and `result`, the report as JSON (the line the
    local backend writes). Bad rows (null text) become error rows, as in `scorer batch`."""
    import pandas as pd

    meta = _typed_articles(pd.DataFrame(columns=ARTICLE_COLUMNS + ["result"]))
    return articles.map_partitions(score_partition, text_column=text_column, id_column=id_column,
                                   model_dir=model_dir, max_bytes=max_bytes, meta=meta)
