"""Scoring a pandas DataFrame of articles into the two batch tables (articles and sentences, joined by id)."""
from __future__ import annotations

from ..errors import InputError
from ..report.tables import ARTICLE_COLUMNS, article_row, field_columns, sentence_frame, sentence_rows
from .records import Record, kept_names, parse_keep
from .workers import score_records


def score_frame(frame, text_col: str = "text", id_col: str | None = None, n_jobs: int = 1, scorer=None,
                model_dir=None, keep_fields="all"):
    """Score a DataFrame of articles; returns (articles table, sentences table) joined by `id`
    (`articles.id` = `sentences.article_id`), the articles in the frame's row order.

    `keep_fields`: the frame's columns carried into the articles table, after its own columns: "all" (the
    default: every column but `text_col` and `id_col`), "none", or a list of names (or "a,b"). A column named
    like an articles-table column (`title`, `status`...) becomes `field_<name>` (`tables.field_column`).
    List columns (`article_flags`, `sources`, `weakest`, `reasons`) hold Python lists; the span columns
    (`source_start`, `source_end`, ...) are nullable integers (`Int64`).
    `scorer`: a loaded Scorer to use (its model), else the model in `model_dir` (default: the shipped one);
    n_jobs > 1 uses worker processes. A row whose text cannot be scored becomes an articles row with status
    'error'."""
    import pandas as pd

    if text_col not in frame.columns:
        raise InputError(f"DataFrame has no column {text_col!r}")
    keep = parse_keep(keep_fields)
    kept = kept_names(list(frame.columns), keep, text_col, id_col or text_col)
    missing = [name for name in kept if name not in frame.columns]
    if missing:
        raise InputError(f"DataFrame has no column {missing[0]!r} (keep_fields)")
    try:
        columns = field_columns(kept)
    except ValueError as exc:
        raise InputError(f"DataFrame: {exc}") from None
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
    articles = pd.DataFrame(arts, columns=ARTICLE_COLUMNS)
    if kept:  # the input's own values and dtypes, row for row
        extra = frame[kept].reset_index(drop=True)
        extra.columns = columns
        articles = pd.concat([articles, extra], axis=1)
    return articles, sentence_frame(sents)
