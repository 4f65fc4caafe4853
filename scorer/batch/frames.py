"""Scoring a pandas DataFrame of articles into the two batch tables (articles and sentences, joined by id)."""
from __future__ import annotations

from ..errors import InputError
from ..report.tables import ARTICLE_COLUMNS, SENTENCE_COLUMNS, article_row, sentence_rows
from .records import Record
from .workers import score_records


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
