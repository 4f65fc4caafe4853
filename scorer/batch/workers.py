"""Scoring records: report dicts (status "ok") or error rows for chunks of records, in this process or in worker
processes (`pool.ordered_map`), each loading the model once. One bad record never costs the others.

The pipeline is imported inside the worker functions, not at the top: a parent process that only hands records
to workers never imports the pipeline (numpy, the model code).
"""
from __future__ import annotations

from itertools import islice

from ..errors import ScorerError
from ..pool import ordered_map, start
from ..text.files import article_text
from .records import Record

# articles per model call in a worker, and per task sent to one: the span tagger's and the heads' arrays for a call grow
# with it (a worker's peak RSS is about 8 MB lower with 16 than with 32, 12 MB with 8: bench/batch_size.py; CPU per
# sentence the same within that benchmark's noise of +-5%), and so do the results a batch parent holds for the tasks
# in flight
MODEL_BATCH = 8


def _error_row(record: Record, message: str) -> dict:
    return _with_fields({"id": record.id, "input": record.where, "status": "error", "error": message}, record)


def _with_fields(result: dict, record: Record) -> dict:
    """`result` with the record's kept input fields (under "fields"), if it has any."""
    if record.fields:
        result["fields"] = record.fields
    return result


def score_chunk(scorer, records: list[Record], batch: int = MODEL_BATCH) -> list[dict]:
    """Report dicts (status 'ok') or error rows for a chunk of records, scored with one model call per `batch`
    articles; never raises for a bad record (an unexpected failure is narrowed down to the record that caused it)."""
    from ..pipeline import Article, internal_error, score_items  # here, not at the top (see the module's docstring)

    items, results = [], [None] * len(records)
    for k, record in enumerate(records):
        if record.error:
            results[k] = _error_row(record, record.error)
            continue
        text, kind = record.text, "html" if record.html and record.kind == "text" else record.kind
        name = record.id if record.kind == "url" else record.where  # what its errors name
        if kind != "text":  # a page to fetch, HTML or Markdown: converted to article text first
            try:
                if kind == "url":
                    from ..text.fetch import fetch_page

                    text, kind = fetch_page(text, record.max_bytes), "html"
                text = article_text(text, kind, name)
            except ScorerError as exc:
                results[k] = _error_row(record, str(exc))
                continue
            except Exception:  # noqa: BLE001 - a bug or a library's own error costs only this record
                results[k] = _error_row(record, str(internal_error(name)))
                continue
        items.append((k, Article(text, record.id, name, kind != "text")))
    reports = [report for start in range(0, len(items), batch)
               for report in score_items(scorer, [item for _, item in items[start:start + batch]])]
    for k, report in zip([k for k, _ in items], reports):
        if isinstance(report, Exception):
            results[k] = _error_row(records[k], str(report))
        else:
            results[k] = _with_fields(dict(report.to_dict(), id=records[k].id, input=records[k].where, status="ok"),
                                      records[k])
    return results


def score_record_chunk(records: list[Record], model_dir=None, scorer=None, encode=None, join=None) -> list:
    """Worker side of `score_records`: the results of a chunk, scored with `scorer` or this process's Scorer for
    `model_dir`, each passed through `encode` when given (in the worker, so the parent receives what it writes,
    not the report dicts), and then the list of them through `join` when given (`writers.join_jsonl`: one item
    for the chunk)."""
    from ..pipeline import cached_scorer  # here, not at the top (see the module's docstring)

    results = score_chunk(scorer or cached_scorer(model_dir), records)
    if encode is not None:
        results = [encode(result) for result in results]
    return results if join is None else join(results)


def load_model(model_dir=None) -> None:
    """In a worker, before its first task (`start_workers`): import the pipeline and load this process's Scorer for
    `model_dir`, which `score_record_chunk` then takes."""
    from ..model import heads
    from ..pipeline import cached_scorer  # here, not at the top (see the module's docstring)

    cached_scorer(model_dir)
    # A worker started here has at least a chunk coming and most often thousands of sentences: its n-gram look-ups
    # (the heads' and the claim head's) build their integer coders at the first batch instead of looking n-gram strings
    # up for the first CODER_AFTER texts (4,000 in pure Python, 500 with the kernels: a one-article start-up's
    # trade-off). The same ids either way. Pure Python, 3 passes over the 84 dev articles in one process: 1.63-1.67 s
    # of CPU instead of 1.69-1.88 (fixed16, session 16).
    heads.CODER_AFTER = heads.CODER_AFTER_COMPILED = 0


def start_workers(jobs: int, model_dir=None, records=None) -> bool:
    """Start the `jobs` worker processes of a batch run now (jobs > 1; `pool.start`), each importing the pipeline and
    loading the model (`load_model`) at once, while this process opens the input and the output: about 0.2 s of each
    worker's start-up that otherwise began only when its first chunk arrived. A model that fails to load there fails
    the worker's first chunk, as it would have. `records`: the run's records, read here only as far as the first
    record past `jobs - 1` chunks (and closed): with no more than that, some worker would never get a chunk, so none
    is started now (the run starts them, and a worker loads the model with its first chunk, as before; a small batch
    costs no more CPU or memory than it did); a fault reading them is left to the run. True if they were started."""
    if jobs <= 1:
        return False
    if records is not None:
        try:
            enough = next(islice(records, (jobs - 1) * MODEL_BATCH, None), None) is not None
        except Exception:  # noqa: BLE001 - the run reads the input again and reports what is wrong with it
            enough = False
        finally:
            getattr(records, "close", lambda: None)()
        if not enough:
            return False
    start(jobs, (load_model, (model_dir,)))
    return True


def score_records(records, jobs: int = 1, model_dir=None, scorer=None, encode=None, join=None):
    """Results (report dicts or error rows, or `encode(result)` when given) for records, in input order, or with
    `join` the items it makes of each chunk's (`score_record_chunk`); `scorer` is reused in-process. With jobs > 1,
    chunks go to worker processes (`pool.ordered_map`), each loading the model once; if the caller stops before the
    end, the workers are stopped."""
    args = (model_dir, scorer if jobs <= 1 else None, encode) + ((join,) if join is not None else ())
    return ordered_map(score_record_chunk, records, jobs, args, size=MODEL_BATCH)
