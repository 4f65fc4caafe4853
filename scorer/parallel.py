"""Worker processes for batch scoring (joblib/loky): the model is loaded once per worker and records
are sent in small chunks, in order, as the input is read."""
from __future__ import annotations

from itertools import islice

_WORKER_SCORERS: dict = {}
CHUNK = 32


def _scorer(model_dir):
    key = str(model_dir)
    if key not in _WORKER_SCORERS:
        from .scoring import Scorer

        _WORKER_SCORERS[key] = Scorer(model_dir)
    return _WORKER_SCORERS[key]


def _score_chunk(records, model_dir, scorer=None, encode=None):
    """Results of a chunk, each passed through `encode` (in the worker, so the parent receives what
    it writes, not the report dicts) when given."""
    from .batch import score_chunk

    results = score_chunk(scorer or _scorer(model_dir), records)
    return results if encode is None else [encode(result) for result in results]


def chunks(iterable, size):
    """Lists of up to `size` items from an iterable, read lazily."""
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def score_records(records, jobs: int = 1, model_dir=None, scorer=None, encode=None):
    """Results (report dicts or error rows, or `encode(result)` when given) for records, in input
    order; `scorer` is reused in-process."""
    if jobs <= 1:
        for chunk in chunks(records, CHUNK):
            yield from _score_chunk(chunk, model_dir, scorer, encode)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, backend="loky", return_as="generator", pre_dispatch="2*n_jobs")
    for results in parallel(delayed(_score_chunk)(chunk, model_dir, None, encode) for chunk in chunks(records, CHUNK)):
        yield from results


def parallel_score(texts, n_jobs: int = 2, model_dir=None):
    """Reports for texts using worker processes (used by Scorer.score_many)."""
    from .batch import Record
    from .errors import InputError
    from .report import Report

    records = (Record(str(i), f"<text {i}>", text=t) for i, t in enumerate(texts))
    for result in score_records(records, jobs=n_jobs, model_dir=model_dir):
        if result["status"] != "ok":
            raise InputError(result["error"])
        article = dict(result["article"], id=None)  # the record number was only for routing, as in-process
        yield Report(result["model"], article, result["summary"], result["sentences"], result["skipped"])
