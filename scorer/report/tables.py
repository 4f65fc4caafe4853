"""The tables of scored articles, defined once: the articles table (one row per record: status, error, score, type
shares, flags, sources) and the sentences table (one row per sentence) that batch writes and `score_frame` returns,
and the table of one report's sentences (`Report.sentences`). pandas is imported only to build a DataFrame."""
from __future__ import annotations

import json

from ..labels import LABELS


def article_row(result: dict) -> dict:
    """The articles-table row of one result (report or error)."""
    row = {"id": result["id"], "input": result.get("input"), "status": result["status"], "error": result.get("error")}
    if result["status"] == "ok":
        s, a = result["summary"], result["article"]
        row.update(title=a.get("title"), n_sentences=a["n_sentences"], n_skipped=a["n_skipped"],
                   support_score=s["support_score"], flags="; ".join(s["flags"]),
                   sources=json.dumps(s["sources"], ensure_ascii=False), weakest=json.dumps(s["weakest"]),
                   model_sha256=result["model"].get("sha256"))
        row.update({f"share_{k}": s["type_shares"][k] for k in LABELS})
    return row


ARTICLE_COLUMNS = ["id", "input", "status", "error", "title", "n_sentences", "n_skipped", "support_score"] + \
    [f"share_{k}" for k in LABELS] + ["flags", "sources", "weakest", "model_sha256"]
SENTENCE_COLUMNS = ["article_id", "index", "start", "end", "text", "attribution_type"] + \
    [f"p_{k}" for k in LABELS] + ["source", "source_phrase", "cue", "via", "support", "support_grade", "reasons",
                                  "corroborated_by", "is_headline"]


def sentence_rows(result: dict) -> list[dict]:
    """The sentences-table rows of one result (none for an error row)."""
    rows = []
    for s in result.get("sentences", []):
        row = {k: s.get(k) for k in SENTENCE_COLUMNS if k in s}
        row["article_id"] = result["id"]
        row["reasons"] = "; ".join(s["reasons"])
        row.update({f"p_{k}": s["probabilities"][k] for k in LABELS})
        rows.append(row)
    return rows


def article_frame(rows: list[dict]):
    """The articles table of some results, with text columns typed even when all are empty."""
    import pandas as pd

    return pd.DataFrame(rows, columns=ARTICLE_COLUMNS).astype({"error": "string", "title": "string",
                                                                "input": "string"})


def sentence_frame(rows: list[dict]):
    """The sentences table of some results."""
    import pandas as pd

    return pd.DataFrame(rows, columns=SENTENCE_COLUMNS)


def report_sentences(rows: list[dict]):
    """`Report.sentences`: one row per sentence with every field of the JSON (probabilities as p_<label> columns too)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    for label in LABELS:
        frame[f"p_{label}"] = [row["probabilities"][label] for row in rows]
    return frame
